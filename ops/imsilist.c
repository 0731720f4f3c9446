/*
 * imsilist.c - the CSV lists between operators; see ops/imsilist.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "common/csv.h"
#include "common/hex.h"
#include "ops/imsilist.h"
#include "uicckit/keyset.h"

#define MAXF 16
#define REC_MAX (OPS_LIST_POR_MAX + 256)

int ops_field_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max || strspn(s, "0123456789") != n)
		return -1;
	return 0;
}

int ops_field_hex(const char *s, uint8_t *out, size_t min, size_t max, size_t *len)
{
	size_t n = 0, sl = strlen(s);

	/* plain hex digits only: no blanks inside a CSV key field */
	if (sl != strspn(s, "0123456789abcdefABCDEF") || uk_hex_decode(s, out, max, &n) != 0 ||
	    n < min)
		return -1;
	if (len != NULL)
		*len = n;
	return 0;
}

/* ---- a set of strings (duplicate detection) -------------------------- */

struct strset {
	char (*k)[24];
	size_t cap, n;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

/* 1 inserted, 0 already present, -1 out of memory. */
static int strset_add(struct strset *s, const char *key)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		struct strset ns = { NULL, s->cap ? s->cap * 2 : 1024, 0 };

		ns.k = calloc(ns.cap, sizeof(*ns.k));
		if (ns.k == NULL)
			return -1;
		for (i = 0; i < s->cap; i++)
			if (s->k[i][0] != '\0')
				(void)strset_add(&ns, s->k[i]);
		free(s->k);
		*s = ns;
	}
	for (i = hash(key) & (s->cap - 1); s->k[i][0] != '\0'; i = (i + 1) & (s->cap - 1))
		if (strcmp(s->k[i], key) == 0)
			return 0;
	memcpy(s->k[i], key, strlen(key) + 1);	/* keys are at most 20 digits */
	s->n++;
	return 1;
}

/* ---- header --------------------------------------------------------- */

static int col_of(char **f, int nf, const char *name)
{
	int i;

	for (i = 0; i < nf; i++)
		if (strcmp(f[i], name) == 0)
			return i;
	return -1;
}

/* Every header field must be one of names[] and appear once. */
static int check_header(char **f, int nf, const char *const *names, char *err, size_t errlen)
{
	int i, j;

	for (i = 0; i < nf; i++) {
		int known = 0;

		for (j = 0; names[j] != NULL; j++)
			known |= strcmp(f[i], names[j]) == 0;
		if (!known) {
			snprintf(err, errlen, "line 1: unknown column \"%.40s\"", f[i]);
			return OPS_EFORMAT;
		}
		for (j = 0; j < i; j++)
			if (strcmp(f[i], f[j]) == 0) {
				snprintf(err, errlen, "line 1: column %.40s appears twice", f[i]);
				return OPS_EFORMAT;
			}
	}
	return 0;
}

int ops_list_add_bad(struct ops_list *l, unsigned line, const char *why)
{
	if (l->nbad == l->badcap) {
		size_t nc = l->badcap ? l->badcap * 2 : 64;
		struct ops_listerr *nb = realloc(l->bad, nc * sizeof(*nb));

		if (nb == NULL)
			return OPS_EIO;
		l->bad = nb;
		l->badcap = nc;
	}
	l->bad[l->nbad].line = line;
	snprintf(l->bad[l->nbad].why, sizeof(l->bad[l->nbad].why), "%s", why);
	l->nbad++;
	return 0;
}

static int add_row(struct ops_list *l, const struct ops_listrow *r)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 1024;
		struct ops_listrow *nv = realloc(l->v, nc * sizeof(*nv));

		if (nv == NULL)
			return OPS_EIO;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = *r;
	return 0;
}

