/*
 * usim_aka.h - the card's binding to the authentication algorithms of the
 * active key set (Milenage TS 35.206, XOR TS 34.108 §8.1.2, TUAK TS 35.231)
 * and the GSM conversions c2/c3 (TS 33.102 §6.8.1.2).
 *
 * Contract: all functions take the key set and fixed-size buffers, return
 * 0 or <0, and cleanse their own temporaries.  uicc_aka_supported() says
 * whether this build can run the key set's algorithm (the AUTHENTICATE
 * answer is 98 64 otherwise).
 */
#ifndef UICC_USIM_AKA_H
#define UICC_USIM_AKA_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/keyset.h"

struct uicc_aka_out {
	uint8_t res[16];
	size_t res_len;
	uint8_t ck[16], ik[16], ak[6];
};

int uicc_aka_supported(const struct uicc_keyset *ks);
/* f2, f3, f4, f5 on RAND */
int uicc_aka_run(const struct uicc_keyset *ks, const uint8_t rand[16], struct uicc_aka_out *o);
/* f1: XMAC-A over SQN, RAND, AMF */
int uicc_aka_f1(const struct uicc_keyset *ks, const uint8_t rand[16], const uint8_t sqn[6],
		const uint8_t amf[2], uint8_t mac[8]);
/* AUTS = (SQN_MS xor f5*(RAND)) || f1*(SQN_MS, RAND, AMF 0000) */
int uicc_aka_auts(const struct uicc_keyset *ks, const uint8_t rand[16], uint64_t sqn_ms,
		  uint8_t auts[14]);
void uicc_aka_c2(const uint8_t *res, size_t res_len, uint8_t sres[4]);
void uicc_aka_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8]);

#endif
