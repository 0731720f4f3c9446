/* keccak.c - Keccak-p[1600, 24]; see keccak.h.  Written from FIPS 202 §3.2:
 * theta, rho, pi, chi, iota on 25 64-bit lanes A[x + 5y]. */
#include <string.h>
#include <openssl/crypto.h>

#include "auth/keccak.h"

/* FIPS 202 §3.2.5: round constants RC[ir] */
static const uint64_t rc[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* FIPS 202 §3.2.2: rho offsets, indexed x + 5y */
static const unsigned rho[25] = {
	0, 1, 62, 28, 27,
	36, 44, 6, 55, 20,
	3, 10, 43, 25, 39,
	41, 45, 15, 21, 8,
	18, 2, 61, 56, 14,
};

static uint64_t rol(uint64_t v, unsigned n)
{
	return n == 0 ? v : (v << n) | (v >> (64 - n));
}

void uk_keccak_p1600(uint8_t state[200])
{
	uint64_t a[25], b[25], c[5], d[5];
	int i, x, y, r;

	for (i = 0; i < 25; i++) {
		a[i] = 0;
		for (x = 7; x >= 0; x--)
			a[i] = a[i] << 8 | state[8 * i + x];
	}
	for (r = 0; r < 24; r++) {
		/* theta */
		for (x = 0; x < 5; x++)
			c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
		for (x = 0; x < 5; x++)
			d[x] = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
		for (i = 0; i < 25; i++)
			a[i] ^= d[i % 5];
		/* rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x, y]) */
		for (x = 0; x < 5; x++)
			for (y = 0; y < 5; y++)
				b[y + 5 * ((2 * x + 3 * y) % 5)] = rol(a[x + 5 * y], rho[x + 5 * y]);
		/* chi */
		for (y = 0; y < 5; y++)
			for (x = 0; x < 5; x++)
				a[x + 5 * y] = b[x + 5 * y] ^
					       (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
		/* iota */
		a[0] ^= rc[r];
	}
	for (i = 0; i < 25; i++)
		for (x = 0; x < 8; x++)
			state[8 * i + x] = (uint8_t)(a[i] >> (8 * x));
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	OPENSSL_cleanse(c, sizeof(c));
	OPENSSL_cleanse(d, sizeof(d));
}
