/*
 * sms.c - TS 23.040 TPDUs used by OTA: SMS-DELIVER (§9.2.2.1), SMS-SUBMIT
 * (§9.2.2.2), SMS-DELIVER-REPORT (§9.2.2.1a), and TP / RP addresses.
 *
 * Contract: see uicckit/sms.h.  Parsers fill a local copy and store it in
 * the caller's structure only on success.
 */
#include <string.h>
#include "uicckit/sms.h"

/* TS 24.008 table 10.5.118 extended BCD: A '*', B '#', C 'a', D 'b', E 'c'. */
static const char bcd_chars[] = "0123456789*#abc";

static int digit_val(char ch)
{
	const char *p;

	if (ch == '\0')
		return -1;
	p = strchr(bcd_chars, ch >= 'A' && ch <= 'C' ? ch - 'A' + 'a' : ch);
	return p == NULL ? -1 : (int)(p - bcd_chars);
}

const char *ota_sms_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case OTA_SMS_E_TRUNC: return "TPDU truncated";
	case OTA_SMS_E_MTI: return "wrong TP-MTI (message type)";
	case OTA_SMS_E_ADDR: return "bad address (length or digit)";
	case OTA_SMS_E_UDL: return "TP-UDL does not match the user data length";
	case OTA_SMS_E_DCS: return "TP-DCS not 8-bit class 2 (or reserved)";
	case OTA_SMS_E_PID: return "TP-PID is not (U)SIM data download (7F)";
	case OTA_SMS_E_UD_TOO_LONG: return "user data longer than one SMS (140 octets)";
	case OTA_SMS_E_NOSPACE: return "output buffer too small";
	case OTA_SMS_E_ARG: return "invalid argument";
	case OTA_SMS_E_UDHL: return "UDHL runs past the user data";
	case OTA_SMS_E_IE_TRUNC: return "UDH information element truncated";
	case OTA_SMS_E_IE_LEN: return "UDH information element has the wrong length";
	case OTA_SMS_E_IE_DUP: return "UDH information element repeated";
	case OTA_SMS_E_IE_RESERVED: return "reserved (U)SIM security header IEI (72..7F)";
	case OTA_SMS_E_CPI_RPI: return "command/response packet identifier conflict";
	case OTA_SMS_E_NO_UDH: return "no user data header (TP-UDHI not set)";
	case OTA_SMS_E_NO_PI: return "no command/response packet identifier (IEI 70/71)";
	case OTA_CONCAT_E_SEQ: return "concatenation: sequence number out of range";
	case OTA_CONCAT_E_DUP: return "concatenation: duplicate segment";
	case OTA_CONCAT_E_TOTAL: return "concatenation: inconsistent total";
	case OTA_CONCAT_E_REF: return "concatenation: reference changed before the set was complete";
	case OTA_CONCAT_E_SIZE: return "concatenation: packet exceeds the buffer limit";
	case OTA_CONCAT_E_MISSING: return "concatenation: segment missing";
	case OTA_CONCAT_E_TOO_MANY: return "concatenation: too many segments";
	default: return "unknown SMS error";
	}
}

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

int ota_sms_addr_set(struct ota_sms_addr *a, const char *digits, uint8_t ton_npi)
{
	struct ota_sms_addr t;
	size_t n, i;

	if (a == NULL || digits == NULL)
		return OTA_SMS_E_ARG;
	memset(&t, 0, sizeof(t));
	t.ton_npi = ton_npi | 0x80;
	if (digits[0] == '+') {
		t.ton_npi = 0x91;
		digits++;
	}
	n = strlen(digits);
	if (n > OTA_SMS_ADDR_DIGITS_MAX)
		return OTA_SMS_E_ADDR;
	for (i = 0; i < n; i++) {
		int v = digit_val(digits[i]);

		if (v < 0)
			return OTA_SMS_E_ADDR;
		t.digits[i] = bcd_chars[v];
		if (i & 1)
			t.raw[i / 2] = (uint8_t)(t.raw[i / 2] | v << 4);
		else
			t.raw[i / 2] = (uint8_t)v;
	}
	if (n & 1)
		t.raw[n / 2] |= 0xf0;
	t.raw_len = (uint8_t)((n + 1) / 2);
	t.nsemi = (uint8_t)n;
	*a = t;
	return 0;
}

