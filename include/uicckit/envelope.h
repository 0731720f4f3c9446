/*
 * uicckit/envelope.h - CAT carriage of OTA SMS (TS 102 223, TS 31.111):
 * the ENVELOPE (SMS-PP download, BER tag D1) the ME sends to the card, and
 * the proactive SEND SHORT MESSAGE (D0, type 13) with which the card sends
 * a PoR by SMS-SUBMIT.
 *
 * Contract: parsers never read past the given length, accept the
 * comprehension-required bit either way (compare tag & 0x7F), any order of
 * the SIMPLE-TLVs and unknown TLVs without the CR bit; they answer any
 * byte string with 0 or a negative OTA_ENV_E_* code and write the caller's
 * structure only on success.  Parsed structures point into the input.
 */
#ifndef UICCKIT_ENVELOPE_H
#define UICCKIT_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/sms.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TS 102 223 §9.3 / Annex C tags (CR bit set as we send them). */
#define OTA_CAT_TAG_PROACTIVE 0xd0
#define OTA_CAT_TAG_SMS_PP_DOWNLOAD 0xd1
#define OTA_CAT_TAG_CMD_DETAILS 0x01
#define OTA_CAT_TAG_DEVICE_IDS 0x02
#define OTA_CAT_TAG_RESULT 0x03
#define OTA_CAT_TAG_ALPHA 0x05
#define OTA_CAT_TAG_ADDRESS 0x06
#define OTA_CAT_TAG_SMS_TPDU 0x0b
/* TS 102 223 §8.7 device identities. */
#define OTA_CAT_DEV_UICC 0x81
#define OTA_CAT_DEV_TERMINAL 0x82
#define OTA_CAT_DEV_NETWORK 0x83
#define OTA_CAT_CMD_SEND_SMS 0x13

/* Largest ENVELOPE / proactive command: short APDU, Lc <= 255. */
#define OTA_ENV_APDU_MAX (5 + 255 + 1)

enum ota_env_err {
	OTA_ENV_E_TRUNC = -260,		/* a TLV or the APDU runs past the input */
	OTA_ENV_E_TAG = -261,		/* outer tag is not D1 (ENVELOPE) / D0 (proactive) */
	OTA_ENV_E_LEN = -262,		/* bad BER/COMPREHENSION length form */
	OTA_ENV_E_TRAILING = -263,	/* bytes after the outer TLV / after Le */
	OTA_ENV_E_NO_DEVID = -264,	/* device identities missing */
	OTA_ENV_E_DEVID = -265,		/* device identities wrong length or direction */
	OTA_ENV_E_NO_TPDU = -266,	/* SMS TPDU missing */
	OTA_ENV_E_UNKNOWN_CR = -267,	/* unknown TLV with the comprehension-required bit */
	OTA_ENV_E_ADDR = -268,		/* address TLV unusable */
	OTA_ENV_E_HEADER = -269,	/* APDU header is not 80 C2 00 00 */
	OTA_ENV_E_TOO_LONG = -270,	/* would not fit a short APDU (Lc <= 255) */
	OTA_ENV_E_NOSPACE = -271,	/* output buffer too small */
	OTA_ENV_E_ARG = -272,		/* invalid argument */
	OTA_ENV_E_CMD = -273,		/* command details missing/wrong, or not SEND SHORT MESSAGE */
	OTA_ENV_E_DUP = -274,		/* a mandatory TLV appears twice */
};

const char *ota_env_strerror(int err);

/* ENVELOPE (SMS-PP DOWNLOAD), TS 31.111 §7.1.1.2. */
struct ota_env_sms_pp {
	uint8_t src;			/* device identities: 83 network */
	uint8_t dst;			/* 81 UICC */
	int has_addr;
	struct ota_sms_addr addr;	/* RP-OA of the service centre */
	const uint8_t *tpdu;		/* SMS-DELIVER, first octet onwards */
	size_t tpdu_len;
};

#define OTA_ENV_LE 0x01	/* append Le = 00 (T=1 habit of pySim) */

/* `80 C2 00 00 Lc D1 L 82 02 83 81 [86 L addr] 8B L tpdu [00]`. smsc may be
 * NULL (no address TLV, as pySim-shell and the asterix trace). */
