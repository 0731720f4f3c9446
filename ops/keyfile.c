/*
 * keyfile.c - key-set records as the JSON key file of
 * doc/operator-files.md ("Key file"); see ops/keyfile.h.
 *
 * The parser is strict: the document must be {"format": "uicckit-keys",
 * "version": 1, "issuer", "created", "cards": [...]} with nothing else, and
 * each record must have exactly the fields of the format with the exact
 * lengths (K/OP(c) 16 or 32 bytes, OTA keys 16, 24 or 32, KIc/KID 1 byte,
 * TAR 3, counter 5 -- TS 102 225 §5.1.2/§5.1.3).  The first bad record
 * is named with its number (1-based) and field; nothing is returned then.
 *
 * Key material: records are wiped when freed; the hex strings of the JSON
 * tree are wiped before the tree is released.  (jansson's own scratch
 * buffers are wiped only in programs that call uk_json_cleansing_alloc().)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "common/bcd.h"
#include "common/buf.h"
#include "common/hex.h"
#include "ops/keyfile.h"
#include "ops/util.h"
#include "uicckit/keyset.h"

#define KEYFILE_FORMAT "uicckit-keys"
#define KEYFILE_VERSION 1
#define KEYFILE_MAX_CARDS 10000000u
#define KEYFILE_MAX_BYTES ((size_t)4 << 30)

void ops_keyrec_cleanse(struct ops_keyrec *r)
{
	if (r != NULL)
		OPENSSL_cleanse(r, sizeof(*r));
}

int ops_keyrecs_add(struct ops_keyrecs *l, const struct ops_keyrec *r)
{
	if (l == NULL || r == NULL)
		return OPS_EARG;
	if (l->n >= KEYFILE_MAX_CARDS)
		return OPS_EARG;
	if (l->n == l->cap) {
		/* Grow by hand, not realloc(): the old block holds keys and must
		 * be wiped before it is freed. */
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct ops_keyrec *v = calloc(cap, sizeof(*v));

		if (v == NULL)
			return OPS_EARG;
		if (l->n > 0) {
			memcpy(v, l->v, l->n * sizeof(*v));
			OPENSSL_cleanse(l->v, l->n * sizeof(*v));
		}
		free(l->v);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *r;
	return 0;
}

