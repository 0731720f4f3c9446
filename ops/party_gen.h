/*
 * party_gen.h - make a party for trying things out: a new key pair (EC
 * P-256 or RSA-2048, OpenSSL's RNG) and a self-signed certificate for it
 * (CN=cn, 30 days, digitalSignature + keyEncipherment + keyAgreement).
 * Production parties use their real PKI; this is for the demo, the tests
 * and first steps.  The key file is written 0600, atomically.
 * 0 or a negative OPS_E* code with a reason.
 */
#ifndef UK_OPS_PARTY_GEN_H
#define UK_OPS_PARTY_GEN_H

#include <stddef.h>

int ops_party_generate(const char *cn, const char *type, const char *cert_path,
		       const char *key_path, char *err, size_t errlen);

#endif
