/* milenage.c - 3GPP TS 35.206 MILENAGE; see include/uicckit/milenage.h. */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "uicckit/milenage.h"

struct milenage {
	EVP_CIPHER *aes;
	EVP_CIPHER_CTX *ctx;
	uint8_t c[5][16];
	unsigned r[5];
};

struct milenage *milenage_new(void)
{
	/* TS 35.206 §4.1: c1 = 0, c2..c5 = 1, 2, 4, 8 in the last byte;
	 * r1..r5 = 64, 0, 32, 64, 96 bits. */
	static const unsigned r[5] = { 64, 0, 32, 64, 96 };
	struct milenage *m = calloc(1, sizeof(*m));
	int i;

	if (m == NULL)
		return NULL;
	m->aes = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	m->ctx = EVP_CIPHER_CTX_new();
	if (m->aes == NULL || m->ctx == NULL ||
	    !EVP_EncryptInit_ex2(m->ctx, m->aes, NULL, NULL, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(m->ctx, 0)) {
		milenage_free(m);
		return NULL;
	}
	for (i = 0; i < 5; i++)
		m->r[i] = r[i];
	for (i = 1; i < 5; i++)
		m->c[i][15] = (uint8_t)(1u << (i - 1));
	return m;
}

void milenage_free(struct milenage *m)
{
	if (m == NULL)
		return;
	EVP_CIPHER_CTX_free(m->ctx);
	EVP_CIPHER_free(m->aes);
	OPENSSL_cleanse(m, sizeof(*m));
	free(m);
}

int milenage_set_constants(struct milenage *m, const uint8_t c[5][16], const unsigned r[5])
{
	int i;

	for (i = 0; i < 5; i++)
		if (r[i] > 127)
			return -1;
	memcpy(m->c, c, sizeof(m->c));
	memcpy(m->r, r, sizeof(m->r));
	return 0;
}

/* out = E_K(in) for n consecutive 16-byte blocks under the current key.
 * EVP_Cipher() is the one-shot entry without EVP_EncryptUpdate()'s
 * buffering bookkeeping: ECB on whole blocks needs none. */
static int encrypt(struct milenage *m, const uint8_t *in, uint8_t *out, int n)
{
	return EVP_Cipher(m->ctx, out, in, (unsigned int)(16 * n)) > 0 ? 0 : -1;
}

static int set_key(struct milenage *m, const uint8_t k[16])
{
	return EVP_EncryptInit_ex2(m->ctx, NULL, k, NULL, NULL) ? 0 : -1;
}

/* out = x rotated left (towards the most significant end) by r bits. */
static void rot(const uint8_t x[16], unsigned r, uint8_t out[16])
{
	unsigned bytes = r / 8, bits = r % 8, i;

	if (bits == 0) {
		/* the constants of TS 35.206 are whole bytes: two copies */
		memcpy(out, x + bytes, 16 - bytes);
		memcpy(out + 16 - bytes, x, bytes);
		return;
	}
	for (i = 0; i < 16; i++) {
		uint8_t a = x[(i + bytes) % 16], b = x[(i + bytes + 1) % 16];

		out[i] = bits ? (uint8_t)(a << bits | b >> (8 - bits)) : a;
	}
}

static void xor16(uint8_t *d, const uint8_t *a, const uint8_t *b)
{
	int i;

	for (i = 0; i < 16; i++)
		d[i] = a[i] ^ b[i];
}

int milenage_opc(struct milenage *m, const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
	uint8_t e[16];

	if (set_key(m, k) != 0 || encrypt(m, op, e, 1) != 0)
		return -1;
	xor16(opc, op, e);
	OPENSSL_cleanse(e, sizeof(e));
	return 0;
}

/* TS 35.206 §4.1: TEMP = E_K(RAND xor OPc); IN1 = SQN||AMF||SQN||AMF;
 * OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc;
 * OUTi = E_K(rot(TEMP xor OPc, ri) xor ci) xor OPc, i = 2..5.
 * The blocks after TEMP are independent: one EVP call encrypts them all. */
static int blocks(struct milenage *m, const uint8_t k[16], const uint8_t opc[16],
		  const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2],
		  int nout, uint8_t out[5][16])
{
	uint8_t temp[16], in[5][16], t[16], in1[16];
	int i, rc = -1;

	if (set_key(m, k) != 0)
		return -1;
	xor16(t, rand, opc);
	if (encrypt(m, t, temp, 1) != 0)
		goto done;
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, sqn, 6);
	memcpy(in1 + 14, amf, 2);
	xor16(t, in1, opc);
	rot(t, m->r[0], in[0]);
	xor16(in[0], in[0], temp);
	xor16(in[0], in[0], m->c[0]);
	xor16(t, temp, opc);
	for (i = 1; i < nout; i++) {
		/* nout 2 means OUT1 and OUT5 (f1*, f5*): put OUT5 second */
		int f = nout == 2 ? 4 : i;

		rot(t, m->r[f], in[i]);
		xor16(in[i], in[i], m->c[f]);
	}
	if (encrypt(m, in[0], out[0], nout) != 0)
		goto done;
	for (i = 0; i < nout; i++)
		xor16(out[i], out[i], opc);
	rc = 0;
done:
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(in, sizeof(in));
	OPENSSL_cleanse(t, sizeof(t));
	OPENSSL_cleanse(in1, sizeof(in1));
	return rc;
}

int milenage_all(struct milenage *m, const uint8_t k[16], const uint8_t opc[16],
		 const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2],
		 struct milenage_out *o)
{
	uint8_t out[5][16];

	if (blocks(m, k, opc, rand, sqn, amf, 5, out) != 0)
		return -1;
	memcpy(o->mac_a, out[0], 8);
	memcpy(o->mac_s, out[0] + 8, 8);
	memcpy(o->ak, out[1], 6);
	memcpy(o->res, out[1] + 8, 8);
	memcpy(o->ck, out[2], 16);
	memcpy(o->ik, out[3], 16);
	memcpy(o->ak_star, out[4], 6);
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}

int milenage_f1star_f5star(struct milenage *m, const uint8_t k[16], const uint8_t opc[16],
			   const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2],
			   uint8_t mac_s[8], uint8_t ak_star[6])
{
	uint8_t out[5][16];

	if (blocks(m, k, opc, rand, sqn, amf, 2, out) != 0)
		return -1;
	memcpy(mac_s, out[0] + 8, 8);
	memcpy(ak_star, out[1], 6);
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}
