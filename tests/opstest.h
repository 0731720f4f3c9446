/*
 * opstest.h - helpers for the ops/ test suites: a temporary directory and
 * parties made in memory (EVP_PKEY_Q_keygen + a self-signed certificate),
 * written as PEM files DIR/NAME.pem and DIR/NAME.key and loaded with
 * ops_party_load().  Key records with random keys for key-file tests.
 */
#ifndef UK_OPSTEST_H
#define UK_OPSTEST_H

#include <stddef.h>
#include "ops/cms.h"
#include "ops/keyfile.h"

struct ot_party {
	char cert[512], key[512];	/* PEM file paths */
	struct ops_party *p;		/* loaded with its key */
};

/* mkdtemp("/tmp/uk-PREFIX-XXXXXX") into dir (cap >= 64); 0 or -1. */
int ot_tmpdir(const char *prefix, char *dir, size_t cap);
/* rm -rf dir: 0, or -1 (reason on stderr). */
int ot_rmdir(const char *dir);
/* type "RSA" (2048 bits) or "EC" (P-256).  0 or -1 (reason on stderr). */
int ot_make_party(const char *dir, const char *name, const char *type, struct ot_party *out);
void ot_party_free(struct ot_party *p);
/* A trust store holding one party's certificate. */
struct ops_trust *ot_trust(const struct ot_party *p);
/* A valid record with random keys. */
void ot_keyrec(struct ops_keyrec *r, const char *iccid, unsigned index);

#endif
