/*
 * test_auth.c - MILENAGE (all TS 35.208 sets), the TS 34.108 XOR algorithm,
 * c2/c3 and AKA (vectors, USIM verify, AUTS, resync) against the
 * known-answer files in tests/vectors/.  Any differing byte fails.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/vecfile.h"
#include "uicckit/auth.h"
#include "uicckit/milenage.h"
#include "uicckit/xorauth.h"

#define GET(b, name, buf, n) ck_assert_int_eq(uk_vec_hex(b, name, buf, sizeof(buf)), n)

static struct uk_vec_block *load(const char *file, int *n)
{
	char path[4096];
	struct uk_vec_block *v = NULL;

	*n = uk_vec_load(uk_vec_path(file, path, sizeof(path)), &v);
	ck_assert_msg(*n > 0, "cannot read %s", path);
	return v;
}

START_TEST(milenage_ts35208)
{
	struct milenage *m = milenage_new();
	struct uk_vec_block *v;
	int n, i, sets = 0;

	ck_assert_ptr_nonnull(m);
	v = load("milenage-ts35208.txt", &n);
	for (i = 0; i < n; i++) {
		const struct uk_vec_block *b = &v[i];
		uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16], got[16];
		uint8_t f1[8], f1s[8], f2[8], f3[16], f4[16], f5[6], f5s[6];
		struct milenage_out o;

		if (uk_vec_get(b, "test_set") == NULL || uk_vec_get(b, "OP") == NULL)
			continue;
		GET(b, "K", k, 16);
		GET(b, "RAND", rand, 16);
		GET(b, "SQN", sqn, 6);
		GET(b, "AMF", amf, 2);
		GET(b, "OP", op, 16);
		GET(b, "OPc", opc, 16);
		GET(b, "f1", f1, 8);
		GET(b, "f1star", f1s, 8);
		GET(b, "f2", f2, 8);
		GET(b, "f3", f3, 16);
		GET(b, "f4", f4, 16);
		GET(b, "f5", f5, 6);
		GET(b, "f5star", f5s, 6);
		ck_assert_int_eq(milenage_opc(m, k, op, got), 0);
		ck_assert_mem_eq(got, opc, 16);
		ck_assert_int_eq(milenage_all(m, k, opc, rand, sqn, amf, &o), 0);
		ck_assert_mem_eq(o.mac_a, f1, 8);
		ck_assert_mem_eq(o.mac_s, f1s, 8);
		ck_assert_mem_eq(o.res, f2, 8);
		ck_assert_mem_eq(o.ck, f3, 16);
		ck_assert_mem_eq(o.ik, f4, 16);
		ck_assert_mem_eq(o.ak, f5, 6);
		ck_assert_mem_eq(o.ak_star, f5s, 6);
		sets++;
	}
	ck_assert_int_eq(sets, 20);
	uk_vec_free(v, n);
	milenage_free(m);
}
END_TEST

/* SRES/Kc (c2/c3), AUTN, AUTS through the AKA layer, both OPc and OP. */
START_TEST(aka_milenage)
{
	struct auth_ctx *cx = auth_ctx_new();
	struct uk_vec_block *v;
	int n, i, sets = 0, resync = 0;

	ck_assert_ptr_nonnull(cx);
	v = load("milenage-ts35208.txt", &n);
	for (i = 0; i < n; i++) {
		const struct uk_vec_block *b = &v[i];
		struct auth_keyset ks = { .alg = AUTH_ALG_MILENAGE, .k_len = 16, .op_len = 16 };
		struct auth_vector vec, card;
		uint8_t rand[16], sqn[6], amf[2], sres[4], kc[8], autn[16], auts[14], got[14];
		uint8_t sqn_ms[6], f2[8];
		int withop;

		if (uk_vec_get(b, "test_set") == NULL)
			continue;
		GET(b, "K", ks.k, 16);
		GET(b, "RAND", rand, 16);
		GET(b, "AUTS", auts, 14);
		if (uk_vec_get(b, "SQN_MS") != NULL) {
			/* the extra resync example */
			GET(b, "OPc", ks.op, 16);
			ks.op_is_opc = 1;
			GET(b, "SQN_MS", sqn, 6);
			ck_assert_int_eq(auth_resync(cx, &ks, rand, auts, sqn_ms), 0);
			ck_assert_mem_eq(sqn_ms, sqn, 6);
			ck_assert_int_eq(auth_usim_auts(cx, &ks, rand, sqn, got), 0);
			ck_assert_mem_eq(got, auts, 14);
			resync++;
			continue;
		}
		GET(b, "SQN", sqn, 6);
		GET(b, "AMF", amf, 2);
		GET(b, "SRES", sres, 4);
		GET(b, "Kc", kc, 8);
		GET(b, "AUTN", autn, 16);
		GET(b, "f2", f2, 8);
		for (withop = 0; withop < 2; withop++) {
			if (withop) {
				GET(b, "OP", ks.op, 16);
				ks.op_is_opc = 0;
			} else {
				GET(b, "OPc", ks.op, 16);
				ks.op_is_opc = 1;
			}
			ck_assert_int_eq(auth_gen_vector(cx, &ks, rand, sqn, amf, &vec), 0);
			ck_assert_mem_eq(vec.autn, autn, 16);
			ck_assert_mem_eq(vec.xres, f2, 8);
			ck_assert_uint_eq(vec.xres_len, 8);
			ck_assert_mem_eq(vec.sres, sres, 4);
			ck_assert_mem_eq(vec.kc, kc, 8);
			/* the card accepts it and recovers SQN */
			ck_assert_int_eq(auth_usim_verify(cx, &ks, rand, autn, sqn_ms, &card), 0);
			ck_assert_mem_eq(sqn_ms, sqn, 6);
			ck_assert_mem_eq(card.xres, f2, 8);
			ck_assert_mem_eq(card.ck, vec.ck, 16);
			ck_assert_int_eq(auth_check_res(cx, &ks, rand, f2, 8), 0);
			/* AUTS for SQN_MS = SQN, and the AuC gets SQN back */
			ck_assert_int_eq(auth_usim_auts(cx, &ks, rand, sqn, got), 0);
			ck_assert_mem_eq(got, auts, 14);
			ck_assert_int_eq(auth_resync(cx, &ks, rand, auts, sqn_ms), 0);
			ck_assert_mem_eq(sqn_ms, sqn, 6);
		}
		/* any bit of AUTN's MAC or of AUTS's MAC-S flipped: refused */
		autn[15] ^= 0x01;
		ck_assert_int_eq(auth_usim_verify(cx, &ks, rand, autn, sqn_ms, &card), AUTH_EMAC);
		auts[13] ^= 0x80;
		ck_assert_int_eq(auth_resync(cx, &ks, rand, auts, sqn_ms), AUTH_EMAC);
		f2[0] ^= 1;
		ck_assert_int_eq(auth_check_res(cx, &ks, rand, f2, 8), AUTH_EMAC);
		sets++;
	}
	ck_assert_int_eq(sets, 20);
	ck_assert_int_eq(resync, 1);
	uk_vec_free(v, n);
	auth_ctx_free(cx);
}
END_TEST

