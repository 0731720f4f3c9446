/* usim.c - the USIM applet: AUTHENTICATE (TS 31.102 §7.1.2); see usim.h.
 *
 * 3G context (P2 81): MAC first (98 62 on failure, nothing changes), then
 * SQN freshness (TS 33.102 Annex C, sqn.h; stale -> DC 0E AUTS), then the
 * answer DB 08 RES 10 CK 10 IK [08 Kc] with the SQN array updated in the
 * same transaction, so the store commit happens before the answer leaves.
 * GSM context (P2 80): 04 SRES 08 Kc from the 3G algorithm and c2/c3, only
 * with UST service 38.  The algorithms come from the active key set. */
#include <string.h>
#include <openssl/crypto.h>
#include "card/card.h"
#include "card/cmd.h"
#include "card/sqn.h"
#include "card/usim.h"
#include "card/usim_aka.h"
#include "common/buf.h"
#include "uicckit/keyset.h"

/* TS 31.102 §4.2.8 service numbers */
#define UST_GSM_ACCESS 27
#define UST_GSM_SECURITY_CONTEXT 38

struct aka_ctx {
	struct uicc_keyset ks;
	struct uicc_aka_out v;
	uint8_t sqn[6], xmac[8], auts[14];
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

static int auth_3g(struct uicc *card, unsigned chan, unsigned idx, struct aka_ctx *c,
		   const uint8_t *rand, const uint8_t *autn, uint8_t *out, size_t cap,
		   size_t *outlen)
{
	struct uicc_sqn_state st;
	uint64_t sqn, ms;
	uint8_t tag, kc[8];
	size_t i;
	int rc;

	if (uicc_aka_run(&c->ks, rand, &c->v) < 0)
		return SW_TECH;
	for (i = 0; i < 6; i++)
		c->sqn[i] = autn[i] ^ c->v.ak[i];
	if (uicc_aka_f1(&c->ks, rand, c->sqn, autn + 6, c->xmac) < 0)
		return SW_TECH;
	if (CRYPTO_memcmp(c->xmac, autn + 8, 8) != 0) {
		uicc_hooks_authenticated(card, idx, UICC_AUTH_MAC_FAIL);
		return SW_AUTH_MAC;
	}
	memset(&st, 0, sizeof(st));
	if (uicc_sqn_get(card, idx, st.slot, &st.ind_len) < 0)
		return SW_TECH;
	sqn = uk_get_be(c->sqn, 6);
	if (!uicc_sqn_fresh(&st, sqn)) {
		/* TS 33.102 §6.3.3: AUTS = (SQN_MS xor AK*) || MAC-S */
		ms = uicc_sqn_ms(&st);
		if (uicc_aka_auts(&c->ks, rand, ms, c->auts) < 0)
			return SW_TECH;
		tag = 0xdc;
		if (put(out, cap, outlen, &tag, 1) < 0 || put_lv(out, cap, outlen, c->auts, 14) < 0)
			return SW_TECH;
		uicc_hooks_authenticated(card, idx, UICC_AUTH_SYNC_FAIL);
		return SW_OK;
	}
	uicc_sqn_accept(&st, sqn);
	rc = uicc_sqn_put(card, idx, st.slot, st.ind_len);
	if (rc < 0)
		return SW_MEMORY;
	tag = 0xdb;
	if (put(out, cap, outlen, &tag, 1) < 0 ||
	    put_lv(out, cap, outlen, c->v.res, c->v.res_len) < 0 ||
	    put_lv(out, cap, outlen, c->v.ck, 16) < 0 || put_lv(out, cap, outlen, c->v.ik, 16) < 0)
		return SW_TECH;
	if (uicc_service_available(card, chan, UST_GSM_ACCESS)) {
		uicc_aka_c3(c->v.ck, c->v.ik, kc);
		rc = put_lv(out, cap, outlen, kc, 8);
		OPENSSL_cleanse(kc, sizeof(kc));
		if (rc < 0)
			return SW_TECH;
	}
	uicc_hooks_authenticated(card, idx, UICC_AUTH_OK);
	return SW_OK;
}

static int auth_gsm(struct aka_ctx *c, const uint8_t *rand, uint8_t *out, size_t cap,
		    size_t *outlen)
{
	uint8_t sres[4], kc[8];
	int rc;

	if (uicc_aka_run(&c->ks, rand, &c->v) < 0)
		return SW_TECH;
	uicc_aka_c2(c->v.res, c->v.res_len, sres);
	uicc_aka_c3(c->v.ck, c->v.ik, kc);
	rc = put_lv(out, cap, outlen, sres, 4) < 0 || put_lv(out, cap, outlen, kc, 8) < 0;
	OPENSSL_cleanse(kc, sizeof(kc));
	return rc ? SW_TECH : SW_OK;
}

static int authenticate(struct uicc *card, const struct uicc_apdu *a, uint8_t *out, size_t cap,
			size_t *outlen)
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
	if (!uicc_aka_supported(&c.ks)) {
		cleanse(&c);
		return SW_AUTH_CTX;
	}
	if (a->p2 == 0x81)
		sw = auth_3g(card, a->chan, (unsigned)idx, &c, a->data + 1, a->data + 18, out, cap,
			     outlen);
	else
		sw = auth_gsm(&c, a->data + 1, out, cap, outlen);
	cleanse(&c);
	if (sw != SW_OK) {
		OPENSSL_cleanse(out, *outlen);
		*outlen = 0;
	}
	return sw;
}

static int usim_process(struct uicc *card, void *state, const struct uicc_apdu *a,
			uint8_t *out, size_t cap, size_t *outlen)
{
	(void)state;
	*outlen = 0;
	if (a->ins == 0x88 && (a->cla & 0x80) == 0)
		return authenticate(card, a, out, cap, outlen);
	return UICC_APPLET_PASS;
}

const struct uicc_applet_ops uicc_usim_applet = {
	.name = "usim",
	.process = usim_process,
};
