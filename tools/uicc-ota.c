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
#include <unistd.h>
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
#include "ops/campaign.h"
#include "ops/deliver.h"

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
	"campaign commands (the operator database, doc/operator-files.md):\n"
	"  import   --db DB [--cert ME.pem --key ME.key] --trust PEER.pem... [--json] FILE...\n"
	"           (key file or hand-over list, told apart by content)\n"
	"  switch   --db DB --campaign NAME --imsi-list CSV [--keep-keys] --out MSGS.csv\n"
	"           [--envelope] [--oa DIGITS] --handover FILE --cert ME.pem --key ME.key\n"
	"           [--to PEER.pem] [--strict] [--batch N] [--json]\n"
	"  rekey    --db DB --campaign NAME --iccid-list CSV --out MSGS.csv [--envelope]\n"
	"           [--oa DIGITS] [--strict] [--json]\n"
	"  send     --db DB --campaign NAME --reader NAME [--reader NAME...] [--resend] [--json]\n"
	"  por      --db DB --campaign NAME [--json] FILE   (CSV iccid,por)\n"
	"  status   --db DB [--campaign NAME] [--json]\n"
	"\n"
	"exit status: 0 ok / verified, 1 did not verify, error status or operation failed,\n"
	"2 usage or input error (bad rows included)\n"
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
	rc = 0;
	if (json) {
		rc = print_json(j);	/* takes j */
		j = NULL;
	}
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
/* campaign commands (ops/campaign.h): thin over libukopdb             */

#define MAX_FILES 32

struct camp_args {
	const char *db, *campaign, *cert, *key, *to, *list, *out, *handover, *oa;
	const char *trust[MAX_FILES], *reader[MAX_FILES];
	size_t ntrust, nreader;
	int keep_keys, envelope, strict, json, resend;
	long batch;
};

static int camp_parse(int argc, char **argv, struct camp_args *a, const char *cmd)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "campaign", required_argument, NULL, 'c' },
		{ "cert", required_argument, NULL, 'C' }, { "key", required_argument, NULL, 'K' },
		{ "trust", required_argument, NULL, 't' }, { "to", required_argument, NULL, 'T' },
		{ "imsi-list", required_argument, NULL, 'l' },
		{ "iccid-list", required_argument, NULL, 'L' },
		{ "out", required_argument, NULL, 'o' }, { "handover", required_argument, NULL, 'H' },
		{ "oa", required_argument, NULL, 'a' }, { "reader", required_argument, NULL, 'r' },
		{ "keep-keys", no_argument, NULL, 'k' }, { "envelope", no_argument, NULL, 'e' },
		{ "strict", no_argument, NULL, 's' }, { "json", no_argument, NULL, 'j' },
		{ "resend", no_argument, NULL, 'R' }, { "batch", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->db = optarg; break;
		case 'c': a->campaign = optarg; break;
		case 'C': a->cert = optarg; break;
		case 'K': a->key = optarg; break;
		case 'T': a->to = optarg; break;
		case 'l': case 'L': a->list = optarg; break;
		case 'o': a->out = optarg; break;
		case 'H': a->handover = optarg; break;
		case 'a': a->oa = optarg; break;
		case 'k': a->keep_keys = 1; break;
		case 'e': a->envelope = 1; break;
		case 's': a->strict = 1; break;
		case 'j': a->json = 1; break;
		case 'R': a->resend = 1; break;
		case 'b':
			a->batch = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || a->batch < 1 || a->batch > 10000000)
				return fail(EXIT_USAGE, "--batch", "expected 1..10000000");
			break;
		case 't':
			if (a->ntrust == MAX_FILES)
				return fail(EXIT_USAGE, "--trust", "too many");
			a->trust[a->ntrust++] = optarg;
			break;
		case 'r':
			if (a->nreader == MAX_FILES)
				return fail(EXIT_USAGE, "--reader", "too many");
			a->reader[a->nreader++] = optarg;
			break;
		case 'h': usage(stdout, 0); return -1;
		default: return usage(stderr, EXIT_USAGE);
		}
	}
	if (a->db == NULL)
		return fail(EXIT_USAGE, cmd, "--db is required");
	return 0;
}

