/* secpkt.c - TS 102 225 / TS 31.115 command packets; see secpkt.h. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "common/buf.h"
#include "ota/cipher.h"
#include "uicckit/secpkt.h"

/* CPL(2) CHL(1) SPI(2) KIc KID TAR(3): the part never ciphered. */
#define HDR_CLEAR 10
/* ... + CNTR(5) PCNTR(1): where the RC/CC/DS field starts. */
#define HDR_FULL 16
/* TS 102 225 §5.1.1: CHL counts SPI..RC/CC/DS = 13 + its length. */
#define CHL_BASE 13

const char *ota_strerror(int err)
{
	switch (err) {
	case OTA_OK: return "ok";
	case OTA_ETRUNC: return "packet truncated";
	case OTA_ELEN: return "length fields inconsistent";
	case OTA_ESPI: return "SPI coding not supported";
	case OTA_EALG: return "KIc/KID algorithm not supported";
	case OTA_EDES: return "single DES refused";
	case OTA_EKEY: return "key missing or of the wrong length";
	case OTA_ECIPHER: return "deciphering impossible";
	case OTA_ECHECK: return "RC/CC/DS failed";
	case OTA_ECNTR: return "counter out of range";
	case OTA_ESPACE: return "buffer too small";
	case OTA_EARG: return "bad argument";
	case OTA_ECRYPTO: return "crypto library failure";
	case OTA_EPLAIN: return "unprotected PoR claims success";
	}
	return "unknown OTA error";
}

int ota_cmd_check_len(const uint8_t spi[2], uint8_t kid, size_t cc_len)
{
	int alg = ota_kid_alg(spi[0], kid, 0);

	switch (spi[0] & 0x03) {
	case 0x00:
		return 0;
	case 0x01:
		if (alg < 0)
			return alg;
		return alg == OTA_ALG_CRC16 ? 2 : 4;
	case 0x02:
		if (alg < 0 && (kid & 0x0f) != 0)
			return alg;
		if (cc_len == 4 && alg == OTA_ALG_AES)
			return 4;
		return 8;
	default:
		return OTA_ESPI;	/* DS: no algorithm defined for us */
	}
}

static int resolve_cc(const uint8_t spi[2], uint8_t kid, const struct ota_keys *k)
{
	return ota_resolve_check(spi[0] & 0x03, kid, k);
}

static int resolve_cipher(const uint8_t spi[2], uint8_t kic, const struct ota_keys *k)
{
	return ota_resolve_cipher(spi[0] & 0x04, kic, k);
}

static int spi_supported(const uint8_t spi[2])
{
	/* DS (b2b1 = 11) has no algorithm for us; PoR "11" request and PoR DS
	 * are reserved / undefined. */
	if ((spi[0] & 0x03) == 0x03 || (spi[1] & 0x03) == 0x03 || (spi[1] & 0x0c) == 0x0c)
		return OTA_ESPI;
	return 0;
}

int ota_cmd_build_cx(struct ota_crypto *cx, const struct ota_cmd_hdr *h,
		     const struct ota_keys *k, const uint8_t *data, size_t dlen,
		     uint8_t *out, size_t cap)
{
	int calg, kalg, rc;
	size_t ccl, bs, pcntr = 0, total, cpl;
	uint8_t *p;

	if (h == NULL || k == NULL || out == NULL || (data == NULL && dlen > 0))
		return OTA_EARG;
	if (h->cntr > OTA_CNTR_MAX)
		return OTA_ECNTR;
	rc = spi_supported(h->spi);
	if (rc != 0)
		return rc;
	kalg = resolve_cc(h->spi, h->kid, k);
	calg = resolve_cipher(h->spi, h->kic, k);
	if (kalg < 0)
		return kalg;
	if (calg < 0)
		return calg;
	ccl = ota_check_len(kalg, k);
	if (calg != OTA_ALG_NONE) {
		bs = ota_alg_block(calg);
		pcntr = (bs - (6 + ccl + dlen) % bs) % bs;
	}
	cpl = 1 + CHL_BASE + ccl + dlen + pcntr;
	total = 2 + cpl;
	if (cpl > 0xffff)
		return OTA_ESPACE;
	if (total > cap)
		return OTA_ESPACE;
	p = out;
	p[0] = (uint8_t)(cpl >> 8);
	p[1] = (uint8_t)cpl;
	p[2] = (uint8_t)(CHL_BASE + ccl);
	p[3] = h->spi[0];
	p[4] = h->spi[1];
	p[5] = h->kic;
	p[6] = h->kid;
	memcpy(p + 7, h->tar, 3);
	uk_put_be(p + 10, h->cntr, 5);
	p[15] = (uint8_t)pcntr;
	if (dlen > 0)
		memmove(p + HDR_FULL + ccl, data, dlen);
	memset(p + HDR_FULL + ccl + dlen, 0, pcntr);
	/* TS 31.115 §5: the RC/CC covers CPL..PCNTR, the data and the padding,
	 * but not the RC/CC field itself. */
	if (kalg != OTA_ALG_NONE) {
		rc = ota_check_value(cx, kalg, k->kid_key, k->kid_key_len, p, HDR_FULL,
				     p + HDR_FULL + ccl, dlen + pcntr, p + HDR_FULL, ccl);
		if (rc != 0)
			return rc;
	}
	if (calg != OTA_ALG_NONE) {
		rc = ota_cbc(cx, calg, k->kic_key, k->kic_key_len, 1, p + HDR_CLEAR,
			     total - HDR_CLEAR, p + HDR_CLEAR);
		if (rc != 0)
			return rc;
	}
	return (int)total;
}

