/*
 * fuzz_por.c - PoR parsing as an operator receives it.  The first 4 input
 * bytes choose the command's SPI and KIc/KID (so every protection path is
 * reached); the rest is the PoR user data, parsed with fixed keys and the
 * TAR it carries.  Then the same bytes are sent as response data through
 * ota_por_build() with those keys (so the fuzzer also reaches the code past
 * a valid RC/CC): the result must parse back to the same RSC and data, and
 * a copy with one byte changed must still be handled cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uicckit/por.h"

static struct ota_keys fixed_keys(const uint8_t *data)
{
	struct ota_keys k;
	size_t i;

	memset(&k, 0, sizeof(k));
	for (i = 0; i < sizeof(k.kic_key); i++) {
		k.kic_key[i] = (uint8_t)(0x5a + 3 * i);
		k.kid_key[i] = (uint8_t)(0xa5 ^ (7 * i));
	}
	/* 3DES 3-key wants 24 bytes; AES takes 16, 24 or 32 (bits 5-4) */
	k.kic_key_len = (data[2] & 0x0f) == 0x09 ? 24 : 16 + 8 * ((data[2] >> 4) % 3);
	k.kid_key_len = (data[3] & 0x0f) == 0x09 ? 24 : 16 + 8 * ((data[3] >> 4) % 3);
	k.cc_len = (data[3] & 0x80) ? 4 : 0;
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t work[8192], out[8192], work2[8192];
	struct ota_keys k;
	struct ota_cmd_hdr h;
	struct ota_por por;
	const uint8_t *ud = data + 4;
	size_t udlen, tar_at;
	int n, rc;

	if (size < 4 || size > 4096)
		return 0;
	udlen = size - 4;
	k = fixed_keys(data);
	memset(&h, 0, sizeof(h));
	h.spi[0] = data[0];
	h.spi[1] = data[1];
	h.kic = data[2];
	h.kid = data[3];
	/* the TAR sits after UDH(3) RPL(2) RHL(1), or after RPL RHL without UDH */
	tar_at = udlen >= 3 && ud[0] == 0x02 && ud[1] == 0x71 && ud[2] == 0x00 ? 6 : 3;
	if (udlen >= tar_at + 3)
		memcpy(h.tar, ud + tar_at, 3);
	h.cntr = (uint64_t)(size * 2654435761u) & 0xffffffffffULL;
	rc = ota_por_parse(ud, udlen, &h, &k, work, sizeof(work), &por);
	if (rc == 0 && (por.dlen > udlen || (por.dlen > 0 && por.data == NULL)))
		abort();
	if (rc == 0 && !por.authenticated && (h.spi[1] & 0x0c) == 0x08 && por.rsc == 0x00)
		abort();	/* a success must be authenticated when CC was asked */

	/* build a PoR carrying these bytes, then read it back */
	n = ota_por_build(&h, &k, 0x00, ud, udlen % 512, out, sizeof(out));
	if (n <= 0)
		return 0;
	if (ota_por_parse(out, (size_t)n, &h, &k, work2, sizeof(work2), &por) != 0 ||
	    por.rsc != 0x00 || por.dlen != udlen % 512 || memcmp(por.data, ud, por.dlen) != 0)
		abort();
	out[(size_t)data[0] * 7 % (size_t)n] ^= (uint8_t)(data[1] | 1);
	rc = ota_por_parse(out, (size_t)n, &h, &k, work2, sizeof(work2), &por);
	if (rc == 0 && por.dlen > (size_t)n)
		abort();
	return 0;
}