void ops_keyrecs_free(struct ops_keyrecs *l)
{
	if (l == NULL)
		return;
	if (l->v != NULL)
		OPENSSL_cleanse(l->v, l->cap * sizeof(*l->v));
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const char *alg_name(unsigned alg)
{
	switch (alg) {
	case UICC_ALG_MILENAGE: return "milenage";
	case UICC_ALG_XOR: return "xor";
	case UICC_ALG_TUAK: return "tuak";
	default: return NULL;
	}
}

static int alg_of(const char *s)
{
	if (strcmp(s, "milenage") == 0)
		return UICC_ALG_MILENAGE;
	if (strcmp(s, "xor") == 0)
		return UICC_ALG_XOR;
	if (strcmp(s, "tuak") == 0)
		return UICC_ALG_TUAK;
	return -1;
}

/* Wipe a JSON string value in place (before the tree is freed). */
static void wipe_str(json_t *v)
{
	if (json_is_string(v))
		OPENSSL_cleanse((char *)json_string_value(v), json_string_length(v));
}

static const char *const key_fields[] = { "k", "opc", "op", "kic_key", "kid_key" };

static void wipe_card(json_t *o)
{
	size_t i;

	for (i = 0; i < sizeof(key_fields) / sizeof(key_fields[0]); i++)
		wipe_str(json_object_get(o, key_fields[i]));
}

static void wipe_cards(json_t *cards)
{
	size_t i;
	json_t *o;

	json_array_foreach(cards, i, o) {
		wipe_card(o);
	}
}

/* ---------------------------------------------------------------- encode */

static int set_hex(json_t *o, const char *name, const uint8_t *p, size_t n)
{
	char buf[2 * 32 + 1];
	int rc;

	if (n > 32)
		return -1;
	uk_hex_encode(p, n, buf);
	rc = json_object_set_new(o, name, json_stringn(buf, 2 * n));
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

static int valid_key_len(size_t n, int ota)
{
	return n == 16 || n == 32 || (ota && n == 24);
}

static json_t *encode_rec(const struct ops_keyrec *r, char *err, size_t errlen, size_t no)
{
	json_t *o = json_object();
	uint8_t cntr[5];
	const char *alg = alg_name(r->alg);
	int bad = 0;

	if (o == NULL)
		return NULL;
	if (!uk_is_digits(r->iccid, 19, 20) || (r->imsi[0] != '\0' && !uk_is_digits(r->imsi, 6, 15)) ||
	    r->index > 15 || alg == NULL || !valid_key_len(r->k_len, 0) ||
	    (r->opc_len != 0 && !valid_key_len(r->opc_len, 0)) ||
	    (r->opc_len == 0 && r->alg != UICC_ALG_XOR) || !valid_key_len(r->kic_len, 1) ||
	    !valid_key_len(r->kid_len, 1) || r->cntr > 0xffffffffffULL) {
		ops_reason(err, errlen, "record %zu (ICCID %.20s, index %u) is not valid", no,
		       r->iccid, r->index);
		json_decref(o);
		return NULL;
	}
	uk_put_be(cntr, r->cntr, 5);
	bad |= json_object_set_new(o, "iccid", json_string(r->iccid));
	if (r->imsi[0] != '\0')
		bad |= json_object_set_new(o, "imsi", json_string(r->imsi));
	bad |= json_object_set_new(o, "index", json_integer(r->index));
	bad |= json_object_set_new(o, "alg", json_string(alg));
	bad |= set_hex(o, "k", r->k, r->k_len);
	if (r->opc_len != 0)
		bad |= set_hex(o, r->op_is_opc ? "opc" : "op", r->opc, r->opc_len);
	bad |= set_hex(o, "kic", &r->kic, 1);
	bad |= set_hex(o, "kid", &r->kid, 1);
	bad |= set_hex(o, "kic_key", r->kic_key, r->kic_len);
	bad |= set_hex(o, "kid_key", r->kid_key, r->kid_len);
	bad |= set_hex(o, "tar", r->tar, 3);
	bad |= set_hex(o, "cntr", cntr, 5);
	if (bad) {
		wipe_card(o);
		json_decref(o);
		ops_reason(err, errlen, "out of memory");
		return NULL;
	}
	return o;
}

int ops_keyfile_encode(const struct ops_keyrecs *l, const char *issuer, char **out,
		       size_t *len, char *err, size_t errlen)
{
	json_t *doc = NULL, *cards = NULL;
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	char *text;
	int rc = OPS_EARG;

	if (l == NULL || out == NULL || len == NULL) {
		ops_reason(err, errlen, "no list or no output");
		return OPS_EARG;
	}
	if (l->n > KEYFILE_MAX_CARDS) {
		ops_reason(err, errlen, "%zu records: more than %u", l->n, KEYFILE_MAX_CARDS);
		return OPS_EARG;
	}
	if (issuer == NULL)
		issuer = l->issuer;
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cards = json_array();
	doc = json_pack("{s:s, s:i, s:s, s:s}", "format", KEYFILE_FORMAT, "version",
			KEYFILE_VERSION, "issuer", issuer, "created", created);
	if (cards == NULL || doc == NULL) {
		ops_reason(err, errlen, "out of memory");
		goto done;
	}
	for (i = 0; i < l->n; i++) {
		json_t *o = encode_rec(&l->v[i], err, errlen, i + 1);

		if (o == NULL || json_array_append_new(cards, o) != 0)
			goto done;
	}
	text = json_object_set(doc, "cards", cards) == 0
		       ? json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	if (text == NULL) {
		ops_reason(err, errlen, "cannot serialise the key file");
		goto done;
	}
	*out = text;
	*len = strlen(text);
	rc = 0;
done:
	wipe_cards(cards);
	json_decref(cards);
	json_decref(doc);
	return rc;
}

/* ----------------------------------------------------------------- parse */

/* Field parsers: 0 or -1 with the reason (field named by the caller). */
static int get_hex(json_t *o, const char *name, uint8_t *out, size_t min, size_t max,
		   int ota, uint8_t *outlen, char *why, size_t whylen)
{
	json_t *v = json_object_get(o, name);
	const char *s;
	size_t n, bytes = 0;
	int rc;

	if (v == NULL) {
		snprintf(why, whylen, "missing");
		return -1;
	}
	if (!json_is_string(v)) {
		snprintf(why, whylen, "not a string");
		return -1;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (strlen(s) != n || n % 2 != 0 || n / 2 < min || n / 2 > max) {
		snprintf(why, whylen, "%zu hex digits, want %s", n,
			 min == max ? (min == 1 ? "2" : min == 3 ? "6" : "10")
				    : ota ? "32, 48 or 64" : "32 or 64");
		return -1;
	}
	if (min != max && !valid_key_len(n / 2, ota)) {
		snprintf(why, whylen, "%zu hex digits, want %s", n, ota ? "32, 48 or 64" : "32 or 64");
		return -1;
	}
	/* exact digits only: no blanks, which uk_hex_decode would skip */
	for (bytes = 0; bytes < n; bytes++) {
		char c = s[bytes];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
			snprintf(why, whylen, "not hexadecimal");
			return -1;
		}
	}
	rc = uk_hex_decode_exact(s, out, n / 2);
	if (rc != UK_HEX_OK) {
		snprintf(why, whylen, "%s", uk_hex_strerror(rc));
		return -1;
	}
	if (outlen != NULL)
		*outlen = (uint8_t)(n / 2);
	return 0;
}

static int get_digits(json_t *o, const char *name, char *out, size_t cap, size_t min,
		      size_t max, char *why, size_t whylen)
{
	json_t *v = json_object_get(o, name);
	const char *s;

	if (v == NULL) {
		snprintf(why, whylen, "missing");
		return -1;
	}
	s = json_string_value(v);
	if (s == NULL || strlen(s) != json_string_length(v) || !uk_is_digits(s, min, max) ||
	    strlen(s) >= cap) {
		snprintf(why, whylen, "want %zu to %zu decimal digits", min, max);
		return -1;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static const char *const rec_fields[] = { "iccid", "imsi", "index", "alg", "k", "opc", "op",
					  "kic", "kid", "kic_key", "kid_key", "tar", "cntr" };

static int parse_rec(json_t *o, struct ops_keyrec *r, const char **field, char *why,
		     size_t whylen)
{
	const char *key, *a;
	json_t *v;
	uint8_t cntr[5], one;
	size_t i;
	json_int_t idx;
	int alg;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o)) {
		*field = "(record)";
		snprintf(why, whylen, "not an object");
		return -1;
	}
	json_object_foreach(o, key, v) {
		for (i = 0; i < sizeof(rec_fields) / sizeof(rec_fields[0]); i++)
			if (strcmp(key, rec_fields[i]) == 0)
				break;
		if (i == sizeof(rec_fields) / sizeof(rec_fields[0])) {
			*field = "(record)";
			snprintf(why, whylen, "unknown field \"%.40s\"", key);
			return -1;
		}
	}
	*field = "iccid";
	if (get_digits(o, "iccid", r->iccid, sizeof(r->iccid), 19, 20, why, whylen) != 0)
		return -1;
	*field = "imsi";
	if (json_object_get(o, "imsi") != NULL &&
	    get_digits(o, "imsi", r->imsi, sizeof(r->imsi), 6, 15, why, whylen) != 0)
		return -1;
	*field = "index";
	v = json_object_get(o, "index");
	if (!json_is_integer(v) || (idx = json_integer_value(v)) < 0 || idx > 15) {
		snprintf(why, whylen, "want an integer 0..15");
		return -1;
	}
	r->index = (unsigned)idx;
	*field = "alg";
	a = json_string_value(json_object_get(o, "alg"));
	if (a == NULL || (alg = alg_of(a)) < 0) {
		snprintf(why, whylen, "want milenage, xor or tuak");
		return -1;
	}
	r->alg = (uint8_t)alg;
	*field = "k";
	if (get_hex(o, "k", r->k, 16, 32, 0, &r->k_len, why, whylen) != 0)
		return -1;
	if (json_object_get(o, "opc") != NULL && json_object_get(o, "op") != NULL) {
		*field = "op";
		snprintf(why, whylen, "both opc and op given");
		return -1;
	}
	if (json_object_get(o, "opc") != NULL || json_object_get(o, "op") != NULL ||
	    r->alg != UICC_ALG_XOR) {
		r->op_is_opc = json_object_get(o, "op") == NULL;
		*field = r->op_is_opc ? "opc" : "op";
		if (get_hex(o, *field, r->opc, 16, 32, 0, &r->opc_len, why, whylen) != 0)
			return -1;
	}
	*field = "kic";
	if (get_hex(o, "kic", &one, 1, 1, 0, NULL, why, whylen) != 0)
		return -1;
	r->kic = one;
	*field = "kid";
	if (get_hex(o, "kid", &one, 1, 1, 0, NULL, why, whylen) != 0)
		return -1;
	r->kid = one;
	*field = "kic_key";
	if (get_hex(o, "kic_key", r->kic_key, 16, 32, 1, &r->kic_len, why, whylen) != 0)
		return -1;
	*field = "kid_key";
	if (get_hex(o, "kid_key", r->kid_key, 16, 32, 1, &r->kid_len, why, whylen) != 0)
		return -1;
	*field = "tar";
	if (get_hex(o, "tar", r->tar, 3, 3, 0, NULL, why, whylen) != 0)
		return -1;
	*field = "cntr";
	if (get_hex(o, "cntr", cntr, 5, 5, 0, NULL, why, whylen) != 0)
		return -1;
	r->cntr = uk_get_be(cntr, 5);
	return 0;
}

struct keyref {
	const char *iccid;
	unsigned index;
	size_t no;
};

static int keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->iccid, y->iccid);

	if (c != 0)
		return c;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x->no < y->no ? -1 : x->no > y->no;
}

