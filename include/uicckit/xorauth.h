/*
 * xorauth.h - the test-USIM XOR algorithm of 3GPP TS 34.108 §8.1.2, used by
 * test SIMs for terminal conformance testing (no security).  XDOUT = K xor
 * RAND; RES = XDOUT (first res_len bytes); CK/IK = XDOUT rotated by 1/2
 * bytes; AK = AK* = XDOUT bytes 3..8; MAC = XDOUT[0..7] xor (SQN || AMF).
 */
#ifndef UICCKIT_XORAUTH_H
#define UICCKIT_XORAUTH_H

#include <stdint.h>
#include "uicckit/milenage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Same outputs as milenage_all(); res is the full 16-byte XDOUT (callers
 * take the first res_len bytes). */
struct xorauth_out {
	uint8_t mac_a[8], mac_s[8], res[16], ck[16], ik[16], ak[6], ak_star[6];
};

void xorauth_all(const uint8_t k[16], const uint8_t rand[16], const uint8_t sqn[6],
		 const uint8_t amf[2], struct xorauth_out *out);

#ifdef __cplusplus
}
#endif
#endif
