/*
 * secmem.h - keep key material out of freed memory.
 *
 * uk_json_cleansing_alloc() makes jansson wipe every block it frees
 * (OPENSSL_cleanse over malloc_usable_size) -- card images and key files
 * hold keys as hex strings, and jansson's parser and serialiser copy them
 * through internal buffers the caller never sees.  It changes a process-
 * wide setting of jansson, so only programs call it, first thing in main().
 */
#ifndef UK_SECMEM_H
#define UK_SECMEM_H

void uk_json_cleansing_alloc(void);

#endif
