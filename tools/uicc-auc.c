/*
 * uicc-auc - a small authentication centre for uicckit cards: vectors,
 * AUTS resynchronisation, RES checks, and batches from CSV on all cores.
 * Thin: the algorithms are libukauth (auth.h).  See uicc-auc(1).
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/buf.h"
#include "common/csv.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "uicckit/auth.h"
#include "ops/auc.h"
#include "ops/opdb.h"

enum { EXIT_OK_ = 0, EXIT_VERIFY = 1, EXIT_USAGE = 2 };

static const char *prog = "uicc-auc";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uicc-auc gen    --alg ALG --k HEX (--opc HEX|--op HEX) --sqn HEX --amf HEX [--rand HEX] [--json]\n"
		"       uicc-auc resync --alg ALG --k HEX (--opc HEX|--op HEX) --rand HEX --auts HEX [--json]\n"
		"       uicc-auc check  --alg ALG --k HEX (--opc HEX|--op HEX) --rand HEX --res HEX\n"
		"       uicc-auc gen    --db OP.db --imsi IMSI [--amf HEX] [--rand HEX] [--json]\n"
		"       uicc-auc resync --db OP.db --imsi IMSI --rand HEX --auts HEX [--json]\n"
		"       uicc-auc batch  --in FILE.csv [--alg ALG] [--count N] [--format csv|jsonl]\n"
		"                       [--jobs N] [--ind N] [--strict]\n"
		"ALG: milenage (default), tuak (--k 16/32 bytes, --topc/--top HEX, --res-len 4|8|16|32,\n"
		"--ck-len/--ik-len 16|32, --keccak-iter N) or xor (TS 34.108 test algorithm; --res-len 4..16).\n"
		"--sqn is the full 48-bit SQN (SEQ||IND), used as given.  batch reads an RFC 4180 CSV\n"
		"with the header imsi,k,opc,sqn,amf (sqn = last SQN used) and writes COUNT vectors per\n"
		"subscriber with SQN = next SEQ and IND --ind (default 0).\n"
		"--db: the operator database (uicc-ota import): keys and SQN of the key set in use for\n"
		"IMSI; the SQN is advanced and committed before the vector is printed, resync stores SQN_MS.\n"
		"exit status: 0 ok, 1 verification failed (bad AUTS, wrong RES) or no usable key set,\n"
		"2 usage or input error (unknown IMSI included)\n");
}

struct opts {
	struct auth_keyset ks;
	int have_k, have_op, have_sqn, have_amf, have_rand, have_auts, have_res, json, strict;
	uint8_t sqn[6], amf[2], rand[16], auts[14], res[16];
	size_t res_n;
	const char *in, *format, *db, *imsi;
	unsigned count, jobs, ind;
};

static int hexarg(const char *name, const char *s, uint8_t *out, size_t want, size_t *got)
{
	size_t n = 0;
	int rc = uk_hex_decode(s, out, want, &n);

	if (rc == UK_HEX_OK && got == NULL && n != want)
		rc = UK_HEX_BADLEN;
	if (rc != UK_HEX_OK) {
		fprintf(stderr, "%s: --%s: %s (want %zu bytes of hex)\n", prog, name,
			uk_hex_strerror(rc), want);
		return -1;
	}
	if (got != NULL)
		*got = n;
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "alg", required_argument, NULL, 'a' }, { "k", required_argument, NULL, 'k' },
		{ "opc", required_argument, NULL, 'c' }, { "op", required_argument, NULL, 'o' },
		{ "sqn", required_argument, NULL, 's' }, { "amf", required_argument, NULL, 'm' },
		{ "rand", required_argument, NULL, 'r' }, { "auts", required_argument, NULL, 'A' },
		{ "res", required_argument, NULL, 'R' }, { "res-len", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' }, { "in", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' }, { "format", required_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'J' }, { "ind", required_argument, NULL, 'I' },
		{ "strict", no_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		{ "topc", required_argument, NULL, 'c' }, { "top", required_argument, NULL, 'o' },
		{ "ck-len", required_argument, NULL, 'C' }, { "ik-len", required_argument, NULL, 'K' },
		{ "keccak-iter", required_argument, NULL, 'T' },
		{ "db", required_argument, NULL, 'D' }, { "imsi", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	int c, a;

	memset(o, 0, sizeof(*o));
	o->ks.alg = AUTH_ALG_MILENAGE;
	o->count = 1;
	o->format = "csv";
	o->jobs = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'a':
			a = auth_alg_from_name(optarg);
			if (a < 0) {
				fprintf(stderr, "%s: --alg: milenage, tuak or xor\n", prog);
				return -1;
			}
			o->ks.alg = (enum auth_alg)a;
			break;
		case 'k': if (hexarg("k", optarg, o->ks.k, 32, &o->ks.k_len)) return -1; o->have_k = 1; break;
		case 'c':
		case 'o':
			if (hexarg(c == 'c' ? "opc" : "op", optarg, o->ks.op, 32, &o->ks.op_len))
				return -1;
			o->ks.op_is_opc = c == 'c';
			o->have_op = 1;
			break;
		case 's': if (hexarg("sqn", optarg, o->sqn, 6, NULL)) return -1; o->have_sqn = 1; break;
		case 'm': if (hexarg("amf", optarg, o->amf, 2, NULL)) return -1; o->have_amf = 1; break;
		case 'r': if (hexarg("rand", optarg, o->rand, 16, NULL)) return -1; o->have_rand = 1; break;
		case 'A': if (hexarg("auts", optarg, o->auts, 14, NULL)) return -1; o->have_auts = 1; break;
		case 'R': if (hexarg("res", optarg, o->res, 16, &o->res_n)) return -1; o->have_res = 1; break;
		case 'L': o->ks.res_len = (size_t)strtoul(optarg, NULL, 10); break;
		case 'C': o->ks.ck_len = (size_t)strtoul(optarg, NULL, 10); break;
		case 'K': o->ks.ik_len = (size_t)strtoul(optarg, NULL, 10); break;
		case 'T': o->ks.keccak_iter = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'j': o->json = 1; break;
		case 'i': o->in = optarg; break;
		case 'n': o->count = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'f': o->format = optarg; break;
		case 'J': o->jobs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'I': o->ind = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'S': o->strict = 1; break;
		case 'D': o->db = optarg; break;
		case 'M': o->imsi = optarg; break;
		case 'h': usage(stdout); exit(EXIT_OK_);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	if (o->ks.alg == AUTH_ALG_XOR && o->ks.res_len != 0 &&
	    (o->ks.res_len < 4 || o->ks.res_len > 16)) {
		fprintf(stderr, "%s: --res-len: 4 to 16 bytes\n", prog);
		return -1;
	}
	if (o->have_k && (o->ks.alg == AUTH_ALG_TUAK ? o->ks.k_len != 16 && o->ks.k_len != 32 :
			  o->ks.k_len != 16)) {
		fprintf(stderr, "%s: --k: 16 bytes (TUAK: 16 or 32)\n", prog);
		return -1;
	}
	if (o->have_op && o->ks.alg != AUTH_ALG_XOR &&
	    o->ks.op_len != (o->ks.alg == AUTH_ALG_TUAK ? 32u : 16u)) {
		fprintf(stderr, "%s: --opc/--op: 16 bytes (TUAK --topc/--top: 32)\n", prog);
		return -1;
	}
	if (o->ks.alg == AUTH_ALG_XOR && !o->have_op) {
		o->have_op = 1;		/* XOR takes no OP */
		o->ks.op_is_opc = 1;
	}
	return 0;
}

