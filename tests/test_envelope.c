/* test_envelope.c - ENVELOPE (SMS-PP download), proactive SEND SHORT MESSAGE
 * and TERMINAL RESPONSE against ota-sms-transport.md §6.1/§6.2/§6.3 (the
 * §6.3 exchange is a real-card capture); malformed inputs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/hex.h"
#include "uicckit/envelope.h"

static const char *tpdu_61 =
	"44 05 91 21 43 F5 7F F6 62 11 22 01 00 00 00 3D 02 70 00"
	"00 38 15 16 19 12 12 B0 00 01 1A 42 D6 C0 24 A0 58 2A 41 40 E8 50 0E 21 10 4F C9 19 95 72 B8"
	"8F 09 CB 2B 0E 80 BE 3D 43 1A 40 2F 5D A6 64 D4 17 F4 24 FD 49 66 76 72 D4 5E C7";
static const char *tpdu_62a =
	"40 05 91 21 43 F5 7F F6 62 11 22 01 00 00 00 8C 07 00 03 2A 02 01 70 00"
	"00 B8 15 16 39 15 15 B0 00 01 4B 4A 71 B1 D9 72 E8 4A FB 69 73 06 A1 88 20 B2 72 73 AC F2 EC 68"
	"56 06 AC 4F DF 22 40 63 18 13 82 67 39 39 AD 25 30 AD 60 6A 0E 4B 59 58 63 23 ED 4E 37 61 91 AE"
	"C7 38 04 EB 38 73 36 9F E2 B5 62 66 69 6D 46 60 4D B7 6A B6 63 BB 10 47 80 D9 92 BA 10 1A 73 96"
	"4B 37 44 8D 3A F9 EB 1B 32 D0 F7 38 DC 0E B9 7F 36 65 1A E9 50 CB 4C 6F 21 9D 03 26 03 D7 C9 9C"
	"DC A3 C2 21";
static const char *tpdu_62b =
	"44 05 91 21 43 F5 7F F6 62 11 22 01 00 00 00 3C 05 00 03 2A 02 02"
	"AE 17 48 2C 4D 03 8A D5 7A 97 2F 0D 2A 99 79 21 2A D5 53 7D D5 81 4F 57 2D 17 D1 80 9D 82 14 3A"
	"B4 08 25 3B 9B 4B 3A EA 90 D1 10 5A 02 EA 0C D8 C6 41 95 56 D9 19";
/* §6.3, asterix real-card capture */
static const char *env_63 =
	"80 C2 00 00 3C D1 3A 82 02 83 81 8B 34"
	"44 03 81 19 F0 7F F6 15 11 24 13 58 22 04 25"
	"02 70 00 00 20 11 15 35 15 15 C0 00 00 4D 5C 2C 7F 43 D3 E7 74 31 6C 66 CE 8E 1D 50 45 75 5B AC EF 5D C8 32 03";
static const char *fetch_62 =
	"D0 36 81 03 01 13 00 82 02 81 83 8B 2B"
	"41 00 05 91 21 43 F5 7F F6 21"
	"02 71 00 00 1C 12 B0 00 01 98 34 3B 19 FE 88 1B 0C 88 EB 6B 17 E6 5A 71 9C 96 07 F0 6A AC 01 EB 41";
static const char *fetch_63 =
	"D0 47 81 03 01 13 00 82 02 81 83 05 00 8B 3A"
	"41 00 03 81 19 F0 00 F6 31"
	"02 71 00 00 2C 0E C0 00 00 88 8B 39 C3 61 C6 6D 5F 3D C4 EF CE F5 08 CC 22 80 21 DD 34 E5 77 B1 47"
	"E5 4E FF 18 B3 92 2C 91 76 64 4E 2E 8A A9 A6 95";

static size_t hx(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	ck_assert_int_eq(uk_hex_decode(s, out, cap, &n), 0);
	return n;
}

static void check_env(const char *tpdu_hex, const char *hdr_hex)
{
	uint8_t tp[300], want[400], out[400];
	struct ota_sms_addr smsc;
	struct ota_env_sms_pp e;
	const uint8_t *data;
	size_t tn = hx(tpdu_hex, tp, sizeof(tp)), hn, on, dn;

	hn = hx(hdr_hex, want, sizeof(want));
	memcpy(want + hn, tp, tn);
	ck_assert_int_eq(ota_sms_addr_set(&smsc, "+4477001", 0), 0);
	ck_assert_int_eq(ota_env_sms_pp_build(tp, tn, &smsc, 0, out, sizeof(out), &on), 0);
	ck_assert_uint_eq(on, hn + tn);
	ck_assert_mem_eq(out, want, on);
	ck_assert_int_eq(ota_env_apdu_data(out, on, &data, &dn), 0);
	ck_assert_uint_eq(dn, on - 5);
	ck_assert_int_eq(ota_env_sms_pp_parse(data, dn, &e), 0);
	ck_assert_uint_eq(e.src, 0x83);
	ck_assert_uint_eq(e.dst, 0x81);
	ck_assert_int_eq(e.has_addr, 1);
	ck_assert_str_eq(e.addr.digits, "4477001");
	ck_assert_uint_eq(e.addr.ton_npi, 0x91);
	ck_assert_uint_eq(e.tpdu_len, tn);
	ck_assert_mem_eq(e.tpdu, tp, tn);
}

