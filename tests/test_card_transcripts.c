/* test_card_transcripts.c - end-to-end APDU transcripts (tests/transcripts/
 * *.txt: `command-hex -> expected-response-hex` lines) run through
 * uicc_transmit(), plus ATR stability over repeated warm resets. */
#include <check.h>
#include <stdio.h>
#include "tests/cardtest.h"

static void run(const char *name)
{
	int fails = ct_transcript(name);

	ck_assert_msg(fails == 0, "%s: %d mismatches (-1 = unreadable)", name, fails);
}

START_TEST(worked_session_t0)
{
	run("worked-session-t0.txt");
}
END_TEST

START_TEST(pysim_startup_t0)
{
	run("pysim-startup-t0.txt");
}
END_TEST

START_TEST(direct_mode)
{
	run("direct-mode.txt");
}
END_TEST

START_TEST(channels)
{
	run("channels.txt");
}
END_TEST

START_TEST(authenticate_t0)
{
	run("authenticate-t0.txt");
}
END_TEST

START_TEST(atr_stable_over_resets)
{
	struct uicc *c = ct_card();
	uint8_t a0[UICC_ATR_MAX], a1[UICC_ATR_MAX];
	size_t n0, n1;
	int i;

	n0 = uicc_power_on(c, a0, sizeof(a0));
	for (i = 0; i < 8; i++) {
		ck_assert(ct_expect(c, "00a40004023f00", "622a*"));
		n1 = uicc_power_on(c, a1, sizeof(a1));
		ck_assert_uint_eq(n0, n1);
		ck_assert_mem_eq(a0, a1, n0);
	}
	uicc_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("card_transcripts");
	TCase *t = tcase_create("transcripts");
	SRunner *r;
	int failed;

	tcase_add_test(t, worked_session_t0);
	tcase_add_test(t, pysim_startup_t0);
	tcase_add_test(t, direct_mode);
	tcase_add_test(t, channels);
	tcase_add_test(t, authenticate_t0);
	tcase_add_test(t, atr_stable_over_resets);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
