/* test_card_aka.c - AUTHENTICATE end to end through uicc_transmit() with
 * known-answer vectors: Milenage (TS 35.208 set 1) and the TS 34.108 XOR
 * algorithm; 3G and GSM contexts, T=0, MAC failure, replayed AUTN -> AUTS,
 * and the SQN array committed before the answer. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "common/buf.h"
#include "common/hex.h"
#include "tests/cardtest.h"
#include "tests/vecfile.h"
#include "uicckit/hooks.h"
#include "uicckit/keyset.h"

#define AID "a0000000871002ffffffff8907090000"
#define PIN1_OK "002000010831323334ffffffff"

static struct uk_vec_block *find(struct uk_vec_block *b, int n, const char *key, const char *val)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *v = uk_vec_get(&b[i], key);

		if (v != NULL && strcmp(v, val) == 0)
			return &b[i];
	}
	return NULL;
}

static const char *hx(const struct uk_vec_block *b, const char *name)
{
	const char *v = uk_vec_get(b, name);

	ck_assert_msg(v != NULL, "vector lacks %s", name);
	return v;
}

/* Card with key set 0 active and SQN_MS one step below the vector's SQN
 * in its IND slot, so the vector's SQN is fresh. */
static struct uicc *card_for(const struct uk_vec_block *v, uint8_t alg, uint8_t res_len)
{
	struct uicc *c = ct_card();
	struct uicc_keyset ks;
	uint64_t slots[UICC_SQN_SLOTS], sqn;
	uint8_t b[8];

	memset(&ks, 0, sizeof(ks));
	ks.state = UICC_KS_ACTIVE;
	ks.alg = alg;
	ks.k_len = 16;
	ck_assert_int_eq(uk_vec_hex(v, "K", ks.k, 16), 16);
	ks.opc_len = 16;
	ks.op_is_opc = 1;
	if (alg == UICC_ALG_MILENAGE)
		ck_assert_int_eq(uk_vec_hex(v, "OPc", ks.opc, 16), 16);
	ks.res_len = res_len;
	ks.ind_len = 5;
	ck_assert_int_eq(uicc_keyset_put(c, &ks, 1), 0);
	uicc_keyset_cleanse(&ks);
	ck_assert_int_eq(uk_vec_hex(v, "SQN", b, 6), 6);
	sqn = uk_get_be(b, 6);
	memset(slots, 0, sizeof(slots));
	slots[sqn & 31] = sqn - 32;
	ck_assert_int_eq(uicc_sqn_put(c, 0, slots, 5), 0);
	ck_assert(ct_expect(c, "00a4040c10" AID, "9000"));
	ck_assert(ct_expect(c, PIN1_OK, "9000"));
	return c;
}

struct sqn_store {
	int commits;
	uint64_t slot7;
};

static int sqn_commit(void *ctx, struct uicc *card)
{
	struct sqn_store *s = ctx;
	uint64_t slots[UICC_SQN_SLOTS];
	unsigned ind;

	s->commits++;
	if (uicc_sqn_get(card, 0, slots, &ind) == 0)
		s->slot7 = slots[7];
	return 0;
}

static const struct uicc_store_ops sqn_ops = { sqn_commit };

struct outcomes {
	int n, last[8];
};

static void on_auth(struct uicc *card, void *ctx, unsigned idx, int outcome)
{
	struct outcomes *o = ctx;

	(void)card;
	ck_assert_uint_eq(idx, 0);
	if (o->n < 8)
		o->last[o->n++] = outcome;
}

static const struct uicc_hooks auth_hooks = { .authenticated = on_auth };

