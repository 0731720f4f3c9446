/*
 * uicc-ota - operator tool for OTA secured packets (TS 102 225 / TS 31.115)
 * over SMS-PP, carrying TS 102 226 RFM scripts.  Thin: argument parsing and
 * printing; libota does the work (secpkt.h / por.h for the packet layer,
 * sms.h / envelope.h / rfm.h for the carriage and the scripts).
 *
 * Exit codes: 0 ok (parsed and verified), 1 did not verify / the card's
 * status is an error, 2 usage or input error.
 */
#include "config.h"
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "common/buf.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "uicckit/por.h"
#include "uicckit/secpkt.h"
#include "uicckit/envelope.h"
#include "uicckit/rfm.h"
#include "uicckit/m2m_script.h"
#include "uicckit/sms.h"

#define EXIT_VERIFY 1
#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: uicc-ota COMMAND [options]\n"
	"\n"
	"commands:\n"
	"  packet build   --spi HEX --kic HEX --kid HEX --kic-key HEX --kid-key HEX\n"
	"                 --tar HEX --cntr HEX --data HEX\n"
	"                 [--out packet|sms|tpdu|envelope] [--oa DIGITS] [--scts HEX]\n"
	"                 [--smsc DIGITS] [--concat-ref N] [--ref16] [--json]\n"
	"  packet parse   --spi HEX --kic HEX --kid HEX --kic-key HEX --kid-key HEX\n"
	"                 [--cntr HEX] [--json] HEX...\n"
	"                 (packet, or SMS user data / SMS-DELIVER / ENVELOPE per segment)\n"
	"  por parse      --spi HEX --kic HEX --kid HEX --kic-key HEX --kid-key HEX\n"
	"                 [--tar HEX] [--cntr HEX] [--json] HEX...\n"
	"                 (PoR with or without 02 71 00, FETCH response, or segments)\n"
	"  rfm build      --format compact|expanded [--indefinite] [--json] APDU...\n"
	"  rfm parse      [--json] HEX   (a compact or expanded command script)\n"
	"  rfm parse-response [--json] HEX\n"
	"  rfm switch     --imsi DIGITS --index N [--format compact|expanded] [--json]\n"
	"                 (M2M Alternative 3b: new IMSI + key index, for TAR B00001)\n"
	"  rfm rekey      --k HEX --opc HEX [--kic-key HEX --kid-key HEX]\n"
	"                 [--format compact|expanded] [--json]   (Alternative 3a)\n"
	"\n"
	"exit status: 0 ok / verified, 1 did not verify or error status, 2 usage or input error\n"
	"See uicc-ota(1).\n";

static int usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

static int fail(int rc, const char *what, const char *why)
{
	fprintf(stderr, "uicc-ota: %s: %s\n", what, why);
	return rc;
}

static void print_hex(const uint8_t *p, size_t n)
{
	char *s = uk_hex_alloc(p, n);

	if (s != NULL) {
		fputs(s, stdout);
		free(s);
	}
	fputc('\n', stdout);
}

static json_t *jhex(const uint8_t *p, size_t n)
{
	char *s = uk_hex_alloc(p, n);
	json_t *j = json_string(s != NULL ? s : "");

	free(s);
	return j;
}

static int print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	if (s == NULL)
		return fail(EXIT_USAGE, "json", "out of memory");
	puts(s);
	free(s);
	return 0;
}

/* ------------------------------------------------------------------ */
/* packet / por: options                                               */

struct sec_args {
	int have_spi, have_kic, have_kid, have_kic_key, have_kid_key, have_tar, have_cntr;
	uint8_t spi[2];
	uint8_t kic;
	uint8_t kid;
	uint8_t kic_key[32];
	size_t kic_key_len;
	uint8_t kid_key[32];
	size_t kid_key_len;
	uint8_t tar[3];
	uint8_t cntr[5];
	/* packet build */
	uint8_t data[4096];
	size_t data_len;
	int have_data;
	const char *out;
	const char *oa;
	const char *smsc;
	uint8_t scts[7];
	unsigned concat_ref;
	int ref16;
	int json;
};

static void sec_cleanse(struct sec_args *a)
{
	OPENSSL_cleanse(a->kic_key, sizeof(a->kic_key));
	OPENSSL_cleanse(a->kid_key, sizeof(a->kid_key));
}

static int opt_hex_exact(const char *name, const char *arg, uint8_t *out, size_t want)
{
	if (uk_hex_decode_exact(arg, out, want) != 0) {
		fprintf(stderr, "uicc-ota: --%s: expected %zu bytes of hex\n", name, want);
		return -1;
	}
	return 0;
}

static int opt_key(const char *name, const char *arg, uint8_t *out, size_t *len)
{
	if (uk_hex_decode(arg, out, 32, len) != 0 || (*len != 16 && *len != 24 && *len != 32)) {
		fprintf(stderr, "uicc-ota: --%s: expected a 16, 24 or 32-byte key in hex\n", name);
		return -1;
	}
	return 0;
}

