/* test_card_pin.c - VERIFY / CHANGE / DISABLE / ENABLE / UNBLOCK PIN, retry
 * counters persisted before the answer (anti-tearing), failing stores. */
#include <check.h>
#include <string.h>
#include "tests/cardtest.h"

#define AID "a0000000871002ffffffff8907090000"
#define PIN1_OK "002000010831323334ffffffff"
#define PIN1_BAD "002000010839393939ffffffff"

/* A store that records, at every commit, PIN1's retry counter as the
 * committed image shows it. */
struct rec_store {
	int commits;
	int retries[16];
	int fail;	/* fail every commit while set */
};

static int pin_retries(json_t *img, const char *ref)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(img, "pins"), i, p)
		if (strcmp(json_string_value(json_object_get(p, "ref")), ref) == 0)
			return (int)json_integer_value(json_object_get(p, "retries"));
	return -1;
}

static int rec_commit(void *ctx, struct uicc *card)
{
	struct rec_store *s = ctx;
	json_t *img;

	if (s->fail)
		return -1;
	img = uicc_to_json(card);
	if (s->commits < 16)
		s->retries[s->commits] = pin_retries(img, "01");
	s->commits++;
	json_decref(img);
	return 0;
}

static const struct uicc_store_ops rec_ops = { rec_commit };

START_TEST(verify_counts_down_and_blocks)
{
	struct uicc *c = ct_card();

	ck_assert(ct_expect(c, "0020000100", "63c3"));
	ck_assert(ct_expect(c, PIN1_BAD, "63c2"));
	ck_assert(ct_expect(c, PIN1_BAD, "63c1"));
	ck_assert(ct_expect(c, PIN1_OK, "9000"));		/* restores to 3 */
	ck_assert(ct_expect(c, "0020000100", "9000"));		/* verified */
	ck_assert(ct_expect(c, PIN1_BAD, "63c2"));
	ck_assert(ct_expect(c, "0020000100", "63c2"));		/* verification lost */
	ck_assert(ct_expect(c, PIN1_BAD, "63c1"));
	ck_assert(ct_expect(c, PIN1_BAD, "63c0"));
	ck_assert(ct_expect(c, PIN1_OK, "6983"));		/* blocked */
	ck_assert(ct_expect(c, "0020000100", "6983"));
	/* UNBLOCK: PUK tries query, wrong PUK, right PUK + new PIN */
	ck_assert(ct_expect(c, "002c000100", "63ca"));
	ck_assert(ct_expect(c, "002c0001103131313131313131 31313131ffffffff", "63c9"));
	ck_assert(ct_expect(c, "002c0001103132333435363738 3131313131ffffff", "9000"));
	ck_assert(ct_expect(c, "002c000100", "63ca"));
	ck_assert(ct_expect(c, "0020000100", "9000"));
	ck_assert(ct_expect(c, PIN1_OK, "63c2"));
	ck_assert(ct_expect(c, "002000010831313131 31ffffff", "9000"));
	/* bad new PIN format, wrong lengths, references */
	ck_assert(ct_expect(c, "002c0001103132333435363738 31ff3131ffffffff", "6a80"));
	ck_assert(ct_expect(c, "00200001043132333435", "6700"));
	ck_assert(ct_expect(c, "0020000200", "6a88"));		/* PIN Appl 2 absent */
	ck_assert(ct_expect(c, "0020000900", "6a86"));		/* not a key reference */
	ck_assert(ct_expect(c, "0020010100", "6a86"));
	ck_assert(ct_expect(c, "002c000a00", "6a88"));		/* ADM1 has no PUK */
	uicc_free(c);
}
END_TEST

