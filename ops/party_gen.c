/*
 * party_gen.c - a key pair and a self-signed certificate (party_gen.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ops/cms.h"
#include "ops/party_gen.h"

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (e == NULL)
		return 0;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

static X509 *self_signed(EVP_PKEY *k, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *n;
	unsigned char serial[8];

	if (x == NULL)
		return NULL;
	n = X509_get_subject_name(x);
	if (X509_set_version(x, 2) != 1 ||
	    RAND_bytes(serial, sizeof(serial)) != 1 ||
	    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x),
				    ((uint64_t)serial[0] & 0x7f) << 56 | (uint64_t)serial[1] << 48 |
				    (uint64_t)serial[2] << 40 | (uint64_t)serial[3] << 32 |
				    (uint64_t)serial[4] << 24 | (uint64_t)serial[5] << 16 |
				    (uint64_t)serial[6] << 8 | serial[7]) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -60) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600) == NULL ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
				       0) != 1 ||
	    X509_set_issuer_name(x, n) != 1 || X509_set_pubkey(x, k) != 1 ||
	    !add_ext(x, NID_basic_constraints, "critical,CA:TRUE") ||
	    !add_ext(x, NID_key_usage,
		     "digitalSignature,keyEncipherment,keyAgreement,keyCertSign") ||
	    !add_ext(x, NID_subject_key_identifier, "hash") ||
	    X509_sign(x, k, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* PEM text of the certificate or the key, into a memory BIO. */
static int pem_bytes(X509 *x, EVP_PKEY *k, BIO **out)
{
	BIO *b = BIO_new(BIO_s_secmem());

	if (b == NULL)
		return -1;
	if ((x != NULL && PEM_write_bio_X509(b, x) != 1) ||
	    (k != NULL && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1)) {
		BIO_free(b);
		return -1;
	}
	*out = b;
	return 0;
}

static int write_pem(const char *path, X509 *x, EVP_PKEY *k, unsigned mode, char *err,
		     size_t errlen)
{
	BIO *b = NULL;
	char *p = NULL;
	long n;
	int rc;

	if (pem_bytes(x, k, &b) != 0) {
		snprintf(err, errlen, "%s: cannot encode PEM", path);
		return OPS_ECRYPTO;
	}
	n = BIO_get_mem_data(b, &p);
	rc = n > 0 ? ops_file_write(path, (const uint8_t *)p, (size_t)n, mode, err, errlen)
		   : OPS_ECRYPTO;
	BIO_free(b);	/* secure heap: wiped when freed */
	return rc;
}

int ops_party_generate(const char *cn, const char *type, const char *cert_path,
		       const char *key_path, char *err, size_t errlen)
{
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	int rc;

	if (cn == NULL || cn[0] == '\0' || cert_path == NULL || key_path == NULL) {
		snprintf(err, errlen, "a common name and two output paths are needed");
		return OPS_EARG;
	}
	if (type == NULL || strcmp(type, "EC") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else {
		snprintf(err, errlen, "key type %s: EC or RSA", type);
		return OPS_EARG;
	}
	if (k == NULL || (x = self_signed(k, cn)) == NULL) {
		snprintf(err, errlen, "cannot make a key pair and certificate for %s", cn);
		rc = OPS_ECRYPTO;
		goto done;
	}
	rc = write_pem(key_path, NULL, k, 0600, err, errlen);
	if (rc == 0)
		rc = write_pem(cert_path, x, NULL, 0644, err, errlen);
done:
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}