int ops_list_parse(const char *text, size_t len, int mode, struct ops_list *l, char *err,
		   size_t errlen)
{
	static const char *const names_switch[] = { "iccid", "imsi", "new_imsi", NULL };
	static const char *const names_cards[] = { "iccid", "imsi", NULL };
	static const char *const names_por[] = { "iccid", "por", NULL };
	struct strset seen = { NULL, 0, 0 }, seen_new = { NULL, 0, 0 };
	struct uk_csv c;
	char *rec = malloc(REC_MAX), *f[MAXF];
	int nf, ci, ii, ni = -1, pi = -1, hn, rc = 0;

	memset(l, 0, sizeof(*l));
	l->mode = mode;
	if (rec == NULL) {
		snprintf(err, errlen, "out of memory");
		return OPS_EIO;
	}
	uk_csv_init(&c, text, len);
	hn = nf = uk_csv_next(&c, rec, REC_MAX, f, MAXF);
	if (nf <= 0) {
		snprintf(err, errlen, "line 1: %s", nf == 0 ? "empty file (a header row is expected)"
							    : uk_csv_strerror(nf));
		rc = OPS_EFORMAT;
		goto out;
	}
	rc = check_header(f, nf, mode == OPS_LIST_SWITCH ? names_switch :
				 mode == OPS_LIST_CARDS ? names_cards : names_por, err, errlen);
	if (rc != 0)
		goto out;
	ci = col_of(f, nf, "iccid");
	ii = col_of(f, nf, "imsi");
	if (mode == OPS_LIST_SWITCH)
		ni = col_of(f, nf, "new_imsi");
	if (mode == OPS_LIST_POR)
		pi = col_of(f, nf, "por");
	if ((ci < 0 && ii < 0) || (mode == OPS_LIST_SWITCH && ni < 0) ||
	    (mode == OPS_LIST_POR && (ci < 0 || pi < 0))) {
		snprintf(err, errlen, "line 1: header must name %s",
			 mode == OPS_LIST_SWITCH ? "iccid or imsi, and new_imsi" :
			 mode == OPS_LIST_CARDS ? "iccid or imsi" : "iccid and por");
		rc = OPS_EFORMAT;
		goto out;
	}
	l->by_iccid = ci >= 0;
	{
		/* size the duplicate sets for the whole list at once */
		size_t lines = 1, k;

		for (k = 0; k < len; k++)
			lines += text[k] == '\n';
		for (seen.cap = 1024; seen.cap < 2 * lines + 2; seen.cap *= 2)
			;
		seen.k = calloc(seen.cap, sizeof(*seen.k));
		seen_new.cap = mode == OPS_LIST_SWITCH ? seen.cap : 0;
		seen_new.k = seen_new.cap ? calloc(seen_new.cap, sizeof(*seen_new.k)) : NULL;
		if (seen.k == NULL || (seen_new.cap && seen_new.k == NULL)) {
			snprintf(err, errlen, "out of memory");
			rc = OPS_EIO;
			goto out;
		}
	}
	while ((nf = uk_csv_next(&c, rec, REC_MAX, f, MAXF)) != 0) {
		struct ops_listrow r;
		const char *why = NULL;
		char whybuf[100];
		int d;

		memset(&r, 0, sizeof(r));
		r.line = c.line;
		if (nf == 1 && f[0][0] == '\0')
			continue;	/* an empty line */
		if (nf < 0)
			why = uk_csv_strerror(nf);
		else if (nf != hn)
			why = "wrong number of fields";
		else if (ci >= 0 && ops_field_digits(f[ci], 19, 20) != 0)
			why = "iccid: 19 or 20 digits";
		else if (ii >= 0 && ops_field_digits(f[ii], 6, 15) != 0)
			why = "imsi: 6 to 15 digits";
		else if (ni >= 0 && ops_field_digits(f[ni], 6, 15) != 0)
			why = "new_imsi: 6 to 15 digits";
		else if (pi >= 0 && (strlen(f[pi]) == 0 || strlen(f[pi]) > OPS_LIST_POR_MAX ||
				     strspn(f[pi], "0123456789abcdefABCDEF ") != strlen(f[pi])))
			why = "por: hex (segments separated by spaces)";
		if (why == NULL) {
			/* lengths checked above: they fit */
			if (ci >= 0)
				memcpy(r.iccid, f[ci], strlen(f[ci]) + 1);
			if (ii >= 0)
				memcpy(r.imsi, f[ii], strlen(f[ii]) + 1);
			if (ni >= 0)
				memcpy(r.new_imsi, f[ni], strlen(f[ni]) + 1);
			/* the same card twice (a PoR file may repeat cards) */
			if (mode != OPS_LIST_POR) {
				d = strset_add(&seen, ci >= 0 ? r.iccid : r.imsi);
				if (d < 0) {
					rc = OPS_EIO;
					break;
				}
				if (d == 0) {
					snprintf(whybuf, sizeof(whybuf), "card %s appears twice",
						 ci >= 0 ? r.iccid : r.imsi);
					why = whybuf;
				}
			}
			if (why == NULL && ni >= 0) {
				d = strset_add(&seen_new, r.new_imsi);
				if (d < 0) {
					rc = OPS_EIO;
					break;
				}
				if (d == 0) {
					snprintf(whybuf, sizeof(whybuf), "new_imsi %s appears twice",
						 r.new_imsi);
					why = whybuf;
				}
			}
		}
		if (why == NULL && pi >= 0) {
			r.por = strdup(f[pi]);
			if (r.por == NULL) {
				rc = OPS_EIO;
				break;
			}
		}
		if (why != NULL)
			rc = ops_list_add_bad(l, r.line, why);
		else if ((rc = add_row(l, &r)) != 0)
			free(r.por);
		if (rc != 0)
			break;
		if (nf == UK_CSV_EQUOTE)
			break;
	}
	if (rc == OPS_EIO)
		snprintf(err, errlen, "out of memory");
out:
	free(seen.k);
	free(seen_new.k);
	OPENSSL_cleanse(rec, REC_MAX);
	free(rec);
	if (rc != 0)
		ops_list_free(l);
	return rc;
}

