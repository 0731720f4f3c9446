/*
 * buf.h - bounded output buffer with a sticky overflow flag, and BER-TLV /
 * COMPREHENSION-TLV codecs on top of it.
 *
 * Contract: every put function is a no-op once the buffer has overflowed;
 * callers check uk_buf_ok() once at the end (the libosmocore msgb habit).
 * Nothing is ever written past cap.  Parsers never read past len and return
 * 1 (one element read), 0 (clean end of input) or a negative UK_TLV_* error.
 */
#ifndef UK_BUF_H
#define UK_BUF_H

#include <stddef.h>
#include <stdint.h>

struct uk_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	int overflow;
};

void uk_buf_init(struct uk_buf *b, uint8_t *mem, size_t cap);
int uk_buf_ok(const struct uk_buf *b);
void uk_buf_put(struct uk_buf *b, const void *p, size_t n);
void uk_buf_put_u8(struct uk_buf *b, unsigned v);
void uk_buf_put_u16be(struct uk_buf *b, unsigned v);
void uk_buf_put_be(struct uk_buf *b, uint64_t v, size_t nbytes);
void uk_buf_fill(struct uk_buf *b, uint8_t v, size_t n);
/* Reserve n bytes and return a pointer to them (NULL once overflowed). */
uint8_t *uk_buf_reserve(struct uk_buf *b, size_t n);

uint64_t uk_get_be(const uint8_t *p, size_t nbytes);
void uk_put_be(uint8_t *p, uint64_t v, size_t nbytes);

enum uk_tlv_err {
	UK_TLV_TRUNC = -1,	/* tag, length or value runs past the input */
	UK_TLV_BADLEN = -2,	/* length form not supported (indefinite, > 3 bytes) */
	UK_TLV_BADTAG = -3,	/* tag 00/FF or a tag longer than 3 bytes */
};

struct uk_tlv {
	unsigned tag;		/* 1..3 tag bytes, big-endian, e.g. 0x62, 0x9f70 */
	size_t len;
	const uint8_t *val;
};

/* ISO/IEC 7816-4 BER-TLV; lengths 1 byte, 81 xx, 82 xx xx, 83 xx xx xx. */
int uk_tlv_next(const uint8_t *in, size_t len, size_t *pos, struct uk_tlv *t);
/* Find the first TLV with `tag` at this level; 1 found, 0 absent, <0 error. */
int uk_tlv_find(const uint8_t *in, size_t len, unsigned tag, struct uk_tlv *t);
void uk_tlv_put(struct uk_buf *b, unsigned tag, const void *val, size_t len);
void uk_tlv_put_len(struct uk_buf *b, size_t len);
/* Nested TLV: open writes the tag and a 1-byte length placeholder and
 * returns a mark; close fixes the length (moving the value for long forms). */
size_t uk_tlv_open(struct uk_buf *b, unsigned tag);
void uk_tlv_close(struct uk_buf *b, size_t mark);

/* TS 102 223 Annex C COMPREHENSION-TLV: tag 1 byte (CR = b8) or 7F + 2 bytes;
 * length 1 byte or 81 xx.  t->tag keeps the CR bit as received; compare with
 * (tag & 0x7f) for single-byte tags. */
int uk_ctlv_next(const uint8_t *in, size_t len, size_t *pos, struct uk_tlv *t);
int uk_ctlv_find(const uint8_t *in, size_t len, unsigned tag_no_cr, struct uk_tlv *t);

#endif
