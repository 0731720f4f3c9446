/*
 * fuzz_rfm.c - libFuzzer harness for the TS 102 226 script and response
 * parsers (ota/rfm.c): compact splitter, expanded iterator, compact and
 * expanded responses.  Iterators must always make progress and stay
 * inside the input.
 */
#include <stdlib.h>
#include "uicckit/rfm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ota_capdu c;
	struct ota_rfm_iter it;
	struct ota_rfm_item item;
	struct ota_rfm_compact_resp cr;
	struct ota_rfm_exp_resp er;
	struct ota_rfm_rapdu ra;
	size_t pos = 0, last = 0, n = 0;

	while (ota_rfm_compact_next(data, size, &pos, &c) == 1) {
		if (pos <= last && n > 0)
			abort();
		if (pos > size || c.raw + c.raw_len > data + size)
			abort();
		last = pos;
		n++;
	}
	if (ota_rfm_expanded_open(data, size, &it) == 0) {
		n = 0;
		while (ota_rfm_expanded_next(&it, &item) == 1) {
			if (item.val + item.len > data + size || ++n > size)
				abort();
		}
	}
	(void)ota_apdu_parse(data, size, &c);
	(void)ota_rfm_compact_resp_parse(data, size, &cr);
	if (ota_rfm_exp_resp_parse(data, size, &er) == 0) {
		pos = 0;
		n = 0;
		while (ota_rfm_exp_resp_next(&er, &pos, &ra) == 1)
			if (++n > er.n_rapdu)
				abort();
		if (n != er.n_rapdu)
			abort();
	}
	return 0;
}