START_TEST(env_61_62)
{
	check_env(tpdu_61, "80 C2 00 00 5C D1 5A 82 02 83 81 86 05 91 44 77 00 F1 8B 4D");
	check_env(tpdu_62a, "80 C2 00 00 AD D1 81 AA 82 02 83 81 86 05 91 44 77 00 F1 8B 81 9C");
	check_env(tpdu_62b, "80 C2 00 00 5B D1 59 82 02 83 81 86 05 91 44 77 00 F1 8B 4C");
}
END_TEST

START_TEST(env_63_real_card)
{
	uint8_t in[200], out[200];
	struct ota_env_sms_pp e;
	struct ota_sms_deliver d;
	const uint8_t *data;
	size_t n = hx(env_63, in, sizeof(in)), dn, on;

	ck_assert_int_eq(ota_env_apdu_data(in, n, &data, &dn), 0);
	ck_assert_int_eq(ota_env_sms_pp_parse(data, dn, &e), 0);
	ck_assert_int_eq(e.has_addr, 0);
	ck_assert_uint_eq(e.tpdu_len, 0x34);
	ck_assert_int_eq(ota_sms_deliver_parse(e.tpdu, e.tpdu_len, &d), 0);
	ck_assert_str_eq(d.oa.digits, "910");
	ck_assert_uint_eq(d.first, 0x44);
	/* rebuilt without an address TLV: same bytes; with Le appended */
	ck_assert_int_eq(ota_env_sms_pp_build(e.tpdu, e.tpdu_len, NULL, 0, out, sizeof(out), &on), 0);
	ck_assert_uint_eq(on, n);
	ck_assert_mem_eq(out, in, n);
	ck_assert_int_eq(ota_env_sms_pp_build(e.tpdu, e.tpdu_len, NULL, OTA_ENV_LE, out, sizeof(out),
					      &on), 0);
	ck_assert_uint_eq(on, n + 1);
	ck_assert_uint_eq(out[n], 0x00);
	ck_assert_int_eq(ota_env_apdu_data(out, on, &data, &dn), 0);
	ck_assert_uint_eq(dn, n - 5);
}
END_TEST