/* Parse the options shared by packet build/parse and por parse; returns
 * 0, -1 for --help (usage printed) or EXIT_USAGE. */
static int sec_parse(int argc, char **argv, struct sec_args *a)
{
	static const struct option opts[] = {
		{ "spi", required_argument, NULL, 's' },
		{ "kic", required_argument, NULL, 'c' },
		{ "kid", required_argument, NULL, 'd' },
		{ "kic-key", required_argument, NULL, 'C' },
		{ "kid-key", required_argument, NULL, 'D' },
		{ "tar", required_argument, NULL, 't' },
		{ "cntr", required_argument, NULL, 'n' },
		{ "data", required_argument, NULL, 'x' },
		{ "out", required_argument, NULL, 'o' },
		{ "oa", required_argument, NULL, 'a' },
		{ "smsc", required_argument, NULL, 'S' },
		{ "scts", required_argument, NULL, 'T' },
		{ "concat-ref", required_argument, NULL, 'r' },
		{ "ref16", no_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (opt_hex_exact("spi", optarg, a->spi, 2) < 0)
				return EXIT_USAGE;
			a->have_spi = 1;
			break;
		case 'c':
			if (opt_hex_exact("kic", optarg, &a->kic, 1) < 0)
				return EXIT_USAGE;
			a->have_kic = 1;
			break;
		case 'd':
			if (opt_hex_exact("kid", optarg, &a->kid, 1) < 0)
				return EXIT_USAGE;
			a->have_kid = 1;
			break;
		case 'C':
			if (opt_key("kic-key", optarg, a->kic_key, &a->kic_key_len) < 0)
				return EXIT_USAGE;
			a->have_kic_key = 1;
			break;
		case 'D':
			if (opt_key("kid-key", optarg, a->kid_key, &a->kid_key_len) < 0)
				return EXIT_USAGE;
			a->have_kid_key = 1;
			break;
		case 't':
			if (opt_hex_exact("tar", optarg, a->tar, 3) < 0)
				return EXIT_USAGE;
			a->have_tar = 1;
			break;
		case 'n':
			if (opt_hex_exact("cntr", optarg, a->cntr, 5) < 0)
				return EXIT_USAGE;
			a->have_cntr = 1;
			break;
		case 'x':
			if (uk_hex_decode(optarg, a->data, sizeof(a->data), &a->data_len) != 0)
				return fail(EXIT_USAGE, "--data", "not hex (or too long)");
			a->have_data = 1;
			break;
		case 'o': a->out = optarg; break;
		case 'a': a->oa = optarg; break;
		case 'S': a->smsc = optarg; break;
		case 'T':
			if (opt_hex_exact("scts", optarg, a->scts, 7) < 0)
				return EXIT_USAGE;
			break;
		case 'r':
			a->concat_ref = (unsigned)strtoul(optarg, &end, 0);
			if (*optarg == '\0' || *end != '\0' || a->concat_ref > 0xffff)
				return fail(EXIT_USAGE, "--concat-ref", "expected 0..65535");
			break;
		case 'R': a->ref16 = 1; break;
		case 'j': a->json = 1; break;
		case 'h': usage(stdout, 0); return -1;
		default: return usage(stderr, EXIT_USAGE);
		}
	}
	if (!a->have_spi || !a->have_kic || !a->have_kid)
		return fail(EXIT_USAGE, argv[0], "--spi, --kic and --kid are required");
	return 0;
}

static int build_from_args(const struct sec_args *a, uint8_t *pkt, size_t cap, size_t *len);

/* ------------------------------------------------------------------ */
/* packet build                                                        */

static int print_layers(const struct sec_args *a, const uint8_t *pkt, size_t len, json_t *j)
{
	static struct ota_sms_seg seg[255];
	struct ota_sms_deliver d;
	struct ota_sms_addr smsc;
	json_t *arr;
	size_t ns, i, on;
	int rc, want_tpdu, want_env;
	uint8_t tp[OTA_SMS_TPDU_MAX], env[OTA_ENV_APDU_MAX];

	if (a->out == NULL || strcmp(a->out, "packet") == 0) {
		if (j != NULL)
			json_object_set_new(j, "packet", jhex(pkt, len));
		else
			print_hex(pkt, len);
		return 0;
	}
	want_tpdu = strcmp(a->out, "tpdu") == 0;
	want_env = strcmp(a->out, "envelope") == 0;
	if (!want_tpdu && !want_env && strcmp(a->out, "sms") != 0)
		return fail(EXIT_USAGE, "--out", "must be packet, sms, tpdu or envelope");
	rc = ota_concat_split(pkt, len, OTA_IEI_CPI, a->concat_ref, a->ref16, seg, 255, &ns);
	if (rc < 0)
		return fail(EXIT_USAGE, "concatenation", ota_sms_strerror(rc));
	ota_sms_deliver_init(&d);
	rc = ota_sms_addr_set(&d.oa, a->oa != NULL ? a->oa : "+12345", 0x81);
	if (rc < 0)
		return fail(EXIT_USAGE, "--oa", ota_sms_strerror(rc));
	memcpy(d.scts, a->scts, 7);
	if (a->smsc != NULL && (rc = ota_sms_addr_set(&smsc, a->smsc, 0x81)) < 0)
		return fail(EXIT_USAGE, "--smsc", ota_sms_strerror(rc));
	arr = json_array();
	for (i = 0; i < ns; i++) {
		const uint8_t *p = seg[i].ud;
		size_t n = seg[i].len;

		if (want_tpdu || want_env) {
			rc = ota_sms_deliver_build_seg(&d, &seg[i], i + 1 == ns, tp, sizeof(tp), &on);
			if (rc < 0) {
				json_decref(arr);
				return fail(EXIT_USAGE, "SMS-DELIVER", ota_sms_strerror(rc));
			}
			p = tp;
			n = on;
		}
		if (want_env) {
			rc = ota_env_sms_pp_build(tp, n, a->smsc != NULL ? &smsc : NULL, 0, env,
						  sizeof(env), &on);
			if (rc < 0) {
				json_decref(arr);
				return fail(EXIT_USAGE, "ENVELOPE", ota_env_strerror(rc));
			}
			p = env;
			n = on;
		}
		if (j != NULL)
			json_array_append_new(arr, jhex(p, n));
		else
			print_hex(p, n);
	}
	if (j != NULL)
		json_object_set_new(j, a->out, arr);
	else
		json_decref(arr);
	return 0;
}

