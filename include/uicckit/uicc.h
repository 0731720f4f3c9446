/*
 * uicc.h - the simulated UICC card OS (libuicc).
 *
 * A card is a `struct uicc *` built from a card image (JSON, schema in
 * uicc-profile(5)).  All persistent state -- file contents, PIN/ADM counters,
 * applet data such as key sets and SQN arrays (kept in internal EFs whose
 * access condition is NEVER) -- lives in that image.  uicc_transmit() runs
 * one command APDU and always produces a response (at least SW1 SW2): bad
 * input is answered with a status word, never a crash.
 *
 * Persistence: every APDU runs inside a transaction (uicc_txn_*).  When it
 * changed persistent state the card calls the store's commit() once at the
 * end (and also mid-command where the card must persist before it answers,
 * e.g. the PIN retry counter before the comparison result).  If commit()
 * fails, the in-memory state is rolled back to the last committed state and
 * the command answers 65 81 (memory problem).  A command that answers an
 * error status (64xx..6Fxx) leaves none of its own writes behind.  The
 * mid-command persist of a PIN counter commits everything pending, also
 * inside an explicit uicc_txn_begin() (security before atomicity).
 *
 * Related headers: applet.h (adding applets), keyset.h (personalisation:
 * key sets, SQN arrays, PINs, direct file writes), fcp.h (FCP decoder).
 */
#ifndef UICCKIT_UICC_H
#define UICCKIT_UICC_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

struct uicc;

enum uicc_err {
	UICC_OK = 0,
	UICC_ENOMEM = -1,
	UICC_EPROFILE = -2,	/* image/profile JSON does not follow the schema */
	UICC_EIO = -3,		/* storage failed */
	UICC_ECORRUPT = -4,	/* image file damaged (checksum, truncation) */
	UICC_EARG = -5,		/* bad argument */
	UICC_ENOTFOUND = -6,	/* file/application/key set not found */
};

/* Largest response uicc_transmit() can produce: 65536 data bytes + SW. */
#define UICC_RAPDU_MAX 65538
/* Largest ATR. */
#define UICC_ATR_MAX 33

/* T=0 behaviour (61xx + GET RESPONSE, 6Cxx) or direct data (T=1 style). */
enum uicc_transport {
	UICC_TRANSPORT_DIRECT = 0,
	UICC_TRANSPORT_T0 = 1,
};

struct uicc_store_ops {
	/* Persist the card's state atomically (all or nothing); 0 or <0. */
	int (*commit)(void *ctx, struct uicc *card);
};

/* Build a card from an image document.  On failure returns NULL and writes
 * a one-line reason to err (if errlen > 0). The document is not kept. */
struct uicc *uicc_new(const json_t *image, char *err, size_t errlen);
/* The built-in M2M USIM profile (a fresh JSON document; caller decrefs). */
json_t *uicc_profile_default(void);
/* Serialise all persistent state (same schema as uicc_new() takes). */
json_t *uicc_to_json(const struct uicc *card);
/* Frees the card; key material is cleansed (OPENSSL_cleanse). */
void uicc_free(struct uicc *card);

/* No store (the default) keeps the card in memory only; commit() is then
 * never called. */
void uicc_set_store(struct uicc *card, const struct uicc_store_ops *ops, void *ctx);
/* Default: UICC_TRANSPORT_DIRECT.  The ATR offers T=0 only, so a reader
 * path (PC/SC, vpcd) should select UICC_TRANSPORT_T0. */
void uicc_set_transport(struct uicc *card, enum uicc_transport t);

/* Power-up or warm reset: clears volatile state (channels, selections,
 * verified PINs, pending response/proactive command) and writes the ATR.
 * Returns the ATR length. */
size_t uicc_power_on(struct uicc *card, uint8_t *atr, size_t cap);
void uicc_power_off(struct uicc *card);

/* Run one command APDU (ISO 7816-4 short or extended, cases 1-4).
 * rapdu must hold UICC_RAPDU_MAX bytes.  Returns the response length (>= 2):
 * data followed by SW1 SW2 (0 only if rapdu is NULL or cap < 2).  Works
 * before uicc_power_on() too (the card starts in the reset state). */
size_t uicc_transmit(struct uicc *card, const uint8_t *capdu, size_t len,
		     uint8_t *rapdu, size_t cap);

/* Transactions (JavaCard style).  Writes between begin and commit become
 * persistent together (one store commit() when the outermost commit runs);
 * abort restores the state at begin.  commit returns 0, UICC_EIO (store
 * failed: rolled back) or UICC_EARG (no transaction open).  A reset
 * (uicc_power_on) aborts an open transaction. */
int uicc_txn_begin(struct uicc *card);
int uicc_txn_commit(struct uicc *card);
void uicc_txn_abort(struct uicc *card);

const char *uicc_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif
