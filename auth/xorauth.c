/* xorauth.c - TS 34.108 §8.1.2 test algorithm; see xorauth.h. */
#include <string.h>
#include <openssl/crypto.h>

#include "uicckit/xorauth.h"

void xorauth_all(const uint8_t k[16], const uint8_t rand[16], const uint8_t sqn[6],
		 const uint8_t amf[2], struct xorauth_out *o)
{
	uint8_t x[16];
	int i;

	for (i = 0; i < 16; i++)
		x[i] = k[i] ^ rand[i];
	memcpy(o->res, x, 16);
	for (i = 0; i < 16; i++) {
		o->ck[i] = x[(i + 1) % 16];
		o->ik[i] = x[(i + 2) % 16];
	}
	memcpy(o->ak, x + 3, 6);
	memcpy(o->ak_star, x + 3, 6);
	/* CDOUT = SQN || AMF; f1* is the same formula (resync feeds AMF 0000) */
	for (i = 0; i < 6; i++)
		o->mac_a[i] = x[i] ^ sqn[i];
	o->mac_a[6] = x[6] ^ amf[0];
	o->mac_a[7] = x[7] ^ amf[1];
	memcpy(o->mac_s, o->mac_a, 8);
	OPENSSL_cleanse(x, sizeof(x));
}
