/* fuzz_fcp.c - libFuzzer harness: FCP template decoder.  Any input must be
 * decoded or refused; a decoded FCP never claims more than 16 AID bytes or
 * 8 key references. */
#include <stdint.h>
#include <stdlib.h>
#include "uicckit/fcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uicc_fcp_info f;
	int rc = uicc_fcp_parse(data, size, &f);

	if (rc > 0 || (rc == 0 && (f.aid_len > 16 || f.n_key_refs > 8)))
		abort();
	return 0;
}
