/*
 * rfm.c - TS 102 226 §5 RFM/RAM script codecs: compact (§5.1) and
 * expanded (§5.2) command scripts and responses, ISO/IEC 7816-3 APDU case
 * detection, and the TS 101 220 Annex D TAR ranges.
 *
 * Contract: see uicckit/rfm.h.  Parsing is lazy for the items of a
 * script (the card executes as it goes and stops at the first bad item,
 * reporting a Bad format code), eager for the outer template.
 */
#include <string.h>
#include "common/buf.h"
#include "uicckit/rfm.h"

const char *ota_rfm_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case OTA_RFM_E_TRAILING: return "trailing bytes that are not a complete command";
	case OTA_RFM_E_TRUNC_DATA: return "command data shorter than P3 announces";
	case OTA_RFM_E_APDU: return "C-APDU TLV does not hold a valid command APDU";
	case OTA_RFM_E_TAG: return "not a scripting template";
	case OTA_RFM_E_LEN: return "wrong length found";
	case OTA_RFM_E_NO_LEN: return "length not found";
	case OTA_RFM_E_EOC: return "indefinite template without end-of-contents (00 00)";
	case OTA_RFM_E_NOSPACE: return "output buffer too small";
	case OTA_RFM_E_ARG: return "invalid argument";
	case OTA_RFM_E_RESP: return "malformed script response";
	case OTA_RFM_E_COMPACT: return "APDU cannot be written in compact form";
	case OTA_RFM_E_UNKNOWN_TAG: return "unknown tag found";
	default: return "unknown RFM error";
	}
}

int ota_rfm_bad_format_code(int err)
{
	switch (err) {
	case OTA_RFM_E_UNKNOWN_TAG:
	case OTA_RFM_E_TAG:
		return 0x01;
	case OTA_RFM_E_LEN:
	case OTA_RFM_E_APDU:
	case OTA_RFM_E_EOC:
	case OTA_RFM_E_TRAILING:
		return 0x02;
	case OTA_RFM_E_NO_LEN:
		return 0x03;
	default:
		return 0;
	}
}

uint32_t ota_tar_get(const uint8_t tar[3])
{
	return (uint32_t)tar[0] << 16 | (uint32_t)tar[1] << 8 | tar[2];
}

enum ota_tar_kind ota_tar_kind(uint32_t tar)
{
	if (tar == 0x000000 || tar == 0xb20100)
		return OTA_TAR_KIND_ISD;
	if (tar == OTA_TAR_RFM_ADF)
		return OTA_TAR_KIND_ADF;	/* uicckit: B00001 = ADF.USIM RFM */
	if (tar <= 0xb0000f && tar >= 0xb00000)
		return OTA_TAR_KIND_UICC_FS;
	if (tar >= 0xb00010 && tar <= 0xb0001f)
		return OTA_TAR_KIND_SIM_FS;
	if (tar >= 0xb00020 && tar <= 0xb0011f)
		return OTA_TAR_KIND_ADF;
	if (tar >= 0xb00120 && tar <= 0xb0012f)
		return OTA_TAR_KIND_UICC_FS;
	if (tar >= 0xb00130 && tar <= 0xb0013f)
		return OTA_TAR_KIND_SIM_FS;
	if (tar >= 0xb00140 && tar <= 0xb001ff)
		return OTA_TAR_KIND_ADF;
	if (tar >= 0xb20000 && tar <= 0xb200ff)
		return OTA_TAR_KIND_USAT;
	if (tar >= 0xbfff00 && tar <= 0xbfffff)
		return OTA_TAR_KIND_PROPRIETARY;
	return OTA_TAR_KIND_UNKNOWN;
}

const char *ota_tar_kind_name(enum ota_tar_kind k)
{
	switch (k) {
	case OTA_TAR_KIND_ISD: return "Issuer Security Domain (RAM)";
	case OTA_TAR_KIND_UICC_FS: return "UICC shared file system RFM";
	case OTA_TAR_KIND_SIM_FS: return "SIM file system RFM";
	case OTA_TAR_KIND_ADF: return "ADF RFM";
	case OTA_TAR_KIND_USAT: return "USAT interpreter";
	case OTA_TAR_KIND_PROPRIETARY: return "proprietary toolkit application";
	default: return "unknown";
	}
}

