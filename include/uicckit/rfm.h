/*
 * uicckit/rfm.h - Remote File Management scripts (ETSI TS 102 226 §5):
 * the secured data of a command packet addressed to an RFM TAR, and the
 * script result carried in the PoR's additional data.  Shared by the
 * operator side (builders) and the card side (parsers / iterators, response
 * builders).
 *
 * Compact format (§5.1): C-APDUs as T=0 TPDUs back to back; response
 * `n SW1 SW2 [last data]`.  Expanded format (§5.2): Command Scripting
 * template AA L (or AE 80 ... 00 00) of C-APDU TLVs (22); Response Scripting
 * template AB L (or AF 80 ... 00 00) with 80 01 n, R-APDU TLVs (23) and the
 * Bad format TLV (90 01 xx).
 *
 * Contract: parsers never read past the given length and answer any byte
 * string with a result or a negative OTA_RFM_E_* code; structures point
 * into the input.  Builders never write past cap.
 */
#ifndef UICCKIT_RFM_H
#define UICCKIT_RFM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* uicckit TAR decision (rfm.md §1; TS 101 220 Annex D ranges). */
#define OTA_TAR_RFM_UICC 0xb00000u	/* UICC shared file system RFM */
#define OTA_TAR_RFM_ADF 0xb00001u	/* ADF RFM bound to ADF.USIM */
#define OTA_TAR_RFM_USIM_ALIAS 0xb00011u /* sysmocom / pySim habit */

enum ota_tar_kind {
	OTA_TAR_KIND_UNKNOWN = 0,
	OTA_TAR_KIND_ISD,		/* 000000, B20100: RAM */
	OTA_TAR_KIND_UICC_FS,		/* B00000..0F, B00120..2F */
	OTA_TAR_KIND_SIM_FS,		/* B00010..1F, B00130..3F */
	OTA_TAR_KIND_ADF,		/* B00001 (our choice), B00020..B0011F, B00140..B001FF */
	OTA_TAR_KIND_USAT,		/* B20000..B200FF */
	OTA_TAR_KIND_PROPRIETARY,	/* BFFF00..BFFFFF */
};

enum ota_tar_kind ota_tar_kind(uint32_t tar);
const char *ota_tar_kind_name(enum ota_tar_kind k);
uint32_t ota_tar_get(const uint8_t tar[3]);

enum ota_rfm_err {
	OTA_RFM_E_TRAILING = -280,	/* compact: fewer than 5 bytes left (garbage) / after template */
	OTA_RFM_E_TRUNC_DATA = -281,	/* compact: P3 announces more data than remains */
	OTA_RFM_E_APDU = -282,		/* C-APDU TLV value is not a valid command APDU */
	OTA_RFM_E_TAG = -283,		/* not a scripting template (AA/AE, AB/AF) */
	OTA_RFM_E_LEN = -284,		/* wrong length found (bad format 02) */
	OTA_RFM_E_NO_LEN = -285,	/* length not found: TLV cut before its length (bad format 03) */
	OTA_RFM_E_EOC = -286,		/* indefinite template without end-of-contents 00 00 */
	OTA_RFM_E_NOSPACE = -287,	/* output buffer too small */
	OTA_RFM_E_ARG = -288,		/* invalid argument */
	OTA_RFM_E_RESP = -289,		/* malformed response (count TLV, SW missing, ...) */
	OTA_RFM_E_COMPACT = -290,	/* APDU cannot be written in compact form (extended,
					   or its case contradicts its INS) */
	OTA_RFM_E_UNKNOWN_TAG = -291,	/* unknown tag in a template (bad format 01) */
};

const char *ota_rfm_strerror(int err);
/* TS 102 226 §5.2.2 Bad format TLV code for a parse error: 01 unknown tag,
 * 02 wrong length, 03 length not found; 0 if not a format error. */
int ota_rfm_bad_format_code(int err);

enum ota_rfm_format { OTA_RFM_COMPACT = 0, OTA_RFM_EXPANDED = 1 };

/* First byte AA / AE (AC accepted: pycrate's tag list) = expanded; else
 * the CLA byte of a compact script. */
enum ota_rfm_format ota_rfm_detect_format(const uint8_t *data, size_t len);

/* One command APDU. */
struct ota_capdu {
	uint8_t cla, ins, p1, p2;
	int apdu_case;			/* ISO/IEC 7816-3 §12.1: 1..4 */
	int extended;			/* extended length fields */
	const uint8_t *data;
	size_t lc;
	size_t le;			/* 0 when absent; 256 / 65536 for 00 / 0000 */
	uint8_t p3;			/* compact: P3 as on the wire */
	const uint8_t *raw;		/* the whole APDU / TPDU bytes */
	size_t raw_len;
};

