/* test_card_image.c - image JSON round trip, schema errors, key sets, SQN
 * arrays and the admin file API. */
#include <check.h>
#include <string.h>
#include "common/hex.h"
#include "tests/cardtest.h"
#include "uicckit/keyset.h"

START_TEST(round_trip)
{
	struct uicc *c = ct_card(), *d;
	json_t *j1, *j2, *def = uicc_profile_default();
	char err[256];

	ck_assert_ptr_nonnull(c);
	j1 = uicc_to_json(c);
	ck_assert_ptr_nonnull(j1);
	d = uicc_new(j1, err, sizeof(err));
	ck_assert_msg(d != NULL, "%s", err);
	j2 = uicc_to_json(d);
	ck_assert(json_equal(j1, j2));
	json_decref(j2);
	uicc_free(d);
	/* state changes survive: PIN counter, EF contents, cyclic order */
	ck_assert(ct_expect(c, "002000010839393939ffffffff", "63c2"));
	ck_assert(ct_expect(c, "0020000a083838383838383838", "9000"));
	ck_assert(ct_expect(c, "00a4000c022fe2", "9000"));
	ck_assert(ct_expect(c, "00d6000002abcd", "9000"));
	json_decref(j1);
	j1 = uicc_to_json(c);
	ck_assert(!json_equal(j1, def));
	d = uicc_new(j1, err, sizeof(err));
	ck_assert_ptr_nonnull(d);
	ck_assert(ct_expect(d, "0020000100", "63c2"));
	ck_assert(ct_expect(d, "00b0820002", "abcd9000"));
	j2 = uicc_to_json(d);
	ck_assert(json_equal(j1, j2));
	json_decref(j1);
	json_decref(j2);
	json_decref(def);
	uicc_free(c);
	uicc_free(d);
}
END_TEST

/* Apply a JSON-path-like edit to the default profile and expect a load
 * error containing `want`. */
static void bad(const char *mf_patch_json, const char *want)
{
	json_t *p = uicc_profile_default(), *mf = json_object_get(p, "mf");
	json_t *files = json_object_get(mf, "files");
	json_error_t je;
	json_t *patch = json_loads(mf_patch_json, 0, &je);
	char err[256];
	struct uicc *c;

	ck_assert_msg(patch != NULL, "test JSON: %s", je.text);
	json_array_append_new(files, patch);
	c = uicc_new(p, err, sizeof(err));
	ck_assert_msg(c == NULL, "accepted %s", mf_patch_json);
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
	json_decref(p);
}

