/*
 * test_por.c - TS 102 225 §5.2 / TS 31.115 response packets (PoR): every
 * PoR of tests/vectors/ota-pysim.txt (A1-A4, A6d/e/g, B1-B3) and of the spec
 * digest §8.1-§8.4 built and parsed byte-exact; the tampered PoR A6f
 * rejected; error PoRs always plain (RHL 0A, CNTR 0, no CC, not ciphered)
 * whatever SPI2 asks; plain PoRs accepted only as unauthenticated errors;
 * status code names; SPI2 PoR request; malformed input.
 */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

#include "common/hex.h"
#include "tests/vecfile.h"
#include "uicckit/por.h"

static size_t hx(const char *s, uint8_t *out, size_t cap)
{
	size_t n;

	ck_assert_int_eq(uk_hex_decode(s, out, cap, &n), 0);
	return n;
}

static void keys(struct ota_keys *k, const char *kic, const char *kid)
{
	memset(k, 0, sizeof(*k));
	if (kic)
		k->kic_key_len = hx(kic, k->kic_key, sizeof(k->kic_key));
	if (kid)
		k->kid_key_len = hx(kid, k->kid_key, sizeof(k->kid_key));
}

static void hdr(struct ota_cmd_hdr *h, unsigned spi, unsigned kic, unsigned kid,
		unsigned long tar, unsigned long long cntr)
{
	h->spi[0] = (uint8_t)(spi >> 8);
	h->spi[1] = (uint8_t)spi;
	h->kic = (uint8_t)kic;
	h->kid = (uint8_t)kid;
	h->tar[0] = (uint8_t)(tar >> 16);
	h->tar[1] = (uint8_t)(tar >> 8);
	h->tar[2] = (uint8_t)tar;
	h->cntr = cntr;
}

struct por_vec {
	const char *id;
	unsigned spi, kic, kid;
	unsigned long tar;
	unsigned long long cntr;
	const char *kic_key, *kid_key;
	uint8_t rsc;
	const char *data, *por;
	int authenticated;
};

static const struct por_vec por_vecs[] = {
	{ "A1", 0x0619, 0x22, 0x22, 0xb00011, 0, "200102030405060708090a0b0c0d0e0f",
	  "201102030405060708090a0b0c0d0e0f", 0, "016132",
	  "027100002412b00011ebc6b497e2cad7aedf36ace0e3a29b38853f0fe9ccde81913be5702b73abce1f", 1 },
	{ "A2", 0x0619, 0x35, 0x35, 0xb00011, 0, "300102030405060708090a0b0c0d0e0f",
	  "301102030405060708090a0b0c0d0e0f", 0, "016132",
	  "027100001c12b000118bb989492c632529326a2f4681feb37c825bc9021c9f6d0b", 1 },
	{ "A3", 0x0609, 0x35, 0x35, 0xb00011, 0, "300102030405060708090a0b0c0d0e0f",
	  "301102030405060708090a0b0c0d0e0f", 0, "016132",
	  "027100001612b0001100000000000000b5bcd6353a421fae016132", 1 },
	{ "A4", 0x0601, 0x35, 0x35, 0xb00011, 0, "300102030405060708090a0b0c0d0e0f",
	  "301102030405060708090a0b0c0d0e0f", 0, "016132",
	  "027100000e0ab0001100000000000000016132", 0 },
	{ "A6d", 0x0019, 0x35, 0x35, 0xb00011, 0, "c21dd66acac13cb3bc8b331b24afb57b",
	  "12110c78e678c25408233076aa033615", 0, "01612f",
	  "027100001c12b000119660ebdb81be189b5e4389e9e7ab2bc0954f963ad869ed7c", 1 },
	{ "A6e", 0x0009, 0x35, 0x35, 0xb00011, 0, "c21dd66acac13cb3bc8b331b24afb57b",
	  "12110c78e678c25408233076aa033615", 0, "01612f",
	  "027100001612b000110000000000000055f47118381175fb01612f", 1 },
	{ "A6g", 0x0001, 0x35, 0x35, 0xb00011, 0, "c21dd66acac13cb3bc8b331b24afb57b",
	  "12110c78e678c25408233076aa033615", 0, "01612f",
	  "027100000e0ab000110000000000000001612f", 0 },
	{ "B1", 0x0619, 0x15, 0x15, 0xb00010, 0, "f09c43ee1a0391665cc9f05af4e0bd10",
	  "01981f4a20999f62af99988007baf6ca", 0, "0290000000ffff7f2002000000000009b106350400838a838a",
	  "027100002c12b000107ddf58d1780f771638b3975759f4296cf5c31efc87a16a1b61921426baa16da1b5ba1a9951d59a39", 1 },
	{ "B2", 0x1619, 0x15, 0x15, 0xb00010, 0x64, "f09c43ee1a0391665cc9f05af4e0bd10",
	  "01981f4a20999f62af99988007baf6ca", 0, "0290000000ffff7f2002000000000009b106350400838a838a",
	  "027100002c12b0001049fb0315f6c6401b553867f412cefaf9355b38271178edb342a3bc9cc7e670cdc1f45eea6ffcbb39", 1 },
	{ "8.1", 0x1619, 0x12, 0x12, 0xb00001, 1, "00112233445566778899AABBCCDDEEFF",
	  "0F0E0D0C0B0A09080706050403020100", 0, "029000",
	  "027100002412B0000173AA8929E6086B5669B13F5D4AA24EB6B98A465201060ED337C5A06299B860E4", 1 },
	{ "8.3", 0x1639, 0x15, 0x15, 0xb00001, 2, "0123456789ABCDEFFEDCBA9876543210",
	  "FEDCBA98765432100123456789ABCDEF", 0, "0A9000",
	  "027100001C12B0000198343B19FE881B0C88EB6B17E65A719C9607F06AAC01EB41", 1 },
	{ "8.4 CRC32", 0x1535, 0x15, 0x15, 0xc00000, 0x76, "263B48DBCBC1C21C0AA13E4D4516C446",
	  NULL, 0, "019000E012C00401018210C00402018210C00403018210",
	  "027100002C0EC00000888B39C361C66D5F3DC4EFCEF508CC228021DD34E577B147E54EFF18B3922C9176644E2E8AA9A695", 0 },
};

