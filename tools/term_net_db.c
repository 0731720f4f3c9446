/*
 * term_net_db.c - the network side of uicc-term, backend "db": the
 * operators' own databases, each serving its subscribers through its AuC
 * (ops/auc.h).  The first database that knows an IMSI answers for it, the
 * way an IMSI's home network would; an IMSI none of them knows is
 * TERM_EUNKNOWN.  See term.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ops/auc.h"
#include "tools/term.h"

#define DB_MAX 8
#define SQN_IND 0

struct dbnet {
	struct auth_ctx *cx;
	struct ops_db *db[DB_MAX];
	size_t n;
};

/* The database and key set answering for imsi. */
static int lookup(struct dbnet *d, const char *imsi, struct ops_db **db, struct ops_keyset *ks,
		  struct auth_keyset *ak, char *err, size_t errlen)
{
	size_t i;
	int rc = OPS_ENOTFOUND;

	for (i = 0; i < d->n; i++) {
		rc = ops_auc_keyset(d->db[i], imsi, ks, ak, err, errlen);
		if (rc != OPS_ENOTFOUND) {
			*db = d->db[i];
			break;
		}
	}
	if (rc == 0)
		return 0;
	if (rc == OPS_ENOTFOUND) {
		snprintf(err, errlen, "IMSI %s unknown", imsi);
		return TERM_EUNKNOWN;
	}
	return rc == OPS_EREFUSED ? TERM_EUNKNOWN : TERM_ENET;
}

static int d_vector(void *ctx, const char *imsi, struct term_vector *v, char *err, size_t errlen)
{
	static const uint8_t amf[2] = { 0x80, 0x00 };
	struct dbnet *d = ctx;
	struct ops_db *db = NULL;
	struct ops_keyset ks;
	struct auth_keyset ak;
	uint8_t sqn[6];
	int rc;

	memset(&ks, 0, sizeof(ks));
	rc = lookup(d, imsi, &db, &ks, &ak, err, errlen);
	if (rc == 0)
		rc = ops_auc_next_sqn(db, &ks, SQN_IND, sqn, err, errlen) == 0 ? 0 : TERM_ENET;
	if (rc == 0)
		rc = term_net_gen(d->cx, &ak, sqn, amf, v, err, errlen);
	ops_keyset_cleanse(&ks);
	OPENSSL_cleanse(&ak, sizeof(ak));
	return rc;
}

static int d_resync(void *ctx, const char *imsi, const uint8_t rand[16], const uint8_t auts[14],
		    char *err, size_t errlen)
{
	struct dbnet *d = ctx;
	struct ops_db *db = NULL;
	struct ops_keyset ks;
	struct auth_keyset ak;
	uint8_t sqn_ms[6];
	int rc;

	memset(&ks, 0, sizeof(ks));
	rc = lookup(d, imsi, &db, &ks, &ak, err, errlen);
	if (rc == 0) {
		rc = auth_resync(d->cx, &ak, rand, auts, sqn_ms);
		if (rc == AUTH_EMAC) {
			snprintf(err, errlen, "AUTS does not verify (MAC-S)");
			rc = TERM_EAUTS;
		} else if (rc != 0) {
			snprintf(err, errlen, "resync: %s", auth_strerror(rc));
			rc = TERM_ENET;
		} else if (ops_auc_store_sqn(db, &ks, sqn_ms, err, errlen) != 0) {
			rc = TERM_ENET;
		}
	}
	ops_keyset_cleanse(&ks);
	OPENSSL_cleanse(&ak, sizeof(ak));
	return rc;
}

static void d_free(void *ctx)
{
	struct dbnet *d = ctx;
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		ops_db_close(d->db[i]);
	auth_ctx_free(d->cx);
	free(d);
}

static const struct term_net_ops db_ops = {
	.kind = "db",
	.vector = d_vector,
	.resync = d_resync,
	.result = NULL,
	.free = d_free,
};

int term_net_db_new(struct term_net *n, const char *const *paths, size_t npaths, char *err,
		    size_t errlen)
{
	struct dbnet *d;
	size_t i;

	if (npaths == 0 || npaths > DB_MAX) {
		snprintf(err, errlen, "1 to %d operator databases", DB_MAX);
		return TERM_EARG;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL || (d->cx = auth_ctx_new()) == NULL) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return TERM_ENOMEM;
	}
	for (i = 0; i < npaths; i++) {
		char why[256];

		if (ops_db_open(paths[i], 0, &d->db[i], why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: %s", paths[i], why);
			d_free(d);
			return TERM_EARG;
		}
		d->n++;
	}
	n->ops = &db_ops;
	n->ctx = d;
	return 0;
}