START_TEST(env_lenient_forms)
{
	uint8_t in[64];
	struct ota_env_sms_pp e;
	size_t n;

	/* tags without the CR bit, TPDU first, an unknown non-CR TLV (0x2F) */
	n = hx("D1 0F 0B 03 00 01 02 2F 01 AA 06 01 91 02 02 83 81", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), 0);
	ck_assert_uint_eq(e.tpdu_len, 3);
	ck_assert_int_eq(e.has_addr, 1);
	ck_assert_str_eq(e.addr.digits, "");
	/* unknown CR TLV */
	n = hx("D1 0A 82 02 83 81 AF 01 AA 8B 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_UNKNOWN_CR);
	/* missing pieces */
	n = hx("D1 04 82 02 83 81", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_NO_TPDU);
	n = hx("D1 03 8B 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_NO_DEVID);
	n = hx("D1 07 82 02 81 83 8B 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_DEVID);
	n = hx("D1 08 82 03 83 81 00 8B 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_DEVID);
	n = hx("D1 0A 82 02 83 81 82 02 83 81 8B 00", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_DUP);
	/* framing */
	n = hx("D0 07 82 02 83 81 8B 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_TAG);
	n = hx("D1 07 82 02 83 81 8B 01 00 00", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_TRAILING);
	n = hx("D1 08 82 02 83 81 8B 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_TRUNC);
	n = hx("D1 07 82 02 83 81 8B 02 00", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_TRUNC);
	n = hx("D1 80", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_LEN);
	n = hx("D1 08 82 02 83 81 8B 81 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_env_sms_pp_parse(in, n, &e), OTA_ENV_E_LEN);
	ck_assert_int_eq(ota_env_sms_pp_parse(in, 0, &e), OTA_ENV_E_TRUNC);
	/* APDU header */
	{
		const uint8_t *d;
		size_t dn;

		n = hx("00 C2 00 00 01 D1", in, sizeof(in));
		ck_assert_int_eq(ota_env_apdu_data(in, n, &d, &dn), OTA_ENV_E_HEADER);
		n = hx("80 C2 00 00 02 D1", in, sizeof(in));
		ck_assert_int_eq(ota_env_apdu_data(in, n, &d, &dn), OTA_ENV_E_TRUNC);
		n = hx("80 C2 00 00 01 D1 00 00", in, sizeof(in));
		ck_assert_int_eq(ota_env_apdu_data(in, n, &d, &dn), OTA_ENV_E_TRAILING);
		ck_assert_int_eq(ota_env_apdu_data(in, 4, &d, &dn), OTA_ENV_E_TRUNC);
	}
}
END_TEST

START_TEST(env_too_long)
{
	uint8_t tp[300], out[400];
	size_t on;

	memset(tp, 0, sizeof(tp));
	ck_assert_int_eq(ota_env_sms_pp_build(tp, 250, NULL, 0, out, sizeof(out), &on),
			 OTA_ENV_E_TOO_LONG);
	ck_assert_int_eq(ota_env_sms_pp_build(tp, 240, NULL, 0, out, sizeof(out), &on), 0);
	ck_assert_uint_eq(on, 5 + 3 + 4 + 3 + 240);
	ck_assert_int_eq(ota_env_sms_pp_build(tp, 240, NULL, 0, out, 100, &on), OTA_ENV_E_NOSPACE);
}
END_TEST

START_TEST(fetch_62_63)
{
	uint8_t in[200], out[200];
	struct ota_cat_send_sms p;
	struct ota_sms_submit s;
	const uint8_t *por;
	size_t n = hx(fetch_62, in, sizeof(in)), pn, on;

	ck_assert_int_eq(ota_cat_send_sms_parse(in, n, &p), 0);
	ck_assert_uint_eq(p.number, 1);
	ck_assert_uint_eq(p.qualifier, 0);
	ck_assert_int_eq(p.has_alpha, 0);
	ck_assert_int_eq(p.has_addr, 0);
	ck_assert_int_eq(ota_cat_send_sms_por(in, n, &s, &por, &pn), 0);
	ck_assert_uint_eq(pn, 33);
	ck_assert_uint_eq(por[0], 0x02);
	ck_assert_uint_eq(por[1], 0x71);
	ck_assert_uint_eq(por[32], 0x41);
	ck_assert_str_eq(s.da.digits, "12345");
	ck_assert_int_eq(ota_cat_send_sms_build(1, 0, NULL, 0, NULL, p.tpdu, p.tpdu_len, out,
						sizeof(out), &on), 0);
	ck_assert_uint_eq(on, n);
	ck_assert_mem_eq(out, in, n);

	n = hx(fetch_63, in, sizeof(in));
	ck_assert_int_eq(ota_cat_send_sms_parse(in, n, &p), 0);
	ck_assert_int_eq(p.has_alpha, 1);
	ck_assert_uint_eq(p.alpha_len, 0);
	ck_assert_int_eq(ota_cat_send_sms_por(in, n, &s, &por, &pn), 0);
	ck_assert_uint_eq(pn, 49);
	ck_assert_uint_eq(s.pid, 0);
	ck_assert_int_eq(ota_cat_send_sms_build(1, 0, (const uint8_t *)"", 0, NULL, p.tpdu, p.tpdu_len,
						out, sizeof(out), &on), 0);
	ck_assert_uint_eq(on, n);
	ck_assert_mem_eq(out, in, n);

	/* with an SMSC address */
	{
		struct ota_sms_addr a;

		ck_assert_int_eq(ota_sms_addr_set(&a, "+4477001", 0), 0);
		ck_assert_int_eq(ota_cat_send_sms_build(2, 0, NULL, 0, &a, p.tpdu, p.tpdu_len, out,
							sizeof(out), &on), 0);
		ck_assert_int_eq(ota_cat_send_sms_parse(out, on, &p), 0);
		ck_assert_int_eq(p.has_addr, 1);
		ck_assert_str_eq(p.addr.digits, "4477001");
		ck_assert_uint_eq(p.number, 2);
	}
}
END_TEST

START_TEST(fetch_malformed)
{
	uint8_t in[64];
	struct ota_cat_send_sms p;
	const uint8_t *por;
	size_t n, pn;

	n = hx("D0 0C 81 03 01 21 00 82 02 81 02 8B 01 00", in, sizeof(in));	/* DISPLAY TEXT */
	ck_assert_int_eq(ota_cat_send_sms_parse(in, n, &p), OTA_ENV_E_CMD);
	n = hx("D0 07 82 02 81 83 8B 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_cat_send_sms_parse(in, n, &p), OTA_ENV_E_CMD);
	n = hx("D0 08 81 03 01 13 00 8B 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_cat_send_sms_parse(in, n, &p), OTA_ENV_E_NO_DEVID);
	n = hx("D0 09 81 03 01 13 00 82 02 81 83", in, sizeof(in));
	ck_assert_int_eq(ota_cat_send_sms_parse(in, n, &p), OTA_ENV_E_NO_TPDU);
	n = hx("D0 0C 81 03 01 13 00 82 02 83 81 8B 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_cat_send_sms_parse(in, n, &p), OTA_ENV_E_DEVID);
	/* SEND SMS with a TPDU that is a DELIVER, and one without UDH */
	n = hx("D0 0C 81 03 01 13 00 82 02 81 83 8B 01 00", in, sizeof(in));
	ck_assert_int_eq(ota_cat_send_sms_por(in, n, NULL, &por, &pn), OTA_SMS_E_MTI);
	n = hx("D0 14 81 03 01 13 00 82 02 81 83 8B 09 01 00 01 81 F1 00 F6 01 AA", in, sizeof(in));
	ck_assert_int_eq(ota_cat_send_sms_por(in, n, NULL, &por, &pn), OTA_SMS_E_NO_UDH);
	n = hx("D0 17 81 03 01 13 00 82 02 81 83 8B 0C 41 00 01 81 F1 00 F6 04 02 70 00 AA", in,
	       sizeof(in));
	ck_assert_int_eq(ota_cat_send_sms_por(in, n, NULL, &por, &pn), OTA_SMS_E_NO_PI);
}
END_TEST

START_TEST(terminal_response)
{
	uint8_t out[32], want[32];
	size_t on, wn = hx("80 14 00 00 0C 81 03 01 13 00 82 02 82 81 83 01 00", want, sizeof(want));

	ck_assert_int_eq(ota_cat_terminal_response_build(1, 0x13, 0, (const uint8_t *)"\x00", 1, out,
							 sizeof(out), &on), 0);
	ck_assert_uint_eq(on, wn);
	ck_assert_mem_eq(out, want, wn);
	ck_assert_int_eq(ota_cat_terminal_response_build(1, 0x13, 0, NULL, 0, out, sizeof(out), &on),
			 OTA_ENV_E_ARG);
	ck_assert_int_eq(ota_cat_terminal_response_build(1, 0x13, 0, (const uint8_t *)"\x00", 1, out,
							 10, &on), OTA_ENV_E_NOSPACE);
	ck_assert_str_ne(ota_env_strerror(OTA_ENV_E_NO_TPDU), ota_env_strerror(OTA_ENV_E_NO_DEVID));
}
END_TEST

START_TEST(sw_actions)
{
	uint8_t fcs = 0, xx = 0;

	ck_assert_int_eq(ota_env_sw_action(0x9000, &fcs, &xx), OTA_ENV_ACT_ACK);
	ck_assert_int_eq(ota_env_sw_action(0x9138, &fcs, &xx), OTA_ENV_ACT_ACK_FETCH);
	ck_assert_uint_eq(xx, 0x38);
	ck_assert_int_eq(ota_env_sw_action(0x6129, &fcs, &xx), OTA_ENV_ACT_GET_RESPONSE);
	ck_assert_uint_eq(xx, 0x29);
	ck_assert_int_eq(ota_env_sw_action(0x9f29, NULL, NULL), OTA_ENV_ACT_GET_RESPONSE);
	ck_assert_int_eq(ota_env_sw_action(0x6200, &fcs, NULL), OTA_ENV_ACT_ERROR_DATA);
	ck_assert_uint_eq(fcs, 0xd5);
	ck_assert_int_eq(ota_env_sw_action(0x9300, &fcs, NULL), OTA_ENV_ACT_BUSY);
	ck_assert_uint_eq(fcs, 0xd4);
	ck_assert_int_eq(ota_env_sw_action(0x6f00, &fcs, NULL), OTA_ENV_ACT_ERROR);
	ck_assert_uint_eq(fcs, 0xff);
	ck_assert_str_eq(ota_env_action_name(OTA_ENV_ACT_BUSY), "RP-ERROR (U)SIM toolkit busy");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("envelope");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, env_61_62);
	tcase_add_test(tc, env_63_real_card);
	tcase_add_test(tc, env_lenient_forms);
	tcase_add_test(tc, env_too_long);
	tcase_add_test(tc, fetch_62_63);
	tcase_add_test(tc, fetch_malformed);
	tcase_add_test(tc, terminal_response);
	tcase_add_test(tc, sw_actions);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