int ota_env_sms_pp_build(const uint8_t *tpdu, size_t tpdu_len, const struct ota_sms_addr *smsc,
			 unsigned flags, uint8_t *out, size_t cap, size_t *out_len);
/* Parse the ENVELOPE data (D1 ...). */
int ota_env_sms_pp_parse(const uint8_t *in, size_t len, struct ota_env_sms_pp *e);
/* Check a whole ENVELOPE C-APDU (`80 C2 00 00 Lc data [Le]`, CLA 80 basic
 * channel only) and return its data field. */
int ota_env_apdu_data(const uint8_t *apdu, size_t len, const uint8_t **data, size_t *data_len);

/* Proactive SEND SHORT MESSAGE (TS 102 223 §6.6.9), as a FETCH returns it. */
struct ota_cat_send_sms {
	uint8_t number;			/* command number */
	uint8_t qualifier;		/* b1: packing required */
	uint8_t src;			/* 81 UICC */
	uint8_t dst;			/* 83 network */
	int has_alpha;
	const uint8_t *alpha;		/* may be empty: "05 00" */
	size_t alpha_len;
	int has_addr;
	struct ota_sms_addr addr;
	const uint8_t *tpdu;		/* SMS-SUBMIT */
	size_t tpdu_len;
};

/* `D0 L 81 03 nn 13 qq 82 02 81 83 [05 L alpha] [86 L addr] 8B L tpdu`.
 * alpha == NULL omits the alpha identifier; alpha_len 0 writes "05 00"
 * (the empty alpha identifier a real card sends, ota-sms-transport §6.3). */
int ota_cat_send_sms_build(uint8_t number, uint8_t qualifier, const uint8_t *alpha,
			   size_t alpha_len, const struct ota_sms_addr *smsc, const uint8_t *tpdu,
			   size_t tpdu_len, uint8_t *out, size_t cap, size_t *out_len);
int ota_cat_send_sms_parse(const uint8_t *in, size_t len, struct ota_cat_send_sms *p);

/* FETCH response -> PoR user data (starting 02 71 00) carried by its
 * SMS-SUBMIT.  sub may be NULL. */
int ota_cat_send_sms_por(const uint8_t *in, size_t len, struct ota_sms_submit *sub,
			 const uint8_t **por_ud, size_t *por_ud_len);

/* TERMINAL RESPONSE for a proactive command: `80 14 00 00 Lc 81 03 nn tt qq
 * 82 02 82 81 83 L result...`. */
int ota_cat_terminal_response_build(uint8_t number, uint8_t type, uint8_t qualifier,
				    const uint8_t *result, size_t result_len, uint8_t *out,
				    size_t cap, size_t *out_len);

/* What the ME does with the card's answer to an ENVELOPE (SMS-PP DOWNLOAD),
 * TS 31.111 §7.1.1.2 / ota-sms-transport.md §2.1. */
enum ota_env_action {
	OTA_ENV_ACT_ACK = 0,		/* 90 00: RP-ACK, no user data */
	OTA_ENV_ACT_ACK_FETCH,		/* 91 XX: RP-ACK, then FETCH XX bytes */
	OTA_ENV_ACT_GET_RESPONSE,	/* 61 XX / 9F XX: GET RESPONSE, PoR data in RP-ACK */
	OTA_ENV_ACT_ERROR_DATA,		/* 62/63 XX, 9E XX: RP-ERROR, FCS D5, data if any */
	OTA_ENV_ACT_BUSY,		/* 93 00: RP-ERROR, FCS D4 (toolkit busy) */
	OTA_ENV_ACT_ERROR,		/* anything else: RP-ERROR (FCS UNSURE: FF unspecified) */
};

/* Classify SW1 SW2; *fcs gets the TP-FCS for the RP-ERROR cases and *xx
 * the length byte of 91/61/9F/9E answers (either may be NULL). */
enum ota_env_action ota_env_sw_action(uint16_t sw, uint8_t *fcs, uint8_t *xx);
const char *ota_env_action_name(enum ota_env_action a);

#ifdef __cplusplus
}
#endif
#endif
