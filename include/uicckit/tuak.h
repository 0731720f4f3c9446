/*
 * tuak.h - the 3GPP authentication algorithm set TUAK (TS 35.231), built on
 * Keccak-p[1600, 24].  Each function fills a 200-byte input with TOPc,
 * an INSTANCE byte that encodes the function and the requested output
 * lengths, the algorithm name "TUAK1.0", RAND (and SQN/AMF for f1/f1*), K
 * and fixed padding -- every field byte-reversed, as TS 35.231 specifies --
 * permutes it keccak_iter times and reads the outputs back reversed.
 * Lengths in bytes: K 16/32, MAC 8/16/32, RES 4/8/16/32, CK/IK 16/32.
 */
#ifndef UICCKIT_TUAK_H
#define UICCKIT_TUAK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tuak_params {
	size_t k_len, mac_len, res_len, ck_len, ik_len;
	unsigned keccak_iter;	/* 0 = 1 */
};

int tuak_topc(const struct tuak_params *p, const uint8_t *k, const uint8_t top[32],
	      uint8_t topc[32]);
/* f1 (star = 0) or f1* (star = 1): MAC of p->mac_len bytes. */
int tuak_f1(const struct tuak_params *p, int star, const uint8_t *k, const uint8_t topc[32],
	    const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2], uint8_t *mac);
/* f2, f3, f4, f5 in one call (the INSTANCE encodes all three lengths). */
int tuak_f2345(const struct tuak_params *p, const uint8_t *k, const uint8_t topc[32],
	       const uint8_t rand[16], uint8_t *res, uint8_t *ck, uint8_t *ik, uint8_t ak[6]);
int tuak_f5star(const struct tuak_params *p, const uint8_t *k, const uint8_t topc[32],
		const uint8_t rand[16], uint8_t ak_star[6]);

#ifdef __cplusplus
}
#endif
#endif
