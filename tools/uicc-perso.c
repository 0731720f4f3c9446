/*
 * uicc-perso - personalise card images from the built-in M2M USIM profile.
 * Thin: argument parsing and output; the work is uicc_perso_apply() and
 * uicc_image_save().  See uicc-perso(1).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "common/bcd.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "ops/escrow_batch.h"
#include "tools/toolutil.h"
#include "uicckit/image.h"
#include "uicckit/perso.h"

static const char *prog = "uicc-perso";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uicc-perso new --iccid DIGITS --imsi DIGITS --out CARD.json [options]\n"
		"       uicc-perso batch --count N --iccid-start ICCID --imsi-start IMSI [--keysets K]\n"
		"               --out-dir DIR --escrow DB --master-key-file FILE\n"
		"               --signer-cert PEM --signer-key PEM\n"
		"               --operator-cert PEM --operator-out FILE [--json]\n"
		"       uicc-perso profile            print the built-in profile (JSON)\n"
		"options of new:\n"
		"  --alg milenage|xor     authentication algorithm of key set 0 (default milenage)\n"
		"  --k HEX                subscriber key K of key set 0 (default: random)\n"
		"  --opc HEX | --op HEX   OPc (or OP) of key set 0 (default: random OPc)\n"
		"  --kic-key HEX --kid-key HEX   OTA keys of key set 0 (AES; default: random)\n"
		"  --keysets N            pre-load N key sets (1..16, default 1)\n"
		"  --keys-out FILE        write the key sets handed to the operator (JSON, 0600)\n"
		"  --pin1 DIGITS --adm1 DIGITS   PIN1 / ADM1 values (default: the profile's)\n"
		"  --force                replace existing output files\n"
		"  --json                 print a JSON summary\n"
		"options of batch (see uicc-perso(1)):\n"
		"  --count N              number of cards (ICCIDs and IMSIs count up from the starts)\n"
		"  --keysets K            key sets per card (1..16, default 1)\n"
		"  --pin1/--adm1 DIGITS   PIN1 / ADM1 of every card (default: the profile's)\n"
		"  --chunk N              cards per escrow transaction (default 1000)\n"
		"  --json                 print a JSON summary (with cards per second)\n"
		"exit status: 0 ok, 1 personalisation failed, 2 usage or input error\n");
}

static int key_arg(const char *name, const char *hex, uint8_t *out, uint8_t *len)
{
	size_t n = 0;

	if (uk_arg_hex(prog, name, hex, out, 32, 0, &n) != 0)
		return -1;
	if (n != 16 && n != 32) {
		fprintf(stderr, "%s: %s must be 16 or 32 bytes\n", prog, name);
		return -1;
	}
	*len = (uint8_t)n;
	return 0;
}

static json_t *hexj(const uint8_t *p, size_t n)
{
	char buf[65];

	uk_hex_encode(p, n, buf);
	return json_string(buf);
}

static const char *alg_name(unsigned alg)
{
	return alg == UICC_ALG_XOR ? "xor" : alg == UICC_ALG_TUAK ? "tuak" : "milenage";
}

static json_t *keys_doc(const struct uicc_perso *p)
{
	json_t *arr = json_array(), *doc;
	unsigned i;

	for (i = 0; i < p->n_keysets; i++) {
		const struct uicc_keyset *ks = &p->ks[i];
		uint8_t kic = (uint8_t)(ks->kvn << 4 | ks->kic_alg);
		uint8_t kid = (uint8_t)(ks->kvn << 4 | ks->kid_alg);
		json_t *o = json_pack("{s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				      "index", (int)ks->index, "alg", alg_name(ks->alg),
				      "k", hexj(ks->k, ks->k_len),
				      ks->op_is_opc ? "opc" : "op", hexj(ks->opc, ks->opc_len),
				      "kic", hexj(&kic, 1), "kid", hexj(&kid, 1),
				      "kic_key", hexj(ks->kic, ks->kic_len),
				      "kid_key", hexj(ks->kid, ks->kid_len),
				      "tar", hexj(ks->tar, 3));

		json_array_append_new(arr, o);
	}
	doc = json_pack("{s:s, s:s, s:o}", "iccid", p->iccid, "imsi", p->imsi, "keysets", arr);
	return doc;
}

static int cmd_new(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iccid", required_argument, NULL, 'i' }, { "imsi", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' }, { "alg", required_argument, NULL, 'a' },
		{ "k", required_argument, NULL, 'k' }, { "opc", required_argument, NULL, 'c' },
		{ "op", required_argument, NULL, 'p' }, { "kic-key", required_argument, NULL, 'I' },
		{ "kid-key", required_argument, NULL, 'D' }, { "keysets", required_argument, NULL, 'n' },
		{ "keys-out", required_argument, NULL, 'K' }, { "pin1", required_argument, NULL, '1' },
		{ "adm1", required_argument, NULL, 'A' }, { "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct uicc_perso p;
	const char *out = NULL, *keys_out = NULL;
	int force = 0, json = 0, c, rc = UK_EXIT_USAGE;
	unsigned n = 1;
	char err[256];
	json_t *profile = NULL, *kd;
	struct uicc *card = NULL;
	struct uicc_image_store st = { 0 };

	memset(&p, 0, sizeof(p));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i': snprintf(p.iccid, sizeof(p.iccid), "%s", optarg); break;
		case 'm': snprintf(p.imsi, sizeof(p.imsi), "%s", optarg); break;
		case 'o': out = optarg; break;
		case 'a':
			if (strcmp(optarg, "milenage") == 0)
				p.ks[0].alg = UICC_ALG_MILENAGE;
			else if (strcmp(optarg, "xor") == 0)
				p.ks[0].alg = UICC_ALG_XOR;
			else {
				fprintf(stderr, "%s: --alg: milenage or xor\n", prog);
				goto done;
			}
			break;
		case 'k': if (key_arg("--k", optarg, p.ks[0].k, &p.ks[0].k_len)) goto done; break;
		case 'c':
		case 'p':
			if (key_arg(c == 'c' ? "--opc" : "--op", optarg, p.ks[0].opc, &p.ks[0].opc_len))
				goto done;
			p.ks[0].op_is_opc = c == 'c';
			break;
		case 'I': if (key_arg("--kic-key", optarg, p.ks[0].kic, &p.ks[0].kic_len)) goto done;
			p.ks[0].kic_alg = 0x02; break;
		case 'D': if (key_arg("--kid-key", optarg, p.ks[0].kid, &p.ks[0].kid_len)) goto done;
			p.ks[0].kid_alg = 0x02; break;
		case 'n': n = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'K': keys_out = optarg; break;
		case '1': snprintf(p.pin1, sizeof(p.pin1), "%s", optarg); break;
		case 'A': snprintf(p.adm1, sizeof(p.adm1), "%s", optarg); break;
		case 'f': force = 1; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); rc = UK_EXIT_OK; goto done;
		default: usage(stderr); goto done;
		}
	}
	if (optind != argc || out == NULL || p.iccid[0] == '\0' || p.imsi[0] == '\0') {
		usage(stderr);
		goto done;
	}
	if (!uk_is_digits(p.iccid, 19, 20)) {
		fprintf(stderr, "%s: --iccid: 19 or 20 decimal digits\n", prog);
		goto done;
	}
	if (uk_luhn_digit(p.iccid, 18) != p.iccid[18])
		fprintf(stderr, "%s: warning: ICCID digit 19 is not the Luhn check digit (%c)\n",
			prog, uk_luhn_digit(p.iccid, 18));
	if (!uk_is_digits(p.imsi, 6, 15)) {
		fprintf(stderr, "%s: --imsi: 6 to 15 decimal digits\n", prog);
		goto done;
	}
	if (n < 1 || n > UICC_PERSO_MAX_KEYSETS) {
		fprintf(stderr, "%s: --keysets: 1 to %d\n", prog, UICC_PERSO_MAX_KEYSETS);
		goto done;
	}
	if (!force && access(out, F_OK) == 0) {
		fprintf(stderr, "%s: %s exists (use --force to replace it)\n", prog, out);
		goto done;
	}
	if (uicc_perso_defaults(&p, n) != 0) {
		fprintf(stderr, "%s: cannot draw random keys\n", prog);
		rc = UK_EXIT_FAIL;
		goto done;
	}
	profile = uicc_profile_default();
	if (profile == NULL || uicc_perso_set_pins(profile, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, profile ? err : "built-in profile unreadable");
		goto done;
	}
	card = uicc_new(profile, err, sizeof(err));
	if (card == NULL) {
		fprintf(stderr, "%s: profile: %s\n", prog, err);
		rc = UK_EXIT_FAIL;
		goto done;
	}
	if (uicc_perso_apply(card, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = UK_EXIT_FAIL;
		goto done;
	}
	if (keys_out != NULL) {
		kd = keys_doc(&p);
		if (kd == NULL || uk_write_json_0600(prog, keys_out, kd, force) != 0) {
			json_decref(kd);
			rc = UK_EXIT_FAIL;
			goto done;
		}
		json_decref(kd);
	}
	st.path = out;
	if (uicc_image_save(&st, card) != 0) {
		fprintf(stderr, "%s: %s\n", prog, st.err);
		rc = UK_EXIT_FAIL;
		goto done;
	}
	if (json)
		printf("{\"image\": \"%s\", \"iccid\": \"%s\", \"imsi\": \"%s\", \"keysets\": %u}\n",
		       out, p.iccid, p.imsi, p.n_keysets);
	else
		printf("%s: ICCID %s IMSI %s, %u key set%s\n", out, p.iccid, p.imsi,
		       p.n_keysets, p.n_keysets == 1 ? "" : "s");
	rc = UK_EXIT_OK;
done:
	uicc_perso_cleanse(&p);
	uicc_free(card);
	json_decref(profile);
	return rc;
}

struct bar {
	int tty;
	const char *last;
};

static void bar_show(void *arg, const char *phase, unsigned long done, unsigned long total)
{
	struct bar *b = arg;
	unsigned width = 30, fill = total ? (unsigned)((double)done / (double)total * width) : 0;
	char line[64];

	if (!b->tty)
		return;
	memset(line, '=', fill);
	memset(line + fill, ' ', width - fill);
	line[width] = '\0';
	fprintf(stderr, "\r%-8s [%s] %lu/%lu", phase, line, done, total);
	if (done == total)
		fputc('\n', stderr);
	b->last = phase;
}

static int cmd_batch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "iccid-start", required_argument, NULL, 'i' },
		{ "imsi-start", required_argument, NULL, 'm' },
		{ "keysets", required_argument, NULL, 'k' },
		{ "out-dir", required_argument, NULL, 'o' },
		{ "escrow", required_argument, NULL, 'e' },
		{ "master-key-file", required_argument, NULL, 'M' },
		{ "signer-cert", required_argument, NULL, 'c' },
		{ "signer-key", required_argument, NULL, 'K' },
		{ "operator-cert", required_argument, NULL, 'C' },
		{ "operator-out", required_argument, NULL, 'O' },
		{ "pin1", required_argument, NULL, '1' }, { "adm1", required_argument, NULL, 'A' },
		{ "chunk", required_argument, NULL, 'u' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct ops_batch b;
	const char *escrow = NULL, *mkf = NULL, *scert = NULL, *skey = NULL, *ocert = NULL;
	struct ops_party *signer = NULL, *op = NULL;
	struct ops_escrow *e = NULL;
	uint8_t master[OPS_MASTER_KEY_LEN];
	struct bar bar = { isatty(2), NULL };
	struct timespec t0, t1;
	char err[512], *end;
	double secs;
	int json = 0, c, rc = UK_EXIT_USAGE;

	memset(&b, 0, sizeof(b));
	b.keysets = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			b.count = strtoul(optarg, &end, 10);
			if (*end != '\0' || optarg[0] == '-' || b.count == 0) {
				fprintf(stderr, "%s: --count: a positive number\n", prog);
				goto done;
			}
			break;
		case 'i': snprintf(b.iccid_start, sizeof(b.iccid_start), "%s", optarg); break;
		case 'm': snprintf(b.imsi_start, sizeof(b.imsi_start), "%s", optarg); break;
		case 'k':
			b.keysets = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || b.keysets < 1 || b.keysets > UICC_PERSO_MAX_KEYSETS) {
				fprintf(stderr, "%s: --keysets: 1 to %d\n", prog, UICC_PERSO_MAX_KEYSETS);
				goto done;
			}
			break;
		case 'o': b.out_dir = optarg; break;
		case 'e': escrow = optarg; break;
		case 'M': mkf = optarg; break;
		case 'c': scert = optarg; break;
		case 'K': skey = optarg; break;
		case 'C': ocert = optarg; break;
		case 'O': b.operator_out = optarg; break;
		case '1': b.pin1 = optarg; break;
		case 'A': b.adm1 = optarg; break;
		case 'u': b.chunk = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); rc = UK_EXIT_OK; goto done;
		default: usage(stderr); goto done;
		}
	}
	if (optind != argc || b.count == 0 || b.iccid_start[0] == '\0' ||
	    b.imsi_start[0] == '\0' || b.out_dir == NULL || escrow == NULL || mkf == NULL ||
	    scert == NULL || skey == NULL || ocert == NULL || b.operator_out == NULL) {
		fprintf(stderr, "%s: batch needs --count, --iccid-start, --imsi-start, --out-dir, "
				"--escrow, --master-key-file, --signer-cert, --signer-key, "
				"--operator-cert and --operator-out\n", prog);
		goto done;
	}
	{
		char x[21];

		if (ops_batch_iccid(b.iccid_start, b.count - 1, x, err, sizeof(err)) != 0 ||
		    ops_batch_imsi(b.imsi_start, b.count - 1, x, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			goto done;
		}
	}
	if (ops_master_key_read(mkf, master, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: --master-key-file: %s\n", prog, err);
		goto done;
	}
	signer = ops_party_load(scert, skey, err, sizeof(err));
	if (signer == NULL || (op = ops_party_load(ocert, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		OPENSSL_cleanse(master, sizeof(master));
		goto done;
	}
	rc = ops_escrow_open(escrow, master, OPS_ESCROW_CREATE, &e, err, sizeof(err));
	OPENSSL_cleanse(master, sizeof(master));
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = rc == OPS_ECRYPTO ? UK_EXIT_FAIL : UK_EXIT_USAGE;
		goto done;
	}
	b.escrow = e;
	b.signer = signer;
	b.operator = op;
	b.progress = bar_show;
	b.progress_arg = &bar;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ops_batch_run(&b, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc != 0) {
		if (bar.last != NULL)
			fputc('\n', stderr);
		fprintf(stderr, "%s: batch: %s\n", prog, err);
		rc = rc == OPS_EARG ? UK_EXIT_USAGE : UK_EXIT_FAIL;
		goto done;
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (json)
		printf("{\"cards\": %lu, \"keysets\": %u, \"added_to_escrow\": %lu, "
		       "\"images_written\": %lu, \"images_kept\": %lu, \"out_dir\": \"%s\", "
		       "\"operator_file\": \"%s\", \"seconds\": %.3f, \"cards_per_second\": %.1f}\n",
		       b.count, b.keysets, b.added, b.images_written, b.images_kept, b.out_dir,
		       b.operator_out, secs, secs > 0 ? (double)b.count / secs : 0.0);
	else
		printf("%lu cards (%lu new in the escrow, %lu images written, %lu kept), "
		       "key set 0 of each in %s\n",
		       b.count, b.added, b.images_written, b.images_kept, b.operator_out);
	rc = UK_EXIT_OK;
done:
	ops_escrow_close(e);
	ops_party_free(signer);
	ops_party_free(op);
	return rc;
}

static int cmd_profile(void)
{
	json_t *doc = uicc_profile_default();

	if (doc == NULL || json_dumpf(doc, stdout, JSON_INDENT(1)) != 0) {
		json_decref(doc);
		return UK_EXIT_FAIL;
	}
	putchar('\n');
	json_decref(doc);
	return UK_EXIT_OK;
}

int main(int argc, char **argv)
{
	uk_json_cleansing_alloc();
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return UK_EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "new") == 0)
		return cmd_new(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "batch") == 0)
		return cmd_batch(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "profile") == 0)
		return cmd_profile();
	usage(stderr);
	return UK_EXIT_USAGE;
}
