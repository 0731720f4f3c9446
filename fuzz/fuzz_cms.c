/*
 * fuzz_cms.c - ops_cms_kind, ops_cms_open and ops_cms_verify on arbitrary
 * bytes (DER or PEM).  The party -- recipient, signer and trust anchor at
 * once -- is made at start-up from a fixed test key (written to a temporary
 * directory and loaded with ops_party_load), so that the seed corpus of
 * files sealed and signed to it reaches decryption and verification.  The
 * key is a throw-away test key, not a secret.
 * Invariant: nothing is returned from input that does not open/verify, and
 * whatever opens is what the signer signed (content given back with a
 * signer certificate).
 */
/* fuzz-extra: tests/opstest.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops/cms.h"
#include "tests/opstest.h"

static const char fuzz_key[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDfWdJnfmH6OXcajo\n"
	"cz1vpyez8ZmE/zjrDR9bvNMLuJWhRANCAARxtN5H6a6E+JUDOQViDdfCB3aTCsR1\n"
	"Cq7zzagmjcloaaCF5UoWP78QwQN6Ixxp48ads0nyiyihx90jI/hbdCSx\n"
	"-----END PRIVATE KEY-----\n";
static const char fuzz_cert[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBhTCCASugAwIBAgIUdY4Dz45ZPODZvRATMzeE8xTyX2gwCgYIKoZIzj0EAwIw\n"
	"FzEVMBMGA1UEAwwMdWljY2tpdC1mdXp6MCAXDTI2MTIwMTExMzczOFoYDzIxMjYx\n"
	"MTA3MTEzNzM4WjAXMRUwEwYDVQQDDAx1aWNja2l0LWZ1enowWTATBgcqhkjOPQIB\n"
	"BggqhkjOPQMBBwNCAARxtN5H6a6E+JUDOQViDdfCB3aTCsR1Cq7zzagmjcloaaCF\n"
	"5UoWP78QwQN6Ixxp48ads0nyiyihx90jI/hbdCSxo1MwUTAdBgNVHQ4EFgQUczIQ\n"
	"S4md8zo0w1MYzkz7WjaUa+QwHwYDVR0jBBgwFoAUczIQS4md8zo0w1MYzkz7WjaU\n"
	"a+QwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiAdgkfro1eud06l\n"
	"t8WqXQkzdiIhP8DrDKu1D1TsotnO9wIhAPVqHZBmLMi8x1pu+k8p+0JpfFSW2RBY\n"
	"RRUka6DHUdOV\n"
	"-----END CERTIFICATE-----\n";

static struct ops_party *me;
static struct ops_trust *trust;

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void init(void)
{
	char dir[128], cert[256], key[256], err[256];
	const char *anchors[1];

	if (ot_tmpdir("fuzzcms", dir, sizeof(dir)) != 0)
		abort();
	snprintf(cert, sizeof(cert), "%s/fuzz.pem", dir);
	snprintf(key, sizeof(key), "%s/fuzz.key", dir);
	if (write_file(cert, fuzz_cert) != 0 || write_file(key, fuzz_key) != 0)
		abort();
	me = ops_party_load(cert, key, err, sizeof(err));
	anchors[0] = cert;
	trust = ops_trust_load(anchors, 1, err, sizeof(err));
	if (me == NULL || trust == NULL) {
		fprintf(stderr, "fuzz_cms: %s\n", err);
		abort();
	}
	unlink(cert);
	unlink(key);
	rmdir(dir);
}

static void check(int rc, uint8_t *content, size_t len, struct ops_party *signer)
{
	if (rc == 0) {
		if (content == NULL || signer == NULL)
			abort();
	} else if (content != NULL || signer != NULL) {
		abort();	/* nothing from input that does not verify */
	}
	ops_cms_free(content, len);
	ops_party_free(signer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *content = NULL;
	size_t len = 0;
	struct ops_party *signer = NULL;
	char err[256];
	int kind, rc;

	if (me == NULL)
		init();
	kind = ops_cms_kind(data, size);
	if (kind > 1)
		abort();
	rc = ops_cms_open(me, trust, data, size, &content, &len, &signer, err, sizeof(err));
	if (rc == 0 && kind != 1)
		abort();
	check(rc, content, len, signer);
	content = NULL;
	signer = NULL;
	rc = ops_cms_verify(trust, data, size, &content, &len, &signer, err, sizeof(err));
	if (rc == 0 && kind != 0)
		abort();
	check(rc, content, len, signer);
	return 0;
}
