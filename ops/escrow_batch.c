/*
 * escrow_batch.c - batch personalisation with the key escrow; see
 * ops/escrow_batch.h for the order of the work that makes it crash safe.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/bcd.h"
#include "common/buf.h"
#include "ops/escrow_batch.h"
#include "ops/util.h"
#include "uicckit/image.h"
#include "uicckit/keyset.h"
#include "uicckit/perso.h"

static uint64_t pow10u(size_t n)
{
	uint64_t v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

static uint64_t digits_value(const char *s, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return v;
}

int ops_batch_iccid(const char *start, unsigned long i, char out[21], char *err, size_t errlen)
{
	size_t len = start ? strlen(start) : 0;
	uint64_t v;
	int luhn;

	if (!uk_is_digits(start, 19, 20)) {
		ops_reason(err, errlen, "ICCID %s: want 19 or 20 decimal digits", start ? start : "");
		return OPS_EARG;
	}
	luhn = uk_luhn_digit(start, 18);
	if (luhn != start[18]) {
		ops_reason(err, errlen, "ICCID %s: digit 19 is not the Luhn check digit (%c)", start,
		       luhn);
		return OPS_EARG;
	}
	v = digits_value(start, 18);
	if ((uint64_t)i >= pow10u(18) - v) {
		ops_reason(err, errlen, "ICCID %s + %lu: past 18 digits", start, i);
		return OPS_EARG;
	}
	snprintf(out, 21, "%018" PRIu64, v + i);
	out[18] = (char)uk_luhn_digit(out, 18);
	out[19] = len == 20 ? start[19] : '\0';
	out[20] = '\0';
	return 0;
}

int ops_batch_imsi(const char *start, unsigned long i, char out[16], char *err, size_t errlen)
{
	size_t len;
	uint64_t v;

	if (!uk_is_digits(start, 6, 15)) {
		ops_reason(err, errlen, "IMSI %s: want 6 to 15 decimal digits", start ? start : "");
		return OPS_EARG;
	}
	len = strlen(start);
	v = digits_value(start, len);
	if ((uint64_t)i >= pow10u(len) - v) {
		ops_reason(err, errlen, "IMSI %s + %lu: past %zu digits", start, i, len);
		return OPS_EARG;
	}
	snprintf(out, 16, "%0*" PRIu64, (int)len, v + i);
	return 0;
}

/* ------------------------------------------------- key set <-> key record */

static void rec_of_keyset(const struct uicc_keyset *ks, const char *iccid, const char *imsi,
			  struct ops_keyrec *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->iccid, sizeof(r->iccid), "%s", iccid);
	if (ks->index == 0)
		snprintf(r->imsi, sizeof(r->imsi), "%s", imsi);
	r->index = ks->index;
	r->alg = ks->alg;
	r->op_is_opc = ks->op_is_opc;
	r->k_len = ks->k_len;
	memcpy(r->k, ks->k, sizeof(r->k));
	r->opc_len = ks->opc_len;
	memcpy(r->opc, ks->opc, sizeof(r->opc));
	/* TS 102 225 §5.1.2/§5.1.3: KIc/KID = KVN (b8..b5) | algorithm (b4..b1) */
	r->kic = (uint8_t)(ks->kvn << 4 | (ks->kic_alg & 0x0f));
	r->kid = (uint8_t)(ks->kvn << 4 | (ks->kid_alg & 0x0f));
	r->kic_len = ks->kic_len;
	memcpy(r->kic_key, ks->kic, sizeof(r->kic_key));
	r->kid_len = ks->kid_len;
	memcpy(r->kid_key, ks->kid, sizeof(r->kid_key));
	memcpy(r->tar, ks->tar, 3);
	r->cntr = uk_get_be(ks->cntr, 5);
}

