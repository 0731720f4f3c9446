/*
 * test_ops_cms.c - ops/cms.c and ops/keyfile.c: seal/open round trips
 * (RSA and EC parties), the wrong recipient, an untrusted signer, every
 * single flipped byte of a sealed file, sign/verify, ops_cms_kind, PEM
 * input, sealed key files on disk (mode 0600), the key-file round trip
 * and a negative matrix with one malformed field per case.
 * Hygiene: every free() of the code under test (linked with
 * -Wl,--wrap=free), of OpenSSL (CRYPTO_set_mem_functions) and of jansson
 * (the tools' cleansing allocator) is scanned for 8-byte runs of the keys,
 * raw or as hex, while key files are encoded, sealed, written, read,
 * opened and parsed.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/cms.h>

#include "common/secmem.h"
#include "ops/cms.h"
#include "ops/escrow.h"
#include "ops/keyfile.h"
#include "tests/freescan.h"
#include "tests/opstest.h"
#include "uicckit/keyset.h"

static char dir[128];
/* manufacturer (RSA), operator A (RSA), operator B (EC), stranger (EC) */
static struct ot_party man, mnoa, mnob, other;
static struct ops_trust *t_man, *t_other;

static const uint8_t msg[] = "{\"hello\": \"key material 0123456789abcdef\"}";

static void seal_open(const struct ot_party *signer, const struct ot_party *rcpt,
		      const struct ops_trust *trust)
{
	uint8_t *der = NULL, *plain = NULL;
	size_t der_len = 0, plain_len = 0;
	struct ops_party *who = NULL;
	char err[256], fa[65], fb[65];

	ck_assert_int_eq(ops_cms_seal(signer->p, rcpt->p, msg, sizeof(msg), &der, &der_len, err,
				      sizeof(err)), 0);
	ck_assert_int_eq(ops_cms_kind(der, der_len), 1);
	ck_assert_msg(memmem(der, der_len, "key material", 12) == NULL, "plaintext visible");
	ck_assert_int_eq(ops_cms_open(rcpt->p, trust, der, der_len, &plain, &plain_len, &who,
				      err, sizeof(err)), 0);
	ck_assert_uint_eq(plain_len, sizeof(msg));
	ck_assert_mem_eq(plain, msg, sizeof(msg));
	ck_assert_ptr_nonnull(who);
	ops_party_fingerprint(who, fa);
	ops_party_fingerprint(signer->p, fb);
	ck_assert_str_eq(fa, fb);
	ck_assert_uint_eq(strlen(fa), 64);
	ops_party_free(who);
	ops_cms_free(plain, plain_len);
	ops_cms_free(der, der_len);
}

START_TEST(test_seal_open_rsa)
{
	seal_open(&man, &mnoa, t_man);
}
END_TEST

START_TEST(test_seal_open_ec)
{
	seal_open(&man, &mnob, t_man);
	seal_open(&other, &mnob, t_other);	/* EC signer too */
}
END_TEST

START_TEST(test_wrong_recipient)
{
	uint8_t *der = NULL, *plain = NULL;
	size_t der_len = 0, plain_len = 0;
	char err[256] = "";

	ck_assert_int_eq(ops_cms_seal(man.p, mnoa.p, msg, sizeof(msg), &der, &der_len, err,
				      sizeof(err)), 0);
	ck_assert_int_eq(ops_cms_open(mnob.p, t_man, der, der_len, &plain, &plain_len, NULL, err,
				      sizeof(err)), OPS_ECRYPTO);
	ck_assert_ptr_null(plain);
	ck_assert_msg(strstr(err, "decrypt") != NULL, "%s", err);
	ops_cms_free(der, der_len);
	/* EC recipient, RSA reader */
	ck_assert_int_eq(ops_cms_seal(man.p, mnob.p, msg, sizeof(msg), &der, &der_len, err,
				      sizeof(err)), 0);
	ck_assert_int_eq(ops_cms_open(mnoa.p, t_man, der, der_len, &plain, &plain_len, NULL, err,
				      sizeof(err)), OPS_ECRYPTO);
	ck_assert_ptr_null(plain);
	ops_cms_free(der, der_len);
}
END_TEST

