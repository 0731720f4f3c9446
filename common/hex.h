/*
 * hex.h - hexadecimal text <-> bytes.
 *
 * Contract: uk_hex_decode() accepts upper/lower case digits and ignores
 * blanks (space, tab, ':' are not accepted); it never writes past outcap and
 * returns UK_HEX_OK or a negative UK_HEX_* error, leaving *outlen untouched
 * on error.  uk_hex_encode() writes 2*len lower-case digits and a NUL.
 */
#ifndef UK_HEX_H
#define UK_HEX_H

#include <stddef.h>
#include <stdint.h>

enum uk_hex_err {
	UK_HEX_OK = 0,
	UK_HEX_ODD = -1,	/* odd number of digits */
	UK_HEX_BADCHAR = -2,	/* a character that is not a hex digit or blank */
	UK_HEX_TOOLONG = -3,	/* more bytes than the output buffer holds */
};

int uk_hex_decode(const char *hex, uint8_t *out, size_t outcap, size_t *outlen);
/* Decode exactly `want` bytes; any other length is an error (UK_HEX_TOOLONG/-4). */
int uk_hex_decode_exact(const char *hex, uint8_t *out, size_t want);
#define UK_HEX_BADLEN (-4)
void uk_hex_encode(const uint8_t *in, size_t len, char *out);
/* malloc'ed lower-case hex string; NULL on allocation failure. */
char *uk_hex_alloc(const uint8_t *in, size_t len);
const char *uk_hex_strerror(int err);

#endif