START_TEST(milenage_set1)
{
	struct uk_vec_block *vb, *v;
	char path[4096], cmd[256], want[512];
	int n = uk_vec_load(uk_vec_path("milenage-ts35208.txt", path, sizeof(path)), &vb);
	struct uicc *c;
	struct sqn_store st = { 0, 0 };
	struct outcomes oc = { 0, { 0 } };

	ck_assert_int_gt(n, 0);
	v = find(vb, n, "test_set", "1");
	ck_assert_ptr_nonnull(v);
	c = card_for(v, UICC_ALG_MILENAGE, 0);
	uicc_set_store(c, &sqn_ops, &st);
	ck_assert_int_eq(uicc_hooks_add(c, &auth_hooks, &oc), 0);
	snprintf(cmd, sizeof(cmd), "008800812210%s10%s00", hx(v, "RAND"), hx(v, "AUTN"));
	snprintf(want, sizeof(want), "db08%s10%s10%s08%s9000", hx(v, "f2"), hx(v, "f3"), hx(v, "f4"),
		 hx(v, "Kc"));
	ck_assert(ct_expect(c, cmd, want));
	/* the SQN array was committed inside uicc_transmit(), before the answer */
	ck_assert_int_eq(st.commits, 1);
	ck_assert(st.slot7 == 0xff9bb4d0b607ULL);
	/* replayed AUTN: sync failure with AUTS for SQN_MS = that SQN */
	snprintf(want, sizeof(want), "dc0e%s9000", hx(v, "AUTS"));
	ck_assert(ct_expect(c, cmd, want));
	ck_assert_int_eq(st.commits, 1);	/* nothing changed */
	/* MAC failure: 98 62, no data, nothing changes */
	cmd[strlen(cmd) - 4] ^= 1;
	ck_assert(ct_expect(c, cmd, "9862"));
	ck_assert_int_eq(oc.n, 3);
	ck_assert_int_eq(oc.last[0], UICC_AUTH_OK);
	ck_assert_int_eq(oc.last[1], UICC_AUTH_SYNC_FAIL);
	ck_assert_int_eq(oc.last[2], UICC_AUTH_MAC_FAIL);
	/* GSM context */
	snprintf(cmd, sizeof(cmd), "008800801110%s00", hx(v, "RAND"));
	snprintf(want, sizeof(want), "04%s08%s9000", hx(v, "SRES"), hx(v, "Kc"));
	ck_assert(ct_expect(c, cmd, want));
	/* T=0: 61 10 for the AUTS, then GET RESPONSE */
	uicc_set_transport(c, UICC_TRANSPORT_T0);
	snprintf(cmd, sizeof(cmd), "008800812210%s10%s", hx(v, "RAND"), hx(v, "AUTN"));
	ck_assert(ct_expect(c, cmd, "6110"));
	snprintf(want, sizeof(want), "dc0e%s9000", hx(v, "AUTS"));
	ck_assert(ct_expect(c, "00c0000010", want));
	uicc_free(c);
	/* fresh card in T=0: 61 35, then the 53-byte answer */
	c = card_for(v, UICC_ALG_MILENAGE, 0);
	uicc_set_transport(c, UICC_TRANSPORT_T0);
	ck_assert(ct_expect(c, cmd, "6135"));
	snprintf(want, sizeof(want), "db08%s10%s10%s08%s9000", hx(v, "f2"), hx(v, "f3"), hx(v, "f4"),
		 hx(v, "Kc"));
	ck_assert(ct_expect(c, "00c0000035", want));
	uicc_free(c);
	uk_vec_free(vb, n);
}
END_TEST