START_TEST(test_untrusted_signer)
{
	uint8_t *der = NULL, *plain = NULL;
	size_t der_len = 0, plain_len = 0;
	struct ops_party *who = NULL;
	char err[256] = "";

	ck_assert_int_eq(ops_cms_seal(other.p, mnoa.p, msg, sizeof(msg), &der, &der_len, err,
				      sizeof(err)), 0);
	ck_assert_int_eq(ops_cms_open(mnoa.p, t_man, der, der_len, &plain, &plain_len, &who, err,
				      sizeof(err)), OPS_EVERIFY);
	ck_assert_ptr_null(plain);
	ck_assert_ptr_null(who);
	ck_assert_msg(strstr(err, "verify") != NULL, "%s", err);
	ops_cms_free(der, der_len);
	ck_assert_int_eq(ops_cms_sign(other.p, msg, sizeof(msg), &der, &der_len, err,
				      sizeof(err)), 0);
	ck_assert_int_eq(ops_cms_verify(t_man, der, der_len, &plain, &plain_len, &who, err,
					sizeof(err)), OPS_EVERIFY);
	ck_assert_ptr_null(plain);
	ops_cms_free(der, der_len);
}
END_TEST

static void flip_all(const struct ot_party *rcpt)
{
	uint8_t *der = NULL, *plain, *dmg;
	size_t der_len = 0, plain_len, i;
	struct ops_party *who;
	char err[256];

	ck_assert_int_eq(ops_cms_seal(man.p, rcpt->p, msg, sizeof(msg), &der, &der_len, err,
				      sizeof(err)), 0);
	dmg = malloc(der_len);
	ck_assert_ptr_nonnull(dmg);
	for (i = 0; i < der_len; i++) {
		int rc;

		memcpy(dmg, der, der_len);
		dmg[i] ^= (uint8_t)(1u << (i % 8));
		plain = NULL;
		plain_len = 0;
		who = NULL;
		rc = ops_cms_open(rcpt->p, t_man, dmg, der_len, &plain, &plain_len, &who, err,
				  sizeof(err));
		ck_assert_msg(rc < 0, "flipped byte %zu of %zu accepted", i, der_len);
		ck_assert_ptr_null(plain);
		ck_assert_ptr_null(who);
	}
	/* and every truncation point of the first 64 and the last bytes */
	for (i = 0; i < der_len; i += i < 64 || i > der_len - 64 ? 1 : 97) {
		plain = NULL;
		ck_assert_int_lt(ops_cms_open(rcpt->p, t_man, der, i, &plain, &plain_len, NULL, err,
					      sizeof(err)), 0);
		ck_assert_ptr_null(plain);
	}
	free(dmg);
	ops_cms_free(der, der_len);
}

START_TEST(test_flipped_byte_rsa)
{
	flip_all(&mnoa);
}
END_TEST

START_TEST(test_flipped_byte_ec)
{
	flip_all(&mnob);
}
END_TEST

