/*
 * auth.h - UMTS/EPS AKA on top of the algorithm modules: what an AuC does
 * (vectors, AUTS resynchronisation, RES checks) and what a USIM does (verify
 * AUTN, build AUTS), for MILENAGE (TS 35.206) and the test XOR algorithm
 * (TS 34.108 §8.1.2), with the GSM conversions c2/c3 (TS 33.102 §6.8.1.2).
 *
 * MAC, MAC-S and RES comparisons are constant time (CRYPTO_memcmp).  All
 * intermediates are cleansed.  An `struct auth_ctx` caches the OpenSSL
 * objects; one per thread.
 */
#ifndef UICCKIT_AUTH_H
#define UICCKIT_AUTH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum auth_alg {
	AUTH_ALG_MILENAGE = 1,
	AUTH_ALG_XOR = 2,
	AUTH_ALG_TUAK = 3,	/* TS 35.231: not implemented yet (AUTH_EALG) */
};

enum auth_err {
	AUTH_OK = 0,
	AUTH_EMAC = -1,		/* MAC (or MAC-S, or RES) does not verify */
	AUTH_EARG = -2,		/* bad lengths or parameters */
	AUTH_EALG = -3,		/* algorithm not available */
	AUTH_ECRYPTO = -4,	/* OpenSSL failure */
};

struct auth_keyset {
	enum auth_alg alg;
	uint8_t k[32];
	size_t k_len;		/* 16 */
	uint8_t op[32];		/* OPc, or OP when op_is_opc == 0 */
	size_t op_len;		/* 16 (MILENAGE); ignored by XOR */
	int op_is_opc;
	size_t res_len;		/* XOR: 4..16 (0 = 16); MILENAGE: 8 */
};

struct auth_vector {
	uint8_t rand[16];
	uint8_t autn[16];
	uint8_t xres[16];
	size_t xres_len;
	uint8_t ck[16], ik[16];
	uint8_t ak[6];
	uint8_t sres[4], kc[8];
};

struct auth_ctx;
struct auth_ctx *auth_ctx_new(void);
void auth_ctx_free(struct auth_ctx *cx);

const char *auth_strerror(int err);
const char *auth_alg_name(enum auth_alg alg);
int auth_alg_from_name(const char *name);	/* enum value or AUTH_EALG */

/* AuC: a vector for (RAND, SQN, AMF); SQN is the full 48-bit SQN used as given. */
int auth_gen_vector(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		    const uint8_t sqn[6], const uint8_t amf[2], struct auth_vector *v);
/* AuC: SQN_MS from AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S checked with AMF 0000. */
int auth_resync(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		const uint8_t auts[14], uint8_t sqn_ms[6]);
/* AuC/VLR: does RES equal XRES(RAND)? 0 or AUTH_EMAC. */
int auth_check_res(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		   const uint8_t *res, size_t res_len);
/* USIM: recover SQN from AUTN and verify MAC-A; on success v holds RES, CK,
 * IK, SRES, Kc (v->autn/rand copied). 0 or AUTH_EMAC. */
int auth_usim_verify(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		     const uint8_t autn[16], uint8_t sqn[6], struct auth_vector *v);
/* USIM: AUTS for SQN_MS (TS 33.102 §6.3.3). */
int auth_usim_auts(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t rand[16],
		   const uint8_t sqn_ms[6], uint8_t auts[14]);

/* c2: SRES = xor of the 32-bit words of RES zero-padded to 128 bits. */
void auth_c2(const uint8_t *res, size_t res_len, uint8_t sres[4]);
/* c3: Kc = CK1 xor CK2 xor IK1 xor IK2 (64-bit halves). */
void auth_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8]);

/* TS 33.102 Annex C.3: the next SQN for a requester with index `ind`:
 * SEQ + 1, IND = ind (ind_len bits). */
uint64_t auth_sqn_next(uint64_t sqn, unsigned ind, unsigned ind_len);

#ifdef __cplusplus
}
#endif
#endif
