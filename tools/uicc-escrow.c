/*
 * uicc-escrow - the key escrow's commands: release key sets to an operator
 * (one card, or a CSV batch) as a sealed key file, show the log, show a
 * card's state.  Thin over ops/escrow.h and ops/keyfile.h; see
 * uicc-escrow(1).  No key byte is ever printed: keys only go to the 0600
 * key file of a release.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "common/bcd.h"
#include "common/csv.h"
#include "common/secmem.h"
#include "ops/escrow.h"
#include "ops/keyfile.h"
#include "tools/toolutil.h"

static const char *prog = "uicc-escrow";

#define CSV_MAX ((size_t)256 << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uicc-escrow release --db DB --master-key-file FILE --to PARTY.pem\n"
		"               --signer-cert PEM --signer-key PEM --out FILE\n"
		"               (--iccid ICCID --index I | --csv REQUESTS.csv) [--strict] [--force] [--json]\n"
		"       uicc-escrow log --db DB [--json]\n"
		"       uicc-escrow show --db DB --iccid ICCID [--json]\n"
		"release: key sets to PARTY (rule: not below the card's current index, never\n"
		"  one key set to two parties) as one sealed key file (0600); REQUESTS.csv has\n"
		"  the header iccid,index; bad rows are reported and skipped, --strict refuses\n"
		"  the whole run instead.  Every release and refusal is logged.\n"
		"exit status: 0 ok, 1 a request refused or the operation failed, 2 usage or input error\n");
}

static int exit_of(int rc)
{
	return rc == 0 ? UK_EXIT_OK : rc == OPS_EARG || rc == OPS_ENOTFOUND ? UK_EXIT_USAGE
									 : UK_EXIT_FAIL;
}

/* --------------------------------------------------------------- release */

struct reqlist {
	struct ops_release_req *v;
	size_t n, cap;
};

static int req_push(struct reqlist *l, const char *iccid, unsigned index, unsigned line)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct ops_release_req *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	snprintf(l->v[l->n].iccid, sizeof(l->v[0].iccid), "%s", iccid);
	l->v[l->n].index = index;
	l->v[l->n].line = line;
	l->n++;
	return 0;
}

