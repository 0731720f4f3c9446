/* usim_aka.c - algorithm binding; see usim_aka.h.
 *
 * INTERIM: the project's algorithm library (auth/, libukauth) was not
 * available when this was written, so the card carries a minimal Milenage
 * (TS 35.206 §4.1, AES-128 through OpenSSL EVP) and the TS 34.108 §8.1.2
 * XOR test algorithm here.  When libukauth lands, these functions become
 * thin calls into it (the card-side flow in usim.c does not change).
 * TUAK is not offered (AUTHENTICATE answers 98 64 for a TUAK key set). */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "card/usim_aka.h"

#define OUT_AK 0
#define OUT_RES 8

/* E_K(in) with AES-128 (TS 35.206 §3: the kernel function). */
static int aes(const uint8_t k[16], const uint8_t in[16], uint8_t out[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	if (c == NULL)
		return -1;
	ok = EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k, NULL) == 1 &&
	     EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
	     EVP_EncryptUpdate(c, out, &n, in, 16) == 1 && n == 16;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

struct mil {
	uint8_t opc[16], temp[16];
};

static void mil_cleanse(struct mil *m)
{
	OPENSSL_cleanse(m, sizeof(*m));
}

/* OPc and TEMP = E_K(RAND xor OPc). */
static int mil_init(const struct uicc_keyset *ks, const uint8_t rand[16], struct mil *m)
{
	uint8_t x[16];
	int i, rc;

	if (ks->op_is_opc) {
		memcpy(m->opc, ks->opc, 16);
	} else {
		/* OPc = OP xor E_K(OP) */
		if (aes(ks->k, ks->opc, m->opc) < 0)
			return -1;
		for (i = 0; i < 16; i++)
			m->opc[i] ^= ks->opc[i];
	}
	for (i = 0; i < 16; i++)
		x[i] = rand[i] ^ m->opc[i];
	rc = aes(ks->k, x, m->temp);
	OPENSSL_cleanse(x, sizeof(x));
	return rc;
}

/* OUTn = E_K(rot(TEMP xor OPc, r) xor c) xor OPc, r in bytes, c = ..00 cbyte */
static int mil_out(const struct uicc_keyset *ks, const struct mil *m, unsigned r, uint8_t cbyte,
		   uint8_t out[16])
{
	uint8_t x[16];
	int i, rc;

	for (i = 0; i < 16; i++)
		x[i] = m->temp[(i + r) % 16] ^ m->opc[(i + r) % 16];
	x[15] ^= cbyte;
	rc = aes(ks->k, x, out);
	for (i = 0; i < 16; i++)
		out[i] ^= m->opc[i];
	OPENSSL_cleanse(x, sizeof(x));
	return rc;
}

/* f1 / f1*: OUT1 = E_K(TEMP xor rot(IN1 xor OPc, 64) xor c1) xor OPc */
static int mil_f1(const struct uicc_keyset *ks, const uint8_t rand[16], const uint8_t sqn[6],
		  const uint8_t amf[2], uint8_t out1[16])
{
	struct mil m;
	uint8_t in1[16], x[16];
	int i, rc;

	if (mil_init(ks, rand, &m) < 0) {
		mil_cleanse(&m);
		return -1;
	}
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, in1, 8);
	for (i = 0; i < 16; i++)
		x[i] = m.temp[i] ^ in1[(i + 8) % 16] ^ m.opc[(i + 8) % 16];
	rc = aes(ks->k, x, out1);
	for (i = 0; i < 16; i++)
		out1[i] ^= m.opc[i];
	mil_cleanse(&m);
	OPENSSL_cleanse(x, sizeof(x));
	return rc;
}

static void xdout(const struct uicc_keyset *ks, const uint8_t rand[16], uint8_t x[16])
{
	int i;

	for (i = 0; i < 16; i++)
		x[i] = ks->k[i] ^ rand[i];
}

int uicc_aka_supported(const struct uicc_keyset *ks)
{
	if (ks->alg == UICC_ALG_MILENAGE)
		return ks->k_len == 16 && ks->opc_len == 16;
	if (ks->alg == UICC_ALG_XOR)
		return ks->k_len == 16 && (ks->res_len == 0 || (ks->res_len >= 4 && ks->res_len <= 16));
	return 0;
}