static int addr_is_alnum(uint8_t ton_npi)
{
	return (ton_npi & OTA_SMS_TON_MASK) == OTA_SMS_TON_ALNUM;
}

/* Decode nsemi semi-octets of swapped BCD into t->digits. */
static int addr_digits(struct ota_sms_addr *t, size_t nsemi)
{
	size_t i;

	for (i = 0; i < nsemi; i++) {
		unsigned d = i & 1 ? t->raw[i / 2] >> 4 : t->raw[i / 2] & 0x0f;

		if (d == 0xf)
			return OTA_SMS_E_ADDR;
		t->digits[i] = bcd_chars[d];
	}
	t->digits[nsemi] = '\0';
	return 0;
}

int ota_sms_addr_encode_tp(const struct ota_sms_addr *a, uint8_t *out, size_t cap)
{
	if (a == NULL || a->raw_len > sizeof(a->raw) || a->nsemi > OTA_SMS_ADDR_DIGITS_MAX ||
	    (a->nsemi + 1) / 2 != a->raw_len)
		return OTA_SMS_E_ARG;
	if (cap < 2u + a->raw_len)
		return OTA_SMS_E_NOSPACE;
	out[0] = a->nsemi;
	out[1] = a->ton_npi;
	memcpy(out + 2, a->raw, a->raw_len);
	return 2 + a->raw_len;
}

/* §9.1.2.5: address-length counts useful semi-octets (for TON 101 the
 * semi-octets of the packed 7-bit characters); the value has ceil(n/2)
 * octets and an odd count ends with a filler nibble, which is not checked. */
int ota_sms_addr_decode_tp(const uint8_t *in, size_t len, struct ota_sms_addr *a, size_t *used)
{
	struct ota_sms_addr t;
	size_t nsemi, vlen;
	int rc;

	if (len < 2)
		return OTA_SMS_E_TRUNC;
	nsemi = in[0];
	if (nsemi > OTA_SMS_ADDR_DIGITS_MAX)
		return OTA_SMS_E_ADDR;
	vlen = (nsemi + 1) / 2;
	if (vlen > len - 2)
		return OTA_SMS_E_TRUNC;
	memset(&t, 0, sizeof(t));
	t.ton_npi = in[1];
	t.nsemi = (uint8_t)nsemi;
	t.raw_len = (uint8_t)vlen;
	memcpy(t.raw, in + 2, vlen);
	if (!addr_is_alnum(t.ton_npi)) {
		rc = addr_digits(&t, nsemi);
		if (rc < 0)
			return rc;
	}
	*a = t;
	if (used != NULL)
		*used = 2 + vlen;
	return 0;
}

int ota_sms_addr_encode_rp(const struct ota_sms_addr *a, uint8_t *out, size_t cap)
{
	if (a == NULL || a->raw_len > sizeof(a->raw))
		return OTA_SMS_E_ARG;
	if (cap < 1u + a->raw_len)
		return OTA_SMS_E_NOSPACE;
	out[0] = a->ton_npi;
	memcpy(out + 1, a->raw, a->raw_len);
	return 1 + a->raw_len;
}

/* TS 24.011 §8.2.5.2 / TS 102 223 §8.1: TON/NPI then swapped BCD; the
 * digit count follows from an F filler in the last high nibble. */
