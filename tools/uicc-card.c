/*
 * uicc-card - run a card image: APDUs from the command line, or served to
 * pcscd through the vpcd reader driver (or over NFC).  Thin: the card is
 * libuicc, persistence is the image store, the reader protocol is vpcd.c.
 * See uicc-card(1).
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/secmem.h"
#include "tools/nfc_serve.h"
#include "tools/toolutil.h"
#include "tools/vpcd.h"
#include "uicckit/image.h"

static const char *prog = "uicc-card";
static volatile sig_atomic_t stop_flag;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uicc-card apdu [-v] [--t0] CARD.json APDU...\n"
		"       uicc-card serve [-v] [--direct] CARD.json [--vpcd HOST:PORT] [--nfc[=CONNSTRING]]\n"
		"apdu:  one card session (power-up, the APDUs, power-down); prints each\n"
		"       response as hex (data then SW1 SW2), one line per APDU; -v adds a\n"
		"       decoded view on stderr; --t0 answers as a T=0 UICC (61xx, 6Cxx).\n"
		"serve: serves the card to pcscd's vpcd driver (default 127.0.0.1:35963) in\n"
		"       T=0 mode (--direct: data directly), or as an ISO 14443-4 target on\n"
		"       a libnfc device; stops on SIGINT/SIGTERM.\n"
		"Every command's changes are saved to CARD.json atomically.\n"
		"exit status: 0 ok, 1 card/storage/device error, 2 usage or input error\n");
}

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static const char *sw_text(unsigned sw)
{
	switch (sw >> 8) {
	case 0x61: return "response bytes available (GET RESPONSE)";
	case 0x6c: return "wrong Le; SW2 = exact length";
	case 0x91: return "normal ending, proactive command pending";
	case 0x63: return (sw & 0xf0) == 0xc0 ? "verification failed, SW2 low nibble = tries left" :
		"warning";
	default: break;
	}
	switch (sw) {
	case 0x9000: return "normal ending";
	case 0x6282: return "end of file/record reached before Le bytes";
	case 0x6283: return "selected file deactivated";
	case 0x6581: return "memory problem (state not saved)";
	case 0x6700: return "wrong length";
	case 0x6881: return "logical channel not supported";
	case 0x6981: return "command incompatible with file structure";
	case 0x6982: return "security status not satisfied";
	case 0x6983: return "authentication/PIN method blocked";
	case 0x6985: return "conditions of use not satisfied";
	case 0x6986: return "command not allowed (no EF selected)";
	case 0x6a80: return "incorrect parameters in the data field";
	case 0x6a81: return "function not supported";
	case 0x6a82: return "file or application not found";
	case 0x6a83: return "record not found";
	case 0x6a86: return "incorrect P1/P2";
	case 0x6a88: return "referenced data not found";
	case 0x6b00: return "wrong parameters P1-P2";
	case 0x6d00: return "instruction not supported";
	case 0x6e00: return "class not supported";
	case 0x6f00: return "technical problem";
	case 0x9862: return "authentication error, incorrect MAC";
	case 0x9864: return "authentication error, security context not supported";
	default: return "";
	}
}

struct card_ctx {
	struct uicc *card;
};

static size_t ctx_power_on(void *ctx, uint8_t *atr, size_t cap)
{
	return uicc_power_on(((struct card_ctx *)ctx)->card, atr, cap);
}

static void ctx_power_off(void *ctx)
{
	uicc_power_off(((struct card_ctx *)ctx)->card);
}

static size_t ctx_transmit(void *ctx, const uint8_t *c, size_t n, uint8_t *r, size_t cap)
{
	return uicc_transmit(((struct card_ctx *)ctx)->card, c, n, r, cap);
}

static const struct uk_vpcd_card vpcd_ops = {
	.power_on = ctx_power_on,
	.power_off = ctx_power_off,
	.transmit = ctx_transmit,
};

static struct uicc *open_card(const char *path, struct uicc_image_store *st)
{
	char err[512];
	struct uicc *card = uicc_image_load(path, err, sizeof(err));

	if (card == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return NULL;
	}
	memset(st, 0, sizeof(*st));
	st->path = path;
	uicc_set_store(card, &uicc_image_store_ops, st);
	return card;
}

static void print_hex_line(FILE *f, const char *prefix, const uint8_t *p, size_t n)
{
	size_t i;

	fputs(prefix, f);
	for (i = 0; i < n; i++)
		fprintf(f, "%02X", p[i]);
	fputc('\n', f);
}

static int cmd_apdu(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "t0", no_argument, NULL, 't' }, { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct uicc_image_store st;
	struct uicc *card;
	uint8_t **capdu = NULL, atr[UICC_ATR_MAX], *rapdu = NULL;
	size_t *clen = NULL, atr_len, i, n;
	int t0 = 0, verbose = 0, c, rc = UK_EXIT_USAGE, saved_ok = 1;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 't': t0 = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return UK_EXIT_OK;
		default: usage(stderr); return UK_EXIT_USAGE;
		}
	}
	if (argc - optind < 2) {
		usage(stderr);
		return UK_EXIT_USAGE;
	}
	n = (size_t)(argc - optind - 1);
	capdu = calloc(n, sizeof(*capdu));
	clen = calloc(n, sizeof(*clen));
	rapdu = malloc(UICC_RAPDU_MAX);
	if (capdu == NULL || clen == NULL || rapdu == NULL)
		goto done;
	/* Check every argument before the card is touched. */
	for (i = 0; i < n; i++) {
		const char *arg = argv[optind + 1 + (int)i];
		char name[32];

		capdu[i] = malloc(strlen(arg) / 2 + 1);
		snprintf(name, sizeof(name), "APDU %zu", i + 1);
		if (capdu[i] == NULL ||
		    uk_arg_hex(prog, name, arg, capdu[i], strlen(arg) / 2 + 1, 0, &clen[i]) != 0)
			goto done;
		if (clen[i] < 4) {
			fprintf(stderr, "%s: %s: a command APDU has at least 4 bytes\n", prog, name);
			goto done;
		}
	}
	card = open_card(argv[optind], &st);
	if (card == NULL) {
		rc = UK_EXIT_FAIL;
		goto done;
	}
	uicc_set_transport(card, t0 ? UICC_TRANSPORT_T0 : UICC_TRANSPORT_DIRECT);
	atr_len = uicc_power_on(card, atr, sizeof(atr));
	if (verbose)
		print_hex_line(stderr, "ATR ", atr, atr_len);
	for (i = 0; i < n; i++) {
		size_t len = uicc_transmit(card, capdu[i], clen[i], rapdu, UICC_RAPDU_MAX);
		unsigned sw = (unsigned)rapdu[len - 2] << 8 | rapdu[len - 1];

		print_hex_line(stdout, "", rapdu, len);
		if (verbose) {
			print_hex_line(stderr, "-> ", capdu[i], clen[i]);
			if (len > 2)
				print_hex_line(stderr, "<- data ", rapdu, len - 2);
			fprintf(stderr, "<- SW %04X %s\n", sw, sw_text(sw));
		}
		if (sw == 0x6581) {
			fprintf(stderr, "%s: %s\n", prog, st.err[0] ? st.err : "card memory problem");
			saved_ok = 0;
		}
	}
	uicc_power_off(card);
	uicc_free(card);
	rc = saved_ok ? UK_EXIT_OK : UK_EXIT_FAIL;