void ops_list_free(struct ops_list *l)
{
	size_t i;

	for (i = 0; l->v != NULL && i < l->n; i++)
		free(l->v[i].por);
	free(l->v);
	free(l->bad);
	memset(l, 0, sizeof(*l));
}

/* ---- hand-over list --------------------------------------------------- */

static int alg_of(const char *s)
{
	return strcmp(s, "milenage") == 0 ? UICC_ALG_MILENAGE : strcmp(s, "xor") == 0 ? UICC_ALG_XOR
	       : strcmp(s, "tuak") == 0 ? UICC_ALG_TUAK : -1;
}

static const char *hrow_keys(char **f, const int *col, struct ops_hrow *r)
{
	struct ops_keyrec *k = &r->r;
	size_t n;
	uint8_t c5[5];
	long idx;
	char *end;
	int a;

	idx = strtol(f[col[2]], &end, 10);
	if (*f[col[2]] == '\0' || *end != '\0' || idx < 0 || idx > 15)
		return "index: 0 to 15";
	k->index = (unsigned)idx;
	a = alg_of(f[col[3]]);
	if (a < 0)
		return "alg: milenage, xor or tuak";
	k->alg = (uint8_t)a;
	if (ops_field_hex(f[col[4]], k->k, 16, 32, &n) != 0 || (n != 16 && n != 32))
		return "k: 16 or 32 bytes of hex";
	k->k_len = (uint8_t)n;
	if (ops_field_hex(f[col[5]], k->opc, 16, 32, &n) != 0 || (n != 16 && n != 32))
		return "opc: 16 or 32 bytes of hex";
	k->opc_len = (uint8_t)n;
	k->op_is_opc = 1;
	if (ops_field_hex(f[col[6]], &k->kic, 1, 1, NULL) != 0)
		return "kic: 1 byte of hex";
	if (ops_field_hex(f[col[7]], &k->kid, 1, 1, NULL) != 0)
		return "kid: 1 byte of hex";
	if (ops_field_hex(f[col[8]], k->kic_key, 16, 32, &n) != 0 || (n != 16 && n != 24 && n != 32))
		return "kic_key: 16, 24 or 32 bytes of hex";
	k->kic_len = (uint8_t)n;
	if (ops_field_hex(f[col[9]], k->kid_key, 16, 32, &n) != 0 || (n != 16 && n != 24 && n != 32))
		return "kid_key: 16, 24 or 32 bytes of hex";
	k->kid_len = (uint8_t)n;
	if (ops_field_hex(f[col[10]], k->tar, 3, 3, NULL) != 0)
		return "tar: 3 bytes of hex";
	if (ops_field_hex(f[col[11]], c5, 5, 5, NULL) != 0)
		return "cntr: 5 bytes of hex";
	k->cntr = ((uint64_t)c5[0] << 32) | ((uint64_t)c5[1] << 24) | ((uint64_t)c5[2] << 16) |
		  ((uint64_t)c5[3] << 8) | c5[4];
	return NULL;
}

