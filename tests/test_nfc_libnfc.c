/*
 * test_nfc_libnfc.c - tools/nfc_libnfc.c over a libnfc test double
 * (tests/fake_libnfc.c): the emulated target's parameters, SELECT MF on
 * the real card, release mapping (libnfc 1.8 reports ETGREL as ECHIP),
 * refusal of non-PN532 chips and of a chip that hands RATS to the host,
 * the 262-byte frame guard, and SIGUSR1 -> flag -> watcher ->
 * nfc_abort_command() -> clean stop.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake_libnfc.h"
#include "tools/nfc_libnfc.h"
#include "tools/nfc_serve.h"
#include "uicckit/uicc.h"

/* The caller-owned stop flag, as uicc-card has it. */
static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void catch_usr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	stop_flag = 0;
}

static struct uicc *new_card(void)
{
	json_t *img = uicc_profile_default();
	char why[200];
	struct uicc *card = uicc_new(img, why, sizeof why);

	json_decref(img);
	ck_assert_msg(card != NULL, "uicc_new: %s", why);
	uicc_set_transport(card, UICC_TRANSPORT_DIRECT);
	return card;
}

static void fake_init(struct fake_nfc *f, const struct fake_ev *s, size_t n)
{
	memset(f, 0, sizeof *f);
	f->name = "PN532 board - PN532 v1.6";
	f->target_14443a = 1;
	f->script = s;
	f->n = n;
	atomic_init(&f->aborts, 0);
	atomic_init(&f->abort_flag, 0);
}

/* Opens the fake, serves a real card until the script stops, closes. */
static int serve_fake(struct fake_nfc *f, struct uk_nfc_stats *st)
{
	struct uk_nfc_libnfc *d = NULL;
	struct uicc *card = new_card();
	char cs[64], err[512];
	int rc;

	fake_nfc_connstring(f, cs, sizeof cs);
	rc = uk_nfc_libnfc_open(cs, &stop_flag, &d, err, sizeof err);
	ck_assert_msg(rc == 0, "open: %d %s", rc, err);
	ck_assert_str_eq(uk_nfc_libnfc_connstring(d), cs);
	memset(st, 0, sizeof *st);
	rc = uk_nfc_serve(&uk_nfc_uicc_ops, card, &uk_nfc_libnfc_ops, d, NULL,
			  &stop_flag, st);
	uk_nfc_libnfc_close(d);
	uicc_free(card);
	return rc;
}

static void assert_fcp_9000(const struct fake_nfc *f, size_t i)
{
	size_t n = f->sent_len[i];

	ck_assert_uint_ge(n, 4);
	ck_assert_uint_eq(f->sent[i][0], 0x62);	/* TS 102 221 FCP */
	ck_assert_uint_eq(f->sent[i][n - 2], 0x90);
	ck_assert_uint_eq(f->sent[i][n - 1], 0x00);
}

