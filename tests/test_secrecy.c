/*
 * test_secrecy.c - no key material leaves the card through an APDU.  A card
 * with 4 personalised key sets; for every file of the image and every
 * access level (none, PIN1, PIN1 + ADM1, and OTA RFM through each TAR), the
 * answers to SELECT (FCP), STATUS, READ BINARY / READ RECORD and SEARCH
 * RECORD must not contain any 8-byte run of any K, OPc, KIc or KID.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "tests/cardtest.h"
#include "tests/otatest.h"
#include "uicckit/envelope.h"
#include "uicckit/keyset.h"
#include "uicckit/perso.h"
#include "uicckit/por.h"
#include "uicckit/sms.h"

#define RUN 8

struct ctx {
	struct uicc *card;
	uint8_t secret[4 * 4][32];
	size_t secret_len[4 * 4];
	size_t n_secret;
	unsigned long answers;
	struct uicc_keyset ks0;
	uint64_t cntr;
};

static int holds_secret(const struct ctx *c, const uint8_t *p, size_t n)
{
	size_t s, i, j;

	for (s = 0; s < c->n_secret; s++)
		for (i = 0; i + RUN <= c->secret_len[s]; i++)
			for (j = 0; j + RUN <= n; j++)
				if (memcmp(p + j, c->secret[s] + i, RUN) == 0)
					return 1;
	return 0;
}

static void check_clean(struct ctx *c, const uint8_t *p, size_t n, const char *what)
{
	c->answers++;
	ck_assert_msg(!holds_secret(c, p, n), "%s: answer holds key material", what);
}

static size_t tx(struct ctx *c, const uint8_t *apdu, size_t len, uint8_t *r)
{
	size_t n = uicc_transmit(c->card, apdu, len, r, UICC_RAPDU_MAX);

	check_clean(c, r, n, "APDU");
	return n;
}

static size_t txh(struct ctx *c, const char *hex, uint8_t *r)
{
	uint8_t a[300];
	size_t n;

	ck_assert_int_eq(uk_hex_decode(hex, a, sizeof(a), &n), 0);
	return tx(c, a, n, r);
}

/* Every file's path from the MF (or the ADF), from the image. */
struct file {
	char path[64];	/* hex FIDs, e.g. 7FF06F07 (ADF), 2FE2 */
	int adf;
	int records;	/* record count, 0 for transparent / DF */
	int reclen;
};

static void walk(json_t *files, const char *prefix, int adf, struct file *out, size_t *n)
{
	size_t i;
	json_t *f;

	json_array_foreach(files, i, f) {
		const char *fid = json_string_value(json_object_get(f, "fid"));
		const char *type = json_string_value(json_object_get(f, "type"));
		json_t *recs = json_object_get(f, "records");

		if (fid == NULL || *n >= 128)
			continue;
		snprintf(out[*n].path, sizeof(out[*n].path), "%s%s", prefix, fid);
		out[*n].adf = adf;
		out[*n].records = json_is_array(recs) ? (int)json_array_size(recs) :
			(int)json_integer_value(json_object_get(f, "record_count"));
		out[*n].reclen = (int)json_integer_value(json_object_get(f, "record_length"));
		if (type != NULL && strcmp(type, "transparent") == 0)
			out[*n].records = 0;
		(*n)++;
		if (json_object_get(f, "files") != NULL)
			walk(json_object_get(f, "files"), out[*n - 1].path, adf, out, n);
	}
}

static void probe_file(struct ctx *c, const struct file *f)
{
	uint8_t r[UICC_RAPDU_MAX];
	char cmd[200];
	int rec;

	txh(c, "00A40004023F00", r);
	if (f->adf)
		txh(c, "00A4040407A0000000871002", r);
	/* path from the current DF: ADF-relative for ADF files */
	snprintf(cmd, sizeof(cmd), "00A40804%02zX%s", strlen(f->path) / 2, f->path);
	if (f->adf) {
		txh(c, "00A4040C07A0000000871002", r);
		snprintf(cmd, sizeof(cmd), "00A40904%02zX%s", strlen(f->path) / 2, f->path);
	}
	txh(c, cmd, r);
	txh(c, "80F2000000", r);		/* STATUS, FCP of the current DF */
	txh(c, "80F2000100", r);
	txh(c, "00B0000000", r);		/* READ BINARY, up to 256 bytes */
	txh(c, "00B0010000", r);
	for (rec = 1; rec <= f->records && rec <= 16; rec++) {
		snprintf(cmd, sizeof(cmd), "00B2%02X04%02X", rec, f->reclen & 0xff);
		txh(c, cmd, r);
	}
	txh(c, "00A2010401FF00", r);		/* SEARCH RECORD for FF */
	txh(c, "00A2010401 00 00", r);
}

static void setup_ctx(struct ctx *c)
{
	struct uicc_perso p;
	unsigned i;

	memset(c, 0, sizeof(*c));
	memset(&p, 0, sizeof(p));
	strcpy(p.iccid, "89882390000000000019");
	strcpy(p.imsi, "001010000000001");
	c->card = ot_perso_card(&p, 4);
	for (i = 0; i < 4; i++) {
		const struct uicc_keyset *ks = &p.ks[i];

		memcpy(c->secret[c->n_secret], ks->k, ks->k_len);
		c->secret_len[c->n_secret++] = ks->k_len;
		memcpy(c->secret[c->n_secret], ks->opc, ks->opc_len);
		c->secret_len[c->n_secret++] = ks->opc_len;
		memcpy(c->secret[c->n_secret], ks->kic, ks->kic_len);
		c->secret_len[c->n_secret++] = ks->kic_len;
		memcpy(c->secret[c->n_secret], ks->kid, ks->kid_len);
		c->secret_len[c->n_secret++] = ks->kid_len;
	}
	ck_assert_int_eq(uicc_keyset_get(c->card, 0, &c->ks0), 0);
	uicc_perso_cleanse(&p);
}

