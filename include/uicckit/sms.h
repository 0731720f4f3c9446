/*
 * uicckit/sms.h - the SMS layer of OTA (3GPP TS 23.040, TS 31.115):
 * TP addresses, SMS-DELIVER / SMS-SUBMIT / SMS-DELIVER-REPORT TPDUs, the
 * user-data-header IE list (IEI 70 CPI, 71 RPI, 00/08 concatenation), and
 * splitting / reassembling a secured packet over concatenated SMS.
 *
 * Contract: parsers take (pointer, length), never read past it, never
 * write into the caller's structure unless they succeed, and answer any
 * byte string with 0 or a negative OTA_SMS_E_* code.  Parsed structures
 * point INTO the input (zero copy): keep the input alive while you use
 * them.  Builders write at most `cap` bytes and report the length; on
 * error nothing useful is in `out`.  No global state: the reassembly
 * context is caller-owned and works on caller-supplied memory.
 */
#ifndef UICCKIT_SMS_H
#define UICCKIT_SMS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* TS 23.040 §9.2.3.24: 140 octets of 8-bit user data per SMS. */
#define OTA_SMS_UD_MAX 140
/* Largest TPDU our parsers accept: first octet, 12-octet address,
 * PID, DCS, 7-octet SCTS/VP, MR, UDL, 255 octets of UD. */
#define OTA_SMS_TPDU_MAX 280
/* TS 23.040 §9.1.2.5: at most 20 semi-octets of address value. */
#define OTA_SMS_ADDR_DIGITS_MAX 20

/* TP-PID (§9.2.3.9) "(U)SIM Data download" and the class-2 8-bit DCS
 * values of TS 23.038 §4 that OTA uses. */
#define OTA_SMS_PID_DATA_DOWNLOAD 0x7f
#define OTA_SMS_DCS_CLASS2_8BIT 0xf6
#define OTA_SMS_DCS_CLASS2_8BIT_ALT 0x16

/* First-octet bits (TS 23.040 §9.2.3). */
#define OTA_SMS_FO_MTI_MASK 0x03
#define OTA_SMS_FO_MMS 0x04	/* DELIVER: 1 = no more messages waiting */
#define OTA_SMS_FO_RD 0x04	/* SUBMIT: reject duplicates */
#define OTA_SMS_FO_VPF_MASK 0x18 /* SUBMIT: validity period format */
#define OTA_SMS_FO_SRI 0x20	/* DELIVER: status report indication */
#define OTA_SMS_FO_SRR 0x20	/* SUBMIT: status report request */
#define OTA_SMS_FO_UDHI 0x40
#define OTA_SMS_FO_RP 0x80

/* UDH information element identifiers (§9.2.3.24, TS 31.115 §4). */
#define OTA_IEI_CONCAT8 0x00
#define OTA_IEI_CONCAT16 0x08
#define OTA_IEI_CPI 0x70	/* Command Packet Identifier */
#define OTA_IEI_RPI 0x71	/* Response Packet Identifier */