enum ota_rfm_format ota_rfm_detect_format(const uint8_t *data, size_t len)
{
	if (data != NULL && len > 0 && (data[0] == 0xaa || data[0] == 0xae || data[0] == 0xac))
		return OTA_RFM_EXPANDED;
	return OTA_RFM_COMPACT;
}

/* ------------------------------------------------------------------ */
/* APDUs                                                               */

int ota_apdu_parse(const uint8_t *a, size_t len, struct ota_capdu *c)
{
	struct ota_capdu t;
	size_t lc;

	if (a == NULL || c == NULL)
		return OTA_RFM_E_ARG;
	if (len < 4)
		return OTA_RFM_E_APDU;
	memset(&t, 0, sizeof(t));
	t.cla = a[0];
	t.ins = a[1];
	t.p1 = a[2];
	t.p2 = a[3];
	t.raw = a;
	t.raw_len = len;
	if (len == 4) {
		t.apdu_case = 1;
	} else if (len == 5) {
		t.apdu_case = 2;
		t.le = a[4] ? a[4] : 256;
		t.p3 = a[4];
	} else if (a[4] != 0) {
		lc = a[4];
		t.p3 = a[4];
		t.lc = lc;
		t.data = a + 5;
		if (len == 5 + lc) {
			t.apdu_case = 3;
		} else if (len == 6 + lc) {
			t.apdu_case = 4;
			t.le = a[5 + lc] ? a[5 + lc] : 256;
		} else {
			return OTA_RFM_E_APDU;
		}
	} else {
		/* ISO/IEC 7816-3 §12.1.3: B1 = 00 introduces extended lengths */
		t.extended = 1;
		if (len < 7)
			return OTA_RFM_E_APDU;
		lc = (size_t)a[5] << 8 | a[6];
		if (len == 7) {
			t.apdu_case = 2;
			t.le = lc ? lc : 65536;
		} else if (lc != 0 && len == 7 + lc) {
			t.apdu_case = 3;
			t.lc = lc;
			t.data = a + 7;
		} else if (lc != 0 && len == 9 + lc) {
			size_t le = (size_t)a[7 + lc] << 8 | a[8 + lc];

			t.apdu_case = 4;
			t.lc = lc;
			t.data = a + 7;
			t.le = le ? le : 65536;
		} else {
			return OTA_RFM_E_APDU;
		}
	}
	*c = t;
	return 0;
}

int ota_rfm_ins_has_data(uint8_t cla, uint8_t ins, uint8_t p1)
{
	(void)cla;
	switch (ins) {
	case 0xb0:	/* READ BINARY */
	case 0xb2:	/* READ RECORD */
	case 0xc0:	/* GET RESPONSE */
	case 0x12:	/* FETCH */
	case 0x84:	/* GET CHALLENGE */
	case 0xca:	/* GET DATA */
	case 0x70:	/* MANAGE CHANNEL */
		return 0;
	case 0xf2:
		/* TS 102 221 STATUS has P1 00..02; GlobalPlatform GET STATUS
		 * (80 F2, P1 80/40/20/10) carries search criteria. */
		return p1 >= 0x10;
	default:
		return 1;
	}
}

