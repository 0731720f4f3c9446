/* test_card_txn.c - transactions (abort restores, nested commit, failing
 * commit rolls back with 65 81, failing commands leave no partial writes)
 * and a tiny test applet showing how to add one. */
#include <check.h>
#include <string.h>
#include "common/hex.h"
#include "tests/cardtest.h"
#include "uicckit/applet.h"
#include "uicckit/hooks.h"
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

/* ---- a toolkit hook: one pending REFRESH (UICC reset) until fetched and
 * answered; counts resets; ENVELOPE answers 90 00 */
struct cat {
	int pending, fetched, resets, destroyed;
};

static const uint8_t refresh[] = { 0xd0, 0x09, 0x81, 0x03, 0x01, 0x01, 0x04, 0x82, 0x02, 0x81, 0x82 };

static int cat_command(struct uicc *card, void *ctx, const struct uicc_apdu *a, uint8_t *out,
		       size_t cap, size_t *outlen)
{
	struct cat *c = ctx;

	(void)card;
	switch (a->ins) {
	case 0x12:	/* FETCH */
		if (!c->pending)
			return 0x6985;
		if (a->le != sizeof(refresh))
			return 0x6c00 | sizeof(refresh);
		if (cap < sizeof(refresh))
			return 0x6f00;
		memcpy(out, refresh, sizeof(refresh));
		*outlen = sizeof(refresh);
		c->fetched = 1;
		return 0x9000;
	case 0x14:	/* TERMINAL RESPONSE */
		if (!c->fetched)
			return 0x6985;
		c->pending = c->fetched = 0;
		return 0x9000;
	case 0xc2:
		return 0x9000;
	default:
		return UICC_APPLET_PASS;
	}
}

static size_t cat_pending(struct uicc *card, void *ctx)
{
	struct cat *c = ctx;

	(void)card;
	return c->pending && !c->fetched ? sizeof(refresh) : 0;
}

static void cat_reset(struct uicc *card, void *ctx)
{
	(void)card;
	((struct cat *)ctx)->resets++;
}

static void cat_destroy(void *ctx)
{
	((struct cat *)ctx)->destroyed++;
}

static const struct uicc_hooks cat_ops = {
	.command = cat_command,
	.proactive_len = cat_pending,
	.reset = cat_reset,
	.destroy = cat_destroy,
};

/* The default card without its M2M files: no M2M hooks, so the test's own
 * hook is the only one. */
static struct uicc *card_without_m2m(void)
{
	json_t *p = uicc_profile_default(), *files, *f;
	size_t i;
	struct uicc *c;
	char err[128];

	files = json_object_get(json_array_get(json_object_get(p, "adfs"), 0), "files");
	json_array_foreach(files, i, f)
		if (strcmp(json_string_value(json_object_get(f, "fid")), "FF04") == 0) {
			json_array_remove(files, i);
			break;
		}
	c = uicc_new(p, err, sizeof(err));
	json_decref(p);
	ck_assert_ptr_nonnull(c);
	return c;
}

START_TEST(toolkit_hooks)
{
	struct uicc *c = card_without_m2m();
	struct cat k = { 0, 0, 0, 0 };
	const uint8_t *tp;
	size_t tpl;

	ck_assert(ct_expect(c, "80c2000002d100", "6d00"));	/* no hook yet */
	ck_assert_int_eq(uicc_hooks_add(c, &cat_ops, &k), 0);
	ck_assert(ct_expect(c, "8010000003ffffff", "9000"));	/* TERMINAL PROFILE */
	tp = uicc_terminal_profile(c, &tpl);
	ck_assert_uint_eq(tpl, 3);
	ck_assert_uint_eq(tp[2], 0xff);
	ck_assert(ct_expect(c, "80c2000002d100", "9000"));
	ck_assert(ct_expect(c, "8012000000", "6985"));
	ck_assert(ct_expect(c, "80ee000000", "6d00"));		/* nobody knows it */
	k.pending = 1;
	ck_assert(ct_expect(c, "80f2000c00", "910b"));		/* STATUS signals it */
	ck_assert(ct_expect(c, "8012000000", "6c0b"));
	ck_assert(ct_expect(c, "801200000b", "d009810301010482028182 9000"));
	ck_assert(ct_expect(c, "80f2000c00", "9000"));
	ck_assert(ct_expect(c, "801400000c810301010482028281830100", "9000"));
	/* T=0: 91xx replaces the 90 00 after the last GET RESPONSE */
	k.pending = 1;
	uicc_set_transport(c, UICC_TRANSPORT_T0);
	ck_assert(ct_expect(c, "00a40004023f00", "612c"));
	ck_assert(ct_expect(c, "00c000002c", "622a*910b"));
	ck_assert(ct_expect(c, "00a4000c022fe2", "910b"));
	ck_assert(ct_expect(c, "00b0000001", "98910b"));
	ck_assert(ct_expect(c, "00d6000001ff", "6982"));	/* errors stay errors */
	/* resets are reported */
	uicc_power_on(c, NULL, 0);
	uicc_power_on(c, NULL, 0);
	ck_assert_int_eq(k.resets, 2);
	uicc_free(c);
	ck_assert_int_eq(k.destroyed, 1);
}
END_TEST