START_TEST(schema_errors)
{
	json_t *p;
	char err[256];
	json_error_t je;

	bad("{\"fid\":\"2F00\",\"type\":\"transparent\",\"arr\":\"2F0601\",\"size\":1}", "duplicate FID 2F00");
	bad("{\"fid\":\"2F10\",\"type\":\"transparent\",\"arr\":\"2F0601\",\"size\":1,\"sfi\":\"1E\"}",
	    "duplicate SFI 1E");
	bad("{\"fid\":\"2F10\",\"type\":\"transparent\",\"arr\":\"2F0601\",\"size\":1,\"sfi\":\"1F\"}",
	    "'sfi' must be 01..1E");
	bad("{\"fid\":\"2F10\",\"type\":\"transparent\",\"arr\":\"2F0601\",\"size\":1,\"data\":\"0102\"}",
	    "longer than 'size'");
	bad("{\"fid\":\"2F10\",\"type\":\"transparent\",\"size\":1}", "needs 'arr'");
	bad("{\"fid\":\"2F10\",\"type\":\"transparent\",\"arr\":\"2F06\",\"size\":1}", "'arr' must be 3 bytes");
	bad("{\"fid\":\"2F1\",\"type\":\"transparent\",\"arr\":\"2F0601\",\"size\":1}", "'fid'");
	bad("{\"fid\":\"3F00\",\"type\":\"df\"}", "reserved");
	bad("{\"fid\":\"2F10\",\"type\":\"blob\",\"arr\":\"2F0601\"}", "unknown 'type'");
	bad("{\"fid\":\"2F10\",\"type\":\"linear-fixed\",\"arr\":\"2F0601\",\"record_length\":0,\"record_count\":1}",
	    "'record_length' must be in 1..255");
	bad("{\"fid\":\"2F10\",\"type\":\"linear-fixed\",\"arr\":\"2F0601\",\"record_length\":2,\"records\":[\"010203\"]}",
	    "records[0]");
	bad("{\"fid\":\"7F10\",\"type\":\"df\",\"pin_refs\":[\"02\"]}", "not in 'pins'");
	bad("{\"fid\":\"7F10\",\"name\":\"DF.TELECOM\",\"type\":\"df\",\"files\":[{\"fid\":\"6F3A\"}]}",
	    "mf/files[4] (DF.TELECOM)/files[0]: missing 'type'");
	bad("[]", "a file must be a JSON object");
	bad("{\"fid\":\"2F10\",\"type\":\"transparent\",\"arr\":\"2F0601\",\"size\":1,\"name\":\"a/b\"}",
	    "must not contain '/'");
	/* top level */
	p = json_loads("{\"schema\":\"uicckit-card/9\"}", 0, &je);
	ck_assert_ptr_null(uicc_new(p, err, sizeof(err)));
	ck_assert(strstr(err, "'schema' must be \"uicckit-card/1\"") != NULL);
	json_decref(p);
	p = json_loads("[1,2]", 0, &je);
	ck_assert_ptr_null(uicc_new(p, err, sizeof(err)));
	ck_assert(strstr(err, "JSON object") != NULL);
	json_decref(p);
	ck_assert_ptr_null(uicc_new(NULL, err, sizeof(err)));
	p = json_loads("{\"schema\":\"uicckit-card/1\",\"pins\":[{\"ref\":\"01\",\"value\":\"3132\"}],\"mf\":{\"fid\":\"3F00\"}}",
		       0, &je);
	ck_assert_ptr_null(uicc_new(p, err, sizeof(err)));
	ck_assert_msg(strstr(err, "pins[0]: 'value' must be 8 bytes") != NULL, "%s", err);
	json_decref(p);
	p = json_loads("{\"schema\":\"uicckit-card/1\",\"mf\":{\"fid\":\"3F00\"},"
		       "\"adfs\":[{\"aid\":\"A0000000871002\",\"fid\":\"7FF0\",\"applet\":\"nope\"}]}", 0, &je);
	ck_assert_ptr_null(uicc_new(p, err, sizeof(err)));
	ck_assert_msg(strstr(err, "unknown applet") != NULL, "%s", err);
	json_decref(p);
	/* a minimal card loads */
	p = json_loads("{\"schema\":\"uicckit-card/1\",\"mf\":{\"fid\":\"3F00\"}}", 0, &je);
	{
		struct uicc *c = uicc_new(p, err, sizeof(err));

		ck_assert_msg(c != NULL, "%s", err);
		ck_assert(ct_expect(c, "00a40004023f00", "62*9000"));
		ck_assert(ct_expect(c, "00a4040407a0000000871002", "6a82"));
		ck_assert_int_eq(uicc_keyset_count(c), UICC_ENOTFOUND);
		uicc_free(c);
	}
	json_decref(p);
}
END_TEST

static void fill_ks(struct uicc_keyset *ks, unsigned idx, uint8_t state)
{
	memset(ks, 0, sizeof(*ks));
	ks->index = (uint8_t)idx;
	ks->state = state;
	ks->alg = UICC_ALG_MILENAGE;
	ks->k_len = 16;
	memset(ks->k, 0x40 + (int)idx, 16);
	ks->op_is_opc = 1;
	ks->opc_len = 16;
	memset(ks->opc, 0x60 + (int)idx, 16);
	ks->kic_alg = 0x25;	/* AES CBC */
	ks->kic_len = 16;
	memset(ks->kic, 0x11, 16);
	ks->kid_alg = 0x22;	/* AES CMAC */
	ks->kid_len = 16;
	memset(ks->kid, 0x22, 16);
	ks->kvn = 1;
	ks->tar[0] = 0xb0;
	ks->cntr[4] = 7;
	ks->ind_len = 5;
}

