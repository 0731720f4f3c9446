/*
 * por.h - TS 102 225 §5.2 / TS 31.115 response packets (Proof of Receipt),
 * as SMS user data: 02 71 00 RPL RHL TAR | CNTR PCNTR RSC RC/CC data pad.
 *
 * The UDH 02 71 00 is part of the PoR's RC/CC input (TS 31.115 §6).  A PoR
 * answering a failed packet (any RSC other than 00 and 0B) is ALWAYS built
 * plain -- RHL 0A, CNTR 0, no RC/CC, not ciphered -- whatever SPI2 asks:
 * a protected PoR over predictable plaintext is what made the 2013 OTA key
 * attack possible, and an echoed counter would be a decryption oracle.
 * ota_por_parse() verifies the protection SPI2 asked for; it accepts a plain
 * PoR only when RHL = 0A, reports it as unauthenticated, and refuses a plain
 * PoR that claims success (OTA_EPLAIN).
 */
#ifndef UICCKIT_POR_H
#define UICCKIT_POR_H

#include "uicckit/secpkt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "PoR OK", "RC/CC/DS failed", ..., "reserved", "proprietary". */
const char *ota_rsc_name(uint8_t rsc);

int ota_por_build(const struct ota_cmd_hdr *cmd, const struct ota_keys *k, uint8_t rsc,
		  const uint8_t *data, size_t dlen, uint8_t *out, size_t cap);
int ota_por_build_cx(struct ota_crypto *cx, const struct ota_cmd_hdr *cmd,
		     const struct ota_keys *k, uint8_t rsc, const uint8_t *data,
		     size_t dlen, uint8_t *out, size_t cap);

struct ota_por {
	uint8_t tar[3];
	uint64_t cntr;
	uint8_t pcntr;
	uint8_t rsc;
	int authenticated;	/* a CC verified (ciphering alone is not) */
	int protected_as_asked;	/* the SPI2 protection was present */
	const uint8_t *data;
	size_t dlen;
};

/* Parse PoR user data (with or without its 02 71 00) answering cmd; work
 * holds at least len + 3 bytes; por->data points into work.  k may be NULL
 * (no keys): then only a plain PoR (RHL 0A) can be read.  Errors:
 * OTA_ECHECK (RC/CC mismatch, e.g. a tampered PoR), OTA_EPLAIN (plain PoR
 * claiming success when protection was asked), OTA_ELEN (RPL/RHL/TAR),
 * OTA_ECIPHER, OTA_ETRUNC, OTA_ESPACE. */
int ota_por_parse(const uint8_t *ud, size_t len, const struct ota_cmd_hdr *cmd,
		  const struct ota_keys *k, uint8_t *work, size_t workcap,
		  struct ota_por *por);
int ota_por_parse_cx(struct ota_crypto *cx, const uint8_t *ud, size_t len,
		     const struct ota_cmd_hdr *cmd, const struct ota_keys *k, uint8_t *work,
		     size_t workcap, struct ota_por *por);

/* Card side: does SPI2 ask for a PoR for this RSC?  1 or 0. */
int ota_por_wanted(const uint8_t spi[2], uint8_t rsc);
/* TS 31.115 SPI2 b6: 1 = PoR by SMS-SUBMIT (proactive SEND SHORT MESSAGE),
 * 0 = in the SMS-DELIVER-REPORT (ENVELOPE response data). */
int ota_por_by_submit(const uint8_t spi[2]);

#ifdef __cplusplus
}
#endif
#endif