static int packet_build(int argc, char **argv)
{
	struct sec_args a;
	uint8_t pkt[4200];
	size_t len;
	json_t *j = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = sec_parse(argc, argv, &a);
	if (rc != 0)
		goto out;
	rc = EXIT_USAGE;
	if (!a.have_tar || !a.have_cntr || !a.have_data) {
		fail(EXIT_USAGE, "packet build", "--tar, --cntr and --data are required");
		goto out;
	}
	rc = build_from_args(&a, pkt, sizeof(pkt), &len);
	if (rc != 0)
		goto out;
	if (a.json)
		j = json_object();
	rc = print_layers(&a, pkt, len, j);
	if (rc == 0 && j != NULL) {
		rc = print_json(j);
		j = NULL;
	}
out:
	json_decref(j);
	sec_cleanse(&a);
	return rc < 0 ? 0 : rc;
}

/* ------------------------------------------------------------------ */
/* Inputs: one or more hex strings -> the reassembled packet / PoR UD. */

/* The SMS user data inside one argument: ENVELOPE, FETCH (SEND SHORT
 * MESSAGE), SMS-DELIVER, SMS-SUBMIT, or user data as is. */
static int arg_user_data(const uint8_t *in, size_t len, const uint8_t **ud, size_t *ud_len)
{
	struct ota_env_sms_pp e;
	struct ota_sms_deliver d;
	struct ota_sms_submit s;
	const uint8_t *data;
	size_t dn;

	if (ota_env_apdu_data(in, len, &data, &dn) == 0 && ota_env_sms_pp_parse(data, dn, &e) == 0 &&
	    ota_sms_deliver_parse(e.tpdu, e.tpdu_len, &d) == 0) {
		*ud = d.ud;
		*ud_len = d.ud_len;
		return 0;
	}
	if (ota_cat_send_sms_por(in, len, NULL, ud, ud_len) == 0)
		return 0;
	if (len > 0 && in[0] != 0x02 && ota_sms_deliver_parse(in, len, &d) == 0 &&
	    (d.first & OTA_SMS_FO_UDHI)) {
		*ud = d.ud;
		*ud_len = d.ud_len;
		return 0;
	}
	if (len > 0 && in[0] != 0x02 && ota_sms_submit_parse(in, len, &s) == 0 &&
	    (s.first & OTA_SMS_FO_UDHI)) {
		*ud = s.ud;
		*ud_len = s.ud_len;
		return 0;
	}
	*ud = in;
	*ud_len = len;
	return 0;
}

/* Reassemble the arguments (pi 70 for commands, 71 for PoRs).  A single
 * argument whose first two bytes equal its length - 2 is a bare packet. */
static int gather(char **args, int n, uint8_t pi, uint8_t *out, size_t cap, size_t *out_len,
		  int *bare)
{
	static uint8_t mem[255 * 140];
	struct ota_concat_ctx cc;
	uint8_t in[600];
	int i, rc = OTA_CONCAT_MORE;

	*bare = 0;
	ota_concat_init(&cc, mem, sizeof(mem), pi);
	for (i = 0; i < n; i++) {
		const uint8_t *ud;
		size_t len, ud_len;

		if (uk_hex_decode(args[i], in, sizeof(in), &len) != 0)
			return fail(EXIT_USAGE, args[i], "not hex (or too long)");
		if (n == 1 && len >= 2 && (size_t)(in[0] << 8 | in[1]) == len - 2 &&
		    !(pi == OTA_IEI_RPI && len >= 3 && in[0] == 2 && in[1] == 0x71 && in[2] == 0)) {
			if (len > cap)
				return fail(EXIT_USAGE, args[i], "too long");
			memcpy(out, in, len);
			*out_len = len;
			*bare = 1;
			return 0;
		}
		arg_user_data(in, len, &ud, &ud_len);
		rc = ota_concat_feed(&cc, ud, ud_len, out, cap, out_len);
		if (rc < 0)
			return fail(EXIT_USAGE, args[i], ota_sms_strerror(rc));
	}
	if (rc != OTA_CONCAT_DONE)
		return fail(EXIT_USAGE, "input", ota_sms_strerror(OTA_CONCAT_E_MISSING));
	return 0;
}