static int need(const struct opts *o, int k, int op, int sqn, int amf, int rand, int auts, int res)
{
	const char *miss = (k && !o->have_k) ? "--k" : (op && !o->have_op) ? "--opc or --op" :
		(sqn && !o->have_sqn) ? "--sqn" : (amf && !o->have_amf) ? "--amf" :
		(rand && !o->have_rand) ? "--rand" : (auts && !o->have_auts) ? "--auts" :
		(res && !o->have_res) ? "--res" : NULL;

	if (miss != NULL) {
		fprintf(stderr, "%s: %s is required\n", prog, miss);
		return -1;
	}
	return 0;
}

static void hex_field(json_t *obj, const char *name, const uint8_t *p, size_t n)
{
	char buf[65];

	uk_hex_encode(p, n, buf);
	json_object_set_new(obj, name, json_string(buf));
}

static void print_pair(const char *name, const uint8_t *p, size_t n)
{
	char buf[65];

	uk_hex_encode(p, n, buf);
	printf("%s %s\n", name, buf);
}

static int cmd_gen(struct opts *o)
{
	struct auth_ctx *cx;
	struct auth_vector v;
	int rc;

	if (need(o, 1, 1, 1, 1, 0, 0, 0) != 0)
		return EXIT_USAGE;
	if (!o->have_rand && RAND_bytes(o->rand, 16) != 1)
		return EXIT_VERIFY;
	cx = auth_ctx_new();
	if (cx == NULL)
		return EXIT_VERIFY;
	rc = auth_gen_vector(cx, &o->ks, o->rand, o->sqn, o->amf, &v);
	auth_ctx_free(cx);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", prog, auth_strerror(rc));
		return EXIT_USAGE;
	}
	if (o->json) {
		json_t *j = json_object();

		hex_field(j, "rand", v.rand, 16);
		hex_field(j, "autn", v.autn, 16);
		hex_field(j, "xres", v.xres, v.xres_len);
		hex_field(j, "ck", v.ck, v.ck_len);
		hex_field(j, "ik", v.ik, v.ik_len);
		hex_field(j, "sres", v.sres, 4);
		hex_field(j, "kc", v.kc, 8);
		hex_field(j, "ak", v.ak, 6);
		json_dumpf(j, stdout, JSON_PRESERVE_ORDER | JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	} else {
		print_pair("RAND", v.rand, 16);
		print_pair("AUTN", v.autn, 16);
		print_pair("XRES", v.xres, v.xres_len);
		print_pair("CK", v.ck, v.ck_len);
		print_pair("IK", v.ik, v.ik_len);
		print_pair("SRES", v.sres, 4);
		print_pair("Kc", v.kc, 8);
		print_pair("AK", v.ak, 6);
	}
	OPENSSL_cleanse(&v, sizeof(v));
	return EXIT_OK_;
}

