/* test_common.c - hex, bounded buffer, BER-TLV/COMPREHENSION-TLV, BCD. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "common/bcd.h"
#include "common/buf.h"
#include "common/hex.h"

START_TEST(hex_roundtrip)
{
	uint8_t b[8];
	size_t n;
	char s[17];

	ck_assert_int_eq(uk_hex_decode("00A4 0004023f00", b, sizeof(b), &n), 0);
	ck_assert_uint_eq(n, 7);
	ck_assert_uint_eq(b[1], 0xa4);
	ck_assert_uint_eq(b[6], 0x00);
	uk_hex_encode(b, n, s);
	ck_assert_str_eq(s, "00a40004023f00");
	ck_assert_int_eq(uk_hex_decode("abc", b, sizeof(b), &n), UK_HEX_ODD);
	ck_assert_int_eq(uk_hex_decode("zz", b, sizeof(b), &n), UK_HEX_BADCHAR);
	ck_assert_int_eq(uk_hex_decode("001122334455667788", b, sizeof(b), &n), UK_HEX_TOOLONG);
	ck_assert_int_eq(uk_hex_decode_exact("0011", b, 3), UK_HEX_BADLEN);
	ck_assert_int_eq(uk_hex_decode_exact("001122", b, 3), UK_HEX_OK);
}
END_TEST

START_TEST(buf_overflow_sticky)
{
	uint8_t m[4];
	struct uk_buf b;

	uk_buf_init(&b, m, sizeof(m));
	uk_buf_put_u16be(&b, 0x1234);
	uk_buf_put_be(&b, 0x010203, 3);
	ck_assert(!uk_buf_ok(&b));
	uk_buf_put_u8(&b, 1);
	ck_assert_uint_eq(b.len, 2);
	ck_assert_uint_eq(m[0], 0x12);
	ck_assert_uint_eq(m[1], 0x34);
}
END_TEST

START_TEST(tlv_parse_and_build)
{
	/* FCP of EF.IMSI from a real card (pySim test data). */
	static const char *fcp =
		"62178202412183026f078a01058b036f060a800200098801 38";
	uint8_t in[64], out[300];
	size_t n, pos = 0, inner;
	struct uk_tlv t;
	struct uk_buf b;
	size_t mark;
	uint8_t big[200];

	ck_assert_int_eq(uk_hex_decode(fcp, in, sizeof(in), &n), 0);
	ck_assert_int_eq(uk_tlv_next(in, n, &pos, &t), 1);
	ck_assert_uint_eq(t.tag, 0x62);
	ck_assert_uint_eq(t.len, 0x17);
	ck_assert_int_eq(uk_tlv_find(t.val, t.len, 0x83, &t), 1);
	ck_assert_uint_eq(t.len, 2);
	ck_assert_uint_eq(t.val[0], 0x6f);
	ck_assert_uint_eq(t.val[1], 0x07);
	/* truncated value */
	pos = 0;
	ck_assert_int_eq(uk_tlv_next(in, n - 1, &pos, &t), UK_TLV_TRUNC);
	/* indefinite length refused */
	in[0] = 0xae; in[1] = 0x80;
	pos = 0;
	ck_assert_int_eq(uk_tlv_next(in, 2, &pos, &t), UK_TLV_BADLEN);
	/* two-byte tag */
	in[0] = 0x9f; in[1] = 0x70; in[2] = 0x01; in[3] = 0x07;
	pos = 0;
	ck_assert_int_eq(uk_tlv_next(in, 4, &pos, &t), 1);
	ck_assert_uint_eq(t.tag, 0x9f70);

	/* nested, with a long inner value forcing a length move */
	memset(big, 0x5a, sizeof(big));
	uk_buf_init(&b, out, sizeof(out));
	mark = uk_tlv_open(&b, 0xaa);
	uk_tlv_put(&b, 0x22, big, 150);
	uk_tlv_close(&b, mark);
	ck_assert(uk_buf_ok(&b));
	ck_assert_uint_eq(out[0], 0xaa);
	ck_assert_uint_eq(out[1], 0x81);
	ck_assert_uint_eq(out[2], 153);
	ck_assert_uint_eq(out[3], 0x22);
	ck_assert_uint_eq(out[4], 0x81);
	ck_assert_uint_eq(out[5], 150);
	ck_assert_uint_eq(b.len, 3 + 153);
	pos = 0;
	ck_assert_int_eq(uk_tlv_next(out, b.len, &pos, &t), 1);
	inner = 0;
	ck_assert_int_eq(uk_tlv_next(t.val, t.len, &inner, &t), 1);
	ck_assert_uint_eq(t.len, 150);
	ck_assert_uint_eq(t.val[149], 0x5a);
}
END_TEST