done:
	if (capdu != NULL)
		for (i = 0; i < n; i++)
			free(capdu[i]);
	free(capdu);
	free(clen);
	free(rapdu);
	return rc;
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vpcd", required_argument, NULL, 'p' }, { "nfc", optional_argument, NULL, 'n' },
		{ "direct", no_argument, NULL, 'd' }, { "t0", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vpcd = "127.0.0.1:35963", *nfc_cs = NULL, *path = NULL;
	int use_nfc = 0, direct = 0, verbose = 0, c, rc;
	struct uicc_image_store st;
	struct uk_vpcd_stats stats = { 0 };
	struct card_ctx ctx;
	struct sigaction sa;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'p': vpcd = optarg; break;
		case 'n': use_nfc = 1; nfc_cs = optarg; break;
		case 'd': direct = 1; break;
		case 't': direct = 0; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return UK_EXIT_OK;
		default: usage(stderr); return UK_EXIT_USAGE;
		}
	}
	if (argc - optind < 1) {
		usage(stderr);
		return UK_EXIT_USAGE;
	}
	path = argv[optind++];
	/* `--nfc CONNSTRING` as well as `--nfc=CONNSTRING` */
	if (use_nfc && nfc_cs == NULL && optind < argc)
		nfc_cs = argv[optind++];
	if (optind != argc) {
		usage(stderr);
		return UK_EXIT_USAGE;
	}
	ctx.card = open_card(path, &st);
	if (ctx.card == NULL)
		return UK_EXIT_FAIL;
	uicc_set_transport(ctx.card, direct ? UICC_TRANSPORT_DIRECT : UICC_TRANSPORT_T0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (use_nfc) {
		rc = uk_nfc_serve_main_log(ctx.card, nfc_cs, &stop_flag, stderr, verbose);
		uicc_free(ctx.card);
		return rc == 0 ? UK_EXIT_OK : UK_EXIT_FAIL;
	}
	rc = uk_vpcd_run(vpcd, &vpcd_ops, &ctx, &stop_flag, &stats, stderr);
	if (rc != 0)
		fprintf(stderr, "%s: --vpcd %s: want HOST:PORT\n", prog, vpcd);
	else if (verbose)
		fprintf(stderr, "%s: stopped after %lu APDUs, %lu resets, %lu connections\n",
			prog, stats.apdus, stats.resets, stats.connects);
	uicc_free(ctx.card);
	return rc == 0 ? UK_EXIT_OK : UK_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	uk_json_cleansing_alloc();
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return UK_EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "apdu") == 0)
		return cmd_apdu(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	usage(stderr);
	return UK_EXIT_USAGE;
}
