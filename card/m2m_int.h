/*
 * m2m_int.h - state shared by the M2M modules of the card: m2m.c (hooks,
 * switch, fallback) and ota_recv.c (ENVELOPE -> secured packet -> RFM ->
 * PoR).  All of it is volatile; the persistent state is in the card's
 * files (key sets, EF.KEYIDX, EF.M2MSTATE).
 */
#ifndef UICC_M2M_INT_H
#define UICC_M2M_INT_H

#include <stddef.h>
#include <stdint.h>
#include "card/card.h"
#include "card/cat.h"
#include "uicckit/m2m.h"
#include "uicckit/secpkt.h"
#include "uicckit/sms.h"

/* TS 102 226 §8.2.1.3.2.4.2 coding: counter higher + ciphering + CC */
#define UICC_M2M_MSL 0x16
#define UICC_M2M_CONCAT_MAX 4096

struct uicc_m2m {
	struct uicc_cat cat;
	struct ota_crypto *cx;
	struct ota_concat_ctx concat;
	uint8_t concat_mem[UICC_M2M_CONCAT_MAX];
	uint8_t pkt[UICC_M2M_CONCAT_MAX];	/* the reassembled packet */
	uint8_t work[UICC_M2M_CONCAT_MAX];	/* its deciphered copy */
	uint8_t rbuf[UICC_RAPDU_MAX];		/* one R-APDU of a script */
};

/* The key-set switch as the RFM executor sees it: called after every
 * command of a script; returns 0 (nothing changed or accepted) or the
 * status word that refuses the command. */
struct uicc_m2m_switch {
	int active;		/* index in use when the packet arrived */
	uint8_t imsi[9];	/* EF.IMSI before the script */
	int requested;		/* -1, or the index the script wrote */
};

int uicc_m2m_read_keyidx(const struct uicc *card);
/* Personalisation: EF.M2MSTATE counts the key sets loaded and unused from
 * the start (0, or <0 from the store; nothing to do without the file). */
int uicc_m2m_state_init(struct uicc *card);
unsigned uicc_m2m_check_keyidx(struct uicc *card, struct uicc_m2m_switch *sw);
/* Alternative 3a: move a written EF.KEYXFER into the key set in use and
 * wipe the file; 0 (nothing written or applied) or the refusing SW. */
unsigned uicc_m2m_check_keyxfer(struct uicc *card, const struct uicc_m2m_switch *sw);
/* Apply an accepted switch (inside the packet's transaction). */
int uicc_m2m_apply_switch(struct uicc *card, const struct uicc_m2m_switch *sw);

/* ENVELOPE (SMS-PP download) -> status word, PoR data in out. */
int uicc_ota_envelope(struct uicc *card, struct uicc_m2m *m, const uint8_t *data, size_t len,
		      uint8_t *out, size_t cap, size_t *outlen);

#endif