START_TEST(por_vectors)
{
	const struct por_vec *v = &por_vecs[_i];
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	uint8_t data[256], want[256], out[256], work[512];
	size_t dlen = hx(v->data, data, sizeof(data)), wlen = hx(v->por, want, sizeof(want));
	int n;

	hdr(&h, v->spi, v->kic, v->kid, v->tar, v->cntr);
	keys(&k, v->kic_key, v->kid_key);
	n = ota_por_build(&h, &k, v->rsc, data, dlen, out, sizeof(out));
	ck_assert_msg(n == (int)wlen, "%s: length %d want %zu", v->id, n, wlen);
	ck_assert_msg(memcmp(out, want, wlen) == 0, "%s: bytes differ", v->id);
	ck_assert_int_eq(ota_por_parse(want, wlen, &h, &k, work, sizeof(work), &por), 0);
	ck_assert_uint_eq(por.rsc, v->rsc);
	ck_assert_uint_eq(por.cntr, v->cntr);
	ck_assert_int_eq(por.authenticated, v->authenticated);
	ck_assert_int_eq(por.protected_as_asked, 1);
	ck_assert_uint_eq(por.dlen, dlen);
	ck_assert_mem_eq(por.data, data, dlen);
	/* without its UDH too */
	ck_assert_int_eq(ota_por_parse(want + 3, wlen - 3, &h, &k, work, sizeof(work), &por), 0);
	ck_assert_uint_eq(por.dlen, dlen);
}
END_TEST

START_TEST(por_tampered_rejected)
{
	/* A6f: A6e with one data byte changed */
	static const char *a6f = "027100001612b000110000000000000055f47118381175fb02612f";
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	uint8_t ud[64], work[128];
	size_t n = hx(a6f, ud, sizeof(ud));

	hdr(&h, 0x0009, 0x35, 0x35, 0xb00011, 0);
	keys(&k, "c21dd66acac13cb3bc8b331b24afb57b", "12110c78e678c25408233076aa033615");
	ck_assert_int_eq(ota_por_parse(ud, n, &h, &k, work, sizeof(work), &por), OTA_ECHECK);
}
END_TEST