/* OPS_E* -> exit status: bad input 2, anything else that failed 1. */
static int ops_exit(int rc)
{
	return rc == OPS_EARG || rc == OPS_EFORMAT ? EXIT_USAGE : EXIT_VERIFY;
}

static void progress_bar(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	int w = 40, k = total ? (int)(done * (uint64_t)w / total) : w;

	(void)ctx;
	fprintf(stderr, "\r%-9s [%.*s%*s] %3d%% %llu/%llu", what, k,
		"########################################", w - k, "",
		total ? (int)(done * 100 / total) : 100, (unsigned long long)done,
		(unsigned long long)total);
	if (done >= total)
		fputc('\n', stderr);
}

static int open_db(const char *path, unsigned flags, struct ops_db **db)
{
	char err[256];
	int rc = ops_db_open(path, flags, db, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "uicc-ota: %s: %s\n", path, err);
	return rc == 0 ? 0 : (rc == OPS_EFORMAT || rc == OPS_EARG ? EXIT_USAGE : EXIT_VERIFY);
}

static int read_text(const char *path, uint8_t **p, size_t *n)
{
	char err[256];

	if (ops_file_read(path, (size_t)1 << 31, p, n, err, sizeof(err)) != 0) {
		fprintf(stderr, "uicc-ota: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

static struct ops_party *load_party(const char *cert, const char *key, int *rc)
{
	char err[256];
	struct ops_party *p = ops_party_load(cert, key, err, sizeof(err));

	if (p == NULL) {
		fprintf(stderr, "uicc-ota: %s: %s\n", cert, err);
		*rc = EXIT_USAGE;
	}
	return p;
}

static void print_bad(const char *file, const struct ops_list *l, const char *suffix)
{
	size_t i;

	for (i = 0; i < l->nbad; i++)
		fprintf(stderr, "uicc-ota: %s: line %u: %s%s\n", file, l->bad[i].line, l->bad[i].why,
			suffix);
}

static json_t *bad_json(const struct ops_list *l)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < l->nbad; i++)
		json_array_append_new(arr, json_pack("{s:i, s:s}", "line", (int)l->bad[i].line,
						     "reason", l->bad[i].why));
	return arr;
}

static int cmd_import(int argc, char **argv)
{
	struct camp_args a;
	struct ops_db *db = NULL;
	struct ops_party *me = NULL;
	struct ops_trust *trust = NULL;
	char err[256];
	int rc = camp_parse(argc, argv, &a, "import"), i;

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (optind >= argc || a.ntrust == 0)
		return fail(EXIT_USAGE, "import", "--trust and at least one FILE are required");
	if ((a.cert == NULL) != (a.key == NULL))
		return fail(EXIT_USAGE, "import", "--cert and --key go together");
	if (a.cert != NULL && (me = load_party(a.cert, a.key, &rc)) == NULL)
		return rc;
	trust = ops_trust_load(a.trust, a.ntrust, err, sizeof(err));
	if (trust == NULL) {
		ops_party_free(me);
		return fail(EXIT_USAGE, "--trust", err);
	}
	rc = open_db(a.db, OPS_DB_CREATE, &db);
	for (i = optind; rc == 0 && i < argc; i++) {
		static const char *const what[] = { "key file", "hand-over list (3b)",
						    "hand-over list (3a)" };
		struct ops_import_result r;
		int e = ops_import_file(db, me, trust, argv[i], &r, err, sizeof(err));

		if (e != 0) {
			fprintf(stderr, "uicc-ota: %s: %s (nothing imported from it)\n", argv[i], err);
			rc = ops_exit(e);
			break;
		}
		if (a.json) {
			json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "file", argv[i], "kind",
					      r.what == 0 ? "keys" : r.what == 1 ? "handover-3b"
										 : "handover-3a",
					      "signer", r.signer, "cards", (json_int_t)r.cards,
					      "keysets", (json_int_t)r.keysets, "unchanged",
					      (json_int_t)r.unchanged);

			print_json(j);
		} else {
			printf("%s: %s signed by %s: %llu new cards, %llu key sets stored, %llu unchanged\n",
			       argv[i], what[r.what], r.signer, (unsigned long long)r.cards,
			       (unsigned long long)r.keysets, (unsigned long long)r.unchanged);
		}
	}
	ops_db_close(db);
	ops_trust_free(trust);
	ops_party_free(me);
	return rc;
}

