/*
 * m2m.c - the M2M profile's hooks, key-set switch and fallback; see
 * include/uicckit/m2m.h.  The OTA receiver is ota_recv.c, the proactive
 * queue cat.c.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "card/m2m_int.h"
#include "card/txn.h"
#include "uicckit/hooks.h"
#include "uicckit/keyset.h"

#define PATH_KEYIDX "ADF.USIM/FF03"
#define PATH_STATE "ADF.USIM/FF04"
#define PATH_IMSI "ADF.USIM/6F07"
#define PATH_KEYXFER "ADF.USIM/FF05"

int uicc_m2m_read_keyidx(const struct uicc *card)
{
	uint8_t v;

	if (uicc_admin_read_binary(card, PATH_KEYIDX, 0, &v, 1) != 0)
		return -1;
	return v;
}

static int read_state(const struct uicc *card, uint8_t st[UICC_M2M_STATE_LEN])
{
	return uicc_admin_read_binary(card, PATH_STATE, 0, st, UICC_M2M_STATE_LEN);
}

static int count_unused(const struct uicc *card)
{
	int n = uicc_keyset_count(card), i, unused = 0;
	struct uicc_keyset ks;

	for (i = 0; i < n; i++) {
		if (uicc_keyset_get(card, (unsigned)i, &ks) == 0 && ks.state == UICC_KS_UNUSED &&
		    ks.k_len != 0)
			unused++;
		uicc_keyset_cleanse(&ks);
	}
	return unused;
}

static int write_state(struct uicc *card, uint8_t st[UICC_M2M_STATE_LEN])
{
	st[UICC_M2M_ST_VERSION] = 0x01;
	st[UICC_M2M_ST_UNUSED] = (uint8_t)count_unused(card);
	return uicc_admin_update_binary(card, PATH_STATE, 0, st, UICC_M2M_STATE_LEN);
}

int uicc_m2m_state_init(struct uicc *card)
{
	uint8_t st[UICC_M2M_STATE_LEN];
	int rc = read_state(card, st);

	if (rc == UICC_ENOTFOUND)
		return 0;	/* a profile without the M2M files */
	return rc != 0 ? rc : write_state(card, st);
}

static int set_state(struct uicc *card, unsigned index, uint8_t state)
{
	struct uicc_keyset ks;
	int rc = uicc_keyset_get(card, index, &ks);

	if (rc == 0) {
		ks.state = state;
		rc = uicc_keyset_put(card, &ks, 0);
	}
	uicc_keyset_cleanse(&ks);
	return rc;
}

/* The index a switch may go to: higher than every index ever used, loaded
 * with keys, never used.  TR 33.812 §5.4: indices only move forward, so a
 * key set an operator gave up can never come back. */
unsigned uicc_m2m_check_keyidx(struct uicc *card, struct uicc_m2m_switch *sw)
{
	int now = uicc_m2m_read_keyidx(card), n, i;
	uint8_t st[UICC_M2M_STATE_LEN];
	struct uicc_keyset ks;
	unsigned verdict = 0;

	if (now < 0 || now == sw->active)
		return 0;
	sw->requested = now;
	n = uicc_keyset_count(card);
	if (read_state(card, st) != 0 || st[UICC_M2M_ST_PENDING] == 0x01)
		return UICC_M2M_SW_INVALID;	/* one switch at a time */
	if (now >= n || count_unused(card) == 0)
		return UICC_M2M_SW_EXHAUSTED;
	for (i = now; i < n; i++) {
		/* the target must be loaded and unused, and no higher index used */
		int bad = uicc_keyset_get(card, (unsigned)i, &ks) != 0 ||
			  ks.state != UICC_KS_UNUSED || (i == now && ks.k_len == 0);

		if (bad)
			verdict = UICC_M2M_SW_INVALID;
		uicc_keyset_cleanse(&ks);
	}
	if (now < sw->active)
		verdict = UICC_M2M_SW_INVALID;
	return verdict;
}

