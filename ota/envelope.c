/*
 * envelope.c - ENVELOPE (SMS-PP DOWNLOAD) and proactive SEND SHORT MESSAGE
 * codecs (TS 102 223 §6.6.9 / §7.1, TS 31.111 §7.1.1, Annex C
 * COMPREHENSION-TLV), and the TERMINAL RESPONSE that acknowledges a
 * proactive command.
 *
 * Contract: see uicckit/envelope.h.  The outer template (D0/D1) is
 * BER-TLV; its content is a list of COMPREHENSION-TLVs walked with
 * uk_ctlv_next(), so 81 xx lengths and the CR bit are handled there.
 */
#include <string.h>
#include "common/buf.h"
#include "uicckit/envelope.h"

const char *ota_env_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case OTA_ENV_E_TRUNC: return "TLV or APDU truncated";
	case OTA_ENV_E_TAG: return "wrong outer tag (not D1 ENVELOPE / D0 proactive command)";
	case OTA_ENV_E_LEN: return "bad TLV length coding";
	case OTA_ENV_E_TRAILING: return "trailing bytes after the template";
	case OTA_ENV_E_NO_DEVID: return "device identities missing";
	case OTA_ENV_E_DEVID: return "device identities wrong (length or direction)";
	case OTA_ENV_E_NO_TPDU: return "SMS TPDU missing";
	case OTA_ENV_E_UNKNOWN_CR: return "unknown comprehension-required TLV";
	case OTA_ENV_E_ADDR: return "bad address TLV";
	case OTA_ENV_E_HEADER: return "APDU header is not ENVELOPE (80 C2 00 00)";
	case OTA_ENV_E_TOO_LONG: return "does not fit a short APDU";
	case OTA_ENV_E_NOSPACE: return "output buffer too small";
	case OTA_ENV_E_ARG: return "invalid argument";
	case OTA_ENV_E_CMD: return "command details missing or not SEND SHORT MESSAGE";
	case OTA_ENV_E_DUP: return "mandatory TLV repeated";
	default: return "unknown ENVELOPE error";
	}
}

static int tlv_err(int rc)
{
	switch (rc) {
	case UK_TLV_BADLEN: return OTA_ENV_E_LEN;
	case UK_TLV_BADTAG: return OTA_ENV_E_TAG;
	default: return OTA_ENV_E_TRUNC;
	}
}

/* TS 102 223 Annex C: CR is b8 of the tag (of the second byte for the
 * three-byte 7F form). */
static int ctlv_cr(unsigned tag)
{
	return tag <= 0xff ? (tag & 0x80) != 0 : (tag & 0x8000) != 0;
}

static unsigned ctlv_tag(unsigned tag)
{
	return tag <= 0xff ? tag & 0x7f : tag;
}

/* Open the outer BER-TLV and check that nothing follows it. */
static int outer(const uint8_t *in, size_t len, unsigned want, struct uk_tlv *t)
{
	size_t pos = 0;
	int rc;

	if (in == NULL)
		return OTA_ENV_E_ARG;
	rc = uk_tlv_next(in, len, &pos, t);
	if (rc == 0)
		return OTA_ENV_E_TRUNC;
	if (rc < 0)
		return tlv_err(rc);
	if (t->tag != want)
		return OTA_ENV_E_TAG;
	if (pos != len)
		return OTA_ENV_E_TRAILING;
	return 0;
}

static int take_devid(const struct uk_tlv *t, uint8_t *src, uint8_t *dst, uint8_t want_src,
		      uint8_t want_dst)
{
	if (t->len != 2)
		return OTA_ENV_E_DEVID;
	if (t->val[0] != want_src || t->val[1] != want_dst)
		return OTA_ENV_E_DEVID;
	*src = t->val[0];
	*dst = t->val[1];
	return 0;
}

static int take_addr(const struct uk_tlv *t, struct ota_sms_addr *a)
{
	return ota_sms_addr_decode_rp(t->val, t->len, a) < 0 ? OTA_ENV_E_ADDR : 0;
}

/* ------------------------------------------------------------------ */
/* ENVELOPE (SMS-PP DOWNLOAD)                                          */

