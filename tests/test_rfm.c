/* test_rfm.c - TS 102 226 compact / expanded scripts and responses against
 * rfm.md §2, §3.3 and §8 and the pySim real-card scripts; malformed input. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "common/hex.h"
#include "uicckit/rfm.h"

static size_t hx(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	ck_assert_int_eq(uk_hex_decode(s, out, cap, &n), 0);
	return n;
}

/* rfm.md §8: the 160-byte, 10-command compact IMSI-change script. */
static const char *imsi_cmds[] = {
	"00A4000C026F07",
	"00D6000009080910101032547698",
	"00A4000C026F7E",
	"00D600000BFFFFFFFF00F110FFFEFF01",
	"00A4000C026F73",
	"00D600000EFFFFFFFFFFFFFF00F110FFFEFF01",
	"00A4000C026F08",
	"00D600002107FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
	"00A4000C026F09",
	"00D600002107FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
};

START_TEST(compact_s8)
{
	uint8_t apdu[10][64], out[256], want[256];
	const uint8_t *ap[10];
	size_t lens[10], on, wn = 0, i, pos = 0;
	struct ota_capdu c;
	int rc;

	for (i = 0; i < 10; i++) {
		lens[i] = hx(imsi_cmds[i], apdu[i], sizeof(apdu[i]));
		ap[i] = apdu[i];
		memcpy(want + wn, apdu[i], lens[i]);
		wn += lens[i];
	}
	ck_assert_uint_eq(wn, 160);
	ck_assert_int_eq(ota_rfm_build(OTA_RFM_COMPACT, 0, ap, lens, 10, out, sizeof(out), &on), 0);
	ck_assert_uint_eq(on, 160);
	ck_assert_mem_eq(out, want, 160);
	ck_assert_int_eq(ota_rfm_detect_format(out, on), OTA_RFM_COMPACT);
	for (i = 0; (rc = ota_rfm_compact_next(out, on, &pos, &c)) == 1; i++) {
		ck_assert_uint_lt(i, 10);
		ck_assert_uint_eq(c.raw_len, lens[i]);
		ck_assert_mem_eq(c.raw, apdu[i], lens[i]);
		ck_assert_int_eq(c.apdu_case, 3);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(i, 10);
	/* trailing garbage after the 10 commands */
	out[160] = 0x00;
	out[161] = 0xb0;
	pos = 0;
	for (i = 0; (rc = ota_rfm_compact_next(out, 162, &pos, &c)) == 1; i++)
		;
	ck_assert_int_eq(rc, OTA_RFM_E_TRAILING);
	ck_assert_uint_eq(i, 10);
	/* P3 beyond the end */
	pos = 0;
	for (i = 0; (rc = ota_rfm_compact_next(out, 159, &pos, &c)) == 1; i++)
		;
	ck_assert_int_eq(rc, OTA_RFM_E_TRUNC_DATA);
	ck_assert_uint_eq(i, 9);
}
END_TEST

START_TEST(compact_cases)
{
	uint8_t s[64], out[64];
	struct ota_capdu c;
	size_t n, pos = 0, on;
	const uint8_t *ap[1];
	size_t len[1];

	/* pySim / sysmocom: 2G SELECT DF.GSM, then GET RESPONSE 0x16 (case 2) */
	n = hx("A0A40000027F20A0C0000016", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_compact_next(s, n, &pos, &c), 1);
	ck_assert_int_eq(c.apdu_case, 3);
	ck_assert_uint_eq(c.lc, 2);
	ck_assert_int_eq(ota_rfm_compact_next(s, n, &pos, &c), 1);
	ck_assert_int_eq(c.apdu_case, 2);
	ck_assert_uint_eq(c.le, 0x16);
	ck_assert_uint_eq(c.ins, 0xc0);
	ck_assert_int_eq(ota_rfm_compact_next(s, n, &pos, &c), 0);
	/* READ BINARY with P3 00 = 256 */
	pos = 0;
	n = hx("00B0000000", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_compact_next(s, n, &pos, &c), 1);
	ck_assert_uint_eq(c.le, 256);
	/* STATUS vs GlobalPlatform GET STATUS */
	ck_assert_int_eq(ota_rfm_ins_has_data(0x80, 0xf2, 0x00), 0);
	ck_assert_int_eq(ota_rfm_ins_has_data(0x80, 0xf2, 0x40), 1);
	ck_assert_int_eq(ota_rfm_ins_has_data(0x00, 0xd6, 0x00), 1);
	/* compact builder: case 4 loses its Le, case 1 gets P3 = 00 */
	n = hx("00A40004023F0000", s, sizeof(s));
	ap[0] = s;
	len[0] = n;
	ck_assert_int_eq(ota_rfm_build(OTA_RFM_COMPACT, 0, ap, len, 1, out, sizeof(out), &on), 0);
	ck_assert_uint_eq(on, 7);
	ck_assert_mem_eq(out, s, 7);
	n = hx("80F20000", s, sizeof(s));
	len[0] = n;
	ck_assert_int_eq(ota_rfm_build(OTA_RFM_COMPACT, 0, ap, len, 1, out, sizeof(out), &on), 0);
	ck_assert_uint_eq(on, 5);
	ck_assert_uint_eq(out[4], 0);
	/* a case that contradicts the INS, an extended APDU, a bad APDU */
	n = hx("00A4000400", s, sizeof(s));
	len[0] = n;
	ck_assert_int_eq(ota_rfm_build(OTA_RFM_COMPACT, 0, ap, len, 1, out, sizeof(out), &on),
			 OTA_RFM_E_COMPACT);
	n = hx("00B00000020102", s, sizeof(s));
	len[0] = n;
	ck_assert_int_eq(ota_rfm_build(OTA_RFM_COMPACT, 0, ap, len, 1, out, sizeof(out), &on),
			 OTA_RFM_E_COMPACT);
	n = hx("00B0000000000A", s, sizeof(s));
	len[0] = n;
	ck_assert_int_eq(ota_rfm_build(OTA_RFM_COMPACT, 0, ap, len, 1, out, sizeof(out), &on),
			 OTA_RFM_E_COMPACT);
	n = hx("00A4000403AABB", s, sizeof(s));
	len[0] = n;
	ck_assert_int_eq(ota_rfm_build(OTA_RFM_COMPACT, 0, ap, len, 1, out, sizeof(out), &on),
			 OTA_RFM_E_APDU);
	n = hx("00A4000C026F07", s, sizeof(s));
	len[0] = n;
	ck_assert_int_eq(ota_rfm_build(OTA_RFM_COMPACT, 0, ap, len, 1, out, 6, &on), OTA_RFM_E_NOSPACE);
	/* only garbage */
	pos = 0;
	ck_assert_int_eq(ota_rfm_compact_next(s, 4, &pos, &c), OTA_RFM_E_TRAILING);
}
END_TEST

START_TEST(apdu_cases)
{
	uint8_t a[300];
	struct ota_capdu c;
	size_t n;

	n = hx("00A40004", a, sizeof(a));
	ck_assert_int_eq(ota_apdu_parse(a, n, &c), 0);
	ck_assert_int_eq(c.apdu_case, 1);
	n = hx("00B0000000", a, sizeof(a));
	ck_assert_int_eq(ota_apdu_parse(a, n, &c), 0);
	ck_assert_int_eq(c.apdu_case, 2);
	ck_assert_uint_eq(c.le, 256);
	n = hx("00A40004026F0700", a, sizeof(a));
	ck_assert_int_eq(ota_apdu_parse(a, n, &c), 0);
	ck_assert_int_eq(c.apdu_case, 4);
	ck_assert_uint_eq(c.lc, 2);
	ck_assert_uint_eq(c.le, 256);
	n = hx("00B0000000000A", a, sizeof(a));
	ck_assert_int_eq(ota_apdu_parse(a, n, &c), 0);
	ck_assert_int_eq(c.extended, 1);
	ck_assert_int_eq(c.apdu_case, 2);
	ck_assert_uint_eq(c.le, 10);
	n = hx("00D60000000002AABB", a, sizeof(a));
	ck_assert_int_eq(ota_apdu_parse(a, n, &c), 0);
	ck_assert_int_eq(c.apdu_case, 3);
	n = hx("00D60000000002AABB0000", a, sizeof(a));
	ck_assert_int_eq(ota_apdu_parse(a, n, &c), 0);
	ck_assert_int_eq(c.apdu_case, 4);
	ck_assert_uint_eq(c.le, 65536);
	n = hx("00D600", a, sizeof(a));
	ck_assert_int_eq(ota_apdu_parse(a, n, &c), OTA_RFM_E_APDU);
	n = hx("00D6000000AA", a, sizeof(a));
	ck_assert_int_eq(ota_apdu_parse(a, n, &c), OTA_RFM_E_APDU);
	n = hx("00D60000000000AA", a, sizeof(a));
	ck_assert_int_eq(ota_apdu_parse(a, n, &c), OTA_RFM_E_APDU);
	n = hx("00D6000002AABBCCDD", a, sizeof(a));
	ck_assert_int_eq(ota_apdu_parse(a, n, &c), OTA_RFM_E_APDU);
}
END_TEST

static void build_exp(const char *const *cmds, size_t n, int indef, uint8_t *out, size_t cap,
		      size_t *on)
{
	uint8_t apdu[8][64];
	const uint8_t *ap[8];
	size_t lens[8], i;

	for (i = 0; i < n; i++) {
		lens[i] = hx(cmds[i], apdu[i], sizeof(apdu[i]));
		ap[i] = apdu[i];
	}
	ck_assert_int_eq(ota_rfm_build(OTA_RFM_EXPANDED, indef, ap, lens, n, out, cap, on), 0);
}

START_TEST(expanded_s33)
{
	static const char *const upd[] = { "00A4000C026F07", "00D6000009080910101032547698" };
	static const char *const rd[] = { "00A40004026F0700", "00B0000009" };
	uint8_t out[128], want[128];
	struct ota_rfm_iter it;
	struct ota_rfm_item item;
	size_t on, wn, i;
	int rc;

	build_exp(upd, 2, 0, out, sizeof(out), &on);
	wn = hx("AA 19 22 07 00A4000C026F07 22 0E 00D6000009080910101032547698", want, sizeof(want));
	ck_assert_uint_eq(on, wn);
	ck_assert_mem_eq(out, want, wn);
	ck_assert_int_eq(ota_rfm_detect_format(out, on), OTA_RFM_EXPANDED);
	ck_assert_int_eq(ota_rfm_expanded_open(out, on, &it), 0);
	for (i = 0; (rc = ota_rfm_expanded_next(&it, &item)) == 1; i++) {
		ck_assert_uint_eq(item.tag, 0x22);
		ck_assert_int_eq(item.apdu.apdu_case, 3);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(i, 2);

	build_exp(upd, 2, 1, out, sizeof(out), &on);
	wn = hx("AE 80 22 07 00A4000C026F07 22 0E 00D6000009080910101032547698 00 00", want,
		sizeof(want));
	ck_assert_uint_eq(on, wn);
	ck_assert_mem_eq(out, want, wn);
	ck_assert_int_eq(ota_rfm_expanded_open(out, on, &it), 0);
	for (i = 0; (rc = ota_rfm_expanded_next(&it, &item)) == 1; i++)
		;
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(i, 2);

	build_exp(rd, 2, 0, out, sizeof(out), &on);
	wn = hx("AA 11 22 08 00A40004026F0700 22 05 00B0000009", want, sizeof(want));
	ck_assert_uint_eq(on, wn);
	ck_assert_mem_eq(out, want, wn);
	ck_assert_int_eq(ota_rfm_expanded_open(out, on, &it), 0);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), 1);
	ck_assert_int_eq(item.apdu.apdu_case, 4);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), 1);
	ck_assert_int_eq(item.apdu.apdu_case, 2);
	ck_assert_uint_eq(item.apdu.le, 9);
}
END_TEST

