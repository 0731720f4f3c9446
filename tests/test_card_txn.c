/* test_card_txn.c - transactions (abort restores, nested commit, failing
 * commit rolls back with 65 81, failing commands leave no partial writes)
 * and a tiny test applet showing how to add one. */
#include <check.h>
#include <string.h>
#include "tests/cardtest.h"
#include "uicckit/applet.h"
#include "uicckit/keyset.h"

struct cnt_store {
	int commits, fail;
};

static int cnt_commit(void *ctx, struct uicc *card)
{
	struct cnt_store *s = ctx;

	(void)card;
	if (s->fail)
		return -1;
	s->commits++;
	return 0;
}

static const struct uicc_store_ops cnt_ops = { cnt_commit };

static void read_iccid(struct uicc *c, uint8_t out[10])
{
	ck_assert_int_eq(uicc_admin_read_binary(c, "3F00/2FE2", 0, out, 10), 0);
}

START_TEST(abort_restores)
{
	struct uicc *c = ct_card();
	struct cnt_store st = { 0, 0 };
	uint8_t before[10], after[10];
	static const uint8_t x[4] = { 1, 2, 3, 4 };

	uicc_set_store(c, &cnt_ops, &st);
	read_iccid(c, before);
	ck_assert_int_eq(uicc_txn_begin(c), 0);
	ck_assert_int_eq(uicc_admin_update_binary(c, "3F00/2FE2", 0, x, 4), 0);
	ck_assert_int_eq(uicc_admin_update_binary(c, "EF.ICCID", 6, x, 4), 0);
	read_iccid(c, after);
	ck_assert_mem_eq(after, x, 4);
	ck_assert_int_eq(st.commits, 0);	/* nested: nothing committed yet */
	uicc_txn_abort(c);
	read_iccid(c, after);
	ck_assert_mem_eq(after, before, 10);
	ck_assert_int_eq(st.commits, 0);
	/* commit: one store commit for the whole transaction */
	ck_assert_int_eq(uicc_txn_begin(c), 0);
	ck_assert_int_eq(uicc_admin_update_binary(c, "3F00/2FE2", 0, x, 4), 0);
	ck_assert_int_eq(uicc_admin_update_binary(c, "3F00/2FE2", 4, x, 4), 0);
	ck_assert_int_eq(uicc_txn_commit(c), 0);
	ck_assert_int_eq(st.commits, 1);
	ck_assert_int_eq(uicc_txn_commit(c), UICC_EARG);	/* not open */
	uicc_free(c);
}
END_TEST

START_TEST(failing_commit_rolls_back)
{
	struct uicc *c = ct_card();
	struct cnt_store st = { 0, 1 };
	uint8_t before[10], after[10];
	static const uint8_t x[2] = { 0xaa, 0xbb };

	uicc_set_store(c, &cnt_ops, &st);
	read_iccid(c, before);
	ck_assert_int_eq(uicc_admin_update_binary(c, "3F00/2FE2", 0, x, 2), UICC_EIO);
	read_iccid(c, after);
	ck_assert_mem_eq(after, before, 10);
	/* through an APDU: UPDATE BINARY answers 65 81 and changes nothing */
	st.fail = 0;
	ck_assert(ct_expect(c, "0020000a083838383838383838", "9000"));
	ck_assert_int_eq(st.commits, 2);	/* ADM1 counter: decrement, restore */
	st.fail = 1;
	ck_assert(ct_expect(c, "00a4000c022fe2", "9000"));
	ck_assert(ct_expect(c, "00d6000002aabb", "6581"));
	read_iccid(c, after);
	ck_assert_mem_eq(after, before, 10);
	st.fail = 0;
	ck_assert(ct_expect(c, "00d6000002aabb", "9000"));
	ck_assert_int_eq(st.commits, 3);
	read_iccid(c, after);
	ck_assert_mem_eq(after, x, 2);
	/* a command that changes nothing does not commit */
	ck_assert(ct_expect(c, "00b0000002", "aabb9000"));
	ck_assert_int_eq(st.commits, 3);
	uicc_free(c);
}
END_TEST

