/* fcp_parse.c - FCP template decoder; see include/uicckit/fcp.h. */
#include <string.h>
#include "common/buf.h"
#include "uicckit/fcp.h"

static int descriptor(const struct uk_tlv *t, struct uicc_fcp_info *o)
{
	/* 82: FDB, DCB [, record length (2), number of records (1)] */
	if (t->len != 2 && t->len != 5)
		return UICC_FCP_BADTAG;
	o->fdb = t->val[0];
	o->dcb = t->val[1];
	o->is_df = (o->fdb & 0x38) == 0x38;
	o->structure = o->is_df ? 0 : (o->fdb & 0x07);
	if (t->len == 5) {
		o->rec_len = (unsigned)(t->val[2] << 8 | t->val[3]);
		o->n_rec = t->val[4];
	}
	return 0;
}

static int pin_status(const struct uk_tlv *t, struct uicc_fcp_info *o)
{
	size_t pos = 0;
	struct uk_tlv in;
	int rc;

	while ((rc = uk_tlv_next(t->val, t->len, &pos, &in)) == 1) {
		if (in.tag == 0x90 && in.len >= 1)
			o->ps_do = in.val[0];
		else if (in.tag == 0x83 && in.len == 1 && o->n_key_refs < sizeof(o->key_refs))
			o->key_refs[o->n_key_refs++] = in.val[0];
		else if (in.tag == 0x83)
			return UICC_FCP_BADTAG;
	}
	return rc < 0 ? UICC_FCP_TRUNC : 0;
}

static unsigned long be(const uint8_t *p, size_t n)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

int uicc_fcp_parse(const uint8_t *in, size_t len, struct uicc_fcp_info *o)
{
	size_t pos = 0;
	struct uk_tlv fcp, t;
	int rc, have_desc = 0;

	memset(o, 0, sizeof(*o));
	rc = uk_tlv_next(in, len, &pos, &fcp);
	if (rc == 0 || rc == UK_TLV_TRUNC)
		return UICC_FCP_TRUNC;
	if (rc < 0 || fcp.tag != 0x62 || pos != len)
		return UICC_FCP_NOTFCP;
	pos = 0;
	while ((rc = uk_tlv_next(fcp.val, fcp.len, &pos, &t)) == 1) {
		switch (t.tag) {
		case 0x82:
			if (descriptor(&t, o) < 0)
				return UICC_FCP_BADTAG;
			have_desc = 1;
			break;
		case 0x83:
			if (t.len != 2)
				return UICC_FCP_BADTAG;
			o->has_fid = 1;
			o->fid = (uint16_t)(t.val[0] << 8 | t.val[1]);
			break;
		case 0x84:
			if (t.len == 0 || t.len > 16)
				return UICC_FCP_BADTAG;
			memcpy(o->aid, t.val, t.len);
			o->aid_len = t.len;
			break;
		case 0x8a:
			if (t.len != 1)
				return UICC_FCP_BADTAG;
			o->has_lcsi = 1;
			o->lcsi = t.val[0];
			break;
		case 0x8b:
			if (t.len == 3) {
				o->has_arr = 1;
				memcpy(o->arr, t.val, 3);
			}
			break;
		case 0x80:
		case 0x81:
			if (t.len == 0 || t.len > 4)
				return UICC_FCP_BADTAG;
			if (t.tag == 0x80) {
				o->has_size = 1;
				o->size = be(t.val, t.len);
			} else {
				o->has_total = 1;
				o->total_size = be(t.val, t.len);
			}
			break;
		case 0x88:
			if (t.len > 1)
				return UICC_FCP_BADTAG;
			o->has_sfi = 1;
			o->sfi = t.len ? (uint8_t)(t.val[0] >> 3) : 0;
			break;
		case 0xc6:
			if ((rc = pin_status(&t, o)) < 0)
				return rc;
			break;
		default:
			break;	/* A5, 8C, AB, ...: not needed by callers */
		}
	}
	if (rc < 0)
		return UICC_FCP_TRUNC;
	return have_desc ? 0 : UICC_FCP_NODESC;
}