START_TEST(change_disable_enable)
{
	struct uicc *c = ct_card();

	ck_assert(ct_expect(c, "0024000110 39393939ffffffff 35353535ffffffff", "63c2"));
	ck_assert(ct_expect(c, "0024000110 31323334ffffffff 35353535ffffffff", "9000"));
	ck_assert(ct_expect(c, "0024000110 35353535ffffffff 3535ffffffffffff", "6a80"));
	ck_assert(ct_expect(c, PIN1_OK, "63c2"));
	ck_assert(ct_expect(c, "002000010835353535ffffffff", "9000"));
	/* PS_DO of the ADF: PIN1 (b8) enabled */
	ck_assert(ct_expect(c, "00a4040410" AID, "*c60c9001e0*"));
	ck_assert(ct_expect(c, "002600010835353535ffffffff", "9000"));
	ck_assert(ct_expect(c, "002600010835353535ffffffff", "6985"));	/* already */
	ck_assert(ct_expect(c, "80f2000000", "*c60c900160*"));
	ck_assert(ct_expect(c, "0024000110 35353535ffffffff 36363636ffffffff", "6985"));
	/* disabled PIN1 satisfies the PIN1 condition after a reset */
	uicc_power_on(c, NULL, 0);
	ck_assert(ct_expect(c, "00a4040c10" AID, "9000"));
	ck_assert(ct_expect(c, "00a4000c026f07", "9000"));
	ck_assert(ct_expect(c, "00b0000009", "08*9000"));
	ck_assert(ct_expect(c, "002800010835353535ffffffff", "9000"));
	ck_assert(ct_expect(c, "00b0000009", "08*9000"));	/* verified by ENABLE */
	uicc_power_on(c, NULL, 0);
	ck_assert(ct_expect(c, "00a4040c10" AID, "9000"));
	ck_assert(ct_expect(c, "00a4000c026f07", "9000"));
	ck_assert(ct_expect(c, "00b0000009", "6982"));
	/* ADM1 cannot be disabled; PIN2 and the universal PIN exist */
	ck_assert(ct_expect(c, "0026000a083838383838383838", "6985"));
	ck_assert(ct_expect(c, "0020008100", "63c3"));
	ck_assert(ct_expect(c, "002000810835363738ffffffff", "9000"));
	ck_assert(ct_expect(c, "0020001100", "63c3"));
	uicc_free(c);
}
END_TEST

START_TEST(counter_committed_before_answer)
{
	struct uicc *c = ct_card();
	struct rec_store st;

	memset(&st, 0, sizeof(st));
	uicc_set_store(c, &rec_ops, &st);
	/* wrong PIN: exactly one commit, with the decremented counter, and it
	 * happened inside uicc_transmit(), i.e. before 63C2 was returned */
	ck_assert(ct_expect(c, PIN1_BAD, "63c2"));
	ck_assert_int_eq(st.commits, 1);
	ck_assert_int_eq(st.retries[0], 2);
	/* right PIN: first the decrement (1), then the restore (3) */
	ck_assert(ct_expect(c, PIN1_OK, "9000"));
	ck_assert_int_eq(st.commits, 3);
	ck_assert_int_eq(st.retries[1], 1);
	ck_assert_int_eq(st.retries[2], 3);
	/* a status query writes nothing */
	ck_assert(ct_expect(c, "0020000100", "9000"));
	ck_assert_int_eq(st.commits, 3);
	uicc_free(c);
}
END_TEST

START_TEST(failing_store_reveals_nothing)
{
	struct uicc *c = ct_card();
	struct rec_store st;
	json_t *img;

	memset(&st, 0, sizeof(st));
	st.fail = 1;
	uicc_set_store(c, &rec_ops, &st);
	/* the counter cannot be persisted: no comparison, 65 81, counter kept */
	ck_assert(ct_expect(c, PIN1_OK, "6581"));
	ck_assert(ct_expect(c, PIN1_BAD, "6581"));
	img = uicc_to_json(c);
	ck_assert_int_eq(pin_retries(img, "01"), 3);
	json_decref(img);
	ck_assert(ct_expect(c, "0020000100", "63c3"));		/* not verified */
	st.fail = 0;
	ck_assert(ct_expect(c, PIN1_OK, "9000"));
	uicc_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("card_pin");
	TCase *t = tcase_create("pin");
	SRunner *r;
	int failed;

	tcase_add_test(t, verify_counts_down_and_blocks);
	tcase_add_test(t, change_disable_enable);
	tcase_add_test(t, counter_committed_before_answer);
	tcase_add_test(t, failing_store_reveals_nothing);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
