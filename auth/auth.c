/* auth.c - AKA for the AuC and the USIM; see include/uicckit/auth.h. */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "uicckit/auth.h"
#include "uicckit/milenage.h"
#include "uicckit/xorauth.h"

struct auth_ctx {
	struct milenage *m;
};

/* What one run of an algorithm set yields. */
struct aka {
	uint8_t mac_a[8], mac_s[8], res[16], ck[16], ik[16], ak[6], ak_star[6];
	size_t res_len;
};

struct auth_ctx *auth_ctx_new(void)
{
	struct auth_ctx *cx = calloc(1, sizeof(*cx));

	if (cx == NULL)
		return NULL;
	cx->m = milenage_new();
	if (cx->m == NULL) {
		free(cx);
		return NULL;
	}
	return cx;
}

void auth_ctx_free(struct auth_ctx *cx)
{
	if (cx == NULL)
		return;
	milenage_free(cx->m);
	free(cx);
}

const char *auth_strerror(int err)
{
	switch (err) {
	case AUTH_OK: return "ok";
	case AUTH_EMAC: return "MAC does not verify";
	case AUTH_EARG: return "bad parameters";
	case AUTH_EALG: return "algorithm not available";
	case AUTH_ECRYPTO: return "crypto library failure";
	}
	return "unknown authentication error";
}

const char *auth_alg_name(enum auth_alg alg)
{
	switch (alg) {
	case AUTH_ALG_MILENAGE: return "milenage";
	case AUTH_ALG_XOR: return "xor";
	case AUTH_ALG_TUAK: return "tuak";
	}
	return "unknown";
}

int auth_alg_from_name(const char *name)
{
	if (strcmp(name, "milenage") == 0)
		return AUTH_ALG_MILENAGE;
	if (strcmp(name, "xor") == 0)
		return AUTH_ALG_XOR;
	if (strcmp(name, "tuak") == 0)
		return AUTH_ALG_TUAK;
	return AUTH_EALG;
}

static int opc_of(struct auth_ctx *cx, const struct auth_keyset *ks, uint8_t opc[16])
{
	if (ks->op_len != 16)
		return AUTH_EARG;
	if (ks->op_is_opc) {
		memcpy(opc, ks->op, 16);
		return 0;
	}
	return milenage_opc(cx->m, ks->k, ks->op, opc) == 0 ? 0 : AUTH_ECRYPTO;
}

static int run(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
	       const uint8_t sqn[6], const uint8_t amf[2], struct aka *a)
{
	uint8_t opc[16];
	int rc;

	if (cx == NULL || ks == NULL || ks->k_len != 16)
		return AUTH_EARG;
	switch (ks->alg) {
	case AUTH_ALG_MILENAGE: {
		struct milenage_out o;

		rc = opc_of(cx, ks, opc);
		if (rc == 0 && milenage_all(cx->m, ks->k, opc, rand, sqn, amf, &o) != 0)
			rc = AUTH_ECRYPTO;
		if (rc == 0) {
			memcpy(a->mac_a, o.mac_a, 8);
			memcpy(a->mac_s, o.mac_s, 8);
			memcpy(a->res, o.res, 8);
			a->res_len = 8;
			memcpy(a->ck, o.ck, 16);
			memcpy(a->ik, o.ik, 16);
			memcpy(a->ak, o.ak, 6);
			memcpy(a->ak_star, o.ak_star, 6);
		}
		OPENSSL_cleanse(&o, sizeof(o));
		OPENSSL_cleanse(opc, sizeof(opc));
		return rc;
	}
	case AUTH_ALG_XOR: {
		struct xorauth_out o;
		size_t n = ks->res_len ? ks->res_len : 16;

		if (n < 4 || n > 16)
			return AUTH_EARG;
		xorauth_all(ks->k, rand, sqn, amf, &o);
		memcpy(a->mac_a, o.mac_a, 8);
		memcpy(a->mac_s, o.mac_s, 8);
		memcpy(a->res, o.res, 16);
		a->res_len = n;
		memcpy(a->ck, o.ck, 16);
		memcpy(a->ik, o.ik, 16);
		memcpy(a->ak, o.ak, 6);
		memcpy(a->ak_star, o.ak_star, 6);
		OPENSSL_cleanse(&o, sizeof(o));
		return 0;
	}
	default:
		return AUTH_EALG;
	}
}

void auth_c2(const uint8_t *res, size_t res_len, uint8_t sres[4])
{
	size_t i;

	memset(sres, 0, 4);
	for (i = 0; i < res_len && i < 16; i++)
		sres[i % 4] ^= res[i];
}

void auth_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8])
{
	int i;

	for (i = 0; i < 8; i++)
		kc[i] = ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8];
}

