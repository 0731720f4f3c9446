/* fuzz_image.c - libFuzzer harness: card image JSON load.  Any input must
 * either be refused with a message or give a card whose uicc_to_json()
 * output loads again to the same document; a few APDUs then run on it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "uicckit/uicc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t apdus[][8] = {
		{ 0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00 },
		{ 0x00, 0xa4, 0x00, 0x04, 0x02, 0x2f, 0x00 },
		{ 0x00, 0xb2, 0x01, 0x04, 0x00 },
		{ 0x00, 0xb0, 0x00, 0x00, 0x00 },
		{ 0x80, 0xf2, 0x00, 0x00, 0x00 },
		{ 0x00, 0xa4, 0x04, 0x04, 0x03, 0xa0, 0x00, 0x00 },
	};
	static const size_t lens[] = { 7, 7, 5, 5, 5, 8 };
	static uint8_t r[UICC_RAPDU_MAX];
	json_error_t je;
	json_t *doc = json_loadb((const char *)data, size, 0, &je), *j1, *j2;
	struct uicc *c, *d;
	char err[256];
	size_t i;

	if (doc == NULL)
		return 0;
	c = uicc_new(doc, err, sizeof(err));
	json_decref(doc);
	if (c == NULL) {
		if (err[0] == '\0')
			abort();	/* refusals must say why */
		return 0;
	}
	j1 = uicc_to_json(c);
	d = j1 ? uicc_new(j1, err, sizeof(err)) : NULL;
	if (d == NULL)
		abort();
	j2 = uicc_to_json(d);
	if (j2 == NULL || !json_equal(j1, j2))
		abort();
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		if (uicc_transmit(c, apdus[i], lens[i], r, sizeof(r)) < 2)
			abort();
	json_decref(j1);
	json_decref(j2);
	uicc_free(c);
	uicc_free(d);
	return 0;
}
