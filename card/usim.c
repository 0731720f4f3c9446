/* usim.c - the USIM applet: AUTHENTICATE (TS 31.102 §7.1.2); see usim.h.
 *
 * 3G context (P2 81): MAC first (98 62 on failure, nothing changes), then
 * SQN freshness (TS 33.102 Annex C, sqn.h; stale -> DC 0E AUTS), then the
 * answer DB 08 RES 10 CK 10 IK [08 Kc] with the SQN array updated in the
 * same transaction, so the store commit happens before the answer leaves.
 * GSM context (P2 80): 04 SRES 08 Kc from the 3G algorithm and c2/c3, only
 * with UST service 38.  The algorithms (auth.h, libukauth) run with the
 * active key set; the applet keeps one auth_ctx (OpenSSL objects) as its
 * state. */
#include <string.h>
#include <openssl/crypto.h>
#include "card/card.h"
#include "card/cmd.h"
#include "card/sqn.h"
#include "card/usim.h"
#include "common/buf.h"
#include "uicckit/auth.h"
#include "uicckit/keyset.h"

/* TS 31.102 §4.2.8 service numbers */
#define UST_GSM_ACCESS 27
#define UST_GSM_SECURITY_CONTEXT 38

struct aka_ctx {
	struct uicc_keyset ks;
	struct auth_keyset aks;
	struct auth_vector v;
	uint8_t sqn[6], sqn_ms[6], auts[14];
};

