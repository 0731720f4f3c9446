/*
 * fuzz_auccsv.c - the RFC 4180 reader as uicc-auc batch (and the operator
 * tools) use it: every record of the input is read into a small buffer with
 * a small field limit, so every error path is reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uk_csv c;
	char buf[64], *f[6];
	int nf, guard = 0;
	size_t last = 0;

	uk_csv_init(&c, (const char *)data, size);
	while ((nf = uk_csv_next(&c, buf, sizeof(buf), f, 6)) != 0) {
		int i;

		for (i = 0; i < nf; i++)
			if (f[i] < buf || f[i] >= buf + sizeof(buf) || strlen(f[i]) >= sizeof(buf))
				abort();
		/* progress is guaranteed: the reader never loops in place */
		if (c.pos <= last && nf < 0 && c.pos < size)
			abort();
		last = c.pos;
		if (++guard > (int)size + 2)
			abort();
		if (nf == UK_CSV_EQUOTE)
			break;
	}
	return 0;
}
