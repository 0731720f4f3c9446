/* fcp.c - FCP templates; see fcp.h. */
#include "card/fcp.h"
#include "card/fs.h"
#include "card/pin.h"
#include "common/buf.h"

/* Free memory reported in A5/83 (we have no real limit; a fixed figure). */
#define UICC_FREE_MEMORY 0x00010000u

uint8_t uicc_fcp_fdb(const struct uicc_file *f)
{
	uint8_t t = f->internal ? 0x08 : 0x00;	/* b6..b4 = 001 internal EF */

	switch (f->type) {
	case UICC_FT_TRANSPARENT:
		return 0x40 | t | 0x01;
	case UICC_FT_LINEAR:
		return 0x40 | t | 0x02;
	case UICC_FT_CYCLIC:
		return 0x40 | t | 0x06;
	default:
		return 0x78;
	}
}

static void put_pin_status(struct uk_buf *b, const struct uicc *card, const struct uicc_file *df)
{
	size_t m, i;
	uint8_t ps = 0;

	if (df->n_pin_refs == 0)
		return;
	/* PS_DO: b8 of the first byte = first key reference; 1 = enabled */
	for (i = 0; i < df->n_pin_refs && i < 8; i++) {
		struct uicc_pin *p = uicc_pin_find((struct uicc *)card, df->pin_refs[i]);

		if (p != NULL && p->enabled)
			ps |= (uint8_t)(0x80 >> i);
	}
	m = uk_tlv_open(b, 0xc6);
	uk_tlv_put(b, 0x90, &ps, 1);
	for (i = 0; i < df->n_pin_refs && i < 8; i++)
		uk_tlv_put(b, 0x83, &df->pin_refs[i], 1);
	uk_tlv_close(b, m);
}

int uicc_fcp_build(const struct uicc *card, const struct uicc_file *f, uint8_t *out, size_t cap)
{
	struct uk_buf b;
	size_t m, a5;
	uint8_t v[5];

	uk_buf_init(&b, out, cap);
	m = uk_tlv_open(&b, 0x62);
	if (uicc_fs_is_df(f)) {
		v[0] = 0x78;
		v[1] = 0x21;
		uk_tlv_put(&b, 0x82, v, 2);
	} else if (f->type == UICC_FT_TRANSPARENT) {
		v[0] = uicc_fcp_fdb(f);
		v[1] = 0x21;
		uk_tlv_put(&b, 0x82, v, 2);
	} else {
		v[0] = uicc_fcp_fdb(f);
		v[1] = 0x21;
		v[2] = (uint8_t)(f->rec_len >> 8);
		v[3] = (uint8_t)f->rec_len;
		v[4] = (uint8_t)f->n_rec;
		uk_tlv_put(&b, 0x82, v, 5);
	}
	v[0] = (uint8_t)(f->fid >> 8);
	v[1] = (uint8_t)f->fid;
	uk_tlv_put(&b, 0x83, v, 2);
	if (f->type == UICC_FT_ADF)
		uk_tlv_put(&b, 0x84, f->aid, f->aid_len);
	if (uicc_fs_is_df(f)) {
		a5 = uk_tlv_open(&b, 0xa5);
		v[0] = 0x71;	/* UICC characteristics: clock stop allowed, high level */
		uk_tlv_put(&b, 0x80, v, 1);
		uk_put_be(v, UICC_FREE_MEMORY, 4);
		uk_tlv_put(&b, 0x83, v, 4);
		uk_tlv_close(&b, a5);
	}
	uk_tlv_put(&b, 0x8a, &f->lcsi, 1);
	if (f->has_arr)
		uk_tlv_put(&b, 0x8b, f->arr, 3);
	if (uicc_fs_is_df(f)) {
		put_pin_status(&b, card, f);
		uk_put_be(v, uicc_fs_total_size(f) > 0xffff ? 0xffff : uicc_fs_total_size(f), 2);
		uk_tlv_put(&b, 0x81, v, 2);
	} else {
		uk_put_be(v, f->size, 2);
		uk_tlv_put(&b, 0x80, v, 2);
		v[0] = (uint8_t)(f->sfi << 3);
		uk_tlv_put(&b, 0x88, v, f->sfi ? 1 : 0);
	}
	uk_tlv_close(&b, m);
	if (!uk_buf_ok(&b) || b.len >= 128)
		return UICC_EARG;
	return (int)b.len;
}