START_TEST(select_mf_release_reselect_and_signal_stop)
{
	static const struct fake_ev s[] = {
		{ FAKE_FRAME, "", 0, 0 },		/* PICC mode: 0 bytes */
		{ FAKE_FRAME, "00A40004023F00", 0, 0 },
		{ FAKE_ERR, NULL, NFC_ECHIP, 0 },	/* DESELECT (ETGREL) */
		{ FAKE_FRAME, "", 0, 0 },
		{ FAKE_FRAME, "00A40004023F00", 0, 0 },
		{ FAKE_ERR, NULL, NFC_ERFTRANS, 0 },	/* field off */
		{ FAKE_BLOCK, NULL, 0, SIGUSR1 },	/* armed; ^C */
	};
	struct fake_nfc f;
	struct uk_nfc_stats st;

	catch_usr1();
	fake_init(&f, s, sizeof s / sizeof s[0]);
	ck_assert_int_eq(serve_fake(&f, &st), 0);
	ck_assert_int_eq(stop_flag, 1);
	ck_assert_uint_ge(atomic_load(&f.aborts), 1);
	ck_assert_uint_eq(f.inits, 3);
	ck_assert_uint_eq(f.nsent, 2);
	assert_fcp_9000(&f, 0);
	assert_fcp_9000(&f, 1);
	ck_assert_uint_eq(st.sessions, 2);
	ck_assert_uint_eq(st.releases, 2);
	ck_assert_uint_eq(f.idles, 1);
	ck_assert_uint_eq(f.closes, 1);

	/* ISO/IEC 14443-3 type A parameters handed to nfc_target_init() */
	ck_assert_int_eq(f.last_target.nm.nmt, NMT_ISO14443A);
	ck_assert_int_eq(f.last_target.nm.nbr, NBR_UNDEFINED);
	ck_assert_uint_eq(f.last_target.nti.nai.szUidLen, 4);
	ck_assert_uint_eq(f.last_target.nti.nai.abtUid[0], 0x08);
	ck_assert_uint_eq(f.last_target.nti.nai.abtUid[1], 0x55);
	ck_assert_uint_eq(f.last_target.nti.nai.abtAtqa[0], 0x00);
	ck_assert_uint_eq(f.last_target.nti.nai.abtAtqa[1], 0x04);
	ck_assert_uint_eq(f.last_target.nti.nai.btSak, 0x20);
	ck_assert_uint_eq(f.last_target.nti.nai.szAtsLen, 1);	/* T0 only */
}
END_TEST

START_TEST(signal_during_a_session_stops_and_powers_off)
{
	static const struct fake_ev s[] = {
		{ FAKE_FRAME, "", 0, 0 },
		{ FAKE_FRAME, "00A40004023F00", 0, 0 },
		{ FAKE_BLOCK, NULL, 0, SIGUSR1 },	/* reader idle; ^C */
	};
	struct fake_nfc f;
	struct uk_nfc_stats st;

	catch_usr1();
	fake_init(&f, s, sizeof s / sizeof s[0]);
	ck_assert_int_eq(serve_fake(&f, &st), 0);
	ck_assert_uint_eq(f.nsent, 1);
	ck_assert_uint_eq(st.sessions, 1);
	ck_assert_uint_eq(st.releases, 0);
	ck_assert_uint_eq(f.inits, 1);
	ck_assert_uint_eq(f.closes, 1);
}
END_TEST

START_TEST(unplugged_device_is_fatal)
{
	static const struct fake_ev s[] = {
		{ FAKE_FRAME, "", 0, 0 },
		{ FAKE_ERR, NULL, NFC_ENOTSUCHDEV, 0 },
	};
	struct fake_nfc f;
	struct uk_nfc_stats st;

	catch_usr1();
	fake_init(&f, s, sizeof s / sizeof s[0]);
	ck_assert_int_eq(serve_fake(&f, &st), UK_NFC_EDEVICE);
	ck_assert_uint_eq(f.inits, 1);
	ck_assert_uint_eq(f.closes, 1);
}
END_TEST

START_TEST(arming_io_errors_give_up_after_three)
{
	static const struct fake_ev s[] = {
		{ FAKE_ERR, NULL, NFC_EIO, 0 },
		{ FAKE_ERR, NULL, NFC_ETGRELEASED, 0 },	/* not counted */
		{ FAKE_ERR, NULL, NFC_EIO, 0 },
		{ FAKE_ERR, NULL, NFC_EIO, 0 },
		{ FAKE_FRAME, "", 0, 0 },		/* never reached */
	};
	struct fake_nfc f;
	struct uk_nfc_stats st;

	catch_usr1();
	fake_init(&f, s, sizeof s / sizeof s[0]);
	ck_assert_int_eq(serve_fake(&f, &st), UK_NFC_EDEVICE);
	ck_assert_uint_eq(f.inits, 4);
	ck_assert_uint_eq(st.sessions, 0);
}
END_TEST

START_TEST(rats_reaching_the_host_is_refused)
{
	/* A chip not doing ISO 14443-4 itself passes RATS (E0 80) up. */
	static const struct fake_ev s[] = {
		{ FAKE_FRAME, "E080", 0, 0 },
	};
	struct fake_nfc f;
	struct uk_nfc_stats st;

	catch_usr1();
	fake_init(&f, s, sizeof s / sizeof s[0]);
	ck_assert_int_eq(serve_fake(&f, &st), UK_NFC_ENOSUPPORT);
	ck_assert_uint_eq(f.nsent, 0);
	ck_assert_uint_eq(st.sessions, 0);
}
END_TEST

