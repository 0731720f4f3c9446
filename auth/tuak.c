/* tuak.c - TS 35.231 TUAK; see include/uicckit/tuak.h. */
#include <string.h>
#include <openssl/crypto.h>

#include "auth/keccak.h"
#include "uicckit/tuak.h"

/* TS 35.231 §6: positions in the 200-byte Keccak input */
enum {
	POS_TOP = 0, POS_INSTANCE = 32, POS_ALGONAME = 33, POS_RAND = 40, POS_AMF = 56,
	POS_SQN = 58, POS_K = 64, POS_PAD1 = 96, POS_PAD2 = 135,
	/* outputs */
	OUT_RES = 0, OUT_CK = 32, OUT_IK = 64, OUT_AK = 96,
};

/* INSTANCE bits, b8 (0x80) first: b8 f1* / f5*, b7 f2345 / f5*, b6..b4
 * output length code, b3 CK 256, b2 IK 256, b1 K 256. */
#define INST_STAR 0x80
#define INST_F2345 0x40
#define INST_CK256 0x04
#define INST_IK256 0x02
#define INST_K256 0x01

static void push(uint8_t *st, size_t pos, const uint8_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		st[pos + i] = v[n - 1 - i];
}

static void pull(const uint8_t *st, size_t pos, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = st[pos + n - 1 - i];
}

/* 64, 128, 256 bits (and 32 for RES) -> the 3-bit length code of b6..b4 */
static int len_code(size_t bytes)
{
	switch (bytes) {
	case 4: return 0x00;
	case 8: return 0x08;
	case 16: return 0x10;
	case 32: return 0x20;
	default: return -1;
	}
}

static int start(uint8_t st[200], const struct tuak_params *p, const uint8_t *k,
		 const uint8_t *topc, uint8_t inst, const uint8_t *rand)
{
	static const uint8_t algoname[7] = { 'T', 'U', 'A', 'K', '1', '.', '0' };

	if (p->k_len != 16 && p->k_len != 32)
		return -1;
	memset(st, 0, 200);
	st[POS_PAD1] = 0x1f;
	st[POS_PAD2] = 0x80;
	push(st, POS_TOP, topc, 32);
	st[POS_INSTANCE] = (uint8_t)(inst | (p->k_len == 32 ? INST_K256 : 0));
	push(st, POS_ALGONAME, algoname, sizeof(algoname));
	if (rand != NULL)
		push(st, POS_RAND, rand, 16);
	push(st, POS_K, k, p->k_len);
	return 0;
}

static void permute(uint8_t st[200], const struct tuak_params *p)
{
	unsigned i, n = p->keccak_iter ? p->keccak_iter : 1;

	for (i = 0; i < n; i++)
		uk_keccak_p1600(st);
}

int tuak_topc(const struct tuak_params *p, const uint8_t *k, const uint8_t top[32],
	      uint8_t topc[32])
{
	uint8_t st[200];

	if (start(st, p, k, top, 0x00, NULL) != 0)
		return -1;
	permute(st, p);
	pull(st, POS_TOP, topc, 32);
	OPENSSL_cleanse(st, sizeof(st));
	return 0;
}

int tuak_f1(const struct tuak_params *p, int star, const uint8_t *k, const uint8_t topc[32],
	    const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2], uint8_t *mac)
{
	uint8_t st[200];
	int code = len_code(p->mac_len);

	if (code < 0 || p->mac_len < 8 ||
	    start(st, p, k, topc, (uint8_t)((star ? INST_STAR : 0) | code), rand) != 0)
		return -1;
	push(st, POS_AMF, amf, 2);
	push(st, POS_SQN, sqn, 6);
	permute(st, p);
	pull(st, OUT_RES, mac, p->mac_len);
	OPENSSL_cleanse(st, sizeof(st));
	return 0;
}

int tuak_f2345(const struct tuak_params *p, const uint8_t *k, const uint8_t topc[32],
	       const uint8_t rand[16], uint8_t *res, uint8_t *ck, uint8_t *ik, uint8_t ak[6])
{
	uint8_t st[200];
	int code = len_code(p->res_len);

	if (code < 0 || (p->ck_len != 16 && p->ck_len != 32) ||
	    (p->ik_len != 16 && p->ik_len != 32))
		return -1;
	if (start(st, p, k, topc,
		  (uint8_t)(INST_F2345 | code | (p->ck_len == 32 ? INST_CK256 : 0) |
			    (p->ik_len == 32 ? INST_IK256 : 0)), rand) != 0)
		return -1;
	permute(st, p);
	pull(st, OUT_RES, res, p->res_len);
	pull(st, OUT_CK, ck, p->ck_len);
	pull(st, OUT_IK, ik, p->ik_len);
	pull(st, OUT_AK, ak, 6);
	OPENSSL_cleanse(st, sizeof(st));
	return 0;
}

int tuak_f5star(const struct tuak_params *p, const uint8_t *k, const uint8_t topc[32],
		const uint8_t rand[16], uint8_t ak_star[6])
{
	uint8_t st[200];

	if (start(st, p, k, topc, INST_STAR | INST_F2345, rand) != 0)
		return -1;
	permute(st, p);
	pull(st, OUT_AK, ak_star, 6);
	OPENSSL_cleanse(st, sizeof(st));
	return 0;
}