START_TEST(por_error_plain)
{
	/* B3: a replayed counter answered by the real card, plain, RSC 06 */
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	uint8_t ud[64], work[128], out[64], want[64];
	size_t n = hx("027100000b0ab0001000000000000006", ud, sizeof(ud));
	int len;

	hdr(&h, 0x1619, 0x15, 0x15, 0xb00010, 0x64);
	keys(&k, "f09c43ee1a0391665cc9f05af4e0bd10", "01981f4a20999f62af99988007baf6ca");
	ck_assert_int_eq(ota_por_parse(ud, n, &h, &k, work, sizeof(work), &por), 0);
	ck_assert_uint_eq(por.rsc, 0x06);
	ck_assert_int_eq(por.authenticated, 0);
	ck_assert_int_eq(por.protected_as_asked, 0);
	/* the card side builds exactly that for any failure, whatever SPI2 says */
	len = ota_por_build(&h, &k, 0x06, (const uint8_t *)"\x01\x02", 2, out, sizeof(out));
	ck_assert_int_eq(len, (int)n);
	ck_assert_mem_eq(out, ud, n);
	/* 8.2: bad CC on the 8.1 packet */
	hdr(&h, 0x1619, 0x12, 0x12, 0xb00001, 1);
	n = hx("027100000B0AB00001000000000000 01", want, sizeof(want));
	len = ota_por_build(&h, &k, OTA_RSC_CHECK_FAILED, NULL, 0, out, sizeof(out));
	ck_assert_int_eq(len, (int)n);
	ck_assert_mem_eq(out, want, n);
	/* a plain PoR claiming success when CC was asked is not accepted */
	out[15] = 0x00;
	ck_assert_int_eq(ota_por_parse(out, (size_t)len, &h, &k, work, sizeof(work), &por),
			 OTA_EPLAIN);
}
END_TEST

START_TEST(error_por_always_plain)
{
	/* whatever SPI2 asks (here: PoR ciphered + CC via SMS-SUBMIT), every
	 * RSC other than 00/0B gives 02 71 00 000B 0A TAR 0000000000 00 RSC */
	static const unsigned spis[] = { 0x1639, 0x1619, 0x0609, 0x0605, 0x0001, 0x1231 };
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	uint8_t out[64], work[64];
	size_t s;
	int rsc, n;

	keys(&k, "00112233445566778899AABBCCDDEEFF", "0F0E0D0C0B0A09080706050403020100");
	for (s = 0; s < sizeof(spis) / sizeof(spis[0]); s++)
		for (rsc = 0; rsc < 256; rsc++) {
			if (rsc == 0x00 || rsc == 0x0b)
				continue;
			hdr(&h, spis[s], 0x12, 0x12, 0xb00001, 0x1234567890ULL);
			n = ota_por_build(&h, &k, (uint8_t)rsc, (const uint8_t *)"\x99", 1, out,
					  sizeof(out));
			ck_assert_int_eq(n, 16);
			ck_assert_mem_eq(out, "\x02\x71\x00\x00\x0b\x0a\xb0\x00\x01\x00\x00\x00\x00\x00\x00",
					 15);
			ck_assert_uint_eq(out[15], (unsigned)rsc);
			/* and the sender reads it back as an unauthenticated error */
			ck_assert_int_eq(ota_por_parse(out, 16, &h, &k, work, sizeof(work), &por), 0);
			ck_assert_uint_eq(por.rsc, (unsigned)rsc);
			ck_assert_int_eq(por.authenticated, 0);
			ck_assert_uint_eq(por.cntr, 0);
			ck_assert_uint_eq(por.dlen, 0);
			/* also without any key */
			ck_assert_int_eq(ota_por_parse(out, 16, &h, NULL, work, sizeof(work), &por), 0);
			ck_assert_uint_eq(por.rsc, (unsigned)rsc);
		}
	/* the error PoR needs no key material at all */
	hdr(&h, 0x1639, 0x12, 0x12, 0xb00001, 9);
	ck_assert_int_eq(ota_por_build(&h, NULL, 0x01, NULL, 0, out, sizeof(out)), 16);
	ck_assert_int_eq(ota_por_build(&h, NULL, 0x01, NULL, 0, out, 15), OTA_ESPACE);
}
END_TEST