int ota_rfm_compact_next(const uint8_t *s, size_t len, size_t *pos, struct ota_capdu *c)
{
	struct ota_capdu t;
	size_t p, dl;

	if (s == NULL || pos == NULL || c == NULL)
		return OTA_RFM_E_ARG;
	p = *pos;
	if (p >= len)
		return 0;
	/* TS 102 226 §5.1.1: T=0 TPDU header CLA INS P1 P2 P3 */
	if (len - p < 5)
		return OTA_RFM_E_TRAILING;
	memset(&t, 0, sizeof(t));
	t.cla = s[p];
	t.ins = s[p + 1];
	t.p1 = s[p + 2];
	t.p2 = s[p + 3];
	t.p3 = s[p + 4];
	t.raw = s + p;
	if (ota_rfm_ins_has_data(t.cla, t.ins, t.p1)) {
		dl = t.p3;
		if (dl > len - p - 5)
			return OTA_RFM_E_TRUNC_DATA;
		t.apdu_case = dl ? 3 : 1;
		t.lc = dl;
		t.data = dl ? s + p + 5 : NULL;
	} else {
		dl = 0;
		t.apdu_case = 2;
		t.le = t.p3 ? t.p3 : 256;
	}
	t.raw_len = 5 + dl;
	*pos = p + 5 + dl;
	*c = t;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Expanded format: BER items inside a template                        */

/* Read one BER-TLV item; errors name what the Bad format TLV reports. */
static int rd_item(const uint8_t *p, size_t len, size_t *pos, unsigned *tag, const uint8_t **val,
		   size_t *vlen)
{
	size_t q = *pos, n, i;
	unsigned tg;

	if (q >= len)
		return 0;
	tg = p[q++];
	if ((tg & 0x1f) == 0x1f) {
		for (i = 0;; i++) {
			if (i == 2 || q >= len)
				return OTA_RFM_E_UNKNOWN_TAG;
			tg = tg << 8 | p[q];
			if (!(p[q++] & 0x80))
				break;
		}
	}
	if (q >= len)
		return OTA_RFM_E_NO_LEN;
	if (p[q] < 0x80) {
		n = p[q++];
	} else if (p[q] == 0x81 || p[q] == 0x82) {
		size_t nb = p[q++] & 0x7f;

		if (len - q < nb)
			return OTA_RFM_E_NO_LEN;
		n = 0;
		for (i = 0; i < nb; i++)
			n = n << 8 | p[q++];
	} else {
		return OTA_RFM_E_LEN;
	}
	if (n > len - q)
		return OTA_RFM_E_LEN;
	*tag = tg;
	*val = p + q;
	*vlen = n;
	*pos = q + n;
	return 1;
}

/* Open a template with tag `def` (definite) or `indef` (80 ... 00 00). */
static int open_template(const uint8_t *s, size_t len, unsigned def, unsigned indef,
			 struct ota_rfm_iter *it)
{
	size_t pos = 0, vlen;
	const uint8_t *val;
	unsigned tag;
	int rc;

	if (s == NULL || it == NULL)
		return OTA_RFM_E_ARG;
	memset(it, 0, sizeof(*it));
	if (len < 1)
		return OTA_RFM_E_TAG;
	/* pycrate's TS 101 220 list has AC/AD for the indefinite templates */
	if (s[0] == indef || s[0] == indef - 2) {
		if (len < 2)
			return OTA_RFM_E_NO_LEN;
		if (s[1] != 0x80)
			return OTA_RFM_E_LEN;
		it->p = s + 2;
		it->len = len - 2;
		it->indefinite = 1;
		return 0;
	}
	if (s[0] != def)
		return OTA_RFM_E_TAG;
	rc = rd_item(s, len, &pos, &tag, &val, &vlen);
	if (rc < 0)
		return rc;
	if (pos != len)
		return OTA_RFM_E_TRAILING;
	it->p = val;
	it->len = vlen;
	return 0;
}

int ota_rfm_expanded_open(const uint8_t *s, size_t len, struct ota_rfm_iter *it)
{
	return open_template(s, len, 0xaa, 0xae, it);
}

/* Next item of a template; 0 at its end (EOC for indefinite). */
static int iter_item(struct ota_rfm_iter *it, unsigned *tag, const uint8_t **val, size_t *vlen)
{
	int rc;

	if (it->done)
		return 0;
	if (it->indefinite) {
		if (it->pos >= it->len)
			return OTA_RFM_E_EOC;
		if (it->p[it->pos] == 0x00) {
			if (it->len - it->pos < 2 || it->p[it->pos + 1] != 0x00)
				return OTA_RFM_E_EOC;
			if (it->len - it->pos != 2)
				return OTA_RFM_E_TRAILING;
			it->done = 1;
			return 0;
		}
	}
	rc = rd_item(it->p, it->len, &it->pos, tag, val, vlen);
	if (rc == 0)
		it->done = 1;
	return rc;
}

int ota_rfm_expanded_next(struct ota_rfm_iter *it, struct ota_rfm_item *item)
{
	struct ota_rfm_item t;
	int rc;

	if (it == NULL || item == NULL)
		return OTA_RFM_E_ARG;
	memset(&t, 0, sizeof(t));
	rc = iter_item(it, &t.tag, &t.val, &t.len);
	if (rc <= 0)
		return rc;
	if (t.tag == OTA_RFM_TAG_CAPDU) {
		rc = ota_apdu_parse(t.val, t.len, &t.apdu);
		if (rc < 0)
			return OTA_RFM_E_APDU;
	}
	*item = t;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Builders                                                            */

static int put_compact(struct uk_buf *b, const struct ota_capdu *c)
{
	int has_data = ota_rfm_ins_has_data(c->cla, c->ins, c->p1);

	if (c->extended)
		return OTA_RFM_E_COMPACT;
	uk_buf_put(b, c->raw, 4);
	switch (c->apdu_case) {
	case 1:
		uk_buf_put_u8(b, 0);
		break;
	case 2:
		if (has_data)
			return OTA_RFM_E_COMPACT;
		uk_buf_put_u8(b, c->le & 0xff);
		break;
	default:
		/* TS 102 226 §5.1.1: case 4 goes without Le in compact form;
		 * the data are fetched by a GET RESPONSE in the script. */
		if (!has_data)
			return OTA_RFM_E_COMPACT;
		uk_buf_put_u8(b, (unsigned)c->lc);
		uk_buf_put(b, c->data, c->lc);
		break;
	}
	return 0;
}

int ota_rfm_build(enum ota_rfm_format fmt, int indefinite, const uint8_t *const *apdus,
		  const size_t *lens, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
	struct uk_buf b;
	struct ota_capdu c;
	size_t i, mark = 0;
	int rc;

	if ((n > 0 && (apdus == NULL || lens == NULL)) || out == NULL || out_len == NULL)
		return OTA_RFM_E_ARG;
	uk_buf_init(&b, out, cap);
	if (fmt == OTA_RFM_EXPANDED) {
		if (indefinite) {
			uk_buf_put_u8(&b, 0xae);
			uk_buf_put_u8(&b, 0x80);
		} else {
			mark = uk_tlv_open(&b, 0xaa);
		}
	}
	for (i = 0; i < n; i++) {
		rc = ota_apdu_parse(apdus[i], lens[i], &c);
		if (rc < 0)
			return rc;
		if (fmt == OTA_RFM_EXPANDED) {
			uk_tlv_put(&b, OTA_RFM_TAG_CAPDU, apdus[i], lens[i]);
		} else {
			rc = put_compact(&b, &c);
			if (rc < 0)
				return rc;
		}
	}
	if (fmt == OTA_RFM_EXPANDED) {
		if (indefinite)
			uk_buf_put(&b, "\x00\x00", 2);
		else
			uk_tlv_close(&b, mark);
	}
	if (!uk_buf_ok(&b))
		return OTA_RFM_E_NOSPACE;
	*out_len = b.len;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Responses                                                           */

int ota_rfm_compact_resp_parse(const uint8_t *in, size_t len, struct ota_rfm_compact_resp *r)
{
	if (in == NULL || r == NULL)
		return OTA_RFM_E_ARG;
	/* TS 102 226 §5.1.2: number of commands, SW of the last one, data */
	if (len < 3)
		return OTA_RFM_E_RESP;
	r->n = in[0];
	r->sw = (uint16_t)(in[1] << 8 | in[2]);
	r->data = len > 3 ? in + 3 : NULL;
	r->data_len = len - 3;
	return 0;
}

int ota_rfm_compact_resp_build(uint8_t n, uint16_t sw, const uint8_t *data, size_t data_len,
			       uint8_t *out, size_t cap, size_t *out_len)
{
	if ((data == NULL && data_len > 0) || out == NULL || out_len == NULL)
		return OTA_RFM_E_ARG;
	if (cap < 3 || data_len > cap - 3)
		return OTA_RFM_E_NOSPACE;
	out[0] = n;
	out[1] = (uint8_t)(sw >> 8);
	out[2] = (uint8_t)sw;
	if (data_len > 0)
		memcpy(out + 3, data, data_len);
	*out_len = 3 + data_len;
	return 0;
}

static int one_byte(size_t vlen, const uint8_t *val, int *dst)
{
	if (vlen != 1 || *dst >= 0)
		return OTA_RFM_E_RESP;
	*dst = val[0];
	return 0;
}

int ota_rfm_exp_resp_parse(const uint8_t *in, size_t len, struct ota_rfm_exp_resp *r)
{
	struct ota_rfm_exp_resp t;
	struct ota_rfm_iter it;
	const uint8_t *val;
	size_t vlen;
	unsigned tag;
	int rc, count = -1;

	if (r == NULL)
		return OTA_RFM_E_ARG;
	rc = open_template(in, len, 0xab, 0xaf, &it);
	if (rc < 0)
		return rc;
	memset(&t, 0, sizeof(t));
	t.indefinite = it.indefinite;
	t.bad_format = t.immediate_resp = t.chaining_resp = -1;
	t.body = it.p;
	t.body_len = it.len;
	while ((rc = iter_item(&it, &tag, &val, &vlen)) == 1) {
		switch (tag) {
		case OTA_RFM_TAG_COUNT:
			if (one_byte(vlen, val, &count) < 0)
				return OTA_RFM_E_RESP;
			break;
		case OTA_RFM_TAG_RAPDU:
			/* response data ‖ SW1 SW2 */
			if (vlen < 2)
				return OTA_RFM_E_RESP;
			t.n_rapdu++;
			t.last.data = vlen > 2 ? val : NULL;
			t.last.len = vlen - 2;
			t.last.sw = (uint16_t)(val[vlen - 2] << 8 | val[vlen - 1]);
			break;
		case OTA_RFM_TAG_BAD_FORMAT:
			if (one_byte(vlen, val, &t.bad_format) < 0)
				return OTA_RFM_E_RESP;
			break;
		case OTA_RFM_TAG_IMMEDIATE:
			if (one_byte(vlen, val, &t.immediate_resp) < 0)
				return OTA_RFM_E_RESP;
			break;
		case OTA_RFM_TAG_CHAINING:
			if (one_byte(vlen, val, &t.chaining_resp) < 0)
				return OTA_RFM_E_RESP;
			break;
		default:
			return OTA_RFM_E_UNKNOWN_TAG;
		}
	}
	if (rc < 0)
		return rc;
	if (count >= 0) {
		t.has_count = 1;
		t.count = (uint8_t)count;
	}
	if (it.indefinite)
		t.body_len = it.len - 2;	/* without the EOC */
	*r = t;
	return 0;
}

int ota_rfm_exp_resp_next(const struct ota_rfm_exp_resp *r, size_t *pos, struct ota_rfm_rapdu *ra)
{
	const uint8_t *val;
	size_t vlen;
	unsigned tag;
	int rc;

	if (r == NULL || pos == NULL || ra == NULL)
		return OTA_RFM_E_ARG;
	while ((rc = rd_item(r->body, r->body_len, pos, &tag, &val, &vlen)) == 1) {
		if (tag != OTA_RFM_TAG_RAPDU || vlen < 2)
			continue;
		ra->data = vlen > 2 ? val : NULL;
		ra->len = vlen - 2;
		ra->sw = (uint16_t)(val[vlen - 2] << 8 | val[vlen - 1]);
		return 1;
	}
	return rc;
}

int ota_rfm_exp_resp_build(const struct ota_rfm_rapdu *ra, size_t n, int bad_format, uint8_t *out,
			   size_t cap, size_t *out_len)
{
	struct uk_buf b;
	size_t mark, i;

	if ((ra == NULL && n > 0) || n > 0xff || bad_format > 0xff || out == NULL || out_len == NULL)
		return OTA_RFM_E_ARG;
	uk_buf_init(&b, out, cap);
	mark = uk_tlv_open(&b, 0xab);
	uk_buf_put_u8(&b, OTA_RFM_TAG_COUNT);
	uk_buf_put_u8(&b, 1);
	uk_buf_put_u8(&b, (unsigned)n);
	for (i = 0; i < n; i++) {
		if (ra[i].data == NULL && ra[i].len > 0)
			return OTA_RFM_E_ARG;
		uk_buf_put_u8(&b, OTA_RFM_TAG_RAPDU);
		uk_tlv_put_len(&b, ra[i].len + 2);
		uk_buf_put(&b, ra[i].data, ra[i].len);
		uk_buf_put_u16be(&b, ra[i].sw);
	}
	if (bad_format >= 0) {
		uk_buf_put_u8(&b, OTA_RFM_TAG_BAD_FORMAT);
		uk_buf_put_u8(&b, 1);
		uk_buf_put_u8(&b, (unsigned)bad_format);
	}
	uk_tlv_close(&b, mark);
	if (!uk_buf_ok(&b))
		return OTA_RFM_E_NOSPACE;
	*out_len = b.len;
	return 0;
}
