/*
 * term_link.c - uicc-term's card links (term.h): a card image run in
 * process (libuicc + the image store, like `uicc-card apdu`), or a card in
 * a PC/SC reader (pcsc-lite).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <winscard.h>

#include "tools/term.h"
#include "uicckit/image.h"

/* ------------------------------------------------------------------ */
/* In process                                                          */

struct image_link {
	struct uicc *card;
	struct uicc_image_store st;
	char *path;
	int powered;
};

static int img_power(void *ctx, enum term_power how, uint8_t *atr, size_t cap, size_t *atr_len,
		     char *err, size_t errlen)
{
	struct image_link *l = ctx;

	(void)err;
	(void)errlen;
	if (how == TERM_POWER_COLD && l->powered)
		uicc_power_off(l->card);
	*atr_len = uicc_power_on(l->card, atr, cap);
	l->powered = 1;
	return 0;
}

static int img_transmit(void *ctx, const uint8_t *c, size_t n, uint8_t *r, size_t cap,
			size_t *rlen, char *err, size_t errlen)
{
	struct image_link *l = ctx;
	size_t len;

	if (cap < UICC_RAPDU_MAX) {
		snprintf(err, errlen, "response buffer too small");
		return TERM_EARG;
	}
	len = uicc_transmit(l->card, c, n, r, cap);
	if (len < 2) {
		snprintf(err, errlen, "card gave no answer");
		return TERM_ELINK;
	}
	if (r[len - 2] == 0x65 && r[len - 1] == 0x81 && l->st.err[0] != '\0') {
		/* the store failed: the card rolled back; say why */
		snprintf(err, errlen, "card image not saved: %s", l->st.err);
		*rlen = len;
		return TERM_ELINK;
	}
	*rlen = len;
	return 0;
}

static void img_close(void *ctx)
{
	struct image_link *l = ctx;

	if (l == NULL)
		return;
	if (l->card != NULL) {
		if (l->powered)
			uicc_power_off(l->card);
		uicc_free(l->card);
	}
	free(l->path);
	free(l);
}

static const struct term_link_ops image_ops = {
	.kind = "image",
	.power = img_power,
	.transmit = img_transmit,
	.close = img_close,
};

int term_link_image_open(const char *path, int t0, struct term_link *link, char *err,
			 size_t errlen)
{
	struct image_link *l = calloc(1, sizeof(*l));

	if (l == NULL || (l->path = strdup(path)) == NULL) {
		free(l);
		snprintf(err, errlen, "out of memory");
		return TERM_ENOMEM;
	}
	l->card = uicc_image_load(path, err, errlen);
	if (l->card == NULL) {
		img_close(l);
		return TERM_EARG;
	}
	l->st.path = l->path;
	uicc_set_store(l->card, &uicc_image_store_ops, &l->st);
	uicc_set_transport(l->card, t0 ? UICC_TRANSPORT_T0 : UICC_TRANSPORT_DIRECT);
	link->ops = &image_ops;
	link->ctx = l;
	return 0;
}

/* ------------------------------------------------------------------ */
/* PC/SC                                                               */

struct pcsc_link {
	SCARDCONTEXT cx;
	SCARDHANDLE h;
	DWORD proto;
	int connected, unpower;
	char *reader;
};

static void pcsc_reason(char *err, size_t errlen, const char *what, LONG rv)
{
	snprintf(err, errlen, "%s: %s (0x%08lX)", what, pcsc_stringify_error(rv),
		 (unsigned long)rv);
}

static int pcsc_atr(struct pcsc_link *l, uint8_t *atr, size_t cap, size_t *atr_len, char *err,
		    size_t errlen)
{
	char name[256];
	DWORD nlen = sizeof(name), state = 0, proto = 0, alen = MAX_ATR_SIZE;
	BYTE a[MAX_ATR_SIZE];
	LONG rv = SCardStatus(l->h, name, &nlen, &state, &proto, a, &alen);

	if (rv != SCARD_S_SUCCESS) {
		pcsc_reason(err, errlen, "SCardStatus", rv);
		return TERM_ELINK;
	}
	if (alen > cap)
		alen = (DWORD)cap;
	memcpy(atr, a, alen);
	*atr_len = alen;
	return 0;
}

/* A module waits for its card: up to CARD_WAIT_MS for the reader to
 * report one present (a card served by vpcd appears a moment after its
 * server starts).  Whatever the outcome, SCardConnect says what it finds. */
#define CARD_WAIT_MS 10000
#define CONNECT_TRIES 25	/* x 200 ms, after the wait */

