/*
 * fuzz_tlv.c - the BER-TLV (ISO/IEC 7816-4) and COMPREHENSION-TLV
 * (TS 102 223 Annex C) readers, walked recursively as the card walks FCPs,
 * EF.ARR records and CAT data, and the builder re-encoding what was read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

static void walk(const uint8_t *p, size_t len, int depth)
{
	struct uk_tlv t;
	size_t pos = 0;
	int rc;

	while ((rc = uk_tlv_next(p, len, &pos, &t)) == 1) {
		if (t.val < p || t.val + t.len > p + len || pos > len)
			abort();
		/* constructed tags (b6 of the first byte) hold more TLVs */
		if (depth < 8 && ((t.tag >> (t.tag > 0xffff ? 16 : t.tag > 0xff ? 8 : 0)) & 0x20))
			walk(t.val, t.len, depth + 1);
	}
	pos = 0;
	while ((rc = uk_ctlv_next(p, len, &pos, &t)) == 1)
		if (t.val < p || t.val + t.len > p + len)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000];
	struct uk_buf b;
	struct uk_tlv t;
	size_t pos = 0, mark;

	walk(data, size, 0);
	(void)uk_tlv_find(data, size, 0x62, &t);
	(void)uk_ctlv_find(data, size, 0x0b, &t);
	/* re-encode every top-level TLV inside one constructed template: the
	 * builder must never overflow and must read back the same values */
	uk_buf_init(&b, out, size < sizeof(out) / 2 ? size * 2 + 8 : sizeof(out));
	mark = uk_tlv_open(&b, 0xaa);
	while (uk_tlv_next(data, size, &pos, &t) == 1)
		uk_tlv_put(&b, t.tag, t.val, t.len);
	uk_tlv_close(&b, mark);
	if (uk_buf_ok(&b)) {
		size_t p2 = 0;

		if (uk_tlv_next(out, b.len, &p2, &t) != 1 || t.tag != 0xaa || p2 != b.len)
			abort();
	}
	return 0;
}