/* Every TS 35.208 set through the card, with OPc, and set 1 with OP. */
START_TEST(milenage_all_sets)
{
	struct uk_vec_block *vb;
	char path[4096], cmd[256], want[512];
	int n = uk_vec_load(uk_vec_path("milenage-ts35208.txt", path, sizeof(path)), &vb), i, done = 0;
	struct uicc *c;
	struct uicc_keyset ks;

	ck_assert_int_gt(n, 0);
	for (i = 0; i < n; i++) {
		const struct uk_vec_block *v = &vb[i];

		if (uk_vec_get(v, "AUTN") == NULL || uk_vec_get(v, "f2") == NULL)
			continue;
		c = card_for(v, UICC_ALG_MILENAGE, 0);
		snprintf(cmd, sizeof(cmd), "008800812210%s10%s00", hx(v, "RAND"), hx(v, "AUTN"));
		snprintf(want, sizeof(want), "db08%s10%s10%s08%s9000", hx(v, "f2"), hx(v, "f3"),
			 hx(v, "f4"), hx(v, "Kc"));
		ck_assert_msg(ct_expect(c, cmd, want), "set %s", hx(v, "test_set"));
		snprintf(want, sizeof(want), "dc0e%s9000", hx(v, "AUTS"));
		ck_assert_msg(ct_expect(c, cmd, want), "set %s AUTS", hx(v, "test_set"));
		if (strcmp(hx(v, "test_set"), "1") == 0) {
			/* OP instead of OPc: the card derives OPc itself */
			ck_assert_int_eq(uicc_keyset_get(c, 0, &ks), 0);
			ks.op_is_opc = 0;
			ck_assert_int_eq(uk_vec_hex(v, "OP", ks.opc, 16), 16);
			ck_assert_int_eq(uicc_keyset_put(c, &ks, 0), 0);
			uicc_keyset_cleanse(&ks);
			snprintf(cmd, sizeof(cmd), "008800801110%s", hx(v, "RAND"));
			snprintf(want, sizeof(want), "04%s08%s9000", hx(v, "SRES"), hx(v, "Kc"));
			ck_assert(ct_expect(c, cmd, want));
		}
		uicc_free(c);
		done++;
	}
	ck_assert_int_ge(done, 19);
	uk_vec_free(vb, n);
}
END_TEST

START_TEST(xor_vector2)
{
	struct uk_vec_block *vb, *v;
	char path[4096], cmd[256], want[512];
	int n = uk_vec_load(uk_vec_path("xor-ts34108.txt", path, sizeof(path)), &vb);
	struct uicc *c;

	ck_assert_int_gt(n, 0);
	v = find(vb, n, "vector", "2");
	ck_assert_ptr_nonnull(v);
	c = card_for(v, UICC_ALG_XOR, 16);
	snprintf(cmd, sizeof(cmd), "008800812210%s10%s00", hx(v, "RAND"), hx(v, "AUTN"));
	snprintf(want, sizeof(want), "db10%s10%s10%s08%s9000", hx(v, "RES"), hx(v, "CK"), hx(v, "IK"),
		 hx(v, "Kc"));
	ck_assert(ct_expect(c, cmd, want));
	snprintf(want, sizeof(want), "dc0e%s9000", hx(v, "AUTS"));
	ck_assert(ct_expect(c, cmd, want));
	snprintf(cmd, sizeof(cmd), "008800801110%s00", hx(v, "RAND"));
	snprintf(want, sizeof(want), "04%s08%s9000", hx(v, "SRES"), hx(v, "Kc"));
	ck_assert(ct_expect(c, cmd, want));
	uicc_free(c);
	uk_vec_free(vb, n);
}
END_TEST

/* TUAK test set 1 (TS 35.232): RES 32 bit, CK/IK 128 bit, one Keccak
 * iteration; AUTN built from the vector's f5 and f1. */