START_TEST(expanded_long)
{
	/* 81 xx template length: 8 UPDATE BINARY of 20 bytes */
	static const char *const c[] = {
		"00D6000014000102030405060708090A0B0C0D0E0F10111213",
		"00D6000014000102030405060708090A0B0C0D0E0F10111213",
		"00D6000014000102030405060708090A0B0C0D0E0F10111213",
		"00D6000014000102030405060708090A0B0C0D0E0F10111213",
		"00D6000014000102030405060708090A0B0C0D0E0F10111213",
		"00D6000014000102030405060708090A0B0C0D0E0F10111213",
	};
	uint8_t out[300];
	struct ota_rfm_iter it;
	struct ota_rfm_item item;
	size_t on, i;
	int rc;

	build_exp(c, 6, 0, out, sizeof(out), &on);
	ck_assert_uint_eq(out[1], 0x81);
	ck_assert_uint_eq(out[2], 6 * 27);
	ck_assert_uint_eq(on, 3 + 6 * 27);
	ck_assert_int_eq(ota_rfm_expanded_open(out, on, &it), 0);
	for (i = 0; (rc = ota_rfm_expanded_next(&it, &item)) == 1; i++)
		;
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(i, 6);
}
END_TEST

START_TEST(expanded_malformed)
{
	uint8_t s[64];
	struct ota_rfm_iter it;
	struct ota_rfm_item item;
	size_t n;

	n = hx("AB 00", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), OTA_RFM_E_TAG);
	ck_assert_int_eq(ota_rfm_expanded_open(s, 0, &it), OTA_RFM_E_TAG);
	n = hx("AA", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), OTA_RFM_E_NO_LEN);
	n = hx("AA 05 22 03 00", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), OTA_RFM_E_LEN);
	n = hx("AA 00 00", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), OTA_RFM_E_TRAILING);
	n = hx("AE 05", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), OTA_RFM_E_LEN);
	/* unknown tag is an item; Immediate Action too */
	n = hx("AA 06 99 01 00 81 01 01", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), 0);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), 1);
	ck_assert_uint_eq(item.tag, 0x99);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), 1);
	ck_assert_uint_eq(item.tag, OTA_RFM_TAG_IMMEDIATE);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), 0);
	/* C-APDU TLV too short to be an APDU; length past the template */
	n = hx("AA 05 22 03 00 A4 00", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), 0);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), OTA_RFM_E_APDU);
	ck_assert_int_eq(ota_rfm_bad_format_code(OTA_RFM_E_APDU), 2);
	n = hx("AA 04 22 05 00 A4", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), 0);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), OTA_RFM_E_LEN);
	n = hx("AA 01 22", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), 0);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), OTA_RFM_E_NO_LEN);
	ck_assert_int_eq(ota_rfm_bad_format_code(OTA_RFM_E_NO_LEN), 3);
	ck_assert_int_eq(ota_rfm_bad_format_code(OTA_RFM_E_UNKNOWN_TAG), 1);
	/* indefinite: missing EOC, half EOC, bytes after EOC */
	n = hx("AE 80 22 04 00 A4 00 00", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), 0);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), 1);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), OTA_RFM_E_EOC);
	n = hx("AE 80 22 04 00 A4 00 00 00", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), 0);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), 1);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), OTA_RFM_E_EOC);
	n = hx("AE 80 00 00 00", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), 0);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), OTA_RFM_E_TRAILING);
	n = hx("AA 03 22 81 05", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), 0);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), OTA_RFM_E_LEN);
	n = hx("AA 02 22 84", s, sizeof(s));
	ck_assert_int_eq(ota_rfm_expanded_open(s, n, &it), 0);
	ck_assert_int_eq(ota_rfm_expanded_next(&it, &item), OTA_RFM_E_LEN);
}
END_TEST

