/*
 * m2m.h - the M2M profile of the simulated USIM (3GPP TR 33.812 §5.4,
 * Alternative 3b with fallback): CAT and the OTA receiver on the card,
 * remote file management, and the switch of IMSI and key set.
 *
 * Files (ADF.USIM): FF01 key sets and FF02 SQN arrays (internal, NEVER),
 * FF03 EF.KEYIDX (1 byte: the index of the key set in use; read ALW,
 * update ADM -- over the air through RFM), FF04 EF.M2MSTATE (read ALW,
 * update NEVER; layout in uicc-profile(5)).  The card installs the M2M
 * layer itself (uicc_new) when the image has these files.
 *
 * A switch is one secured packet whose RFM script writes EF.IMSI and
 * EF.KEYIDX; it applies atomically.  Then the new key set is the only one
 * used for AUTHENTICATE and OTA; the previous one waits (state PENDING)
 * until the first AUTHENTICATE with a verified MAC under the new set
 * confirms the switch (previous -> RETIRED), or until `max sessions`
 * power-ups pass without one, when the card reverts to the previous IMSI
 * and key set (the new one -> RETIRED).  Indices only move forward.
 *
 * Alternative 3a: an RFM UPDATE of EF.KEYXFER (FF05) inside a secured
 * packet replaces K/OPc (and optionally the OTA keys) of the key set in use;
 * the values travel ciphered under KIc inside the packet.
 */
#ifndef UICCKIT_M2M_H
#define UICCKIT_M2M_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/uicc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UICC_M2M_KEYIDX_FID 0xff03
#define UICC_M2M_STATE_FID 0xff04
#define UICC_M2M_STATE_LEN 16
/* Alternative 3a: EF.KEYXFER (write-only: read NEVER, update ADM/RFM).
 * Byte 0 flags (b1 K and OPc follow, b2 OTA keys follow; FF = empty), byte 1
 * K length (16), then K (16) | OPc (16) | KIc key (16) | KID key (16).  A
 * write through RFM replaces them in the key set in use and the file is
 * wiped again in the same transaction. */
#define UICC_M2M_KEYXFER_FID 0xff05
#define UICC_M2M_KEYXFER_LEN 66

/* EF.M2MSTATE bytes */
enum {
	UICC_M2M_ST_VERSION = 0,	/* 01 */
	UICC_M2M_ST_PREVIOUS = 1,	/* index kept for fallback, FF none */
	UICC_M2M_ST_PENDING = 2,	/* 01 while a switch awaits confirmation */
	UICC_M2M_ST_SESSIONS = 3,	/* power-ups since the switch */
	UICC_M2M_ST_MAX_SESSIONS = 4,	/* fallback after this many (default 3) */
	UICC_M2M_ST_UNUSED = 5,		/* key sets still unused */
	UICC_M2M_ST_EVENT = 6,		/* last event, enum uicc_m2m_event */
	UICC_M2M_ST_PREV_IMSI = 7,	/* 9 bytes: EF.IMSI before the switch */
};

enum uicc_m2m_event {
	UICC_M2M_EV_NONE = 0,
	UICC_M2M_EV_SWITCHED = 1,	/* switch applied, awaiting confirmation */
	UICC_M2M_EV_CONFIRMED = 2,	/* first AUTHENTICATE with the new set */
	UICC_M2M_EV_REVERTED = 3,	/* fallback to the previous IMSI and set */
	UICC_M2M_EV_REFUSED_EXHAUSTED = 4, /* no key set left to switch to */
	UICC_M2M_EV_REFUSED_INVALID = 5,   /* index not forward / not loaded */
};

/* Status words an RFM UPDATE of EF.KEYIDX gets when the switch is refused */
#define UICC_M2M_SW_EXHAUSTED 0x6a84	/* not enough memory space: no set left */
#define UICC_M2M_SW_INVALID 0x6a80	/* incorrect data: not forward / not loaded */

/* Install the M2M layer on a card (0 if the image has no M2M files). */
int uicc_m2m_install(struct uicc *card);

#ifdef __cplusplus
}
#endif
#endif