/* ------------------------------------------------------------------ */
/* The packet layer (secpkt.h / por.h)                                 */

static void sec_hdr(const struct sec_args *a, struct ota_cmd_hdr *h, struct ota_keys *k)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi, a->spi, 2);
	h->kic = a->kic;
	h->kid = a->kid;
	memcpy(h->tar, a->tar, 3);
	h->cntr = uk_get_be(a->cntr, 5);
	memset(k, 0, sizeof(*k));
	memcpy(k->kic_key, a->kic_key, a->kic_key_len);
	k->kic_key_len = a->kic_key_len;
	memcpy(k->kid_key, a->kid_key, a->kid_key_len);
	k->kid_key_len = a->kid_key_len;
}

static int build_from_args(const struct sec_args *a, uint8_t *pkt, size_t cap, size_t *len)
{
	struct ota_cmd_hdr h;
	struct ota_keys k;
	int n;

	sec_hdr(a, &h, &k);
	n = ota_cmd_build(&h, &k, a->data, a->data_len, pkt, cap);
	OPENSSL_cleanse(&k, sizeof(k));
	if (n < 0)
		return fail(EXIT_USAGE, "packet build", ota_strerror(n));
	*len = (size_t)n;
	return 0;
}

/* The status a card would answer for a packet-layer failure. */
static uint8_t rsc_of(int err)
{
	switch (err) {
	case OTA_ECHECK: return OTA_RSC_CHECK_FAILED;
	case OTA_ECIPHER: return OTA_RSC_CIPHER_ERROR;
	default: return OTA_RSC_SECURITY_ERROR;
	}
}

static int verify_fail(const char *what, uint8_t rsc, const char *detail)
{
	fprintf(stderr, "uicc-ota: %s: %s (RSC %02X)%s%s\n", what, ota_rsc_name(rsc), rsc,
		detail != NULL ? ": " : "", detail != NULL ? detail : "");
	return EXIT_VERIFY;
}

static void text_field(const char *name, const uint8_t *p, size_t n)
{
	printf("%-6s ", name);
	print_hex(p, n);
}

static int packet_parse(int argc, char **argv)
{
	static uint8_t pkt[255 * 140], work[255 * 140];
	struct sec_args a;
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_cmd cmd;
	size_t len;
	int bare, rc;
	uint8_t rsc = 0;
	char spi_text[256];

	memset(&a, 0, sizeof(a));
	memset(&k, 0, sizeof(k));
	rc = sec_parse(argc, argv, &a);
	if (rc != 0)
		goto out;
	rc = EXIT_USAGE;
	if (optind >= argc) {
		fail(EXIT_USAGE, "packet parse", "a HEX packet is expected");
		goto out;
	}
	rc = gather(argv + optind, argc - optind, OTA_IEI_CPI, pkt, sizeof(pkt), &len, &bare);
	if (rc != 0)
		goto out;
	rc = ota_cmd_parse_header(pkt, len, &h, &rsc);
	if (rc < 0) {
		rc = len < 2 ? fail(EXIT_USAGE, "packet parse", ota_strerror(rc))
			     : verify_fail("packet parse", rsc, ota_strerror(rc));
		goto out;
	}
	if (memcmp(h.spi, a.spi, 2) != 0 || h.kic != a.kic || h.kid != a.kid) {
		rc = verify_fail("packet parse", OTA_RSC_SECURITY_ERROR,
				 "SPI/KIc/KID in the packet differ from --spi/--kic/--kid");
		goto out;
	}
	{
		struct ota_cmd_hdr unused;

		sec_hdr(&a, &unused, &k);	/* keys only: the header is the packet's */
	}
	rc = ota_cmd_unwrap(pkt, len, &h, &k, work, sizeof(work), &cmd, &rsc);
	if (rc < 0) {
		rc = verify_fail("packet parse", rsc ? rsc : rsc_of(rc), ota_strerror(rc));
		goto out;
	}
	if (a.have_cntr) {
		rsc = ota_cntr_check(cmd.hdr.spi, uk_get_be(a.cntr, 5), cmd.hdr.cntr);
		if (rsc != OTA_RSC_OK) {
			rc = verify_fail("packet parse", rsc, "against --cntr (the card's counter)");
			goto out;
		}
	}
	ota_spi_describe(cmd.hdr.spi, spi_text, sizeof(spi_text));
	if (a.json) {
		json_t *j = json_object();
		char t[16];

		json_object_set_new(j, "cpl", json_integer((json_int_t)(pkt[0] << 8 | pkt[1])));
		json_object_set_new(j, "chl", json_integer(pkt[2]));
		json_object_set_new(j, "spi", jhex(cmd.hdr.spi, 2));
		json_object_set_new(j, "spi_text", json_string(spi_text));
		json_object_set_new(j, "kic", jhex(&cmd.hdr.kic, 1));
		json_object_set_new(j, "kid", jhex(&cmd.hdr.kid, 1));
		json_object_set_new(j, "tar", jhex(cmd.hdr.tar, 3));
		json_object_set_new(j, "tar_kind",
				    json_string(ota_tar_kind_name(ota_tar_kind(ota_tar_get(cmd.hdr.tar)))));
		snprintf(t, sizeof(t), "%010llx", (unsigned long long)cmd.hdr.cntr);
		json_object_set_new(j, "cntr", json_string(t));
		json_object_set_new(j, "pcntr", json_integer(cmd.pcntr));
		json_object_set_new(j, "data", jhex(cmd.data, cmd.dlen));
		json_object_set_new(j, "verified", json_true());
		rc = print_json(j);
	} else {
		uint8_t c5[5];

		printf("CPL    %u\nCHL    %u\n", (unsigned)(pkt[0] << 8 | pkt[1]), pkt[2]);
		printf("SPI    %02x%02x (%s)\n", cmd.hdr.spi[0], cmd.hdr.spi[1], spi_text);
		printf("KIc    %02x (%s)\n", cmd.hdr.kic, ota_kic_name(cmd.hdr.kic));
		printf("KID    %02x (%s)\n", cmd.hdr.kid, ota_kid_name(cmd.hdr.spi[0], cmd.hdr.kid));
		printf("TAR    %02x%02x%02x (%s)\n", cmd.hdr.tar[0], cmd.hdr.tar[1], cmd.hdr.tar[2],
		       ota_tar_kind_name(ota_tar_kind(ota_tar_get(cmd.hdr.tar))));
		uk_put_be(c5, cmd.hdr.cntr, 5);
		text_field("CNTR", c5, 5);
		printf("PCNTR  %u\n", cmd.pcntr);
		text_field("data", cmd.data, cmd.dlen);
		printf("status verified\n");
		rc = 0;
	}
out:
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(work, sizeof(work));
	sec_cleanse(&a);
	return rc < 0 ? 0 : rc;
}