int ota_cmd_build(const struct ota_cmd_hdr *h, const struct ota_keys *k,
		  const uint8_t *data, size_t dlen, uint8_t *out, size_t cap)
{
	struct ota_crypto *cx = ota_crypto_new();
	int rc;

	if (cx == NULL)
		return OTA_ECRYPTO;
	rc = ota_cmd_build_cx(cx, h, k, data, dlen, out, cap);
	ota_crypto_free(cx);
	return rc;
}

int ota_cmd_parse_header(const uint8_t *pkt, size_t len, struct ota_cmd_hdr *hdr,
			 uint8_t *rsc)
{
	size_t cpl, chl;
	int ccl;

	*rsc = OTA_RSC_SECURITY_ERROR;
	if (pkt == NULL || hdr == NULL)
		return OTA_EARG;
	if (len < HDR_FULL)
		return OTA_ETRUNC;
	cpl = (size_t)pkt[0] << 8 | pkt[1];
	chl = pkt[2];
	/* TS 102 225 §5.1.1: CPL counts everything after itself. */
	if (cpl != len - 2 || chl < CHL_BASE || 3 + chl > len)
		return OTA_ELEN;
	memset(hdr, 0, sizeof(*hdr));
	hdr->spi[0] = pkt[3];
	hdr->spi[1] = pkt[4];
	hdr->kic = pkt[5];
	hdr->kid = pkt[6];
	memcpy(hdr->tar, pkt + 7, 3);
	if (spi_supported(hdr->spi) != 0)
		return OTA_ESPI;
	/* The RC/CC length is not sent: it must be what SPI/KID imply. */
	ccl = ota_cmd_check_len(hdr->spi, hdr->kid, chl - CHL_BASE == 4 ? 4 : 8);
	if (ccl < 0)
		return ccl;
	if ((size_t)ccl != chl - CHL_BASE)
		return OTA_ELEN;
	if (hdr->spi[0] & 0x04) {
		int alg = ota_kic_alg(hdr->kic, 0);

		if (alg == OTA_EDES)
			return OTA_EDES;
		if (alg < 0 && (hdr->kic & 0x0f) != 0) {
			*rsc = OTA_RSC_CIPHER_ERROR;
			return alg;
		}
	}
	*rsc = OTA_RSC_OK;
	return 0;
}

