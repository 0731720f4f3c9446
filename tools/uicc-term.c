/*
 * uicc-term - a scripted M2M terminal: powers up a card (an image in
 * process, or any PC/SC reader), attaches against a network given as
 * uicc-auc parameters, receives OTA SMS (SMS-PP download), writes the PoRs,
 * handles proactive commands and REFRESH.  Thin: the engine is term.c, the
 * links term_link.c, the network term_net.c, the files term_msg.c.
 * See uicc-term(1).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "common/bcd.h"
#include "common/buf.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "tools/term.h"
#include "tools/toolutil.h"

static const char *prog = "uicc-term";

#define MAX_SUBS 64
#define MAX_DB 8
#define MAX_SMS 16

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uicc-term (CARD.json [--t0] | --reader NAME [--unpower]) [--pin1 DIGITS]\n"
		"         [--alg ALG --k HEX (--opc HEX | --op HEX) [--amf HEX] [--sqn HEX]\n"
		"          [--imsi IMSI]] [--sub IMSI:K:OPC[:ALG[:SQN]]]... | --db op.db]\n"
		"         [--sms FILE]... [--por-out FILE] [--sessions N] [--profile HEX]\n"
		"         [--refresh-reset warm|cold] [--json] [--verbose]\n"
		"Powers the card up like an M2M module (ATR, EF.DIR, ADF.USIM, TERMINAL\n"
		"PROFILE, STATUS, PIN1, EF.IMSI/AD/UST/LOCI), attaches (AUTHENTICATE against\n"
		"the network's vector, AUTS resync), delivers each SMS of FILE (message file\n"
		"iccid,imsi,cntr,tpdu|envelope, or one hex TPDU/ENVELOPE per line) as SMS-PP\n"
		"download, appends the PoRs to --por-out (iccid,por), runs proactive commands\n"
		"and REFRESH (re-initialise, re-attach).  --sessions N: N power-ups.\n"
		"ALG: milenage (default), xor, tuak.  --sqn: the network's last SQN (12 hex).\n"
		"exit status: 0 the last attach succeeded, 1 it failed (or the card/link\n"
		"failed), 2 usage or input error\n");
}

struct out {
	int json;
};

static void on_event(void *arg, json_t *ev)
{
	const struct out *o = arg;
	const char *name = json_string_value(json_object_get(ev, "event"));
	const char *text = json_string_value(json_object_get(ev, "text"));

	if (o->json) {
		char *s;

		json_object_del(ev, "text");
		s = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (s != NULL)
			puts(s);
		free(s);
	} else {
		printf("[%lld] %-18s %s\n",
		       (long long)json_integer_value(json_object_get(ev, "session")),
		       name != NULL ? name : "?", text != NULL ? text : "");
	}
	fflush(stdout);
}

struct args {
	const char *card, *reader, *pin1, *db[MAX_DB], *por_out, *sms[MAX_SMS], *imsi;
	size_t n_db;
	size_t n_sms;
	const char *subs[MAX_SUBS];
	size_t n_subs;
	struct auth_keyset ks;
	int have_k, have_op, t0, json, verbose, refresh_cold, unpower;
	uint8_t amf[2];
	uint64_t sqn;
	unsigned sessions;
	uint8_t profile[32];
	size_t profile_len;
};

static int bad(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, why);
	return -1;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option lo[] = {
		{ "reader", required_argument, NULL, 'r' }, { "t0", no_argument, NULL, '0' },
		{ "pin1", required_argument, NULL, 'p' }, { "alg", required_argument, NULL, 'a' },
		{ "k", required_argument, NULL, 'k' }, { "opc", required_argument, NULL, 'c' },
		{ "op", required_argument, NULL, 'o' }, { "amf", required_argument, NULL, 'm' },
		{ "sqn", required_argument, NULL, 'q' }, { "imsi", required_argument, NULL, 'i' },
		{ "sub", required_argument, NULL, 's' }, { "db", required_argument, NULL, 'd' },
		{ "sms", required_argument, NULL, 'S' }, { "por-out", required_argument, NULL, 'P' },
		{ "sessions", required_argument, NULL, 'n' },
		{ "profile", required_argument, NULL, 'T' }, { "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ "refresh-reset", required_argument, NULL, 'R' },
		{ "unpower", no_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t sq[6];
	size_t n = 0;
	char *end;
	int c, alg;
	unsigned long v;

	memset(a, 0, sizeof(*a));
	a->ks.alg = AUTH_ALG_MILENAGE;
	a->amf[0] = 0x80;	/* AMF separation bit (TS 33.401 Annex H) */
	a->sessions = 1;
	while ((c = getopt_long(argc, argv, "v", lo, NULL)) != -1) {
		switch (c) {
		case 'r': a->reader = optarg; break;
		case '0': a->t0 = 1; break;
		case 'p':
			if (!uk_is_digits(optarg, 4, 8))
				return bad("--pin1", "4 to 8 digits");
			a->pin1 = optarg;
			break;
		case 'a':
			alg = auth_alg_from_name(optarg);
			if (alg < 0)
				return bad("--alg", "milenage, xor or tuak");
			a->ks.alg = (enum auth_alg)alg;
			break;
		case 'k':
			if (uk_hex_decode(optarg, a->ks.k, sizeof(a->ks.k), &a->ks.k_len) != 0 ||
			    (a->ks.k_len != 16 && a->ks.k_len != 32))
				return bad("--k", "16 bytes of hex (TUAK: 16 or 32)");
			a->have_k = 1;
			break;
		case 'c':
		case 'o':
			if (uk_hex_decode(optarg, a->ks.op, sizeof(a->ks.op), &a->ks.op_len) != 0 ||
			    (a->ks.op_len != 16 && a->ks.op_len != 32))
				return bad(c == 'c' ? "--opc" : "--op", "16 bytes of hex (TUAK: 32)");
			a->ks.op_is_opc = c == 'c';
			a->have_op = 1;
			break;
		case 'm':
			if (strlen(optarg) != 4 || uk_hex_decode_exact(optarg, a->amf, 2) != 0)
				return bad("--amf", "4 hex digits");
			break;
		case 'q':
			if (strlen(optarg) != 12 || uk_hex_decode_exact(optarg, sq, 6) != 0)
				return bad("--sqn", "12 hex digits (48 bits)");
			a->sqn = uk_get_be(sq, 6);
			break;
		case 'i':
			if (!uk_is_digits(optarg, 6, 15))
				return bad("--imsi", "6 to 15 digits");
			a->imsi = optarg;
			break;
		case 's':
			if (a->n_subs >= MAX_SUBS)
				return bad("--sub", "too many subscribers");
			a->subs[a->n_subs++] = optarg;
			break;
		case 'd':
			if (a->n_db == MAX_DB)
				return bad("--db", "at most 8 databases");
			a->db[a->n_db++] = optarg;
			break;
		case 'S':
			if (a->n_sms >= MAX_SMS)
				return bad("--sms", "too many files");
			a->sms[a->n_sms++] = optarg;
			break;
		case 'P': a->por_out = optarg; break;
		case 'n':
			v = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 || v > 1000)
				return bad("--sessions", "1 to 1000");
			a->sessions = (unsigned)v;
			break;
		case 'T':
			if (uk_hex_decode(optarg, a->profile, sizeof(a->profile), &n) != 0 || n == 0)
				return bad("--profile", "1 to 32 bytes of hex");
			a->profile_len = n;
			break;
		case 'R':
			if (strcmp(optarg, "cold") != 0 && strcmp(optarg, "warm") != 0)
				return bad("--refresh-reset", "cold or warm");
			a->refresh_cold = optarg[0] == 'c';
			break;
		case 'U': a->unpower = 1; break;
		case 'j': a->json = 1; break;
		case 'v': a->verbose = 1; break;
		case 'h': usage(stdout); exit(UK_EXIT_OK);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc)
		a->card = argv[optind++];
	if (optind != argc || (a->card == NULL) == (a->reader == NULL)) {
		fprintf(stderr, "%s: give a card image or --reader NAME (one of them)\n", prog);
		usage(stderr);
		return -1;
	}
	if (a->unpower && a->reader == NULL)
		return bad("--unpower", "only with --reader");
	if (a->t0 && a->reader != NULL)
		return bad("--t0", "only for a card image (a reader has its own protocol)");
	if (a->have_op && !a->have_k)
		return bad("--opc/--op", "needs --k");
	if (a->have_k) {
		if (a->ks.alg != AUTH_ALG_TUAK && a->ks.k_len != 16)
			return bad("--k", "16 bytes");
		if (a->ks.alg != AUTH_ALG_XOR && !a->have_op)
			return bad("--k", "needs --opc or --op");
		if (a->ks.alg == AUTH_ALG_MILENAGE && a->ks.op_len != 16)
			return bad("--opc/--op", "16 bytes for MILENAGE");
		if (a->ks.alg == AUTH_ALG_TUAK && a->ks.op_len != 32)
			return bad("--opc/--op", "32 bytes for TUAK");
		if (a->ks.alg == AUTH_ALG_XOR && !a->have_op)
			a->ks.op_is_opc = 1;
	} else if (a->imsi != NULL) {
		return bad("--imsi", "names the subscriber of --k/--opc");
	}
	if (a->n_db > 0 && (a->have_k || a->n_subs > 0))
		return bad("--db", "either the database or key parameters");
	return 0;
}