static int run_campaign(struct camp_args *a, int kind)
{
	struct ops_campaign_params p;
	struct ops_campaign_result r;
	struct ops_party *me = NULL, *to = NULL;
	struct ops_db *db = NULL;
	uint8_t *list = NULL;
	size_t list_len = 0;
	char err[256];
	int rc = 0, e;

	memset(&p, 0, sizeof(p));
	if (kind != OPS_KIND_REKEY && a->handover != NULL &&
	    (me = load_party(a->cert, a->key, &rc)) == NULL)
		goto out;
	if (kind == OPS_KIND_3A && a->handover != NULL && (to = load_party(a->to, NULL, &rc)) == NULL)
		goto out;
	rc = read_text(a->list, &list, &list_len);
	if (rc == 0)
		rc = open_db(a->db, 0, &db);
	if (rc != 0)
		goto out;
	p.name = a->campaign;
	p.kind = kind;
	p.list = (const char *)list;
	p.list_len = list_len;
	p.strict = a->strict;
	p.out = a->out;
	p.envelope = a->envelope;
	p.handover = a->handover;
	p.signer = me;
	p.recipient = to;
	p.oa = a->oa;
	p.batch = (size_t)a->batch;
	if (isatty(2)) {
		p.progress = progress_bar;
		p.progress_ctx = NULL;
	}
	e = ops_campaign_run(db, &p, &r, err, sizeof(err));
	print_bad(a->list, &r.list, a->strict ? "" : " (skipped)");
	if (e != 0) {
		fprintf(stderr, "uicc-ota: %s: %s\n", a->campaign, err);
		rc = e == OPS_EREFUSED ? EXIT_USAGE : ops_exit(e);
	} else {
		if (a->json) {
			json_t *j = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I}", "campaign",
					      a->campaign, "kind", ops_kind_name(kind), "created",
					      r.created, "rows", (json_int_t)r.rows, "built",
					      (json_int_t)r.built, "already", (json_int_t)r.already,
					      "messages", (json_int_t)r.total, "bad_rows",
					      (json_int_t)r.list.nbad);

			json_object_set_new(j, "bad", bad_json(&r.list));
			print_json(j);
		} else {
			printf("campaign %s (%s): %llu rows, %llu messages built now, %llu already there, "
			       "%llu in all; %zu bad rows\n", a->campaign, ops_kind_name(kind),
			       (unsigned long long)r.rows, (unsigned long long)r.built,
			       (unsigned long long)r.already, (unsigned long long)r.total, r.list.nbad);
		}
		rc = r.list.nbad > 0 ? EXIT_USAGE : 0;
	}
	ops_campaign_result_free(&r);
out:
	ops_db_close(db);
	if (list != NULL)
		ops_cms_free(list, list_len);
	ops_party_free(me);
	ops_party_free(to);
	return rc;
}

static int cmd_switch(int argc, char **argv)
{
	struct camp_args a;
	int rc = camp_parse(argc, argv, &a, "switch");

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (a.campaign == NULL || a.list == NULL || a.out == NULL || a.handover == NULL ||
	    a.cert == NULL || a.key == NULL || optind != argc)
		return fail(EXIT_USAGE, "switch", "--campaign, --imsi-list, --out, --handover, "
			    "--cert and --key are required");
	if (a.keep_keys && a.to == NULL)
		return fail(EXIT_USAGE, "switch", "--keep-keys: the hand-over carries keys, --to "
			    "(the new operator's certificate) is required");
	return run_campaign(&a, a.keep_keys ? OPS_KIND_3A : OPS_KIND_3B);
}

