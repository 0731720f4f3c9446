/* bcd.c - see bcd.h */
#include <string.h>
#include "common/bcd.h"

int uk_is_digits(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (s[n] < '0' || s[n] > '9')
			return 0;
	return n >= min && n <= max;
}

int uk_bcd_encode(const char *digits, uint8_t *out, size_t outcap)
{
	size_t n = strlen(digits), i;

	if (!uk_is_digits(digits, 0, n) || (n + 1) / 2 > outcap)
		return -1;
	for (i = 0; i < n; i += 2) {
		unsigned lo = (unsigned)(digits[i] - '0');
		unsigned hi = i + 1 < n ? (unsigned)(digits[i + 1] - '0') : 0xf;

		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)((n + 1) / 2);
}

int uk_bcd_decode(const uint8_t *in, size_t len, char *out, size_t outcap)
{
	size_t n = 0, i;

	for (i = 0; i < 2 * len; i++) {
		unsigned d = i & 1 ? in[i / 2] >> 4 : in[i / 2] & 0x0f;

		if (d == 0xf)
			break;
		if (d > 9 || n + 1 >= outcap)
			return -1;
		out[n++] = (char)('0' + d);
	}
	if (outcap == 0)
		return -1;
	out[n] = '\0';
	return (int)n;
}

/* TS 31.102 §4.2.2 / TS 24.008 §10.5.1.4: byte 1 = length, byte 2 high
 * nibble = digit 1, low nibble = parity (b4: 1 odd) | type 001 (IMSI). */
int uk_imsi_encode(const char *imsi, uint8_t out[UK_IMSI_EF_LEN])
{
	size_t n = strlen(imsi), i;
	int odd;

	if (!uk_is_digits(imsi, 6, 15))
		return -1;
	odd = n & 1;
	memset(out, 0xff, UK_IMSI_EF_LEN);
	out[0] = (uint8_t)((n + 2) / 2);
	out[1] = (uint8_t)((imsi[0] - '0') << 4 | (odd ? 0x9 : 0x1));
	for (i = 1; i < n; i += 2) {
		unsigned lo = (unsigned)(imsi[i] - '0');
		unsigned hi = i + 1 < n ? (unsigned)(imsi[i + 1] - '0') : 0xf;

		out[2 + (i - 1) / 2] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int uk_imsi_decode(const uint8_t *ef, size_t len, char out[16])
{
	size_t bytes, n = 0, i;
	int odd;

	if (len < 2 || ef[0] < 1 || ef[0] > 8 || (size_t)ef[0] + 1 > len)
		return -1;
	bytes = ef[0];
	if ((ef[1] & 0x07) != 0x01 || (ef[1] >> 4) > 9)
		return -1;
	odd = (ef[1] >> 3) & 1;
	out[n++] = (char)('0' + (ef[1] >> 4));
	for (i = 2; i <= bytes; i++) {
		unsigned lo = ef[i] & 0x0f, hi = ef[i] >> 4;

		if (lo > 9)
			return -1;
		out[n++] = (char)('0' + lo);
		if (hi == 0xf) {
			if (i != bytes)
				return -1;
			break;
		}
		if (hi > 9)
			return -1;
		out[n++] = (char)('0' + hi);
	}
	out[n] = '\0';
	if ((int)(n & 1) != odd || n < 6)
		return -1;
	return 0;
}

int uk_iccid_encode(const char *iccid, uint8_t out[UK_ICCID_EF_LEN])
{
	if (!uk_is_digits(iccid, 1, 20))
		return -1;
	memset(out, 0xff, UK_ICCID_EF_LEN);
	return uk_bcd_encode(iccid, out, UK_ICCID_EF_LEN) < 0 ? -1 : 0;
}

int uk_iccid_decode(const uint8_t *ef, size_t len, char out[21])
{
	return uk_bcd_decode(ef, len < UK_ICCID_EF_LEN ? len : UK_ICCID_EF_LEN,
			     out, 21) < 0 ? -1 : 0;
}

int uk_luhn_digit(const char *digits, size_t n)
{
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned d;

		if (digits[n - 1 - i] < '0' || digits[n - 1 - i] > '9')
			return -1;
		d = (unsigned)(digits[n - 1 - i] - '0');
		if ((i & 1) == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return '0' + (int)((10 - sum % 10) % 10);
}
