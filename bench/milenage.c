/*
 * milenage - MILENAGE vectors per second on one core (f1..f5*, a new K for
 * every vector), next to a bare OpenSSL EVP lower bound measured in the
 * same run: AES-128 key schedule + one block per iteration, on one reused
 * context, through the same calls (EVP_EncryptInit_ex2, EVP_Cipher).
 * Prints `name value` lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>

#include "uicckit/milenage.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 3000000, i;
	struct milenage *m = milenage_new();
	struct milenage_out o;
	uint8_t k[16] = { 0x46, 0x5b }, opc[16] = { 0xcd, 0x63 }, rand[16] = { 0x23 },
		sqn[6] = { 0xff, 0x9b }, amf[2] = { 0xb9, 0xb9 }, blk[16] = { 0 }, out[16];
	EVP_CIPHER *aes = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	unsigned acc = 0;
	double t0, t_mil, t_evp;

	if (m == NULL || aes == NULL || ctx == NULL ||
	    !EVP_EncryptInit_ex2(ctx, aes, k, NULL, NULL) || !EVP_CIPHER_CTX_set_padding(ctx, 0))
		return 1;
	t0 = now();
	for (i = 0; i < n; i++) {
		memcpy(k, &i, sizeof(i));	/* a new K every vector */
		if (milenage_all(m, k, opc, rand, sqn, amf, &o) != 0)
			return 1;
		acc += o.res[0];
	}
	t_mil = now() - t0;
	t0 = now();
	for (i = 0; i < n; i++) {
		memcpy(k, &i, sizeof(i));
		if (!EVP_EncryptInit_ex2(ctx, NULL, k, NULL, NULL) ||
		    EVP_Cipher(ctx, out, blk, 16) <= 0)
			return 1;
		acc += out[0];
	}
	t_evp = now() - t0;
	printf("milenage_vectors_per_s %.0f\n", n / t_mil);
	printf("evp_bound_per_s %.0f\n", n / t_evp);
	printf("milenage_share_of_bound_pct %.1f\n", 100.0 * t_evp / t_mil);
	fprintf(stderr, "(checksum %u)\n", acc);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(aes);
	milenage_free(m);
	return 0;
}
