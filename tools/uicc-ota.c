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
#include "common/hex.h"
#include "uicckit/envelope.h"
#include "uicckit/rfm.h"
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
	"                 [--json] HEX   (packet, SMS user data, SMS-DELIVER or ENVELOPE)\n"
	"  por parse      --spi HEX --kic HEX --kid HEX --kic-key HEX --kid-key HEX\n"
	"                 [--tar HEX] [--cntr HEX] [--json] HEX   (PoR with or without 02 71 00)\n"
	"  rfm build      --format compact|expanded [--indefinite] [--json] APDU...\n"
	"  rfm parse      [--json] HEX   (a compact or expanded command script)\n"
	"  rfm parse-response [--json] HEX\n"
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
/* rfm                                                                 */

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
	if (strcmp(argv[1], "rfm") == 0) {
		if (strcmp(argv[2], "build") == 0)
			return rfm_build(argc - 2, argv + 2);
		if (strcmp(argv[2], "parse") == 0)
			return rfm_parse(argc - 2, argv + 2);
		if (strcmp(argv[2], "parse-response") == 0)
			return rfm_parse_response(argc - 2, argv + 2);
	}
	return usage(stderr, EXIT_USAGE);
}
