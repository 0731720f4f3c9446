/*
 * nfc_main.c - the struct uicc side of the NFC front end: the card adapter
 * (uk_nfc_uicc_ops) and uk_nfc_serve_main(), which `uicc-card serve --nfc`
 * calls (contract in nfc_serve.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#include "uicckit/uicc.h"
#include "tools/nfc_serve.h"
#ifdef HAVE_LIBNFC
#include "tools/nfc_libnfc.h"
#endif

static size_t card_power_on(void *card, uint8_t *atr, size_t cap)
{
	return uicc_power_on(card, atr, cap);
}

static void card_power_off(void *card)
{
	uicc_power_off(card);
}

static size_t card_transmit(void *card, const uint8_t *capdu, size_t len,
			    uint8_t *rapdu, size_t cap)
{
	return uicc_transmit(card, capdu, len, rapdu, cap);
}

const struct uk_nfc_card_ops uk_nfc_uicc_ops = {
	.power_on = card_power_on,
	.power_off = card_power_off,
	.transmit = card_transmit,
};

int uk_nfc_serve_main_log(struct uicc *card, const char *connstring,
			  volatile sig_atomic_t *stop, FILE *log, int trace)
{
#ifdef HAVE_LIBNFC
	struct uk_nfc_serve_opts opts;
	struct uk_nfc_stats stats = { 0, 0, 0, 0 };
	struct uk_nfc_libnfc *dev;
	char err[1024];
	int rc;

	if (!card || !stop)
		return UK_NFC_EARG;
	if (!log)
		log = stderr;
	rc = uk_nfc_libnfc_open(connstring, stop, &dev, err, sizeof err);
	if (rc < 0) {
		fprintf(log, "nfc: %s\n", err[0] ? err : uk_nfc_strerror(rc));
		return rc;
	}
	fprintf(log, "nfc: serving the card on %s (%s)\n",
		uk_nfc_libnfc_name(dev), uk_nfc_libnfc_connstring(dev));
	/* ISO/IEC 14443-4 carries whole R-APDUs: no T=0 61xx/6Cxx. */
	uicc_set_transport(card, UICC_TRANSPORT_DIRECT);
	uk_nfc_serve_opts_init(&opts);
	opts.log = log;
	opts.trace = trace;
	rc = uk_nfc_serve(&uk_nfc_uicc_ops, card, &uk_nfc_libnfc_ops, dev,
			  &opts, stop, &stats);
	uk_nfc_libnfc_close(dev);
	fprintf(log, "nfc: %lu reader session(s), %lu APDU(s), %lu release(s)"
		"%s%s\n", stats.sessions, stats.apdus, stats.releases,
		rc < 0 ? "; stopped: " : "", rc < 0 ? uk_nfc_strerror(rc) : "");
	return rc;
#else
	(void)card;
	(void)connstring;
	(void)stop;
	(void)trace;
	fprintf(log ? log : stderr, "nfc: %s\n",
		uk_nfc_strerror(UK_NFC_ENOLIBNFC));
	return UK_NFC_ENOLIBNFC;
#endif
}

int uk_nfc_serve_main(struct uicc *card, const char *connstring,
		      volatile sig_atomic_t *stop)
{
	return uk_nfc_serve_main_log(card, connstring, stop, stderr, 0);
}
