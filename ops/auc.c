/*
 * auc.c - the operator's AuC over its database (auc.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "common/buf.h"
#include "ops/auc.h"

int ops_auc_keyset(struct ops_db *db, const char *imsi, struct ops_keyset *ks,
		   struct auth_keyset *ak, char *err, size_t errlen)
{
	struct ops_card c;
	int rc;

	memset(ak, 0, sizeof(*ak));
	rc = ops_db_card_by_imsi(db, imsi, &c, err, errlen);
	if (rc == OPS_ENOTFOUND) {
		snprintf(err, errlen, "IMSI %s is not a subscriber here", imsi);
		return rc;
	}
	if (rc != 0)
		return rc;
	rc = ops_db_keyset_get(db, c.iccid, c.key_index, ks, err, errlen);
	if (rc == OPS_ENOTFOUND || (rc == 0 && ks->state != OPS_KS_ACTIVE)) {
		ops_keyset_cleanse(ks);
		snprintf(err, errlen, "IMSI %s: key set %u of card %s is not kept here%s", imsi,
			 c.key_index, c.iccid,
			 c.state == OPS_CARD_HANDED_OVER ? " (handed over)" : "");
		return OPS_EREFUSED;
	}
	if (rc != 0)
		return rc;
	ak->alg = (enum auth_alg)ks->r.alg;
	memcpy(ak->k, ks->r.k, ks->r.k_len);
	ak->k_len = ks->r.k_len;
	memcpy(ak->op, ks->r.opc, ks->r.opc_len);
	ak->op_len = ks->r.opc_len;
	ak->op_is_opc = ks->r.op_is_opc;
	return 0;
}

static int store(struct ops_db *db, struct ops_keyset *ks, uint64_t sqn, char *err,
		 size_t errlen)
{
	int rc = ops_db_begin(db, err, errlen);

	if (rc == 0)
		rc = ops_db_keyset_set_sqn(db, ks->r.iccid, ks->r.index, sqn, err, errlen);
	if (rc == 0)
		rc = ops_db_commit(db, err, errlen);
	if (rc != 0) {
		ops_db_rollback(db);
		return rc;
	}
	ks->sqn = sqn;
	return 0;
}

int ops_auc_next_sqn(struct ops_db *db, struct ops_keyset *ks, unsigned ind, uint8_t out[6],
		     char *err, size_t errlen)
{
	uint64_t sqn = auth_sqn_next(ks->sqn, ind, 5);
	int rc = store(db, ks, sqn, err, errlen);

	if (rc == 0)
		uk_put_be(out, sqn, 6);
	return rc;
}

int ops_auc_store_sqn(struct ops_db *db, struct ops_keyset *ks, const uint8_t sqn[6],
		      char *err, size_t errlen)
{
	return store(db, ks, uk_get_be(sqn, 6), err, errlen);
}