/* Additional data of a PoR, decoded as an RFM response when it is one. */
static void por_data_json(json_t *j, const uint8_t *d, size_t n)
{
	struct ota_rfm_compact_resp cr;
	struct ota_rfm_exp_resp er;
	char sw[5];

	if (n > 0 && (d[0] == 0xab || d[0] == 0xaf) && ota_rfm_exp_resp_parse(d, n, &er) == 0) {
		json_object_set_new(j, "rfm_format", json_string("expanded"));
		if (er.has_count)
			json_object_set_new(j, "rfm_executed", json_integer(er.count));
		if (er.n_rapdu > 0) {
			snprintf(sw, sizeof(sw), "%04X", er.last.sw);
			json_object_set_new(j, "rfm_last_sw", json_string(sw));
		}
	} else if (ota_rfm_compact_resp_parse(d, n, &cr) == 0) {
		snprintf(sw, sizeof(sw), "%04X", cr.sw);
		json_object_set_new(j, "rfm_format", json_string("compact"));
		json_object_set_new(j, "rfm_executed", json_integer(cr.n));
		json_object_set_new(j, "rfm_last_sw", json_string(sw));
		json_object_set_new(j, "rfm_last_data", jhex(cr.data, cr.data_len));
	}
}

static int por_parse(int argc, char **argv)
{
	static uint8_t ud[255 * 140 + 3], work[255 * 140 + 8];
	struct sec_args a;
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	size_t len;
	int bare, rc;
	json_t *j;
	char t[16];

	memset(&a, 0, sizeof(a));
	memset(&k, 0, sizeof(k));
	rc = sec_parse(argc, argv, &a);
	if (rc != 0)
		goto out;
	rc = EXIT_USAGE;
	if (optind >= argc) {
		fail(EXIT_USAGE, "por parse", "a HEX PoR is expected");
		goto out;
	}
	rc = gather(argv + optind, argc - optind, OTA_IEI_RPI, ud, sizeof(ud), &len, &bare);
	if (rc != 0)
		goto out;
	rc = EXIT_USAGE;
	/* RPL(2) RHL(1) TAR(3): take the TAR from the PoR unless --tar */
	if (len < 6) {
		fail(EXIT_USAGE, "por parse", ota_strerror(OTA_ETRUNC));
		goto out;
	}
	sec_hdr(&a, &h, &k);
	if (!a.have_tar)
		memcpy(h.tar, ud + 3, 3);
	rc = ota_por_parse(ud, len, &h, &k, work, sizeof(work), &por);
	if (rc < 0) {
		rc = rc == OTA_ETRUNC ? fail(EXIT_USAGE, "por parse", ota_strerror(rc))
				      : verify_fail("por parse", rsc_of(rc), ota_strerror(rc));
		goto out;
	}
	j = json_object();
	json_object_set_new(j, "tar", jhex(por.tar, 3));
	snprintf(t, sizeof(t), "%010llx", (unsigned long long)por.cntr);
	json_object_set_new(j, "cntr", json_string(t));
	json_object_set_new(j, "pcntr", json_integer(por.pcntr));
	json_object_set_new(j, "rsc", json_integer(por.rsc));
	json_object_set_new(j, "rsc_text", json_string(ota_rsc_name(por.rsc)));
	json_object_set_new(j, "authenticated", json_boolean(por.authenticated));
	json_object_set_new(j, "protected_as_asked", json_boolean(por.protected_as_asked));
	json_object_set_new(j, "data", jhex(por.data, por.dlen));
	por_data_json(j, por.data, por.dlen);
	if (a.json) {
		char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (s != NULL)
			puts(s);
		free(s);
	} else {
		uint8_t c5[5];

		text_field("TAR", por.tar, 3);
		uk_put_be(c5, por.cntr, 5);
		text_field("CNTR", c5, 5);
		printf("PCNTR  %u\n", por.pcntr);
		printf("RSC    %02x (%s)\n", por.rsc, ota_rsc_name(por.rsc));
		printf("auth   %s\n", por.authenticated ? "CC verified"
			: por.protected_as_asked ? "as SPI2 asked (no CC)"
						 : "unauthenticated error PoR (plain)");
		text_field("data", por.data, por.dlen);
	}
	json_decref(j);
	rc = 0;
	if (!por.protected_as_asked)
		rc = verify_fail("por parse", por.rsc, "unauthenticated error PoR");
	else if (por.rsc != OTA_RSC_OK)
		rc = verify_fail("por parse", por.rsc, NULL);
	else if (a.have_cntr && por.cntr != uk_get_be(a.cntr, 5))
		rc = verify_fail("por parse", OTA_RSC_SECURITY_ERROR,
				 "the PoR's CNTR is not the command's (--cntr)");
out:
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(work, sizeof(work));
	sec_cleanse(&a);
	return rc < 0 ? 0 : rc;
}