int uicc_aka_run(const struct uicc_keyset *ks, const uint8_t rand[16], struct uicc_aka_out *o)
{
	uint8_t x[16];
	struct mil m;
	int rc = 0, i;

	memset(o, 0, sizeof(*o));
	if (ks->alg == UICC_ALG_XOR) {
		/* TS 34.108 §8.1.2.1: XDOUT = K xor RAND; CK/IK = XDOUT rotated
		 * by 8/16 bits; AK = XDOUT bits 24..71 */
		xdout(ks, rand, x);
		o->res_len = ks->res_len ? ks->res_len : 8;
		memcpy(o->res, x, o->res_len);
		for (i = 0; i < 16; i++) {
			o->ck[i] = x[(i + 1) % 16];
			o->ik[i] = x[(i + 2) % 16];
		}
		memcpy(o->ak, x + 3, 6);
		OPENSSL_cleanse(x, sizeof(x));
		return 0;
	}
	if (ks->alg != UICC_ALG_MILENAGE || mil_init(ks, rand, &m) < 0) {
		mil_cleanse(&m);
		return -1;
	}
	/* TS 35.206 §4.1: r2..r4 = 0, 32, 64 bits; c2..c4 = 1, 2, 4 */
	rc |= mil_out(ks, &m, 0, 0x01, x);
	memcpy(o->ak, x + OUT_AK, 6);
	memcpy(o->res, x + OUT_RES, 8);
	o->res_len = 8;
	rc |= mil_out(ks, &m, 4, 0x02, o->ck);
	rc |= mil_out(ks, &m, 8, 0x04, o->ik);
	mil_cleanse(&m);
	OPENSSL_cleanse(x, sizeof(x));
	return rc ? -1 : 0;
}

int uicc_aka_f1(const struct uicc_keyset *ks, const uint8_t rand[16], const uint8_t sqn[6],
		const uint8_t amf[2], uint8_t mac[8])
{
	uint8_t out1[16];
	int i;

	if (ks->alg == UICC_ALG_XOR) {
		/* MAC-A = XDOUT[0..63] xor (SQN || AMF) */
		xdout(ks, rand, out1);
		for (i = 0; i < 8; i++)
			mac[i] = out1[i] ^ (i < 6 ? sqn[i] : amf[i - 6]);
		OPENSSL_cleanse(out1, sizeof(out1));
		return 0;
	}
	if (ks->alg != UICC_ALG_MILENAGE || mil_f1(ks, rand, sqn, amf, out1) < 0)
		return -1;
	memcpy(mac, out1, 8);
	OPENSSL_cleanse(out1, sizeof(out1));
	return 0;
}

int uicc_aka_auts(const struct uicc_keyset *ks, const uint8_t rand[16], uint64_t sqn_ms,
		  uint8_t auts[14])
{
	static const uint8_t amf0[2] = { 0, 0 };	/* TS 33.102 §6.3.3 dummy AMF */
	uint8_t sqn[6], x[16], aks[6];
	struct mil m;
	int i, rc = 0;

	for (i = 0; i < 6; i++)
		sqn[i] = (uint8_t)(sqn_ms >> (8 * (5 - i)));
	if (ks->alg == UICC_ALG_XOR) {
		xdout(ks, rand, x);
		memcpy(aks, x + 3, 6);	/* f5* = f5 for the XOR algorithm */
		for (i = 0; i < 8; i++)
			auts[6 + i] = x[i] ^ (i < 6 ? sqn[i] : 0);
	} else if (ks->alg == UICC_ALG_MILENAGE) {
		/* AK* = OUT5[0..47] (r5 = 96 bits, c5 = 8); MAC-S = OUT1[64..127] */
		if (mil_init(ks, rand, &m) < 0 || mil_out(ks, &m, 12, 0x08, x) < 0)
			rc = -1;
		mil_cleanse(&m);
		memcpy(aks, x, 6);
		if (rc == 0 && mil_f1(ks, rand, sqn, amf0, x) < 0)
			rc = -1;
		memcpy(auts + 6, x + 8, 8);
	} else {
		return -1;
	}
	for (i = 0; i < 6; i++)
		auts[i] = sqn[i] ^ aks[i];
	OPENSSL_cleanse(x, sizeof(x));
	OPENSSL_cleanse(aks, sizeof(aks));
	return rc;
}

void uicc_aka_c2(const uint8_t *res, size_t res_len, uint8_t sres[4])
{
	size_t i;

	/* TS 33.102 §6.8.1.2: SRES = XOR of the 32-bit words of RES (zero
	 * padded to 128 bits) */
	memset(sres, 0, 4);
	for (i = 0; i < res_len && i < 16; i++)
		sres[i % 4] ^= res[i];
}

void uicc_aka_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8])
{
	size_t i;

	/* Kc = CK1 xor CK2 xor IK1 xor IK2 (64-bit halves) */
	for (i = 0; i < 8; i++)
		kc[i] = ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8];
}