/* ---- a test applet: how to add one ----
 * INS 01: answer "hello"; INS 02: write EF.PL then fail with 6A80 (the
 * write must be undone); INS 03: write EF.PL and succeed; else: pass. */
struct hello {
	int selected, deselected, installed;
};

static int hello_install(struct uicc *card, void *arg, void **state)
{
	(void)card;
	((struct hello *)arg)->installed++;
	*state = arg;
	return 0;
}

static int hello_select(struct uicc *card, void *state, unsigned chan)
{
	(void)card;
	(void)chan;
	((struct hello *)state)->selected++;
	return 0x9000;
}

static void hello_deselect(struct uicc *card, void *state, unsigned chan)
{
	(void)card;
	(void)chan;
	((struct hello *)state)->deselected++;
}

static int hello_process(struct uicc *card, void *state, const struct uicc_apdu *a,
			 uint8_t *out, size_t cap, size_t *outlen)
{
	static const uint8_t pl[2] = { 0x64, 0x65 };	/* "de" */

	(void)state;
	*outlen = 0;
	switch (a->ins) {
	case 0x01:
		if (cap < 5)
			return 0x6f00;
		memcpy(out, "hello", 5);
		*outlen = 5;
		return 0x9000;
	case 0x02:
		uicc_admin_update_binary(card, "3F00/2F05", 0, pl, 2);
		return 0x6a80;
	case 0x03:
		return uicc_admin_update_binary(card, "3F00/2F05", 0, pl, 2) == 0 ? 0x9000 : 0x6581;
	default:
		return UICC_APPLET_PASS;
	}
}

static const struct uicc_applet_ops hello_ops = {
	.name = "hello",
	.install = hello_install,
	.select = hello_select,
	.deselect = hello_deselect,
	.process = hello_process,
};

START_TEST(test_applet)
{
	struct uicc *c = ct_card();
	struct hello h = { 0, 0, 0 };
	struct cnt_store st = { 0, 0 };
	static const uint8_t aid[] = { 0xd2, 0x76, 0x00, 0x01, 0x18, 0x00, 0x01 };
	uint8_t pl[4];

	uicc_set_store(c, &cnt_ops, &st);
	ck_assert_int_eq(uicc_applet_register(c, aid, sizeof(aid), &hello_ops, &h), 0);
	ck_assert_int_eq(h.installed, 1);
	ck_assert_int_eq(uicc_applet_register(c, aid, sizeof(aid), &hello_ops, &h), UICC_EARG);
	ck_assert(ct_expect(c, "0001000000", "6d00"));		/* not selected */
	ck_assert(ct_expect(c, "00a4040007d2760001180001", "9000"));
	ck_assert_int_eq(h.selected, 1);
	ck_assert(ct_expect(c, "0001000000", "68656c6c6f9000"));
	ck_assert(ct_expect(c, "00a4000c022f05", "9000"));	/* OS still runs SELECT */
	ck_assert(ct_expect(c, "0002000000", "6a80"));
	ck_assert_int_eq(uicc_admin_read_binary(c, "2F05", 0, pl, 4), 0);
	ck_assert_uint_eq(pl[0], 0x65);				/* "en": undone */
	ck_assert_int_eq(st.commits, 0);
	ck_assert(ct_expect(c, "0003000000", "9000"));
	ck_assert_int_eq(uicc_admin_read_binary(c, "2F05", 0, pl, 4), 0);
	ck_assert_uint_eq(pl[0], 0x64);
	ck_assert_int_eq(st.commits, 1);			/* one commit per APDU */
	/* the applet is per channel */
	ck_assert(ct_expect(c, "0070000001", "019000"));
	ck_assert(ct_expect(c, "0101000000", "6d00"));
	ck_assert(ct_expect(c, "00a4040410a0000000871002ffffffff8907090000", "623f*"));
	ck_assert_int_eq(h.deselected, 1);
	ck_assert(ct_expect(c, "0001000000", "6d00"));
	uicc_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("card_txn");
	TCase *t = tcase_create("txn");
	SRunner *r;
	int failed;

	tcase_add_test(t, abort_restores);
	tcase_add_test(t, failing_commit_rolls_back);
	tcase_add_test(t, test_applet);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