/* The same (ICCID, index) twice would be ambiguous: refuse it. */
static int check_duplicates(const struct ops_keyrecs *l, char *err, size_t errlen)
{
	struct keyref *v;
	size_t i;
	int rc = 0;

	if (l->n < 2)
		return 0;
	v = malloc(l->n * sizeof(*v));
	if (v == NULL) {
		ops_reason(err, errlen, "out of memory");
		return OPS_EFORMAT;
	}
	for (i = 0; i < l->n; i++) {
		v[i].iccid = l->v[i].iccid;
		v[i].index = l->v[i].index;
		v[i].no = i + 1;
	}
	qsort(v, l->n, sizeof(*v), keyref_cmp);
	for (i = 1; i < l->n; i++)
		if (keyref_cmp(&v[i - 1], &v[i]) != 0 && strcmp(v[i - 1].iccid, v[i].iccid) == 0 &&
		    v[i - 1].index == v[i].index) {
			ops_reason(err, errlen, "key file: record %zu: ICCID %s index %u already in record %zu",
			       v[i].no, v[i].iccid, v[i].index, v[i - 1].no);
			rc = OPS_EFORMAT;
			break;
		}
	free(v);
	return rc;
}

int ops_keyfile_parse(const uint8_t *json, size_t len, struct ops_keyrecs *l, char *err,
		      size_t errlen)
{
	json_t *doc, *cards, *v;
	json_error_t je;
	struct ops_keyrecs tmp;
	struct ops_keyrec r;
	const char *key, *s;
	size_t i;
	int rc = OPS_EFORMAT;

	if (l == NULL || (json == NULL && len != 0)) {
		ops_reason(err, errlen, "no input or no list");
		return OPS_EARG;
	}
	memset(&tmp, 0, sizeof(tmp));
	if (len > KEYFILE_MAX_BYTES) {
		ops_reason(err, errlen, "key file: %zu bytes is too large", len);
		return OPS_EFORMAT;
	}
	doc = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		ops_reason(err, errlen, "key file: not JSON: line %d: %s", je.line, je.text);
		return OPS_EFORMAT;
	}
	cards = json_object_get(doc, "cards");
	if (!json_is_object(doc)) {
		ops_reason(err, errlen, "key file: not a JSON object");
		goto done;
	}
	json_object_foreach(doc, key, v) {
		if (strcmp(key, "format") != 0 && strcmp(key, "version") != 0 &&
		    strcmp(key, "issuer") != 0 && strcmp(key, "created") != 0 &&
		    strcmp(key, "cards") != 0) {
			ops_reason(err, errlen, "key file: unknown member \"%.40s\"", key);
			goto done;
		}
	}
	s = json_string_value(json_object_get(doc, "format"));
	if (s == NULL || strcmp(s, KEYFILE_FORMAT) != 0) {
		ops_reason(err, errlen, "key file: format is not \"%s\"", KEYFILE_FORMAT);
		goto done;
	}
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) != KEYFILE_VERSION) {
		ops_reason(err, errlen, "key file: version is not %d", KEYFILE_VERSION);
		goto done;
	}
	s = json_string_value(json_object_get(doc, "issuer"));
	if (s == NULL || strlen(s) >= sizeof(tmp.issuer)) {
		ops_reason(err, errlen, "key file: issuer missing or longer than %zu",
		       sizeof(tmp.issuer) - 1);
		goto done;
	}
	snprintf(tmp.issuer, sizeof(tmp.issuer), "%s", s);
	v = json_object_get(doc, "created");
	if (v != NULL && !json_is_string(v)) {
		ops_reason(err, errlen, "key file: created is not a string");
		goto done;
	}
	if (!json_is_array(cards)) {
		ops_reason(err, errlen, "key file: cards is not an array");
		goto done;
	}
	if (json_array_size(cards) > KEYFILE_MAX_CARDS) {
		ops_reason(err, errlen, "key file: %zu records, more than %u", json_array_size(cards),
		       KEYFILE_MAX_CARDS);
		goto done;
	}
	json_array_foreach(cards, i, v) {
		const char *field = "";
		char why[128];

		if (parse_rec(v, &r, &field, why, sizeof(why)) != 0) {
			ops_reason(err, errlen, "key file: record %zu: field %s: %s", i + 1, field, why);
			goto done;
		}
		if (ops_keyrecs_add(&tmp, &r) != 0) {
			ops_reason(err, errlen, "key file: record %zu: out of memory", i + 1);
			goto done;
		}
	}
	rc = check_duplicates(&tmp, err, errlen);
	if (rc != 0)
		goto done;
	ops_keyrecs_free(l);
	*l = tmp;
	memset(&tmp, 0, sizeof(tmp));
	rc = 0;
