/*
 * cipher.h - the OTA algorithms of TS 102 225 §5.1.2/§5.1.3 on OpenSSL:
 * ciphering (3DES 2/3-key CBC, AES CBC; zero IV, no padding), CC (3DES
 * CBC-MAC with zero padding that is not sent, AES-CMAC truncated to the
 * leftmost bytes) and RC (CRC-16/X-25, CRC-32).  Data may be given as two
 * segments (the header before the RC/CC field and the rest after it), so
 * that nothing has to be copied to leave the checksum field out.
 */
#ifndef OTA_CIPHER_H
#define OTA_CIPHER_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/secpkt.h"

enum ota_alg {
	OTA_ALG_NONE = 0,
	OTA_ALG_3DES2,		/* 3DES outer CBC, 2 keys */
	OTA_ALG_3DES3,		/* 3DES outer CBC, 3 keys */
	OTA_ALG_AES,		/* AES CBC (cipher) / CMAC (CC) */
	OTA_ALG_CRC16,
	OTA_ALG_CRC32,
};

/* KIc low nibble -> cipher algorithm (or <0: OTA_EDES, OTA_EALG). */
int ota_kic_alg(uint8_t kic, uint8_t implicit);
/* KID low nibble under SPI1 b2b1 = 10 (CC) or 01 (RC). */
int ota_kid_alg(uint8_t spi1, uint8_t kid, uint8_t implicit);
size_t ota_alg_block(int alg);
/* Check a key length for an algorithm: 0 or OTA_EKEY. */
int ota_alg_key_ok(int alg, size_t keylen);

/* In-place-safe CBC with zero IV; len a multiple of the block size. */
int ota_cbc(struct ota_crypto *cx, int alg, const uint8_t *key, size_t keylen, int enc,
	    const uint8_t *in, size_t len, uint8_t *out);
/* RC/CC over a || b into out (outlen bytes: 2/4 for CRC, 4 or 8 for CC). */
int ota_check_value(struct ota_crypto *cx, int alg, const uint8_t *key, size_t keylen,
		    const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		    uint8_t *out, size_t outlen);

/* crc.c: ISO/IEC 13239 CRCs of TS 102 225 §5.1.3.3, chainable.
 * ota_crc16: raw register, start 0xffff, complement the result.
 * ota_crc32: zlib crc32(), start 0, already complemented. */
/* The RC/CC algorithm for check mode `mode` (SPI b2b1 coding: 00 none,
 * 01 RC, 10 CC, 11 DS) and KID, with its key checked: an OTA_ALG_* or <0. */
int ota_resolve_check(uint8_t mode, uint8_t kid, const struct ota_keys *k);
/* Length of that RC/CC field (0, 2, 4 or 8). */
size_t ota_check_len(int alg, const struct ota_keys *k);
/* The cipher for KIc when `ciphered`, its key checked: OTA_ALG_* or <0. */
int ota_resolve_cipher(int ciphered, uint8_t kic, const struct ota_keys *k);

uint16_t ota_crc16(uint16_t crc, const uint8_t *p, size_t n);
uint32_t ota_crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif
