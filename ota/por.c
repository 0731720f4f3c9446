/* por.c - TS 102 225 §5.2 / TS 31.115 response packets; see por.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "common/buf.h"
#include "ota/cipher.h"
#include "uicckit/por.h"

/* 02 71 00 RPL(2) RHL(1) TAR(3) | CNTR(5) PCNTR(1) RSC(1) */
#define UDH_LEN 3
#define POR_CLEAR 9		/* UDH..TAR: never ciphered */
#define POR_FULL 16		/* ... + CNTR PCNTR RSC: where RC/CC starts */
#define RHL_BASE 10		/* TAR + CNTR + PCNTR + RSC */

const char *ota_rsc_name(uint8_t rsc)
{
	static const char *const names[] = {
		"PoR OK", "RC/CC/DS failed", "CNTR low", "CNTR high", "CNTR blocked",
		"ciphering error", "unidentified security error",
		"insufficient memory to process incoming message", "more time",
		"TAR unknown", "insufficient security level",
		"actual response data to be sent using SMS-SUBMIT",
		"actual response data to be sent using PROCESS UNSTRUCTURED SS REQUEST",
	};

	if (rsc < sizeof(names) / sizeof(names[0]))
		return names[rsc];
	if (rsc >= 0xc0 && rsc <= 0xfe)
		return "reserved for proprietary use";
	return "reserved for future use";
}

static int por_success(uint8_t rsc)
{
	return rsc == OTA_RSC_OK || rsc == OTA_RSC_USE_SMS_SUBMIT;
}

/* The PoR's RC/CC is named by SPI2 b4b3 and ciphering by SPI2 b5; they use
 * the algorithms and keys of the command's KID and KIc (TS 102 225 §5.2). */
static int por_check_alg(const struct ota_cmd_hdr *cmd, const struct ota_keys *k)
{
	return ota_resolve_check((cmd->spi[1] >> 2) & 0x03, cmd->kid, k);
}

static int por_cipher_alg(const struct ota_cmd_hdr *cmd, const struct ota_keys *k)
{
	return ota_resolve_cipher(cmd->spi[1] & 0x10, cmd->kic, k);
}

static int build_plain(const struct ota_cmd_hdr *cmd, uint8_t rsc, uint8_t *out, size_t cap)
{
	static const uint8_t udh[UDH_LEN] = { 0x02, 0x71, 0x00 };

	if (cap < POR_FULL)
		return OTA_ESPACE;
	memcpy(out, udh, UDH_LEN);
	out[3] = 0x00;
	out[4] = 1 + RHL_BASE;
	out[5] = RHL_BASE;
	memcpy(out + 6, cmd->tar, 3);
	memset(out + 9, 0, 6);		/* CNTR 0, PCNTR 0: echo nothing */
	out[15] = rsc;
	return POR_FULL;
}

int ota_por_build_cx(struct ota_crypto *cx, const struct ota_cmd_hdr *cmd,
		     const struct ota_keys *k, uint8_t rsc, const uint8_t *data,
		     size_t dlen, uint8_t *out, size_t cap)
{
	static const uint8_t udh[UDH_LEN] = { 0x02, 0x71, 0x00 };
	int kalg, calg, rc;
	size_t ccl, pcntr = 0, total, rpl;

	if (cmd == NULL || out == NULL || (data == NULL && dlen > 0))
		return OTA_EARG;
	if (!por_success(rsc))
		return build_plain(cmd, rsc, out, cap);
	if (k == NULL)
		return OTA_EARG;
	kalg = por_check_alg(cmd, k);
	calg = por_cipher_alg(cmd, k);
	if (kalg < 0)
		return kalg;
	if (calg < 0)
		return calg;
	ccl = ota_check_len(kalg, k);
	if (calg != OTA_ALG_NONE) {
		size_t bs = ota_alg_block(calg);

		pcntr = (bs - (7 + ccl + dlen) % bs) % bs;
	}
	rpl = 1 + RHL_BASE + ccl + dlen + pcntr;
	total = UDH_LEN + 2 + rpl;
	if (rpl > 0xffff || total > cap)
		return OTA_ESPACE;
	memcpy(out, udh, UDH_LEN);
	out[3] = (uint8_t)(rpl >> 8);
	out[4] = (uint8_t)rpl;
	out[5] = (uint8_t)(RHL_BASE + ccl);
	memcpy(out + 6, cmd->tar, 3);
	uk_put_be(out + 9, cmd->cntr, 5);
	out[14] = (uint8_t)pcntr;
	out[15] = rsc;
	if (dlen > 0)
		memmove(out + POR_FULL + ccl, data, dlen);
	memset(out + POR_FULL + ccl + dlen, 0, pcntr);
	if (kalg != OTA_ALG_NONE) {
		rc = ota_check_value(cx, kalg, k->kid_key, k->kid_key_len, out, POR_FULL,
				     out + POR_FULL + ccl, dlen + pcntr, out + POR_FULL, ccl);
		if (rc != 0)
			return rc;
	}
	if (calg != OTA_ALG_NONE) {
		rc = ota_cbc(cx, calg, k->kic_key, k->kic_key_len, 1, out + POR_CLEAR,
			     total - POR_CLEAR, out + POR_CLEAR);
		if (rc != 0)
			return rc;
	}
	return (int)total;
}

int ota_por_build(const struct ota_cmd_hdr *cmd, const struct ota_keys *k, uint8_t rsc,
		  const uint8_t *data, size_t dlen, uint8_t *out, size_t cap)
{
	struct ota_crypto *cx;
	int rc;

	if (rsc != OTA_RSC_OK && rsc != OTA_RSC_USE_SMS_SUBMIT)
		return ota_por_build_cx(NULL, cmd, k, rsc, data, dlen, out, cap);
	cx = ota_crypto_new();
	if (cx == NULL)
		return OTA_ECRYPTO;
	rc = ota_por_build_cx(cx, cmd, k, rsc, data, dlen, out, cap);
	ota_crypto_free(cx);
	return rc;
}

static int spi_ok(const struct ota_cmd_hdr *cmd)
{
	return (cmd->spi[1] & 0x0c) == 0x0c ? OTA_ESPI : 0;
}

static void fill(struct ota_por *por, const uint8_t *w, size_t ccl, size_t body, size_t pcntr)
{
	memcpy(por->tar, w + 6, 3);
	por->cntr = uk_get_be(w + 9, 5);
	por->pcntr = w[14];
	por->rsc = w[15];
	por->data = w + POR_FULL + ccl;
	por->dlen = body - pcntr;
}

/* Parse w (UDH included) as protected the way SPI2 asks. */
static int parse_protected(struct ota_crypto *cx, uint8_t *w, size_t len,
			   const struct ota_cmd_hdr *cmd, const struct ota_keys *k,
			   struct ota_por *por)
{
	int kalg = por_check_alg(cmd, k), calg = por_cipher_alg(cmd, k), rc;
	size_t ccl, body, pcntr;
	uint8_t check[8];

	if (kalg < 0)
		return kalg;
	if (calg < 0)
		return calg;
	ccl = ota_check_len(kalg, k);
	if (w[5] != RHL_BASE + ccl || len < POR_FULL + ccl)
		return OTA_ELEN;
	body = len - POR_FULL - ccl;
	if (calg != OTA_ALG_NONE) {
		size_t bs = ota_alg_block(calg);

		if ((len - POR_CLEAR) % bs != 0)
			return OTA_ECIPHER;
		rc = ota_cbc(cx, calg, k->kic_key, k->kic_key_len, 0, w + POR_CLEAR,
			     len - POR_CLEAR, w + POR_CLEAR);
		if (rc != 0)
			return rc;
		pcntr = w[14];
		if (pcntr >= bs || pcntr > body)
			return OTA_ECIPHER;
	} else {
		pcntr = w[14];
		if (pcntr > body)
			return OTA_ECIPHER;
	}
	if (kalg != OTA_ALG_NONE) {
		rc = ota_check_value(cx, kalg, k->kid_key, k->kid_key_len, w, POR_FULL,
				     w + POR_FULL + ccl, body, check, ccl);
		if (rc != 0)
			return rc;
		if (CRYPTO_memcmp(check, w + POR_FULL, ccl) != 0)
			return OTA_ECHECK;
	}
	fill(por, w, ccl, body, pcntr);
	por->authenticated = kalg != OTA_ALG_NONE && kalg != OTA_ALG_CRC16 && kalg != OTA_ALG_CRC32;
	por->protected_as_asked = 1;
	return 0;
}