START_TEST(test_sign_verify)
{
	uint8_t *der = NULL, *plain = NULL, *dmg;
	size_t der_len = 0, plain_len = 0, i;
	struct ops_party *who = NULL;
	char err[256], subj[256];

	ck_assert_int_eq(ops_cms_sign(man.p, msg, sizeof(msg), &der, &der_len, err,
				      sizeof(err)), 0);
	ck_assert_int_eq(ops_cms_kind(der, der_len), 0);
	ck_assert_int_eq(ops_cms_verify(t_man, der, der_len, &plain, &plain_len, &who, err,
					sizeof(err)), 0);
	ck_assert_mem_eq(plain, msg, sizeof(msg));
	ops_party_subject(who, subj, sizeof(subj));
	ck_assert_str_eq(subj, "CN=manufacturer");
	ck_assert_int_eq(ops_party_has_key(who), 0);
	ops_party_free(who);
	ops_cms_free(plain, plain_len);
	/* a SignedData is not a sealed file, and the reverse */
	plain = NULL;
	ck_assert_int_eq(ops_cms_open(mnoa.p, t_man, der, der_len, &plain, &plain_len, NULL, err,
				      sizeof(err)), OPS_EFORMAT);
	ck_assert_ptr_null(plain);
	/* the signed content changed -> refused */
	dmg = malloc(der_len);
	ck_assert_ptr_nonnull(dmg);
	memcpy(dmg, der, der_len);
	{
		uint8_t *p = memmem(dmg, der_len, "key material", 12);

		ck_assert_ptr_nonnull(p);
		p[0] ^= 0x20;
	}
	ck_assert_int_eq(ops_cms_verify(t_man, dmg, der_len, &plain, &plain_len, NULL, err,
					sizeof(err)), OPS_EVERIFY);
	ck_assert_ptr_null(plain);
	for (i = 0; i < der_len; i++) {
		memcpy(dmg, der, der_len);
		dmg[i] ^= 0x01;
		plain = NULL;
		if (ops_cms_verify(t_man, dmg, der_len, &plain, &plain_len, NULL, err,
				   sizeof(err)) == 0) {
			/* only an unsigned, unchecked byte could pass: none exists */
			ck_abort_msg("flipped byte %zu of the SignedData accepted", i);
		}
		ck_assert_ptr_null(plain);
	}
	free(dmg);
	ops_cms_free(der, der_len);
}
END_TEST

START_TEST(test_kind_and_pem)
{
	uint8_t *der = NULL, *plain = NULL;
	size_t der_len = 0, plain_len = 0;
	char err[256], *pem;
	long pem_len;
	BIO *b;
	CMS_ContentInfo *cms;
	const unsigned char *p;

	ck_assert_int_lt(ops_cms_kind((const uint8_t *)"hello", 5), 0);
	ck_assert_int_lt(ops_cms_kind(NULL, 0), 0);
	ck_assert_int_eq(ops_cms_seal(man.p, mnoa.p, msg, sizeof(msg), &der, &der_len, err,
				      sizeof(err)), 0);
	/* trailing bytes after the DER object are refused */
	{
		uint8_t *longer = malloc(der_len + 1);

		memcpy(longer, der, der_len);
		longer[der_len] = 0;
		ck_assert_int_eq(ops_cms_open(mnoa.p, t_man, longer, der_len + 1, &plain,
					      &plain_len, NULL, err, sizeof(err)), OPS_EFORMAT);
		ck_assert_msg(strstr(err, "after") != NULL, "%s", err);
		free(longer);
	}
	p = der;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
	ck_assert_ptr_nonnull(cms);
	b = BIO_new(BIO_s_mem());
	ck_assert_int_eq(PEM_write_bio_CMS(b, cms), 1);
	pem_len = BIO_get_mem_data(b, &pem);
	ck_assert_int_eq(ops_cms_kind((const uint8_t *)pem, (size_t)pem_len), 1);
	ck_assert_int_eq(ops_cms_open(mnoa.p, t_man, (const uint8_t *)pem, (size_t)pem_len,
				      &plain, &plain_len, NULL, err, sizeof(err)), 0);
	ck_assert_mem_eq(plain, msg, sizeof(msg));
	ops_cms_free(plain, plain_len);
	BIO_free(b);
	CMS_ContentInfo_free(cms);
	ops_cms_free(der, der_len);
}
END_TEST

