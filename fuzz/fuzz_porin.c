/*
 * fuzz_porin.c - the `por` field of a PoR file (ops/porin.h): any text is
 * either refused with a reason or turned into a response packet whose RPL
 * matches its length, never more than the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops/porin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	uint8_t out[512];
	size_t n = 0;
	char err[256] = "";

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ops_porin_decode(text, out, sizeof(out), &n, err, sizeof(err)) == 0) {
		if (n < 3 || n > sizeof(out) || (size_t)(out[0] << 8 | out[1]) != n - 2)
			abort();
	} else if (err[0] == '\0') {
		abort();
	}
	free(text);
	return 0;
}
