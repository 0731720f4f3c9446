/*
 * pin.h - PIN / ADM verification (TS 102 221 §9.5, §11.1.9-11.1.13).
 *
 * Contract: the PIN table is persistent (values, retry counters, enabled
 * flags); the verified flags are volatile and cleared by a reset.  Every
 * comparison first decrements the counter and commits it to the store
 * (uicc_txn_flush) BEFORE the result is computed or revealed, and only a
 * match restores it (committed again before answering), so cutting power
 * at any moment cannot give an attacker a free try.  Comparisons use
 * CRYPTO_memcmp.
 */
#ifndef UICC_PIN_H
#define UICC_PIN_H

#include "card/card.h"

struct uicc_pin *uicc_pin_find(struct uicc *card, uint8_t ref);
void uicc_pin_reset_volatile(struct uicc *card);
/* VERIFY 20, CHANGE 24, DISABLE 26, ENABLE 28, UNBLOCK 2C: status word. */
int uicc_pin_cmd(struct uicc *card, const struct uicc_apdu *a);
/* 1 if a PIN value is 4..8 ASCII digits padded with FF (TS 102 221 §9.5.3). */
int uicc_pin_format_ok(const uint8_t v[UICC_PIN_LEN]);

#endif
