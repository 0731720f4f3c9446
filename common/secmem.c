/* secmem.c - see secmem.h */
#include <malloc.h>
#include <stdlib.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "common/secmem.h"

static void cleansing_free(void *p)
{
	if (p != NULL)
		OPENSSL_cleanse(p, malloc_usable_size(p));
	free(p);
}

void uk_json_cleansing_alloc(void)
{
	json_set_alloc_funcs(malloc, cleansing_free);
}