static int cmd_resync(struct opts *o)
{
	struct auth_ctx *cx;
	uint8_t sqn_ms[6];
	int rc;

	if (need(o, 1, 1, 0, 0, 1, 1, 0) != 0)
		return EXIT_USAGE;
	cx = auth_ctx_new();
	if (cx == NULL)
		return EXIT_VERIFY;
	rc = auth_resync(cx, &o->ks, o->rand, o->auts, sqn_ms);
	auth_ctx_free(cx);
	if (rc == AUTH_EMAC) {
		fprintf(stderr, "%s: AUTS does not verify (MAC-S wrong for this K/OPc and RAND)\n", prog);
		return EXIT_VERIFY;
	}
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", prog, auth_strerror(rc));
		return EXIT_USAGE;
	}
	if (o->json) {
		char hex[13];

		uk_hex_encode(sqn_ms, 6, hex);
		printf("{\"sqn_ms\":\"%s\",\"sqn_next\":\"%012llx\"}\n", hex,
		       (unsigned long long)auth_sqn_next(uk_get_be(sqn_ms, 6), o->ind, 5));
	} else {
		print_pair("SQN_MS", sqn_ms, 6);
		printf("SQN_NEXT %012llx\n",
		       (unsigned long long)auth_sqn_next(uk_get_be(sqn_ms, 6), o->ind, 5));
	}
	return EXIT_OK_;
}

static int cmd_check(struct opts *o)
{
	struct auth_ctx *cx;
	int rc;

	if (need(o, 1, 1, 0, 0, 1, 0, 1) != 0)
		return EXIT_USAGE;
	cx = auth_ctx_new();
	if (cx == NULL)
		return EXIT_VERIFY;
	rc = auth_check_res(cx, &o->ks, o->rand, o->res, o->res_n);
	auth_ctx_free(cx);
	if (rc == 0) {
		printf("RES ok\n");
		return EXIT_OK_;
	}
	fprintf(stderr, "%s: %s\n", prog, rc == AUTH_EMAC ? "RES does not match" : auth_strerror(rc));
	return rc == AUTH_EMAC ? EXIT_VERIFY : EXIT_USAGE;
}

/* ---- batch ---------------------------------------------------------------- */

struct sub {
	char imsi[16];
	struct auth_keyset ks;
	uint64_t sqn;
	uint8_t amf[2];
};

struct chunk {
	const struct sub *subs;
	size_t n;
	const struct opts *o;
	char *out;
	size_t len, cap;
	int err;
};

