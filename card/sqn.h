/*
 * sqn.h - SQN freshness on the card (3GPP TS 33.102 Annex C.2), applied to
 * the SQN array kept per key set in the internal EF ADF.USIM/FF02.
 *
 * Contract: SQN (48 bits) = SEQ || IND with ind_len IND bits (0..5).  A
 * received SQN is fresh when SEQ > SEQ_MS(IND) and SEQ - SEQ_MS <= delta
 * (2^28, the Annex C suggestion), SEQ_MS being the highest SEQ accepted in
 * any slot.  No age limit L is applied.  The caller only calls these after
 * the MAC verified, and stores the array in the same transaction as the
 * AUTHENTICATE answer.
 */
#ifndef UICC_SQN_H
#define UICC_SQN_H

#include <stdint.h>
#include "uicckit/keyset.h"

#define UICC_SQN_DELTA (1ULL << 28)

struct uicc_sqn_state {
	uint64_t slot[UICC_SQN_SLOTS];	/* full SQN last accepted per IND */
	unsigned ind_len;
};

int uicc_sqn_fresh(const struct uicc_sqn_state *st, uint64_t sqn);
/* SQN_MS for AUTS: the highest accepted SQN (with the IND of its slot). */
uint64_t uicc_sqn_ms(const struct uicc_sqn_state *st);
void uicc_sqn_accept(struct uicc_sqn_state *st, uint64_t sqn);

#endif
