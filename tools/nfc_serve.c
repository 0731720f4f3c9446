/*
 * nfc_serve.c - the contactless serve loop (contract in nfc_serve.h).
 *
 * One reader session = one activation of the emulated PICC: ISO/IEC
 * 14443-4 has no ATR and no power contact, so the card is powered on when a
 * reader activates the target (RATS answered) and powered off when the
 * reader releases it (S(DESELECT), field off, or any RF/link error), which
 * is what a contactless UICC sees when it leaves and re-enters the field.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tools/nfc_serve.h"

#define DEFAULT_MAX_INIT_FAILURES 3

void uk_nfc_serve_opts_init(struct uk_nfc_serve_opts *opts)
{
	memset(opts, 0, sizeof *opts);
	/* ISO/IEC 14443-3 §6.5.2: ATQA 00 04 = single-size UID, bit frame
	 * anticollision; SAK 20 = UID complete, ISO/IEC 14443-4 compliant. */
	opts->target.atqa[0] = 0x00;
	opts->target.atqa[1] = 0x04;
	opts->target.uid[0] = 0x55;
	opts->target.uid[1] = 0x4B;
	opts->target.uid[2] = 0x01;
	opts->target.sak = 0x20;
	opts->timeout_ms = 0;
	opts->max_init_failures = DEFAULT_MAX_INIT_FAILURES;
}

const char *uk_nfc_strerror(int err)
{
	switch (err) {
	case UK_NFC_OK: return "success";
	case UK_NFC_ETIMEOUT: return "timeout";
	case UK_NFC_ERELEASED: return "target released by the reader (field lost)";
	case UK_NFC_EABORTED: return "operation aborted";
	case UK_NFC_EDEVICE: return "NFC device error";
	case UK_NFC_ENOSUPPORT:
		return "device cannot emulate an ISO/IEC 14443-4 type A card";
	case UK_NFC_ENODEV: return "no usable NFC device";
	case UK_NFC_ENOMEM: return "out of memory";
	case UK_NFC_EARG: return "bad argument";
	case UK_NFC_ENOLIBNFC:
		return "built without libnfc (configure --with-libnfc)";
	default: return "unknown NFC error";
	}
}

static void log_hex(FILE *log, const char *tag, const uint8_t *p, size_t n)
{
	size_t i, shown = n > 300 ? 300 : n;

	fprintf(log, "nfc: %s", tag);
	for (i = 0; i < shown; i++)
		fprintf(log, "%s%02X", i ? "" : " ", p[i]);
	if (shown < n)
		fprintf(log, "... (%zu bytes)", n);
	fputc('\n', log);
}

struct serve_ctx {
	const struct uk_nfc_card_ops *cops;
	void *card;
	const struct uk_nfc_dev_ops *dops;
	void *dev;
	const struct uk_nfc_serve_opts *opts;
	volatile sig_atomic_t *stop;
	struct uk_nfc_stats *stats;
	uint8_t *capdu;		/* UK_NFC_CAPDU_MAX */
	uint8_t *rapdu;		/* UK_NFC_RAPDU_MAX */
};

/* Runs one C-APDU through the card and sends the answer.  Returns 0 or
 * the device's error from send(). */
static int answer(struct serve_ctx *c, size_t len)
{
	static const uint8_t sw_6f00[2] = { 0x6F, 0x00 };
	const uint8_t *out = c->rapdu;
	size_t rlen;
	int rc;

	if (c->opts->log && c->opts->trace)
		log_hex(c->opts->log, "C-APDU", c->capdu, len);
	rlen = c->cops->transmit(c->card, c->capdu, len, c->rapdu,
				 UK_NFC_RAPDU_MAX);
	if (rlen < 2 || rlen > UK_NFC_RAPDU_MAX) {
		/* Never forward a malformed answer; ISO/IEC 7816-4 status
		 * bytes: 6F 00 = no precise diagnosis. */
		if (c->opts->log)
			fprintf(c->opts->log,
				"nfc: card returned %zu bytes; sending 6F00\n",
				rlen);
		out = sw_6f00;
		rlen = 2;
	} else if (c->dops->frame_max && rlen > c->dops->frame_max) {
		/* The device cannot carry it, and ISO 14443-4 with the direct
		 * transport has no 61xx/GET RESPONSE to split it. */
		if (c->opts->log)
			fprintf(c->opts->log,
				"nfc: R-APDU of %zu bytes exceeds the device's "
				"%zu-byte frame; sending 6F00\n",
				rlen, c->dops->frame_max);
		c->stats->oversize++;
		out = sw_6f00;
		rlen = 2;
	}
	if (c->opts->log && c->opts->trace)
		log_hex(c->opts->log, "R-APDU", out, rlen);
	rc = c->dops->send(c->dev, out, rlen, c->opts->timeout_ms);
	if (rc < 0)
		return rc;
	c->stats->apdus++;
	return 0;
}

/* One reader session, from activation to release.  When first_len > 0,
 * the first frame is already in c->capdu (a device may deliver the first
 * I-block together with the activation).  Returns
 * UK_NFC_ERELEASED when the reader went away, UK_NFC_EABORTED on stop, or
 * a fatal device error.  Every received frame, even a malformed one, goes
 * to the card, which answers bad input with a status word. */