START_TEST(test_party_load)
{
	char err[256] = "";
	struct ops_party *p;
	const char *files[2] = { man.cert, "/nonexistent/x.pem" };

	p = ops_party_load(man.cert, mnoa.key, err, sizeof(err));
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, "does not belong") != NULL, "%s", err);
	p = ops_party_load("/nonexistent/x.pem", NULL, err, sizeof(err));
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, "/nonexistent/x.pem") != NULL, "%s", err);
	p = ops_party_load(man.key, NULL, err, sizeof(err));
	ck_assert_ptr_null(p);
	p = ops_party_load(man.cert, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(ops_party_has_key(p), 0);
	/* a certificate-only party cannot sign or open */
	{
		uint8_t *der = NULL, *plain = NULL;
		size_t der_len = 0, plain_len = 0;

		ck_assert_int_eq(ops_cms_sign(p, msg, 3, &der, &der_len, err, sizeof(err)),
				 OPS_EARG);
		ck_assert_int_eq(ops_cms_open(p, t_man, msg, 3, &plain, &plain_len, NULL, err,
					      sizeof(err)), OPS_EARG);
	}
	ops_party_free(p);
	ck_assert_ptr_null(ops_trust_load(files, 2, err, sizeof(err)));
	ck_assert_ptr_null(ops_trust_load(files, 0, err, sizeof(err)));
}
END_TEST

/* -------------------------------------------------------------- key files */

static void make_list(struct ops_keyrecs *l, size_t cards, unsigned sets)
{
	size_t c;
	unsigned i;

	memset(l, 0, sizeof(*l));
	for (c = 0; c < cards; c++) {
		char iccid[21];
		struct ops_keyrec r;

		snprintf(iccid, sizeof(iccid), "89882390%011u%c", (unsigned)c, '0' + (char)(c % 10));
		for (i = 0; i < sets; i++) {
			ot_keyrec(&r, iccid, i);
			ck_assert_int_eq(ops_keyrecs_add(l, &r), 0);
		}
		ops_keyrec_cleanse(&r);
	}
}

static int rec_eq(const struct ops_keyrec *a, const struct ops_keyrec *b)
{
	return strcmp(a->iccid, b->iccid) == 0 && strcmp(a->imsi, b->imsi) == 0 &&
	       a->index == b->index && a->alg == b->alg && a->op_is_opc == b->op_is_opc &&
	       a->k_len == b->k_len && a->opc_len == b->opc_len &&
	       memcmp(a->k, b->k, a->k_len) == 0 && memcmp(a->opc, b->opc, a->opc_len) == 0 &&
	       a->kic == b->kic && a->kid == b->kid && a->kic_len == b->kic_len &&
	       a->kid_len == b->kid_len && memcmp(a->kic_key, b->kic_key, a->kic_len) == 0 &&
	       memcmp(a->kid_key, b->kid_key, a->kid_len) == 0 &&
	       memcmp(a->tar, b->tar, 3) == 0 && a->cntr == b->cntr;
}

