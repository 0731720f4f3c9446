/* buf.c - see buf.h */
#include <string.h>
#include "common/buf.h"

void uk_buf_init(struct uk_buf *b, uint8_t *mem, size_t cap)
{
	b->data = mem;
	b->len = 0;
	b->cap = cap;
	b->overflow = 0;
}

int uk_buf_ok(const struct uk_buf *b)
{
	return !b->overflow;
}

uint8_t *uk_buf_reserve(struct uk_buf *b, size_t n)
{
	uint8_t *p;

	if (b->overflow || n > b->cap - b->len) {
		b->overflow = 1;
		return NULL;
	}
	p = b->data + b->len;
	b->len += n;
	return p;
}

void uk_buf_put(struct uk_buf *b, const void *p, size_t n)
{
	uint8_t *d = uk_buf_reserve(b, n);

	if (d != NULL && n > 0)
		memcpy(d, p, n);
}

void uk_buf_put_u8(struct uk_buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;

	uk_buf_put(b, &c, 1);
}

void uk_buf_put_u16be(struct uk_buf *b, unsigned v)
{
	uk_buf_put_be(b, v, 2);
}

void uk_buf_put_be(struct uk_buf *b, uint64_t v, size_t nbytes)
{
	uint8_t *d = uk_buf_reserve(b, nbytes);

	if (d != NULL)
		uk_put_be(d, v, nbytes);
}

void uk_buf_fill(struct uk_buf *b, uint8_t v, size_t n)
{
	uint8_t *d = uk_buf_reserve(b, n);

	if (d != NULL && n > 0)
		memset(d, v, n);
}

uint64_t uk_get_be(const uint8_t *p, size_t nbytes)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < nbytes; i++)
		v = v << 8 | p[i];
	return v;
}

void uk_put_be(uint8_t *p, uint64_t v, size_t nbytes)
{
	while (nbytes > 0) {
		p[--nbytes] = (uint8_t)v;
		v >>= 8;
	}
}

/* ISO/IEC 7816-4 §5.2.2.1: a first tag byte with b5..b1 = 11111 is followed
 * by subsequent bytes, each with b8 = 1 except the last. */
int uk_tlv_next(const uint8_t *in, size_t len, size_t *pos, struct uk_tlv *t)
{
	size_t p = *pos, nlen, i;
	unsigned tag;
	size_t vlen;

	if (p >= len)
		return 0;
	tag = in[p++];
	if (tag == 0x00 || tag == 0xff)
		return UK_TLV_BADTAG;
	if ((tag & 0x1f) == 0x1f) {
		for (i = 0;; i++) {
			if (i == 2)
				return UK_TLV_BADTAG;
			if (p >= len)
				return UK_TLV_TRUNC;
			tag = tag << 8 | in[p];
			if (!(in[p++] & 0x80))
				break;
		}
	}
	if (p >= len)
		return UK_TLV_TRUNC;
	if (in[p] < 0x80) {
		vlen = in[p++];
	} else {
		nlen = in[p++] & 0x7f;
		if (nlen == 0 || nlen > 3)
			return UK_TLV_BADLEN;
		if (nlen > len - p)
			return UK_TLV_TRUNC;
		vlen = (size_t)uk_get_be(in + p, nlen);
		p += nlen;
	}
	if (vlen > len - p)
		return UK_TLV_TRUNC;
	t->tag = tag;
	t->len = vlen;
	t->val = in + p;
	*pos = p + vlen;
	return 1;
}

int uk_tlv_find(const uint8_t *in, size_t len, unsigned tag, struct uk_tlv *t)
{
	size_t pos = 0;
	int rc;

	while ((rc = uk_tlv_next(in, len, &pos, t)) == 1)
		if (t->tag == tag)
			return 1;
	return rc;
}

static void put_tag(struct uk_buf *b, unsigned tag)
{
	if (tag > 0xffff)
		uk_buf_put_u8(b, tag >> 16);
	if (tag > 0xff)
		uk_buf_put_u8(b, tag >> 8);
	uk_buf_put_u8(b, tag);
}

void uk_tlv_put_len(struct uk_buf *b, size_t len)
{
	if (len < 0x80) {
		uk_buf_put_u8(b, len);
	} else if (len <= 0xff) {
		uk_buf_put_u8(b, 0x81);
		uk_buf_put_u8(b, len);
	} else if (len <= 0xffff) {
		uk_buf_put_u8(b, 0x82);
		uk_buf_put_u16be(b, len);
	} else {
		uk_buf_put_u8(b, 0x83);
		uk_buf_put_be(b, len, 3);
	}
}

void uk_tlv_put(struct uk_buf *b, unsigned tag, const void *val, size_t len)
{
	put_tag(b, tag);
	uk_tlv_put_len(b, len);
	uk_buf_put(b, val, len);
}

size_t uk_tlv_open(struct uk_buf *b, unsigned tag)
{
	put_tag(b, tag);
	uk_buf_put_u8(b, 0);
	return b->len;
}

void uk_tlv_close(struct uk_buf *b, size_t mark)
{
	size_t vlen, extra;

	if (b->overflow)
		return;
	vlen = b->len - mark;
	if (vlen < 0x80) {
		b->data[mark - 1] = (uint8_t)vlen;
		return;
	}
	extra = vlen <= 0xff ? 1 : vlen <= 0xffff ? 2 : 3;
	if (uk_buf_reserve(b, extra) == NULL)
		return;
	memmove(b->data + mark + extra, b->data + mark, vlen);
	b->data[mark - 1] = (uint8_t)(0x80 | extra);
	uk_put_be(b->data + mark, vlen, extra);
}

/* TS 102 223 Annex C: single-byte tags 01..7E / 81..FE; 7F introduces a
 * three-byte tag; lengths 00..7F or 81 80..FF. */
int uk_ctlv_next(const uint8_t *in, size_t len, size_t *pos, struct uk_tlv *t)
{
	size_t p = *pos, vlen;
	unsigned tag;

	if (p >= len)
		return 0;
	tag = in[p++];
	if (tag == 0x00 || tag == 0x80 || tag == 0xff)
		return UK_TLV_BADTAG;
	if (tag == 0x7f) {
		if (len - p < 2)
			return UK_TLV_TRUNC;
		tag = 0x7f0000u | (unsigned)in[p] << 8 | in[p + 1];
		p += 2;
	}
	if (p >= len)
		return UK_TLV_TRUNC;
	if (in[p] < 0x80) {
		vlen = in[p++];
	} else if (in[p] == 0x81) {
		if (len - p < 2)
			return UK_TLV_TRUNC;
		vlen = in[p + 1];
		if (vlen < 0x80)
			return UK_TLV_BADLEN;
		p += 2;
	} else {
		return UK_TLV_BADLEN;
	}
	if (vlen > len - p)
		return UK_TLV_TRUNC;
	t->tag = tag;
	t->len = vlen;
	t->val = in + p;
	*pos = p + vlen;
	return 1;
}

int uk_ctlv_find(const uint8_t *in, size_t len, unsigned tag_no_cr, struct uk_tlv *t)
{
	size_t pos = 0;
	int rc;

	while ((rc = uk_ctlv_next(in, len, &pos, t)) == 1) {
		unsigned tg = t->tag <= 0xff ? (t->tag & 0x7f) : t->tag;

		if (tg == tag_no_cr)
			return 1;
	}
	return rc;
}