enum ota_sms_err {
	OTA_SMS_E_TRUNC = -200,		/* TPDU ends before a mandatory field */
	OTA_SMS_E_MTI = -201,		/* TP-MTI is not the message type asked for */
	OTA_SMS_E_ADDR = -202,		/* address length > 20 digits or bad digit */
	OTA_SMS_E_UDL = -203,		/* TP-UDL does not match the octets that follow */
	OTA_SMS_E_DCS = -204,		/* DCS reserved, or not 8-bit class 2 where required */
	OTA_SMS_E_PID = -205,		/* TP-PID is not 7F where required */
	OTA_SMS_E_UD_TOO_LONG = -206,	/* user data longer than one SMS (140) */
	OTA_SMS_E_NOSPACE = -207,	/* output buffer too small */
	OTA_SMS_E_ARG = -208,		/* invalid argument (digits, VPF, NULL...) */
	OTA_SMS_E_UDHL = -210,		/* UDHL runs past the user data */
	OTA_SMS_E_IE_TRUNC = -211,	/* an IE's length runs past the UDH */
	OTA_SMS_E_IE_LEN = -212,	/* wrong IE length (70/71 not 0, 00 not 3, 08 not 4) */
	OTA_SMS_E_IE_DUP = -213,	/* repeated CPI/RPI/concatenation IE */
	OTA_SMS_E_IE_RESERVED = -214,	/* IEI 72..7F (reserved (U)SIM security headers) */
	OTA_SMS_E_CPI_RPI = -215,	/* both CPI and RPI, or the wrong one */
	OTA_SMS_E_NO_UDH = -216,	/* TP-UDHI not set / no UDH where one is required */
	OTA_SMS_E_NO_PI = -217,		/* no CPI (70) / RPI (71) in a single or first segment */
	/* concatenation (concat.c) */
	OTA_CONCAT_E_SEQ = -240,	/* seq 0, total 0 or seq > total */
	OTA_CONCAT_E_DUP = -241,	/* this seq was already received (dropped) */
	OTA_CONCAT_E_TOTAL = -242,	/* total differs within one reference: set discarded */
	OTA_CONCAT_E_REF = -243,	/* a new reference arrived while a set was incomplete */
	OTA_CONCAT_E_SIZE = -244,	/* reassembled packet exceeds the buffer limit: set discarded */
	OTA_CONCAT_E_MISSING = -245,	/* a set is incomplete (some seq not received) */
	OTA_CONCAT_E_TOO_MANY = -246,	/* packet needs more than 255 segments / the array given */
};

const char *ota_sms_strerror(int err);

/* ------------------------------------------------------------------ */
/* Addresses (TS 23.040 §9.1.2.5, TS 24.011 §8.2.5.2)                 */

/* digits: '0'..'9', '*', '#', 'a', 'b', 'c' (BCD 0..E).  For TON 101
 * (alphanumeric, §9.1.2.5) `digits` is empty and `raw` holds the GSM 7-bit
 * packed semi-octets as received. */
struct ota_sms_addr {
	uint8_t ton_npi;		/* e.g. 0x91 international / ISDN */
	char digits[OTA_SMS_ADDR_DIGITS_MAX + 1];
	uint8_t raw_len;		/* octets of address value */
	uint8_t raw[OTA_SMS_ADDR_DIGITS_MAX / 2];
	uint8_t nsemi;			/* TP form: address-length in semi-octets */
};

#define OTA_SMS_TON_ALNUM 0x50
#define OTA_SMS_TON_MASK 0x70

/* Fill *a from a digit string ("+" prefix selects 0x91, else ton_npi). */
int ota_sms_addr_set(struct ota_sms_addr *a, const char *digits, uint8_t ton_npi);
/* TP form: number of digits, TON/NPI, swapped BCD.  Returns bytes or <0. */
int ota_sms_addr_encode_tp(const struct ota_sms_addr *a, uint8_t *out, size_t cap);
/* *used = octets consumed (2 + value). */
int ota_sms_addr_decode_tp(const uint8_t *in, size_t len, struct ota_sms_addr *a, size_t *used);
/* RP / CAT Address TLV value form: TON/NPI, swapped BCD (F filler). */
int ota_sms_addr_encode_rp(const struct ota_sms_addr *a, uint8_t *out, size_t cap);
int ota_sms_addr_decode_rp(const uint8_t *in, size_t len, struct ota_sms_addr *a);

/* ------------------------------------------------------------------ */
/* TPDUs                                                               */

/* SMS-DELIVER (§9.2.2.1).  Build: first octet as given, MTI forced to 00;
 * TP-UDL is always written as len(ud) for 8-bit data (follow the spec,
 * not pySim's test which writes 03). */
struct ota_sms_deliver {
	uint8_t first;			/* 0x44: UDHI, no more messages */
	struct ota_sms_addr oa;
	uint8_t pid;
	uint8_t dcs;
	uint8_t scts[7];		/* semi-octet, as on the wire */
	uint8_t udl;			/* TP-UDL as on the wire (septets for 7-bit) */
	const uint8_t *ud;
	size_t ud_len;			/* octets */
};