int ota_cmd_unwrap_cx(struct ota_crypto *cx, const uint8_t *pkt, size_t len,
		      const struct ota_cmd_hdr *hdr, const struct ota_keys *k,
		      uint8_t *work, size_t workcap, struct ota_cmd *cmd, uint8_t *rsc)
{
	uint8_t check[8];
	size_t ccl, pcntr, body;
	int calg, kalg, rc;

	*rsc = OTA_RSC_SECURITY_ERROR;
	if (pkt == NULL || hdr == NULL || k == NULL || work == NULL || cmd == NULL)
		return OTA_EARG;
	if (len < HDR_FULL || workcap < len)
		return len < HDR_FULL ? OTA_ETRUNC : OTA_ESPACE;
	kalg = resolve_cc(hdr->spi, hdr->kid, k);
	if (kalg < 0)
		return kalg;
	ccl = ota_check_len(kalg, k);
	if (3 + CHL_BASE + ccl > len || pkt[2] != CHL_BASE + ccl)
		return OTA_ELEN;
	calg = resolve_cipher(hdr->spi, hdr->kic, k);
	if (calg < 0) {
		if (calg != OTA_EDES)
			*rsc = OTA_RSC_CIPHER_ERROR;
		return calg;
	}
	memcpy(work, pkt, len);
	if (calg != OTA_ALG_NONE) {
		size_t bs = ota_alg_block(calg);

		if ((len - HDR_CLEAR) % bs != 0) {
			*rsc = OTA_RSC_CIPHER_ERROR;
			return OTA_ECIPHER;
		}
		rc = ota_cbc(cx, calg, k->kic_key, k->kic_key_len, 0, work + HDR_CLEAR,
			     len - HDR_CLEAR, work + HDR_CLEAR);
		if (rc != 0)
			return rc;
		pcntr = work[15];
		body = len - HDR_FULL - ccl;
		if (pcntr >= bs || pcntr > body) {
			*rsc = OTA_RSC_CIPHER_ERROR;
			OPENSSL_cleanse(work, len);
			return OTA_ECIPHER;
		}
	} else {
		pcntr = work[15];
		body = len - HDR_FULL - ccl;
		/* no ciphering, no padding (TS 102 225 §5.1.1) */
		if (pcntr != 0)
			return OTA_ECIPHER;
	}
	if (kalg != OTA_ALG_NONE) {
		rc = ota_check_value(cx, kalg, k->kid_key, k->kid_key_len, work, HDR_FULL,
				     work + HDR_FULL + ccl, body, check, ccl);
		if (rc != 0)
			return rc;
		if (CRYPTO_memcmp(check, work + HDR_FULL, ccl) != 0) {
			*rsc = OTA_RSC_CHECK_FAILED;
			OPENSSL_cleanse(work, len);
			return OTA_ECHECK;
		}
	}
	cmd->hdr = *hdr;
	cmd->hdr.cntr = uk_get_be(work + 10, 5);
	cmd->pcntr = (uint8_t)pcntr;
	cmd->data = work + HDR_FULL + ccl;
	cmd->dlen = body - pcntr;
	*rsc = OTA_RSC_OK;
	return 0;
}

int ota_cmd_unwrap(const uint8_t *pkt, size_t len, const struct ota_cmd_hdr *hdr,
		   const struct ota_keys *k, uint8_t *work, size_t workcap,
		   struct ota_cmd *cmd, uint8_t *rsc)
{
	struct ota_crypto *cx = ota_crypto_new();
	int rc;

	if (cx == NULL) {
		*rsc = OTA_RSC_SECURITY_ERROR;
		return OTA_ECRYPTO;
	}
	rc = ota_cmd_unwrap_cx(cx, pkt, len, hdr, k, work, workcap, cmd, rsc);
	ota_crypto_free(cx);
	return rc;
}

void ota_spi_describe(const uint8_t spi[2], char *out, size_t cap)
{
	static const char *const chk[] = { "no RC/CC/DS", "RC", "CC", "DS" };
	static const char *const cnt[] = { "no counter", "counter available",
					   "counter must be higher", "counter must be one higher" };
	static const char *const req[] = { "no PoR", "PoR required", "PoR on error", "PoR reserved" };

	snprintf(out, cap, "%s, %s, %s; %s, PoR %s, PoR %s, PoR via %s",
		 chk[spi[0] & 3], spi[0] & 4 ? "ciphered" : "not ciphered",
		 cnt[(spi[0] >> 3) & 3], req[spi[1] & 3], chk[(spi[1] >> 2) & 3],
		 spi[1] & 0x10 ? "ciphered" : "not ciphered",
		 spi[1] & 0x20 ? "SMS-SUBMIT" : "SMS-DELIVER-REPORT");
}

const char *ota_kic_name(uint8_t kic)
{
	switch (kic & 0x0f) {
	case 0x0: return "implicit";
	case 0x1: return "DES-CBC (refused)";
	case 0x5: return "3DES-2key-CBC";
	case 0x9: return "3DES-3key-CBC";
	case 0xd: return "DES-ECB (refused)";
	case 0x2: return "AES-CBC";
	default: return "reserved/proprietary";
	}
}

const char *ota_kid_name(uint8_t spi1, uint8_t kid)
{
	if ((spi1 & 3) == 1)
		return (kid & 0x0f) == 1 ? "CRC16" : (kid & 0x0f) == 5 ? "CRC32" : "reserved";
	switch (kid & 0x0f) {
	case 0x0: return "implicit";
	case 0x1: return "DES-CBC-MAC (refused)";
	case 0x5: return "3DES-2key-CBC-MAC";
	case 0x9: return "3DES-3key-CBC-MAC";
	case 0x2: return "AES-CMAC";
	default: return "reserved/proprietary";
	}
}
