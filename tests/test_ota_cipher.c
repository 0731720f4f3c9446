/*
 * test_ota_cipher.c - the OTA algorithms of ota/cipher.c and ota/crc.c
 * against published known answers: CRC-16/X-25 and CRC-32 check values of
 * TS 102 225 Annex B (01..05 -> 22EC / 470B99F4) and of the CRC catalogue
 * ("123456789" -> 906E / CBF43926); AES-CMAC of RFC 4493 / NIST SP 800-38B
 * (AES-128/192/256), AES of FIPS-197 appendix C and 3DES-3key of NIST
 * SP 800-67 (first block: zero-IV CBC = ECB); the 3DES CBC-MAC and AES-CMAC
 * checksums of the spec digest §8 (gsm0348 test101, asterix 3-key, worked
 * example 8.1); the KIc/KID codings; and that splitting the input into two
 * segments never changes a checksum.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "ota/cipher.h"

static size_t hx(const char *s, uint8_t *out, size_t cap)
{
	size_t n;

	ck_assert_int_eq(uk_hex_decode(s, out, cap, &n), 0);
	return n;
}

static struct ota_crypto *cx;

static void setup(void)
{
	cx = ota_crypto_new();
	ck_assert_ptr_nonnull(cx);
}

static void teardown(void)
{
	ota_crypto_free(cx);
	cx = NULL;
}

START_TEST(crc_check_values)
{
	static const uint8_t annex_b[] = { 1, 2, 3, 4, 5 };
	static const uint8_t cat[] = "123456789";
	uint8_t out[4];

	ck_assert_uint_eq(ota_crc16(0xffff, annex_b, 5) ^ 0xffff, 0x22ec);
	ck_assert_uint_eq(ota_crc32(0, annex_b, 5), 0x470b99f4);
	ck_assert_uint_eq(ota_crc16(0xffff, cat, 9) ^ 0xffff, 0x906e);
	ck_assert_uint_eq(ota_crc32(0, cat, 9), 0xcbf43926);
	/* chaining equals one pass; empty input leaves the register alone */
	ck_assert_uint_eq(ota_crc32(ota_crc32(0, cat, 4), cat + 4, 5), 0xcbf43926);
	ck_assert_uint_eq(ota_crc32(0x12345678, NULL, 0), 0x12345678);
	ck_assert_uint_eq(ota_crc16(ota_crc16(0xffff, cat, 3), cat + 3, 6) ^ 0xffff, 0x906e);
	/* through ota_check_value, big-endian on the wire, two segments */
	ck_assert_int_eq(ota_check_value(cx, OTA_ALG_CRC16, NULL, 0, annex_b, 2, annex_b + 2, 3,
					 out, 2), 0);
	ck_assert_mem_eq(out, "\x22\xec", 2);
	ck_assert_int_eq(ota_check_value(cx, OTA_ALG_CRC32, NULL, 0, annex_b, 5, NULL, 0, out, 4),
			 0);
	ck_assert_mem_eq(out, "\x47\x0b\x99\xf4", 4);
	ck_assert_int_eq(ota_check_value(cx, OTA_ALG_CRC32, NULL, 0, annex_b, 5, NULL, 0, out, 2),
			 OTA_EARG);
}
END_TEST

struct mac_vec {
	int alg;
	const char *key, *msg, *mac;
};

static const struct mac_vec mac_vecs[] = {
	/* RFC 4493 §4 examples 1-3 (AES-128) */
	{ OTA_ALG_AES, "2b7e151628aed2a6abf7158809cf4f3c", "", "bb1d6929e95937287fa37d129b756746" },
	{ OTA_ALG_AES, "2b7e151628aed2a6abf7158809cf4f3c", "6bc1bee22e409f96e93d7e117393172a",
	  "070a16b46b4d4144f79bdd9dd04a287c" },
	{ OTA_ALG_AES, "2b7e151628aed2a6abf7158809cf4f3c",
	  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411",
	  "dfa66747de9ae63030ca32611497c827" },
	/* NIST SP 800-38B D.2 / D.3, empty message (AES-192, AES-256) */
	{ OTA_ALG_AES, "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "",
	  "d17ddf46adaacde531cac483de7a9367" },
	{ OTA_ALG_AES, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "",
	  "028962f61b7bf89efc6b551f4667d983" },
	/* spec digest §8.1: CC input of the worked AES example (no extra padding) */
	{ OTA_ALG_AES, "0F0E0D0C0B0A09080706050403020100",
	  "00381516191212B00001 00000000010D 00A4000C026F0700D6000009080910101032547698"
	  "00000000000000000000000000", "76242FA4F08F06FC" },
	/* §8.4 gsm0348 test101: 3DES-2key CBC-MAC, 23 bytes zero-padded to 24 */
	{ OTA_ALG_3DES2, "2123456789ABCDEF100276FEDCBA0123",
	  "001D1512017575000000000000036F00 A0A40000027F20", "87A47C630C8CA89E" },
	/* §8.4 asterix: 3DES-3key CBC-MAC */
	{ OTA_ALG_3DES3, "9CD41F792BC38C08A5DF849B4118C71AEA4D8192207297C8",
	  "001D1512013939C20010000000000700 A0A40000023F00", "8523E37E6DBCCF7D" },
};