/* ISO/IEC 7816-3 §12.1.3 case detection of a complete APDU. */
int ota_apdu_parse(const uint8_t *a, size_t len, struct ota_capdu *c);

/* Compact format: does this INS carry P3 bytes of command data (case 3/4)?
 * Case 2 INS (P3 = Le): READ BINARY B0, READ RECORD B2, GET RESPONSE C0,
 * FETCH 12, GET CHALLENGE 84, GET DATA CA, MANAGE CHANNEL 70, STATUS F2
 * (P1 < 10; P1 >= 10 is GlobalPlatform GET STATUS, which has data).
 * Every other INS is taken as carrying data. */
int ota_rfm_ins_has_data(uint8_t cla, uint8_t ins, uint8_t p1);

/* Compact splitter: 1 = *c filled, 0 = end, <0 = OTA_RFM_E_TRAILING /
 * OTA_RFM_E_TRUNC_DATA (the rest of the string is garbage). */
int ota_rfm_compact_next(const uint8_t *s, size_t len, size_t *pos, struct ota_capdu *c);

/* Expanded command script iterator. */
struct ota_rfm_iter {
	const uint8_t *p;		/* template content */
	size_t len;
	size_t pos;
	int indefinite;
	int done;
};

struct ota_rfm_item {
	unsigned tag;			/* 22 C-APDU, 81/82/83 immediate/error action, chaining */
	const uint8_t *val;
	size_t len;
	struct ota_capdu apdu;		/* valid when tag == 0x22 */
};

#define OTA_RFM_TAG_CAPDU 0x22
#define OTA_RFM_TAG_RAPDU 0x23
#define OTA_RFM_TAG_IMMEDIATE 0x81
#define OTA_RFM_TAG_ERROR_ACTION 0x82
#define OTA_RFM_TAG_CHAINING 0x83
#define OTA_RFM_TAG_COUNT 0x80
#define OTA_RFM_TAG_BAD_FORMAT 0x90

/* Open AA L / AE 80: checks the template tag and, for AA, that its length
 * fits and nothing follows it. */
int ota_rfm_expanded_open(const uint8_t *s, size_t len, struct ota_rfm_iter *it);
/* 1 = *item filled, 0 = end of template, <0 error.  Unknown tags are
 * returned as items (the card answers Bad format 01); a C-APDU TLV that
 * is not a valid APDU gives OTA_RFM_E_APDU. */
int ota_rfm_expanded_next(struct ota_rfm_iter *it, struct ota_rfm_item *item);

/* Build a script from complete APDUs (any ISO case).  Compact writes T=0
 * TPDUs (case 1 gets P3 = 00, case 4 loses its Le); expanded wraps each
 * APDU as is in a 22 TLV inside AA (or AE 80 ... 00 00 if indefinite). */
int ota_rfm_build(enum ota_rfm_format fmt, int indefinite, const uint8_t *const *apdus,
		  const size_t *lens, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/* Compact response `n SW1 SW2 [data]`. */
struct ota_rfm_compact_resp {
	uint8_t n;
	uint16_t sw;
	const uint8_t *data;
	size_t data_len;
};

int ota_rfm_compact_resp_parse(const uint8_t *in, size_t len, struct ota_rfm_compact_resp *r);
int ota_rfm_compact_resp_build(uint8_t n, uint16_t sw, const uint8_t *data, size_t data_len,
			       uint8_t *out, size_t cap, size_t *out_len);

/* Expanded response. */
struct ota_rfm_rapdu {
	const uint8_t *data;
	size_t len;
	uint16_t sw;
};

struct ota_rfm_exp_resp {
	int indefinite;
	int has_count;
	uint8_t count;			/* Number of executed command TLVs */
	size_t n_rapdu;
	struct ota_rfm_rapdu last;	/* last R-APDU (if n_rapdu > 0) */
	int bad_format;			/* -1 none, else 01/02/03 */
	int immediate_resp;		/* -1 none, else value of 81 01 xx */
	int chaining_resp;		/* -1 none, else value of 83 01 xx */
	const uint8_t *body;		/* template content, for ota_rfm_exp_resp_next */
	size_t body_len;
};

int ota_rfm_exp_resp_parse(const uint8_t *in, size_t len, struct ota_rfm_exp_resp *r);
/* Iterate R-APDUs of a parsed response: 1 / 0 end. */
int ota_rfm_exp_resp_next(const struct ota_rfm_exp_resp *r, size_t *pos, struct ota_rfm_rapdu *ra);
/* AB L 80 01 n 23 ... [90 01 bad_format]; bad_format < 0 omits it. */
int ota_rfm_exp_resp_build(const struct ota_rfm_rapdu *ra, size_t n, int bad_format, uint8_t *out,
			   size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
