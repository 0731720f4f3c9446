/*
 * nfc_libnfc.c - libnfc backend of nfc_serve (contract in nfc_libnfc.h).
 *
 * Facts of libnfc 1.8 this relies on (read from its pn53x.c):
 * - ISO/IEC 14443-4 PICC emulation (the chip answers RATS, handles
 *   I-blocks, R/S-blocks and DESELECT itself; TgGetData/TgSetData carry the
 *   INF field) exists only for a PN532 chip, with SAK bit 0x20 and
 *   NP_AUTO_ISO14443_4 (nfc_target_init() sets it).  Other chips would hand
 *   raw ISO 14443-3 frames (RATS) to the host and fail TgGetData with
 *   NFC_ENOTIMPL; we refuse them up front.
 * - The emulated UID is 4 bytes and must start with 08 (the PN53x forces
 *   it: ISO/IEC 14443-3 random UID); otherwise NFC_EINVARG.
 * - In PICC mode nfc_target_init() returns 0 bytes (no APDU yet).
 * - nfc_target_init() with a finite timeout reports a timeout as success
 *   (it idles the chip and returns 0), and a finite TgGetData timeout does
 *   not abort the chip's command; so every call here blocks (timeout 0)
 *   and stopping goes through nfc_abort_command() (the drivers check it
 *   every 200 ms or wake on their abort pipe) from a watcher thread.
 * - pn53x_target_send_bytes() copies into a 264-byte buffer without a
 *   length check: never pass it more than UK_NFC_LIBNFC_FRAME_MAX.
 * - A released target (DESELECT, field off) shows as NFC_ETGRELEASED, or as
 *   NFC_ECHIP (libnfc 1.8 falls through from ETGREL to ECHIP), or as
 *   NFC_ERFTRANS for RF errors.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nfc/nfc.h>

#include "tools/nfc_libnfc.h"

#define MAX_LISTED 8
#define WATCH_PERIOD_NS 50000000L

struct uk_nfc_libnfc {
	nfc_context *ctx;
	nfc_device *pnd;
	volatile sig_atomic_t *stop;
	pthread_t watcher;
	int watching;
	atomic_int quit;
};

/* Errors during a session: only a vanished or broken device is fatal; any
 * other failure means the reader link is gone, so the loop re-arms (and
 * gives up if re-arming keeps failing). */
static int map_session_err(int res)
{
	switch (res) {
	case NFC_ETIMEOUT: return UK_NFC_ETIMEOUT;
	case NFC_EOPABORTED: return UK_NFC_EABORTED;
	case NFC_ENOTIMPL:
	case NFC_EDEVNOTSUPP: return UK_NFC_ENOSUPPORT;
	case NFC_ENOTSUCHDEV:
	case NFC_ESOFT: return UK_NFC_EDEVICE;
	default: return UK_NFC_ERELEASED;	/* ETGRELEASED, ECHIP, ERFTRANS,
						 * EIO, EINVARG (not now) */
	}
}

static int map_init_err(int res)
{
	switch (res) {
	case NFC_ETIMEOUT: return UK_NFC_ETIMEOUT;
	case NFC_EOPABORTED: return UK_NFC_EABORTED;
	case NFC_ETGRELEASED:
	case NFC_ECHIP:
	case NFC_ERFTRANS: return UK_NFC_ERELEASED;	/* activation failed */
	case NFC_ENOTIMPL:
	case NFC_EDEVNOTSUPP: return UK_NFC_ENOSUPPORT;
	case NFC_EINVARG: return UK_NFC_EARG;
	default: return UK_NFC_EDEVICE;
	}
}