static size_t files_of(struct ctx *c, struct file *files)
{
	json_t *doc = uicc_to_json(c->card), *adf;
	size_t n = 0, i;

	walk(json_object_get(json_object_get(doc, "mf"), "files"), "", 0, files, &n);
	json_array_foreach(json_object_get(doc, "adfs"), i, adf)
		walk(json_object_get(adf, "files"), "", 1, files, &n);
	json_decref(doc);
	ck_assert_uint_gt(n, 20);
	return n;
}

START_TEST(apdu_levels)
{
	struct ctx c;
	struct file files[128];
	uint8_t r[UICC_RAPDU_MAX];
	size_t n, i;
	int level;

	setup_ctx(&c);
	/* the detector itself: 8 bytes from inside a key are found */
	ck_assert(holds_secret(&c, c.secret[5] + 3, 9));
	ck_assert(!holds_secret(&c, c.secret[5] + 3, 7));
	n = files_of(&c, files);
	for (level = 0; level < 3; level++) {
		uicc_power_on(c.card, NULL, 0);
		if (level >= 1)
			ck_assert_uint_eq(txh(&c, "002000010831323334FFFFFFFF", r), 2);
		if (level >= 2)
			ck_assert_uint_eq(txh(&c, "0020000A083838383838383838", r), 2);
		for (i = 0; i < n; i++)
			probe_file(&c, &files[i]);
	}
	ck_assert_uint_gt(c.answers, 500);
	uicc_keyset_cleanse(&c.ks0);
	uicc_free(c.card);
}
END_TEST

/* OTA: an RFM script that selects a file and reads it, through each TAR,
 * under the real keys; the PoR (deciphered) must not hold key material. */
static void ota_read(struct ctx *c, uint32_t tar, const char *script_hex)
{
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	uint8_t script[300], pkt[600], env[300], r[UICC_RAPDU_MAX], work[1024];
	size_t sl, el, rl;

	ck_assert_int_eq(uk_hex_decode(script_hex, script, sizeof(script), &sl), 0);
	memset(&h, 0, sizeof(h));
	h.spi[0] = 0x16;
	h.spi[1] = 0x19;
	h.kic = (uint8_t)(c->ks0.kvn << 4 | c->ks0.kic_alg);
	h.kid = (uint8_t)(c->ks0.kvn << 4 | c->ks0.kid_alg);
	h.tar[0] = (uint8_t)(tar >> 16);
	h.tar[1] = (uint8_t)(tar >> 8);
	h.tar[2] = (uint8_t)tar;
	h.cntr = ++c->cntr;
	memset(&k, 0, sizeof(k));
	memcpy(k.kic_key, c->ks0.kic, 16);
	memcpy(k.kid_key, c->ks0.kid, 16);
	k.kic_key_len = k.kid_key_len = 16;
	if (ota_cmd_build(&h, &k, script, sl, pkt, sizeof(pkt)) + 3 > 140)
		return;		/* longer than one SMS: not this test's business */
	el = ot_envelope(&h, &k, script, sl, env, sizeof(env));
	rl = tx(c, env, el, r);
	ck_assert_uint_gt(rl, 2);
	ck_assert_int_eq(ota_por_parse(r, rl - 2, &h, &k, work, sizeof(work), &por), 0);
	check_clean(c, por.data, por.dlen, "PoR");
}

START_TEST(ota_every_tar)
{
	static const uint32_t tars[] = { 0xb00000, 0xb00001, 0xb00011 };
	struct ctx c;
	struct file files[128];
	size_t n, i, t;
	char script[200];

	setup_ctx(&c);
	n = files_of(&c, files);
	uicc_power_on(c.card, NULL, 0);
	for (t = 0; t < 3; t++)
		for (i = 0; i < n; i++) {
			size_t plen = strlen(files[i].path) / 2;

			/* select by path from the start DF, then read binary and record 1 */
			snprintf(script, sizeof(script), "00A408%s%02zX%s00B00000FF",
				 "0C", plen, files[i].path);
			if (files[i].adf && tars[t] == 0xb00000)
				snprintf(script, sizeof(script), "00A408%s%02zX7FF0%s00B00000FF",
					 "0C", plen + 2, files[i].path);
			ota_read(&c, tars[t], script);
			snprintf(script, sizeof(script), "00A408%s%02zX%s00B20104%02X",
				 "0C", plen, files[i].path, files[i].reclen & 0xff);
			if (files[i].adf && tars[t] == 0xb00000)
				snprintf(script, sizeof(script), "00A408%s%02zX7FF0%s00B20104%02X",
					 "0C", plen + 2, files[i].path, files[i].reclen & 0xff);
			ota_read(&c, tars[t], script);
		}
	ck_assert_uint_gt(c.answers, 200);
	uicc_keyset_cleanse(&c.ks0);
	uicc_free(c.card);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("secrecy");
	TCase *tc = tcase_create("keys");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, apdu_levels);
	tcase_add_test(tc, ota_every_tar);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
