/*
 * fuzz_imsilist.c - the lists operators exchange (ops/imsilist.h): the
 * input is read as an IMSI list, a card list, a PoR file and a hand-over
 * list.  Every row handed back must hold what the header promised (digits
 * of the right lengths, the same card at most once), bad rows carry a line
 * number inside the input, and a refused list hands back nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops/imsilist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_digits(const char *s, size_t min, size_t max)
{
	if (ops_field_digits(s, min, max) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_list l;
	struct ops_handover h;
	char err[256];
	unsigned lines = 1;
	size_t i, j;
	int mode;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r';	/* a bare CR ends a record too */
	for (mode = OPS_LIST_SWITCH; mode <= OPS_LIST_POR; mode++) {
		if (ops_list_parse((const char *)data, size, mode, &l, err, sizeof(err)) != 0) {
			if (l.v != NULL || l.n != 0 || l.bad != NULL || err[0] == '\0')
				abort();
			continue;
		}
		for (i = 0; i < l.n; i++) {
			const struct ops_listrow *r = &l.v[i];

			if (r->line < 1 || r->line > lines)
				abort();
			if (l.by_iccid)
				check_digits(r->iccid, 19, 20);
			else
				check_digits(r->imsi, 6, 15);
			if (mode == OPS_LIST_SWITCH)
				check_digits(r->new_imsi, 6, 15);
			if (mode == OPS_LIST_POR && (r->por == NULL || strlen(r->por) > OPS_LIST_POR_MAX))
				abort();
			/* the same card twice is a bad row, never two rows */
			for (j = i + 1; mode != OPS_LIST_POR && j < l.n && j < i + 8; j++)
				if (strcmp(l.by_iccid ? r->iccid : r->imsi,
					   l.by_iccid ? l.v[j].iccid : l.v[j].imsi) == 0)
					abort();
		}
		for (i = 0; i < l.nbad; i++)
			if (l.bad[i].line < 1 || l.bad[i].line > lines || l.bad[i].why[0] == '\0')
				abort();
		ops_list_free(&l);
	}
	if (ops_handover_parse((const char *)data, size, &h, err, sizeof(err)) == 0) {
		for (i = 0; i < h.n; i++) {
			check_digits(h.v[i].iccid, 19, 20);
			check_digits(h.v[i].new_imsi, 6, 15);
			if (h.v[i].new_index > 15 || (h.keep_keys && !h.v[i].has_keys))
				abort();
			if (h.v[i].has_keys && (h.v[i].r.k_len != 16 && h.v[i].r.k_len != 32))
				abort();
		}
		ops_handover_free(&h);
	} else if (h.v != NULL || h.n != 0) {
		abort();
	}
	return 0;
}