int ota_sms_addr_decode_rp(const uint8_t *in, size_t len, struct ota_sms_addr *a)
{
	struct ota_sms_addr t;
	size_t vlen, nsemi;
	int rc;

	if (len < 1)
		return OTA_SMS_E_TRUNC;
	vlen = len - 1;
	if (vlen > sizeof(t.raw))
		return OTA_SMS_E_ADDR;
	memset(&t, 0, sizeof(t));
	t.ton_npi = in[0];
	t.raw_len = (uint8_t)vlen;
	memcpy(t.raw, in + 1, vlen);
	nsemi = 2 * vlen;
	if (vlen > 0 && (t.raw[vlen - 1] >> 4) == 0xf)
		nsemi--;
	t.nsemi = (uint8_t)nsemi;
	if (!addr_is_alnum(t.ton_npi)) {
		rc = addr_digits(&t, nsemi);
		if (rc < 0)
			return rc;
	}
	*a = t;
	return 0;
}

/* ------------------------------------------------------------------ */
/* DCS and UDL                                                         */

enum alphabet { ALPHA_7BIT, ALPHA_8BIT, ALPHA_UCS2, ALPHA_RESERVED };

/* TS 23.038 §4: the coding groups that decide the TP-UDL unit. */
static enum alphabet dcs_alphabet(uint8_t dcs)
{
	unsigned grp = dcs >> 4;

	if (grp <= 0x7) {		/* 00xx / 01xx general data coding */
		if (dcs & 0x20)		/* compressed: UDL counts octets */
			return ALPHA_8BIT;
		switch ((dcs >> 2) & 3) {
		case 0: return ALPHA_7BIT;
		case 1: return ALPHA_8BIT;
		case 2: return ALPHA_UCS2;
		default: return ALPHA_RESERVED;
		}
	}
	if (grp == 0xc || grp == 0xd)	/* message waiting, default alphabet */
		return ALPHA_7BIT;
	if (grp == 0xe)			/* message waiting, UCS2 */
		return ALPHA_UCS2;
	if (grp == 0xf)			/* data coding / message class */
		return dcs & 0x04 ? ALPHA_8BIT : ALPHA_7BIT;
	return ALPHA_RESERVED;		/* 1000..1011 reserved */
}

int ota_sms_check_data_download(uint8_t pid, uint8_t dcs)
{
	/* TS 31.111 §7.1.1: PID "(U)SIM data download" and class 2. */
	if (pid != OTA_SMS_PID_DATA_DOWNLOAD)
		return OTA_SMS_E_PID;
	if (dcs_alphabet(dcs) != ALPHA_8BIT)
		return OTA_SMS_E_DCS;
	if ((dcs >> 4) == 0xf) {
		if ((dcs & 0x03) != 0x02)
			return OTA_SMS_E_DCS;
	} else if ((dcs >> 6) == 0) {
		/* 00xx: b5 = compressed, b4 = class meaningful, b1b0 = class */
		if ((dcs & 0x20) || !(dcs & 0x10) || (dcs & 0x03) != 0x02)
			return OTA_SMS_E_DCS;
	} else {
		return OTA_SMS_E_DCS;
	}
	return 0;
}

/* Octets of UD behind TP-UDL (§9.2.3.16): septets for 7-bit data. */
static int ud_octets(uint8_t dcs, uint8_t udl, size_t *octets)
{
	switch (dcs_alphabet(dcs)) {
	case ALPHA_7BIT:
		if (udl > 160)
			return OTA_SMS_E_UDL;
		*octets = ((size_t)udl * 7 + 7) / 8;
		return 0;
	case ALPHA_RESERVED:
		return OTA_SMS_E_DCS;
	default:
		/* 8-bit / UCS2: octets.  UD longer than 140 is accepted: a
		 * packet already reassembled by an ME (ota-sms-transport §3). */
		*octets = udl;
		return 0;
	}
}

/* The UD must end exactly where the TPDU ends. */
static int take_ud(const uint8_t *in, size_t len, size_t pos, uint8_t dcs, uint8_t *udl,
		   const uint8_t **ud, size_t *ud_len)
{
	size_t oct;
	int rc;

	if (pos >= len)
		return OTA_SMS_E_TRUNC;
	*udl = in[pos++];
	rc = ud_octets(dcs, *udl, &oct);
	if (rc < 0)
		return rc;
	if (oct != len - pos)
		return OTA_SMS_E_UDL;
	*ud = in + pos;
	*ud_len = oct;
	return 0;
}