START_TEST(ctlv_envelope)
{
	/* SMS-PP download ENVELOPE body: device identities, address, TPDU. */
	static const char *env = "d10f82028381860591447700f18b020102";
	uint8_t in[32];
	size_t n, pos = 0;
	struct uk_tlv t, d;

	ck_assert_int_eq(uk_hex_decode(env, in, sizeof(in), &n), 0);
	ck_assert_int_eq(uk_tlv_next(in, n, &pos, &t), 1);
	ck_assert_uint_eq(t.tag, 0xd1);
	ck_assert_int_eq(uk_ctlv_find(t.val, t.len, 0x02, &d), 1);
	ck_assert_uint_eq(d.val[0], 0x83);
	ck_assert_int_eq(uk_ctlv_find(t.val, t.len, 0x0b, &d), 1);
	ck_assert_uint_eq(d.len, 2);
	ck_assert_int_eq(uk_ctlv_find(t.val, t.len, 0x05, &d), 0);
	ck_assert_int_eq(uk_ctlv_find(t.val, t.len - 1, 0x0b, &d), UK_TLV_TRUNC);
}
END_TEST

START_TEST(imsi_codec)
{
	/* TS 31.102 EF.IMSI examples (shared spec digest §9.1). */
	static const struct { const char *imsi, *ef; } v[] = {
		{ "001010123456789", "080910101032547698" },
		{ "00101012345678", "0801101010325476f8" },
		{ "228062800000208", "082982608200002080" },
		{ "262011106487504", "082926101160845740" },
	};
	uint8_t ef[9], want[9];
	char out[16];
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(uk_imsi_encode(v[i].imsi, ef), 0);
		ck_assert_int_eq(uk_hex_decode(v[i].ef, want, 9, &n), 0);
		ck_assert_mem_eq(ef, want, 9);
		ck_assert_int_eq(uk_imsi_decode(ef, 9, out), 0);
		ck_assert_str_eq(out, v[i].imsi);
	}
	ck_assert_int_eq(uk_imsi_encode("12345", ef), -1);
	ck_assert_int_eq(uk_imsi_encode("0010101234567890", ef), -1);
	ck_assert_int_eq(uk_imsi_encode("00101a123456789", ef), -1);
	ef[0] = 9;
	ck_assert_int_eq(uk_imsi_decode(ef, 9, out), -1);
}
END_TEST

START_TEST(iccid_codec)
{
	uint8_t ef[10], want[10];
	char out[21];
	size_t n;

	ck_assert_int_eq(uk_iccid_encode("8988211000000430010", ef), 0);
	ck_assert_int_eq(uk_hex_decode("988812010000400310f0", want, 10, &n), 0);
	ck_assert_mem_eq(ef, want, 10);
	ck_assert_int_eq(uk_iccid_decode(ef, 10, out), 0);
	ck_assert_str_eq(out, "8988211000000430010");
	/* Luhn (ISO/IEC 7812-1): the spec digest's ICCID ends in its check digit. */
	ck_assert_int_eq(uk_luhn_digit("7992739871", 10), '3');
	ck_assert_int_eq(uk_luhn_digit("898821100000043001", 18), '0');
	ck_assert_int_eq(uk_luhn_digit("8988239000000000001", 19), '1');
	ck_assert_int_eq(uk_luhn_digit("12a", 3), -1);
}
END_TEST

static Suite *common_suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, hex_roundtrip);
	tcase_add_test(tc, buf_overflow_sticky);
	tcase_add_test(tc, tlv_parse_and_build);
	tcase_add_test(tc, ctlv_envelope);
	tcase_add_test(tc, imsi_codec);
	tcase_add_test(tc, iccid_codec);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(common_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