static int lnfc_init_target(void *dev, const struct uk_nfc_target *tgt,
			    uint8_t *buf, size_t cap, int timeout_ms)
{
	struct uk_nfc_libnfc *d = dev;
	nfc_target nt;
	size_t off = 0;
	int res;

	memset(&nt, 0, sizeof nt);
	nt.nm.nmt = NMT_ISO14443A;
	nt.nm.nbr = NBR_UNDEFINED;	/* libnfc fills in the activated rate */
	nt.nti.nai.abtAtqa[0] = tgt->atqa[0];
	nt.nti.nai.abtAtqa[1] = tgt->atqa[1];
	nt.nti.nai.abtUid[0] = 0x08;
	memcpy(nt.nti.nai.abtUid + 1, tgt->uid, 3);
	nt.nti.nai.szUidLen = 4;
	nt.nti.nai.btSak = tgt->sak;
	/* libnfc takes the historical bytes (Tk of TgInitAsTarget) after an
	 * ATS format byte T0 (ISO/IEC 14443-4 §5.2.3: no TA/TB/TC given; the
	 * PN532 builds the interface bytes itself). */
	if (tgt->hist_len > UK_NFC_HIST_MAX)
		return UK_NFC_EARG;
	nt.nti.nai.abtAts[off++] = 0x00;
	memcpy(nt.nti.nai.abtAts + off, tgt->hist, tgt->hist_len);
	nt.nti.nai.szAtsLen = off + tgt->hist_len;

	res = nfc_target_init(d->pnd, &nt, buf, cap, timeout_ms);
	if (res < 0)
		return map_init_err(res);
	/* A RATS (E0 xx) reaching the host means the chip is not doing the
	 * ISO 14443-4 layer (not a PN532 in PICC mode). */
	if (res >= 1 && buf[0] == 0xE0)
		return UK_NFC_ENOSUPPORT;
	return res;
}

static int lnfc_receive(void *dev, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct uk_nfc_libnfc *d = dev;
	int res = nfc_target_receive_bytes(d->pnd, buf, cap, timeout_ms);

	return res < 0 ? map_session_err(res) : res;
}

static int lnfc_send(void *dev, const uint8_t *buf, size_t len,
		     int timeout_ms)
{
	struct uk_nfc_libnfc *d = dev;
	int res;

	if (len > UK_NFC_LIBNFC_FRAME_MAX)
		return UK_NFC_EARG;
	res = nfc_target_send_bytes(d->pnd, buf, len, timeout_ms);
	return res < 0 ? map_session_err(res) : 0;
}

const struct uk_nfc_dev_ops uk_nfc_libnfc_ops = {
	.init_target = lnfc_init_target,
	.receive = lnfc_receive,
	.send = lnfc_send,
	.frame_max = UK_NFC_LIBNFC_FRAME_MAX,
};

/* Reading the caller's sig_atomic_t from this thread is the one place two
 * threads share memory; a stale read only delays the abort by a period.
 * The abort is repeated while stop stays set: pn532_uart's abort replaces
 * its pipe, so an abort that lands between two blocking calls would be
 * lost otherwise. */
static void *watch_stop(void *arg)
{
	struct uk_nfc_libnfc *d = arg;
	const struct timespec period = { 0, WATCH_PERIOD_NS };

	while (!atomic_load(&d->quit)) {
		if (*d->stop)
			nfc_abort_command(d->pnd);
		nanosleep(&period, NULL);
	}
	return NULL;
}

static int start_watcher(struct uk_nfc_libnfc *d)
{
	sigset_t all, old;
	int rc;

	/* Signals stay with the caller's threads (its handler sets *stop). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&d->watcher, NULL, watch_stop, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return UK_NFC_ENOMEM;
	d->watching = 1;
	return 0;
}

static int supports_picc(nfc_device *pnd)
{
	const nfc_modulation_type *mt = NULL;
	const char *name = nfc_device_get_name(pnd);
	size_t i;

	if (nfc_device_get_supported_modulation(pnd, N_TARGET, &mt) < 0 || !mt)
		return 0;
	for (i = 0; mt[i]; i++)
		if (mt[i] == NMT_ISO14443A)
			break;
	if (!mt[i])
		return 0;
	/* pn53x_init() appends the firmware text ("PN532 v1.6") to the
	 * name; only the PN532 has the PICC emulation libnfc drives. */
	return name && strstr(name, "PN532") != NULL;
}

