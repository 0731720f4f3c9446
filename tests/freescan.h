/*
 * freescan.h - the free() scanner of the hygiene tests: no freed buffer
 * may hold key material.  Link the test with -Wl,--wrap=free (every free()
 * of the code under test passes __wrap_free) and call freescan_install()
 * first in main(), before OpenSSL allocates anything (its frees pass the
 * scanner through CRYPTO_set_mem_functions); jansson's do too where the
 * tools' cleansing allocator is on (uk_json_cleansing_alloc()).
 *
 * While freescan.armed, each freed block is searched for every pattern
 * given by freescan_add_secret(); freescan.scanned counts the blocks
 * searched, freescan.hits those holding a pattern, freescan.first tells
 * the first one.  HYG_BT set in the environment: a backtrace of every hit
 * on stderr.  The state is process-wide by nature: it sits under free().
 */
#ifndef UK_TESTS_FREESCAN_H
#define UK_TESTS_FREESCAN_H

#include <stddef.h>
#include <stdint.h>

#define FREESCAN_MAXPAT 1024

struct freescan {
	char pat[FREESCAN_MAXPAT][17];
	size_t len[FREESCAN_MAXPAT];
	int n, armed;
	unsigned long scanned, hits;
	char first[160];
};

extern struct freescan freescan;

/* Patterns of key k (n bytes): every 8-byte run at a 4-byte step, raw and
 * as lower- and upper-case hex (until FREESCAN_MAXPAT are held). */
void freescan_add_secret(const uint8_t *k, size_t n);
/* CRYPTO_set_mem_functions with the scanning allocator: its result (1 ok). */
int freescan_install(void);

void __real_free(void *p);
void __wrap_free(void *p);

#endif
