/* freescan.c - see freescan.h */
#include "config.h"

#include <execinfo.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "tests/freescan.h"

struct freescan freescan;

static void scan(const void *p, size_t n, const char *who)
{
	int i;

	if (!freescan.armed || p == NULL)
		return;
	freescan.scanned++;
	for (i = 0; i < freescan.n; i++)
		if (memmem(p, n, freescan.pat[i], freescan.len[i]) != NULL) {
			if (freescan.hits++ == 0)
				snprintf(freescan.first, sizeof(freescan.first),
					 "%s freed %zu bytes holding key pattern %d", who, n, i);
			if (getenv("HYG_BT")) {
				void *bt[30];
				int k = backtrace(bt, 30);

				freescan.armed = 0;
				backtrace_symbols_fd(bt, k, 2);
				freescan.armed = 1;
			}
			return;
		}
}

void __wrap_free(void *p)
{
	if (p != NULL)
		scan(p, malloc_usable_size(p), "free");
	__real_free(p);
}

static void *o_malloc(size_t n, const char *f, int l)
{
	(void)f;
	(void)l;
	return malloc(n);
}

static void *o_realloc(void *p, size_t n, const char *f, int l)
{
	void *q;

	(void)f;
	(void)l;
	if (p == NULL)
		return malloc(n);
	q = malloc(n);	/* move by hand, so the old block passes the scanner */
	if (q != NULL) {
		size_t old = malloc_usable_size(p);

		memcpy(q, p, old < n ? old : n);
		scan(p, old, "OpenSSL realloc");
		__real_free(p);
	}
	return q;
}

static void o_free(void *p, const char *f, int l)
{
	(void)f;
	(void)l;
	if (p != NULL)
		scan(p, malloc_usable_size(p), "OpenSSL");
	__real_free(p);
}

int freescan_install(void)
{
	return CRYPTO_set_mem_functions(o_malloc, o_realloc, o_free);
}

void freescan_add_secret(const uint8_t *k, size_t n)
{
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
	size_t i, j;

	for (i = 0; i + 8 <= n && freescan.n + 3 <= FREESCAN_MAXPAT; i += 4) {
		memcpy(freescan.pat[freescan.n], k + i, 8);
		freescan.len[freescan.n++] = 8;
		for (j = 0; j < 8; j++) {
			freescan.pat[freescan.n][2 * j] = lo[k[i + j] >> 4];
			freescan.pat[freescan.n][2 * j + 1] = lo[k[i + j] & 15];
			freescan.pat[freescan.n + 1][2 * j] = up[k[i + j] >> 4];
			freescan.pat[freescan.n + 1][2 * j + 1] = up[k[i + j] & 15];
		}
		freescan.len[freescan.n] = freescan.len[freescan.n + 1] = 16;
		freescan.n += 2;
	}
}