static void emit(struct chunk *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct chunk *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(c->out + c->len, c->cap - c->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			c->err = 1;
			return;
		}
		if ((size_t)n < c->cap - c->len) {
			c->len += (size_t)n;
			return;
		}
		c->cap = c->cap * 2 + (size_t)n + 256;
		c->out = realloc(c->out, c->cap);
		if (c->out == NULL) {
			c->err = 1;
			return;
		}
	}
}

static void *batch_worker(void *arg)
{
	struct chunk *c = arg;
	struct auth_ctx *cx = auth_ctx_new();
	size_t i;
	unsigned j;

	if (cx == NULL) {
		c->err = 1;
		return NULL;
	}
	for (i = 0; i < c->n && !c->err; i++) {
		const struct sub *s = &c->subs[i];
		uint64_t sqn = s->sqn;

		for (j = 0; j < c->o->count && !c->err; j++) {
			struct auth_vector v;
			uint8_t rand[16], sq[6];
			char h[8][65];

			sqn = auth_sqn_next(sqn, c->o->ind, 5);
			uk_put_be(sq, sqn, 6);
			if (RAND_bytes(rand, 16) != 1 ||
			    auth_gen_vector(cx, &s->ks, rand, sq, s->amf, &v) != 0) {
				c->err = 1;
				break;
			}
			uk_hex_encode(v.rand, 16, h[0]);
			uk_hex_encode(v.autn, 16, h[1]);
			uk_hex_encode(v.xres, v.xres_len, h[2]);
			uk_hex_encode(v.ck, v.ck_len, h[3]);
			uk_hex_encode(v.ik, v.ik_len, h[4]);
			uk_hex_encode(v.kc, 8, h[5]);
			uk_hex_encode(v.sres, 4, h[6]);
			if (strcmp(c->o->format, "jsonl") == 0)
				emit(c, "{\"imsi\":\"%s\",\"sqn\":\"%012llx\",\"rand\":\"%s\",\"autn\":\"%s\","
				     "\"xres\":\"%s\",\"ck\":\"%s\",\"ik\":\"%s\",\"kc\":\"%s\",\"sres\":\"%s\"}\n",
				     s->imsi, (unsigned long long)sqn, h[0], h[1], h[2], h[3], h[4], h[5], h[6]);
			else
				emit(c, "%s,%012llx,%s,%s,%s,%s,%s,%s,%s\n", s->imsi,
				     (unsigned long long)sqn, h[0], h[1], h[2], h[3], h[4], h[5], h[6]);
			OPENSSL_cleanse(&v, sizeof(v));
			OPENSSL_cleanse(h, sizeof(h));
		}
	}
	auth_ctx_free(cx);
	return NULL;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n + 65536 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 65536);

			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

/* One CSV row -> a subscriber; a reason string or NULL. */
static const char *row_sub(char **f, int nf, const struct opts *o, struct sub *s)
{
	size_t n;

	if (nf != 5)
		return "want 5 fields: imsi,k,opc,sqn,amf";
	if (strlen(f[0]) < 6 || strlen(f[0]) > 15 || strspn(f[0], "0123456789") != strlen(f[0]))
		return "imsi: 6 to 15 digits";
	memset(s, 0, sizeof(*s));
	strcpy(s->imsi, f[0]);
	s->ks = o->ks;
	s->ks.k_len = 16;
	s->ks.op_len = 16;
	s->ks.op_is_opc = 1;
	if (uk_hex_decode(f[1], s->ks.k, 16, &n) != 0 || n != 16)
		return "k: 16 bytes of hex";
	if (o->ks.alg == AUTH_ALG_MILENAGE && (uk_hex_decode(f[2], s->ks.op, 16, &n) != 0 || n != 16))
		return "opc: 16 bytes of hex";
	{
		uint8_t sq[6];

		if (uk_hex_decode(f[3], sq, 6, &n) != 0 || n != 6)
			return "sqn: 6 bytes of hex";
		s->sqn = uk_get_be(sq, 6);
	}
	if (uk_hex_decode(f[4], s->amf, 2, &n) != 0 || n != 2)
		return "amf: 2 bytes of hex";
	return NULL;
}