int ops_handover_parse(const char *text, size_t len, struct ops_handover *h, char *err,
		       size_t errlen)
{
	static const char *const n3b[] = { "iccid", "new_imsi", "new_index", NULL };
	static const char *const n3a[] = { "iccid", "new_imsi", "index", "alg", "k", "opc", "kic",
					   "kid", "kic_key", "kid_key", "tar", "cntr", NULL };
	struct strset seen = { NULL, 0, 0 };
	struct uk_csv c;
	char rec[1024], *f[MAXF];
	int col[12], nf, hn, i, rc = 0;

	memset(h, 0, sizeof(*h));
	uk_csv_init(&c, text, len);
	hn = nf = uk_csv_next(&c, rec, sizeof(rec), f, MAXF);
	if (nf <= 0) {
		snprintf(err, errlen, "hand-over list: line 1: no header");
		return OPS_EFORMAT;
	}
	h->keep_keys = nf == 12;
	if (check_header(f, nf, h->keep_keys ? n3a : n3b, err, errlen) != 0 ||
	    (nf != 3 && nf != 12)) {
		snprintf(err, errlen, "hand-over list: line 1: header is neither the 3b nor the 3a one");
		return OPS_EFORMAT;
	}
	for (i = 0; i < nf; i++)
		col[i] = col_of(f, nf, (h->keep_keys ? n3a : n3b)[i]);
	while ((nf = uk_csv_next(&c, rec, sizeof(rec), f, MAXF)) != 0) {
		struct ops_hrow r;
		const char *why = NULL;

		memset(&r, 0, sizeof(r));
		if (nf == 1 && f[0][0] == '\0')
			continue;
		if (nf < 0)
			why = uk_csv_strerror(nf);
		else if (nf != hn)
			why = "wrong number of fields";
		else if (ops_field_digits(f[col[0]], 19, 20) != 0)
			why = "iccid: 19 or 20 digits";
		else if (ops_field_digits(f[col[1]], 6, 15) != 0)
			why = "new_imsi: 6 to 15 digits";
		if (why == NULL) {
			snprintf(r.iccid, sizeof(r.iccid), "%s", f[col[0]]);
			snprintf(r.new_imsi, sizeof(r.new_imsi), "%s", f[col[1]]);
			if (h->keep_keys) {
				why = hrow_keys(f, col, &r);
				r.has_keys = 1;
				r.new_index = r.r.index;
				snprintf(r.r.iccid, sizeof(r.r.iccid), "%s", r.iccid);
				snprintf(r.r.imsi, sizeof(r.r.imsi), "%s", r.new_imsi);
			} else {
				char *end;
				long v = strtol(f[col[2]], &end, 10);

				if (*f[col[2]] == '\0' || *end != '\0' || v < 0 || v > 15)
					why = "new_index: 0 to 15";
				r.new_index = (unsigned)v;
			}
		}
		if (why == NULL) {
			int d = strset_add(&seen, r.iccid);

			if (d < 0) {
				snprintf(err, errlen, "out of memory");
				rc = OPS_EIO;
				break;
			}
			if (d == 0)
				why = "card appears twice";
		}
		if (why != NULL) {
			snprintf(err, errlen, "hand-over list: line %u: %s", c.line, why);
			OPENSSL_cleanse(&r, sizeof(r));
			rc = OPS_EFORMAT;
			break;
		}
		if (h->n == h->cap) {
			size_t ncap = h->cap ? h->cap * 2 : 256;
			struct ops_hrow *nv = calloc(ncap, sizeof(*nv));

			if (nv == NULL) {
				OPENSSL_cleanse(&r, sizeof(r));
				snprintf(err, errlen, "out of memory");
				rc = OPS_EIO;
				break;
			}
			if (h->v != NULL) {
				memcpy(nv, h->v, h->n * sizeof(*nv));
				OPENSSL_cleanse(h->v, h->n * sizeof(*nv));
				free(h->v);
			}
			h->v = nv;
			h->cap = ncap;
		}
		h->v[h->n++] = r;
		OPENSSL_cleanse(&r, sizeof(r));
	}
	OPENSSL_cleanse(rec, sizeof(rec));
	free(seen.k);
	if (rc != 0)
		ops_handover_free(h);
	return rc;
}

void ops_handover_free(struct ops_handover *h)
{
	if (h->v != NULL) {
		OPENSSL_cleanse(h->v, h->cap * sizeof(*h->v));
		free(h->v);
	}
	memset(h, 0, sizeof(*h));
}