static int parse_index(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > 15)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Read REQUESTS.csv; bad rows go to `bad` (JSON array) and stderr. */
static int read_csv(const char *path, struct reqlist *l, json_t *bad, int quiet)
{
	uint8_t *text = NULL;
	size_t len = 0;
	struct uk_csv csv;
	char rec[512], err[256], *f[4];
	int nf, ci = -1, ii = -1, i;

	if (ops_file_read(path, CSV_MAX, &text, &len, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	uk_csv_init(&csv, (const char *)text, len);
	nf = uk_csv_next(&csv, rec, sizeof(rec), f, 4);
	for (i = 0; i < nf; i++) {
		if (strcmp(f[i], "iccid") == 0)
			ci = i;
		else if (strcmp(f[i], "index") == 0)
			ii = i;
	}
	if (nf != 2 || ci < 0 || ii < 0) {
		fprintf(stderr, "%s: %s:1: header must be iccid,index\n", prog, path);
		free(text);
		return -1;
	}
	while ((nf = uk_csv_next(&csv, rec, sizeof(rec), f, 4)) != 0) {
		const char *why = NULL;
		unsigned index = 0;

		if (nf < 0)
			why = uk_csv_strerror(nf);
		else if (nf == 1 && f[0][0] == '\0')
			continue;	/* empty line */
		else if (nf != 2)
			why = "want 2 fields (iccid,index)";
		else if (!uk_is_digits(f[ci], 19, 20))
			why = "iccid: want 19 or 20 digits";
		else if (parse_index(f[ii], &index) != 0)
			why = "index: want 0..15";
		if (why != NULL) {
			if (!quiet)
				fprintf(stderr, "%s: %s:%u: %s\n", prog, path, csv.line, why);
			json_array_append_new(bad, json_pack("{s:i, s:s}", "line", (int)csv.line,
							     "reason", why));
			continue;
		}
		if (req_push(l, f[ci], index, csv.line) != 0) {
			fprintf(stderr, "%s: out of memory\n", prog);
			free(text);
			return -1;
		}
	}
	free(text);
	return 0;
}

static int cmd_release(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "master-key-file", required_argument, NULL, 'M' },
		{ "iccid", required_argument, NULL, 'i' }, { "index", required_argument, NULL, 'x' },
		{ "csv", required_argument, NULL, 'v' }, { "to", required_argument, NULL, 't' },
		{ "signer-cert", required_argument, NULL, 'c' },
		{ "signer-key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' }, { "strict", no_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *mkf = NULL, *iccid = NULL, *index_s = NULL, *csv = NULL;
	const char *to_pem = NULL, *scert = NULL, *skey = NULL, *out = NULL;
	int strict = 0, force = 0, json = 0, c, rc = UK_EXIT_USAGE, orc;
	struct reqlist reqs = { NULL, 0, 0 };
	struct ops_party *to = NULL, *signer = NULL;
	struct ops_escrow *e = NULL;
	struct ops_keyrecs keys;
	uint8_t master[OPS_MASTER_KEY_LEN];
	json_t *bad = json_array(), *refused = json_array();
	size_t accepted = 0, i;
	char err[512];

	memset(&keys, 0, sizeof(keys));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'M': mkf = optarg; break;
		case 'i': iccid = optarg; break;
		case 'x': index_s = optarg; break;
		case 'v': csv = optarg; break;
		case 't': to_pem = optarg; break;
		case 'c': scert = optarg; break;
		case 'k': skey = optarg; break;
		case 'o': out = optarg; break;
		case 's': strict = 1; break;
		case 'f': force = 1; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); rc = UK_EXIT_OK; goto done;
		default: usage(stderr); goto done;
		}
	}
	if (optind != argc || db == NULL || mkf == NULL || to_pem == NULL || scert == NULL ||
	    skey == NULL || out == NULL || (csv == NULL) == (iccid == NULL) ||
	    (iccid != NULL) != (index_s != NULL)) {
		fprintf(stderr, "%s: release needs --db, --master-key-file, --to, --signer-cert, "
				"--signer-key, --out and either --iccid with --index or --csv\n", prog);
		goto done;
	}
	if (!force && access(out, F_OK) == 0) {
		fprintf(stderr, "%s: %s exists (use --force to replace it)\n", prog, out);
		goto done;
	}
	if (iccid != NULL) {
		unsigned index;

		if (!uk_is_digits(iccid, 19, 20) || parse_index(index_s, &index) != 0) {
			fprintf(stderr, "%s: --iccid: 19 or 20 digits; --index: 0..15\n", prog);
			goto done;
		}
		if (req_push(&reqs, iccid, index, 0) != 0)
			goto done;
	} else {
		if (read_csv(csv, &reqs, bad, json) != 0)
			goto done;
		if (strict && json_array_size(bad) > 0) {
			fprintf(stderr, "%s: %s: %zu bad rows; --strict: nothing released\n", prog, csv,
				json_array_size(bad));
			goto report;
		}
		if (reqs.n == 0) {
			fprintf(stderr, "%s: %s: no valid request\n", prog, csv);
			goto report;
		}
	}
	if ((to = ops_party_load(to_pem, NULL, err, sizeof(err))) == NULL ||
	    (signer = ops_party_load(scert, skey, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto done;
	}
	if (ops_master_key_read(mkf, master, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: --master-key-file: %s\n", prog, err);
		goto done;
	}
	orc = ops_escrow_open(db, master, 0, &e, err, sizeof(err));
	OPENSSL_cleanse(master, sizeof(master));
	if (orc != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = orc == OPS_ECRYPTO ? UK_EXIT_FAIL : UK_EXIT_USAGE;
		goto done;
	}
	orc = ops_escrow_release(e, reqs.v, reqs.n, to, out, strict, &keys, &accepted, err,
				 sizeof(err));
	if (orc != 0 && orc != OPS_EREFUSED) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = UK_EXIT_FAIL;
		goto done;
	}
	for (i = 0; i < reqs.n; i++) {
		const struct ops_release_req *q = &reqs.v[i];

		if (q->rc == 0)
			continue;
		if (!json) {
			if (q->line != 0)
				fprintf(stderr, "%s: %s:%u: %s index %u refused: %s\n", prog, csv, q->line,
					q->iccid, q->index, q->reason);
			else
				fprintf(stderr, "%s: %s index %u refused: %s\n", prog, q->iccid, q->index,
					q->reason);
		}
		json_array_append_new(refused, json_pack("{s:i, s:s, s:i, s:s}", "line", (int)q->line,
							 "iccid", q->iccid, "index", (int)q->index,
							 "reason", q->reason));
	}
	if (orc == OPS_EREFUSED)
		fprintf(stderr, "%s: --strict: nothing released\n", prog);
	if (orc == 0 && keys.n > 0) {
		if (ops_keyfile_write_sealed(out, &keys, signer, to, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s (recorded as released: release again to write it)\n",
				prog, err);
			rc = UK_EXIT_FAIL;
			goto done;
		}
	}
report:
	if (json) {
		json_t *doc = json_pack("{s:s, s:i, s:O, s:O}", "out", keys.n ? out : "", "released",
					(int)keys.n, "refused", refused, "bad_rows", bad);

		json_dumpf(doc, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(doc);
	} else if (keys.n > 0) {
		printf("%s: %zu key set%s released\n", out, keys.n, keys.n == 1 ? "" : "s");
	}
	if (keys.n > 0 && json_array_size(refused) == 0 && json_array_size(bad) == 0)
		rc = UK_EXIT_OK;
	else if (json_array_size(bad) > 0 && json_array_size(refused) == 0 && keys.n == 0)
		rc = UK_EXIT_USAGE;
	else
		rc = UK_EXIT_FAIL;
done:
	ops_escrow_close(e);
	ops_party_free(to);
	ops_party_free(signer);
	ops_keyrecs_free(&keys);
	free(reqs.v);
	json_decref(bad);
	json_decref(refused);
	return rc;
}

/* ------------------------------------------------------------- log, show */

static int open_ro(const char *db, struct ops_escrow **e)
{
	char err[512];
	int rc = ops_escrow_open(db, NULL, OPS_ESCROW_RDONLY, e, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "%s: %s\n", prog, err);
	return rc;
}

static int log_print(const struct ops_log_entry *l, void *arg)
{
	json_t *arr = arg;

	if (arr != NULL) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)l->id, "time", l->time,
				      "action", l->action, "outcome", l->outcome);

		if (l->iccid[0] != '\0')
			json_object_set_new(o, "iccid", json_string(l->iccid));
		if (l->index >= 0)
			json_object_set_new(o, "index", json_integer(l->index));
		if (l->party[0] != '\0')
			json_object_set_new(o, "party", json_string(l->party));
		if (l->subject[0] != '\0')
			json_object_set_new(o, "subject", json_string(l->subject));
		if (l->reason[0] != '\0')
			json_object_set_new(o, "reason", json_string(l->reason));
		json_array_append_new(arr, o);
		return 0;
	}
	printf("%lld %s %s %s", l->id, l->time, l->action, l->outcome);
	if (l->iccid[0] != '\0')
		printf(" iccid=%s", l->iccid);
	if (l->index >= 0)
		printf(" index=%d", l->index);
	if (l->subject[0] != '\0')
		printf(" to=\"%s\"", l->subject);
	if (l->reason[0] != '\0')
		printf(" reason=\"%s\"", l->reason);
	putchar('\n');
	return 0;
}