static void fill_vector(const struct aka *a, const uint8_t rand[16], struct auth_vector *v)
{
	memcpy(v->rand, rand, 16);
	memset(v->xres, 0, sizeof(v->xres));
	memcpy(v->xres, a->res, a->res_len);
	v->xres_len = a->res_len;
	memcpy(v->ck, a->ck, 16);
	memcpy(v->ik, a->ik, 16);
	memcpy(v->ak, a->ak, 6);
	auth_c2(a->res, a->res_len, v->sres);
	auth_c3(a->ck, a->ik, v->kc);
}

int auth_gen_vector(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		    const uint8_t sqn[6], const uint8_t amf[2], struct auth_vector *v)
{
	struct aka a;
	int rc = run(cx, ks, rand, sqn, amf, &a), i;

	if (rc != 0)
		return rc;
	fill_vector(&a, rand, v);
	/* TS 33.102 §6.3.2: AUTN = SQN xor AK || AMF || MAC */
	for (i = 0; i < 6; i++)
		v->autn[i] = sqn[i] ^ a.ak[i];
	memcpy(v->autn + 6, amf, 2);
	memcpy(v->autn + 8, a.mac_a, 8);
	OPENSSL_cleanse(&a, sizeof(a));
	return 0;
}

int auth_usim_verify(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		     const uint8_t autn[16], uint8_t sqn[6], struct auth_vector *v)
{
	static const uint8_t zero[6];
	struct aka a;
	int rc, i;

	/* AK = f5(RAND) does not depend on SQN/AMF: a first run recovers SQN,
	 * a second computes XMAC over it. */
	rc = run(cx, ks, rand, zero, autn + 6, &a);
	if (rc != 0)
		return rc;
	for (i = 0; i < 6; i++)
		sqn[i] = autn[i] ^ a.ak[i];
	rc = run(cx, ks, rand, sqn, autn + 6, &a);
	if (rc == 0 && CRYPTO_memcmp(a.mac_a, autn + 8, 8) != 0)
		rc = AUTH_EMAC;
	if (rc == 0) {
		fill_vector(&a, rand, v);
		memcpy(v->autn, autn, 16);
	}
	OPENSSL_cleanse(&a, sizeof(a));
	return rc;
}

/* TS 33.102 §6.3.3: AUTS = SQN_MS xor f5*(RAND) || f1*(SQN_MS, RAND, AMF*),
 * AMF* = 0000 (the dummy AMF of resynchronisation). */
static int mac_s_of(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		    const uint8_t sqn_ms[6], uint8_t mac_s[8], uint8_t ak_star[6])
{
	static const uint8_t amf0[2];
	struct aka a;
	int rc = run(cx, ks, rand, sqn_ms, amf0, &a);

	if (rc == 0) {
		memcpy(mac_s, a.mac_s, 8);
		memcpy(ak_star, a.ak_star, 6);
	}
	OPENSSL_cleanse(&a, sizeof(a));
	return rc;
}

int auth_usim_auts(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		   const uint8_t sqn_ms[6], uint8_t auts[14])
{
	uint8_t ak_star[6];
	int rc = mac_s_of(cx, ks, rand, sqn_ms, auts + 6, ak_star), i;

	if (rc != 0)
		return rc;
	for (i = 0; i < 6; i++)
		auts[i] = sqn_ms[i] ^ ak_star[i];
	OPENSSL_cleanse(ak_star, sizeof(ak_star));
	return 0;
}

int auth_resync(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		const uint8_t auts[14], uint8_t sqn_ms[6])
{
	static const uint8_t zero[6];
	uint8_t mac_s[8], ak_star[6], sqn[6];
	int rc, i;

	/* f5* does not depend on SQN: recover SQN_MS, then check MAC-S */
	rc = mac_s_of(cx, ks, rand, zero, mac_s, ak_star);
	if (rc != 0)
		return rc;
	for (i = 0; i < 6; i++)
		sqn[i] = auts[i] ^ ak_star[i];
	rc = mac_s_of(cx, ks, rand, sqn, mac_s, ak_star);
	if (rc == 0 && CRYPTO_memcmp(mac_s, auts + 6, 8) != 0)
		rc = AUTH_EMAC;
	if (rc == 0)
		memcpy(sqn_ms, sqn, 6);
	OPENSSL_cleanse(mac_s, sizeof(mac_s));
	OPENSSL_cleanse(ak_star, sizeof(ak_star));
	return rc;
}

int auth_check_res(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		   const uint8_t *res, size_t res_len)
{
	static const uint8_t zero[8];
	struct aka a;
	int rc = run(cx, ks, rand, zero, zero, &a);

	if (rc == 0 && (res_len != a.res_len || CRYPTO_memcmp(res, a.res, res_len) != 0))
		rc = AUTH_EMAC;
	OPENSSL_cleanse(&a, sizeof(a));
	return rc;
}

uint64_t auth_sqn_next(uint64_t sqn, unsigned ind, unsigned ind_len)
{
	uint64_t mask = (1ULL << ind_len) - 1;

	return (((sqn >> ind_len) + 1) << ind_len | (ind & mask)) & 0xffffffffffffULL;
}