START_TEST(mac_known_answers)
{
	const struct mac_vec *v = &mac_vecs[_i];
	uint8_t key[32], msg[128], want[16], out[8];
	size_t kl = hx(v->key, key, sizeof(key)), ml = hx(v->msg, msg, sizeof(msg));
	size_t split;

	hx(v->mac, want, sizeof(want));
	/* the leftmost 8 (and 4) bytes, whatever the split of the input */
	for (split = 0; split <= ml; split++) {
		ck_assert_int_eq(ota_check_value(cx, v->alg, key, kl, msg, split, msg + split,
						 ml - split, out, 8), 0);
		ck_assert_msg(memcmp(out, want, 8) == 0, "vector %d split %zu", _i, split);
	}
	if (v->alg == OTA_ALG_AES) {
		ck_assert_int_eq(ota_check_value(cx, v->alg, key, kl, msg, ml, NULL, 0, out, 4), 0);
		ck_assert_mem_eq(out, want, 4);
	} else {
		/* a 4-byte CC exists only for AES-CMAC */
		ck_assert_int_eq(ota_check_value(cx, v->alg, key, kl, msg, ml, NULL, 0, out, 4),
				 OTA_EARG);
	}
	/* a key of the wrong length is refused, not truncated */
	ck_assert_int_eq(ota_check_value(cx, v->alg, key, kl - 1, msg, ml, NULL, 0, out, 8),
			 OTA_EKEY);
}
END_TEST

struct enc_vec {
	int alg;
	const char *key, *pt, *ct;
};

static const struct enc_vec enc_vecs[] = {
	/* FIPS-197 appendix C.1-C.3 */
	{ OTA_ALG_AES, "000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
	  "69c4e0d86a7b0430d8cdb78070b4c55a" },
	{ OTA_ALG_AES, "000102030405060708090a0b0c0d0e0f1011121314151617",
	  "00112233445566778899aabbccddeeff", "dda97ca4864cdfe06eaf70a0ec0d7191" },
	{ OTA_ALG_AES, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "00112233445566778899aabbccddeeff", "8ea2b7ca516745bfeafc49904b496089" },
	/* NIST SP 800-67 example, first block */
	{ OTA_ALG_3DES3, "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123", "5468652071756663",
	  "A826FD8CE53B855F" },
	/* pySim A2 (3DES-2key, zero IV CBC over two blocks): the command's
	 * ciphered part and its plaintext of the vector file */
	{ OTA_ALG_3DES2, "300102030405060708090a0b0c0d0e0f",
	  "0000000000 03 04ceaed74c102a01 00a40004023f00 000000",
	  "ae733256918d050b87c94fbfe12e4dc402f262c41cf67f2f" },
};

START_TEST(cipher_known_answers)
{
	const struct enc_vec *v = &enc_vecs[_i];
	uint8_t key[32], pt[64], ct[64], buf[64];
	size_t kl = hx(v->key, key, sizeof(key)), pl = hx(v->pt, pt, sizeof(pt));

	ck_assert_uint_eq(hx(v->ct, ct, sizeof(ct)), pl);
	ck_assert_int_eq(ota_cbc(cx, v->alg, key, kl, 1, pt, pl, buf), 0);
	ck_assert_mem_eq(buf, ct, pl);
	/* in place, both ways */
	ck_assert_int_eq(ota_cbc(cx, v->alg, key, kl, 0, buf, pl, buf), 0);
	ck_assert_mem_eq(buf, pt, pl);
	/* no padding: a partial block is refused */
	ck_assert_int_eq(ota_cbc(cx, v->alg, key, kl, 1, pt, pl - 1, buf), OTA_EARG);
	ck_assert_int_eq(ota_cbc(cx, v->alg, key, kl + 1, 1, pt, pl, buf), OTA_EKEY);
}
END_TEST

