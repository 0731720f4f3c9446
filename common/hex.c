/* hex.c - see hex.h */
#include <stdlib.h>
#include "common/hex.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int uk_hex_decode(const char *hex, uint8_t *out, size_t outcap, size_t *outlen)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex != '\0'; hex++) {
		int v;

		if (*hex == ' ' || *hex == '\t' || *hex == '\n' || *hex == '\r')
			continue;
		v = nibble(*hex);
		if (v < 0)
			return UK_HEX_BADCHAR;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= outcap)
			return UK_HEX_TOOLONG;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return UK_HEX_ODD;
	*outlen = n;
	return UK_HEX_OK;
}

int uk_hex_decode_exact(const char *hex, uint8_t *out, size_t want)
{
	size_t got;
	int rc = uk_hex_decode(hex, out, want, &got);

	if (rc != UK_HEX_OK)
		return rc == UK_HEX_TOOLONG ? UK_HEX_BADLEN : rc;
	return got == want ? UK_HEX_OK : UK_HEX_BADLEN;
}

void uk_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

char *uk_hex_alloc(const uint8_t *in, size_t len)
{
	char *s = malloc(2 * len + 1);

	if (s != NULL)
		uk_hex_encode(in, len, s);
	return s;
}

const char *uk_hex_strerror(int err)
{
	switch (err) {
	case UK_HEX_OK: return "ok";
	case UK_HEX_ODD: return "odd number of hex digits";
	case UK_HEX_BADCHAR: return "not a hex digit";
	case UK_HEX_TOOLONG: return "hex string too long";
	case UK_HEX_BADLEN: return "hex string has the wrong length";
	}
	return "unknown hex error";
}
