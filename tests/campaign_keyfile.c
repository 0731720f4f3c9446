/*
 * campaign_keyfile.c - test helper standing in for the manufacturer's and
 * the escrow's key files: reads the key sets `uicc-perso new --keys-out`
 * wrote (one JSON file per card), keeps the indices asked for, and writes
 * a sealed key file (ops_keyfile_write_sealed: signed by the signer,
 * enveloped to the recipient).
 *
 * usage: campaign_keyfile SIGNER.pem SIGNER.key RECIPIENT.pem OUT INDEX KEYS.json...
 *        campaign_keyfile SIGNER.pem SIGNER.key RECIPIENT.pem OUT --random N
 * The second form makes N cards with random keys, index 0: ICCID
 * 8988239 + 12-digit n + 9, IMSI 00101 + 10-digit n, last counter
 * 5 + n % 100 (what the kill test checks the campaign's counters against).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "common/hex.h"
#include "common/secmem.h"
#include "ops/keyfile.h"
#include "uicckit/keyset.h"
#include <openssl/rand.h>

static int hexfield(json_t *o, const char *name, uint8_t *out, size_t cap, uint8_t *len)
{
	const char *s = json_string_value(json_object_get(o, name));
	size_t n = 0;

	if (s == NULL || uk_hex_decode(s, out, cap, &n) != 0)
		return -1;
	if (len != NULL)
		*len = (uint8_t)n;
	return 0;
}

int main(int argc, char **argv)
{
	struct ops_keyrecs l;
	struct ops_party *signer, *to;
	char err[256];
	unsigned want;
	int i, rc;

	uk_json_cleansing_alloc();
	if (argc < 7) {
		fprintf(stderr, "usage: %s SIGNER.pem SIGNER.key RECIPIENT.pem OUT INDEX KEYS.json...\n",
			argv[0]);
		return 2;
	}
	want = (unsigned)strtoul(argv[5], NULL, 10);
	if (strcmp(argv[5], "--random") == 0)
		want = 0;
	signer = ops_party_load(argv[1], argv[2], err, sizeof(err));
	to = ops_party_load(argv[3], NULL, err, sizeof(err));
	if (signer == NULL || to == NULL) {
		fprintf(stderr, "%s: %s\n", argv[0], err);
		return 1;
	}
	memset(&l, 0, sizeof(l));
	if (strcmp(argv[5], "--random") == 0) {
		unsigned long n = strtoul(argv[6], NULL, 10) % 1000000000UL, k;

		for (k = 0; k < n; k++) {
			struct ops_keyrec r;

			memset(&r, 0, sizeof(r));
			snprintf(r.iccid, sizeof(r.iccid), "8988239%012u9", (unsigned)k);
			snprintf(r.imsi, sizeof(r.imsi), "00101%010u", (unsigned)k);
			r.alg = UICC_ALG_MILENAGE;
			r.op_is_opc = 1;
			r.k_len = r.opc_len = r.kic_len = r.kid_len = 16;
			if (RAND_bytes(r.k, 16) != 1 || RAND_bytes(r.opc, 16) != 1 ||
			    RAND_bytes(r.kic_key, 16) != 1 || RAND_bytes(r.kid_key, 16) != 1)
				return 1;
			r.kic = r.kid = 0x12;
			memcpy(r.tar, "\xb0\x00\x01", 3);
			r.cntr = 5 + k % 100;
			if (ops_keyrecs_add(&l, &r) != 0)
				return 1;
			ops_keyrec_cleanse(&r);
		}
		argc = 6;	/* no JSON files */
	}
	for (i = 6; i < argc; i++) {
		json_error_t je;
		json_t *doc = json_load_file(argv[i], 0, &je), *sets, *o;
		size_t k;

		if (doc == NULL) {
			fprintf(stderr, "%s: %s: %s\n", argv[0], argv[i], je.text);
			return 1;
		}
		sets = json_object_get(doc, "keysets");
		json_array_foreach(sets, k, o) {
			struct ops_keyrec r;
			const char *alg = json_string_value(json_object_get(o, "alg"));

			if (json_integer_value(json_object_get(o, "index")) != (json_int_t)want)
				continue;
			memset(&r, 0, sizeof(r));
			snprintf(r.iccid, sizeof(r.iccid), "%s",
				 json_string_value(json_object_get(doc, "iccid")));
			if (want == 0)
				snprintf(r.imsi, sizeof(r.imsi), "%s",
					 json_string_value(json_object_get(doc, "imsi")));
			r.index = want;
			r.alg = alg != NULL && strcmp(alg, "xor") == 0 ? UICC_ALG_XOR : UICC_ALG_MILENAGE;
			r.op_is_opc = 1;
			if (hexfield(o, "k", r.k, 32, &r.k_len) || hexfield(o, "opc", r.opc, 32, &r.opc_len) ||
			    hexfield(o, "kic", &r.kic, 1, NULL) || hexfield(o, "kid", &r.kid, 1, NULL) ||
			    hexfield(o, "kic_key", r.kic_key, 32, &r.kic_len) ||
			    hexfield(o, "kid_key", r.kid_key, 32, &r.kid_len) ||
			    hexfield(o, "tar", r.tar, 3, NULL)) {
				fprintf(stderr, "%s: %s: bad key set\n", argv[0], argv[i]);
				return 1;
			}
			if (ops_keyrecs_add(&l, &r) != 0)
				return 1;
			ops_keyrec_cleanse(&r);
		}
		json_decref(doc);
	}
	rc = ops_keyfile_write_sealed(argv[4], &l, signer, to, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", argv[0], err);
	ops_keyrecs_free(&l);
	ops_party_free(signer);
	ops_party_free(to);
	return rc == 0 ? 0 : 1;
}
