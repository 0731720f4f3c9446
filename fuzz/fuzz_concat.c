/*
 * fuzz_concat.c - libFuzzer harness for concatenated-SMS reassembly
 * (ota/concat.c).  The input is a sequence of `len ‖ user data` records fed
 * into one context with a small buffer; then the input is split as a packet
 * and reassembled in reverse order, which must give it back.
 */
#include <stdlib.h>
#include <string.h>
#include "uicckit/sms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ota_sms_seg seg[64];
	struct ota_concat_ctx c;
	uint8_t mem[600], out[700];
	size_t pos = 0, on, ns, i;
	int rc = OTA_CONCAT_MORE;

	ota_concat_init(&c, mem, sizeof(mem), size & 1 ? OTA_IEI_RPI : OTA_IEI_CPI);
	while (pos < size) {
		size_t n = data[pos++];

		if (n > size - pos)
			n = size - pos;
		on = 0;
		rc = ota_concat_feed(&c, data + pos, n, out, sizeof(out), &on);
		if (rc == OTA_CONCAT_DONE && on > sizeof(out))
			abort();
		if (c.used > c.cap)
			abort();
		pos += n;
	}
	(void)ota_concat_pending(&c, NULL);

	if (ota_concat_split(data, size, OTA_IEI_CPI, size & 0xff, (int)(size & 1), seg, 64, &ns) != 0)
		return 0;
	ota_concat_init(&c, mem, sizeof(mem), OTA_IEI_CPI);
	for (i = ns; i > 0; i--) {
		rc = ota_concat_feed(&c, seg[i - 1].ud, seg[i - 1].len, out, sizeof(out), &on);
		if (i > 1 && rc != OTA_CONCAT_MORE && rc != OTA_CONCAT_E_SIZE)
			abort();
	}
	if (rc == OTA_CONCAT_DONE && (on != size || (size > 0 && memcmp(out, data, size) != 0)))
		abort();
	if (rc != OTA_CONCAT_DONE && size <= sizeof(mem))
		abort();
	return 0;
}
