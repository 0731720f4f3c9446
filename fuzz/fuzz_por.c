/*
 * fuzz_por.c - PoR parsing as an operator receives it.  The first 4 input
 * bytes choose the command's SPI and KIc/KID (so every protection path is
 * reached); the rest is the PoR user data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uicckit/por.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t work[70000];
	struct ota_keys k;
	struct ota_cmd_hdr h;
	struct ota_por por;

	if (size < 4 || size > 4096)
		return 0;
	memset(&k, 0x5a, sizeof(k));
	k.kic_key_len = (data[2] & 0x0f) == 0x09 ? 24 : 16;
	k.kid_key_len = (data[3] & 0x0f) == 0x09 ? 24 : 16;
	k.cc_len = 0;
	k.kic_implicit = k.kid_implicit = 0;
	memset(&h, 0, sizeof(h));
	h.spi[0] = data[0];
	h.spi[1] = data[1];
	h.kic = data[2];
	h.kid = data[3];
	if (size >= 10) {
		h.tar[0] = data[7];
		h.tar[1] = data[8];
		h.tar[2] = data[9];
	}
	if (ota_por_parse(data + 4, size - 4, &h, &k, work, sizeof(work), &por) == 0 &&
	    (por.dlen > size || (por.dlen > 0 && por.data == NULL)))
		abort();
	return 0;
}