int ota_env_sms_pp_build(const uint8_t *tpdu, size_t tpdu_len, const struct ota_sms_addr *smsc,
			 unsigned flags, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t body[OTA_ENV_APDU_MAX + 8], addr[1 + OTA_SMS_ADDR_DIGITS_MAX / 2];
	struct uk_buf b;
	size_t inner, total;
	int alen = 0;

	if (tpdu == NULL || out == NULL || out_len == NULL)
		return OTA_ENV_E_ARG;
	if (smsc != NULL) {
		alen = ota_sms_addr_encode_rp(smsc, addr, sizeof(addr));
		if (alen < 0)
			return OTA_ENV_E_ADDR;
	}
	/* 82 02 83 81 [86 L addr] 8B L tpdu */
	inner = 4 + (smsc != NULL ? 2 + (size_t)alen : 0) + 1 + (tpdu_len > 0x7f ? 2 : 1) + tpdu_len;
	total = 1 + (inner > 0x7f ? 2 : 1) + inner;
	if (tpdu_len > 0xff || total > 0xff)
		return OTA_ENV_E_TOO_LONG;
	uk_buf_init(&b, body, sizeof(body));
	uk_buf_put(&b, "\x80\xc2\x00\x00", 4);
	uk_buf_put_u8(&b, (unsigned)total);
	uk_buf_put_u8(&b, OTA_CAT_TAG_SMS_PP_DOWNLOAD);
	uk_tlv_put_len(&b, inner);
	uk_buf_put_u8(&b, 0x80 | OTA_CAT_TAG_DEVICE_IDS);
	uk_buf_put_u8(&b, 2);
	uk_buf_put_u8(&b, OTA_CAT_DEV_NETWORK);
	uk_buf_put_u8(&b, OTA_CAT_DEV_UICC);
	if (smsc != NULL)
		uk_tlv_put(&b, 0x80 | OTA_CAT_TAG_ADDRESS, addr, (size_t)alen);
	uk_tlv_put(&b, 0x80 | OTA_CAT_TAG_SMS_TPDU, tpdu, tpdu_len);
	if (flags & OTA_ENV_LE)
		uk_buf_put_u8(&b, 0x00);
	if (!uk_buf_ok(&b))
		return OTA_ENV_E_TOO_LONG;
	if (b.len > cap)
		return OTA_ENV_E_NOSPACE;
	memcpy(out, body, b.len);
	*out_len = b.len;
	return 0;
}

int ota_env_sms_pp_parse(const uint8_t *in, size_t len, struct ota_env_sms_pp *e)
{
	struct ota_env_sms_pp r;
	struct uk_tlv o, t;
	size_t pos = 0;
	int rc, have_dev = 0, have_tpdu = 0;

	if (e == NULL)
		return OTA_ENV_E_ARG;
	rc = outer(in, len, OTA_CAT_TAG_SMS_PP_DOWNLOAD, &o);
	if (rc < 0)
		return rc;
	memset(&r, 0, sizeof(r));
	while ((rc = uk_ctlv_next(o.val, o.len, &pos, &t)) == 1) {
		switch (ctlv_tag(t.tag)) {
		case OTA_CAT_TAG_DEVICE_IDS:
			if (have_dev++)
				return OTA_ENV_E_DUP;
			rc = take_devid(&t, &r.src, &r.dst, OTA_CAT_DEV_NETWORK, OTA_CAT_DEV_UICC);
			if (rc < 0)
				return rc;
			break;
		case OTA_CAT_TAG_ADDRESS:
			if (r.has_addr++)
				return OTA_ENV_E_DUP;
			rc = take_addr(&t, &r.addr);
			if (rc < 0)
				return rc;
			break;
		case OTA_CAT_TAG_SMS_TPDU:
			if (have_tpdu++)
				return OTA_ENV_E_DUP;
			r.tpdu = t.val;
			r.tpdu_len = t.len;
			break;
		default:
			/* TS 102 223 §6.10.x: unknown CR data objects cannot be
			 * skipped; others are ignored. */
			if (ctlv_cr(t.tag))
				return OTA_ENV_E_UNKNOWN_CR;
			break;
		}
	}
	if (rc < 0)
		return tlv_err(rc);
	if (!have_dev)
		return OTA_ENV_E_NO_DEVID;
	if (!have_tpdu)
		return OTA_ENV_E_NO_TPDU;
	*e = r;
	return 0;
}

