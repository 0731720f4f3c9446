/*
 * fake_libnfc.c - libnfc test double (contract in fake_libnfc.h).  Only
 * the functions tools/nfc_libnfc.c calls exist; the test programs that
 * use it do not link libnfc.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "tests/fake_libnfc.h"

struct nfc_context {
	int unused;
};

struct nfc_device {
	struct fake_nfc *f;
	char connstring[64];
};

void fake_nfc_connstring(const struct fake_nfc *f, char *buf, size_t cap)
{
	snprintf(buf, cap, "fake:%p", (const void *)f);
}

void nfc_init(nfc_context **context)
{
	*context = calloc(1, sizeof **context);
}

void nfc_exit(nfc_context *context)
{
	free(context);
}

size_t nfc_list_devices(nfc_context *context, nfc_connstring connstrings[],
			size_t connstrings_len)
{
	(void)context;
	(void)connstrings;
	(void)connstrings_len;
	return 0;
}

nfc_device *nfc_open(nfc_context *context, const nfc_connstring connstring)
{
	nfc_device *pnd;
	void *p = NULL;

	(void)context;
	if (!connstring || sscanf(connstring, "fake:%p", &p) != 1 || !p)
		return NULL;
	pnd = calloc(1, sizeof *pnd);
	if (!pnd)
		return NULL;
	pnd->f = p;
	snprintf(pnd->connstring, sizeof pnd->connstring, "%s", connstring);
	return pnd;
}

void nfc_close(nfc_device *pnd)
{
	if (!pnd)
		return;
	pnd->f->closes++;
	free(pnd);
}

int nfc_abort_command(nfc_device *pnd)
{
	atomic_fetch_add(&pnd->f->aborts, 1);
	atomic_store(&pnd->f->abort_flag, 1);
	return NFC_SUCCESS;
}

int nfc_idle(nfc_device *pnd)
{
	pnd->f->idles++;
	return NFC_SUCCESS;
}

const char *nfc_device_get_name(nfc_device *pnd)
{
	return pnd->f->name;
}

const char *nfc_device_get_connstring(nfc_device *pnd)
{
	return pnd->connstring;
}

int nfc_device_get_supported_modulation(nfc_device *pnd, const nfc_mode mode,
					const nfc_modulation_type **const mt)
{
	static const nfc_modulation_type with_a[] = { NMT_FELICA,
						      NMT_ISO14443A, 0 };
	static const nfc_modulation_type without_a[] = { NMT_FELICA, 0 };

	*mt = mode == N_TARGET && pnd->f->target_14443a ? with_a : without_a;
	return NFC_SUCCESS;
}

/* Consumes the next event; FAKE_BLOCK waits for nfc_abort_command(). */
static int play(nfc_device *pnd, uint8_t *buf, size_t cap)
{
	static const struct fake_ev end = { FAKE_BLOCK, NULL, 0, 0 };
	struct fake_nfc *f = pnd->f;
	const struct fake_ev *e = f->pos < f->n ? &f->script[f->pos++] : &end;
	const struct timespec tick = { 0, 1000000L };
	size_t len = 0;

	switch (e->kind) {
	case FAKE_FRAME:
		if (uk_hex_decode(e->hex, buf, cap, &len) != 0)
			return NFC_EOVFLOW;
		return (int)len;
	case FAKE_ERR:
		return e->err;
	case FAKE_BLOCK:
	default:
		if (e->sig)
			raise(e->sig);
		while (!atomic_exchange(&f->abort_flag, 0))
			nanosleep(&tick, NULL);
		return NFC_EOPABORTED;
	}
}

int nfc_target_init(nfc_device *pnd, nfc_target *pnt, uint8_t *pbtRx,
		    const size_t szRx, int timeout)
{
	(void)timeout;
	pnd->f->inits++;
	pnd->f->last_target = *pnt;
	return play(pnd, pbtRx, szRx);
}

int nfc_target_receive_bytes(nfc_device *pnd, uint8_t *pbtRx,
			     const size_t szRx, int timeout)
{
	(void)timeout;
	pnd->f->receives++;
	return play(pnd, pbtRx, szRx);
}

int nfc_target_send_bytes(nfc_device *pnd, const uint8_t *pbtTx,
			  const size_t szTx, int timeout)
{
	struct fake_nfc *f = pnd->f;

	(void)timeout;
	f->sends++;
	/* libnfc's pn53x_target_send_bytes() copies into a 264-byte buffer
	 * unchecked: the backend must never get here with more. */
	if (szTx > 262 || f->nsent >= FAKE_MAX_SENT)
		abort();
	memcpy(f->sent[f->nsent], pbtTx, szTx);
	f->sent_len[f->nsent++] = szTx;
	return (int)szTx;
}
