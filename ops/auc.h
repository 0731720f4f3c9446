/*
 * auc.h - the operator's AuC over its database (ops/opdb.h): which key set
 * answers for an IMSI, and its SQN_HE, for uicc-auc --db and uicc-term --db.
 *
 * The key set that answers is the one the card uses at this operator: the
 * card's current key index, in state active.  A card handed over by a 3b
 * switch is still answered under its old IMSI while this operator keeps
 * the old key set: the card falls back to it when the new operator never
 * authenticates (uicc-profile(5)), and once the switch is confirmed the
 * card itself refuses that key set (98 62), so keeping it gives nothing
 * away.  Every SQN handed out is committed before the vector leaves
 * (ops_auc_next_sqn), so no vector is issued twice.
 * Functions return 0 or a negative OPS_E* code with a reason in err.
 */
#ifndef UK_OPS_AUC_H
#define UK_OPS_AUC_H

#include <stddef.h>
#include <stdint.h>
#include "ops/opdb.h"
#include "uicckit/auth.h"

/* The key set answering for imsi (OPS_ENOTFOUND: not this operator's;
 * OPS_EREFUSED: no usable key set kept), as ks and as an auth keyset. */
int ops_auc_keyset(struct ops_db *db, const char *imsi, struct ops_keyset *ks,
		   struct auth_keyset *ak, char *err, size_t errlen);
/* The next SQN_HE for the key set (TS 33.102 Annex C.3: next SEQ, IND
 * ind), committed; out: 6 bytes. */
int ops_auc_next_sqn(struct ops_db *db, struct ops_keyset *ks, unsigned ind, uint8_t out[6],
		     char *err, size_t errlen);
/* SQN_MS recovered from AUTS becomes SQN_HE, committed. */
int ops_auc_store_sqn(struct ops_db *db, struct ops_keyset *ks, const uint8_t sqn[6],
		      char *err, size_t errlen);

#endif