static void keyset_of_rec(const struct ops_keyrec *r, struct uicc_keyset *ks)
{
	memset(ks, 0, sizeof(*ks));
	ks->index = (uint8_t)r->index;
	ks->alg = r->alg;
	ks->op_is_opc = r->op_is_opc;
	ks->k_len = r->k_len;
	memcpy(ks->k, r->k, sizeof(ks->k));
	ks->opc_len = r->opc_len;
	memcpy(ks->opc, r->opc, sizeof(ks->opc));
	ks->kvn = (uint8_t)(r->kic >> 4);
	ks->kic_alg = r->kic & 0x0f;
	ks->kid_alg = r->kid & 0x0f;
	ks->kic_len = r->kic_len;
	memcpy(ks->kic, r->kic_key, sizeof(ks->kic));
	ks->kid_len = r->kid_len;
	memcpy(ks->kid, r->kid_key, sizeof(ks->kid));
	memcpy(ks->tar, r->tar, 3);
	uk_put_be(ks->cntr, r->cntr, 5);
}

static int same_keys(const struct uicc_keyset *a, const struct ops_keyrec *r)
{
	struct uicc_keyset b;
	int eq;

	keyset_of_rec(r, &b);
	eq = a->alg == b.alg && a->op_is_opc == b.op_is_opc && a->k_len == b.k_len &&
	     a->opc_len == b.opc_len && a->kic_len == b.kic_len && a->kid_len == b.kid_len &&
	     a->kvn == b.kvn && a->kic_alg == b.kic_alg && a->kid_alg == b.kid_alg &&
	     CRYPTO_memcmp(a->k, b.k, b.k_len) == 0 &&
	     CRYPTO_memcmp(a->opc, b.opc, b.opc_len) == 0 &&
	     CRYPTO_memcmp(a->kic, b.kic, b.kic_len) == 0 &&
	     CRYPTO_memcmp(a->kid, b.kid, b.kid_len) == 0 && memcmp(a->tar, b.tar, 3) == 0;
	uicc_keyset_cleanse(&b);
	return eq;
}

int ops_batch_image_matches(const char *path, const struct ops_keyrecs *card, char *err,
			    size_t errlen)
{
	struct uicc *c = uicc_image_load(path, err, errlen);
	struct uicc_keyset ks;
	size_t i;
	int rc = 1;

	if (c == NULL)
		return OPS_EIO;
	if (uicc_keyset_count(c) < (int)card->n) {
		ops_reason(err, errlen, "%s: %d key-set records, the escrow has %zu", path,
		       uicc_keyset_count(c), card->n);
		rc = 0;
	}
	for (i = 0; rc == 1 && i < card->n; i++) {
		if (uicc_keyset_get(c, card->v[i].index, &ks) != 0 || !same_keys(&ks, &card->v[i])) {
			ops_reason(err, errlen, "%s: key set %u differs from the escrow's", path,
			       card->v[i].index);
			rc = 0;
		}
		uicc_keyset_cleanse(&ks);
	}
	uicc_free(c);
	return rc;
}

/* ------------------------------------------------------------------ run */

static int check_args(const struct ops_batch *b, char *err, size_t errlen)
{
	char x[21];

	if (b->count == 0 || b->count > OPS_BATCH_MAX_CARDS) {
		ops_reason(err, errlen, "count %lu: want 1 to %lu", b->count, OPS_BATCH_MAX_CARDS);
		return OPS_EARG;
	}
	if (b->keysets < 1 || b->keysets > UICC_PERSO_MAX_KEYSETS) {
		ops_reason(err, errlen, "key sets %u: want 1 to %d", b->keysets, UICC_PERSO_MAX_KEYSETS);
		return OPS_EARG;
	}
	if (b->out_dir == NULL || b->operator_out == NULL || b->escrow == NULL ||
	    b->signer == NULL || b->operator == NULL || !ops_party_has_key(b->signer)) {
		ops_reason(err, errlen, "batch: output directory, operator file, escrow, signer "
			       "(with key) and operator are all required");
		return OPS_EARG;
	}
	if (ops_batch_iccid(b->iccid_start, b->count - 1, x, err, errlen) != 0 ||
	    ops_batch_imsi(b->imsi_start, b->count - 1, x, err, errlen) != 0)
		return OPS_EARG;
	return 0;
}

/* Temporary files of image saves cut short: "ICCID.json.tmpXXXXXX". */
static void remove_leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *dot = strstr(de->d_name, ".json.tmp");
		size_t n = dot ? (size_t)(dot - de->d_name) : 0;
		char digits[21];

		if (dot == NULL || n < 19 || n > 20 || strlen(dot) != strlen(".json.tmp") + 6)
			continue;
		memcpy(digits, de->d_name, n);
		digits[n] = '\0';
		if (!uk_is_digits(digits, 19, 20))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