unsigned uicc_m2m_check_keyxfer(struct uicc *card, const struct uicc_m2m_switch *sw)
{
	uint8_t x[UICC_M2M_KEYXFER_LEN], empty[UICC_M2M_KEYXFER_LEN];
	struct uicc_keyset ks;
	unsigned verdict = 0;

	if (uicc_admin_read_binary(card, PATH_KEYXFER, 0, x, sizeof(x)) != 0 || x[0] == 0xff)
		return 0;
	memset(empty, 0xff, sizeof(empty));
	if ((x[0] & ~0x03) != 0 || !(x[0] & 0x01) || x[1] != 16 ||
	    uicc_keyset_get(card, (unsigned)sw->active, &ks) != 0) {
		verdict = UICC_M2M_SW_INVALID;
	} else {
		memcpy(ks.k, x + 2, 16);
		ks.k_len = 16;
		memcpy(ks.opc, x + 18, 16);
		ks.opc_len = 16;
		ks.op_is_opc = 1;
		ks.alg = UICC_ALG_MILENAGE;
		if (x[0] & 0x02) {
			memcpy(ks.kic, x + 34, 16);
			ks.kic_len = 16;
			memcpy(ks.kid, x + 50, 16);
			ks.kid_len = 16;
		}
		/* a new K starts a new SQN space (TS 33.102 Annex C) */
		if (uicc_keyset_put(card, &ks, 1) != 0)
			verdict = UICC_M2M_SW_INVALID;
	}
	uicc_keyset_cleanse(&ks);
	/* the transferred keys never stay in the file */
	if (uicc_admin_update_binary(card, PATH_KEYXFER, 0, empty, sizeof(empty)) != 0)
		verdict = UICC_M2M_SW_INVALID;
	OPENSSL_cleanse(x, sizeof(x));
	return verdict;
}

int uicc_m2m_apply_switch(struct uicc *card, const struct uicc_m2m_switch *sw)
{
	uint8_t st[UICC_M2M_STATE_LEN];
	int rc;

	if (sw->requested < 0)
		return 0;
	/* at most one ACTIVE set: demote the old one first */
	rc = set_state(card, (unsigned)sw->active, UICC_KS_PENDING);
	if (rc == 0)
		rc = set_state(card, (unsigned)sw->requested, UICC_KS_ACTIVE);
	if (rc == 0)
		rc = read_state(card, st);
	if (rc == 0) {
		st[UICC_M2M_ST_PREVIOUS] = (uint8_t)sw->active;
		st[UICC_M2M_ST_PENDING] = 0x01;
		st[UICC_M2M_ST_SESSIONS] = 0;
		st[UICC_M2M_ST_EVENT] = UICC_M2M_EV_SWITCHED;
		memcpy(st + UICC_M2M_ST_PREV_IMSI, sw->imsi, 9);
		rc = write_state(card, st);
	}
	return rc;
}

/* Power-up: count the sessions of a pending switch; past the limit, revert
 * atomically to the previous IMSI and key set. */
static void on_reset(struct uicc *card, void *ctx)
{
	struct uicc_m2m *m = ctx;
	uint8_t st[UICC_M2M_STATE_LEN];
	unsigned prev, now;
	int rc;

	uicc_cat_reset(&m->cat);
	ota_concat_reset(&m->concat);
	if (read_state(card, st) != 0 || st[UICC_M2M_ST_PENDING] != 0x01)
		return;
	prev = st[UICC_M2M_ST_PREVIOUS];
	now = (unsigned)uicc_m2m_read_keyidx(card);
	if (uicc_txn_begin(card) != 0)
		return;
	st[UICC_M2M_ST_SESSIONS]++;
	rc = 0;
	if (st[UICC_M2M_ST_SESSIONS] > st[UICC_M2M_ST_MAX_SESSIONS]) {
		uint8_t idx = (uint8_t)prev;

		rc = set_state(card, now, UICC_KS_RETIRED);
		if (rc == 0)
			rc = set_state(card, prev, UICC_KS_ACTIVE);
		if (rc == 0)
			rc = uicc_admin_update_binary(card, PATH_KEYIDX, 0, &idx, 1);
		if (rc == 0)
			rc = uicc_admin_update_binary(card, PATH_IMSI, 0,
						      st + UICC_M2M_ST_PREV_IMSI, 9);
		st[UICC_M2M_ST_PENDING] = 0;
		st[UICC_M2M_ST_PREVIOUS] = 0xff;
		st[UICC_M2M_ST_EVENT] = UICC_M2M_EV_REVERTED;
	}
	if (rc == 0)
		rc = write_state(card, st);
	if (rc == 0)
		uicc_txn_commit(card);
	else
		uicc_txn_abort(card);
}

