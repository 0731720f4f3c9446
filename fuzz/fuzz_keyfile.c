/*
 * fuzz_keyfile.c - ops_keyfile_parse on arbitrary bytes (the decrypted,
 * verified content of a key file).  Invariants: a refused input leaves the
 * output list untouched (never a partial list); an accepted one holds only
 * valid records, and encodes and parses back to the same records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops/keyfile.h"

static int rec_eq(const struct ops_keyrec *a, const struct ops_keyrec *b)
{
	return strcmp(a->iccid, b->iccid) == 0 && strcmp(a->imsi, b->imsi) == 0 &&
	       a->index == b->index && a->alg == b->alg && a->k_len == b->k_len &&
	       a->opc_len == b->opc_len && memcmp(a->k, b->k, a->k_len) == 0 &&
	       memcmp(a->opc, b->opc, a->opc_len) == 0 && a->kic == b->kic && a->kid == b->kid &&
	       a->kic_len == b->kic_len && a->kid_len == b->kid_len &&
	       memcmp(a->kic_key, b->kic_key, a->kic_len) == 0 &&
	       memcmp(a->kid_key, b->kid_key, a->kid_len) == 0 && memcmp(a->tar, b->tar, 3) == 0 &&
	       a->cntr == b->cntr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_keyrecs l, back;
	char err[256], *text = NULL;
	size_t len = 0, i;

	memset(&l, 0, sizeof(l));
	memset(&back, 0, sizeof(back));
	if (ops_keyfile_parse(data, size, &l, err, sizeof(err)) != 0) {
		if (l.n != 0 || l.v != NULL || err[0] == '\0')
			abort();
		return 0;
	}
	for (i = 0; i < l.n; i++)
		if (l.v[i].index > 15 || l.v[i].cntr > 0xffffffffffULL ||
		    (l.v[i].k_len != 16 && l.v[i].k_len != 32))
			abort();
	if (ops_keyfile_encode(&l, NULL, &text, &len, err, sizeof(err)) != 0 ||
	    ops_keyfile_parse((const uint8_t *)text, len, &back, err, sizeof(err)) != 0 ||
	    back.n != l.n)
		abort();
	for (i = 0; i < l.n; i++)
		if (!rec_eq(&l.v[i], &back.v[i]))
			abort();
	ops_cms_free((uint8_t *)text, len);
	ops_keyrecs_free(&l);
	ops_keyrecs_free(&back);
	return 0;
}
