/* cipher.c - see cipher.h */
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ota/cipher.h"

struct ota_crypto {
	EVP_CIPHER *aes[3];		/* AES-128/192/256-CBC */
	EVP_CIPHER *tdes2, *tdes3;	/* DES-EDE-CBC, DES-EDE3-CBC */
	EVP_CIPHER_CTX *cctx;
	EVP_MAC *cmac;
	EVP_MAC_CTX *mctx[3];		/* CMAC bound to AES-128/192/256-CBC */
};

static const char *const aes_names[3] = { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" };

struct ota_crypto *ota_crypto_new(void)
{
	struct ota_crypto *cx = calloc(1, sizeof(*cx));
	int i;

	if (cx == NULL)
		return NULL;
	cx->tdes2 = EVP_CIPHER_fetch(NULL, "DES-EDE-CBC", NULL);
	cx->tdes3 = EVP_CIPHER_fetch(NULL, "DES-EDE3-CBC", NULL);
	cx->cctx = EVP_CIPHER_CTX_new();
	cx->cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	for (i = 0; i < 3; i++) {
		OSSL_PARAM p[2];

		cx->aes[i] = EVP_CIPHER_fetch(NULL, aes_names[i], NULL);
		if (cx->cmac == NULL)
			continue;
		cx->mctx[i] = EVP_MAC_CTX_new(cx->cmac);
		p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
							(char *)aes_names[i], 0);
		p[1] = OSSL_PARAM_construct_end();
		if (cx->mctx[i] != NULL && !EVP_MAC_CTX_set_params(cx->mctx[i], p)) {
			EVP_MAC_CTX_free(cx->mctx[i]);
			cx->mctx[i] = NULL;
		}
	}
	if (cx->tdes2 == NULL || cx->tdes3 == NULL || cx->cctx == NULL || cx->cmac == NULL ||
	    cx->aes[0] == NULL || cx->aes[1] == NULL || cx->aes[2] == NULL ||
	    cx->mctx[0] == NULL || cx->mctx[1] == NULL || cx->mctx[2] == NULL) {
		ota_crypto_free(cx);
		return NULL;
	}
	return cx;
}

void ota_crypto_free(struct ota_crypto *cx)
{
	int i;

	if (cx == NULL)
		return;
	for (i = 0; i < 3; i++) {
		EVP_CIPHER_free(cx->aes[i]);
		EVP_MAC_CTX_free(cx->mctx[i]);
	}
	EVP_CIPHER_free(cx->tdes2);
	EVP_CIPHER_free(cx->tdes3);
	EVP_CIPHER_CTX_free(cx->cctx);
	EVP_MAC_free(cx->cmac);
	free(cx);
}

/* TS 102 225 §5.1.2 (KIc) b2b1: 01 DES family with b4b3 mode, 10 AES (b4b3
 * must be 00), 00 implicit.  DES-CBC (0001) and DES-ECB (1101) are single
 * DES: broken (SRLabs 2013), refused. */
static int des_family(uint8_t nib, int cc)
{
	switch (nib) {
	case 0x1: return OTA_EDES;
	case 0x5: return OTA_ALG_3DES2;
	case 0x9: return OTA_ALG_3DES3;
	case 0xd: return cc ? OTA_EALG : OTA_EDES;	/* KID: reserved */
	case 0x2: return OTA_ALG_AES;
	default: return OTA_EALG;
	}
}

int ota_kic_alg(uint8_t kic, uint8_t implicit)
{
	uint8_t nib = kic & 0x0f;

	if (nib == 0)
		nib = implicit & 0x0f;
	if (nib == 0)
		return OTA_EALG;
	return des_family(nib, 0);
}

