/*
 * term_net.c - the network side of uicc-term, backend "params": subscribers
 * given as uicc-auc parameters, an AuC in memory (auth.h).  Like an HLR/HSS
 * it keeps SQN_HE per subscriber, takes the next SEQ for every vector
 * (TS 33.102 Annex C.3, IND 0) and, on AUTS, recovers SQN_MS and goes on
 * from there (§6.3.5).  See term.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/bcd.h"
#include "common/buf.h"
#include "common/hex.h"
#include "tools/term.h"

#define SQN_IND_LEN 5

struct sub {
	char imsi[16];		/* "" = any IMSI */
	struct auth_keyset ks;
	uint64_t sqn;
	uint8_t amf[2];
};

struct params {
	struct auth_ctx *cx;
	struct sub *sub;
	size_t n;
};

static struct sub *find(struct params *p, const char *imsi)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->sub[i].imsi, imsi) == 0)
			return &p->sub[i];
	for (i = 0; i < p->n; i++)
		if (p->sub[i].imsi[0] == '\0')
			return &p->sub[i];
	return NULL;
}

int term_net_gen(struct auth_ctx *cx, const struct auth_keyset *ks, const uint8_t sqn[6],
		 const uint8_t amf[2], struct term_vector *v, char *err, size_t errlen)
{
	struct auth_vector av;
	uint8_t rnd[16];
	int rc;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		snprintf(err, errlen, "RAND_bytes failed");
		return TERM_ENET;
	}
	rc = auth_gen_vector(cx, ks, rnd, sqn, amf, &av);
	if (rc != 0) {
		snprintf(err, errlen, "vector: %s", auth_strerror(rc));
		OPENSSL_cleanse(&av, sizeof(av));
		return TERM_ENET;
	}
	memcpy(v->rand, av.rand, 16);
	memcpy(v->autn, av.autn, 16);
	memcpy(v->xres, av.xres, av.xres_len);
	v->xres_len = av.xres_len;
	memcpy(v->ck, av.ck, av.ck_len);
	v->ck_len = av.ck_len;
	memcpy(v->ik, av.ik, av.ik_len);
	v->ik_len = av.ik_len;
	OPENSSL_cleanse(&av, sizeof(av));
	return 0;
}

static int p_vector(void *ctx, const char *imsi, struct term_vector *v, char *err, size_t errlen)
{
	struct params *p = ctx;
	struct sub *s = find(p, imsi);
	uint8_t sq[6];
	uint64_t next;
	int rc;

	if (s == NULL) {
		snprintf(err, errlen, "IMSI %s unknown", imsi);
		return TERM_EUNKNOWN;
	}
	next = auth_sqn_next(s->sqn, 0, SQN_IND_LEN);
	uk_put_be(sq, next, 6);
	rc = term_net_gen(p->cx, &s->ks, sq, s->amf, v, err, errlen);
	if (rc == 0)
		s->sqn = next;
	return rc;
}

static int p_resync(void *ctx, const char *imsi, const uint8_t rand[16], const uint8_t auts[14],
		    char *err, size_t errlen)
{
	struct params *p = ctx;
	struct sub *s = find(p, imsi);
	uint8_t sqn_ms[6];
	int rc;

	if (s == NULL) {
		snprintf(err, errlen, "IMSI %s unknown", imsi);
		return TERM_EUNKNOWN;
	}
	rc = auth_resync(p->cx, &s->ks, rand, auts, sqn_ms);
	if (rc == AUTH_EMAC) {
		snprintf(err, errlen, "AUTS does not verify (MAC-S)");
		return TERM_EAUTS;
	}
	if (rc != 0) {
		snprintf(err, errlen, "resync: %s", auth_strerror(rc));
		return TERM_ENET;
	}
	s->sqn = uk_get_be(sqn_ms, 6);
	return 0;
}

static void p_free(void *ctx)
{
	struct params *p = ctx;

	if (p == NULL)
		return;
	if (p->sub != NULL) {
		OPENSSL_cleanse(p->sub, p->n * sizeof(*p->sub));
		free(p->sub);
	}
	auth_ctx_free(p->cx);
	free(p);
}

static const struct term_net_ops params_ops = {
	.kind = "params",
	.vector = p_vector,
	.resync = p_resync,
	.result = NULL,
	.free = p_free,
};

int term_net_params_new(struct term_net *n, char *err, size_t errlen)
{
	struct params *p = calloc(1, sizeof(*p));

	if (p == NULL || (p->cx = auth_ctx_new()) == NULL) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return TERM_ENOMEM;
	}
	n->ops = &params_ops;
	n->ctx = p;
	return 0;
}