static void progress(const struct ops_batch *b, const char *phase, unsigned long done)
{
	if (b->progress != NULL)
		b->progress(b->progress_arg, phase, done, b->count);
}

/* Step 1: keys of the cards not yet in the escrow, one transaction per chunk. */
static int escrow_phase(struct ops_batch *b, char *err, size_t errlen)
{
	unsigned long chunk = b->chunk ? b->chunk : 1000, i, j;
	struct ops_keyrecs l;
	struct uicc_perso p;
	int rc = 0;

	memset(&l, 0, sizeof(l));
	memset(&p, 0, sizeof(p));
	for (i = 0; i < b->count; i = j) {
		unsigned long end = i + chunk < b->count ? i + chunk : b->count, added = 0;

		for (j = i; j < end; j++) {
			char iccid[21], imsi[16];
			struct ops_card_status cs;
			unsigned k;

			ops_batch_iccid(b->iccid_start, j, iccid, NULL, 0);
			ops_batch_imsi(b->imsi_start, j, imsi, NULL, 0);
			rc = ops_escrow_has_card(b->escrow, iccid, err, errlen);
			if (rc < 0)
				goto done;
			if (rc == 1) {
				rc = ops_escrow_card(b->escrow, iccid, &cs, err, errlen);
				if (rc != 0)
					goto done;
				if (cs.n_keysets != b->keysets || strcmp(cs.imsi, imsi) != 0) {
					ops_reason(err, errlen,
					       "card %s is in the escrow with IMSI %s and %u key sets, "
					       "not %s and %u (another batch?)",
					       iccid, cs.imsi, cs.n_keysets, imsi, b->keysets);
					rc = OPS_EREFUSED;
					goto done;
				}
				continue;
			}
			memset(&p, 0, sizeof(p));
			if (uicc_perso_defaults(&p, b->keysets) != 0) {
				ops_reason(err, errlen, "cannot draw random keys");
				rc = OPS_ECRYPTO;
				goto done;
			}
			for (k = 0; k < b->keysets; k++) {
				struct ops_keyrec r;

				rec_of_keyset(&p.ks[k], iccid, imsi, &r);
				rc = ops_keyrecs_add(&l, &r);
				ops_keyrec_cleanse(&r);
				if (rc != 0) {
					ops_reason(err, errlen, "out of memory");
					goto done;
				}
			}
			uicc_perso_cleanse(&p);
			added++;
		}
		if (l.n > 0) {
			rc = ops_escrow_add(b->escrow, &l, err, errlen);
			if (rc != 0)
				goto done;
			b->added += added;
		}
		ops_keyrecs_free(&l);
		progress(b, "escrow", end);
	}
	rc = 0;
done:
	uicc_perso_cleanse(&p);
	ops_keyrecs_free(&l);
	return rc;
}

static int build_image(const struct ops_batch *b, const json_t *profile, const char *path,
		       const char *iccid, const char *imsi, const struct ops_keyrecs *keys,
		       char *err, size_t errlen)
{
	struct uicc_perso p;
	struct uicc *card;
	struct uicc_image_store st = { 0 };
	size_t i;
	int rc = OPS_EIO;

	memset(&p, 0, sizeof(p));
	snprintf(p.iccid, sizeof(p.iccid), "%s", iccid);
	snprintf(p.imsi, sizeof(p.imsi), "%s", imsi);
	for (i = 0; i < keys->n && i < UICC_PERSO_MAX_KEYSETS; i++)
		keyset_of_rec(&keys->v[i], &p.ks[keys->v[i].index]);
	card = uicc_new(profile, err, errlen);
	if (card == NULL)
		goto done;
	if (uicc_perso_defaults(&p, (unsigned)keys->n) != 0 ||
	    uicc_perso_apply(card, &p, err, errlen) != 0) {
		rc = OPS_EARG;
		goto done;
	}
	(void)b;
	st.path = path;
	if (uicc_image_save(&st, card) != 0) {
		ops_reason(err, errlen, "%s", st.err);
		goto done;
	}
	rc = 0;
done:
	uicc_perso_cleanse(&p);
	uicc_free(card);
	return rc;
}

