/* test_card_usim.c - the USIM applet: AUTHENTICATE command checks (TS 31.102
 * §7.1.2): access condition, P1/P2, lengths, contexts, key sets. */
#include <check.h>
#include <string.h>
#include "card/sqn.h"
#include "tests/cardtest.h"
#include "uicckit/keyset.h"

#define AID "a0000000871002ffffffff8907090000"
#define PIN1_OK "002000010831323334ffffffff"
#define RAND "00112233445566778899aabbccddeeff"
#define AUTN "000102030405060708090a0b0c0d0e0f"

static void set_active(struct uicc *c)
{
	struct uicc_keyset ks;

	memset(&ks, 0, sizeof(ks));
	ks.index = 0;
	ks.state = UICC_KS_ACTIVE;
	ks.alg = UICC_ALG_MILENAGE;
	ks.k_len = 16;
	ks.opc_len = 16;
	ks.op_is_opc = 1;
	ks.ind_len = 5;
	ck_assert_int_eq(uicc_keyset_put(c, &ks, 1), 0);
}

START_TEST(authenticate_checks)
{
	struct uicc *c = ct_card();
	static const uint8_t no38[11] = { 0x00, 0x08, 0x00, 0x0c, 0x03 };

	ck_assert(ct_expect(c, "008800812210" RAND "10" AUTN, "6d00"));	/* no USIM selected */
	ck_assert(ct_expect(c, "00a4040c10" AID, "9000"));
	ck_assert(ct_expect(c, "008800812210" RAND "10" AUTN, "6982"));	/* PIN1 */
	ck_assert(ct_expect(c, PIN1_OK, "9000"));
	ck_assert(ct_expect(c, "808800812210" RAND "10" AUTN, "6e00"));
	ck_assert(ct_expect(c, "008801812210" RAND "10" AUTN, "6a86"));
	ck_assert(ct_expect(c, "008800822210" RAND "10" AUTN, "6a86"));
	ck_assert(ct_expect(c, "008800812110" RAND "10" AUTN, "6700"));
	ck_assert(ct_expect(c, "008800812211" RAND "10" AUTN, "6700"));
	ck_assert(ct_expect(c, "00880080 12 10" RAND "00", "6700"));
	ck_assert(ct_expect(c, "008800812210" RAND "10" AUTN, "6985"));	/* no key set */
	ck_assert(ct_expect(c, "008800801110" RAND, "6985"));
	/* GSM context needs UST service 38 */
	ck_assert_int_eq(uicc_admin_update_binary(c, "ADF.USIM/EF.UST", 0, no38, sizeof(no38)), 0);
	ck_assert(ct_expect(c, "008800801110" RAND, "9864"));
	set_active(c);
	uicc_free(c);
}
END_TEST

START_TEST(sqn_annex_c)
{
	struct uicc_sqn_state st;

	memset(&st, 0, sizeof(st));
	st.ind_len = 5;
	/* auth.md §4: 32, 64, 33 are accepted (33 is IND slot 1) */
	ck_assert(uicc_sqn_fresh(&st, 32));
	uicc_sqn_accept(&st, 32);
	ck_assert(uicc_sqn_fresh(&st, 64));
	uicc_sqn_accept(&st, 64);
	ck_assert(uicc_sqn_fresh(&st, 33));
	uicc_sqn_accept(&st, 33);
	ck_assert_uint_eq(uicc_sqn_ms(&st), 64);
	ck_assert(!uicc_sqn_fresh(&st, 33));		/* replay */
	ck_assert(!uicc_sqn_fresh(&st, 64));
	/* 32, 96, 64: 64 goes backwards in slot 0 */
	memset(&st, 0, sizeof(st));
	st.ind_len = 5;
	uicc_sqn_accept(&st, 32);
	uicc_sqn_accept(&st, 96);
	ck_assert(!uicc_sqn_fresh(&st, 64));
	ck_assert(uicc_sqn_fresh(&st, 128));
	/* delta: no jump beyond 2^28 SEQ steps */
	ck_assert(uicc_sqn_fresh(&st, (96 >> 5 << 5) + (UICC_SQN_DELTA << 5)));
	ck_assert(!uicc_sqn_fresh(&st, (96 >> 5 << 5) + ((UICC_SQN_DELTA + 4) << 5)));
	/* no IND bits: a plain counter */
	memset(&st, 0, sizeof(st));
	ck_assert(uicc_sqn_fresh(&st, 1));
	uicc_sqn_accept(&st, 1);
	ck_assert(!uicc_sqn_fresh(&st, 1));
	ck_assert(uicc_sqn_fresh(&st, 2));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("card_usim");
	TCase *t = tcase_create("usim");
	SRunner *r;
	int failed;

	tcase_add_test(t, authenticate_checks);
	tcase_add_test(t, sqn_annex_c);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