static int session(struct serve_ctx *c, int first_len)
{
	int have = first_len > 0;
	int n = first_len;
	int rc;

	for (;;) {
		if (have) {
			if ((size_t)n > UK_NFC_CAPDU_MAX)
				return UK_NFC_EDEVICE;	/* broken backend */
			rc = answer(c, (size_t)n);
			if (rc == UK_NFC_ETIMEOUT)
				/* The reader did not take the answer in time:
				 * the exchange, and so the session, is lost. */
				return UK_NFC_ERELEASED;
			if (rc < 0)
				return rc;
			have = 0;
		}
		if (*c->stop)
			return UK_NFC_EABORTED;
		n = c->dops->receive(c->dev, c->capdu, UK_NFC_CAPDU_MAX,
				     c->opts->timeout_ms);
		if (n == UK_NFC_ETIMEOUT)
			continue;	/* reader idle, target still selected */
		if (n == UK_NFC_EABORTED && !*c->stop)
			continue;	/* spurious abort: keep serving */
		if (n < 0)
			return n;
		have = 1;
	}
}

static void log_event(const struct serve_ctx *c, const char *what, int err)
{
	if (!c->opts->log)
		return;
	if (err)
		fprintf(c->opts->log, "nfc: %s: %s\n", what,
			uk_nfc_strerror(err));
	else
		fprintf(c->opts->log, "nfc: %s\n", what);
	fflush(c->opts->log);
}

/* Arms the target until a reader activates it.  Returns the first frame
 * length (>= 0), UK_NFC_EABORTED on stop, or a fatal error once
 * max_init_failures consecutive attempts failed. */
static int arm(struct serve_ctx *c)
{
	int max = c->opts->max_init_failures > 0 ? c->opts->max_init_failures
						  : DEFAULT_MAX_INIT_FAILURES;
	int failures = 0;
	int n;

	for (;;) {
		if (*c->stop)
			return UK_NFC_EABORTED;
		n = c->dops->init_target(c->dev, &c->opts->target, c->capdu,
					 UK_NFC_CAPDU_MAX, c->opts->timeout_ms);
		if (n >= 0)
			return n;
		if (n == UK_NFC_ETIMEOUT || n == UK_NFC_ERELEASED ||
		    (n == UK_NFC_EABORTED && !*c->stop))
			continue;	/* no reader yet, or it went away */
		if (n == UK_NFC_EABORTED)
			return n;
		log_event(c, "arming the target failed", n);
		if (n == UK_NFC_ENOSUPPORT || ++failures >= max)
			return n;
	}
}

int uk_nfc_serve(const struct uk_nfc_card_ops *card_ops, void *card,
		 const struct uk_nfc_dev_ops *dev_ops, void *dev,
		 const struct uk_nfc_serve_opts *opts,
		 volatile sig_atomic_t *stop, struct uk_nfc_stats *stats)
{
	struct uk_nfc_serve_opts defaults;
	struct uk_nfc_stats scratch;
	struct serve_ctx c;
	uint8_t atr[64];
	int rc = 0;

	if (!card_ops || !card_ops->power_on || !card_ops->power_off ||
	    !card_ops->transmit || !dev_ops || !dev_ops->init_target ||
	    !dev_ops->receive || !dev_ops->send || !stop)
		return UK_NFC_EARG;
	if (!opts) {
		uk_nfc_serve_opts_init(&defaults);
		opts = &defaults;
	}
	if (opts->target.hist_len > UK_NFC_HIST_MAX)
		return UK_NFC_EARG;
	memset(&scratch, 0, sizeof scratch);
	c.cops = card_ops;
	c.card = card;
	c.dops = dev_ops;
	c.dev = dev;
	c.opts = opts;
	c.stop = stop;
	c.stats = stats ? stats : &scratch;
	c.capdu = malloc(UK_NFC_CAPDU_MAX);
	c.rapdu = malloc(UK_NFC_RAPDU_MAX);
	if (!c.capdu || !c.rapdu) {
		free(c.capdu);
		free(c.rapdu);
		return UK_NFC_ENOMEM;
	}

	log_event(&c, "target armed, waiting for a reader", 0);
	while (!*stop) {
		int n = arm(&c);
		size_t atr_len;

		if (n < 0) {
			rc = n == UK_NFC_EABORTED ? 0 : n;
			break;
		}
		c.stats->sessions++;
		atr_len = card_ops->power_on(card, atr, sizeof atr);
		log_event(&c, "reader activated the target; card powered on", 0);
		if (opts->log && opts->trace)
			log_hex(opts->log, "ATR (not sent over ISO 14443-4)",
				atr, atr_len < sizeof atr ? atr_len : sizeof atr);
		n = session(&c, n);
		card_ops->power_off(card);
		if (n == UK_NFC_EABORTED) {
			log_event(&c, "stopping; card powered off", 0);
			break;
		}
		if (n == UK_NFC_EDEVICE || n == UK_NFC_ENOSUPPORT ||
		    n == UK_NFC_ENOMEM || n == UK_NFC_EARG) {
			log_event(&c, "device failed; card powered off", n);
			rc = n;
			break;
		}
		/* UK_NFC_ERELEASED and any RF-level error: the reader is gone
		 * (ISO/IEC 14443-4 §8: DESELECT, or field off).  A fresh
		 * activation gets a fresh card session. */
		c.stats->releases++;
		log_event(&c, "reader released the target; card powered off, "
			  "re-arming", 0);
	}
	/* The buffers held PINs (VERIFY) and key material (ENVELOPE). */
	OPENSSL_cleanse(c.capdu, UK_NFC_CAPDU_MAX);
	OPENSSL_cleanse(c.rapdu, UK_NFC_RAPDU_MAX);
	free(c.capdu);
	free(c.rapdu);
	return rc;
}