/* ------------------------------------------------------------------ */
/* SMS-DELIVER                                                         */

void ota_sms_deliver_init(struct ota_sms_deliver *d)
{
	memset(d, 0, sizeof(*d));
	d->first = OTA_SMS_FO_UDHI | OTA_SMS_FO_MMS;
	d->pid = OTA_SMS_PID_DATA_DOWNLOAD;
	d->dcs = OTA_SMS_DCS_CLASS2_8BIT;
}

/* Builders write 8-bit user data only (the OTA case): UDL = octets. */
static int check_8bit_ud(uint8_t dcs, const uint8_t *ud, size_t ud_len)
{
	if (dcs_alphabet(dcs) != ALPHA_8BIT)
		return OTA_SMS_E_DCS;
	if (ud_len > OTA_SMS_UD_MAX)
		return OTA_SMS_E_UD_TOO_LONG;
	if (ud_len > 0 && ud == NULL)
		return OTA_SMS_E_ARG;
	return 0;
}

int ota_sms_deliver_build(const struct ota_sms_deliver *d, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t pos = 0;
	int rc;

	if (d == NULL || out == NULL || out_len == NULL)
		return OTA_SMS_E_ARG;
	rc = check_8bit_ud(d->dcs, d->ud, d->ud_len);
	if (rc < 0)
		return rc;
	if (cap < 1)
		return OTA_SMS_E_NOSPACE;
	out[pos++] = (uint8_t)(d->first & ~OTA_SMS_FO_MTI_MASK);	/* MTI 00 */
	rc = ota_sms_addr_encode_tp(&d->oa, out + pos, cap - pos);
	if (rc < 0)
		return rc;
	pos += (size_t)rc;
	if (cap - pos < 10 + d->ud_len)
		return OTA_SMS_E_NOSPACE;
	out[pos++] = d->pid;
	out[pos++] = d->dcs;
	memcpy(out + pos, d->scts, 7);
	pos += 7;
	out[pos++] = (uint8_t)d->ud_len;
	if (d->ud_len > 0)
		memcpy(out + pos, d->ud, d->ud_len);
	pos += d->ud_len;
	*out_len = pos;
	return 0;
}

int ota_sms_deliver_parse(const uint8_t *in, size_t len, struct ota_sms_deliver *d)
{
	struct ota_sms_deliver t;
	size_t pos = 1, used;
	int rc;

	if (in == NULL || d == NULL)
		return OTA_SMS_E_ARG;
	if (len < 1)
		return OTA_SMS_E_TRUNC;
	memset(&t, 0, sizeof(t));
	t.first = in[0];
	if ((t.first & OTA_SMS_FO_MTI_MASK) != 0)
		return OTA_SMS_E_MTI;
	rc = ota_sms_addr_decode_tp(in + pos, len - pos, &t.oa, &used);
	if (rc < 0)
		return rc;
	pos += used;
	if (len - pos < 9)
		return OTA_SMS_E_TRUNC;
	t.pid = in[pos++];
	t.dcs = in[pos++];
	memcpy(t.scts, in + pos, 7);
	pos += 7;
	rc = take_ud(in, len, pos, t.dcs, &t.udl, &t.ud, &t.ud_len);
	if (rc < 0)
		return rc;
	*d = t;
	return 0;
}

int ota_sms_deliver_build_seg(const struct ota_sms_deliver *tmpl, const struct ota_sms_seg *seg,
			      int last, uint8_t *out, size_t cap, size_t *out_len)
{
	struct ota_sms_deliver d;

	if (tmpl == NULL || seg == NULL)
		return OTA_SMS_E_ARG;
	d = *tmpl;
	/* §9.2.3.2 TP-MMS: 0 = more messages are waiting (the next segment). */
	d.first = (uint8_t)((d.first & ~OTA_SMS_FO_MMS) | (last ? OTA_SMS_FO_MMS : 0));
	d.ud = seg->ud;
	d.ud_len = seg->len;
	return ota_sms_deliver_build(&d, out, cap, out_len);
}