/* Defaults for an OTA command SMS: first 44, PID 7F, DCS F6, SCTS zero. */
void ota_sms_deliver_init(struct ota_sms_deliver *d);
int ota_sms_deliver_build(const struct ota_sms_deliver *d, uint8_t *out, size_t cap, size_t *out_len);
int ota_sms_deliver_parse(const uint8_t *in, size_t len, struct ota_sms_deliver *d);
/* TS 31.111 §7.1.1 conditions: PID 7F and a class-2 DCS with 8-bit data. */
int ota_sms_check_data_download(uint8_t pid, uint8_t dcs);

/* SMS-SUBMIT (§9.2.2.2). VPF from `first`: vp_len 0 / 1 (relative) / 7. */
struct ota_sms_submit {
	uint8_t first;			/* 0x41: UDHI, no VP */
	uint8_t mr;
	struct ota_sms_addr da;
	uint8_t pid;
	uint8_t dcs;
	uint8_t vp[7];
	uint8_t vp_len;
	uint8_t udl;
	const uint8_t *ud;
	size_t ud_len;
};

void ota_sms_submit_init(struct ota_sms_submit *s);
int ota_sms_submit_build(const struct ota_sms_submit *s, uint8_t *out, size_t cap, size_t *out_len);
int ota_sms_submit_parse(const uint8_t *in, size_t len, struct ota_sms_submit *s);

/* SMS-DELIVER-REPORT (§9.2.2.1a): RP-ACK form `40 07 7F F6 UDL UD`, or the
 * RP-ERROR form with TP-FCS after the first octet (e.g. D5 = (U)SIM data
 * download error).  Which form a TPDU has is known only from the RP
 * layer, so the caller says it.  TP-PI extension octets are skipped. */
#define OTA_SMS_PI_PID 0x01
#define OTA_SMS_PI_DCS 0x02
#define OTA_SMS_PI_UDL 0x04
#define OTA_SMS_FCS_SAT_BUSY 0xd4
#define OTA_SMS_FCS_DATA_DOWNLOAD_ERROR 0xd5

struct ota_sms_deliver_report {
	uint8_t first;			/* 0x40 with UD header */
	int rp_error;			/* 1: TP-FCS present */
	uint8_t fcs;
	uint8_t pi;			/* TP-PI (first octet) */
	uint8_t pid;
	uint8_t dcs;
	uint8_t udl;
	const uint8_t *ud;
	size_t ud_len;
};

/* PoR form: RP-ACK, PI 07, PID 7F, DCS F6 (rp_error 0). */
void ota_sms_deliver_report_init(struct ota_sms_deliver_report *r);
int ota_sms_deliver_report_build(const struct ota_sms_deliver_report *r, uint8_t *out, size_t cap,
				 size_t *out_len);
int ota_sms_deliver_report_parse(const uint8_t *in, size_t len, int rp_error,
				 struct ota_sms_deliver_report *r);

/* ------------------------------------------------------------------ */
/* User data header (udh.c)                                            */

struct ota_udh_ie {
	uint8_t iei;
	uint8_t len;
	const uint8_t *val;
};

/* Split UD into UDH (without the UDHL octet) and the rest. */
int ota_ud_split(const uint8_t *ud, size_t len, const uint8_t **udh, size_t *udh_len,
		 const uint8_t **rest, size_t *rest_len);
/* Walk an IE list: 1 = *ie filled, 0 = end, <0 = OTA_SMS_E_IE_TRUNC. */
int ota_udh_next(const uint8_t *udh, size_t udh_len, size_t *pos, struct ota_udh_ie *ie);

/* What OTA needs from one SMS's user data (udhi must be set). */
struct ota_ud_info {
	int cpi;			/* IEI 70 present (length 0) */
	int rpi;			/* IEI 71 present (length 0) */
	int concat;			/* 0, 8 or 16 (bits of the reference) */
	unsigned ref;
	uint8_t total;
	uint8_t seq;
	const uint8_t *payload;		/* bytes after the UDH */
	size_t payload_len;
};