static void wait_card(struct pcsc_link *l)
{
	SCARD_READERSTATE rs;
	int waited = 0;

	memset(&rs, 0, sizeof(rs));
	rs.szReader = l->reader;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	while (waited < CARD_WAIT_MS) {
		LONG rv = SCardGetStatusChange(l->cx, 500, &rs, 1);

		if (rv == SCARD_S_SUCCESS && (rs.dwEventState & SCARD_STATE_PRESENT))
			return;
		if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
			return;
		if (rv == SCARD_S_SUCCESS)
			rs.dwCurrentState = rs.dwEventState;
		waited += 500;
	}
}

static int pcsc_power(void *ctx, enum term_power how, uint8_t *atr, size_t cap, size_t *atr_len,
		      char *err, size_t errlen)
{
	struct pcsc_link *l = ctx;
	LONG rv;

	if (!l->connected) {
		int tries = 0;

		/* a card that was just swapped may show as present but not yet
		 * powered (or the old one as still there): try again a while */
		do {
			struct timespec ts = { 0, 200 * 1000 * 1000 };

			if (tries > 0)
				nanosleep(&ts, NULL);
			else
				wait_card(l);
			rv = SCardConnect(l->cx, l->reader, SCARD_SHARE_EXCLUSIVE,
					  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &l->h, &l->proto);
		} while ((rv == (LONG)SCARD_W_UNPOWERED_CARD || rv == (LONG)SCARD_E_NO_SMARTCARD ||
			  rv == (LONG)SCARD_W_REMOVED_CARD || rv == (LONG)SCARD_W_UNRESPONSIVE_CARD) &&
			 ++tries < CONNECT_TRIES);
		if (rv != SCARD_S_SUCCESS) {
			pcsc_reason(err, errlen, l->reader, rv);
			return TERM_ELINK;
		}
		l->connected = 1;
	}
	/* A new session: reset, or (unpower) power the card down and up.
	 * Measured with pcscd + vpcd: SCARD_UNPOWER_CARD reaches the card as
	 * power-on plus reset, which the card counts as two sessions, so the
	 * default is a reset: one session per power-up.  Warm: reset. */
	rv = SCardReconnect(l->h, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			    how == TERM_POWER_COLD && l->unpower ? SCARD_UNPOWER_CARD :
			    SCARD_RESET_CARD,
			    &l->proto);
	if (rv != SCARD_S_SUCCESS) {
		pcsc_reason(err, errlen, "SCardReconnect", rv);
		return TERM_ELINK;
	}
	return pcsc_atr(l, atr, cap, atr_len, err, errlen);
}

static int pcsc_transmit(void *ctx, const uint8_t *c, size_t n, uint8_t *r, size_t cap,
			 size_t *rlen, char *err, size_t errlen)
{
	struct pcsc_link *l = ctx;
	const SCARD_IO_REQUEST *pci = l->proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	DWORD len = (DWORD)(cap > MAX_BUFFER_SIZE_EXTENDED ? MAX_BUFFER_SIZE_EXTENDED : cap);
	LONG rv;

	if (!l->connected) {
		snprintf(err, errlen, "card not powered");
		return TERM_ELINK;
	}
	rv = SCardTransmit(l->h, pci, c, (DWORD)n, NULL, r, &len);
	if (rv != SCARD_S_SUCCESS) {
		pcsc_reason(err, errlen, "SCardTransmit", rv);
		return TERM_ELINK;
	}
	if (len < 2) {
		snprintf(err, errlen, "SCardTransmit: answer of %lu bytes", (unsigned long)len);
		return TERM_ELINK;
	}
	*rlen = len;
	return 0;
}

static void pcsc_close(void *ctx)
{
	struct pcsc_link *l = ctx;

	if (l == NULL)
		return;
	if (l->connected)
		(void)SCardDisconnect(l->h, SCARD_UNPOWER_CARD);
	(void)SCardReleaseContext(l->cx);
	free(l->reader);
	free(l);
}

static const struct term_link_ops pcsc_ops = {
	.kind = "pcsc",
	.power = pcsc_power,
	.transmit = pcsc_transmit,
	.close = pcsc_close,
};

int term_link_pcsc_open(const char *reader, int unpower, struct term_link *link, char *err,
			size_t errlen)
{
	struct pcsc_link *l = calloc(1, sizeof(*l));
	LONG rv;

	if (l == NULL || (l->reader = strdup(reader)) == NULL) {
		free(l);
		snprintf(err, errlen, "out of memory");
		return TERM_ENOMEM;
	}
	l->unpower = unpower;
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &l->cx);
	if (rv != SCARD_S_SUCCESS) {
		pcsc_reason(err, errlen, "SCardEstablishContext (is pcscd running?)", rv);
		free(l->reader);
		free(l);
		return TERM_ELINK;
	}
	link->ops = &pcsc_ops;
	link->ctx = l;
	return 0;
}

void term_link_close(struct term_link *l)
{
	if (l == NULL || l->ops == NULL)
		return;
	l->ops->close(l->ctx);
	l->ops = NULL;
	l->ctx = NULL;
}