int ota_kid_alg(uint8_t spi1, uint8_t kid, uint8_t implicit)
{
	uint8_t nib = kid & 0x0f;

	if (nib == 0)
		nib = implicit & 0x0f;
	switch (spi1 & 0x03) {
	case 0x01:
		/* RC: b2b1 01 = CRC, b4b3 00 CRC16 / 01 CRC32 */
		if (nib == 0x1)
			return OTA_ALG_CRC16;
		if (nib == 0x5)
			return OTA_ALG_CRC32;
		return OTA_EALG;
	case 0x02:
		if (nib == 0)
			return OTA_EALG;
		return des_family(nib, 1);
	default:
		return OTA_ALG_NONE;
	}
}

size_t ota_alg_block(int alg)
{
	return alg == OTA_ALG_AES ? 16 : 8;
}

int ota_alg_key_ok(int alg, size_t keylen)
{
	switch (alg) {
	case OTA_ALG_3DES2: return keylen == 16 ? 0 : OTA_EKEY;
	case OTA_ALG_3DES3: return keylen == 24 ? 0 : OTA_EKEY;
	case OTA_ALG_AES: return keylen == 16 || keylen == 24 || keylen == 32 ? 0 : OTA_EKEY;
	default: return 0;
	}
}

static const EVP_CIPHER *cipher_of(struct ota_crypto *cx, int alg, size_t keylen)
{
	switch (alg) {
	case OTA_ALG_3DES2: return cx->tdes2;
	case OTA_ALG_3DES3: return cx->tdes3;
	case OTA_ALG_AES: return cx->aes[(keylen - 16) / 8];
	default: return NULL;
	}
}