/* ------------------------------------------------------------------ */
/* SMS-SUBMIT                                                          */

void ota_sms_submit_init(struct ota_sms_submit *s)
{
	memset(s, 0, sizeof(*s));
	s->first = OTA_SMS_FO_UDHI | 0x01;
	s->pid = OTA_SMS_PID_DATA_DOWNLOAD;	/* UNSURE (§4.2): real card used 00 */
	s->dcs = OTA_SMS_DCS_CLASS2_8BIT;
}

/* §9.2.3.3 TP-VPF: 00 none, 10 relative (1 octet), 01 enhanced and
 * 11 absolute (7 octets). */
static size_t vp_len_of(uint8_t first)
{
	switch ((first & OTA_SMS_FO_VPF_MASK) >> 3) {
	case 0: return 0;
	case 2: return 1;
	default: return 7;
	}
}

int ota_sms_submit_build(const struct ota_sms_submit *s, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t pos = 0, vpl;
	int rc;

	if (s == NULL || out == NULL || out_len == NULL)
		return OTA_SMS_E_ARG;
	rc = check_8bit_ud(s->dcs, s->ud, s->ud_len);
	if (rc < 0)
		return rc;
	vpl = vp_len_of(s->first);
	if (vpl != s->vp_len)
		return OTA_SMS_E_ARG;
	if (cap < 2)
		return OTA_SMS_E_NOSPACE;
	out[pos++] = (uint8_t)((s->first & ~OTA_SMS_FO_MTI_MASK) | 0x01);
	out[pos++] = s->mr;
	rc = ota_sms_addr_encode_tp(&s->da, out + pos, cap - pos);
	if (rc < 0)
		return rc;
	pos += (size_t)rc;
	if (cap - pos < 3 + vpl + s->ud_len)
		return OTA_SMS_E_NOSPACE;
	out[pos++] = s->pid;
	out[pos++] = s->dcs;
	memcpy(out + pos, s->vp, vpl);
	pos += vpl;
	out[pos++] = (uint8_t)s->ud_len;
	if (s->ud_len > 0)
		memcpy(out + pos, s->ud, s->ud_len);
	pos += s->ud_len;
	*out_len = pos;
	return 0;
}

int ota_sms_submit_parse(const uint8_t *in, size_t len, struct ota_sms_submit *s)
{
	struct ota_sms_submit t;
	size_t pos = 2, used;
	int rc;

	if (in == NULL || s == NULL)
		return OTA_SMS_E_ARG;
	if (len < 1)
		return OTA_SMS_E_TRUNC;
	memset(&t, 0, sizeof(t));
	t.first = in[0];
	if ((t.first & OTA_SMS_FO_MTI_MASK) != 0x01)
		return OTA_SMS_E_MTI;
	if (len < 2)
		return OTA_SMS_E_TRUNC;
	t.mr = in[1];
	rc = ota_sms_addr_decode_tp(in + pos, len - pos, &t.da, &used);
	if (rc < 0)
		return rc;
	pos += used;
	t.vp_len = (uint8_t)vp_len_of(t.first);
	if (len - pos < 2u + t.vp_len)
		return OTA_SMS_E_TRUNC;
	t.pid = in[pos++];
	t.dcs = in[pos++];
	memcpy(t.vp, in + pos, t.vp_len);
	pos += t.vp_len;
	rc = take_ud(in, len, pos, t.dcs, &t.udl, &t.ud, &t.ud_len);
	if (rc < 0)
		return rc;
	*s = t;
	return 0;
}

/* ------------------------------------------------------------------ */
/* SMS-DELIVER-REPORT                                                  */

