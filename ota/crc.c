/*
 * crc.c - the RC algorithms of TS 102 225 §5.1.3.3 (ISO/IEC 13239):
 * CRC-16/X-25 (no library offers it; polynomial 1021 processed reflected,
 * i.e. 8408 shifted right, init FFFF, final complement) and CRC-32 (zlib's
 * crc32(), which is exactly the ISO/IEC 13239 CRC-32).  Check values of
 * Annex B: 01 02 03 04 05 -> 22EC (CRC16) and 470B99F4 (CRC32).
 */
#include <zlib.h>

#include "ota/cipher.h"

uint16_t ota_crc16(uint16_t crc, const uint8_t *p, size_t n)
{
	size_t i;
	int bit;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (bit = 0; bit < 8; bit++)
			crc = (uint16_t)(crc & 1 ? (crc >> 1) ^ 0x8408 : crc >> 1);
	}
	return crc;
}

uint32_t ota_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	uLong c = crc;

	/* zlib: crc32(c, NULL, 0) returns the initial value, not c */
	while (n > 0) {
		uInt chunk = n > 0x40000000u ? 0x40000000u : (uInt)n;

		c = crc32(c, p, chunk);
		p += chunk;
		n -= chunk;
	}
	return (uint32_t)c;
}
