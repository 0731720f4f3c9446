/*
 * hooks.h - extension points of the card OS for card-wide services that are
 * not selected applications: the CAT layer (TERMINAL PROFILE, ENVELOPE,
 * FETCH, TERMINAL RESPONSE, proactive 91xx signalling), the OTA receiver
 * and the M2M key-set logic.
 *
 * Contract: up to UICC_MAX_HOOKS hook sets per card, called in the order
 * they were added.  Every callback is optional (NULL).  Persistent changes
 * made from a callback must go through the card's files (keyset.h admin
 * API) so they join the running APDU's transaction.
 *   command()        gets every APDU of the TS 102 221 class (CLA 8X/CX)
 *                    that the card OS does not implement itself (ENVELOPE
 *                    C2, FETCH 12, TERMINAL RESPONSE 14, ...), and TERMINAL
 *                    PROFILE 10 after the OS stored it; returns a status
 *                    word or UICC_APPLET_PASS (the next hook, then 6D00).
 *   proactive_len()  length of a pending proactive command (0 = none); a
 *                    normal ending 90 00 becomes 91 XX (TS 102 221 §7.4.2.2;
 *                    on T=0 after the last GET RESPONSE).
 *   reset()          after every power-on / warm reset (session counting).
 *   authenticated()  after every 3G-context AUTHENTICATE that reached the
 *                    key set (index given): outcome UICC_AUTH_OK (RES
 *                    returned, SQN accepted), UICC_AUTH_SYNC_FAIL (MAC good,
 *                    SQN stale: AUTS returned) or UICC_AUTH_MAC_FAIL (98 62);
 *                    runs inside that APDU's transaction, before the store
 *                    commit and before the answer leaves.
 *   destroy()        from uicc_free(), to release ctx.
 */
#ifndef UICCKIT_HOOKS_H
#define UICCKIT_HOOKS_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/applet.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UICC_MAX_HOOKS 4

struct uicc_hooks {
	int (*command)(struct uicc *card, void *ctx, const struct uicc_apdu *apdu, uint8_t *out,
		       size_t cap, size_t *outlen);
	size_t (*proactive_len)(struct uicc *card, void *ctx);
	void (*reset)(struct uicc *card, void *ctx);
	void (*authenticated)(struct uicc *card, void *ctx, unsigned keyset_index, int outcome);
	/* uicc_free(): release ctx (cleanse what it holds). */
	void (*destroy)(void *ctx);
};

enum uicc_auth_outcome {
	UICC_AUTH_MAC_FAIL = 0,
	UICC_AUTH_OK = 1,
	UICC_AUTH_SYNC_FAIL = 2,
};

/* Remote sessions (TS 102 226 RFM executed by an OTA receiver): APDUs run
 * on a private logical context (own current DF/EF/record pointer and
 * application, channel number UICC_REMOTE_CHAN for applets), in direct
 * transport, without 61xx/91xx, with the granted key references treated as
 * verified for their duration (e.g. 0x0A = ADM1 for an RFM TAR with that
 * access domain).  The context starts at the MF.  An APDU run from inside
 * an ENVELOPE hook joins that ENVELOPE's transaction. */
#define UICC_REMOTE_CHAN 20
struct uicc_remote;
struct uicc_remote *uicc_remote_new(struct uicc *card, const uint8_t *granted_refs, size_t n);
size_t uicc_transmit_remote(struct uicc *card, struct uicc_remote *rs, const uint8_t *capdu,
			    size_t len, uint8_t *rapdu, size_t cap);
void uicc_remote_free(struct uicc_remote *rs);

/* 0, UICC_EARG (NULL), UICC_ENOMEM (table full).  The ops must outlive
 * the card. */
int uicc_hooks_add(struct uicc *card, const struct uicc_hooks *ops, void *ctx);
/* The last TERMINAL PROFILE (volatile; length 0 before one arrived). */
const uint8_t *uicc_terminal_profile(const struct uicc *card, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