static int cmd_batch(struct opts *o)
{
	struct uk_csv csv;
	struct sub *subs = NULL;
	size_t nsubs = 0, cap = 0, len = 0, i;
	char *text, rec[1024], *f[8];
	int nf, bad = 0, rc = EXIT_OK_;
	unsigned j, jobs;

	if (o->in == NULL) {
		fprintf(stderr, "%s: --in FILE.csv is required\n", prog);
		return EXIT_USAGE;
	}
	if (strcmp(o->format, "csv") != 0 && strcmp(o->format, "jsonl") != 0) {
		fprintf(stderr, "%s: --format: csv or jsonl\n", prog);
		return EXIT_USAGE;
	}
	if (o->count < 1 || o->count > 1000 || o->ind > 31) {
		fprintf(stderr, "%s: --count 1..1000, --ind 0..31\n", prog);
		return EXIT_USAGE;
	}
	text = slurp(o->in, &len);
	if (text == NULL) {
		fprintf(stderr, "%s: cannot read %s\n", prog, o->in);
		return EXIT_USAGE;
	}
	uk_csv_init(&csv, text, len);
	nf = uk_csv_next(&csv, rec, sizeof(rec), f, 8);
	if (nf != 5 || strcmp(f[0], "imsi") != 0 || strcmp(f[1], "k") != 0 ||
	    strcmp(f[2], "opc") != 0 || strcmp(f[3], "sqn") != 0 || strcmp(f[4], "amf") != 0) {
		fprintf(stderr, "%s: %s: line 1: header must be imsi,k,opc,sqn,amf\n", prog, o->in);
		free(text);
		return EXIT_USAGE;
	}
	while ((nf = uk_csv_next(&csv, rec, sizeof(rec), f, 8)) != 0) {
		const char *why = nf < 0 ? uk_csv_strerror(nf) : NULL;
		struct sub s;

		if (nf == 1 && f[0][0] == '\0')
			continue;	/* empty line */
		if (why == NULL)
			why = row_sub(f, nf, o, &s);
		if (why != NULL) {
			fprintf(stderr, "%s: %s: line %u: %s%s\n", prog, o->in, csv.line, why,
				o->strict ? "" : " (skipped)");
			bad++;
			continue;
		}
		if (nsubs == cap) {
			struct sub *ns = realloc(subs, (cap = cap * 2 + 1024) * sizeof(*subs));

			if (ns == NULL) {
				rc = EXIT_VERIFY;
				goto out;
			}
			subs = ns;
		}
		subs[nsubs++] = s;
		OPENSSL_cleanse(&s, sizeof(s));
	}
	if (bad && o->strict) {
		fprintf(stderr, "%s: %d bad row%s: nothing generated (--strict)\n", prog, bad,
			bad == 1 ? "" : "s");
		rc = EXIT_USAGE;
		goto out;
	}
	jobs = o->jobs < 1 ? 1 : o->jobs > 64 ? 64 : o->jobs;
	if (strcmp(o->format, "csv") == 0)
		printf("imsi,sqn,rand,autn,xres,ck,ik,kc,sres\n");
	/* blocks of subscribers: each thread a contiguous part, printed in order */
	for (i = 0; i < nsubs; i += 8192) {
		size_t blk = nsubs - i < 8192 ? nsubs - i : 8192, per = (blk + jobs - 1) / jobs;
		struct chunk ch[64];
		pthread_t th[64];

		memset(ch, 0, sizeof(ch));
		for (j = 0; j < jobs; j++) {
			size_t start = j * per < blk ? j * per : blk;

			ch[j].subs = subs + i + start;
			ch[j].n = start + per <= blk ? per : blk - start;
			ch[j].o = o;
			pthread_create(&th[j], NULL, batch_worker, &ch[j]);
		}
		for (j = 0; j < jobs; j++) {
			pthread_join(th[j], NULL);
			if (ch[j].err)
				rc = EXIT_VERIFY;
			else
				fwrite(ch[j].out, 1, ch[j].len, stdout);
			if (ch[j].out != NULL)
				OPENSSL_cleanse(ch[j].out, ch[j].len);
			free(ch[j].out);
		}
	}
	if (rc == EXIT_OK_ && bad)
		rc = EXIT_USAGE;
out:
	if (subs != NULL)
		OPENSSL_cleanse(subs, nsubs * sizeof(*subs));
	free(subs);
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

/* ---- --db: the operator's AuC (ops/opdb.h) ------------------------------ */

/* The key set in use for o->imsi, its SQN advanced (gen) or set to SQN_MS
 * (resync) and committed; returns an exit status. */
static int db_keyset(struct opts *o, struct ops_db **db, struct ops_keyset *ks)
{
	char err[256];
	int rc;

	if (o->imsi == NULL || strlen(o->imsi) < 6 || strlen(o->imsi) > 15 ||
	    strspn(o->imsi, "0123456789") != strlen(o->imsi)) {
		fprintf(stderr, "%s: --db needs --imsi (6 to 15 digits)\n", prog);
		return EXIT_USAGE;
	}
	if (o->have_k || o->have_op || o->have_sqn) {
		fprintf(stderr, "%s: --db takes keys and SQN from the database: no --k/--opc/--sqn\n",
			prog);
		return EXIT_USAGE;
	}
	rc = ops_db_open(o->db, 0, db, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, o->db, err);
		return rc == OPS_EFORMAT || rc == OPS_EARG ? EXIT_USAGE : EXIT_VERIFY;
	}
	/* the key set in use, if kept: after a 3b switch the old one answers
	 * (fallback; the card refuses it once the switch is confirmed) */
	rc = ops_auc_keyset(*db, o->imsi, ks, &o->ks, err, sizeof(err));
	if (rc == OPS_ENOTFOUND) {
		fprintf(stderr, "%s: IMSI %s is not in %s\n", prog, o->imsi, o->db);
		return EXIT_USAGE;
	}
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_VERIFY;
	}
	o->have_k = o->have_op = 1;
	return 0;
}