/* Step 2: the images, from the escrow's keys. */
static int image_phase(struct ops_batch *b, char *err, size_t errlen)
{
	json_t *profile = uicc_profile_default();
	struct uicc_perso pins;
	struct ops_keyrecs keys;
	unsigned long i;
	char path[4096];
	int rc = OPS_EARG;

	memset(&keys, 0, sizeof(keys));
	memset(&pins, 0, sizeof(pins));
	if (b->pin1 != NULL)
		snprintf(pins.pin1, sizeof(pins.pin1), "%s", b->pin1);
	if (b->adm1 != NULL)
		snprintf(pins.adm1, sizeof(pins.adm1), "%s", b->adm1);
	if (profile == NULL || uicc_perso_set_pins(profile, &pins, err, errlen) != 0) {
		if (profile == NULL)
			ops_reason(err, errlen, "built-in profile unreadable");
		goto done;
	}
	for (i = 0; i < b->count; i++) {
		char iccid[21], imsi[16];

		ops_batch_iccid(b->iccid_start, i, iccid, NULL, 0);
		ops_batch_imsi(b->imsi_start, i, imsi, NULL, 0);
		snprintf(path, sizeof(path), "%s/%s.json", b->out_dir, iccid);
		rc = ops_escrow_get(b->escrow, iccid, &keys, err, errlen);
		if (rc != 0)
			goto done;
		if (access(path, F_OK) == 0) {
			rc = ops_batch_image_matches(path, &keys, err, errlen);
			if (rc != 1) {
				if (rc == 0)
					rc = OPS_EREFUSED;
				goto done;
			}
			b->images_kept++;
		} else {
			rc = build_image(b, profile, path, iccid, imsi, &keys, err, errlen);
			if (rc != 0)
				goto done;
			b->images_written++;
		}
		ops_keyrecs_free(&keys);
		if ((i + 1) % 100 == 0 || i + 1 == b->count)
			progress(b, "images", i + 1);
	}
	rc = 0;
done:
	ops_keyrecs_free(&keys);
	json_decref(profile);
	return rc;
}

/* Step 3: key set 0 of every card to the operator, then its file. */
static int operator_phase(struct ops_batch *b, char *err, size_t errlen)
{
	struct ops_release_req *reqs = calloc(b->count, sizeof(*reqs));
	struct ops_keyrecs out;
	size_t acc = 0;
	unsigned long i;
	int rc;

	memset(&out, 0, sizeof(out));
	if (reqs == NULL) {
		ops_reason(err, errlen, "out of memory");
		return OPS_EARG;
	}
	for (i = 0; i < b->count; i++) {
		ops_batch_iccid(b->iccid_start, i, reqs[i].iccid, NULL, 0);
		reqs[i].index = 0;
	}
	rc = ops_escrow_release(b->escrow, reqs, b->count, b->operator, b->operator_out, 1, &out,
				&acc, err, errlen);
	if (rc == OPS_EREFUSED) {
		for (i = 0; i < b->count; i++)
			if (reqs[i].rc != 0) {
				ops_reason(err, errlen, "key set 0 of %s to the operator refused: %s",
				       reqs[i].iccid, reqs[i].reason);
				break;
			}
	}
	free(reqs);
	if (rc == 0)
		rc = ops_keyfile_write_sealed(b->operator_out, &out, b->signer, b->operator, err,
					      errlen);
	if (rc == 0)
		progress(b, "operator", b->count);
	ops_keyrecs_free(&out);
	return rc;
}

int ops_batch_run(struct ops_batch *b, char *err, size_t errlen)
{
	int rc;

	if (b == NULL) {
		ops_reason(err, errlen, "no batch");
		return OPS_EARG;
	}
	b->added = b->images_written = b->images_kept = 0;
	if ((rc = check_args(b, err, errlen)) != 0)
		return rc;
	if (mkdir(b->out_dir, 0700) != 0 && errno != EEXIST) {
		ops_reason(err, errlen, "%s: %s", b->out_dir, strerror(errno));
		return OPS_EIO;
	}
	remove_leftovers(b->out_dir);
	if ((rc = escrow_phase(b, err, errlen)) != 0)
		return rc;
	if ((rc = image_phase(b, err, errlen)) != 0)
		return rc;
	return operator_phase(b, err, errlen);
}