START_TEST(responses)
{
	uint8_t in[128], out[128], d[64];
	struct ota_rfm_compact_resp cr;
	struct ota_rfm_exp_resp er;
	struct ota_rfm_rapdu ra[2], x;
	size_t n, on, pos = 0, dn;

	/* rfm.md §8 / §2.3 compact responses */
	n = hx("0A9000", in, sizeof(in));
	ck_assert_int_eq(ota_rfm_compact_resp_parse(in, n, &cr), 0);
	ck_assert_uint_eq(cr.n, 10);
	ck_assert_uint_eq(cr.sw, 0x9000);
	ck_assert_uint_eq(cr.data_len, 0);
	n = hx("04 69 82", in, sizeof(in));
	ck_assert_int_eq(ota_rfm_compact_resp_parse(in, n, &cr), 0);
	ck_assert_uint_eq(cr.n, 4);
	ck_assert_uint_eq(cr.sw, 0x6982);
	/* pySim B1: 2 commands, 9000, 22 bytes of GSM response */
	n = hx("0290000000ffff7f2002000000000009b106350400838a838a", in, sizeof(in));
	ck_assert_int_eq(ota_rfm_compact_resp_parse(in, n, &cr), 0);
	ck_assert_uint_eq(cr.data_len, 22);
	ck_assert_int_eq(ota_rfm_compact_resp_build(cr.n, cr.sw, cr.data, cr.data_len, out,
						    sizeof(out), &on), 0);
	ck_assert_mem_eq(out, in, n);
	ck_assert_int_eq(ota_rfm_compact_resp_parse(in, 2, &cr), OTA_RFM_E_RESP);
	ck_assert_int_eq(ota_rfm_compact_resp_build(1, 0x9000, d, 10, out, 12, &on), OTA_RFM_E_NOSPACE);

	/* rfm.md §3.3 expanded responses */
	ra[0].data = NULL;
	ra[0].len = 0;
	ra[0].sw = 0x9000;
	ra[1] = ra[0];
	ck_assert_int_eq(ota_rfm_exp_resp_build(ra, 2, -1, out, sizeof(out), &on), 0);
	n = hx("AB 0B 80 01 02 23 02 90 00 23 02 90 00", in, sizeof(in));
	ck_assert_uint_eq(on, n);
	ck_assert_mem_eq(out, in, n);
	n = hx("AB 2D 80 01 02 23 1B 62178202412183026F078A01058B036F060A80020009880138 9000"
	       "23 0B 080910101032547698 9000", in, sizeof(in));
	dn = hx("62178202412183026F078A01058B036F060A80020009880138", d, sizeof(d));
	ra[0].data = d;
	ra[0].len = dn;
	ra[1].data = in + n - 11;
	ra[1].len = 9;
	ck_assert_int_eq(ota_rfm_exp_resp_build(ra, 2, -1, out, sizeof(out), &on), 0);
	ck_assert_uint_eq(on, n);
	ck_assert_mem_eq(out, in, n);
	ck_assert_int_eq(ota_rfm_exp_resp_parse(in, n, &er), 0);
	ck_assert_int_eq(er.has_count, 1);
	ck_assert_uint_eq(er.count, 2);
	ck_assert_uint_eq(er.n_rapdu, 2);
	ck_assert_uint_eq(er.last.sw, 0x9000);
	ck_assert_uint_eq(er.last.len, 9);
	ck_assert_int_eq(er.bad_format, -1);
	ck_assert_int_eq(ota_rfm_exp_resp_next(&er, &pos, &x), 1);
	ck_assert_uint_eq(x.len, 25);
	ck_assert_int_eq(ota_rfm_exp_resp_next(&er, &pos, &x), 1);
	ck_assert_uint_eq(x.len, 9);
	ck_assert_int_eq(ota_rfm_exp_resp_next(&er, &pos, &x), 0);
	/* bad format, indefinite, malformed */
	ck_assert_int_eq(ota_rfm_exp_resp_build(ra, 1, 2, out, sizeof(out), &on), 0);
	ck_assert_int_eq(ota_rfm_exp_resp_parse(out, on, &er), 0);
	ck_assert_int_eq(er.bad_format, 2);
	ck_assert_uint_eq(er.count, 1);
	n = hx("AF 80 23 02 6A 82 00 00", in, sizeof(in));
	ck_assert_int_eq(ota_rfm_exp_resp_parse(in, n, &er), 0);
	ck_assert_int_eq(er.has_count, 0);
	ck_assert_int_eq(er.indefinite, 1);
	ck_assert_uint_eq(er.last.sw, 0x6a82);
	pos = 0;
	ck_assert_int_eq(ota_rfm_exp_resp_next(&er, &pos, &x), 1);
	ck_assert_int_eq(ota_rfm_exp_resp_next(&er, &pos, &x), 0);
	n = hx("AB 03 23 01 90", in, sizeof(in));
	ck_assert_int_eq(ota_rfm_exp_resp_parse(in, n, &er), OTA_RFM_E_RESP);
	n = hx("AB 06 80 01 01 80 01 01", in, sizeof(in));
	ck_assert_int_eq(ota_rfm_exp_resp_parse(in, n, &er), OTA_RFM_E_RESP);
	n = hx("AB 03 44 01 01", in, sizeof(in));
	ck_assert_int_eq(ota_rfm_exp_resp_parse(in, n, &er), OTA_RFM_E_UNKNOWN_TAG);
	n = hx("AA 03 80 01 01", in, sizeof(in));
	ck_assert_int_eq(ota_rfm_exp_resp_parse(in, n, &er), OTA_RFM_E_TAG);
	n = hx("AB 04 80 01 01", in, sizeof(in));
	ck_assert_int_eq(ota_rfm_exp_resp_parse(in, n, &er), OTA_RFM_E_LEN);
	n = hx("AB 06 81 01 01 83 01 02", in, sizeof(in));
	ck_assert_int_eq(ota_rfm_exp_resp_parse(in, n, &er), 0);
	ck_assert_int_eq(er.immediate_resp, 1);
	ck_assert_int_eq(er.chaining_resp, 2);
	ck_assert_int_eq(ota_rfm_exp_resp_build(ra, 2, -1, out, 20, &on), OTA_RFM_E_NOSPACE);
}
END_TEST

