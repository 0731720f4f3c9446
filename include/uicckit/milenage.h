/*
 * milenage.h - the 3GPP authentication algorithm set MILENAGE (TS 35.206):
 * f1, f1*, f2, f3, f4, f5, f5* and OPc from OP, on OpenSSL's AES-128.
 *
 * A `struct milenage` caches the fetched AES cipher and one cipher context
 * (so that a new K costs one key schedule, not an allocation) and holds the
 * constants c1..c5 / r1..r5 (defaults from TS 35.206 §4.1).  Not
 * thread-safe: use one per thread.  Outputs are written to caller buffers;
 * every intermediate is cleansed.
 */
#ifndef UICCKIT_MILENAGE_H
#define UICCKIT_MILENAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct milenage;

struct milenage_out {
	uint8_t mac_a[8];	/* f1 */
	uint8_t mac_s[8];	/* f1* (same SQN/AMF) */
	uint8_t res[8];		/* f2 */
	uint8_t ck[16];		/* f3 */
	uint8_t ik[16];		/* f4 */
	uint8_t ak[6];		/* f5 */
	uint8_t ak_star[6];	/* f5* */
};

struct milenage *milenage_new(void);
void milenage_free(struct milenage *m);
/* Replace the constants; c[i] are 16 bytes, r[i] in 0..127 bits. */
int milenage_set_constants(struct milenage *m, const uint8_t c[5][16], const unsigned r[5]);
/* OPc = OP xor E_K(OP) */
int milenage_opc(struct milenage *m, const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);
/* All seven functions in one pass (one key schedule, 6 AES blocks). */
int milenage_all(struct milenage *m, const uint8_t k[16], const uint8_t opc[16],
		 const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2],
		 struct milenage_out *out);
/* f1* and f5* only, for AUTS (3 AES blocks). */
int milenage_f1star_f5star(struct milenage *m, const uint8_t k[16], const uint8_t opc[16],
			   const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2],
			   uint8_t mac_s[8], uint8_t ak_star[6]);

#ifdef __cplusplus
}
#endif
#endif