void ota_sms_deliver_report_init(struct ota_sms_deliver_report *r)
{
	memset(r, 0, sizeof(*r));
	r->first = OTA_SMS_FO_UDHI;
	r->pi = OTA_SMS_PI_PID | OTA_SMS_PI_DCS | OTA_SMS_PI_UDL;
	r->pid = OTA_SMS_PID_DATA_DOWNLOAD;
	r->dcs = OTA_SMS_DCS_CLASS2_8BIT;
	r->fcs = OTA_SMS_FCS_DATA_DOWNLOAD_ERROR;
}

int ota_sms_deliver_report_build(const struct ota_sms_deliver_report *r, uint8_t *out, size_t cap,
				 size_t *out_len)
{
	size_t pos = 0;
	uint8_t pi;
	int rc;

	if (r == NULL || out == NULL || out_len == NULL)
		return OTA_SMS_E_ARG;
	/* §9.2.3.27: UDL present iff UD; PID/DCS as the caller says.  UD
	 * without a DCS would be 7-bit by default: refuse that. */
	pi = r->pi & 0x07;
	if (r->ud_len > 0)
		pi |= OTA_SMS_PI_UDL;
	if (pi & OTA_SMS_PI_UDL) {
		if (!(pi & OTA_SMS_PI_DCS))
			return OTA_SMS_E_DCS;
		rc = check_8bit_ud(r->dcs, r->ud, r->ud_len);
		if (rc < 0)
			return rc;
	}
	if (cap < 7 + r->ud_len)
		return OTA_SMS_E_NOSPACE;
	out[pos++] = (uint8_t)(r->first & ~OTA_SMS_FO_MTI_MASK);
	if (r->rp_error)
		out[pos++] = r->fcs;
	out[pos++] = pi;
	if (pi & OTA_SMS_PI_PID)
		out[pos++] = r->pid;
	if (pi & OTA_SMS_PI_DCS)
		out[pos++] = r->dcs;
	if (pi & OTA_SMS_PI_UDL) {
		out[pos++] = (uint8_t)r->ud_len;
		if (r->ud_len > 0)
			memcpy(out + pos, r->ud, r->ud_len);
		pos += r->ud_len;
	}
	*out_len = pos;
	return 0;
}

int ota_sms_deliver_report_parse(const uint8_t *in, size_t len, int rp_error,
				 struct ota_sms_deliver_report *r)
{
	struct ota_sms_deliver_report t;
	size_t pos = 1;
	int rc;

	if (in == NULL || r == NULL)
		return OTA_SMS_E_ARG;
	if (len < 1)
		return OTA_SMS_E_TRUNC;
	memset(&t, 0, sizeof(t));
	t.first = in[0];
	t.rp_error = rp_error ? 1 : 0;
	if ((t.first & OTA_SMS_FO_MTI_MASK) != 0)
		return OTA_SMS_E_MTI;
	if (t.rp_error) {
		if (pos >= len)
			return OTA_SMS_E_TRUNC;
		t.fcs = in[pos++];
	}
	if (pos >= len)
		return OTA_SMS_E_TRUNC;
	t.pi = in[pos++];
	/* §9.2.3.27: b8 = extension, further TP-PI octets follow; skip them. */
	for (;;) {
		if (!(in[pos - 1] & 0x80))
			break;
		if (pos >= len)
			return OTA_SMS_E_TRUNC;
		pos++;
	}
	t.dcs = 0x00;	/* §9.2.3.27: absent DCS means default alphabet */
	if (t.pi & OTA_SMS_PI_PID) {
		if (pos >= len)
			return OTA_SMS_E_TRUNC;
		t.pid = in[pos++];
	}
	if (t.pi & OTA_SMS_PI_DCS) {
		if (pos >= len)
			return OTA_SMS_E_TRUNC;
		t.dcs = in[pos++];
	}
	if (t.pi & OTA_SMS_PI_UDL) {
		rc = take_ud(in, len, pos, t.dcs, &t.udl, &t.ud, &t.ud_len);
		if (rc < 0)
			return rc;
	} else if (pos != len) {
		return OTA_SMS_E_UDL;
	}
	*r = t;
	return 0;
}