int term_net_params_add(struct term_net *n, const char *imsi, const struct auth_keyset *ks,
			uint64_t sqn, const uint8_t amf[2], char *err, size_t errlen)
{
	struct params *p;
	struct sub *ns;
	size_t i;

	if (n == NULL || n->ops != &params_ops || ks == NULL || amf == NULL) {
		snprintf(err, errlen, "bad arguments");
		return TERM_EARG;
	}
	p = n->ctx;
	if (imsi != NULL && !uk_is_digits(imsi, 6, 15)) {
		snprintf(err, errlen, "IMSI: 6 to 15 digits");
		return TERM_EARG;
	}
	for (i = 0; i < p->n; i++)
		if (strcmp(p->sub[i].imsi, imsi != NULL ? imsi : "") == 0) {
			snprintf(err, errlen, "subscriber %s given twice", imsi ? imsi : "(any)");
			return TERM_EARG;
		}
	if (sqn > 0xffffffffffffULL) {
		snprintf(err, errlen, "SQN: 48 bits");
		return TERM_EARG;
	}
	ns = malloc((p->n + 1) * sizeof(*ns));
	if (ns == NULL) {
		snprintf(err, errlen, "out of memory");
		return TERM_ENOMEM;
	}
	if (p->n > 0) {
		memcpy(ns, p->sub, p->n * sizeof(*ns));
		OPENSSL_cleanse(p->sub, p->n * sizeof(*ns));
	}
	free(p->sub);
	p->sub = ns;
	memset(&ns[p->n], 0, sizeof(ns[p->n]));
	if (imsi != NULL)
		strcpy(ns[p->n].imsi, imsi);
	ns[p->n].ks = *ks;
	ns[p->n].sqn = sqn;
	memcpy(ns[p->n].amf, amf, 2);
	p->n++;
	return 0;
}

int64_t term_net_params_sqn(const struct term_net *n, const char *imsi)
{
	struct sub *s;

	if (n == NULL || n->ops != &params_ops)
		return -1;
	s = find(n->ctx, imsi);
	return s != NULL ? (int64_t)s->sqn : -1;
}

int term_net_parse_sub(const char *spec, char imsi[16], struct auth_keyset *ks, uint64_t *sqn,
		       char *err, size_t errlen)
{
	char buf[256], *f[6], *p;
	size_t nf = 0, n = 0;
	int rc = TERM_EARG, a;
	uint8_t sq[6];

	memset(ks, 0, sizeof(*ks));
	*sqn = 0;
	if (spec == NULL || strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "--sub: IMSI:K:OPC[:ALG[:SQN]]");
		return TERM_EARG;
	}
	strcpy(buf, spec);
	for (p = buf; nf < 6; nf++) {
		f[nf] = p;
		p = strchr(p, ':');
		if (p == NULL) {
			nf++;
			break;
		}
		*p++ = '\0';
	}
	if (nf < 3 || nf > 5 || p != NULL) {
		snprintf(err, errlen, "--sub %s: want IMSI:K:OPC[:ALG[:SQN]]", f[0]);
		goto out;
	}
	if (!uk_is_digits(f[0], 6, 15)) {
		snprintf(err, errlen, "--sub: IMSI: 6 to 15 digits");
		goto out;
	}
	strcpy(imsi, f[0]);
	ks->alg = AUTH_ALG_MILENAGE;
	if (nf >= 4 && f[3][0] != '\0') {
		a = auth_alg_from_name(f[3]);
		if (a < 0) {
			snprintf(err, errlen, "--sub %s: ALG is milenage, xor or tuak", imsi);
			goto out;
		}
		ks->alg = (enum auth_alg)a;
	}
	if (uk_hex_decode(f[1], ks->k, sizeof(ks->k), &n) != 0 ||
	    (n != 16 && !(ks->alg == AUTH_ALG_TUAK && n == 32))) {
		snprintf(err, errlen, "--sub %s: K: 16 bytes of hex (TUAK: 16 or 32)", imsi);
		goto out;
	}
	ks->k_len = n;
	if (uk_hex_decode(f[2], ks->op, sizeof(ks->op), &n) != 0 ||
	    (ks->alg != AUTH_ALG_XOR && n != (ks->alg == AUTH_ALG_TUAK ? 32u : 16u))) {
		snprintf(err, errlen, "--sub %s: OPC: 16 bytes of hex (TUAK TOPc: 32)", imsi);
		goto out;
	}
	ks->op_len = n;
	ks->op_is_opc = 1;
	if (nf == 5) {
		if (strlen(f[4]) != 12 || uk_hex_decode_exact(f[4], sq, 6) != 0) {
			snprintf(err, errlen, "--sub %s: SQN: 12 hex digits", imsi);
			goto out;
		}
		*sqn = uk_get_be(sq, 6);
	}
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc != 0)
		OPENSSL_cleanse(ks, sizeof(*ks));
	return rc;
}

void term_net_free(struct term_net *n)
{
	if (n == NULL || n->ops == NULL)
		return;
	if (n->ops->free != NULL)
		n->ops->free(n->ctx);
	n->ops = NULL;
	n->ctx = NULL;
}
