/*
 * fuzz_secpkt.c - command packet reception.  Byte 0 of the input selects a
 * mode: even -> the rest is a raw packet, parsed and unwrapped with fixed
 * keys; odd -> the rest is SPI/KIc/KID/CNTR + data, built into a valid packet
 * with those keys (so the fuzzer gets past the checksum), then one byte of
 * it is changed at an input-chosen place, and the result is parsed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uicckit/por.h"

static const struct ota_keys keys = {
	.kic_key = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
		     0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 },
	.kic_key_len = 16,
	.kid_key = { 0x0f, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09, 0x08, 0x07, 0x06, 0x05, 0x04,
		     0x03, 0x02, 0x01, 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80 },
	.kid_key_len = 16,
};

static void receive(const uint8_t *pkt, size_t len)
{
	static uint8_t work[70000], por[70000];
	struct ota_cmd_hdr h;
	struct ota_cmd cmd;
	uint8_t rsc;

	if (ota_cmd_parse_header(pkt, len, &h, &rsc) != 0)
		return;
	if (ota_cmd_unwrap(pkt, len, &h, &keys, work, sizeof(work), &cmd, &rsc) != 0) {
		/* the answer to a failure is always plain */
		if (ota_por_build(&h, &keys, rsc, NULL, 0, por, sizeof(por)) != 16)
			abort();
		return;
	}
	if (cmd.dlen > len)
		abort();
	(void)ota_por_build(&h, &keys, 0, cmd.data, cmd.dlen % 300, por, sizeof(por));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[70000];
	struct ota_cmd_hdr h;
	int n;

	if (size < 1 || size > 4096)
		return 0;
	if ((data[0] & 1) == 0) {
		receive(data + 1, size - 1);
		return 0;
	}
	if (size < 12)
		return 0;
	memset(&h, 0, sizeof(h));
	h.spi[0] = data[1];
	h.spi[1] = data[2];
	h.kic = data[3];
	h.kid = data[4];
	h.tar[0] = 0xb0;
	h.tar[2] = 0x01;
	h.cntr = (uint64_t)data[5] << 16 | (uint64_t)data[6] << 8 | data[7];
	n = ota_cmd_build(&h, &keys, data + 12, size - 12, pkt, sizeof(pkt));
	if (n <= 0)
		return 0;
	receive(pkt, (size_t)n);
	pkt[((size_t)data[8] << 8 | data[9]) % (size_t)n] ^= data[10] ? data[10] : 1;
	receive(pkt, (size_t)n);
	return 0;
}
