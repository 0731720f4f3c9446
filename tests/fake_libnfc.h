/*
 * fake_libnfc.h - a test double for the part of libnfc's API that
 * tools/nfc_libnfc.c uses, so the backend (error mapping, PN532 check,
 * target parameters, frame limit, stop watcher) is tested without a chip.
 *
 * The test owns a struct fake_nfc and opens it with the connstring that
 * fake_nfc_connstring() writes ("fake:<address>"): no global state.  Each
 * nfc_target_init / nfc_target_receive_bytes call consumes the next event;
 * FAKE_BLOCK (also what an exhausted script does) blocks until
 * nfc_abort_command() and then returns NFC_EOPABORTED, as libnfc's
 * drivers do.
 */
#ifndef UK_FAKE_LIBNFC_H
#define UK_FAKE_LIBNFC_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <nfc/nfc.h>

enum fake_kind {
	FAKE_FRAME,	/* return the frame (hex) */
	FAKE_ERR,	/* return err */
	FAKE_BLOCK,	/* raise(sig) if sig, then block until aborted */
};

struct fake_ev {
	enum fake_kind kind;
	const char *hex;
	int err;
	int sig;
};

#define FAKE_MAX_SENT 8

struct fake_nfc {
	const char *name;	/* what nfc_device_get_name() returns */
	int target_14443a;	/* listed in the N_TARGET modulations */
	const struct fake_ev *script;
	size_t n, pos;
	/* recorded by the fake */
	nfc_target last_target;
	unsigned inits, receives, sends, idles, closes;
	atomic_uint aborts;
	atomic_int abort_flag;
	uint8_t sent[FAKE_MAX_SENT][300];
	size_t sent_len[FAKE_MAX_SENT];
	size_t nsent;
};

/* Writes "fake:<address of f>" into buf. */
void fake_nfc_connstring(const struct fake_nfc *f, char *buf, size_t cap);

#endif