START_TEST(xor_ts34108)
{
	struct auth_ctx *cx = auth_ctx_new();
	struct uk_vec_block *v;
	int n, i, sets = 0;

	v = load("xor-ts34108.txt", &n);
	for (i = 0; i < n; i++) {
		const struct uk_vec_block *b = &v[i];
		struct auth_keyset ks = { .alg = AUTH_ALG_XOR, .k_len = 16 };
		struct auth_vector vec, card;
		struct xorauth_out o;
		uint8_t rand[16], sqn[6], amf[2], res[16], ck[16], ik[16], ak[6], mac[8], autn[16];
		uint8_t auts[14], got[14], sres[4], kc[8], sqn_ms[6], res64[8];

		if (uk_vec_get(b, "vector") == NULL)
			continue;
		GET(b, "K", ks.k, 16);
		GET(b, "RAND", rand, 16);
		GET(b, "SQN", sqn, 6);
		GET(b, "AMF", amf, 2);
		GET(b, "RES", res, 16);
		GET(b, "RES64", res64, 8);
		GET(b, "CK", ck, 16);
		GET(b, "IK", ik, 16);
		GET(b, "AK", ak, 6);
		GET(b, "MAC_A", mac, 8);
		GET(b, "AUTN", autn, 16);
		GET(b, "AUTS", auts, 14);
		GET(b, "SRES", sres, 4);
		GET(b, "Kc", kc, 8);
		xorauth_all(ks.k, rand, sqn, amf, &o);
		ck_assert_mem_eq(o.res, res, 16);
		ck_assert_mem_eq(o.ck, ck, 16);
		ck_assert_mem_eq(o.ik, ik, 16);
		ck_assert_mem_eq(o.ak, ak, 6);
		ck_assert_mem_eq(o.mac_a, mac, 8);
		ck_assert_int_eq(auth_gen_vector(cx, &ks, rand, sqn, amf, &vec), 0);
		ck_assert_mem_eq(vec.autn, autn, 16);
		ck_assert_mem_eq(vec.sres, sres, 4);
		ck_assert_mem_eq(vec.kc, kc, 8);
		ck_assert_int_eq(auth_usim_verify(cx, &ks, rand, autn, sqn_ms, &card), 0);
		ck_assert_mem_eq(sqn_ms, sqn, 6);
		ck_assert_int_eq(auth_usim_auts(cx, &ks, rand, sqn, got), 0);
		ck_assert_mem_eq(got, auts, 14);
		ck_assert_int_eq(auth_resync(cx, &ks, rand, auts, sqn_ms), 0);
		ck_assert_mem_eq(sqn_ms, sqn, 6);
		/* a 64-bit RES test card */
		ks.res_len = 8;
		ck_assert_int_eq(auth_gen_vector(cx, &ks, rand, sqn, amf, &vec), 0);
		ck_assert_uint_eq(vec.xres_len, 8);
		ck_assert_mem_eq(vec.xres, res64, 8);
		sets++;
	}
	ck_assert_int_eq(sets, 2);
	uk_vec_free(v, n);
	auth_ctx_free(cx);
}
END_TEST