/* The first AUTHENTICATE whose MAC verifies under the new set confirms it. */
static void on_authenticated(struct uicc *card, void *ctx, unsigned idx, int outcome)
{
	uint8_t st[UICC_M2M_STATE_LEN];

	(void)ctx;
	if (outcome == UICC_AUTH_MAC_FAIL || read_state(card, st) != 0 ||
	    st[UICC_M2M_ST_PENDING] != 0x01 || (int)idx != uicc_m2m_read_keyidx(card))
		return;
	if (set_state(card, st[UICC_M2M_ST_PREVIOUS], UICC_KS_RETIRED) != 0)
		return;
	st[UICC_M2M_ST_PENDING] = 0;
	st[UICC_M2M_ST_PREVIOUS] = 0xff;
	st[UICC_M2M_ST_EVENT] = UICC_M2M_EV_CONFIRMED;
	(void)write_state(card, st);
}

static size_t on_proactive_len(struct uicc *card, void *ctx)
{
	(void)card;
	return uicc_cat_pending(&((struct uicc_m2m *)ctx)->cat);
}

static int on_command(struct uicc *card, void *ctx, const struct uicc_apdu *a, uint8_t *out,
		      size_t cap, size_t *outlen)
{
	struct uicc_m2m *m = ctx;

	/* TS 102 221 §10.1.2: CAT commands use CLA 80 on the basic channel */
	if (a->cla != 0x80)
		return UICC_APPLET_PASS;
	switch (a->ins) {
	case 0x10:	/* TERMINAL PROFILE: stored by the card OS */
		return 0x9000;
	case 0xc2:	/* ENVELOPE */
		if (a->p1 != 0 || a->p2 != 0)
			return 0x6a86;
		return uicc_ota_envelope(card, m, a->data, a->lc, out, cap, outlen);
	case 0x12: {	/* FETCH */
		size_t n = m->cat.n > 0 ? m->cat.len[0] : 0;

		if (n == 0)
			return 0x6985;	/* nothing pending */
		if (a->le != n)
			return 0x6c00 | (int)n;	/* TS 102 221 §10.1.3: Le = XX of 91 XX */
		*outlen = uicc_cat_fetch(&m->cat, out, cap);
		return *outlen == n ? 0x9000 : 0x6f00;
	}
	case 0x14: {	/* TERMINAL RESPONSE */
		unsigned sw = uicc_cat_terminal_response(&m->cat, a->data, a->lc);

		return sw == 0x6f00 ? 0x6985 : (int)sw;
	}
	default:
		return UICC_APPLET_PASS;
	}
}

static void on_destroy(void *ctx)
{
	struct uicc_m2m *m = ctx;

	if (m == NULL)
		return;
	ota_crypto_free(m->cx);
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

static const struct uicc_hooks m2m_hooks = {
	.command = on_command,
	.proactive_len = on_proactive_len,
	.reset = on_reset,
	.authenticated = on_authenticated,
	.destroy = on_destroy,
};

int uicc_m2m_install(struct uicc *card)
{
	uint8_t st[UICC_M2M_STATE_LEN];
	struct uicc_m2m *m;

	if (uicc_keyset_count(card) < 0 || uicc_m2m_read_keyidx(card) < 0 ||
	    read_state(card, st) != 0)
		return 0;	/* not an M2M profile */
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return UICC_ENOMEM;
	m->cx = ota_crypto_new();
	if (m->cx == NULL) {
		free(m);
		return UICC_ENOMEM;
	}
	uicc_cat_reset(&m->cat);
	ota_concat_init(&m->concat, m->concat_mem, sizeof(m->concat_mem), OTA_IEI_CPI);
	if (uicc_hooks_add(card, &m2m_hooks, m) != 0) {
		on_destroy(m);
		return UICC_ENOMEM;
	}
	return 0;
}
