/* test_card_apdu.c - APDU codec, class/INS checks, ATR, T=0 vs direct. */
#include <check.h>
#include <string.h>
#include "card/apdu.h"
#include "card/card.h"
#include "tests/cardtest.h"

START_TEST(parse_cases)
{
	struct uicc_apdu a;
	static const uint8_t c1[] = { 0x00, 0xa4, 0x00, 0x04 };
	static const uint8_t c2[] = { 0x00, 0xb0, 0x00, 0x00, 0x00 };
	static const uint8_t c3[] = { 0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00 };
	static const uint8_t c4[] = { 0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00, 0x10 };
	static const uint8_t e2[] = { 0x00, 0xb0, 0x00, 0x00, 0x00, 0x01, 0x00 };
	static const uint8_t e3[] = { 0x00, 0xd6, 0x00, 0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb };
	static const uint8_t e4[] = { 0x00, 0xa4, 0x00, 0x04, 0x00, 0x00, 0x02, 0x3f, 0x00, 0x00, 0x00 };
	static const uint8_t bad1[] = { 0x00, 0xa4, 0x00, 0x04, 0x03, 0x3f, 0x00 };
	static const uint8_t bad2[] = { 0x00, 0xa4, 0x00, 0x04, 0x00, 0x00 };
	static const uint8_t bad3[] = { 0x00, 0xa4, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01 };

	ck_assert_int_eq(uicc_apdu_parse(c1, 4, &a), 0);
	ck_assert(!a.has_le && a.lc == 0);
	ck_assert_int_eq(uicc_apdu_parse(c2, 5, &a), 0);
	ck_assert(a.has_le && a.le == 256 && a.lc == 0);
	ck_assert_int_eq(uicc_apdu_parse(c3, sizeof(c3), &a), 0);
	ck_assert(!a.has_le && a.lc == 2 && a.data[0] == 0x3f);
	ck_assert_int_eq(uicc_apdu_parse(c4, sizeof(c4), &a), 0);
	ck_assert(a.has_le && a.le == 0x10 && a.lc == 2);
	ck_assert_int_eq(uicc_apdu_parse(e2, sizeof(e2), &a), 0);
	ck_assert(a.extended && a.has_le && a.le == 256);
	ck_assert_int_eq(uicc_apdu_parse(e3, sizeof(e3), &a), 0);
	ck_assert(a.extended && !a.has_le && a.lc == 2 && a.data[1] == 0xbb);
	ck_assert_int_eq(uicc_apdu_parse(e4, sizeof(e4), &a), 0);
	ck_assert(a.extended && a.has_le && a.le == 65536 && a.lc == 2);
	ck_assert_int_eq(uicc_apdu_parse(bad1, sizeof(bad1), &a), 0x6700);
	ck_assert_int_eq(uicc_apdu_parse(bad2, sizeof(bad2), &a), 0x6700);
	ck_assert_int_eq(uicc_apdu_parse(bad3, sizeof(bad3), &a), 0x6700);
	ck_assert_int_eq(uicc_apdu_parse(c1, 3, &a), 0x6700);
}
END_TEST

START_TEST(cla_decode)
{
	unsigned ch;
	int prop;

	ck_assert_int_eq(uicc_apdu_cla(0x00, &ch, &prop), 0);
	ck_assert(ch == 0 && !prop);
	ck_assert_int_eq(uicc_apdu_cla(0x83, &ch, &prop), 0);
	ck_assert(ch == 3 && prop);
	ck_assert_int_eq(uicc_apdu_cla(0x4f, &ch, &prop), 0);
	ck_assert_uint_eq(ch, 19);
	ck_assert_int_eq(uicc_apdu_cla(0xc1, &ch, &prop), 0);
	ck_assert(ch == 5 && prop);
	ck_assert_int_eq(uicc_apdu_cla(0xa0, &ch, &prop), 0x6e00);
	ck_assert_int_eq(uicc_apdu_cla(0x04, &ch, &prop), 0x6882);
	ck_assert_int_eq(uicc_apdu_cla(0x10, &ch, &prop), 0x6884);
	ck_assert_int_eq(uicc_apdu_cla(0x60, &ch, &prop), 0x6882);
	ck_assert_int_eq(uicc_apdu_cla(0xff, &ch, &prop), 0x6e00);
}
END_TEST

START_TEST(atr_tck)
{
	struct uicc *c = ct_card();
	uint8_t atr[UICC_ATR_MAX], x = 0;
	size_t n, i;
	static const uint8_t want[] = { 0x3b, 0x9f, 0x96, 0x80, 0x1f, 0x87, 0x80, 0x31, 0xe0,
		0x73, 0xfe, 0x21, 0x1b, 0x67, 0x75, 0x69, 0x63, 0x63, 0x6b, 0x69, 0x74, 0xfa };

	ck_assert_ptr_nonnull(c);
	n = uicc_power_on(c, atr, sizeof(atr));
	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_mem_eq(atr, want, n);
	/* ISO/IEC 7816-3 §8.2.5: XOR of T0..TCK is zero */
	for (i = 1; i < n; i++)
		x ^= atr[i];
	ck_assert_uint_eq(x, 0);
	/* T0 low nibble = number of historical bytes */
	ck_assert_uint_eq(atr[1] & 0x0f, 15);
	ck_assert_uint_eq(uicc_power_on(c, atr, 4), 0);
	uicc_free(c);
}
END_TEST

START_TEST(class_and_ins_errors)
{
	struct uicc *c = ct_card();

	ck_assert(ct_expect(c, "a0a40000023f00", "6e00"));
	ck_assert(ct_expect(c, "00f2000000", "6e00"));	/* STATUS needs CLA 80 */
	ck_assert(ct_expect(c, "80a40004023f00", "6e00"));	/* SELECT needs CLA 00 */
	ck_assert(ct_expect(c, "00ee000000", "6d00"));
	ck_assert(ct_expect(c, "0060000000", "6d00"));
	ck_assert(ct_expect(c, "01a40004023f00", "6881"));	/* channel 1 not open */
	ck_assert(ct_expect(c, "41a40004023f00", "6881"));
	ck_assert(ct_expect(c, "0ca40004023f00", "6882"));
	ck_assert(ct_expect(c, "00a4", "6700"));
	ck_assert(ct_expect(c, "", "6700"));
	ck_assert(ct_expect(c, "00a40004033f00", "6700"));
	uicc_free(c);
}
END_TEST

START_TEST(t0_rules)
{
	struct uicc *c = ct_card();

	uicc_set_transport(c, UICC_TRANSPORT_T0);
	ck_assert(ct_expect(c, "00c0000010", "6985"));	/* nothing pending */
	ck_assert(ct_expect(c, "00a40004023f00", "61??"));
	ck_assert(ct_expect(c, "00c0000004", "622a8202 6128"));	/* partial: 61 rest */
	ck_assert(ct_expect(c, "00c0000030", "6c28"));
	ck_assert(ct_expect(c, "00c0000028", "7821 83023f00 * "));
	ck_assert(ct_expect(c, "00c0000028", "6985"));
	uicc_free(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("card_apdu");
	TCase *t = tcase_create("apdu");

	tcase_add_test(t, parse_cases);
	tcase_add_test(t, cla_decode);
	tcase_add_test(t, atr_tck);
	tcase_add_test(t, class_and_ins_errors);
	tcase_add_test(t, t0_rules);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