START_TEST(rsc_names)
{
	static const char *const want[] = {
		"PoR OK", "RC/CC/DS failed", "CNTR low", "CNTR high", "CNTR blocked",
		"ciphering error", "unidentified security error",
		"insufficient memory to process incoming message", "more time",
		"TAR unknown", "insufficient security level",
		"actual response data to be sent using SMS-SUBMIT",
		"actual response data to be sent using PROCESS UNSTRUCTURED SS REQUEST",
	};
	unsigned i;

	for (i = 0; i < 13; i++)
		ck_assert_str_eq(ota_rsc_name((uint8_t)i), want[i]);
	for (i = 0x0d; i <= 0xbf; i++)
		ck_assert_str_eq(ota_rsc_name((uint8_t)i), "reserved for future use");
	for (i = 0xc0; i <= 0xfe; i++)
		ck_assert_str_eq(ota_rsc_name((uint8_t)i), "reserved for proprietary use");
	ck_assert_str_eq(ota_rsc_name(0xff), "reserved for future use");
}
END_TEST

START_TEST(por_wanted)
{
	static const uint8_t none[2] = { 0x16, 0x38 }, always[2] = { 0x16, 0x39 },
		on_error[2] = { 0x16, 0x3a }, reserved[2] = { 0x16, 0x3b };

	ck_assert_int_eq(ota_por_wanted(none, 0x00), 0);
	ck_assert_int_eq(ota_por_wanted(none, 0x01), 0);
	ck_assert_int_eq(ota_por_wanted(always, 0x00), 1);
	ck_assert_int_eq(ota_por_wanted(always, 0x06), 1);
	ck_assert_int_eq(ota_por_wanted(on_error, 0x00), 0);
	ck_assert_int_eq(ota_por_wanted(on_error, 0x02), 1);
	ck_assert_int_eq(ota_por_wanted(reserved, 0x06), 0);
	ck_assert_int_eq(ota_por_by_submit(always), 1);
	ck_assert_int_eq(ota_por_by_submit((const uint8_t[]){ 0x06, 0x19 }), 0);
}
END_TEST

START_TEST(por_malformed)
{
	/* 8.1's PoR, then broken copies */
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	uint8_t ud[64], bad[64], work[128];
	size_t n, i;
	int bit;

	n = hx("027100002412B0000173AA8929E6086B5669B13F5D4AA24EB6B98A465201060ED337C5A06299B860E4",
	       ud, sizeof(ud));
	hdr(&h, 0x1619, 0x12, 0x12, 0xb00001, 1);
	keys(&k, "00112233445566778899AABBCCDDEEFF", "0F0E0D0C0B0A09080706050403020100");
	ck_assert_int_eq(ota_por_parse(ud, n, &h, &k, work, sizeof(work), &por), 0);
	/* every truncation */
	for (i = 0; i < n; i++)
		ck_assert_int_lt(ota_por_parse(ud, i, &h, &k, work, sizeof(work), &por), 0);
	/* work too small: refused before anything is written past it */
	ck_assert_int_eq(ota_por_parse(ud, n, &h, &k, work, n - 1, &por), OTA_ESPACE);
	/* RPL off by one, RHL not what SPI2/KID imply, another TAR */
	memcpy(bad, ud, n);
	bad[4]++;
	ck_assert_int_eq(ota_por_parse(bad, n, &h, &k, work, sizeof(work), &por), OTA_ELEN);
	memcpy(bad, ud, n);
	bad[5] = 0x0e;
	ck_assert_int_lt(ota_por_parse(bad, n, &h, &k, work, sizeof(work), &por), 0);
	memcpy(bad, ud, n);
	bad[8] ^= 1;
	ck_assert_int_eq(ota_por_parse(bad, n, &h, &k, work, sizeof(work), &por), OTA_ELEN);
	/* every single-bit flip of the ciphered, CC-protected PoR is refused */
	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, ud, n);
			bad[i] ^= (uint8_t)(1 << bit);
			ck_assert_msg(ota_por_parse(bad, n, &h, &k, work, sizeof(work), &por) != 0,
				      "flip of byte %zu bit %d accepted", i, bit);
		}
	/* the wrong KID key fails the CC; the wrong KIc key too */
	k.kid_key[3] ^= 0x40;
	ck_assert_int_eq(ota_por_parse(ud, n, &h, &k, work, sizeof(work), &por), OTA_ECHECK);
	k.kid_key[3] ^= 0x40;
	k.kic_key[3] ^= 0x40;
	ck_assert_int_lt(ota_por_parse(ud, n, &h, &k, work, sizeof(work), &por), 0);
	/* PoR DS asked for: not supported */
	k.kic_key[3] ^= 0x40;
	hdr(&h, 0x161d, 0x12, 0x12, 0xb00001, 1);
	ck_assert_int_eq(ota_por_parse(ud, n, &h, &k, work, sizeof(work), &por), OTA_ESPI);
	ck_assert_int_eq(ota_por_build(&h, &k, 0, NULL, 0, bad, sizeof(bad)), OTA_ESPI);
}
END_TEST