/* ------------------------------------------------------------------ */
/* rfm                                                                 */

/* rfm switch / rfm rekey: the M2M profile's scripts (m2m_script.h). */
static int rfm_m2m(int argc, char **argv, int rekey)
{
	static const struct option opts[] = {
		{ "imsi", required_argument, NULL, 'm' }, { "index", required_argument, NULL, 'n' },
		{ "k", required_argument, NULL, 'k' }, { "opc", required_argument, NULL, 'o' },
		{ "kic-key", required_argument, NULL, 'c' }, { "kid-key", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	enum ota_rfm_format fmt = OTA_RFM_COMPACT;
	const char *imsi = NULL;
	long index = -1;
	uint8_t k[16], opc[16], kic[16], kid[16], out[512];
	size_t n = 0, on = 0;
	int c, json = 0, have = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': imsi = optarg; break;
		case 'n': index = strtol(optarg, NULL, 10); break;
		case 'k': if (uk_hex_decode(optarg, k, 16, &n) || n != 16) return fail(EXIT_USAGE, "--k", "16 bytes of hex"); have |= 1; break;
		case 'o': if (uk_hex_decode(optarg, opc, 16, &n) || n != 16) return fail(EXIT_USAGE, "--opc", "16 bytes of hex"); have |= 2; break;
		case 'c': if (uk_hex_decode(optarg, kic, 16, &n) || n != 16) return fail(EXIT_USAGE, "--kic-key", "16 bytes of hex"); have |= 4; break;
		case 'd': if (uk_hex_decode(optarg, kid, 16, &n) || n != 16) return fail(EXIT_USAGE, "--kid-key", "16 bytes of hex"); have |= 8; break;
		case 'f':
			if (strcmp(optarg, "compact") == 0)
				fmt = OTA_RFM_COMPACT;
			else if (strcmp(optarg, "expanded") == 0)
				fmt = OTA_RFM_EXPANDED;
			else
				return fail(EXIT_USAGE, "--format", "must be compact or expanded");
			break;
		case 'j': json = 1; break;
		case 'h': return usage(stdout, 0);
		default: return usage(stderr, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return usage(stderr, EXIT_USAGE);
	if (!rekey) {
		if (imsi == NULL || index < 0 || index > 254)
			return fail(EXIT_USAGE, "rfm switch", "--imsi (6..15 digits) and --index (0..254) are required");
		rc = ota_m2m_switch_script(imsi, (unsigned)index, fmt, out, sizeof(out), &on);
	} else {
		if ((have & 3) != 3 || ((have & 12) != 0 && (have & 12) != 12))
			return fail(EXIT_USAGE, "rfm rekey", "--k and --opc are required; --kic-key and --kid-key go together");
		rc = ota_m2m_rekey_script(k, opc, (have & 4) ? kic : NULL, (have & 8) ? kid : NULL, fmt,
					  out, sizeof(out), &on);
	}
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(opc, sizeof(opc));
	OPENSSL_cleanse(kic, sizeof(kic));
	OPENSSL_cleanse(kid, sizeof(kid));
	if (rc != 0)
		return fail(EXIT_USAGE, rekey ? "rfm rekey" : "rfm switch", "bad IMSI, index or keys");
	if (json) {
		json_t *j = json_object();

		json_object_set_new(j, "format", json_string(fmt ? "expanded" : "compact"));
		json_object_set_new(j, "tar", json_string("b00001"));
		json_object_set_new(j, "script", jhex(out, on));
		rc = print_json(j);
	} else {
		char *h = uk_hex_alloc(out, on);

		if (h == NULL)
			return EXIT_USAGE;
		puts(h);
		free(h);
		rc = 0;
	}
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}

static int rfm_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "indefinite", no_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum ota_rfm_format fmt = OTA_RFM_COMPACT;
	int c, indef = 0, json = 0, rc, i, n;
	uint8_t (*apdu)[300] = NULL, out[4096];
	const uint8_t **ap = NULL;
	size_t *lens = NULL, on;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "compact") == 0)
				fmt = OTA_RFM_COMPACT;
			else if (strcmp(optarg, "expanded") == 0)
				fmt = OTA_RFM_EXPANDED;
			else
				return fail(EXIT_USAGE, "--format", "must be compact or expanded");
			break;
		case 'i': indef = 1; break;
		case 'j': json = 1; break;
		case 'h': return usage(stdout, 0);
		default: return usage(stderr, EXIT_USAGE);
		}
	}
	n = argc - optind;
	if (n < 1)
		return fail(EXIT_USAGE, "rfm build", "no APDU given");
	apdu = calloc((size_t)n, sizeof(*apdu));
	ap = calloc((size_t)n, sizeof(*ap));
	lens = calloc((size_t)n, sizeof(*lens));
	rc = EXIT_USAGE;
	if (apdu == NULL || ap == NULL || lens == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (uk_hex_decode(argv[optind + i], apdu[i], sizeof(apdu[i]), &lens[i]) != 0) {
			fail(EXIT_USAGE, argv[optind + i], "not a hex APDU");
			goto out;
		}
		ap[i] = apdu[i];
	}
	c = ota_rfm_build(fmt, indef, ap, lens, (size_t)n, out, sizeof(out), &on);
	if (c < 0) {
		fail(EXIT_USAGE, "rfm build", ota_rfm_strerror(c));
		goto out;
	}
	if (json) {
		json_t *j = json_object();

		json_object_set_new(j, "format", json_string(fmt ? "expanded" : "compact"));
		json_object_set_new(j, "commands", json_integer(n));
		json_object_set_new(j, "script", jhex(out, on));
		rc = print_json(j);
	} else {
		print_hex(out, on);
		rc = 0;
	}