done:
	ops_keyrec_cleanse(&r);
	ops_keyrecs_free(&tmp);
	wipe_cards(cards);
	json_decref(doc);
	return rc;
}

/* ------------------------------------------------------------ sealed files */

int ops_keyfile_write_sealed(const char *path, const struct ops_keyrecs *l,
			     const struct ops_party *signer, const struct ops_party *recipient,
			     char *err, size_t errlen)
{
	char *text = NULL, subject[256];
	size_t len = 0, der_len = 0;
	uint8_t *der = NULL;
	int rc;

	ops_party_subject(signer, subject, sizeof(subject));
	rc = ops_keyfile_encode(l, subject, &text, &len, err, errlen);
	if (rc != 0)
		return rc;
	rc = ops_cms_seal(signer, recipient, (const uint8_t *)text, len, &der, &der_len, err,
			  errlen);
	OPENSSL_cleanse(text, len);
	free(text);
	if (rc != 0)
		return rc;
	rc = ops_file_write(path, der, der_len, 0600, err, errlen);
	ops_cms_free(der, der_len);
	return rc;
}

int ops_keyfile_read_sealed(const char *path, const struct ops_party *me,
			    const struct ops_trust *trust, struct ops_keyrecs *l,
			    struct ops_party **signer_out, char *err, size_t errlen)
{
	uint8_t *in = NULL, *plain = NULL;
	size_t in_len = 0, plain_len = 0;
	struct ops_party *signer = NULL;
	int rc;

	if (signer_out != NULL)
		*signer_out = NULL;
	rc = ops_file_read(path, KEYFILE_MAX_BYTES, &in, &in_len, err, errlen);
	if (rc != 0)
		return rc;
	rc = ops_cms_open(me, trust, in, in_len, &plain, &plain_len, &signer, err, errlen);
	free(in);	/* ciphertext: nothing to wipe */
	if (rc != 0)
		return rc;
	rc = ops_keyfile_parse(plain, plain_len, l, err, errlen);
	ops_cms_free(plain, plain_len);
	if (rc != 0) {
		ops_party_free(signer);
		return rc;
	}
	if (signer_out != NULL)
		*signer_out = signer;
	else
		ops_party_free(signer);
	return 0;
}
