/*
 * cms.c - key hand-over with OpenSSL CMS; see ops/cms.h and
 * doc/operator-files.md.  RFC 5652: SignedData (§5) inside EnvelopedData
 * (§6).  Nothing here is home-made crypto: CMS_sign, CMS_encrypt,
 * CMS_decrypt and CMS_verify do the work; this file loads parties, checks
 * that the input is exactly one DER (or PEM) object of the expected type,
 * and that a verified SignedData has exactly one signer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "ops/cms.h"
#include "ops/util.h"

struct ops_party {
	X509 *cert;
	EVP_PKEY *key;		/* NULL: certificate only */
};

struct ops_trust {
	X509_STORE *store;
};

static void cms_free_wiped(CMS_ContentInfo *cms);

/* Largest CMS object accepted from outside (a key file of many cards). */
#define CMS_IN_MAX ((size_t)4 << 30)

/* After a reason in err: append " (the first OpenSSL error of the queue)"
 * if there is one and room; the queue is cleared in any case. */
static void reason_ssl_tail(char *err, size_t errlen)
{
	unsigned long e;
	size_t n;

	if (err == NULL || errlen == 0) {
		ERR_clear_error();
		return;
	}
	e = ERR_peek_error();
	n = strlen(err);
	if (e != 0 && n + 3 < errlen) {
		char ebuf[256];

		ERR_error_string_n(e, ebuf, sizeof(ebuf));
		snprintf(err + n, errlen - n, " (%s)", ebuf);
	}
	ERR_clear_error();
}