out:
	free(apdu);
	free(ap);
	free(lens);
	return rc;
}

/* Shared option parsing for the one-argument rfm commands. */
static int one_hex_arg(int argc, char **argv, int *json, uint8_t *buf, size_t cap, size_t *len)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': *json = 1; break;
		case 'h': return usage(stdout, -1);
		default: return usage(stderr, EXIT_USAGE);
		}
	}
	if (argc - optind < 1)
		return fail(EXIT_USAGE, argv[0], "a HEX argument is expected");
	/* several arguments are one hex string split by the shell */
	*len = 0;
	for (; optind < argc; optind++) {
		size_t n;

		if (uk_hex_decode(argv[optind], buf + *len, cap - *len, &n) != 0)
			return fail(EXIT_USAGE, argv[optind], "not hex (or too long)");
		*len += n;
	}
	return 0;
}

static json_t *capdu_json(const struct ota_capdu *c)
{
	json_t *j = json_object();

	json_object_set_new(j, "apdu", jhex(c->raw, c->raw_len));
	json_object_set_new(j, "case", json_integer(c->apdu_case));
	return j;
}

static int rfm_parse(int argc, char **argv)
{
	uint8_t in[4096];
	size_t n, pos = 0;
	int json = 0, rc = one_hex_arg(argc, argv, &json, in, sizeof(in), &n), k = 0;
	json_t *arr = json_array(), *j = json_object();
	enum ota_rfm_format fmt;

	if (rc != 0)
		goto done;
	fmt = ota_rfm_detect_format(in, n);
	json_object_set_new(j, "format", json_string(fmt ? "expanded" : "compact"));
	if (!json)
		printf("format: %s\n", fmt ? "expanded" : "compact");
	if (fmt == OTA_RFM_COMPACT) {
		struct ota_capdu c;

		while ((rc = ota_rfm_compact_next(in, n, &pos, &c)) == 1) {
			if (!json) {
				printf("command %d (case %d): ", ++k, c.apdu_case);
				print_hex(c.raw, c.raw_len);
			}
			json_array_append_new(arr, capdu_json(&c));
		}
	} else {
		struct ota_rfm_iter it;
		struct ota_rfm_item item;

		rc = ota_rfm_expanded_open(in, n, &it);
		while (rc == 0 && (rc = ota_rfm_expanded_next(&it, &item)) == 1) {
			json_t *e = item.tag == OTA_RFM_TAG_CAPDU ? capdu_json(&item.apdu) : json_object();

			json_object_set_new(e, "tag", json_integer((json_int_t)item.tag));
			json_array_append_new(arr, e);
			if (!json) {
				printf("tlv %02X (%zu bytes): ", item.tag, item.len);
				print_hex(item.val, item.len);
			}
			rc = 0;
		}
	}
	json_object_set_new(j, "commands", arr);
	arr = NULL;
	if (rc < 0) {
		rc = fail(EXIT_USAGE, "rfm parse", ota_rfm_strerror(rc));
		goto done;
	}
	rc = json ? print_json(j) : 0;
	j = NULL;
done:
	json_decref(arr);
	json_decref(j);
	return rc < 0 ? 0 : rc;
}