int ota_env_apdu_data(const uint8_t *apdu, size_t len, const uint8_t **data, size_t *data_len)
{
	size_t lc;

	if (apdu == NULL || data == NULL || data_len == NULL)
		return OTA_ENV_E_ARG;
	if (len < 5)
		return OTA_ENV_E_TRUNC;
	/* TS 102 221 §10.1.1: ENVELOPE is CLA 80 on the basic channel only. */
	if (apdu[0] != 0x80 || apdu[1] != 0xc2 || apdu[2] != 0 || apdu[3] != 0)
		return OTA_ENV_E_HEADER;
	lc = apdu[4];
	if (lc == 0)
		return OTA_ENV_E_TRUNC;
	if (lc > len - 5)
		return OTA_ENV_E_TRUNC;
	/* case 4 on T=1: one Le byte may follow */
	if (len - 5 - lc > 1)
		return OTA_ENV_E_TRAILING;
	*data = apdu + 5;
	*data_len = lc;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Proactive SEND SHORT MESSAGE                                        */

int ota_cat_send_sms_build(uint8_t number, uint8_t qualifier, const uint8_t *alpha,
			   size_t alpha_len, const struct ota_sms_addr *smsc, const uint8_t *tpdu,
			   size_t tpdu_len, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t body[300], addr[1 + OTA_SMS_ADDR_DIGITS_MAX / 2];
	struct uk_buf b;
	size_t mark;
	int alen = 0;

	if (tpdu == NULL || out == NULL || out_len == NULL || (alpha == NULL && alpha_len > 0))
		return OTA_ENV_E_ARG;
	if (tpdu_len > 0xff || alpha_len > 0xff)
		return OTA_ENV_E_TOO_LONG;
	if (smsc != NULL) {
		alen = ota_sms_addr_encode_rp(smsc, addr, sizeof(addr));
		if (alen < 0)
			return OTA_ENV_E_ADDR;
	}
	uk_buf_init(&b, body, sizeof(body));
	mark = uk_tlv_open(&b, OTA_CAT_TAG_PROACTIVE);
	uk_buf_put_u8(&b, 0x80 | OTA_CAT_TAG_CMD_DETAILS);
	uk_buf_put_u8(&b, 3);
	uk_buf_put_u8(&b, number);
	uk_buf_put_u8(&b, OTA_CAT_CMD_SEND_SMS);
	uk_buf_put_u8(&b, qualifier);
	uk_buf_put_u8(&b, 0x80 | OTA_CAT_TAG_DEVICE_IDS);
	uk_buf_put_u8(&b, 2);
	uk_buf_put_u8(&b, OTA_CAT_DEV_UICC);
	uk_buf_put_u8(&b, OTA_CAT_DEV_NETWORK);
	if (alpha != NULL)
		uk_tlv_put(&b, OTA_CAT_TAG_ALPHA, alpha, alpha_len);
	if (smsc != NULL)
		uk_tlv_put(&b, 0x80 | OTA_CAT_TAG_ADDRESS, addr, (size_t)alen);
	uk_tlv_put(&b, 0x80 | OTA_CAT_TAG_SMS_TPDU, tpdu, tpdu_len);
	uk_tlv_close(&b, mark);
	/* a proactive command is returned by FETCH: at most 256 bytes, and
	 * the 91 XX procedure byte announces it with one byte */
	if (!uk_buf_ok(&b) || b.len > 0xff)
		return OTA_ENV_E_TOO_LONG;
	if (b.len > cap)
		return OTA_ENV_E_NOSPACE;
	memcpy(out, body, b.len);
	*out_len = b.len;
	return 0;
}

int ota_cat_send_sms_parse(const uint8_t *in, size_t len, struct ota_cat_send_sms *p)
{
	struct ota_cat_send_sms r;
	struct uk_tlv o, t;
	size_t pos = 0;
	int rc, have_cmd = 0, have_dev = 0, have_tpdu = 0;

	if (p == NULL)
		return OTA_ENV_E_ARG;
	rc = outer(in, len, OTA_CAT_TAG_PROACTIVE, &o);
	if (rc < 0)
		return rc;
	memset(&r, 0, sizeof(r));
	while ((rc = uk_ctlv_next(o.val, o.len, &pos, &t)) == 1) {
		switch (ctlv_tag(t.tag)) {
		case OTA_CAT_TAG_CMD_DETAILS:
			if (have_cmd++)
				return OTA_ENV_E_DUP;
			if (t.len != 3 || t.val[1] != OTA_CAT_CMD_SEND_SMS)
				return OTA_ENV_E_CMD;
			r.number = t.val[0];
			r.qualifier = t.val[2];
			break;
		case OTA_CAT_TAG_DEVICE_IDS:
			if (have_dev++)
				return OTA_ENV_E_DUP;
			rc = take_devid(&t, &r.src, &r.dst, OTA_CAT_DEV_UICC, OTA_CAT_DEV_NETWORK);
			if (rc < 0)
				return rc;
			break;
		case OTA_CAT_TAG_ALPHA:
			if (r.has_alpha++)
				return OTA_ENV_E_DUP;
			r.alpha = t.val;
			r.alpha_len = t.len;
			break;
		case OTA_CAT_TAG_ADDRESS:
			if (r.has_addr++)
				return OTA_ENV_E_DUP;
			rc = take_addr(&t, &r.addr);
			if (rc < 0)
				return rc;
			break;
		case OTA_CAT_TAG_SMS_TPDU:
			if (have_tpdu++)
				return OTA_ENV_E_DUP;
			r.tpdu = t.val;
			r.tpdu_len = t.len;
			break;
		default:
			if (ctlv_cr(t.tag))
				return OTA_ENV_E_UNKNOWN_CR;
			break;
		}
	}
	if (rc < 0)
		return tlv_err(rc);
	if (!have_cmd)
		return OTA_ENV_E_CMD;
	if (!have_dev)
		return OTA_ENV_E_NO_DEVID;
	if (!have_tpdu)
		return OTA_ENV_E_NO_TPDU;
	*p = r;
	return 0;
}

int ota_cat_send_sms_por(const uint8_t *in, size_t len, struct ota_sms_submit *sub,
			 const uint8_t **por_ud, size_t *por_ud_len)
{
	struct ota_cat_send_sms p;
	struct ota_sms_submit s;
	struct ota_ud_info info;
	int rc;

	if (por_ud == NULL || por_ud_len == NULL)
		return OTA_ENV_E_ARG;
	rc = ota_cat_send_sms_parse(in, len, &p);
	if (rc < 0)
		return rc;
	rc = ota_sms_submit_parse(p.tpdu, p.tpdu_len, &s);
	if (rc < 0)
		return rc;
	if (!(s.first & OTA_SMS_FO_UDHI))
		return OTA_SMS_E_NO_UDH;
	rc = ota_ud_parse(s.ud, s.ud_len, &info);
	if (rc < 0)
		return rc;
	if (!info.rpi && !(info.concat && info.seq > 1))
		return OTA_SMS_E_NO_PI;
	if (sub != NULL)
		*sub = s;
	*por_ud = s.ud;
	*por_ud_len = s.ud_len;
	return 0;
}

int ota_cat_terminal_response_build(uint8_t number, uint8_t type, uint8_t qualifier,
				    const uint8_t *result, size_t result_len, uint8_t *out,
				    size_t cap, size_t *out_len)
{
	size_t lc = 5 + 4 + 2 + result_len, n = 5 + lc;

	if ((result == NULL && result_len > 0) || result_len < 1 || result_len > 0x7f ||
	    out == NULL || out_len == NULL)
		return OTA_ENV_E_ARG;
	if (n > cap)
		return OTA_ENV_E_NOSPACE;
	/* TS 102 221 §10.1.1 TERMINAL RESPONSE 80 14 00 00; TS 102 223 §6.8 */
	memcpy(out, "\x80\x14\x00\x00", 4);
	out[4] = (uint8_t)lc;
	out[5] = 0x80 | OTA_CAT_TAG_CMD_DETAILS;
	out[6] = 3;
	out[7] = number;
	out[8] = type;
	out[9] = qualifier;
	out[10] = 0x80 | OTA_CAT_TAG_DEVICE_IDS;
	out[11] = 2;
	out[12] = OTA_CAT_DEV_TERMINAL;
	out[13] = OTA_CAT_DEV_UICC;
	out[14] = 0x80 | OTA_CAT_TAG_RESULT;
	out[15] = (uint8_t)result_len;
	memcpy(out + 16, result, result_len);
	*out_len = n;
	return 0;
}

enum ota_env_action ota_env_sw_action(uint16_t sw, uint8_t *fcs, uint8_t *xx)
{
	unsigned sw1 = sw >> 8;
	enum ota_env_action a;
	uint8_t f = 0;

	if (xx != NULL)
		*xx = (uint8_t)sw;
	if (sw == 0x9000) {
		a = OTA_ENV_ACT_ACK;
	} else if (sw1 == 0x91) {
		a = OTA_ENV_ACT_ACK_FETCH;
	} else if (sw1 == 0x61 || sw1 == 0x9f) {
		a = OTA_ENV_ACT_GET_RESPONSE;
	} else if (sw1 == 0x62 || sw1 == 0x63 || sw1 == 0x9e) {
		/* TS 31.111 §7.1.1.2: "(U)SIM data download error" */
		a = OTA_ENV_ACT_ERROR_DATA;
		f = OTA_SMS_FCS_DATA_DOWNLOAD_ERROR;
	} else if (sw == 0x9300) {
		a = OTA_ENV_ACT_BUSY;
		f = OTA_SMS_FCS_SAT_BUSY;
	} else {
		a = OTA_ENV_ACT_ERROR;
		f = 0xff;	/* TS 23.040 §9.2.3.22: unspecified error cause */
	}
	if (fcs != NULL)
		*fcs = f;
	return a;
}

const char *ota_env_action_name(enum ota_env_action a)
{
	switch (a) {
	case OTA_ENV_ACT_ACK: return "RP-ACK";
	case OTA_ENV_ACT_ACK_FETCH: return "RP-ACK, then FETCH";
	case OTA_ENV_ACT_GET_RESPONSE: return "GET RESPONSE, PoR in RP-ACK";
	case OTA_ENV_ACT_ERROR_DATA: return "RP-ERROR (U)SIM data download error";
	case OTA_ENV_ACT_BUSY: return "RP-ERROR (U)SIM toolkit busy";
	default: return "RP-ERROR";
	}
}