START_TEST(por_cc4_and_lengths)
{
	/* AES-CMAC with a 4-byte CC (RHL 0E), then no-cipher RC CRC16 (RHL 0C) */
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	uint8_t out[512], work[512], data[300];
	size_t dlen;
	int n;

	memset(data, 0xa5, sizeof(data));
	keys(&k, "00112233445566778899AABBCCDDEEFF", "0F0E0D0C0B0A09080706050403020100");
	k.cc_len = 4;
	hdr(&h, 0x1619, 0x12, 0x12, 0xb00001, 77);
	for (dlen = 0; dlen < 40; dlen++) {
		n = ota_por_build(&h, &k, 0, data, dlen, out, sizeof(out));
		ck_assert_int_gt(n, 0);
		ck_assert_uint_eq(out[5], 0x0e);
		ck_assert_uint_eq((size_t)n - 9 - 0, (size_t)((n - 9) / 16) * 16);
		ck_assert_int_eq(ota_por_parse(out, (size_t)n, &h, &k, work, sizeof(work), &por), 0);
		ck_assert_uint_eq(por.dlen, dlen);
		ck_assert_uint_eq(por.cntr, 77);
		ck_assert_int_eq(por.authenticated, 1);
	}
	hdr(&h, 0x1505, 0x12, 0x01, 0xb00001, 3);
	n = ota_por_build(&h, &k, 0, data, 3, out, sizeof(out));
	ck_assert_int_eq(n, 3 + 2 + 1 + 0x0c + 3);
	ck_assert_uint_eq(out[5], 0x0c);
	ck_assert_int_eq(ota_por_parse(out, (size_t)n, &h, &k, work, sizeof(work), &por), 0);
	ck_assert_int_eq(por.authenticated, 0);	/* a CRC is no authentication */
	ck_assert_int_eq(por.protected_as_asked, 1);
	/* output too small */
	ck_assert_int_eq(ota_por_build(&h, &k, 0, data, 3, out, (size_t)n - 1), OTA_ESPACE);
}
END_TEST

/* The hex strings above were copied from tests/vectors/ota-pysim.txt: check
 * that every one still appears there, so a transcription slip cannot hide. */
static char *load_vector_text(void)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;
	size_t i;

	ck_assert_ptr_nonnull(uk_vec_path("ota-pysim.txt", path, sizeof(path)));
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = 0;
	for (i = 0; i < (size_t)n; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return buf;
}

static int in_vector_file(const char *text, const char *hexs)
{
	char want[1024];
	size_t j = 0;

	for (; *hexs && j + 1 < sizeof(want); hexs++)
		if (*hexs != ' ')
			want[j++] = (char)tolower((unsigned char)*hexs);
	want[j] = 0;
	return strstr(text, want) != NULL;
}

START_TEST(por_vectors_from_file)
{
	char *text = load_vector_text();
	size_t i, checked = 0;

	for (i = 0; i < sizeof(por_vecs) / sizeof(por_vecs[0]); i++) {
		if (por_vecs[i].id[0] != 'A' && por_vecs[i].id[0] != 'B')
			continue;	/* §8 examples come from the spec digest */
		ck_assert_msg(in_vector_file(text, por_vecs[i].por), "%s not in ota-pysim.txt", por_vecs[i].id);
		checked++;
	}
	ck_assert_uint_ge(checked, 5);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("por");
	TCase *tc = tcase_create("vectors");
	TCase *tp = tcase_create("properties");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, por_vectors, 0, (int)(sizeof(por_vecs) / sizeof(por_vecs[0])));
	tcase_add_test(tc, por_tampered_rejected);
	tcase_add_test(tc, por_error_plain);
	tcase_add_test(tc, rsc_names);
	tcase_add_test(tp, error_por_always_plain);
	tcase_add_test(tp, por_wanted);
	tcase_add_test(tp, por_malformed);
	tcase_add_test(tp, por_cc4_and_lengths);
	tcase_add_test(tc, por_vectors_from_file);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tp);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
