/*
 * test_hygiene.c - no freed buffer holds key material.  Every free() of
 * the code under test (linked with -Wl,--wrap=free), of OpenSSL (through
 * CRYPTO_set_mem_functions) and of jansson (the tools' cleansing allocator,
 * whose free ends in the wrapped free) is scanned for any 8-byte run of
 * K, OPc, KIc or KID, raw or as hex text, while the card is personalised,
 * saved and loaded as an image, switched over the air and used for
 * AUTHENTICATE -- what uicc-perso, uicc-card and uicc-ota do.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "common/bcd.h"
#include "common/hex.h"
#include "common/secmem.h"
#include "tests/freescan.h"
#include "tests/otatest.h"
#include "uicckit/auth.h"
#include "uicckit/envelope.h"
#include "uicckit/image.h"
#include "uicckit/keyset.h"
#include "uicckit/perso.h"
#include "uicckit/por.h"
#include "uicckit/sms.h"

static unsigned xmit(struct uicc *c, const char *hex, uint8_t *r, size_t *rl)
{
	uint8_t a[300];
	size_t n;

	ck_assert_int_eq(uk_hex_decode(hex, a, sizeof(a), &n), 0);
	*rl = uicc_transmit(c, a, n, r, UICC_RAPDU_MAX);
	return (unsigned)r[*rl - 2] << 8 | r[*rl - 1];
}

START_TEST(keys_never_freed_in_clear)
{
	static uint8_t r[UICC_RAPDU_MAX];
	char dir[] = "/tmp/uk-hyg-XXXXXX", path[64], err[256];
	struct uicc_perso p;
	struct uicc_image_store st;
	struct uicc *card;
	json_t *prof;
	struct stat sb;
	size_t rl, i;
	int k;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/card.json", dir);
	memset(&p, 0, sizeof(p));
	strcpy(p.iccid, "89882390000000000019");
	strcpy(p.imsi, "001010000000001");
	for (k = 0; k < 2; k++) {
		struct uicc_keyset *ks = &p.ks[k];

		ks->k_len = ks->opc_len = ks->kic_len = ks->kid_len = 16;
		ks->op_is_opc = 1;
		ks->kic_alg = ks->kid_alg = 0x02;
		for (i = 0; i < 16; i++) {
			ks->k[i] = (uint8_t)(0x10 * k + 0x31 * i + 7);
			ks->opc[i] = (uint8_t)(0x10 * k + 0x17 * i + 3);
			ks->kic[i] = (uint8_t)(0x10 * k + 0x29 * i + 5);
			ks->kid[i] = (uint8_t)(0x10 * k + 0x13 * i + 11);
		}
		freescan_add_secret(ks->k, 16);
		freescan_add_secret(ks->opc, 16);
		freescan_add_secret(ks->kic, 16);
		freescan_add_secret(ks->kid, 16);
	}
	ck_assert_int_eq(uicc_perso_defaults(&p, 2), 0);
	freescan.armed = 1;
	/* uicc-perso: profile -> card -> key sets -> image (0600) */
	prof = uicc_profile_default();
	card = uicc_new(prof, err, sizeof(err));
	json_decref(prof);
	ck_assert_ptr_nonnull(card);
	ck_assert_int_eq(uicc_perso_apply(card, &p, err, sizeof(err)), 0);
	memset(&st, 0, sizeof(st));
	st.path = path;
	ck_assert_int_eq(uicc_image_save(&st, card), 0);
	uicc_free(card);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	/* uicc-card: load, session with OTA switch and AUTHENTICATE, saved per APDU */
	card = uicc_image_load(path, err, sizeof(err));
	ck_assert_msg(card != NULL, "%s", err);
	uicc_set_store(card, &uicc_image_store_ops, &st);
	uicc_power_on(card, NULL, 0);
	ck_assert_uint_eq(xmit(card, "801000000403008002", r, &rl), 0x9000);
	{
		/* uicc-ota: the switch packet under key set 0 */
		static const char *script = "00A4000C026F0700D6000009080910200000000020"
					    "00A4000C02FF0300D600000101";
		struct ota_cmd_hdr h = { .spi = { 0x16, 0x19 }, .kic = 0x12, .kid = 0x12,
					 .tar = { 0xb0, 0x00, 0x01 }, .cntr = 1 };
		struct ota_keys ok;
		uint8_t s[64], env[300];
		size_t sl, el;

		memset(&ok, 0, sizeof(ok));
		memcpy(ok.kic_key, p.ks[0].kic, 16);
		memcpy(ok.kid_key, p.ks[0].kid, 16);
		ok.kic_key_len = ok.kid_key_len = 16;
		ck_assert_int_eq(uk_hex_decode(script, s, sizeof(s), &sl), 0);
		el = ot_envelope(&h, &ok, s, sl, env, sizeof(env));
		rl = uicc_transmit(card, env, el, r, UICC_RAPDU_MAX);
		ck_assert_uint_eq((unsigned)r[rl - 2] << 8 | r[rl - 1], 0x910b);
		OPENSSL_cleanse(&ok, sizeof(ok));
	}
	ck_assert_uint_eq(xmit(card, "801200000B", r, &rl), 0x9000);
	uicc_power_on(card, NULL, 0);
	{
		struct auth_ctx *cx = auth_ctx_new();
		struct auth_keyset ak = { .alg = AUTH_ALG_MILENAGE, .k_len = 16, .op_len = 16,
					  .op_is_opc = 1 };
		struct auth_vector v;
		uint8_t rnd[16] = { 1, 2, 3 }, sqn[6] = { 0, 0, 0, 0, 0, 0x21 }, amf[2] = { 0x80, 0 };
		char apdu[100], hx[33];

		memcpy(ak.k, p.ks[1].k, 16);
		memcpy(ak.op, p.ks[1].opc, 16);
		ck_assert_int_eq(auth_gen_vector(cx, &ak, rnd, sqn, amf, &v), 0);
		auth_ctx_free(cx);
		OPENSSL_cleanse(&ak, sizeof(ak));
		ck_assert_uint_eq(xmit(card, "002000010831323334FFFFFFFF", r, &rl), 0x9000);
		ck_assert_uint_eq(xmit(card, "00A4040C07A0000000871002", r, &rl), 0x9000);
		strcpy(apdu, "008800812210");
		uk_hex_encode(v.rand, 16, hx);
		strcat(apdu, hx);
		strcat(apdu, "10");
		uk_hex_encode(v.autn, 16, hx);
		strcat(apdu, hx);
		ck_assert_uint_eq(xmit(card, apdu, r, &rl), 0x9000);
		ck_assert_uint_eq(r[0], 0xdb);
	}
	uicc_power_off(card);
	uicc_free(card);
	uicc_perso_cleanse(&p);
	freescan.armed = 0;
	ck_assert_uint_gt(freescan.scanned, 100);
	ck_assert_msg(freescan.hits == 0, "%lu freed buffers held keys; first: %s", freescan.hits, freescan.first);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* The scanner itself finds a key in a freed buffer. */
START_TEST(scanner_finds_keys)
{
	void (*volatile release)(void *) = free;
	uint8_t *volatile b = malloc(64);
	static const uint8_t key[16] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	unsigned long before;

	freescan_add_secret(key, 16);
	ck_assert_ptr_nonnull(b);
	memset(b, 0, 64);
	memcpy(b + 20, key + 4, 8);
	before = freescan.hits;
	freescan.armed = 1;
	release(b);
	freescan.armed = 0;
	ck_assert_uint_eq(freescan.hits, before + 1);
	freescan.hits = before;
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hygiene");
	TCase *tc = tcase_create("freed-memory");
	SRunner *sr;
	int failed;

	/* before OpenSSL allocates anything */
	if (!freescan_install())
		return 99;
	uk_json_cleansing_alloc();
	tcase_add_test(tc, scanner_finds_keys);
	tcase_add_test(tc, keys_never_freed_in_clear);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