START_TEST(keysets)
{
	struct uicc *c = ct_card(), *d;
	struct uicc_keyset ks, got;
	uint64_t sqn[UICC_SQN_SLOTS];
	unsigned ind;
	json_t *j;
	char err[256];

	ck_assert_int_eq(uicc_keyset_count(c), 16);
	ck_assert_int_eq(uicc_keyset_active(c), UICC_ENOTFOUND);
	ck_assert_int_eq(uicc_keyset_get(c, 3, &got), 0);
	ck_assert_uint_eq(got.state, UICC_KS_UNUSED);
	ck_assert_int_eq(uicc_keyset_get(c, 16, &got), UICC_ENOTFOUND);
	fill_ks(&ks, 0, UICC_KS_ACTIVE);
	ck_assert_int_eq(uicc_keyset_put(c, &ks, 1), 0);
	fill_ks(&ks, 1, UICC_KS_ACTIVE);
	ck_assert_int_eq(uicc_keyset_put(c, &ks, 1), UICC_EARG);	/* two active */
	ks.state = UICC_KS_PENDING;
	ck_assert_int_eq(uicc_keyset_put(c, &ks, 1), 0);
	ks.k_len = 32;
	ck_assert_int_eq(uicc_keyset_put(c, &ks, 1), UICC_EARG);	/* Milenage K is 128 bit */
	ks.k_len = 16;
	ks.alg = 9;
	ck_assert_int_eq(uicc_keyset_put(c, &ks, 1), UICC_EARG);
	ck_assert_int_eq(uicc_keyset_active(c), 0);
	/* retired stays retired */
	fill_ks(&ks, 2, UICC_KS_RETIRED);
	ck_assert_int_eq(uicc_keyset_put(c, &ks, 0), 0);
	ks.state = UICC_KS_PENDING;
	ck_assert_int_eq(uicc_keyset_put(c, &ks, 0), UICC_EARG);
	ck_assert_int_eq(uicc_keyset_get(c, 1, &got), 0);
	fill_ks(&ks, 1, UICC_KS_PENDING);
	ck_assert(memcmp(&ks, &got, sizeof(ks)) == 0);
	/* SQN arrays */
	ck_assert_int_eq(uicc_sqn_get(c, 0, sqn, &ind), 0);
	ck_assert_uint_eq(ind, 5);
	ck_assert(sqn[0] == 0 && sqn[31] == 0);
	sqn[3] = 0x123456789abcULL;
	ck_assert_int_eq(uicc_sqn_put(c, 0, sqn, 5), 0);
	/* round trip through JSON keeps key sets and SQNs (keys as hex) */
	j = uicc_to_json(c);
	d = uicc_new(j, err, sizeof(err));
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(uicc_keyset_get(d, 1, &got), 0);
	ck_assert(memcmp(&ks, &got, sizeof(ks)) == 0);
	memset(sqn, 0, sizeof(sqn));
	ck_assert_int_eq(uicc_sqn_get(d, 0, sqn, &ind), 0);
	ck_assert(sqn[3] == 0x123456789abcULL);
	/* no APDU reads them */
	ck_assert(ct_expect(d, "00a4040c10a0000000871002ffffffff8907090000", "9000"));
	ck_assert(ct_expect(d, "0020000a083838383838383838", "9000"));
	ck_assert(ct_expect(d, "00a4000c02ff01", "9000"));
	ck_assert(ct_expect(d, "00b2020400", "6982"));
	ck_assert(ct_expect(d, "00a2010401 01", "6982"));
	ck_assert(ct_expect(d, "00a4000c02ff02", "9000"));
	ck_assert(ct_expect(d, "00b2010400", "6982"));
	/* a damaged record is reported, not trusted */
	ck_assert_int_eq(uicc_admin_update_record(d, "ADF.USIM/FF01", 3, ks.k, 16), UICC_ENOTFOUND);
	uicc_keyset_cleanse(&got);
	ck_assert_uint_eq(got.k[0], 0);
	json_decref(j);
	uicc_free(c);
	uicc_free(d);
}
END_TEST

