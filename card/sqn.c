/* sqn.c - TS 33.102 Annex C.2 SQN freshness; see sqn.h. */
#include "card/sqn.h"

#define SQN_MASK 0xffffffffffffULL

static unsigned slots(const struct uicc_sqn_state *st)
{
	return 1u << (st->ind_len > 5 ? 5 : st->ind_len);
}

uint64_t uicc_sqn_ms(const struct uicc_sqn_state *st)
{
	uint64_t best = 0;
	unsigned i;

	for (i = 0; i < slots(st); i++)
		if ((st->slot[i] >> st->ind_len) > (best >> st->ind_len))
			best = st->slot[i];
	return best & SQN_MASK;
}

int uicc_sqn_fresh(const struct uicc_sqn_state *st, uint64_t sqn)
{
	unsigned ind_len = st->ind_len > 5 ? 5 : st->ind_len;
	uint64_t seq = (sqn & SQN_MASK) >> ind_len;
	uint64_t i = sqn & ((1ULL << ind_len) - 1);
	uint64_t seq_ms = uicc_sqn_ms(st) >> ind_len;

	/* C.2.2: the counter may not jump by more than delta in one go */
	if (seq > seq_ms && seq - seq_ms > UICC_SQN_DELTA)
		return 0;
	/* C.2.1: SEQ must exceed the SEQ last accepted in this IND slot */
	return seq > (st->slot[i] >> ind_len);
}

void uicc_sqn_accept(struct uicc_sqn_state *st, uint64_t sqn)
{
	unsigned ind_len = st->ind_len > 5 ? 5 : st->ind_len;

	st->slot[sqn & ((1ULL << ind_len) - 1)] = sqn & SQN_MASK;
}