START_TEST(test_keyfile_roundtrip)
{
	struct ops_keyrecs l, back;
	char *text = NULL, err[256];
	size_t len = 0;

	make_list(&l, 50, 3);
	l.v[4].alg = UICC_ALG_XOR;	/* xor without OP(c) */
	l.v[4].opc_len = 0;
	l.v[4].op_is_opc = 0;
	memset(l.v[4].opc, 0, sizeof(l.v[4].opc));
	l.v[5].op_is_opc = 0;		/* OP instead of OPc */
	l.v[6].alg = UICC_ALG_TUAK;
	l.v[6].k_len = l.v[6].opc_len = 32;
	l.v[7].kic_len = 24;
	memset(l.v[8].imsi, 0, sizeof(l.v[8].imsi));
	l.v[9].cntr = 0xffffffffffULL;
	ck_assert_int_eq(ops_keyfile_encode(&l, "CN=manufacturer", &text, &len, err,
					    sizeof(err)), 0);
	ck_assert_uint_eq(strlen(text), len);
	memset(&back, 0, sizeof(back));
	ck_assert_int_eq(ops_keyfile_parse((const uint8_t *)text, len, &back, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(back.n, l.n);
	ck_assert_str_eq(back.issuer, "CN=manufacturer");
	for (size_t i = 0; i < l.n; i++)
		ck_assert_msg(rec_eq(&back.v[i], &l.v[i]), "record %zu", i);
	ops_cms_free((uint8_t *)text, len);
	ops_keyrecs_free(&back);
	ck_assert_ptr_null(back.v);
	ck_assert_uint_eq(back.n, 0);
	/* an invalid record is refused by the encoder */
	l.v[10].index = 16;
	ck_assert_int_eq(ops_keyfile_encode(&l, NULL, &text, &len, err, sizeof(err)), OPS_EARG);
	ck_assert_msg(strstr(err, "record 11") != NULL, "%s", err);
	ops_keyrecs_free(&l);
}
END_TEST

START_TEST(test_keyfile_sealed)
{
	struct ops_keyrecs l, back;
	struct ops_party *who = NULL;
	char err[256], path[256], subj[256];
	struct stat st;

	make_list(&l, 20, 2);
	snprintf(path, sizeof(path), "%s/keys.cms", dir);
	ck_assert_int_eq(ops_keyfile_write_sealed(path, &l, man.p, mnob.p, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	memset(&back, 0, sizeof(back));
	ck_assert_int_eq(ops_keyfile_read_sealed(path, mnob.p, t_man, &back, &who, err,
						 sizeof(err)), 0);
	ck_assert_uint_eq(back.n, 40);
	ck_assert_mem_eq(back.v[39].k, l.v[39].k, 16);
	ck_assert_str_eq(back.issuer, "CN=manufacturer");
	ops_party_subject(who, subj, sizeof(subj));
	ck_assert_str_eq(subj, "CN=manufacturer");
	ops_party_free(who);
	ops_keyrecs_free(&back);
	/* not for A; not trusted by B if B only trusts the stranger */
	ck_assert_int_eq(ops_keyfile_read_sealed(path, mnoa.p, t_man, &back, NULL, err,
						 sizeof(err)), OPS_ECRYPTO);
	ck_assert_int_eq(ops_keyfile_read_sealed(path, mnob.p, t_other, &back, NULL, err,
						 sizeof(err)), OPS_EVERIFY);
	ck_assert_uint_eq(back.n, 0);
	ck_assert_int_eq(ops_keyfile_read_sealed("/nonexistent", mnob.p, t_man, &back, NULL, err,
						 sizeof(err)), OPS_EIO);
	ops_keyrecs_free(&l);
}
END_TEST

struct badcase {
	const char *field;	/* member of record 2 (NULL: top level) */
	const char *json;	/* value to set (JSON text), NULL: delete */
	const char *want;	/* substring of the reason */
};

static const struct badcase bad[] = {
	{ "iccid", "\"123\"", "iccid" },
	{ "iccid", "\"8988239000000000001x\"", "iccid" },
	{ "iccid", "\"898823900000000000190\"", "iccid" },
	{ "iccid", "8988239000000000001", "iccid" },
	{ "iccid", NULL, "iccid" },
	{ "imsi", "\"12345\"", "imsi" },
	{ "imsi", "\"00101000000000a\"", "imsi" },
	{ "imsi", "\"0010100000000011\"", "imsi" },
	{ "index", "16", "index" },
	{ "index", "-1", "index" },
	{ "index", "\"0\"", "index" },
	{ "index", "1.5", "index" },
	{ "index", NULL, "index" },
	{ "alg", "\"aes\"", "alg" },
	{ "alg", "1", "alg" },
	{ "k", "\"000102030405060708090a0b0c0d0e\"", "field k" },
	{ "k", "\"000102030405060708090a0b0c0d0e0f0\"", "field k" },
	{ "k", "\"000102030405060708090a0b0c0d0e0f0001020304050607\"", "field k" },
	{ "k", "\"zz0102030405060708090a0b0c0d0e0f\"", "field k" },
	{ "k", "\"00 102030405060708090a0b0c0d0e0f\"", "field k" },
	{ "k", "16", "field k" },
	{ "k", NULL, "field k" },
	{ "opc", "\"000102030405060708090a0b0c0d0e0\"", "field opc" },
	{ "opc", NULL, "field opc" },
	{ "op", "\"000102030405060708090a0b0c0d0e0f\"", "both" },
	{ "kic", "\"1\"", "field kic" },
	{ "kic", "\"123\"", "field kic" },
	{ "kic", "\"zz\"", "field kic" },
	{ "kid", "\"\"", "field kid" },
	{ "kic_key", "\"000102030405060708090a0b0c0d0e\"", "field kic_key" },
	{ "kid_key", "\"000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f00\"",
	  "field kid_key" },
	{ "kid_key", NULL, "field kid_key" },
	{ "tar", "\"b0000\"", "field tar" },
	{ "tar", "\"b000011\"", "field tar" },
	{ "tar", NULL, "field tar" },
	{ "cntr", "\"000000000\"", "field cntr" },
	{ "cntr", "\"00000000000\"", "field cntr" },
	{ "cntr", "0", "field cntr" },
	{ "extra", "\"x\"", "unknown field" },
};

static int try_parse(const char *text, char *err, size_t errlen, struct ops_keyrecs *l)
{
	return ops_keyfile_parse((const uint8_t *)text, strlen(text), l, err, errlen);
}

START_TEST(test_keyfile_negative)
{
	struct ops_keyrecs l, out;
	char *text = NULL, err[256], *t2;
	size_t len = 0, i;
	json_t *doc;
	json_error_t je;

	make_list(&l, 3, 1);
	ck_assert_int_eq(ops_keyfile_encode(&l, "CN=m", &text, &len, err, sizeof(err)), 0);
	/* out holds a previous list: it must stay untouched on error */
	memset(&out, 0, sizeof(out));
	ck_assert_int_eq(ops_keyfile_parse((const uint8_t *)text, len, &out, err, sizeof(err)), 0);
	ck_assert_uint_eq(out.n, 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *rec;

		doc = json_loadb(text, len, 0, &je);
		ck_assert_ptr_nonnull(doc);
		rec = json_array_get(json_object_get(doc, "cards"), 1);
		if (bad[i].json == NULL)
			json_object_del(rec, bad[i].field);
		else {
			json_t *val = json_loads(bad[i].json, JSON_DECODE_ANY, &je);

			ck_assert_ptr_nonnull(val);
			ck_assert_int_eq(json_object_set_new(rec, bad[i].field, val), 0);
		}
		t2 = json_dumps(doc, 0);
		ck_assert_msg(try_parse(t2, err, sizeof(err), &out) == OPS_EFORMAT, "case %zu accepted",
			      i);
		ck_assert_msg(strstr(err, "record 2") != NULL && strstr(err, bad[i].want) != NULL,
			      "case %zu (%s): %s", i, bad[i].field, err);
		ck_assert_uint_eq(out.n, 3);
		free(t2);
		json_decref(doc);
	}
	/* top level */
	{
		static const char *const tops[][2] = {
			{ "format", "\"uicckit-card-image\"" }, { "version", "2" },
			{ "version", "\"1\"" }, { "cards", "{}" }, { "issuer", "1" },
			{ "created", "5" }, { "other", "1" }, { "format", NULL },
			{ "cards", NULL }, { "issuer", NULL },
		};

		for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
			doc = json_loadb(text, len, 0, &je);
			if (tops[i][1] == NULL)
				json_object_del(doc, tops[i][0]);
			else
				json_object_set_new(doc, tops[i][0],
						    json_loads(tops[i][1], JSON_DECODE_ANY, &je));
			t2 = json_dumps(doc, 0);
			ck_assert_msg(try_parse(t2, err, sizeof(err), &out) == OPS_EFORMAT,
				      "top case %zu accepted: %s", i, t2);
			ck_assert_msg(strstr(err, "key file") != NULL, "%s", err);
			free(t2);
			json_decref(doc);
		}
	}
	/* duplicate (iccid, index) */
	doc = json_loadb(text, len, 0, &je);
	json_array_append(json_object_get(doc, "cards"),
			  json_array_get(json_object_get(doc, "cards"), 0));
	t2 = json_dumps(doc, 0);
	ck_assert_int_eq(try_parse(t2, err, sizeof(err), &out), OPS_EFORMAT);
	ck_assert_msg(strstr(err, "record 4") != NULL && strstr(err, "record 1") != NULL, "%s",
		      err);
	free(t2);
	json_decref(doc);
	/* duplicate member, not JSON, every truncation */
	ck_assert_int_eq(try_parse("{\"format\": \"uicckit-keys\", \"format\": \"x\"}", err,
				   sizeof(err), &out), OPS_EFORMAT);
	ck_assert_int_eq(try_parse("[]", err, sizeof(err), &out), OPS_EFORMAT);
	ck_assert_int_eq(try_parse("", err, sizeof(err), &out), OPS_EFORMAT);
	for (i = 0; i < len; i++)
		ck_assert_int_eq(ops_keyfile_parse((const uint8_t *)text, i, &out, err,
						   sizeof(err)), OPS_EFORMAT);
	ck_assert_uint_eq(out.n, 3);
	ops_keyrecs_free(&out);
	ops_cms_free((uint8_t *)text, len);
	ops_keyrecs_free(&l);
}
END_TEST

/* ------------------------------------------------ free() scanner (hygiene) */

static void hygiene_round(int arm)
{
	struct ops_keyrecs l, back;
	char err[256], path[256], *text = NULL;
	size_t len = 0, i;

	make_list(&l, 8, 2);
	freescan.n = 0;
	for (i = 0; i < l.n; i++) {
		freescan_add_secret(l.v[i].k, 16);
		freescan_add_secret(l.v[i].opc, 16);
		freescan_add_secret(l.v[i].kic_key, 16);
		freescan_add_secret(l.v[i].kid_key, 16);
	}
	snprintf(path, sizeof(path), "%s/hygiene.cms", dir);
	memset(&back, 0, sizeof(back));
	freescan.armed = arm;
	ck_assert_int_eq(ops_keyfile_encode(&l, "CN=x", &text, &len, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_keyfile_parse((const uint8_t *)text, len, &back, err, sizeof(err)), 0);
	ops_keyrecs_free(&back);
	ck_assert_int_eq(ops_keyfile_parse((const uint8_t *)text, len - 3, &back, err, sizeof(err)),
			 OPS_EFORMAT);
	ops_cms_free((uint8_t *)text, len);
	ck_assert_int_eq(ops_keyfile_write_sealed(path, &l, man.p, mnoa.p, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_keyfile_read_sealed(path, mnoa.p, t_man, &back, NULL, err,
						 sizeof(err)), 0);
	ck_assert_uint_eq(back.n, l.n);
	ops_keyrecs_free(&back);
	ck_assert_int_eq(ops_keyfile_write_sealed(path, &l, man.p, mnob.p, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_keyfile_read_sealed(path, mnob.p, t_man, &back, NULL, err,
						 sizeof(err)), 0);
	ops_keyrecs_free(&back);
	/* the wrong reader and an untrusted signer on the way out too */
	ck_assert_int_eq(ops_keyfile_read_sealed(path, mnob.p, t_other, &back, NULL, err,
						 sizeof(err)), OPS_EVERIFY);
	/* the escrow: add, get, release (SQLite only ever sees ciphertext) */
	{
		static const uint8_t mk[32] = { 7 };
		struct ops_escrow *e = NULL;
		struct ops_release_req q;
		size_t acc = 0;
		char db[300];

		snprintf(db, sizeof(db), "%s/hygiene-%d.db", dir, arm);
		ck_assert_int_eq(ops_escrow_open(db, mk, OPS_ESCROW_CREATE, &e, err, sizeof(err)), 0);
		ck_assert_int_eq(ops_escrow_add(e, &l, err, sizeof(err)), 0);
		ck_assert_int_eq(ops_escrow_get(e, l.v[0].iccid, &back, err, sizeof(err)), 0);
		ops_keyrecs_free(&back);
		memset(&q, 0, sizeof(q));
		snprintf(q.iccid, sizeof(q.iccid), "%s", l.v[2].iccid);
		q.index = 1;
		ck_assert_int_eq(ops_escrow_release(e, &q, 1, mnoa.p, "x.cms", 0, &back, &acc, err,
						    sizeof(err)), 0);
		ck_assert_uint_eq(acc, 1);
		ops_keyrecs_free(&back);
		ops_escrow_close(e);
	}
	ops_keyrecs_free(&l);
	freescan.armed = 0;
}

START_TEST(test_hygiene)
{
	hygiene_round(0);	/* OpenSSL's one-time allocations first */
	freescan.hits = freescan.scanned = 0;
	hygiene_round(1);
	ck_assert_msg(freescan.scanned > 100, "scanner saw only %lu frees", freescan.scanned);
	ck_assert_msg(freescan.hits == 0, "%lu freed blocks held keys; first: %s", freescan.hits, freescan.first);
}
END_TEST

START_TEST(test_hygiene_scanner_works)
{
	uint8_t *p = malloc(64);
	static const uint8_t k[16] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
				       0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01 };

	freescan.n = 0;
	freescan_add_secret(k, 16);
	memset(p, 0, 64);
	memcpy(p + 5, k, 16);
	freescan.hits = 0;
	freescan.armed = 1;
	__wrap_free(p);	/* called directly: the compiler may drop a malloc/free pair */
	freescan.armed = 0;
	ck_assert_uint_eq(freescan.hits, 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ops_cms");
	TCase *tc = tcase_create("cms");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_seal_open_rsa);
	tcase_add_test(tc, test_seal_open_ec);
	tcase_add_test(tc, test_wrong_recipient);
	tcase_add_test(tc, test_untrusted_signer);
	tcase_add_test(tc, test_flipped_byte_rsa);
	tcase_add_test(tc, test_flipped_byte_ec);
	tcase_add_test(tc, test_sign_verify);
	tcase_add_test(tc, test_kind_and_pem);
	tcase_add_test(tc, test_party_load);
	suite_add_tcase(s, tc);
	tc = tcase_create("keyfile");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_keyfile_roundtrip);
	tcase_add_test(tc, test_keyfile_sealed);
	tcase_add_test(tc, test_keyfile_negative);
	suite_add_tcase(s, tc);
	tc = tcase_create("hygiene");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hygiene_scanner_works);
	tcase_add_test(tc, test_hygiene);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* before any allocation by OpenSSL or jansson, as the tools do */
	if (!freescan_install()) {
		fprintf(stderr, "test_ops_cms: CRYPTO_set_mem_functions failed\n");
		return 1;
	}
	uk_json_cleansing_alloc();
	if (ot_tmpdir("opscms", dir, sizeof(dir)) != 0 ||
	    ot_make_party(dir, "manufacturer", "RSA", &man) != 0 ||
	    ot_make_party(dir, "mnoA", "RSA", &mnoa) != 0 ||
	    ot_make_party(dir, "mnoB", "EC", &mnob) != 0 ||
	    ot_make_party(dir, "stranger", "EC", &other) != 0 ||
	    (t_man = ot_trust(&man)) == NULL || (t_other = ot_trust(&other)) == NULL) {
		fprintf(stderr, "test_ops_cms: cannot make the parties\n");
		return 1;
	}
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ops_trust_free(t_man);
	ops_trust_free(t_other);
	ot_party_free(&man);
	ot_party_free(&mnoa);
	ot_party_free(&mnob);
	ot_party_free(&other);
	ot_rmdir(dir);
	return failed ? 1 : 0;
}