static int cmd_rekey(int argc, char **argv)
{
	struct camp_args a;
	int rc = camp_parse(argc, argv, &a, "rekey");

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (a.campaign == NULL || a.list == NULL || a.out == NULL || optind != argc)
		return fail(EXIT_USAGE, "rekey", "--campaign, --iccid-list and --out are required");
	a.handover = NULL;
	return run_campaign(&a, OPS_KIND_REKEY);
}

static int cmd_por(int argc, char **argv)
{
	struct camp_args a;
	struct ops_por_result r;
	struct ops_db *db = NULL;
	uint8_t *text = NULL;
	size_t len = 0, input_bad;
	char err[256];
	int rc = camp_parse(argc, argv, &a, "por"), e;

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (a.campaign == NULL || optind + 1 != argc)
		return fail(EXIT_USAGE, "por", "--campaign and one FILE are required");
	rc = read_text(argv[optind], &text, &len);
	if (rc == 0)
		rc = open_db(a.db, 0, &db);
	if (rc != 0)
		goto out;
	e = ops_por_file(db, a.campaign, (const char *)text, len, &r, err, sizeof(err));
	if (e != 0) {
		fprintf(stderr, "uicc-ota: %s: %s\n", argv[optind], err);
		rc = e == OPS_ENOTFOUND ? EXIT_USAGE : ops_exit(e);
		ops_por_result_free(&r);
		goto out;
	}
	print_bad(argv[optind], &r.list, "");
	input_bad = r.list.nbad - (size_t)(r.failed + r.ignored);
	if (a.json) {
		json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:I}", "campaign", a.campaign, "done",
				      (json_int_t)r.done, "failed", (json_int_t)r.failed, "ignored",
				      (json_int_t)r.ignored, "bad_rows", (json_int_t)input_bad);

		json_object_set_new(j, "problems", bad_json(&r.list));
		print_json(j);
	} else {
		printf("campaign %s: %llu PoRs verified done, %llu failed, %llu ignored, %zu bad rows\n",
		       a.campaign, (unsigned long long)r.done, (unsigned long long)r.failed,
		       (unsigned long long)r.ignored, input_bad);
	}
	rc = r.failed > 0 ? EXIT_VERIFY : input_bad > 0 ? EXIT_USAGE : 0;
	ops_por_result_free(&r);
out:
	ops_db_close(db);
	free(text);
	return rc;
}

struct status_ctx {
	struct ops_db *db;
	const char *only;
	json_t *arr;
	int json, found;
	char *err;
};

static int status_one(void *ctx, const struct ops_campaign *c)
{
	struct status_ctx *s = ctx;
	uint64_t n[OPS_MSG_NSTATES], total = 0;
	int i, rc;

	if (s->only != NULL && strcmp(s->only, c->name) != 0)
		return 0;
	s->found = 1;
	rc = ops_db_msg_counts(s->db, c->id, n, s->err, 256);
	if (rc != 0)
		return rc;
	for (i = 0; i < OPS_MSG_NSTATES; i++)
		total += n[i];
	if (s->json) {
		json_t *j = json_pack("{s:s, s:s, s:I}", "campaign", c->name, "kind",
				      ops_kind_name(c->kind), "messages", (json_int_t)total);

		for (i = 0; i < OPS_MSG_NSTATES; i++)
			json_object_set_new(j, ops_msg_state_name(i), json_integer((json_int_t)n[i]));
		json_array_append_new(s->arr, j);
	} else {
		printf("campaign %s (%s): %llu messages:", c->name, ops_kind_name(c->kind),
		       (unsigned long long)total);
		for (i = 0; i < OPS_MSG_NSTATES; i++)
			printf(" %s %llu", ops_msg_state_name(i), (unsigned long long)n[i]);
		putchar('\n');
	}
	return 0;
}

