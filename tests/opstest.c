/* opstest.c - see opstest.h */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "tests/opstest.h"
#include "uicckit/keyset.h"

int ot_tmpdir(const char *prefix, char *dir, size_t cap)
{
	if ((size_t)snprintf(dir, cap, "/tmp/uk-%s-XXXXXX", prefix) >= cap)
		return -1;
	return mkdtemp(dir) != NULL ? 0 : -1;
}

int ot_rmdir(const char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "opstest: cannot remove %s\n", dir);
		return -1;
	}
	return 0;
}

static X509 *self_signed(EVP_PKEY *k, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *n;
	unsigned char serial[8];
	BIGNUM *bn;

	if (x == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL) {
		BN_free(bn);
		goto fail;
	}
	BN_free(bn);
	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, n);
	if (X509_sign(x, k, EVP_sha256()) <= 0)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

int ot_make_party(const char *dir, const char *name, const char *type, struct ot_party *out)
{
	EVP_PKEY *k;
	X509 *x = NULL;
	FILE *f;
	char err[256];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (k == NULL || (x = self_signed(k, name)) == NULL)
		goto done;
	snprintf(out->cert, sizeof(out->cert), "%s/%s.pem", dir, name);
	snprintf(out->key, sizeof(out->key), "%s/%s.key", dir, name);
	f = fopen(out->cert, "w");
	if (f == NULL || PEM_write_X509(f, x) != 1) {
		if (f)
			fclose(f);
		goto done;
	}
	fclose(f);
	f = fopen(out->key, "w");
	if (f == NULL || PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1) {
		if (f)
			fclose(f);
		goto done;
	}
	fclose(f);
	out->p = ops_party_load(out->cert, out->key, err, sizeof(err));
	if (out->p == NULL) {
		fprintf(stderr, "opstest: %s\n", err);
		goto done;
	}
	rc = 0;
done:
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

void ot_party_free(struct ot_party *p)
{
	ops_party_free(p->p);
	p->p = NULL;
}

struct ops_trust *ot_trust(const struct ot_party *p)
{
	const char *files[1] = { p->cert };
	char err[256];
	struct ops_trust *t = ops_trust_load(files, 1, err, sizeof(err));

	if (t == NULL)
		fprintf(stderr, "opstest: %s\n", err);
	return t;
}

void ot_keyrec(struct ops_keyrec *r, const char *iccid, unsigned index)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->iccid, sizeof(r->iccid), "%s", iccid);
	snprintf(r->imsi, sizeof(r->imsi), "001010000000%03u", index);
	r->index = index;
	r->alg = UICC_ALG_MILENAGE;
	r->op_is_opc = 1;
	r->k_len = r->opc_len = r->kic_len = r->kid_len = 16;
	RAND_bytes(r->k, 16);
	RAND_bytes(r->opc, 16);
	RAND_bytes(r->kic_key, 16);
	RAND_bytes(r->kid_key, 16);
	r->kic = r->kid = (uint8_t)((index + 1) << 4 | 0x02);
	r->tar[0] = 0xb0;
	r->tar[2] = 0x01;
	r->cntr = 0x0000000005ULL + index;
}