START_TEST(admin_api)
{
	struct uicc *c = ct_card();
	uint8_t imsi[9], b[10];

	ck_assert_int_eq(uk_hex_decode_exact("082926101160845740", imsi, 9), 0);
	ck_assert_int_eq(uicc_admin_update_binary(c, "ADF.USIM/6F07", 0, imsi, 9), 0);
	ck_assert_int_eq(uicc_admin_read_binary(c, "7FFF/6F07", 0, b, 9), 0);
	ck_assert_mem_eq(b, imsi, 9);
	ck_assert_int_eq(uicc_admin_read_binary(c, "ADF.USIM/EF.IMSI", 0, b, 9), 0);
	ck_assert_int_eq(uicc_admin_update_binary(c, "3F00/2FE2", 5, imsi, 5), 0);
	ck_assert_int_eq(uicc_admin_update_binary(c, "3F00/2FE2", 6, imsi, 5), UICC_EARG);
	ck_assert_int_eq(uicc_admin_update_binary(c, "3F00/2F00", 0, imsi, 1), UICC_EARG);
	ck_assert_int_eq(uicc_admin_update_binary(c, "3F00/2FE3", 0, imsi, 1), UICC_ENOTFOUND);
	ck_assert_int_eq(uicc_admin_update_binary(c, "ADF.USIM/FF01", 0, imsi, 1), UICC_ENOTFOUND);
	ck_assert_int_eq(uicc_admin_update_binary(c, "", 0, imsi, 1), UICC_ENOTFOUND);
	ck_assert_int_eq(uicc_admin_update_binary(c, "3F00//2FE2", 0, imsi, 1), UICC_ENOTFOUND);
	ck_assert_int_eq(uicc_admin_file_size(c, "3F00/2F00"), 32);
	ck_assert_int_eq(uicc_admin_file_size(c, "ADF.USIM/6F07"), 9);
	ck_assert_int_eq(uicc_admin_read_record(c, "3F00/2F00", 1, b, 10), UICC_EARG);
	/* PIN personalisation */
	ck_assert_int_eq(uicc_admin_set_pin(c, 0x01, (const uint8_t *)"4321\xff\xff\xff\xff", NULL), 0);
	ck_assert_int_eq(uicc_admin_set_pin(c, 0x01, (const uint8_t *)"43a1\xff\xff\xff\xff", NULL),
			 UICC_EARG);
	ck_assert_int_eq(uicc_admin_set_pin(c, 0x02, (const uint8_t *)"4321\xff\xff\xff\xff", NULL),
			 UICC_ENOTFOUND);
	ck_assert_int_eq(uicc_admin_set_pin(c, 0x0a, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08",
					    NULL), 0);
	ck_assert(ct_expect(c, "0020000a080102030405060708", "9000"));
	ck_assert(ct_expect(c, "002000010831323334ffffffff", "63c2"));
	ck_assert(ct_expect(c, "002000010834333231ffffffff", "9000"));
	/* the card answers with the new IMSI */
	ck_assert(ct_expect(c, "00a4040c10a0000000871002ffffffff8907090000", "9000"));
	ck_assert(ct_expect(c, "00b0870009", "0829261011608457409000"));
	uicc_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("card_image");
	TCase *t = tcase_create("image");
	SRunner *r;
	int failed;

	tcase_add_test(t, round_trip);
	tcase_add_test(t, schema_errors);
	tcase_add_test(t, keysets);
	tcase_add_test(t, admin_api);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