static int cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *db = NULL;
	int json = 0, c, rc;
	struct ops_escrow *e = NULL;
	json_t *arr = NULL;
	char err[512];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return UK_EXIT_OK;
		default: usage(stderr); return UK_EXIT_USAGE;
		}
	}
	if (optind != argc || db == NULL) {
		fprintf(stderr, "%s: log needs --db\n", prog);
		return UK_EXIT_USAGE;
	}
	if ((rc = open_ro(db, &e)) != 0)
		return exit_of(rc);
	if (json)
		arr = json_array();
	rc = ops_escrow_log(e, log_print, arr, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", prog, err);
	else if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(1));
		putchar('\n');
	}
	json_decref(arr);
	ops_escrow_close(e);
	return rc == 0 ? UK_EXIT_OK : UK_EXIT_FAIL;
}

static int rel_print(const struct ops_release_info *r, void *arg)
{
	json_t *arr = arg;

	if (arr != NULL) {
		json_array_append_new(arr, json_pack("{s:i, s:s, s:s, s:s, s:s}", "index",
						     (int)r->index, "party", r->party, "subject",
						     r->subject, "time", r->time, "file", r->file));
		return 0;
	}
	printf("  release index %u to \"%s\" (sha256 %s) at %s, file %s\n", r->index, r->subject,
	       r->party, r->time, r->file);
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "iccid", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *iccid = NULL;
	int json = 0, c, rc;
	struct ops_escrow *e = NULL;
	struct ops_card_status cs;
	json_t *arr = NULL;
	char err[512];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'i': iccid = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return UK_EXIT_OK;
		default: usage(stderr); return UK_EXIT_USAGE;
		}
	}
	if (optind != argc || db == NULL || iccid == NULL) {
		fprintf(stderr, "%s: show needs --db and --iccid\n", prog);
		return UK_EXIT_USAGE;
	}
	if ((rc = open_ro(db, &e)) != 0)
		return exit_of(rc);
	rc = ops_escrow_card(e, iccid, &cs, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		ops_escrow_close(e);
		return rc == OPS_ENOTFOUND ? UK_EXIT_FAIL : exit_of(rc);
	}
	if (json)
		arr = json_array();
	else
		printf("ICCID %s IMSI %s, %u key sets, current index %d, created %s\n", cs.iccid,
		       cs.imsi[0] ? cs.imsi : "-", cs.n_keysets, cs.current_index, cs.created);
	rc = ops_escrow_releases(e, iccid, rel_print, arr, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", prog, err);
	else if (json) {
		json_t *doc = json_pack("{s:s, s:s, s:i, s:i, s:s, s:O}", "iccid", cs.iccid, "imsi",
					cs.imsi, "keysets", (int)cs.n_keysets, "current_index",
					cs.current_index, "created", cs.created, "releases", arr);

		json_dumpf(doc, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(doc);
	}
	json_decref(arr);
	ops_escrow_close(e);
	return rc == 0 ? UK_EXIT_OK : UK_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	uk_json_cleansing_alloc();
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return UK_EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "release") == 0)
		return cmd_release(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "log") == 0)
		return cmd_log(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return cmd_show(argc - 1, argv + 1);
	usage(stderr);
	return UK_EXIT_USAGE;
}