/* Appends "'cs'" to a comma-separated list in err. */
static void list_add(char *list, size_t cap, const char *cs)
{
	size_t used = strlen(list);

	if (used < cap)
		snprintf(list + used, cap - used, "%s'%s'", used ? ", " : "",
			 cs);
}

int uk_nfc_libnfc_open(const char *connstring, volatile sig_atomic_t *stop,
		       struct uk_nfc_libnfc **out, char *err, size_t errlen)
{
	nfc_connstring *found;
	char tried[512] = "";
	char unsupported[512] = "";
	struct uk_nfc_libnfc *d;
	size_t n = 0, i;
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	d = calloc(1, sizeof *d);
	found = calloc(MAX_LISTED, sizeof *found);
	if (!d || !found) {
		free(d);
		free(found);
		return UK_NFC_ENOMEM;
	}
	atomic_init(&d->quit, 0);
	d->stop = stop;
	nfc_init(&d->ctx);
	if (!d->ctx) {
		snprintf(err, errlen, "libnfc could not be initialised");
		free(found);
		free(d);
		return UK_NFC_ENODEV;
	}
	if (connstring && connstring[0]) {
		snprintf(found[0], sizeof found[0], "%s", connstring);
		n = 1;
	} else {
		n = nfc_list_devices(d->ctx, found, MAX_LISTED);
	}
	for (i = 0; i < n && !d->pnd; i++) {
		list_add(tried, sizeof tried, found[i]);
		d->pnd = nfc_open(d->ctx, found[i]);
		if (d->pnd && !supports_picc(d->pnd)) {
			list_add(unsupported, sizeof unsupported,
				 nfc_device_get_name(d->pnd));
			nfc_close(d->pnd);
			d->pnd = NULL;
		}
	}
	free(found);
	if (!d->pnd) {
		if (unsupported[0])
			snprintf(err, errlen,
				 "no NFC device that can emulate an ISO/IEC "
				 "14443-4 card (libnfc does it with a PN532 "
				 "only): tried %s; unsupported: %s",
				 tried, unsupported);
		else if (n == 0)
			snprintf(err, errlen,
				 "no NFC device found: nfc_list_devices() found "
				 "no connstring to try (serial PN532 boards are "
				 "found only by an intrusive scan: give the "
				 "connstring, e.g. pn532_uart:/dev/ttyUSB0, or "
				 "set LIBNFC_INTRUSIVE_SCAN=true)");
		else
			snprintf(err, errlen,
				 "cannot open NFC device: tried %s", tried);
		rc = unsupported[0] ? UK_NFC_ENOSUPPORT : UK_NFC_ENODEV;
		nfc_exit(d->ctx);
		free(d);
		return rc;
	}
	if (stop && (rc = start_watcher(d)) < 0) {
		snprintf(err, errlen, "cannot start the stop watcher");
		nfc_close(d->pnd);
		nfc_exit(d->ctx);
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

const char *uk_nfc_libnfc_name(const struct uk_nfc_libnfc *d)
{
	return nfc_device_get_name(d->pnd);
}

const char *uk_nfc_libnfc_connstring(const struct uk_nfc_libnfc *d)
{
	return nfc_device_get_connstring(d->pnd);
}

void uk_nfc_libnfc_close(struct uk_nfc_libnfc *d)
{
	if (!d)
		return;
	if (d->watching) {
		atomic_store(&d->quit, 1);
		pthread_join(d->watcher, NULL);
	}
	/* nfc_idle: InRelease stops the emulation, so no reader keeps
	 * seeing a dead card; nfc_close idles too, but say it. */
	nfc_idle(d->pnd);
	nfc_close(d->pnd);
	nfc_exit(d->ctx);
	free(d);
}
