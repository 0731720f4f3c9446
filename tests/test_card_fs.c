/* test_card_fs.c - file system, FCP shapes, SELECT rules, record EFs
 * (linear and cyclic), SEARCH RECORD, access conditions, life cycle. */
#include <check.h>
#include <string.h>
#include "card/acl.h"
#include "card/card.h"
#include "common/buf.h"
#include "common/hex.h"
#include "tests/cardtest.h"
#include "uicckit/fcp.h"
#include "uicckit/keyset.h"

#define AID "a0000000871002ffffffff8907090000"
#define VERIFY_PIN1 "002000010831323334ffffffff"
#define VERIFY_ADM1 "0020000a083838383838383838"

/* The default card plus, in ADF.USIM: one more EF.ARR record (everything
 * ALW, appended after the profile's own records), a cyclic EF 6FF5
 * (SFI 1A, 3 x 4) and a linear EF 6FF6 (SFI 1B, 4 x 3) using it. */
static struct uicc *test_card(void)
{
	json_t *p = uicc_profile_default(), *adf, *files, *arr = NULL, *recs;
	struct uicc *c;
	char err[256], ref[7];
	size_t i;

	adf = json_array_get(json_object_get(p, "adfs"), 0);
	files = json_object_get(adf, "files");
	json_array_foreach(files, i, arr)
		if (strcmp(json_string_value(json_object_get(arr, "fid")), "6F06") == 0)
			break;
	recs = json_object_get(arr, "records");
	json_array_append_new(recs, json_string("80011B9000"));
	json_object_del(arr, "record_count");
	snprintf(ref, sizeof(ref), "6F06%02X", (unsigned)json_array_size(recs));
	json_array_append_new(files, json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:[s,s,s]}",
		"fid", "6FF5", "name", "EF.CYC", "type", "cyclic", "sfi", "1A", "arr", ref,
		"record_length", 4, "records", "01010101", "02020202", "03030303"));
	json_array_append_new(files, json_pack("{s:s,s:s,s:s,s:s,s:i,s:[s,s,s,s]}",
		"fid", "6FF6", "type", "linear-fixed", "sfi", "1B", "arr", ref,
		"record_length", 3, "records", "aa0102", "bb0102", "aa0304", "cc0000"));
	c = uicc_new(p, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	json_decref(p);
	return c;
}