START_TEST(non_pn532_devices_are_refused_by_name)
{
	struct fake_nfc pn533, felica_only;
	struct uk_nfc_libnfc *d = NULL;
	char cs[64], err[512];

	fake_init(&pn533, NULL, 0);
	pn533.name = "SCM Micro / SCL3711-NFC&RW - PN533 v2.7";
	fake_nfc_connstring(&pn533, cs, sizeof cs);
	ck_assert_int_eq(uk_nfc_libnfc_open(cs, NULL, &d, err, sizeof err),
			 UK_NFC_ENOSUPPORT);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(err, "PN533 v2.7") && strstr(err, cs),
		      "message: %s", err);
	ck_assert_uint_eq(pn533.closes, 1);

	fake_init(&felica_only, NULL, 0);
	felica_only.target_14443a = 0;
	fake_nfc_connstring(&felica_only, cs, sizeof cs);
	ck_assert_int_eq(uk_nfc_libnfc_open(cs, NULL, &d, err, sizeof err),
			 UK_NFC_ENOSUPPORT);
	ck_assert_ptr_null(d);
}
END_TEST

START_TEST(no_device_names_what_was_tried)
{
	struct uk_nfc_libnfc *d = NULL;
	char err[512];

	ck_assert_int_eq(uk_nfc_libnfc_open("pn532_uart:/dev/ttyX9", NULL, &d,
					    err, sizeof err), UK_NFC_ENODEV);
	ck_assert_ptr_null(d);
	ck_assert_ptr_nonnull(strstr(err, "'pn532_uart:/dev/ttyX9'"));
	/* no connstring, nothing listed */
	ck_assert_int_eq(uk_nfc_libnfc_open(NULL, NULL, &d, err, sizeof err),
			 UK_NFC_ENODEV);
	ck_assert_ptr_nonnull(strstr(err, "no NFC device found"));
	ck_assert_ptr_nonnull(strstr(err, "LIBNFC_INTRUSIVE_SCAN"));
}
END_TEST

START_TEST(frame_guard_keeps_libnfc_buffers_safe)
{
	static uint8_t big[263];
	struct fake_nfc f;
	struct uk_nfc_libnfc *d = NULL;
	char cs[64], err[512];

	fake_init(&f, NULL, 0);
	fake_nfc_connstring(&f, cs, sizeof cs);
	ck_assert_int_eq(uk_nfc_libnfc_open(cs, NULL, &d, err, sizeof err), 0);
	ck_assert_uint_eq(uk_nfc_libnfc_ops.frame_max, 262);
	ck_assert_int_eq(uk_nfc_libnfc_ops.send(d, big, sizeof big, 0),
			 UK_NFC_EARG);
	ck_assert_uint_eq(f.sends, 0);
	ck_assert_int_eq(uk_nfc_libnfc_ops.send(d, big, 262, 0), 0);
	ck_assert_uint_eq(f.sent_len[0], 262);
	uk_nfc_libnfc_close(d);
	ck_assert_uint_eq(f.closes, 1);
}
END_TEST

static Suite *libnfc_suite(void)
{
	Suite *s = suite_create("nfc_libnfc");
	TCase *tc = tcase_create("backend");

	tcase_add_test(tc, select_mf_release_reselect_and_signal_stop);
	tcase_add_test(tc, signal_during_a_session_stops_and_powers_off);
	tcase_add_test(tc, unplugged_device_is_fatal);
	tcase_add_test(tc, arming_io_errors_give_up_after_three);
	tcase_add_test(tc, rats_reaching_the_host_is_refused);
	tcase_add_test(tc, non_pn532_devices_are_refused_by_name);
	tcase_add_test(tc, no_device_names_what_was_tried);
	tcase_add_test(tc, frame_guard_keeps_libnfc_buffers_safe);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(libnfc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