/* Reason: printf text (ops_vreason), then the OpenSSL error tail. */
static void reason(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reason(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ops_vreason(err, errlen, fmt, ap);
	va_end(ap);
	reason_ssl_tail(err, errlen);
}

/* ---------------------------------------------------------------- parties */

static X509 *read_cert(const char *path, char *err, size_t errlen)
{
	BIO *b = BIO_new_file(path, "rb");
	X509 *x = NULL;
	char head[16] = { 0 };
	int n;

	if (b == NULL) {
		reason(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	n = BIO_read(b, head, (int)sizeof(head) - 1);
	(void)BIO_reset(b);
	if (n > 0 && strstr(head, "-----") != NULL)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	else
		x = d2i_X509_bio(b, NULL);
	BIO_free(b);
	if (x == NULL)
		reason(err, errlen, "%s: not a certificate (PEM or DER)", path);
	return x;
}

struct ops_party *ops_party_load(const char *cert_pem, const char *key_pem, char *err,
				 size_t errlen)
{
	struct ops_party *p;
	BIO *b;

	ERR_clear_error();
	if (cert_pem == NULL) {
		reason(err, errlen, "no certificate file given");
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		reason(err, errlen, "out of memory");
		return NULL;
	}
	p->cert = read_cert(cert_pem, err, errlen);
	if (p->cert == NULL)
		goto fail;
	if (key_pem == NULL)
		return p;
	b = BIO_new_file(key_pem, "rb");
	if (b == NULL) {
		reason(err, errlen, "%s: cannot open: %s", key_pem, strerror(errno));
		goto fail;
	}
	p->key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (p->key == NULL) {
		reason(err, errlen, "%s: not a PEM private key", key_pem);
		goto fail;
	}
	if (X509_check_private_key(p->cert, p->key) != 1) {
		reason(err, errlen, "%s does not belong to the certificate %s", key_pem,
		       cert_pem);
		goto fail;
	}
	return p;
fail:
	ops_party_free(p);
	return NULL;
}

void ops_party_free(struct ops_party *p)
{
	if (p == NULL)
		return;
	X509_free(p->cert);
	EVP_PKEY_free(p->key);
	free(p);
}

void ops_party_fingerprint(const struct ops_party *p, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	static const char hx[] = "0123456789abcdef";

	out[0] = '\0';
	if (p == NULL || X509_digest(p->cert, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32) {
		ERR_clear_error();
		return;
	}
	for (i = 0; i < 32; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[64] = '\0';
}

void ops_party_subject(const struct ops_party *p, char *out, size_t cap)
{
	BIO *b;
	int n;

	if (cap == 0)
		return;
	out[0] = '\0';
	if (p == NULL)
		return;
	b = BIO_new(BIO_s_mem());
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, X509_get_subject_name(p->cert), 0,
			       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_read(b, out, cap > INT_MAX ? INT_MAX : (int)cap - 1);
		out[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
	ERR_clear_error();
}

int ops_party_has_key(const struct ops_party *p)
{
	return p != NULL && p->key != NULL;
}

/* ------------------------------------------------------------ trust store */

struct ops_trust *ops_trust_load(const char *const *pem_files, size_t n, char *err,
				 size_t errlen)
{
	struct ops_trust *t;
	size_t i;

	ERR_clear_error();
	if (pem_files == NULL || n == 0) {
		reason(err, errlen, "no trust anchor given");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL || (t->store = X509_STORE_new()) == NULL) {
		free(t);
		reason(err, errlen, "out of memory");
		return NULL;
	}
	/* A certificate given as trust anchor is one even when not self-signed. */
	X509_STORE_set_flags(t->store, X509_V_FLAG_PARTIAL_CHAIN);
	for (i = 0; i < n; i++) {
		BIO *b = BIO_new_file(pem_files[i], "rb");
		X509 *x;
		int count = 0;

		if (b == NULL) {
			reason(err, errlen, "%s: cannot open: %s", pem_files[i], strerror(errno));
			goto fail;
		}
		while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
			int ok = X509_STORE_add_cert(t->store, x);

			X509_free(x);
			if (ok != 1) {
				BIO_free(b);
				reason(err, errlen, "%s: cannot add certificate", pem_files[i]);
				goto fail;
			}
			count++;
		}
		BIO_free(b);
		ERR_clear_error();	/* the PEM reader ends on "no start line" */
		if (count == 0) {
			X509 *d = read_cert(pem_files[i], err, errlen);	/* DER, maybe */

			if (d == NULL)
				goto fail;
			count = X509_STORE_add_cert(t->store, d);
			X509_free(d);
			if (count != 1) {
				reason(err, errlen, "%s: cannot add certificate", pem_files[i]);
				goto fail;
			}
		}
	}
	return t;
fail:
	ops_trust_free(t);
	return NULL;
}

void ops_trust_free(struct ops_trust *t)
{
	if (t == NULL)
		return;
	X509_STORE_free(t->store);
	free(t);
}

/* -------------------------------------------------------------- helpers */

void ops_cms_free(uint8_t *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

/* Copy a memory BIO's contents to a malloc'ed buffer (one NUL past the
 * end, not counted, so text content can be used as a C string). */
static int bio_take(BIO *b, uint8_t **out, size_t *out_len)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	uint8_t *p;

	if (n < 0)
		return -1;
	p = malloc((size_t)n + 1);
	if (p == NULL)
		return -1;
	if (n > 0)
		memcpy(p, data, (size_t)n);
	p[n] = 0;
	*out = p;
	*out_len = (size_t)n;
	return 0;
}

/* Wipe a memory BIO's buffer (it may hold plaintext keys) and free it. */
static void bio_wipe_free(BIO *b)
{
	char *data = NULL;
	long n;

	if (b == NULL)
		return;
	n = BIO_get_mem_data(b, &data);
	if (n > 0 && data != NULL)
		OPENSSL_cleanse(data, (size_t)n);
	BIO_free(b);
}

static int is_pem(const uint8_t *in, size_t len)
{
	size_t i = 0;

	while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n'))
		i++;
	return len - i >= 10 && memcmp(in + i, "-----BEGIN", 10) == 0;
}

/* Exactly one CMS ContentInfo: DER with no trailing bytes, or one PEM
 * block (PEM_read_bio_CMS checks the base64 and the label). */
static CMS_ContentInfo *parse_cms(const uint8_t *in, size_t len, char *err, size_t errlen)
{
	CMS_ContentInfo *cms = NULL;

	if (in == NULL || len == 0) {
		reason(err, errlen, "empty input");
		return NULL;
	}
	if (len > CMS_IN_MAX || len > LONG_MAX) {
		reason(err, errlen, "input of %zu bytes is too large", len);
		return NULL;
	}
	if (is_pem(in, len)) {
		BIO *b = BIO_new_mem_buf(in, (int)(len > INT_MAX ? INT_MAX : len));

		if (b != NULL)
			cms = PEM_read_bio_CMS(b, NULL, NULL, NULL);
		BIO_free(b);
		if (cms == NULL)
			reason(err, errlen, "not a PEM CMS object");
		return cms;
	}
	{
		const unsigned char *p = in;

		cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
		if (cms == NULL) {
			reason(err, errlen, "not a DER CMS object");
			return NULL;
		}
		if ((size_t)(p - in) != len) {
			cms_free_wiped(cms);
			reason(err, errlen, "%zu bytes after the CMS object", len - (size_t)(p - in));
			return NULL;
		}
	}
	return cms;
}

/*
 * Version fields.  OpenSSL parses but does not check the version numbers of
 * EnvelopedData, RecipientInfo, SignedData and SignerInfo, so a changed
 * version byte would pass unnoticed.  They are fixed by RFC 5652 from the
 * structure (§5.1, §5.3, §6.1, §6.2.1, §6.2.2): check them here on the DER,
 * and refuse structures this module never produces (originatorInfo,
 * password/other recipients, non-Certificate entries in certificates).
 */
struct der {
	const uint8_t *p;
	size_t len, pos;
};

/* One TLV with a single-byte tag; 0 or -1. */
static int der_next(struct der *d, unsigned *tag, struct der *val)
{
	size_t n, i, nb;

	if (d->pos + 2 > d->len)
		return -1;
	*tag = d->p[d->pos++];
	if ((*tag & 0x1f) == 0x1f)
		return -1;
	n = d->p[d->pos++];
	if (n & 0x80) {
		nb = n & 0x7f;
		if (nb == 0 || nb > sizeof(size_t) || d->pos + nb > d->len)
			return -1;
		for (n = 0, i = 0; i < nb; i++)
			n = n << 8 | d->p[d->pos++];
	}
	if (n > d->len - d->pos)
		return -1;
	val->p = d->p + d->pos;
	val->len = n;
	val->pos = 0;
	d->pos += n;
	return 0;
}

static int der_small_int(const struct der *v, unsigned *out)
{
	if (v->len != 1 || v->p[0] > 0x7f)
		return -1;
	*out = v->p[0];
	return 0;
}

/* Step into ContentInfo -> [0] -> the SEQUENCE of the content. */
static int der_content(const uint8_t *in, size_t len, struct der *body)
{
	struct der top = { in, len, 0 }, ci, oid, ctx;
	unsigned tag;

	if (der_next(&top, &tag, &ci) != 0 || tag != 0x30 || top.pos != len)
		return -1;
	if (der_next(&ci, &tag, &oid) != 0 || tag != 0x06)
		return -1;
	if (der_next(&ci, &tag, &ctx) != 0 || tag != 0xa0 || ci.pos != ci.len)
		return -1;
	if (der_next(&ctx, &tag, body) != 0 || tag != 0x30 || ctx.pos != ctx.len)
		return -1;
	return 0;
}

static int check_enveloped_versions(const uint8_t *in, size_t len)
{
	struct der body, v, ris, ri, x;
	unsigned tag, ver, rver, all_v0 = 1;

	if (der_content(in, len, &body) != 0 || der_next(&body, &tag, &v) != 0 ||
	    tag != 0x02 || der_small_int(&v, &ver) != 0)
		return -1;
	if (der_next(&body, &tag, &ris) != 0 || tag != 0x31)	/* no originatorInfo */
		return -1;
	while (ris.pos < ris.len) {
		if (der_next(&ris, &tag, &ri) != 0)
			return -1;
		if (der_next(&ri, &rver, &x) != 0 || rver != 0x02 || der_small_int(&x, &rver) != 0)
			return -1;
		if (tag == 0x30) {		/* ktri: 0 issuerAndSerial, 2 SKI */
			unsigned rid;
			struct der r;

			if (der_next(&ri, &rid, &r) != 0 ||
			    rver != (rid == 0x30 ? 0u : rid == 0x80 ? 2u : 99u))
				return -1;
		} else if (tag == 0xa1) {	/* kari */
			if (rver != 3)
				return -1;
		} else if (tag == 0xa2) {	/* kekri */
			if (rver != 4)
				return -1;
		} else {
			return -1;
		}
		if (rver != 0)
			all_v0 = 0;
	}
	if (der_next(&body, &tag, &x) != 0 || tag != 0x30)	/* EncryptedContentInfo */
		return -1;
	/* anything after it is unprotectedAttrs [1] */
	if (body.pos < body.len)
		all_v0 = 0;
	return ver == (all_v0 ? 0u : 2u) ? 0 : -1;
}

static int check_signed_versions(const uint8_t *in, size_t len)
{
	struct der body, v, x, sis, si;
	unsigned tag, ver, sver, any_v3 = 0;

	if (der_content(in, len, &body) != 0 || der_next(&body, &tag, &v) != 0 ||
	    tag != 0x02 || der_small_int(&v, &ver) != 0)
		return -1;
	if (der_next(&body, &tag, &x) != 0 || tag != 0x31)	/* digestAlgorithms */
		return -1;
	if (der_next(&body, &tag, &x) != 0 || tag != 0x30)	/* encapContentInfo */
		return -1;
	if (der_next(&body, &tag, &sis) != 0)
		return -1;
	if (tag == 0xa0) {		/* certificates: plain X.509 only */
		struct der c;

		while (sis.pos < sis.len)
			if (der_next(&sis, &tag, &c) != 0 || tag != 0x30)
				return -1;
		if (der_next(&body, &tag, &sis) != 0)
			return -1;
	}
	if (tag == 0xa1 && der_next(&body, &tag, &sis) != 0)	/* crls */
		return -1;
	if (tag != 0x31 || body.pos != body.len)
		return -1;
	while (sis.pos < sis.len) {
		unsigned sid;
		struct der r;

		if (der_next(&sis, &tag, &si) != 0 || tag != 0x30 ||
		    der_next(&si, &tag, &x) != 0 || tag != 0x02 || der_small_int(&x, &sver) != 0 ||
		    der_next(&si, &sid, &r) != 0)
			return -1;
		if (sver != (sid == 0x30 ? 1u : sid == 0x80 ? 3u : 99u))
			return -1;
		if (sver == 3)
			any_v3 = 1;
	}
	/* eContentType is id-data (checked by the caller) */
	return ver == (any_v3 ? 3u : 1u) ? 0 : -1;
}

/* Check the versions on the DER: the input itself, or its re-encoding
 * when it came as PEM (re-encoding keeps the parsed version numbers). */
static int check_versions(CMS_ContentInfo *cms, const uint8_t *der, size_t der_len, int nid)
{
	unsigned char *enc = NULL;
	int n = 0, rc;

	if (der == NULL) {
		n = i2d_CMS_ContentInfo(cms, &enc);
		if (n <= 0)
			return -1;
		der = enc;
		der_len = (size_t)n;
	}
	rc = nid == NID_pkcs7_enveloped ? check_enveloped_versions(der, der_len)
					 : check_signed_versions(der, der_len);
	if (enc != NULL) {
		OPENSSL_cleanse(enc, (size_t)n);
		OPENSSL_free(enc);
	}
	return rc;
}

/* Free a CMS object, wiping the content of a SignedData first: it is the
 * plaintext (key file) and ASN1_OCTET_STRING_free() does not wipe. */
static void cms_free_wiped(CMS_ContentInfo *cms)
{
	ASN1_OCTET_STRING **pos;

	if (cms == NULL)
		return;
	if (OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_signed) {
		pos = CMS_get0_content(cms);
		if (pos != NULL && *pos != NULL && ASN1_STRING_length(*pos) > 0)
			OPENSSL_cleanse((void *)ASN1_STRING_get0_data(*pos),
					(size_t)ASN1_STRING_length(*pos));
	}
	CMS_ContentInfo_free(cms);
}

static int to_der(CMS_ContentInfo *cms, uint8_t **out, size_t *out_len)
{
	unsigned char *der = NULL;
	int n = i2d_CMS_ContentInfo(cms, &der);
	uint8_t *p;

	if (n <= 0)
		return -1;
	p = malloc((size_t)n);
	if (p == NULL) {
		OPENSSL_free(der);
		return -1;
	}
	memcpy(p, der, (size_t)n);
	OPENSSL_cleanse(der, (size_t)n);
	OPENSSL_free(der);
	*out = p;
	*out_len = (size_t)n;
	return 0;
}

/*
 * Unauthenticated fields.  OpenSSL tolerates some changes to fields that
 * nothing authenticates: names compared case-insensitively (X509_NAME_cmp
 * canonicalises), the key-transport algorithm identifier (the private key
 * decides the padding), the encrypted content type, NULL parameters.  A
 * sealed file is refused unless these are exactly what CMS_encrypt and
 * CMS_sign produce, so that any damage to the file is an error.
 */
static int name_bytes_eq(const X509_NAME *a, const X509_NAME *b)
{
	unsigned char *da = NULL, *db = NULL;
	int la = i2d_X509_NAME(a, &da), lb = i2d_X509_NAME(b, &db);
	int eq = la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0;

	OPENSSL_free(da);
	OPENSSL_free(db);
	return eq;
}

/* Parameters absent or NULL. */
static int params_null(const X509_ALGOR *alg)
{
	int ptype;
	const void *pval;
	const ASN1_OBJECT *obj;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	return ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL;
}

static int alg_nid(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj;

	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	return OBJ_obj2nid(obj);
}

/* The recipient info for `me` names it exactly; key transport is RSA
 * (PKCS #1 v1.5 with NULL parameters, as CMS_encrypt writes it). */
static int check_recipient(CMS_ContentInfo *env, const struct ops_party *me)
{
	STACK_OF(CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos(env);
	const X509_NAME *mine = X509_get_issuer_name(me->cert);
	int i, found = 0;

	if (OBJ_obj2nid(CMS_get0_eContentType(env)) != NID_pkcs7_data)
		return -1;
	for (i = 0; i < sk_CMS_RecipientInfo_num(ris); i++) {
		CMS_RecipientInfo *ri = sk_CMS_RecipientInfo_value(ris, i);
		int type = CMS_RecipientInfo_type(ri);

		if (type == CMS_RECIPINFO_TRANS) {
			X509_ALGOR *alg = NULL;
			ASN1_OCTET_STRING *keyid = NULL;
			X509_NAME *issuer = NULL;
			ASN1_INTEGER *sno = NULL;

			if (CMS_RecipientInfo_ktri_get0_algs(ri, NULL, NULL, &alg) != 1 ||
			    alg_nid(alg) != NID_rsaEncryption || !params_null(alg))
				return -1;
			if (CMS_RecipientInfo_ktri_cert_cmp(ri, me->cert) != 0)
				continue;
			if (CMS_RecipientInfo_ktri_get0_signer_id(ri, &keyid, &issuer, &sno) != 1 ||
			    (issuer != NULL && !name_bytes_eq(issuer, mine)))
				return -1;
			found = 1;
		} else if (type == CMS_RECIPINFO_AGREE) {
			STACK_OF(CMS_RecipientEncryptedKey) *reks = CMS_RecipientInfo_kari_get0_reks(ri);
			int j;

			for (j = 0; j < sk_CMS_RecipientEncryptedKey_num(reks); j++) {
				CMS_RecipientEncryptedKey *rek = sk_CMS_RecipientEncryptedKey_value(reks, j);
				ASN1_OCTET_STRING *keyid = NULL;
				ASN1_GENERALIZEDTIME *tm = NULL;
				CMS_OtherKeyAttribute *other = NULL;
				X509_NAME *issuer = NULL;
				ASN1_INTEGER *sno = NULL;

				if (CMS_RecipientEncryptedKey_cert_cmp(rek, me->cert) != 0)
					continue;
				if (CMS_RecipientEncryptedKey_get0_id(rek, &keyid, &tm, &other, &issuer,
								      &sno) != 1 ||
				    (issuer != NULL && !name_bytes_eq(issuer, mine)))
					return -1;
				found = 1;
			}
		} else {
			return -1;
		}
	}
	ERR_clear_error();
	return found ? 0 : -1;
}

/* Digest and signature algorithms as CMS_sign writes them, and the signer
 * identifier naming the verified certificate exactly. */
static int check_signer_info(CMS_ContentInfo *sd, X509 *signer)
{
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(sd), 0);
	X509_ALGOR *dig = NULL, *sig = NULL;
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *sno = NULL;
	int d, s;

	if (si == NULL)
		return -1;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	if (dig == NULL || sig == NULL || !params_null(dig) || !params_null(sig))
		return -1;
	d = alg_nid(dig);
	s = alg_nid(sig);
	if (d != NID_sha256 && d != NID_sha384 && d != NID_sha512)
		return -1;
	if (s != NID_rsaEncryption && s != NID_sha256WithRSAEncryption &&
	    s != NID_sha384WithRSAEncryption && s != NID_sha512WithRSAEncryption &&
	    s != NID_ecdsa_with_SHA256 && s != NID_ecdsa_with_SHA384 &&
	    s != NID_ecdsa_with_SHA512)
		return -1;
	if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &sno) != 1)
		return -1;
	if (issuer != NULL && !name_bytes_eq(issuer, X509_get_issuer_name(signer)))
		return -1;
	return 0;
}

/* --------------------------------------------------------------- sign */

/* Write the content into a CMS_PARTIAL structure and finalise it. */
static int write_content(CMS_ContentInfo *cms, const uint8_t *content, size_t len)
{
	BIO *b = CMS_dataInit(cms, NULL);
	size_t off = 0;
	int ok = b != NULL;

	while (ok && off < len) {
		int chunk = len - off > 65536 ? 65536 : (int)(len - off);
		int w = BIO_write(b, content + off, chunk);

		if (w <= 0)
			ok = 0;
		else
			off += (size_t)w;
	}
	if (ok)
		ok = BIO_flush(b) == 1 && CMS_dataFinal(cms, b) == 1;
	if (b != NULL)
		BIO_free_all(b);	/* the chain down to the content's memory BIO */
	return ok ? 0 : -1;
}

static int sign_der(const struct ops_party *signer, const uint8_t *content, size_t len,
		    uint8_t **out, size_t *out_len, char *err, size_t errlen)
{
	CMS_ContentInfo *cms;
	int rc;

	if (signer == NULL || signer->key == NULL) {
		reason(err, errlen, "the signer has no private key");
		return OPS_EARG;
	}
	if (content == NULL && len != 0) {
		reason(err, errlen, "no content");
		return OPS_EARG;
	}
	if (len > INT_MAX) {
		reason(err, errlen, "content of %zu bytes is too large", len);
		return OPS_EARG;
	}
	/* Content attached, signer certificate included (no CMS_NOCERTS).
	 * CMS_PARTIAL, then the content written by CMS_dataInit/CMS_dataFinal
	 * ourselves: CMS_final() would copy it through a buffer BIO that
	 * OpenSSL frees without wiping (the content is a key file). */
	cms = CMS_sign(signer->cert, signer->key, NULL, NULL, CMS_BINARY | CMS_PARTIAL);
	if (cms == NULL || write_content(cms, content, len) != 0) {
		CMS_ContentInfo_free(cms);
		reason(err, errlen, "CMS_sign failed");
		return OPS_ECRYPTO;
	}
	rc = to_der(cms, out, out_len);
	cms_free_wiped(cms);
	if (rc != 0) {
		reason(err, errlen, "cannot encode the SignedData");
		return OPS_ECRYPTO;
	}
	return 0;
}

int ops_cms_sign(const struct ops_party *signer, const uint8_t *content, size_t len,
		 uint8_t **out, size_t *out_len, char *err, size_t errlen)
{
	ERR_clear_error();
	if (out == NULL || out_len == NULL) {
		reason(err, errlen, "no output");
		return OPS_EARG;
	}
	return sign_der(signer, content, len, out, out_len, err, errlen);
}

int ops_cms_seal(const struct ops_party *signer, const struct ops_party *recipient,
		 const uint8_t *content, size_t len, uint8_t **out, size_t *out_len,
		 char *err, size_t errlen)
{
	uint8_t *sd = NULL;
	size_t sd_len = 0;
	STACK_OF(X509) *rcpt = NULL;
	CMS_ContentInfo *cms = NULL;
	int rc;

	ERR_clear_error();
	if (out == NULL || out_len == NULL || recipient == NULL) {
		reason(err, errlen, "no recipient or no output");
		return OPS_EARG;
	}
	rc = sign_der(signer, content, len, &sd, &sd_len, err, errlen);
	if (rc != 0)
		return rc;
	rc = OPS_ECRYPTO;
	if (sd_len > INT_MAX) {
		reason(err, errlen, "SignedData too large");
		goto done;
	}
	rcpt = sk_X509_new_null();
	if (rcpt == NULL || sk_X509_push(rcpt, recipient->cert) <= 0) {
		reason(err, errlen, "out of memory");
		goto done;
	}
	/* CMS_PARTIAL and our own content write, as in sign_der(). */
	cms = CMS_encrypt(rcpt, NULL, EVP_aes_256_cbc(), CMS_BINARY | CMS_PARTIAL);
	if (cms == NULL || write_content(cms, sd, sd_len) != 0) {
		reason(err, errlen, "CMS_encrypt to the recipient failed");
		goto done;
	}
	if (to_der(cms, out, out_len) != 0) {
		reason(err, errlen, "cannot encode the EnvelopedData");
		goto done;
	}
	rc = 0;
done:
	CMS_ContentInfo_free(cms);
	sk_X509_free(rcpt);	/* the certificate stays the recipient's */
	ops_cms_free(sd, sd_len);
	return rc;
}

/* ------------------------------------------------------------- verify */

static int verify_cms(const struct ops_trust *trust, CMS_ContentInfo *cms, const uint8_t *der,
		      size_t der_len, uint8_t **content, size_t *content_len,
		      struct ops_party **signer_out, char *err, size_t errlen)
{
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *signers = NULL;
	BIO *out = NULL;
	int rc = OPS_EVERIFY;

	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		reason(err, errlen, "not a CMS SignedData");
		return OPS_EFORMAT;
	}
	if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data) {
		reason(err, errlen, "SignedData does not hold id-data content");
		return OPS_EFORMAT;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1) {
		reason(err, errlen, "SignedData must have exactly one signer (has %d)",
		       sis ? sk_CMS_SignerInfo_num(sis) : 0);
		return OPS_EVERIFY;
	}
	if (check_versions(cms, der, der_len, NID_pkcs7_signed) != 0) {
		reason(err, errlen, "SignedData or SignerInfo version does not match its structure");
		return OPS_EFORMAT;
	}
	out = BIO_new(BIO_s_mem());
	if (out == NULL) {
		reason(err, errlen, "out of memory");
		return OPS_ECRYPTO;
	}
	if (CMS_verify(cms, NULL, trust->store, NULL, out, CMS_BINARY) != 1) {
		reason(err, errlen, "signature does not verify against the trust anchors");
		goto done;
	}
	signers = CMS_get0_signers(cms);
	if (signers == NULL || sk_X509_num(signers) != 1 || sk_X509_value(signers, 0) == NULL) {
		reason(err, errlen, "no single verified signer certificate");
		goto done;
	}
	if (check_signer_info(cms, sk_X509_value(signers, 0)) != 0) {
		reason(err, errlen, "SignerInfo algorithms or signer identifier not as CMS_sign writes them");
		goto done;
	}
	if (signer_out != NULL) {
		struct ops_party *s = calloc(1, sizeof(*s));

		if (s == NULL) {
			reason(err, errlen, "out of memory");
			rc = OPS_ECRYPTO;
			goto done;
		}
		s->cert = sk_X509_value(signers, 0);
		X509_up_ref(s->cert);
		*signer_out = s;
	}
	if (bio_take(out, content, content_len) != 0) {
		if (signer_out != NULL) {
			ops_party_free(*signer_out);
			*signer_out = NULL;
		}
		reason(err, errlen, "out of memory");
		rc = OPS_ECRYPTO;
		goto done;
	}
	rc = 0;
done:
	sk_X509_free(signers);
	bio_wipe_free(out);
	ERR_clear_error();
	return rc;
}

int ops_cms_verify(const struct ops_trust *trust, const uint8_t *in, size_t in_len,
		   uint8_t **content, size_t *content_len, struct ops_party **signer_out,
		   char *err, size_t errlen)
{
	CMS_ContentInfo *cms;
	int rc;

	ERR_clear_error();
	if (signer_out != NULL)
		*signer_out = NULL;
	if (trust == NULL || content == NULL || content_len == NULL) {
		reason(err, errlen, "no trust anchors or no output");
		return OPS_EARG;
	}
	cms = parse_cms(in, in_len, err, errlen);
	if (cms == NULL)
		return OPS_EFORMAT;
	rc = verify_cms(trust, cms, is_pem(in, in_len) ? NULL : in, in_len, content, content_len,
			signer_out, err, errlen);
	cms_free_wiped(cms);
	return rc;
}

int ops_cms_open(const struct ops_party *me, const struct ops_trust *trust,
		 const uint8_t *in, size_t in_len, uint8_t **content, size_t *content_len,
		 struct ops_party **signer_out, char *err, size_t errlen)
{
	CMS_ContentInfo *env, *sd = NULL;
	BIO *plain = NULL;
	char *data = NULL;
	long n;
	int rc = OPS_ECRYPTO;

	ERR_clear_error();
	if (signer_out != NULL)
		*signer_out = NULL;
	if (me == NULL || me->key == NULL || trust == NULL || content == NULL ||
	    content_len == NULL) {
		reason(err, errlen, "no recipient key, trust anchors or output");
		return OPS_EARG;
	}
	env = parse_cms(in, in_len, err, errlen);
	if (env == NULL)
		return OPS_EFORMAT;
	if (OBJ_obj2nid(CMS_get0_type(env)) != NID_pkcs7_enveloped) {
		reason(err, errlen, "not a CMS EnvelopedData (a sealed file)");
		rc = OPS_EFORMAT;
		goto done;
	}
	if (check_versions(env, is_pem(in, in_len) ? NULL : in, in_len, NID_pkcs7_enveloped) != 0) {
		reason(err, errlen, "EnvelopedData or RecipientInfo version does not match its structure");
		rc = OPS_EFORMAT;
		goto done;
	}
	if (check_recipient(env, me) != 0) {
		reason(err, errlen, "cannot decrypt: no recipient info names this certificate exactly, "
		       "or its algorithms are not AES-256-CBC content with RSA or ECDH key transport");
		rc = OPS_ECRYPTO;
		goto done;
	}
	plain = BIO_new(BIO_s_mem());
	if (plain == NULL) {
		reason(err, errlen, "out of memory");
		goto done;
	}
	if (CMS_decrypt(env, me->key, me->cert, NULL, plain, CMS_BINARY) != 1) {
		reason(err, errlen, "cannot decrypt: not for this recipient, or damaged");
		goto done;
	}
	n = BIO_get_mem_data(plain, &data);
	if (n <= 0 || data == NULL) {
		reason(err, errlen, "decrypted content is empty");
		rc = OPS_EFORMAT;
		goto done;
	}
	{
		const unsigned char *p = (const unsigned char *)data;

		sd = d2i_CMS_ContentInfo(NULL, &p, n);
		if (sd == NULL || p != (const unsigned char *)data + n) {
			reason(err, errlen, "decrypted content is not one DER SignedData");
			rc = OPS_EFORMAT;
			goto done;
		}
	}
	rc = verify_cms(trust, sd, (const uint8_t *)data, (size_t)n, content, content_len,
			signer_out, err, errlen);
done:
	cms_free_wiped(sd);
	CMS_ContentInfo_free(env);
	bio_wipe_free(plain);
	ERR_clear_error();
	return rc;
}

int ops_cms_kind(const uint8_t *in, size_t in_len)
{
	CMS_ContentInfo *cms = parse_cms(in, in_len, NULL, 0);
	int nid, rc = OPS_EFORMAT;

	if (cms == NULL)
		return OPS_EFORMAT;
	nid = OBJ_obj2nid(CMS_get0_type(cms));
	if (nid == NID_pkcs7_enveloped)
		rc = 1;
	else if (nid == NID_pkcs7_signed)
		rc = 0;
	cms_free_wiped(cms);
	ERR_clear_error();
	return rc;
}

/* ---------------------------------------------------------------- files */

int ops_file_read(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
		  size_t errlen)
{
	struct stat st;
	uint8_t *p;
	size_t off = 0, size;
	int fd;

	if (path == NULL || out == NULL || len == NULL) {
		reason(err, errlen, "no file");
		return OPS_EARG;
	}
	fd = ops_file_open(path, &st, err, errlen);
	if (fd < 0) {
		reason_ssl_tail(err, errlen);
		return OPS_EIO;	/* "not a regular file" too */
	}
	if ((unsigned long long)st.st_size > (unsigned long long)max) {
		reason(err, errlen, "%s: %lld bytes, more than the %zu accepted", path,
		       (long long)st.st_size, max);
		close(fd);
		return OPS_EIO;
	}
	size = (size_t)st.st_size;
	p = malloc(size + 1);
	if (p == NULL) {
		reason(err, errlen, "%s: out of memory", path);
		close(fd);
		return OPS_EIO;
	}
	while (off < size) {
		ssize_t r = read(fd, p + off, size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			reason(err, errlen, "%s: %s", path, r < 0 ? strerror(errno) : "short read");
			close(fd);
			ops_cms_free(p, size + 1);
			return OPS_EIO;
		}
		off += (size_t)r;
	}
	close(fd);
	p[size] = 0;
	*out = p;
	*len = size;
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int ops_file_write(const char *path, const uint8_t *p, size_t len, unsigned mode, char *err,
		   size_t errlen)
{
	char tmp[PATH_MAX];
	size_t off = 0;
	int fd;

	if (path == NULL || (p == NULL && len != 0)) {
		reason(err, errlen, "no file or no data");
		return OPS_EARG;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= sizeof(tmp)) {
		reason(err, errlen, "%s: path too long", path);
		return OPS_EARG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		reason(err, errlen, "%s: cannot create a temporary file: %s", path,
		       strerror(errno));
		return OPS_EIO;
	}
	if (fchmod(fd, (mode_t)(mode & 07777)) != 0)
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	if (fsync_dir_of(path) != 0) {
		reason(err, errlen, "%s: directory fsync: %s", path, strerror(errno));
		return OPS_EIO;
	}
	return 0;
fail:
	reason(err, errlen, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return OPS_EIO;
}