int ota_cbc(struct ota_crypto *cx, int alg, const uint8_t *key, size_t keylen, int enc,
	    const uint8_t *in, size_t len, uint8_t *out)
{
	static const uint8_t iv[16];
	const EVP_CIPHER *c;
	int outl = 0;

	if (cx == NULL)
		return OTA_EARG;
	if (ota_alg_key_ok(alg, keylen) != 0)
		return OTA_EKEY;
	c = cipher_of(cx, alg, keylen);
	if (c == NULL || len % ota_alg_block(alg) != 0 || len > INT32_MAX)
		return OTA_EARG;
	if (!EVP_CipherInit_ex2(cx->cctx, c, key, iv, enc, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(cx->cctx, 0) ||
	    !EVP_CipherUpdate(cx->cctx, out, &outl, in, (int)len) || (size_t)outl != len)
		return OTA_ECRYPTO;
	return 0;
}

/* ISO/IEC 9797-1 MAC algorithm 1, padding method 1 (zero bytes, not sent),
 * with full 3DES per block: TS 102 225 §5.1.3.1. */
static int cbc_mac(struct ota_crypto *cx, int alg, const uint8_t *key, size_t keylen,
		   const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t mac[8])
{
	static const uint8_t iv[8], zeros[8];
	uint8_t scratch[256 + 8];
	const uint8_t *segs[3] = { a, b, zeros };
	size_t lens[3] = { alen, blen, (8 - (alen + blen) % 8) % 8 };
	int i, outl;

	if (!EVP_CipherInit_ex2(cx->cctx, cipher_of(cx, alg, keylen), key, iv, 1, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(cx->cctx, 0))
		return OTA_ECRYPTO;
	if (alen + blen == 0)
		lens[2] = 8;	/* an empty message is one block of zeros */
	for (i = 0; i < 3; i++) {
		size_t off = 0;

		while (off < lens[i]) {
			size_t n = lens[i] - off > 256 ? 256 : lens[i] - off;

			if (!EVP_CipherUpdate(cx->cctx, scratch, &outl, segs[i] + off, (int)n))
				return OTA_ECRYPTO;
			if (outl >= 8)
				memcpy(mac, scratch + outl - 8, 8);
			off += n;
		}
	}
	OPENSSL_cleanse(scratch, sizeof(scratch));
	return 0;
}

/* TS 102 225 §5.1.3.2: AES in CMAC mode (NIST SP 800-38B), leftmost bytes. */
static int aes_cmac(struct ota_crypto *cx, const uint8_t *key, size_t keylen,
		    const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		    uint8_t *out, size_t outlen)
{
	EVP_MAC_CTX *m = cx->mctx[(keylen - 16) / 8];
	uint8_t tag[16];
	size_t tlen = 0;

	if (!EVP_MAC_init(m, key, keylen, NULL) || !EVP_MAC_update(m, a, alen) ||
	    !EVP_MAC_update(m, b, blen) || !EVP_MAC_final(m, tag, &tlen, sizeof(tag)) ||
	    tlen != 16)
		return OTA_ECRYPTO;
	memcpy(out, tag, outlen);
	OPENSSL_cleanse(tag, sizeof(tag));
	return 0;
}

int ota_check_value(struct ota_crypto *cx, int alg, const uint8_t *key, size_t keylen,
		    const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		    uint8_t *out, size_t outlen)
{
	uint8_t mac[8];
	int rc;

	switch (alg) {
	case OTA_ALG_CRC16: {
		uint16_t c = ota_crc16(ota_crc16(0xffff, a, alen), b, blen) ^ 0xffff;

		if (outlen != 2)
			return OTA_EARG;
		out[0] = (uint8_t)(c >> 8);
		out[1] = (uint8_t)c;
		return 0;
	}
	case OTA_ALG_CRC32: {
		/* TS 102 225 §5.1.3.3: ISO/IEC 13239 CRC-32 = zlib's crc32 */
		uint32_t c = ota_crc32(ota_crc32(0, a, alen), b, blen);

		if (outlen != 4)
			return OTA_EARG;
		out[0] = (uint8_t)(c >> 24);
		out[1] = (uint8_t)(c >> 16);
		out[2] = (uint8_t)(c >> 8);
		out[3] = (uint8_t)c;
		return 0;
	}
	case OTA_ALG_3DES2:
	case OTA_ALG_3DES3:
		if (cx == NULL)
			return OTA_EARG;
		if (ota_alg_key_ok(alg, keylen) != 0)
			return OTA_EKEY;
		if (outlen != 8)
			return OTA_EARG;
		rc = cbc_mac(cx, alg, key, keylen, a, alen, b, blen, mac);
		if (rc == 0)
			memcpy(out, mac, 8);
		OPENSSL_cleanse(mac, sizeof(mac));
		return rc;
	case OTA_ALG_AES:
		if (cx == NULL)
			return OTA_EARG;
		if (ota_alg_key_ok(alg, keylen) != 0)
			return OTA_EKEY;
		if (outlen != 8 && outlen != 4)
			return OTA_EARG;
		return aes_cmac(cx, key, keylen, a, alen, b, blen, out, outlen);
	default:
		return OTA_EALG;
	}
}

int ota_resolve_check(uint8_t mode, uint8_t kid, const struct ota_keys *k)
{
	int alg;

	if (mode == 0x00)
		return OTA_ALG_NONE;
	if (mode == 0x03)
		return OTA_ESPI;	/* DS: no algorithm defined for us */
	alg = ota_kid_alg(mode, kid, k->kid_implicit);
	if (alg < 0 || alg == OTA_ALG_NONE || alg == OTA_ALG_CRC16 || alg == OTA_ALG_CRC32)
		return alg;
	return ota_alg_key_ok(alg, k->kid_key_len) == 0 ? alg : OTA_EKEY;
}

size_t ota_check_len(int alg, const struct ota_keys *k)
{
	switch (alg) {
	case OTA_ALG_NONE: return 0;
	case OTA_ALG_CRC16: return 2;
	case OTA_ALG_CRC32: return 4;
	case OTA_ALG_AES: return k->cc_len == 4 ? 4 : 8;
	default: return 8;
	}
}

int ota_resolve_cipher(int ciphered, uint8_t kic, const struct ota_keys *k)
{
	int alg;

	if (!ciphered)
		return OTA_ALG_NONE;
	alg = ota_kic_alg(kic, k->kic_implicit);
	if (alg < 0)
		return alg;
	return ota_alg_key_ok(alg, k->kic_key_len) == 0 ? alg : OTA_EKEY;
}