START_TEST(sqn_next_and_names)
{
	/* TS 33.102 Annex C / auth.md: SEQ + 1, requester's IND (5 bits) */
	ck_assert_uint_eq(auth_sqn_next(1, 0, 5), 32);
	ck_assert_uint_eq(auth_sqn_next(0xff9bb4d0b607ULL, 3, 5), 0xff9bb4d0b623ULL);
	ck_assert_uint_eq(auth_sqn_next(32, 1, 5), 65);
	ck_assert_int_eq(auth_alg_from_name("milenage"), AUTH_ALG_MILENAGE);
	ck_assert_int_eq(auth_alg_from_name("md5"), AUTH_EALG);
	{
		struct auth_ctx *cx = auth_ctx_new();
		struct auth_keyset ks = { .alg = AUTH_ALG_TUAK, .k_len = 16 };
		struct auth_vector vec;
		uint8_t z[16] = { 0 };

		ck_assert_int_eq(auth_gen_vector(cx, &ks, z, z, z, &vec), AUTH_EALG);
		ks.alg = AUTH_ALG_MILENAGE;
		ks.k_len = 32;
		ck_assert_int_eq(auth_gen_vector(cx, &ks, z, z, z, &vec), AUTH_EARG);
		auth_ctx_free(cx);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("vectors");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, milenage_ts35208);
	tcase_add_test(tc, aka_milenage);
	tcase_add_test(tc, xor_ts34108);
	tcase_add_test(tc, sqn_next_and_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