static unsigned rsend(struct uicc *c, struct uicc_remote *rs, const char *hex, char *out)
{
	uint8_t a[300], r[300];
	size_t n, rn;

	ck_assert_int_eq(uk_hex_decode(hex, a, sizeof(a), &n), 0);
	rn = uicc_transmit_remote(c, rs, a, n, r, sizeof(r));
	ck_assert_uint_ge(rn, 2);
	uk_hex_encode(r, rn, out);
	return (unsigned)(r[rn - 2] << 8 | r[rn - 1]);
}

START_TEST(remote_session)
{
	struct uicc *c = ct_card();
	static const uint8_t grant[2] = { 0x0a, 0x01 };	/* ADM1 and PIN1 */
	struct uicc_remote *rs = uicc_remote_new(c, grant, 2), *plain = uicc_remote_new(c, NULL, 0);
	char out[700];

	ck_assert_ptr_nonnull(rs);
	/* the terminal sits in EF.ICCID on channel 0 */
	ck_assert(ct_expect(c, "00a4000c022fe2", "9000"));
	/* RFM with ADM1+PIN1 granted: select the USIM, update EF.IMSI, no VERIFY */
	ck_assert_uint_eq(rsend(c, rs, "00a4040c07a0000000871002", out), 0x9000);
	ck_assert_uint_eq(rsend(c, rs, "00a4000c026f07", out), 0x9000);
	ck_assert_uint_eq(rsend(c, rs, "00d6000009082926101160845740", out), 0x9000);
	ck_assert_uint_eq(rsend(c, rs, "00b0000009", out), 0x9000);
	ck_assert_str_eq(out, "0829261011608457409000");
	ck_assert_uint_eq(rsend(c, rs, "0070000001", out), 0x6d00);
	ck_assert_uint_eq(rsend(c, rs, "00a4000402ff01", out), 0x9000);	/* direct: FCP */
	ck_assert_uint_eq(rsend(c, rs, "00b2010400", out), 0x6982);	/* keys: never */
	/* without the grant the same update is refused */
	ck_assert_uint_eq(rsend(c, plain, "00a40804047fff6f07", out), 0x6a82);
	ck_assert_uint_eq(rsend(c, plain, "00a4040c07a0000000871002", out), 0x9000);
	ck_assert_uint_eq(rsend(c, plain, "00a4000c026f07", out), 0x9000);
	ck_assert_uint_eq(rsend(c, plain, "00d6000001ff", out), 0x6982);
	/* the grant did not leak to the terminal, whose context is untouched */
	ck_assert(ct_expect(c, "00d6000001ff", "6982"));
	ck_assert(ct_expect(c, "00b0000001", "98*9000"));
	/* a remote script inside a transaction is atomic with it */
	ck_assert_uint_eq(rsend(c, rs, "00a4000c026f07", out), 0x9000);
	ck_assert_int_eq(uicc_txn_begin(c), 0);
	ck_assert_uint_eq(rsend(c, rs, "00d600000101", out), 0x9000);
	uicc_txn_abort(c);
	ck_assert_uint_eq(rsend(c, rs, "00b0000001", out), 0x9000);
	ck_assert_str_eq(out, "089000");
	uicc_remote_free(rs);
	uicc_remote_free(plain);
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
	tcase_add_test(t, toolkit_hooks);
	tcase_add_test(t, remote_session);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