static int rfm_parse_response(int argc, char **argv)
{
	uint8_t in[4096];
	size_t n;
	int json = 0, rc = one_hex_arg(argc, argv, &json, in, sizeof(in), &n);
	json_t *j;

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	j = json_object();
	if (n > 0 && (in[0] == 0xab || in[0] == 0xaf)) {
		struct ota_rfm_exp_resp r;
		struct ota_rfm_rapdu ra;
		json_t *arr = json_array();
		size_t pos = 0;

		rc = ota_rfm_exp_resp_parse(in, n, &r);
		if (rc < 0) {
			json_decref(arr);
			json_decref(j);
			return fail(EXIT_USAGE, "rfm parse-response", ota_rfm_strerror(rc));
		}
		json_object_set_new(j, "format", json_string("expanded"));
		if (r.has_count)
			json_object_set_new(j, "executed", json_integer(r.count));
		if (!json) {
			printf("format: expanded\n");
			if (r.has_count)
				printf("executed: %u\n", r.count);
		}
		while (ota_rfm_exp_resp_next(&r, &pos, &ra) == 1) {
			json_t *e = json_object();
			char sw[5];

			snprintf(sw, sizeof(sw), "%04X", ra.sw);
			json_object_set_new(e, "sw", json_string(sw));
			json_object_set_new(e, "data", jhex(ra.data, ra.len));
			json_array_append_new(arr, e);
			if (!json) {
				printf("r-apdu: sw %s data ", sw);
				print_hex(ra.data, ra.len);
			}
		}
		json_object_set_new(j, "responses", arr);
		if (r.bad_format >= 0)
			json_object_set_new(j, "bad_format", json_integer(r.bad_format));
		if (!json && r.bad_format >= 0)
			printf("bad format: %02X\n", (unsigned)r.bad_format);
	} else {
		struct ota_rfm_compact_resp r;
		char sw[5];

		rc = ota_rfm_compact_resp_parse(in, n, &r);
		if (rc < 0) {
			json_decref(j);
			return fail(EXIT_USAGE, "rfm parse-response", ota_rfm_strerror(rc));
		}
		snprintf(sw, sizeof(sw), "%04X", r.sw);
		json_object_set_new(j, "format", json_string("compact"));
		json_object_set_new(j, "executed", json_integer(r.n));
		json_object_set_new(j, "last_sw", json_string(sw));
		json_object_set_new(j, "last_data", jhex(r.data, r.data_len));
		if (!json) {
			printf("format: compact\nexecuted: %u\nlast sw: %s\nlast data: ", r.n, sw);
			print_hex(r.data, r.data_len);
		}
	}
	if (json)
		return print_json(j);
	json_decref(j);
	return 0;
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	uk_json_cleansing_alloc();
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout, 0);
	if (strcmp(argv[1], "--version") == 0) {
		puts("uicc-ota " PACKAGE_VERSION);
		return 0;
	}
	if (argc < 3)
		return usage(stderr, EXIT_USAGE);
	if (strcmp(argv[1], "packet") == 0) {
		if (strcmp(argv[2], "build") == 0)
			return packet_build(argc - 2, argv + 2);
		if (strcmp(argv[2], "parse") == 0)
			return packet_parse(argc - 2, argv + 2);
	}
	if (strcmp(argv[1], "por") == 0 && strcmp(argv[2], "parse") == 0)
		return por_parse(argc - 2, argv + 2);
	if (strcmp(argv[1], "rfm") == 0) {
		if (strcmp(argv[2], "build") == 0)
			return rfm_build(argc - 2, argv + 2);
		if (strcmp(argv[2], "parse") == 0)
			return rfm_parse(argc - 2, argv + 2);
		if (strcmp(argv[2], "parse-response") == 0)
			return rfm_parse_response(argc - 2, argv + 2);
		if (strcmp(argv[2], "switch") == 0)
			return rfm_m2m(argc - 2, argv + 2, 0);
		if (strcmp(argv[2], "rekey") == 0)
			return rfm_m2m(argc - 2, argv + 2, 1);
	}
	return usage(stderr, EXIT_USAGE);
}