static int build_net(struct args *a, struct term_net *net, int *have)
{
	char err[256], imsi[16];
	struct auth_keyset ks;
	uint64_t sqn;
	size_t i;
	int rc = 0;

	*have = 0;
	if (a->n_db > 0) {
		if (term_net_db_new(net, a->db, a->n_db, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: --db %s\n", prog, err);
			return -1;
		}
		*have = 1;
		return 0;
	}
	if (!a->have_k && a->n_subs == 0)
		return 0;
	if (term_net_params_new(net, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	*have = 1;
	if (a->have_k &&
	    term_net_params_add(net, a->imsi, &a->ks, a->sqn, a->amf, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	for (i = 0; i < a->n_subs && rc == 0; i++) {
		rc = term_net_parse_sub(a->subs[i], imsi, &ks, &sqn, err, sizeof(err));
		if (rc == 0) {
			/* a subscriber's own SQN, else the common --sqn */
			rc = term_net_params_add(net, imsi, &ks, sqn ? sqn : a->sqn, a->amf, err,
						 sizeof(err));
		}
		OPENSSL_cleanse(&ks, sizeof(ks));
		if (rc != 0)
			fprintf(stderr, "%s: %s\n", prog, err);
	}
	return rc == 0 ? 0 : -1;
}

static int load_msgs(const struct args *a, struct term_msgs *all)
{
	char err[300];
	size_t i, j, total = 0;
	struct term_msgs one[MAX_SMS];

	memset(all, 0, sizeof(*all));
	memset(one, 0, sizeof(one));
	for (i = 0; i < a->n_sms; i++) {
		if (term_msgs_load(a->sms[i], &one[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: --sms %s: %s\n", prog, a->sms[i], err);
			for (j = 0; j < i; j++)
				term_msgs_free(&one[j]);
			return -1;
		}
		total += one[i].n;
	}
	all->csv = 1;
	all->msg = calloc(total ? total : 1, sizeof(*all->msg));
	if (all->msg == NULL) {
		for (i = 0; i < a->n_sms; i++)
			term_msgs_free(&one[i]);
		return -1;
	}
	/* the messages move into one list, in file order */
	for (i = 0; i < a->n_sms; i++) {
		memcpy(all->msg + all->n, one[i].msg, one[i].n * sizeof(*all->msg));
		all->n += one[i].n;
		free(one[i].msg);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a;
	struct term_link link = { 0 };
	struct term_net net = { 0 };
	struct term_msgs msgs = { 0 };
	struct term_opts o;
	struct term_stats st;
	struct out out;
	struct term *t = NULL;
	char err[512];
	int have_net = 0, rc, ex = UK_EXIT_USAGE;
	json_t *sum;

	uk_json_cleansing_alloc();
	if (parse_args(argc, argv, &a) != 0)
		goto done;
	if (build_net(&a, &net, &have_net) != 0)
		goto done;
	if (load_msgs(&a, &msgs) != 0)
		goto done;
	if (a.card != NULL)
		rc = term_link_image_open(a.card, a.t0, &link, err, sizeof(err));
	else
		rc = term_link_pcsc_open(a.reader, a.unpower, &link, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		ex = a.card != NULL && rc == TERM_EARG ? UK_EXIT_USAGE : UK_EXIT_FAIL;
		goto done;
	}
	memset(&o, 0, sizeof(o));
	o.pin1 = a.pin1;
	memcpy(o.profile, a.profile, a.profile_len);
	o.profile_len = a.profile_len;
	o.por_out = a.por_out;
	o.sessions = a.sessions;
	o.verbose = a.verbose;
	o.refresh_cold = a.refresh_cold;
	out.json = a.json;
	t = term_new(&link, have_net ? &net : NULL, &o, on_event, &out);
	if (t == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		ex = UK_EXIT_FAIL;
		goto done;
	}
	rc = term_run(t, a.n_sms ? &msgs : NULL);
	if (rc < 0)
		fprintf(stderr, "%s: %s%s%s\n", prog, term_strerror(rc), term_error(t)[0] ? ": " : "",
			term_error(t));
	ex = rc == 1 ? UK_EXIT_OK : UK_EXIT_FAIL;
	term_get_stats(t, &st);
	sum = json_pack("{s:s, s:I, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:i}", "event", "summary",
			"session", (json_int_t)a.sessions, "iccid", term_iccid(t), "imsi",
			term_imsi(t), "attached", rc == 1 && have_net, "attaches_ok", (json_int_t)st.attaches_ok,
			"attaches_failed", (json_int_t)st.attaches_failed, "pors",
			(json_int_t)st.pors, "refreshes", (json_int_t)st.refreshes, "exit", ex);
	if (sum != NULL) {
		char text[300];

		snprintf(text, sizeof(text),
			 "%s: IMSI %s, %u attach(es) ok, %u failed, %u PoR(s), %u REFRESH; exit %d",
			 rc == 1 ? (have_net ? "attached" : "powered up (no network: no attach)")
				 : "not attached",
			 term_imsi(t)[0] ? term_imsi(t) : "-",
			 st.attaches_ok, st.attaches_failed, st.pors, st.refreshes, ex);
		json_object_set_new(sum, "text", json_string(text));
		on_event(&out, sum);
		json_decref(sum);
	}
done:
	term_free(t);
	term_link_close(&link);
	term_net_free(&net);
	term_msgs_free(&msgs);
	OPENSSL_cleanse(&a.ks, sizeof(a.ks));
	return ex;
}