/* Every FCP: tag 62, < 128 bytes, only pySim's tags, DCB 21, LCSI 05. */
static void check_fcp(const char *hex)
{
	uint8_t b[300];
	size_t n, pos = 0;
	struct uk_tlv t, in;
	static const unsigned ok[] = { 0x82, 0x83, 0x84, 0xa5, 0x8a, 0x8b, 0x8c, 0x80, 0xab,
				       0xc6, 0x81, 0x88 };
	int rc;

	ck_assert_int_eq(uk_hex_decode(hex, b, sizeof(b), &n), 0);
	ck_assert_uint_ge(n, 4);
	n -= 2;	/* SW */
	ck_assert_int_eq(uk_tlv_next(b, n, &pos, &t), 1);
	ck_assert_uint_eq(t.tag, 0x62);
	ck_assert_uint_lt(t.len, 128);
	ck_assert_uint_eq(pos, n);
	pos = 0;
	while ((rc = uk_tlv_next(t.val, t.len, &pos, &in)) == 1) {
		size_t k, found = 0;

		for (k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
			found |= ok[k] == in.tag;
		ck_assert_msg(found, "tag %x not accepted by pySim", in.tag);
		if (in.tag == 0x82)
			ck_assert_uint_eq(in.val[1], 0x21);
		if (in.tag == 0x8a)
			ck_assert_uint_eq(in.val[0], 0x05);
	}
	ck_assert_int_eq(rc, 0);
}

START_TEST(fcp_shapes_all_files)
{
	struct uicc *c = test_card();
	json_t *p = uicc_to_json(c), *f;
	json_t *mf = json_object_get(json_object_get(p, "mf"), "files");
	json_t *usim = json_object_get(json_array_get(json_object_get(p, "adfs"), 0), "files");
	char cmd[64], out[600];
	size_t i;

	ck_assert_uint_eq(ct_send(c, "00a40004023f00", out, sizeof(out)), 0x9000);
	check_fcp(out);
	json_array_foreach(mf, i, f) {
		snprintf(cmd, sizeof(cmd), "00a4080402%s", json_string_value(json_object_get(f, "fid")));
		ck_assert_uint_eq(ct_send(c, cmd, out, sizeof(out)), 0x9000);
		check_fcp(out);
	}
	ck_assert_uint_eq(ct_send(c, "00a4040410" AID, out, sizeof(out)), 0x9000);
	check_fcp(out);
	json_array_foreach(usim, i, f) {
		snprintf(cmd, sizeof(cmd), "00a40804047fff%s", json_string_value(json_object_get(f, "fid")));
		ck_assert_uint_eq(ct_send(c, cmd, out, sizeof(out)), 0x9000);
		check_fcp(out);
	}
	json_decref(p);
	uicc_free(c);
}
END_TEST

START_TEST(fcp_real_card_shapes)
{
	struct uicc *c = test_card();

	/* TS 102 221 §11.1.1.3, pySim's real-card EF.IMSI FCP (our ARR record 03) */
	ck_assert(ct_expect(c, "00a40804047fff6f07", "6a82"));	/* no application yet */
	ck_assert(ct_expect(c, "00a4040c10" AID, "9000"));
	ck_assert(ct_expect(c, "00a40804047fff6f07",
			    "62178202412183026f078a01058b036f0603800200098801389000"));
	/* linear fixed: 82 05 42 21 RL(2) NR */
	ck_assert(ct_expect(c, "00a4000402 6ff6",
			    "621a8205422100030483026ff68a01058b036f06??8002000c8801d89000"));
	ck_assert(ct_expect(c, "00a4000402 6ff5", "621a8205462100040383026ff5*"));
	/* ADF: 84 DF name, C6 with PS_DO (PIN1, PIN2, ADM1 enabled) */
	ck_assert(ct_expect(c, "00a4040410" AID,
			    "623f82027821 83027ff0 8410" AID " a509800171830400010000 8a0105 "
			    "8b036f0601 c60c9001e0830101830181 83010a 8102????9000"));
	/* no data with P2 0C */
	ck_assert(ct_expect(c, "00a4000c023f00", "9000"));
	uicc_free(c);
}
END_TEST

START_TEST(select_rules)
{
	struct uicc *c = test_card();

	ck_assert(ct_expect(c, "00a40004027fff", "6a82"));	/* no application yet */
	ck_assert(ct_expect(c, "00a4000402 6f07", "6a82"));	/* not reachable from MF */
	ck_assert(ct_expect(c, "00a4000402 2fe2", "62*"));
	ck_assert(ct_expect(c, "00a4000002 3f00", "62*"));	/* P2 00 = FCP too */
	ck_assert(ct_expect(c, "00a4001402 3f00", "6a86"));
	ck_assert(ct_expect(c, "00a4000802 3f00", "6a86"));
	ck_assert(ct_expect(c, "00a4050402 3f00", "6a86"));
	ck_assert(ct_expect(c, "00a40004 00", "62*"));		/* no data = MF */
	ck_assert(ct_expect(c, "00a4030400", "6a82"));		/* MF has no parent */
	ck_assert(ct_expect(c, "00a4010402 2fe2", "6a82"));	/* not a DF */
	ck_assert(ct_expect(c, "00a4080402 7fff", "6a82"));
	ck_assert(ct_expect(c, "00a40804 03 2f00aa", "6700"));
	/* AIDs: unknown, partial, next occurrence, termination */
	ck_assert(ct_expect(c, "00a4040407 a0000000871004", "6a82"));
	ck_assert(ct_expect(c, "00a404040c a0000000871002ffffffff89", "623f*"));
	ck_assert(ct_expect(c, "00a4040207 a0000000871002", "6a82"));	/* no 2nd USIM */
	ck_assert(ct_expect(c, "00a4040107 a0000000871002", "6a86"));	/* last: no */
	ck_assert(ct_expect(c, "00a4040400", "6700"));
	ck_assert(ct_expect(c, "00a40004027fff", "623f*"));
	ck_assert(ct_expect(c, "00a4000402 6f07", "6217*"));
	ck_assert(ct_expect(c, "00a4030400", "622a*"));		/* parent of the ADF: MF */
	ck_assert(ct_expect(c, "00a4000402 6f07", "6a82"));	/* now at MF */
	ck_assert(ct_expect(c, "00a40904 04 7fff6f07", "6a82"));
	ck_assert(ct_expect(c, "00a40804 04 7fff6f07", "6217*"));
	ck_assert(ct_expect(c, "00a40904 02 6fad", "621782024121 83026fad *"));	/* from current DF (ADF) */
	ck_assert(ct_expect(c, "00a4044c10" AID, "9000"));	/* terminate */
	ck_assert(ct_expect(c, "00a40004027fff", "6a82"));
	uicc_free(c);
}
END_TEST

START_TEST(read_update_binary)
{
	struct uicc *c = test_card();

	ck_assert(ct_expect(c, "00b0000001", "6986"));		/* no EF */
	ck_assert(ct_expect(c, "00a4000c022f00", "9000"));
	ck_assert(ct_expect(c, "00b0000001", "6981"));		/* EF.DIR is linear */
	ck_assert(ct_expect(c, "00b0820000", "988812010000400310f09000"));	/* SFI 02 */
	ck_assert(ct_expect(c, "00b0c20000", "6a86"));
	ck_assert(ct_expect(c, "00b0800000", "6a86"));
	ck_assert(ct_expect(c, "00b0990000", "6a82"));		/* no SFI 19 here */
	ck_assert(ct_expect(c, "00b0000a01", "6b00"));
	ck_assert(ct_expect(c, "00d6000002aabb", "6982"));	/* ICCID: ADM1 */
	ck_assert(ct_expect(c, VERIFY_ADM1, "9000"));
	ck_assert(ct_expect(c, "00d6000802aabb", "9000"));
	ck_assert(ct_expect(c, "00d6000903aabbcc", "6700"));	/* past the end */
	ck_assert(ct_expect(c, "00d60000", "6700"));
	ck_assert(ct_expect(c, "00b0000802", "aabb9000"));
	uicc_free(c);
}
END_TEST

START_TEST(records_linear_and_cyclic)
{
	struct uicc *c = test_card();

	ck_assert(ct_expect(c, "00a4040c10" AID, "9000"));
	/* linear 6FF6 via SFI 1B: absolute, next, previous, no wrap */
	ck_assert(ct_expect(c, "00b202dc03", "bb01029000"));
	ck_assert(ct_expect(c, "00b2000403", "6a83"));		/* absolute keeps pointer unset */
	ck_assert(ct_expect(c, "00b2000203", "aa01029000"));
	ck_assert(ct_expect(c, "00b2000403", "aa01029000"));	/* current */
	ck_assert(ct_expect(c, "00b2000303", "6a83"));		/* before 1: linear no wrap */
	ck_assert(ct_expect(c, "00b2050403", "6a83"));
	ck_assert(ct_expect(c, "00b2010203", "6a86"));		/* NEXT with P1 */
	ck_assert(ct_expect(c, "00b2010103", "6a86"));
	ck_assert(ct_expect(c, "00b2010402", "6c03"));
	ck_assert(ct_expect(c, "00dc0104 02 aabb", "6700"));
	ck_assert(ct_expect(c, "00dc0204 03 dddddd", "9000"));
	ck_assert(ct_expect(c, "00b2020403", "dddddd9000"));
	/* cyclic 6FF5 via SFI 1A: record 1 = newest */
	ck_assert(ct_expect(c, "00b201d404", "010101019000"));
	ck_assert(ct_expect(c, "00b2000304", "030303039000"));	/* previous from none = last */
	ck_assert(ct_expect(c, "00b2000204", "010101019000"));	/* next wraps to 1 */
	ck_assert(ct_expect(c, "00dc0104 04 09090909", "6a86"));	/* only PREVIOUS */
	ck_assert(ct_expect(c, "00dc0003 04 09090909", "9000"));
	ck_assert(ct_expect(c, "00b2010404", "090909099000"));
	ck_assert(ct_expect(c, "00b2020404", "010101019000"));
	ck_assert(ct_expect(c, "00b2030404", "020202029000"));	/* the oldest went */
	ck_assert(ct_expect(c, "00b2040404", "6a83"));
	uicc_free(c);
}
END_TEST

START_TEST(search_record)
{
	struct uicc *c = test_card();

	ck_assert(ct_expect(c, "00a4040c10" AID, "9000"));
	ck_assert(ct_expect(c, "00a4000c026ff6", "9000"));
	ck_assert(ct_expect(c, "00a2010401aa", "01039000"));	/* forward from 1 */
	ck_assert(ct_expect(c, "00a2040501aa", "03019000"));	/* backward from 4 */
	ck_assert(ct_expect(c, "00a2020401aa", "039000"));
	ck_assert(ct_expect(c, "00a2010401ee", "6282"));	/* no match */
	ck_assert(ct_expect(c, "00a2010400", "6700"));
	ck_assert(ct_expect(c, "00a2010404aabbccdd", "6700"));	/* longer than a record */
	/* enhanced: offset 1, pattern 01 02, forward from P1 */
	ck_assert(ct_expect(c, "00a2010604 04 01 0102", "01029000"));
	/* enhanced by value: after the first AA, pattern 03 */
	ck_assert(ct_expect(c, "00a2010603 0c aa 03", "039000"));
	ck_assert(ct_expect(c, "00a20106 03 14 00 03", "6a80"));
	/* SFI search obeys the ACL: EF.IMSI (SFI 07) needs PIN1 */
	ck_assert(ct_expect(c, "00a2013c0108", "6981"));
	uicc_free(c);
}
END_TEST

START_TEST(access_conditions)
{
	struct uicc *c = test_card();
	char out[64];

	ck_assert(ct_expect(c, "00a4040c10" AID, "9000"));
	/* EF.IMSI read by SFI without PIN1: 6982 */
	ck_assert(ct_expect(c, "00b0870000", "6982"));
	ck_assert(ct_expect(c, VERIFY_PIN1, "9000"));
	ck_assert(ct_expect(c, "00b0870000", "08*"));
	ck_assert(ct_expect(c, "00d6000001ff", "6982"));	/* still needs ADM1 */
	/* key sets: internal EFs, no APDU reads or writes them, even with ADM1 */
	ck_assert(ct_expect(c, VERIFY_ADM1, "9000"));
	ck_assert(ct_expect(c, "00a4000402ff01", "621482054a21*"));
	ck_assert(ct_expect(c, "00b2010400", "6982"));
	ck_assert(ct_expect(c, "00dc0104a0" "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
			    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
			    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
			    "00000000000000000000000000000000000000000000000000000000000000000000000000000000",
			    "6982"));
	ck_assert(ct_expect(c, "00a2010401 00", "6982"));
	ck_assert(ct_expect(c, "0004000000", "6982"));
	ck_assert(ct_expect(c, "00a4000402ff02", "62*"));
	ck_assert(ct_expect(c, "00b2010400", "6982"));
	ct_send(c, "00b0000001", out, sizeof(out));
	ck_assert_str_eq(out, "6981");
	uicc_free(c);
}
END_TEST

START_TEST(arr_rule_eval)
{
	struct uicc *c = test_card();
	uint8_t r[64];
	size_t n;

	/* OR template: PIN1 or ADM1 */
	ck_assert_int_eq(uk_hex_decode("800101 a010 a40683010195010 8 a40683010a950108", r, sizeof(r), &n), 0);
	ck_assert_int_eq(uicc_acl_eval_rule(c, r, n, UICC_AM_READ), 0);
	ck_assert_int_eq(uicc_acl_eval_rule(c, r, n, UICC_AM_UPDATE), 0);	/* no rule */
	ck_assert(ct_expect(c, VERIFY_ADM1, "9000"));
	ck_assert_int_eq(uicc_acl_eval_rule(c, r, n, UICC_AM_READ), 1);
	/* AND template: PIN1 and ADM1 */
	r[3] = 0xaf;
	ck_assert_int_eq(uicc_acl_eval_rule(c, r, n, UICC_AM_READ), 0);
	ck_assert(ct_expect(c, "00a4040c10" AID, "9000"));
	ck_assert(ct_expect(c, VERIFY_PIN1, "9000"));
	ck_assert_int_eq(uicc_acl_eval_rule(c, r, n, UICC_AM_READ), 1);
	/* never / always / truncated */
	ck_assert_int_eq(uk_hex_decode("8001039700", r, sizeof(r), &n), 0);
	ck_assert_int_eq(uicc_acl_eval_rule(c, r, n, UICC_AM_READ), 0);
	ck_assert_int_eq(uk_hex_decode("8001039000", r, sizeof(r), &n), 0);
	ck_assert_int_eq(uicc_acl_eval_rule(c, r, n, UICC_AM_UPDATE), 1);
	ck_assert_int_eq(uicc_acl_eval_rule(c, r, n - 1, UICC_AM_UPDATE), 0);
	ck_assert_int_eq(uk_hex_decode("800103a406830101", r, sizeof(r), &n), 0);
	ck_assert_int_eq(uicc_acl_eval_rule(c, r, n, UICC_AM_READ), 0);
	uicc_free(c);
}
END_TEST

START_TEST(life_cycle)
{
	struct uicc *c = test_card();

	ck_assert(ct_expect(c, "0004000000", "6986"));		/* MF: no EF */
	ck_assert(ct_expect(c, "00a4000c022f05", "9000"));		/* EF.PL */
	ck_assert(ct_expect(c, "0004000000", "6982"));
	ck_assert(ct_expect(c, VERIFY_ADM1, "9000"));
	ck_assert(ct_expect(c, "0004000000", "9000"));
	ck_assert(ct_expect(c, "00b0000002", "6984"));
	ck_assert(ct_expect(c, "00a40004022f05", "6217*8a0104*6283"));
	ck_assert(ct_expect(c, "0044000000", "9000"));
	ck_assert(ct_expect(c, "00b0000002", "656e9000"));
	uicc_free(c);
}
END_TEST

static int parse_hex(const char *hex, struct uicc_fcp_info *f)
{
	uint8_t b[256];
	size_t n;

	ck_assert_int_eq(uk_hex_decode(hex, b, sizeof(b), &n), 0);
	return uicc_fcp_parse(b, n, f);
}

START_TEST(fcp_decoder)
{
	struct uicc_fcp_info f;
	struct uicc *c = test_card();
	char out[600];
	uint8_t b[300];
	size_t n;

	/* real cards (pySim test data, uicc-basics.md §5) */
	ck_assert_int_eq(parse_hex("622C8202782183023F00A50C80017183040003A738870101"
				   "8A01058B032F0601C60C90016083010183010A83010B", &f), 0);
	ck_assert(f.is_df && f.fid == 0x3f00 && f.lcsi == 5 && f.ps_do == 0x60);
	ck_assert_uint_eq(f.n_key_refs, 3);
	ck_assert_uint_eq(f.key_refs[2], 0x0b);
	ck_assert_int_eq(parse_hex("62178202412183026F078A01058B036F060A80020009880138", &f), 0);
	ck_assert(!f.is_df && f.structure == 1 && f.size == 9 && f.sfi == 7 && f.arr[2] == 0x0a);
	ck_assert_int_eq(parse_hex("621A82054221000E0283026FB78A01058B036F06088002001C880108", &f), 0);
	ck_assert(f.structure == 2 && f.rec_len == 14 && f.n_rec == 2 && f.sfi == 1);
	/* malformed */
	ck_assert_int_eq(parse_hex("6217820241", &f), UICC_FCP_TRUNC);
	ck_assert_int_eq(parse_hex("6F03830102", &f), UICC_FCP_NOTFCP);
	ck_assert_int_eq(parse_hex("620483023F00", &f), UICC_FCP_NODESC);
	ck_assert_int_eq(parse_hex("6205820341 2100", &f), UICC_FCP_BADTAG);
	ck_assert_int_eq(parse_hex("62048202412100", &f), UICC_FCP_NOTFCP);	/* trailing byte */
	/* our own ADF FCP decodes to the image's values */
	ck_assert_uint_eq(ct_send(c, "00a4040410" AID, out, sizeof(out)), 0x9000);
	ck_assert_int_eq(uk_hex_decode(out, b, sizeof(b), &n), 0);
	ck_assert_int_eq(uicc_fcp_parse(b, n - 2, &f), 0);
	ck_assert(f.is_df && f.aid_len == 16 && f.aid[6] == 0x02 && f.ps_do == 0xe0 && f.has_total);
	ck_assert_uint_eq(ct_send(c, "00a4000402 6ff6", out, sizeof(out)), 0x9000);
	ck_assert_int_eq(uk_hex_decode(out, b, sizeof(b), &n), 0);
	ck_assert_int_eq(uicc_fcp_parse(b, n - 2, &f), 0);
	ck_assert(f.fid == 0x6ff6 && f.rec_len == 3 && f.n_rec == 4 && f.size == 12 && f.sfi == 0x1b);
	uicc_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("card_fs");
	TCase *t = tcase_create("fs");
	SRunner *r;
	int failed;

	tcase_add_test(t, fcp_shapes_all_files);
	tcase_add_test(t, fcp_real_card_shapes);
	tcase_add_test(t, select_rules);
	tcase_add_test(t, read_update_binary);
	tcase_add_test(t, records_linear_and_cyclic);
	tcase_add_test(t, search_record);
	tcase_add_test(t, access_conditions);
	tcase_add_test(t, arr_rule_eval);
	tcase_add_test(t, life_cycle);
	tcase_add_test(t, fcp_decoder);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
