/*
 * secpkt.h - ETSI TS 102 225 / 3GPP TS 31.115 secured command packets
 * (SMS dialect: CPL CHL SPI KIc KID TAR | CNTR PCNTR RC/CC/DS data pad).
 *
 * Build: ota_cmd_build() computes RC/CC over the plaintext and then ciphers
 * from CNTR to the end (TS 102 225 §5.1, MAC-then-encrypt).  Receive: in the
 * order of TS 102 225 §5 / our spec digest §6, as separate steps so that the
 * card can look up TAR, key set and minimum security level in between:
 *   ota_cmd_parse_header()  lengths, SPI, no DES/DS  -> RSC 06 (05)
 *   (card: TAR lookup -> 09)
 *   ota_keyset_check()      KVN of KIc/KID           -> RSC 06
 *   ota_msl_check()         SPI1 vs the TAR's MSL    -> RSC 0A
 *   ota_cmd_unwrap()        decipher, verify RC/CC   -> RSC 05 / 06 / 01
 *   ota_cntr_check()        counter rule of SPI1     -> RSC 02 / 03 / 04
 *   (card: commit counter, run script, ota_por_build() with RSC 00)
 * Each step writes the Response Status Code a card would send to *rsc.
 * Single DES (KIc/KID low nibble 1 or D) and DS are refused.  All crypto is
 * OpenSSL 3 EVP / EVP_MAC; a `struct ota_crypto` caches the fetched
 * algorithms and contexts for callers that build many packets: the *_cx
 * variants are the fast path (one context per thread; > 1 M AES packets/s
 * with a new key set per packet), the plain ones create a context per call.
 * No global mutable state.  Keys stay in the caller's struct ota_keys: the
 * caller cleanses it (OPENSSL_cleanse) after use.
 */
#ifndef UICCKIT_SECPKT_H
#define UICCKIT_SECPKT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ota_err {
	OTA_OK = 0,
	OTA_ETRUNC = -1,	/* input shorter than its fields */
	OTA_ELEN = -2,		/* CPL/CHL/RPL/RHL inconsistent */
	OTA_ESPI = -3,		/* SPI coding not supported (DS, reserved) */
	OTA_EALG = -4,		/* KIc/KID algorithm not supported */
	OTA_EDES = -5,		/* single DES refused */
	OTA_EKEY = -6,		/* key missing or of the wrong length */
	OTA_ECIPHER = -7,	/* deciphering impossible (length, PCNTR) */
	OTA_ECHECK = -8,	/* RC/CC mismatch */
	OTA_ECNTR = -9,		/* counter out of range */
	OTA_ESPACE = -10,	/* output buffer too small / packet too long */
	OTA_EARG = -11,		/* bad argument */
	OTA_ECRYPTO = -12,	/* OpenSSL failure */
	OTA_EPLAIN = -13,	/* unprotected PoR claims success */
};
const char *ota_strerror(int err);

/* TS 102 225 §5.1.3 Response Status Codes */
enum ota_rsc {
	OTA_RSC_OK = 0x00,
	OTA_RSC_CHECK_FAILED = 0x01,
	OTA_RSC_CNTR_LOW = 0x02,
	OTA_RSC_CNTR_HIGH = 0x03,
	OTA_RSC_CNTR_BLOCKED = 0x04,
	OTA_RSC_CIPHER_ERROR = 0x05,
	OTA_RSC_SECURITY_ERROR = 0x06,
	OTA_RSC_NO_MEMORY = 0x07,
	OTA_RSC_MORE_TIME = 0x08,
	OTA_RSC_TAR_UNKNOWN = 0x09,
	OTA_RSC_INSUFFICIENT_SECURITY = 0x0a,
	OTA_RSC_USE_SMS_SUBMIT = 0x0b,
	OTA_RSC_USE_USSD = 0x0c,
};

#define OTA_CNTR_MAX 0xffffffffffULL

struct ota_keys {
	uint8_t kic_key[32];
	size_t kic_key_len;	/* 16 (3DES 2-key, AES-128), 24, 32 */
	uint8_t kid_key[32];
	size_t kid_key_len;
	size_t cc_len;		/* 0 = 8; 4 allowed for AES-CMAC */
	/* algorithm nibble to use when KIc/KID say "implicit" (x0) */
	uint8_t kic_implicit, kid_implicit;
};

struct ota_cmd_hdr {
	uint8_t spi[2];
	uint8_t kic;
	uint8_t kid;
	uint8_t tar[3];
	uint64_t cntr;
};

struct ota_cmd {
	struct ota_cmd_hdr hdr;
	uint8_t pcntr;
	const uint8_t *data;
	size_t dlen;
};

/* Cached OpenSSL algorithms and contexts (not thread-safe: one per thread). */
struct ota_crypto;
struct ota_crypto *ota_crypto_new(void);
void ota_crypto_free(struct ota_crypto *cx);

/* Build a command packet (CPL..end) into out; returns its length or <0. */
int ota_cmd_build(const struct ota_cmd_hdr *h, const struct ota_keys *k,
		  const uint8_t *data, size_t dlen, uint8_t *out, size_t cap);
int ota_cmd_build_cx(struct ota_crypto *cx, const struct ota_cmd_hdr *h,
		     const struct ota_keys *k, const uint8_t *data, size_t dlen,
		     uint8_t *out, size_t cap);

/* Step 1: CPL == len - 2, CHL >= 13 and consistent with SPI/KID, SPI
 * supported.  Fills hdr (cntr = 0: it may be ciphered). */
int ota_cmd_parse_header(const uint8_t *pkt, size_t len, struct ota_cmd_hdr *hdr,
			 uint8_t *rsc);
/* Step 2: decipher into work (>= len bytes) and verify RC/CC in constant
 * time.  On success cmd->data points into work. */
int ota_cmd_unwrap(const uint8_t *pkt, size_t len, const struct ota_cmd_hdr *hdr,
		   const struct ota_keys *k, uint8_t *work, size_t workcap,
		   struct ota_cmd *cmd, uint8_t *rsc);
int ota_cmd_unwrap_cx(struct ota_crypto *cx, const uint8_t *pkt, size_t len,
		      const struct ota_cmd_hdr *hdr, const struct ota_keys *k,
		      uint8_t *work, size_t workcap, struct ota_cmd *cmd, uint8_t *rsc);
/* Step 3: SPI1 b5b4 counter rule against the stored counter. */
uint8_t ota_cntr_check(const uint8_t spi[2], uint64_t stored, uint64_t received);
/* Is SPI1 at least as strong as the minimum security level (coded like
 * SPI1, TS 102 226 §8.2.1.3.2.4.2)?  00 or 0A. */
uint8_t ota_msl_check(uint8_t msl, const uint8_t spi[2]);
/* Key set step (after TAR lookup): the KVN (1..15) the card must look up in
 * *kvn (0 when no key is used); RSC 06 when KIc/KID name KVN 0 or
 * different key sets (uicckit policy).  00 otherwise. */
uint8_t ota_keyset_check(const struct ota_cmd_hdr *h, uint8_t *kvn);

/* Length of the RC/CC/DS field SPI1/KID ask for (0, 2, 4, 8) or <0. */
int ota_cmd_check_len(const uint8_t spi[2], uint8_t kid, size_t cc_len);
/* Human-readable SPI/KIc/KID description (for tools). */
void ota_spi_describe(const uint8_t spi[2], char *out, size_t cap);
const char *ota_kic_name(uint8_t kic);
const char *ota_kid_name(uint8_t spi1, uint8_t kid);

#ifdef __cplusplus
}
#endif
#endif
