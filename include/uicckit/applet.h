/*
 * applet.h - JavaCard-style applets on the simulated UICC.
 *
 * An applet is a `struct uicc_applet_ops` registered under an AID.  SELECT by
 * AID (P1 04, full or partial AID) makes it the current application of the
 * logical channel and calls select(); closing the channel, selecting another
 * application or a reset calls deselect().  While an applet is current on a
 * channel, every command on that channel except SELECT, MANAGE CHANNEL and
 * GET RESPONSE is first offered to process(): it returns a status word
 * (0x9000, 0x6982, ...) with optional response data, or UICC_APPLET_PASS to
 * let the card OS run the command (file system, PIN commands, STATUS...).
 *
 * Persistent applet data must live in files of the card (internal EFs) and
 * be written through uicc_admin_update_binary()/_record() (keyset.h): inside
 * process() those writes join the APDU's transaction (nested transactions
 * commit with the outermost one).
 * If an ADF with the same AID exists in the image the applet is bound to it:
 * SELECT then also makes the ADF the current DF of the channel.
 */
#ifndef UICCKIT_APPLET_H
#define UICCKIT_APPLET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct uicc;

/* A parsed command APDU (ISO/IEC 7816-4 §5.1). */
struct uicc_apdu {
	uint8_t cla, ins, p1, p2;
	unsigned chan;		/* logical channel 0..19 from CLA */
	const uint8_t *data;	/* Lc bytes, NULL when lc == 0 */
	size_t lc;
	size_t le;		/* Ne: 256 for short Le 00, 65536 for ext 0000 */
	int has_le;
	int extended;
};

#define UICC_APPLET_PASS (-1)

struct uicc_applet_ops {
	const char *name;
	/* Called once when the card is built; *state is the applet's private
	 * context (may stay NULL).  0 or <0 (the card then fails to load). */
	int (*install)(struct uicc *card, void *arg, void **state);
	/* SELECT: return a status word (0x9000 to accept). */
	int (*select)(struct uicc *card, void *state, unsigned chan);
	void (*deselect)(struct uicc *card, void *state, unsigned chan);
	/* Run a command; write at most cap bytes to out, set *outlen.
	 * Return a status word or UICC_APPLET_PASS. */
	int (*process)(struct uicc *card, void *state, const struct uicc_apdu *apdu,
		       uint8_t *out, size_t cap, size_t *outlen);
	/* Called by uicc_free(); must cleanse any key material in state. */
	void (*uninstall)(void *state);
};

/* Register an applet (before or after power-on).  aid_len 1..16.
 * Returns 0, UICC_EARG (bad AID, duplicate AID), UICC_ENOMEM (table full)
 * or the install() error. */
int uicc_applet_register(struct uicc *card, const uint8_t *aid, size_t aid_len,
			 const struct uicc_applet_ops *ops, void *arg);

/* Helpers an applet may call from process(). */
/* 1 if the PIN with key reference `ref` is verified or disabled. */
int uicc_pin_satisfied(const struct uicc *card, uint8_t ref);
/* UST service n (TS 31.102 §4.2.8) of the application current on chan. */
int uicc_service_available(const struct uicc *card, unsigned chan, unsigned n);

#ifdef __cplusplus
}
#endif
#endif