/* committed before anything is printed: a vector is never reissued */
static int db_sqn_failed(int rc, const char *err)
{
	if (rc == 0)
		return 0;
	fprintf(stderr, "%s: SQN not stored: %s\n", prog, err);
	return EXIT_VERIFY;
}

static int cmd_gen(struct opts *o);
static int cmd_resync(struct opts *o);

static int cmd_db(struct opts *o, int resync)
{
	struct ops_db *db = NULL;
	struct ops_keyset ks;
	char err[256];
	int rc;

	memset(&ks, 0, sizeof(ks));
	rc = db_keyset(o, &db, &ks);
	if (rc == 0 && !resync) {
		if (!o->have_amf) {
			o->amf[0] = 0x80;
			o->amf[1] = 0x00;
			o->have_amf = 1;
		}
		o->have_sqn = 1;
		rc = db_sqn_failed(ops_auc_next_sqn(db, &ks, o->ind, o->sqn, err, sizeof(err)), err);
		if (rc == 0)
			rc = cmd_gen(o);
	} else if (rc == 0) {
		struct auth_ctx *cx;
		uint8_t sqn_ms[6];
		int e;

		if (need(o, 1, 1, 0, 0, 1, 1, 0) != 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		cx = auth_ctx_new();
		e = cx != NULL ? auth_resync(cx, &o->ks, o->rand, o->auts, sqn_ms) : AUTH_ECRYPTO;
		auth_ctx_free(cx);
		if (e != 0) {
			fprintf(stderr, "%s: %s\n", prog, e == AUTH_EMAC ?
				"AUTS does not verify (MAC-S wrong for this card's key and RAND)" :
				auth_strerror(e));
			rc = EXIT_VERIFY;
			goto out;
		}
		rc = db_sqn_failed(ops_auc_store_sqn(db, &ks, sqn_ms, err, sizeof(err)), err);
		if (rc == 0)
			rc = cmd_resync(o);
	}
out:
	ops_keyset_cleanse(&ks);
	ops_db_close(db);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	uk_json_cleansing_alloc();
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK_;
	}
	if (parse(argc - 1, argv + 1, &o) != 0)
		return EXIT_USAGE;
	if (o.db != NULL && strcmp(argv[1], "gen") != 0 && strcmp(argv[1], "resync") != 0) {
		fprintf(stderr, "%s: --db is for gen and resync\n", prog);
		rc = EXIT_USAGE;
	} else if (o.db != NULL)
		rc = cmd_db(&o, strcmp(argv[1], "resync") == 0);
	else if (strcmp(argv[1], "gen") == 0)
		rc = cmd_gen(&o);
	else if (strcmp(argv[1], "resync") == 0)
		rc = cmd_resync(&o);
	else if (strcmp(argv[1], "check") == 0)
		rc = cmd_check(&o);
	else if (strcmp(argv[1], "batch") == 0)
		rc = cmd_batch(&o);
	else {
		usage(stderr);
		rc = EXIT_USAGE;
	}
	OPENSSL_cleanse(&o, sizeof(o));
	return rc;
}