static const struct ota_keys no_keys;

/* Copy the PoR user data into work with its UDH 02 71 00 (part of the PoR's
 * RC/CC input, TS 31.115 §6), restoring the UDH when the caller left it out. */
static int load(const uint8_t *ud, size_t len, uint8_t *work, size_t workcap, size_t *wlen)
{
	static const uint8_t udh[UDH_LEN] = { 0x02, 0x71, 0x00 };

	if (len >= UDH_LEN && memcmp(ud, udh, UDH_LEN) == 0) {
		if (workcap < len)
			return OTA_ESPACE;
		memcpy(work, ud, len);
		*wlen = len;
	} else {
		if (len > SIZE_MAX - UDH_LEN || workcap < len + UDH_LEN)
			return OTA_ESPACE;
		memcpy(work, udh, UDH_LEN);
		memcpy(work + UDH_LEN, ud, len);
		*wlen = len + UDH_LEN;
	}
	return 0;
}

int ota_por_parse_cx(struct ota_crypto *cx, const uint8_t *ud, size_t len,
		     const struct ota_cmd_hdr *cmd, const struct ota_keys *k, uint8_t *work,
		     size_t workcap, struct ota_por *por)
{
	size_t wlen;
	int rc;

	if (ud == NULL || cmd == NULL || work == NULL || por == NULL)
		return OTA_EARG;
	if (k == NULL)
		k = &no_keys;
	memset(por, 0, sizeof(*por));
	rc = load(ud, len, work, workcap, &wlen);
	if (rc != 0)
		return rc;
	if (wlen < POR_FULL)
		return OTA_ETRUNC;
	/* TS 102 225 §5.2: RPL counts everything after itself. */
	if (((size_t)work[3] << 8 | work[4]) != wlen - 5 || work[5] < RHL_BASE ||
	    (size_t)work[5] + 6 > wlen)
		return OTA_ELEN;
	if (memcmp(work + 6, cmd->tar, 3) != 0)
		return OTA_ELEN;
	if (spi_ok(cmd) != 0)
		return OTA_ESPI;
	rc = parse_protected(cx, work, wlen, cmd, k, por);
	if (rc == 0)
		return 0;
	/* Deciphering was in place: start again from the bytes received. */
	OPENSSL_cleanse(work, wlen);
	memset(por, 0, sizeof(*por));
	(void)load(ud, len, work, workcap, &wlen);
	/* An error PoR comes plain (RHL 0A, TS 102 225 §5.2) whatever SPI2
	 * asked, and needs no key or algorithm: accept it as unauthenticated,
	 * but never as a success. */
	if (work[5] == RHL_BASE && rc != OTA_ECRYPTO) {
		if (por_success(work[15]))
			return OTA_EPLAIN;
		if (work[14] != 0)
			return OTA_ECHECK;
		fill(por, work, 0, wlen - POR_FULL, 0);
		por->authenticated = 0;
		por->protected_as_asked = 0;
		return 0;
	}
	return rc;
}

int ota_por_parse(const uint8_t *ud, size_t len, const struct ota_cmd_hdr *cmd,
		  const struct ota_keys *k, uint8_t *work, size_t workcap,
		  struct ota_por *por)
{
	struct ota_crypto *cx = ota_crypto_new();
	int rc;

	if (cx == NULL)
		return OTA_ECRYPTO;
	rc = ota_por_parse_cx(cx, ud, len, cmd, k, work, workcap, por);
	ota_crypto_free(cx);
	return rc;
}

/* TS 102 225 §5.1.1 SPI2 b2b1: 01 always, 10 only when an error occurred
 * (our reading: RSC other than 00), 00 never, 11 reserved (never). */
int ota_por_wanted(const uint8_t spi[2], uint8_t rsc)
{
	switch (spi[1] & 0x03) {
	case 0x01: return 1;
	case 0x02: return rsc != OTA_RSC_OK;
	default: return 0;
	}
}

int ota_por_by_submit(const uint8_t spi[2])
{
	return (spi[1] & 0x20) != 0;
}