static void cleanse(struct aka_ctx *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

static int put(uint8_t *out, size_t cap, size_t *len, const uint8_t *p, size_t n)
{
	if (n > cap - *len)
		return -1;
	memcpy(out + *len, p, n);
	*len += n;
	return 0;
}

static int put_lv(uint8_t *out, size_t cap, size_t *len, const uint8_t *p, size_t n)
{
	uint8_t l = (uint8_t)n;

	return put(out, cap, len, &l, 1) < 0 ? -1 : put(out, cap, len, p, n);
}

/* The key-set record as the algorithm library wants it. */
static int to_auth_keyset(const struct uicc_keyset *ks, struct auth_keyset *aks)
{
	memset(aks, 0, sizeof(*aks));
	if (ks->alg == UICC_ALG_MILENAGE)
		aks->alg = AUTH_ALG_MILENAGE;
	else if (ks->alg == UICC_ALG_XOR)
		aks->alg = AUTH_ALG_XOR;
	else if (ks->alg == UICC_ALG_TUAK)
		aks->alg = AUTH_ALG_TUAK;
	else
		return AUTH_EALG;
	memcpy(aks->k, ks->k, sizeof(aks->k));
	aks->k_len = ks->k_len;
	memcpy(aks->op, ks->opc, sizeof(aks->op));
	aks->op_len = ks->opc_len;
	aks->op_is_opc = ks->op_is_opc;
	aks->res_len = ks->res_len;	/* 0: the algorithm's default */
	aks->ck_len = ks->tuak_ck_len;	/* TUAK only; 0 = 16 */
	aks->ik_len = ks->tuak_ik_len;
	aks->keccak_iter = ks->tuak_keccak_iter;
	return 0;
}

static int lib_sw(int rc)
{
	return rc == AUTH_EALG ? SW_AUTH_CTX : SW_TECH;
}

static int auth_3g(struct uicc *card, struct auth_ctx *cx, unsigned chan, unsigned idx,
		   struct aka_ctx *c, const uint8_t *rand, const uint8_t *autn, uint8_t *out,
		   size_t cap, size_t *outlen)
{
	struct uicc_sqn_state st;
	uint64_t sqn;
	uint8_t tag;
	int rc;

	rc = auth_usim_verify(cx, &c->aks, rand, autn, c->sqn, &c->v);
	if (rc == AUTH_EMAC) {
		uicc_hooks_authenticated(card, idx, UICC_AUTH_MAC_FAIL);
		return SW_AUTH_MAC;	/* TS 31.102 §7.1.2.1: nothing changes */
	}
	if (rc < 0)
		return lib_sw(rc);
	memset(&st, 0, sizeof(st));
	if (uicc_sqn_get(card, idx, st.slot, &st.ind_len) < 0)
		return SW_TECH;
	sqn = uk_get_be(c->sqn, 6);
	if (!uicc_sqn_fresh(&st, sqn)) {
		/* TS 33.102 §6.3.3: AUTS = (SQN_MS xor AK*) || MAC-S */
		uk_put_be(c->sqn_ms, uicc_sqn_ms(&st), 6);
		rc = auth_usim_auts(cx, &c->aks, rand, c->sqn_ms, c->auts);
		if (rc < 0)
			return lib_sw(rc);
		tag = 0xdc;
		if (put(out, cap, outlen, &tag, 1) < 0 || put_lv(out, cap, outlen, c->auts, 14) < 0)
			return SW_TECH;
		uicc_hooks_authenticated(card, idx, UICC_AUTH_SYNC_FAIL);
		return SW_OK;
	}
	uicc_sqn_accept(&st, sqn);
	if (uicc_sqn_put(card, idx, st.slot, st.ind_len) < 0)
		return SW_MEMORY;
	tag = 0xdb;
	if (put(out, cap, outlen, &tag, 1) < 0 ||
	    put_lv(out, cap, outlen, c->v.xres, c->v.xres_len) < 0 ||
	    put_lv(out, cap, outlen, c->v.ck, c->v.ck_len) < 0 ||
	    put_lv(out, cap, outlen, c->v.ik, c->v.ik_len) < 0)
		return SW_TECH;
	/* Kc = c3(CK, IK) when the USIM offers GSM access (UST n°27); c3 is
	 * defined on 128-bit CK/IK only */
	if (uicc_service_available(card, chan, UST_GSM_ACCESS) && c->v.ck_len == 16 &&
	    c->v.ik_len == 16 && put_lv(out, cap, outlen, c->v.kc, 8) < 0)
		return SW_TECH;
	uicc_hooks_authenticated(card, idx, UICC_AUTH_OK);
	return SW_OK;
}

/* GSM context: the 3G algorithm on RAND alone, then c2/c3 (SQN/AMF do not
 * enter RES, CK or IK). */
static int auth_gsm(struct auth_ctx *cx, struct aka_ctx *c, const uint8_t *rand, uint8_t *out,
		    size_t cap, size_t *outlen)
{
	static const uint8_t zero[6];
	int rc = auth_gen_vector(cx, &c->aks, rand, zero, zero, &c->v);

	if (rc < 0)
		return lib_sw(rc);
	if (c->v.ck_len != 16 || c->v.ik_len != 16)
		return SW_AUTH_CTX;	/* c2/c3 need 128-bit CK/IK (TUAK 256) */
	if (put_lv(out, cap, outlen, c->v.sres, 4) < 0 || put_lv(out, cap, outlen, c->v.kc, 8) < 0)
		return SW_TECH;
	return SW_OK;
}

static int authenticate(struct uicc *card, struct auth_ctx *cx, const struct uicc_apdu *a,
			uint8_t *out, size_t cap, size_t *outlen)
{
	struct aka_ctx c;
	int idx, sw;

	*outlen = 0;
	if (a->p1 != 0x00 || (a->p2 != 0x80 && a->p2 != 0x81))
		return SW_BAD_P1P2;
	/* TS 31.102 §7.1.2: the application PIN (PIN1) must be verified or
	 * disabled */
	if (!uicc_pin_satisfied(card, 0x01))
		return SW_SECURITY;
	if (a->p2 == 0x81 && (a->lc != 34 || a->data[0] != 16 || a->data[17] != 16))
		return SW_WRONG_LEN;
	if (a->p2 == 0x80 && (a->lc != 17 || a->data[0] != 16))
		return SW_WRONG_LEN;
	if (a->p2 == 0x80 && !uicc_service_available(card, a->chan, UST_GSM_SECURITY_CONTEXT))
		return SW_AUTH_CTX;
	idx = uicc_keyset_active(card);
	if (idx < 0)
		return SW_CONDITIONS;	/* no active key set: not personalised */
	memset(&c, 0, sizeof(c));
	if (uicc_keyset_get(card, (unsigned)idx, &c.ks) < 0) {
		cleanse(&c);
		return SW_TECH;
	}
	if (cx == NULL || to_auth_keyset(&c.ks, &c.aks) < 0) {
		cleanse(&c);
		return cx == NULL ? SW_TECH : SW_AUTH_CTX;
	}
	if (a->p2 == 0x81)
		sw = auth_3g(card, cx, a->chan, (unsigned)idx, &c, a->data + 1, a->data + 18, out,
			     cap, outlen);
	else
		sw = auth_gsm(cx, &c, a->data + 1, out, cap, outlen);
	cleanse(&c);
	if (sw != SW_OK) {
		OPENSSL_cleanse(out, *outlen);
		*outlen = 0;
	}
	return sw;
}

static int usim_install(struct uicc *card, void *arg, void **state)
{
	(void)card;
	(void)arg;
	*state = auth_ctx_new();
	return *state ? 0 : UICC_ENOMEM;
}

static void usim_uninstall(void *state)
{
	auth_ctx_free(state);
}

static int usim_process(struct uicc *card, void *state, const struct uicc_apdu *a,
			uint8_t *out, size_t cap, size_t *outlen)
{
	*outlen = 0;
	if (a->ins == 0x88 && (a->cla & 0x80) == 0)
		return authenticate(card, state, a, out, cap, outlen);
	return UICC_APPLET_PASS;
}

const struct uicc_applet_ops uicc_usim_applet = {
	.name = "usim",
	.install = usim_install,
	.process = usim_process,
	.uninstall = usim_uninstall,
};