static int cmd_status(int argc, char **argv)
{
	struct camp_args a;
	struct status_ctx s;
	struct ops_db *db = NULL;
	uint64_t act = 0, ho = 0;
	char err[256] = "";
	int rc = camp_parse(argc, argv, &a, "status"), e;

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (optind != argc)
		return usage(stderr, EXIT_USAGE);
	rc = open_db(a.db, 0, &db);
	if (rc != 0)
		return rc;
	memset(&s, 0, sizeof(s));
	s.db = db;
	s.only = a.campaign;
	s.json = a.json;
	s.arr = json_array();
	s.err = err;
	e = ops_db_card_counts(db, &act, &ho, err, sizeof(err));
	if (e == 0 && !a.json)
		printf("cards: %llu active, %llu handed over\n", (unsigned long long)act,
		       (unsigned long long)ho);
	if (e == 0)
		e = ops_db_campaign_each(db, status_one, &s, err, sizeof(err));
	if (e != 0) {
		fprintf(stderr, "uicc-ota: status: %s\n", err);
		rc = EXIT_VERIFY;
	} else if (a.campaign != NULL && !s.found) {
		fprintf(stderr, "uicc-ota: status: no campaign %s\n", a.campaign);
		rc = EXIT_USAGE;
	} else if (a.json) {
		json_t *j = json_pack("{s:{s:I, s:I}, s:O}", "cards", "active", (json_int_t)act,
				      "handed_over", (json_int_t)ho, "campaigns", s.arr);

		print_json(j);
	}
	json_decref(s.arr);
	ops_db_close(db);
	return rc;
}

static void send_report(void *ctx, const char *reader, const char *iccid, const char *what)
{
	const struct camp_args *a = ctx;

	if (a->json) {
		json_t *j = json_pack("{s:s, s:s, s:s}", "reader", reader, "iccid", iccid != NULL ? iccid : "",
				      "outcome", what);

		print_json(j);
	} else {
		printf("%s: %s: %s\n", reader, iccid != NULL && *iccid ? iccid : "-", what);
	}
}

static int cmd_send(int argc, char **argv)
{
	struct camp_args a;
	struct ops_send_params p;
	struct ops_send_result r;
	struct ops_db *db = NULL;
	char err[256];
	int rc = camp_parse(argc, argv, &a, "send"), e;

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (a.campaign == NULL || a.nreader == 0 || optind != argc)
		return fail(EXIT_USAGE, "send", "--campaign and --reader are required");
	rc = open_db(a.db, 0, &db);
	if (rc != 0)
		return rc;
	memset(&p, 0, sizeof(p));
	p.campaign = a.campaign;
	p.readers = a.reader;
	p.nreaders = a.nreader;
	p.resend = a.resend;
	p.report = send_report;
	p.report_ctx = &a;
	e = ops_send(db, &p, &r, err, sizeof(err));
	if (e != 0) {
		fprintf(stderr, "uicc-ota: send: %s\n", err);
		rc = e == OPS_ENOTFOUND ? EXIT_USAGE : ops_exit(e);
	} else {
		rc = r.failed || r.errors || r.skipped || r.nomsg || r.nopor ? EXIT_VERIFY : 0;
	}
	ops_db_close(db);
	return rc;
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
	if (strcmp(argv[1], "import") == 0)
		return cmd_import(argc - 1, argv + 1);
	if (strcmp(argv[1], "switch") == 0)
		return cmd_switch(argc - 1, argv + 1);
	if (strcmp(argv[1], "rekey") == 0)
		return cmd_rekey(argc - 1, argv + 1);
	if (strcmp(argv[1], "send") == 0)
		return cmd_send(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "por") == 0 && (argc < 3 || strcmp(argv[2], "parse") != 0))
		return cmd_por(argc - 1, argv + 1);
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