START_TEST(tuak_set1)
{
	struct uk_vec_block *vb, *v;
	char path[4096], cmd[256], want[512], got[512];
	int n = uk_vec_load(uk_vec_path("tuak-ts35233.txt", path, sizeof(path)), &vb), i;
	struct uicc *c = ct_card();
	struct uicc_keyset ks;
	uint64_t slots[UICC_SQN_SLOTS], sqn;
	uint8_t b[16], ak[6], ck[16], ik[16], kc[8], autn[16], aks[6];
	char autn_hex[33], kc_hex[17], auts6[13];

	ck_assert_int_gt(n, 0);
	v = find(vb, n, "test_set", "1");
	ck_assert_ptr_nonnull(v);
	memset(&ks, 0, sizeof(ks));
	ks.state = UICC_KS_ACTIVE;
	ks.alg = UICC_ALG_TUAK;
	ks.k_len = 16;
	ck_assert_int_eq(uk_vec_hex(v, "K", ks.k, 16), 16);
	ks.opc_len = 32;
	ks.op_is_opc = 1;
	ck_assert_int_eq(uk_vec_hex(v, "TOPc", ks.opc, 32), 32);
	ks.res_len = 4;
	ks.tuak_ck_len = ks.tuak_ik_len = 16;
	ks.tuak_mac_len = 8;
	ks.tuak_keccak_iter = 1;
	ks.ind_len = 5;
	ck_assert_int_eq(uicc_keyset_put(c, &ks, 1), 0);
	uicc_keyset_cleanse(&ks);
	ck_assert_int_eq(uk_vec_hex(v, "SQN", b, 6), 6);
	ck_assert_int_eq(uk_vec_hex(v, "f5", ak, 6), 6);
	for (i = 0; i < 6; i++)
		autn[i] = b[i] ^ ak[i];
	ck_assert_int_eq(uk_vec_hex(v, "AMF", autn + 6, 2), 2);
	ck_assert_int_eq(uk_vec_hex(v, "f1", autn + 8, 8), 8);
	uk_hex_encode(autn, 16, autn_hex);
	sqn = uk_get_be(b, 6);
	memset(slots, 0, sizeof(slots));
	slots[sqn & 31] = sqn - 32;
	ck_assert_int_eq(uicc_sqn_put(c, 0, slots, 5), 0);
	/* Kc = c3(CK, IK), computed here from the vector's CK and IK */
	ck_assert_int_eq(uk_vec_hex(v, "f3", ck, 16), 16);
	ck_assert_int_eq(uk_vec_hex(v, "f4", ik, 16), 16);
	for (i = 0; i < 8; i++)
		kc[i] = ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8];
	uk_hex_encode(kc, 8, kc_hex);
	ck_assert(ct_expect(c, "00a4040c10" AID, "9000"));
	ck_assert(ct_expect(c, PIN1_OK, "9000"));
	snprintf(cmd, sizeof(cmd), "008800812210%s10%s00", hx(v, "RAND"), autn_hex);
	snprintf(want, sizeof(want), "db04%s10%s10%s08%s9000", hx(v, "f2"), hx(v, "f3"),
		 hx(v, "f4"), kc_hex);
	ck_assert(ct_expect(c, cmd, want));
	/* replay: AUTS starts with SQN_MS xor f5* */
	ck_assert_int_eq(uk_vec_hex(v, "f5star", aks, 6), 6);
	for (i = 0; i < 6; i++)
		b[i] ^= aks[i];
	uk_hex_encode(b, 6, auts6);
	ct_send(c, cmd, got, sizeof(got));
	ck_assert_uint_eq(strlen(got), 2 * 18);
	ck_assert(strncmp(got, "dc0e", 4) == 0);
	ck_assert(strncmp(got + 4, auts6, 12) == 0);
	uicc_free(c);
	uk_vec_free(vb, n);
}
END_TEST

START_TEST(kc_only_with_service_27)
{
	struct uk_vec_block *vb, *v;
	char path[4096], cmd[256], want[512];
	int n = uk_vec_load(uk_vec_path("milenage-ts35208.txt", path, sizeof(path)), &vb);
	static const uint8_t no27[11] = { 0x00, 0x08, 0x00, 0x08, 0x23 };
	struct uicc *c;

	v = find(vb, n, "test_set", "1");
	c = card_for(v, UICC_ALG_MILENAGE, 0);
	ck_assert_int_eq(uicc_admin_update_binary(c, "ADF.USIM/EF.UST", 0, no27, sizeof(no27)), 0);
	snprintf(cmd, sizeof(cmd), "008800812210%s10%s00", hx(v, "RAND"), hx(v, "AUTN"));
	snprintf(want, sizeof(want), "db08%s10%s10%s9000", hx(v, "f2"), hx(v, "f3"), hx(v, "f4"));
	ck_assert(ct_expect(c, cmd, want));
	uicc_free(c);
	uk_vec_free(vb, n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("card_aka");
	TCase *t = tcase_create("aka");
	SRunner *r;
	int failed;

	tcase_add_test(t, milenage_set1);
	tcase_add_test(t, milenage_all_sets);
	tcase_add_test(t, xor_vector2);
	tcase_add_test(t, tuak_set1);
	tcase_add_test(t, kc_only_with_service_27);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