START_TEST(tars)
{
	static const uint8_t t[3] = { 0xb0, 0x00, 0x11 };

	ck_assert_uint_eq(ota_tar_get(t), OTA_TAR_RFM_USIM_ALIAS);
	ck_assert_int_eq(ota_tar_kind(OTA_TAR_RFM_UICC), OTA_TAR_KIND_UICC_FS);
	ck_assert_int_eq(ota_tar_kind(OTA_TAR_RFM_ADF), OTA_TAR_KIND_ADF);
	ck_assert_int_eq(ota_tar_kind(0xb00002), OTA_TAR_KIND_UICC_FS);
	ck_assert_int_eq(ota_tar_kind(0xb00010), OTA_TAR_KIND_SIM_FS);
	ck_assert_int_eq(ota_tar_kind(0xb00011), OTA_TAR_KIND_SIM_FS);
	ck_assert_int_eq(ota_tar_kind(0xb00020), OTA_TAR_KIND_ADF);
	ck_assert_int_eq(ota_tar_kind(0xb00120), OTA_TAR_KIND_UICC_FS);
	ck_assert_int_eq(ota_tar_kind(0xb00140), OTA_TAR_KIND_ADF);
	ck_assert_int_eq(ota_tar_kind(0x000000), OTA_TAR_KIND_ISD);
	ck_assert_int_eq(ota_tar_kind(0xb20100), OTA_TAR_KIND_ISD);
	ck_assert_int_eq(ota_tar_kind(0xb20001), OTA_TAR_KIND_USAT);
	ck_assert_int_eq(ota_tar_kind(0xbfff42), OTA_TAR_KIND_PROPRIETARY);
	ck_assert_int_eq(ota_tar_kind(0x123456), OTA_TAR_KIND_UNKNOWN);
	ck_assert_str_eq(ota_tar_kind_name(OTA_TAR_KIND_ADF), "ADF RFM");
	ck_assert_str_ne(ota_rfm_strerror(OTA_RFM_E_EOC), ota_rfm_strerror(-1));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("rfm");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, compact_s8);
	tcase_add_test(tc, compact_cases);
	tcase_add_test(tc, apdu_cases);
	tcase_add_test(tc, expanded_s33);
	tcase_add_test(tc, expanded_long);
	tcase_add_test(tc, expanded_malformed);
	tcase_add_test(tc, responses);
	tcase_add_test(tc, tars);
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