START_TEST(kic_kid_codings)
{
	unsigned n;

	/* TS 102 225 §5.1.2 KIc low nibble */
	for (n = 0; n < 16; n++) {
		int a = ota_kic_alg((uint8_t)(0x30 | n), 0);

		switch (n) {
		case 0x1: case 0xd: ck_assert_int_eq(a, OTA_EDES); break;
		case 0x5: ck_assert_int_eq(a, OTA_ALG_3DES2); break;
		case 0x9: ck_assert_int_eq(a, OTA_ALG_3DES3); break;
		case 0x2: ck_assert_int_eq(a, OTA_ALG_AES); break;
		default: ck_assert_int_eq(a, OTA_EALG); break;
		}
	}
	/* implicit: the algorithm stored with the key set */
	ck_assert_int_eq(ota_kic_alg(0x10, 0x2), OTA_ALG_AES);
	ck_assert_int_eq(ota_kic_alg(0x10, 0x1), OTA_EDES);
	/* KID under CC (SPI1 b2b1 = 10) */
	ck_assert_int_eq(ota_kid_alg(0x02, 0x11, 0), OTA_EDES);
	ck_assert_int_eq(ota_kid_alg(0x02, 0x15, 0), OTA_ALG_3DES2);
	ck_assert_int_eq(ota_kid_alg(0x02, 0x19, 0), OTA_ALG_3DES3);
	ck_assert_int_eq(ota_kid_alg(0x02, 0x12, 0), OTA_ALG_AES);
	ck_assert_int_eq(ota_kid_alg(0x02, 0x1d, 0), OTA_EALG);
	ck_assert_int_eq(ota_kid_alg(0x02, 0x16, 0), OTA_EALG);
	ck_assert_int_eq(ota_kid_alg(0x02, 0x10, 0), OTA_EALG);
	/* KID under RC (SPI1 b2b1 = 01): the same nibbles mean CRC16 / CRC32 */
	ck_assert_int_eq(ota_kid_alg(0x01, 0x11, 0), OTA_ALG_CRC16);
	ck_assert_int_eq(ota_kid_alg(0x01, 0x15, 0), OTA_ALG_CRC32);
	ck_assert_int_eq(ota_kid_alg(0x01, 0x19, 0), OTA_EALG);
	ck_assert_int_eq(ota_kid_alg(0x01, 0x12, 0), OTA_EALG);
	ck_assert_int_eq(ota_kid_alg(0x00, 0x12, 0), OTA_ALG_NONE);
	/* key lengths: AES 16/24/32 from the key, 3DES 16 (2-key) / 24 (3-key) */
	ck_assert_int_eq(ota_alg_key_ok(OTA_ALG_AES, 16), 0);
	ck_assert_int_eq(ota_alg_key_ok(OTA_ALG_AES, 24), 0);
	ck_assert_int_eq(ota_alg_key_ok(OTA_ALG_AES, 32), 0);
	ck_assert_int_eq(ota_alg_key_ok(OTA_ALG_AES, 8), OTA_EKEY);
	ck_assert_int_eq(ota_alg_key_ok(OTA_ALG_3DES2, 24), OTA_EKEY);
	ck_assert_int_eq(ota_alg_key_ok(OTA_ALG_3DES3, 16), OTA_EKEY);
	ck_assert_uint_eq(ota_alg_block(OTA_ALG_AES), 16);
	ck_assert_uint_eq(ota_alg_block(OTA_ALG_3DES2), 8);
}
END_TEST

START_TEST(no_context)
{
	/* keyed algorithms need a context; the CRCs do not */
	static const uint8_t key[16], in[16];
	uint8_t out[16];

	ck_assert_int_eq(ota_cbc(NULL, OTA_ALG_AES, key, 16, 1, in, 16, out), OTA_EARG);
	ck_assert_int_eq(ota_check_value(NULL, OTA_ALG_AES, key, 16, in, 16, NULL, 0, out, 8),
			 OTA_EARG);
	ck_assert_int_eq(ota_check_value(NULL, OTA_ALG_3DES2, key, 16, in, 16, NULL, 0, out, 8),
			 OTA_EARG);
	ck_assert_int_eq(ota_check_value(NULL, OTA_ALG_CRC16, NULL, 0, in, 16, NULL, 0, out, 2), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ota_cipher");
	TCase *tc = tcase_create("known answers");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, crc_check_values);
	tcase_add_loop_test(tc, mac_known_answers, 0, (int)(sizeof(mac_vecs) / sizeof(mac_vecs[0])));
	tcase_add_loop_test(tc, cipher_known_answers, 0,
			    (int)(sizeof(enc_vecs) / sizeof(enc_vecs[0])));
	tcase_add_test(tc, kic_kid_codings);
	tcase_add_test(tc, no_context);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