/* Walks the whole IE list: CPI/RPI anywhere, length 0; 00 len 3 / 08
 * len 4 with 1 <= seq <= total; 72..7F refused; other IEs skipped. */
int ota_ud_parse(const uint8_t *ud, size_t len, struct ota_ud_info *info);

/* ------------------------------------------------------------------ */
/* Concatenation (concat.c)                                            */

struct ota_sms_seg {
	uint8_t ud[OTA_SMS_UD_MAX];
	size_t len;
};

/* Packet bytes per segment (ota-sms-transport §3): first segment 132
 * (131 with a 16-bit reference), later ones 134 (133). */
size_t ota_concat_room(int first, int ref16);
/* Segments a packet needs: 1 when `len + 3 <= 140`. */
size_t ota_concat_count(size_t len, int ref16);

/* Split a secured packet (CPL..end) into SMS user data.  pi_iei is 0x70
 * (command) or 0x71 (PoR).  A packet that fits one SMS gives one segment
 * `02 pi 00 ‖ packet`; otherwise segment 1 is `UDHL ‖ concat IE ‖ pi 00 ‖
 * data` and the others `UDHL ‖ concat IE ‖ data`. */
int ota_concat_split(const uint8_t *pkt, size_t len, uint8_t pi_iei, unsigned ref, int ref16,
		     struct ota_sms_seg *segs, size_t max_segs, size_t *nsegs);

/* Receive side.  One set in flight at a time, identified by (reference
 * width, reference).  Storage is the caller's `mem`; its size is the
 * buffer limit (a larger packet gives OTA_CONCAT_E_SIZE, the RSC 07 case). */
#define OTA_CONCAT_DONE 0	/* a whole packet was written to out */
#define OTA_CONCAT_MORE 1	/* segment stored, more needed */

struct ota_concat_ctx {
	uint8_t *mem;
	size_t cap;
	size_t used;
	uint8_t pi_iei;			/* expected in the first/single segment */
	int restart_on_new_ref;		/* 1 (default): new ref discards an incomplete set */
	int active;
	int ref_bits;
	unsigned ref;
	uint8_t total;
	uint8_t received;
	uint8_t have[32];		/* bitmap by seq */
	uint16_t off[256];		/* offset in mem by seq */
	uint8_t seglen[256];
	/* first bytes of segment 1's payload (CPL..TAR), for an RSC 07 PoR */
	uint8_t head[10];
	uint8_t head_len;
};

void ota_concat_init(struct ota_concat_ctx *c, uint8_t *mem, size_t cap, uint8_t pi_iei);
/* Drop any partial set (reassembly timeout, card reset). */
void ota_concat_reset(struct ota_concat_ctx *c);
/* Feed one SMS user data.  Returns OTA_CONCAT_DONE with the packet in
 * out/out_len, OTA_CONCAT_MORE, or an error:
 *  E_SEQ, E_DUP: segment ignored, the set is kept;
 *  E_TOTAL, E_SIZE: the set is discarded;
 *  E_REF: with restart_on_new_ref the incomplete old set was discarded
 *         and THIS segment started a new set; otherwise it was refused.
 *  E_NO_PI: a single (or first) segment without the expected CPI/RPI.
 * A non-concatenated UD with the CPI is a whole packet by itself and
 * leaves a set in flight untouched. */
int ota_concat_feed(struct ota_concat_ctx *c, const uint8_t *ud, size_t len, uint8_t *out,
		    size_t outcap, size_t *out_len);
/* 0 if nothing is pending, else OTA_CONCAT_E_MISSING and *first_missing. */
int ota_concat_pending(const struct ota_concat_ctx *c, unsigned *first_missing);

/* SMS-DELIVER for segment i of n: MMS set only on the last one, as in
 * ota-sms-transport §6.2 (40 ... 44). */
int ota_sms_deliver_build_seg(const struct ota_sms_deliver *tmpl, const struct ota_sms_seg *seg,
			      int last, uint8_t *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
