/*
 * campaign.c - switch and rekey campaigns, their output files and PoRs;
 * see ops/campaign.h.
 */
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/buf.h"
#include "common/hex.h"
#include "ops/campaign.h"
#include "ops/porin.h"
#include "uicckit/envelope.h"
#include "uicckit/m2m_script.h"
#include "uicckit/por.h"
#include "uicckit/rfm.h"
#include "uicckit/secpkt.h"
#include "uicckit/sms.h"

#define DEFAULT_BATCH 16384


/* ---- growing text buffer --------------------------------------------- */

struct tbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static char *tb_room(struct tbuf *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (b->len + n + 1 > b->cap) {
		size_t nc = (b->cap + n + 1) * 2;
		char *np = malloc(nc);

		if (np == NULL) {
			b->oom = 1;
			return NULL;
		}
		if (b->p != NULL) {
			memcpy(np, b->p, b->len);
			OPENSSL_cleanse(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = nc;
	}
	return b->p + b->len;
}

static void tb_str(struct tbuf *b, const char *s)
{
	size_t n = strlen(s);
	char *d = tb_room(b, n);

	if (d != NULL) {
		memcpy(d, s, n);
		b->len += n;
	}
}

static void tb_hex(struct tbuf *b, const uint8_t *p, size_t n)
{
	char *d = tb_room(b, 2 * n);

	if (d != NULL) {
		uk_hex_encode(p, n, d);
		b->len += 2 * n;
	}
}

static void tb_free(struct tbuf *b)
{
	if (b->p != NULL) {
		OPENSSL_cleanse(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* A 5-byte counter (TS 102 225 5.1.1) as 10 lowercase hex digits, as
 * "%010llx" would print it (no snprintf: one per output line). */
static void cntr_hex(uint64_t c, char out[11])
{
	static const char digit[] = "0123456789abcdef";
	int i;

	for (i = 9; i >= 0; i--) {
		out[i] = digit[c & 15];
		c >>= 4;
	}
	out[10] = '\0';
}

/* ---- message building ------------------------------------------------- */

struct item {
	uint32_t row;			/* index in the list */
	uint8_t key_index;
	uint8_t kic, kid, tar[3];
	uint8_t kic_len, kid_len;
	uint8_t kic_key[32], kid_key[32];
	uint64_t cntr;
	char iccid[21];
	char imsi[16];
};

struct builder {
	struct ota_crypto *cx;
	struct ota_sms_deliver tmpl;
};

/* Secured packet -> SMS-DELIVER TPDU(s) in m->tpdu (1 length byte each). */
static int tpdus_of(const struct builder *b, struct ops_msg *m)
{
	struct ota_sms_seg seg[8];
	size_t ns = 0, i, tl;
	int rc;

	rc = ota_concat_split(m->packet, m->packet_len, OTA_IEI_CPI, (unsigned)(m->cntr & 0xff), 0,
			      seg, 8, &ns);
	if (rc < 0)
		return rc;
	m->tpdu_len = 0;
	for (i = 0; i < ns; i++) {
		if (m->tpdu_len + 1 + OTA_SMS_TPDU_MAX > sizeof(m->tpdu))
			return OTA_SMS_E_NOSPACE;
		rc = ota_sms_deliver_build_seg(&b->tmpl, &seg[i], i + 1 == ns,
					       m->tpdu + m->tpdu_len + 1, OTA_SMS_TPDU_MAX, &tl);
		if (rc < 0 || tl > 255)
			return rc < 0 ? rc : OTA_SMS_E_NOSPACE;
		m->tpdu[m->tpdu_len] = (uint8_t)tl;
		m->tpdu_len += 1 + tl;
	}
	return 0;
}

static int build_msg(struct builder *b, const struct item *it, const uint8_t *script,
		     size_t slen, struct ops_msg *m)
{
	struct ota_cmd_hdr h;
	struct ota_keys k;
	int n;

	memset(&h, 0, sizeof(h));
	h.spi[0] = OPS_SPI1;
	h.spi[1] = OPS_SPI2;
	h.kic = it->kic;
	h.kid = it->kid;
	memcpy(h.tar, it->tar, 3);
	h.cntr = it->cntr;
	memset(&k, 0, sizeof(k));
	memcpy(k.kic_key, it->kic_key, it->kic_len);
	k.kic_key_len = it->kic_len;
	memcpy(k.kid_key, it->kid_key, it->kid_len);
	k.kid_key_len = it->kid_len;
	n = ota_cmd_build_cx(b->cx, &h, &k, script, slen, m->packet, sizeof(m->packet));
	OPENSSL_cleanse(&k, sizeof(k));
	if (n < 0)
		return n;
	m->packet_len = (size_t)n;
	m->cntr = it->cntr;
	m->key_index = it->key_index;
	memcpy(m->iccid, it->iccid, sizeof(m->iccid));
	memcpy(m->imsi, it->imsi, sizeof(m->imsi));
	return tpdus_of(b, m);
}

int ops_msg_envelopes(const struct ops_msg *m, uint8_t *out, size_t cap, size_t *len)
{
	size_t pos = 0, o = 0, el;

	while (pos < m->tpdu_len) {
		size_t tl = m->tpdu[pos];

		if (pos + 1 + tl > m->tpdu_len || o + 1 + OTA_ENV_APDU_MAX > cap)
			return OPS_EFORMAT;
		if (ota_env_sms_pp_build(m->tpdu + pos + 1, tl, NULL, 0, out + o + 1, OTA_ENV_APDU_MAX,
					 &el) != 0 || el > 255)
			return OPS_EFORMAT;
		out[o] = (uint8_t)el;
		o += 1 + el;
		pos += 1 + tl;
	}
	*len = o;
	return 0;
}

/* Number of commands of a compact script. */
static unsigned script_commands(const uint8_t *s, size_t n)
{
	struct ota_capdu c;
	size_t pos = 0;
	unsigned k = 0;

	while (ota_rfm_compact_next(s, n, &pos, &c) == 1)
		k++;
	return k;
}

static unsigned expected_commands(int kind)
{
	uint8_t s[256], z[16] = { 0 };
	size_t n = 0;
	unsigned k;

	if (kind == OPS_KIND_REKEY) {
		if (ota_m2m_rekey_script(z, z, z, z, OTA_RFM_COMPACT, s, sizeof(s), &n) != 0)
			return 0;
	} else if (ota_m2m_switch_script("001010000000001", 1, OTA_RFM_COMPACT, s, sizeof(s), &n) != 0) {
		return 0;
	}
	k = script_commands(s, n);
	OPENSSL_cleanse(s, sizeof(s));
	return k;
}

/* ---- resolving the rows ----------------------------------------------- */

static void digest_hex(const char *text, size_t len, char out[65])
{
	uint8_t md[32];
	unsigned mdlen = 0;

	if (EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		memset(md, 0, sizeof(md));
	uk_hex_encode(md, 32, out);
}

/* Look a row up: 1 usable (item filled), 0 already in the campaign, or a
 * reason in why (bad row); <0 on a database error. */
static int resolve(struct ops_db *db, int kind, int64_t campaign,
		   const struct ops_listrow *r, struct item *it, struct ops_card_view *v, int pre,
		   char *why, size_t whylen, char *err, size_t errlen)
{
	const struct ops_card *card = &v->card;
	const struct ops_keyset *ks = &v->ks;
	int rc;

	/* pre: v was looked up already (1: found, 0: no such card), -1: not yet */
	if (pre >= 0)
		rc = pre ? 0 : OPS_ENOTFOUND;
	else
		rc = r->iccid[0] != '\0' ? ops_db_card_view(db, r->iccid, 0, campaign, v, err, errlen)
					 : ops_db_card_view(db, r->imsi, 1, campaign, v, err, errlen);
	if (rc == OPS_ENOTFOUND) {
		snprintf(why, whylen, "unknown card %s", r->iccid[0] ? r->iccid : r->imsi);
		return 2;
	}
	if (rc != 0)
		return rc;
	rc = 1;
	if (r->iccid[0] != '\0' && r->imsi[0] != '\0' && strcmp(r->imsi, card->imsi) != 0)
		snprintf(why, whylen, "card %s has IMSI %s here, not %s", card->iccid, card->imsi,
			 r->imsi), rc = 2;
	else if (v->in_campaign && kind != OPS_KIND_REKEY && strcmp(v->new_imsi, r->new_imsi) != 0)
		snprintf(why, whylen, "card %s has a message for another IMSI in this campaign",
			 card->iccid), rc = 2;
	else if (v->in_campaign)
		rc = 0;
	else if (card->state == OPS_CARD_HANDED_OVER)
		snprintf(why, whylen, "card %s was handed over", card->iccid), rc = 2;
	else if (v->other_state == OPS_MSG_BUILT || v->other_state == OPS_MSG_SENT)
		snprintf(why, whylen, "card %s has a %s message in another campaign", card->iccid,
			 ops_msg_state_name(v->other_state)), rc = 2;
	else if (!v->has_keyset || ks->state == OPS_KS_RETIRED)
		snprintf(why, whylen, "card %s: no usable key set %u", card->iccid, card->key_index),
			rc = 2;
	else if (kind == OPS_KIND_3B && card->key_index >= 15)
		snprintf(why, whylen, "card %s: key sets exhausted (index %u)", card->iccid,
			 card->key_index), rc = 2;
	else if (ks->next_cntr > OTA_CNTR_MAX)
		snprintf(why, whylen, "card %s: OTA counter exhausted", card->iccid), rc = 2;
	else if (ks->r.kic_len == 0 || ks->r.kid_len == 0)
		snprintf(why, whylen, "card %s: key set without OTA keys", card->iccid), rc = 2;
	else if (kind == OPS_KIND_3A && !ks->r.op_is_opc)
		snprintf(why, whylen, "card %s: key set holds OP, 3a hands over OPc", card->iccid),
			rc = 2;
	else if (kind == OPS_KIND_REKEY && ks->pending)
		snprintf(why, whylen, "card %s: a rekey is already pending", card->iccid), rc = 2;
	else if (kind == OPS_KIND_REKEY && (ks->r.alg != 1 || ks->r.k_len != 16 || ks->r.opc_len != 16))
		snprintf(why, whylen, "card %s: rekey needs a 128-bit MILENAGE key set", card->iccid),
			rc = 2;
	if (rc == 1) {
		memset(it, 0, sizeof(*it));
		it->key_index = (uint8_t)card->key_index;
		it->kic = ks->r.kic;
		it->kid = ks->r.kid;
		memcpy(it->tar, ks->r.tar, 3);
		it->kic_len = ks->r.kic_len;
		it->kid_len = ks->r.kid_len;
		memcpy(it->kic_key, ks->r.kic_key, ks->r.kic_len);
		memcpy(it->kid_key, ks->r.kid_key, ks->r.kid_len);
		it->cntr = ks->next_cntr;
		memcpy(it->iccid, card->iccid, sizeof(it->iccid));
		memcpy(it->imsi, card->imsi, sizeof(it->imsi));
	}
	return rc;
}

/* Rekey: fresh keys, kept pending in the key set (same transaction). */
static int rekey_script(struct ops_db *db, const struct item *it, uint8_t *s, size_t cap,
			size_t *n, char *err, size_t errlen)
{
	struct ops_keyset ks;
	int rc = ops_db_keyset_get(db, it->iccid, it->key_index, &ks, err, errlen);

	if (rc != 0)
		return rc;
	if (RAND_priv_bytes(ks.pk, 16) != 1 || RAND_priv_bytes(ks.popc, 16) != 1 ||
	    RAND_priv_bytes(ks.pkic, 16) != 1 || RAND_priv_bytes(ks.pkid, 16) != 1) {
		ops_keyset_cleanse(&ks);
		snprintf(err, errlen, "RAND_priv_bytes failed");
		return OPS_ECRYPTO;
	}
	ks.pending = 1;
	rc = ota_m2m_rekey_script(ks.pk, ks.popc, ks.pkic, ks.pkid, OTA_RFM_COMPACT, s, cap, n) == 0
		     ? 0 : OPS_EARG;
	if (rc == 0)
		rc = ops_db_keyset_put(db, &ks, err, errlen);
	else
		snprintf(err, errlen, "rekey script");
	ops_keyset_cleanse(&ks);
	return rc;
}

static void progress(const struct ops_campaign_params *p, const char *what, uint64_t done,
		     uint64_t total)
{
	if (p->progress != NULL)
		p->progress(p->progress_ctx, what, done, total);
}

void ops_campaign_result_free(struct ops_campaign_result *r)
{
	ops_list_free(&r->list);
	memset(r, 0, sizeof(*r));
}

/* ---- the run: a reader thread resolves rows and builds packets, the
 * calling thread records them (one SQLite handle each; WAL lets the
 * reader go on while the writer commits) ------------------------------- */

#define CHUNK 512
#define NCHUNKS 40	/* the reader may run a whole batch ahead */

struct chunk {
	size_t n;
	struct item it[CHUNK];
	struct ops_msg m[CHUNK];
};

struct pipe {
	/* set up by the caller */
	struct ops_db *db;		/* the reader's own handle */
	const struct ops_campaign_params *p;
	const struct ops_list *list;
	int64_t campaign;		/* -1: not created yet */
	int build;			/* build packets here (3b/3a) */
	struct builder *b;
	/* results */
	uint64_t rows, already, usable;
	struct ops_list bad;		/* rows refused by the database */
	int rc;
	char err[256];
	/* queue */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chunk *full[NCHUNKS + 1], *empty[NCHUNKS];
	size_t nfull, nempty;
	int done, stop;
};

static struct chunk *pipe_get_empty(struct pipe *q)
{
	struct chunk *c = NULL;

	pthread_mutex_lock(&q->mu);
	while (q->nempty == 0 && !q->stop)
		pthread_cond_wait(&q->cv, &q->mu);
	if (!q->stop)
		c = q->empty[--q->nempty];
	pthread_mutex_unlock(&q->mu);
	return c;
}

static void pipe_put_full(struct pipe *q, struct chunk *c)
{
	pthread_mutex_lock(&q->mu);
	q->full[q->nfull++] = c;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* The writer's side: the next full chunk in order, or NULL at the end. */
static struct chunk *pipe_get_full(struct pipe *q)
{
	struct chunk *c = NULL;

	pthread_mutex_lock(&q->mu);
	while (q->nfull == 0 && !q->done)
		pthread_cond_wait(&q->cv, &q->mu);
	if (q->nfull > 0) {
		c = q->full[0];
		memmove(q->full, q->full + 1, (q->nfull - 1) * sizeof(struct chunk *));
		q->nfull--;
	}
	pthread_mutex_unlock(&q->mu);
	return c;
}

static void pipe_put_empty(struct pipe *q, struct chunk *c)
{
	OPENSSL_cleanse(c->it, c->n * sizeof(c->it[0]));
	c->n = 0;
	pthread_mutex_lock(&q->mu);
	q->empty[q->nempty++] = c;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* Resolve every row (and build its packet); with q->stop unused (check
 * only) nothing is queued.  Runs in the reader thread or, for the check
 * pass, in the caller's. */
static void *reader(void *arg)
{
	struct pipe *q = arg;
	/* the rows, OPS_DB_VIEW_GROUP at a time, looked up with one statement
	 * when they all name an ICCID */
	struct ops_card_view *view = malloc(OPS_DB_VIEW_GROUP * sizeof(*view));
	const char *keys[OPS_DB_VIEW_GROUP];
	int found[OPS_DB_VIEW_GROUP];
	struct chunk *c = NULL;
	char why[160];
	size_t i, w0 = 0, wn = 0, k;
	int rc = 0, check_only = q->nempty == 0 && q->nfull == 0 && q->b == NULL;

	if (view == NULL) {
		q->rc = OPS_EIO;
		snprintf(q->err, sizeof(q->err), "out of memory");
		goto out;
	}
	/* one snapshot for the whole list: the writer's commits do not
	 * invalidate the reader's cache row after row */
	if (!check_only && ops_db_begin_read(q->db, q->err, sizeof(q->err)) != 0) {
		q->rc = OPS_EDB;
		goto out;
	}
	for (i = 0; i < q->list->n && rc == 0; i++) {
		const struct ops_listrow *r = &q->list->v[i];
		struct item it;

		/* a fresh snapshot now and then: the writer's checkpoints can then
		 * keep the WAL short (a long WAL makes every page lookup slower) */
		if (!check_only && i > 0 && (i & 16383) == 0) {
			ops_db_rollback(q->db);
			if (ops_db_begin_read(q->db, q->err, sizeof(q->err)) != 0) {
				rc = OPS_EDB;
				break;
			}
		}
		if (i == w0 + wn) {
			w0 = i;
			wn = q->list->n - i < OPS_DB_VIEW_GROUP ? q->list->n - i : OPS_DB_VIEW_GROUP;
			for (k = 0; k < wn && q->list->v[i + k].iccid[0] != '\0'; k++)
				keys[k] = q->list->v[i + k].iccid;
			if (k == OPS_DB_VIEW_GROUP) {
				rc = ops_db_card_view_many(q->db, keys, k, q->campaign, view, found,
							   q->err, sizeof(q->err));
				if (rc != 0)
					break;
			} else {
				found[0] = -1;	/* one by one */
			}
		}
		k = found[0] < 0 ? 0 : i - w0;
		rc = resolve(q->db, q->p->kind, q->campaign, r, &it, &view[k],
			     found[0] < 0 ? -1 : found[k], why, sizeof(why), q->err, sizeof(q->err));
		if (rc < 0)
			break;
		if (rc == 2) {
			rc = ops_list_add_bad(&q->bad, r->line, why);
			continue;
		}
		q->rows++;
		if (rc == 0)
			continue;
		rc = 0;
		q->usable++;
		if (check_only) {
			OPENSSL_cleanse(&it, sizeof(it));
			continue;
		}
		if (c == NULL && (c = pipe_get_empty(q)) == NULL)
			break;		/* the writer stopped */
		it.row = (uint32_t)i;
		c->it[c->n] = it;
		OPENSSL_cleanse(&it, sizeof(it));
		if (q->build) {
			struct ops_msg *m = &c->m[c->n];
			uint8_t s[256];
			size_t sn = 0;

			memset(m, 0, offsetof(struct ops_msg, packet));
			m->new_index = c->it[c->n].key_index + (q->p->kind == OPS_KIND_3B ? 1 : 0);
			memcpy(m->new_imsi, r->new_imsi, sizeof(m->new_imsi));
			if (ota_m2m_switch_script(r->new_imsi, (unsigned)m->new_index, OTA_RFM_COMPACT, s,
						  sizeof(s), &sn) != 0) {
				snprintf(q->err, sizeof(q->err), "line %u: switch script", r->line);
				rc = OPS_EARG;
				break;
			}
			rc = build_msg(q->b, &c->it[c->n], s, sn, m);
			if (rc < 0) {
				snprintf(q->err, sizeof(q->err), "card %s: packet: %s", m->iccid,
					 ota_strerror(rc));
				rc = OPS_ECRYPTO;
				break;
			}
		}
		if (++c->n == CHUNK) {
			pipe_put_full(q, c);
			c = NULL;
		}
	}
	if (rc == 0 && i == q->list->n) {
		if (c != NULL && c->n > 0)
			pipe_put_full(q, c);
		else if (c != NULL)
			pipe_put_empty(q, c);
	} else if (c != NULL) {
		pipe_put_empty(q, c);
	}
	if (rc < 0 && q->rc == 0)
		q->rc = rc;
	if (!check_only)
		ops_db_rollback(q->db);
out:
	if (view != NULL) {
		OPENSSL_cleanse(view, OPS_DB_VIEW_GROUP * sizeof(*view));
		free(view);
	}
	pthread_mutex_lock(&q->mu);
	q->done = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static int merge_bad(struct ops_list *into, const struct ops_list *from)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < from->nbad; i++)
		rc = ops_list_add_bad(into, from->bad[i].line, from->bad[i].why);
	return rc;
}

/* Output files, the hand-over list in a second thread (its own handle). */
struct hojob {
	struct ops_db *db;
	const struct ops_campaign *c;
	const struct ops_campaign_params *p;
	int rc;
	char err[256];
};

static void *handover_job(void *arg)
{
	struct hojob *j = arg;

	j->rc = ops_campaign_write_handover(j->db, j->c, j->p->handover, j->p->signer,
					    j->p->recipient, j->err, sizeof(j->err));
	return NULL;
}

static int write_outputs(struct ops_db *db, const struct ops_campaign *c,
			 const struct ops_campaign_params *p, char *err, size_t errlen)
{
	struct hojob j;
	pthread_t th;
	int rc = 0, threaded = 0;

	memset(&j, 0, sizeof(j));
	j.c = c;
	j.p = p;
	if (p->handover != NULL && p->kind != OPS_KIND_REKEY) {
		progress(p, "writing", 0, 1);
		if (p->out != NULL && ops_db_reopen(db, &j.db, err, errlen) == 0 &&
		    pthread_create(&th, NULL, handover_job, &j) == 0)
			threaded = 1;
		else if (p->out == NULL || j.db == NULL)
			j.db = NULL;
		if (!threaded) {
			j.rc = ops_campaign_write_handover(db, c, p->handover, p->signer, p->recipient,
							   j.err, sizeof(j.err));
		}
	}
	if (p->out != NULL)
		rc = ops_campaign_write_messages(db, c, p->out, p->envelope, err, errlen);
	if (threaded)
		pthread_join(th, NULL);
	ops_db_close(j.db);
	if (rc == 0 && j.rc != 0) {
		snprintf(err, errlen, "%s", j.err);
		rc = j.rc;
	}
	progress(p, "writing", 1, 1);
	return rc;
}

int ops_campaign_run(struct ops_db *db, const struct ops_campaign_params *p,
		     struct ops_campaign_result *res, char *err, size_t errlen)
{
	struct ops_campaign c;
	struct builder b;
	struct pipe *q = NULL;
	struct chunk *chunks = NULL;
	size_t batch = p->batch ? p->batch : DEFAULT_BATCH, k;
	char digest[65];
	int rc, have_c, in_txn = 0;
	pthread_t th;

	memset(res, 0, sizeof(*res));
	memset(&b, 0, sizeof(b));
	if (p->name == NULL || *p->name == '\0' || strlen(p->name) >= sizeof(c.name) ||
	    p->kind < OPS_KIND_3B || p->kind > OPS_KIND_REKEY || p->list == NULL) {
		snprintf(err, errlen, "campaign: name, kind and list are required");
		return OPS_EARG;
	}
	if (p->kind == OPS_KIND_3A && p->handover != NULL && p->recipient == NULL) {
		snprintf(err, errlen, "3a: the hand-over carries keys: the recipient's certificate is required");
		return OPS_EARG;
	}
	if (p->handover != NULL && p->signer == NULL) {
		snprintf(err, errlen, "the hand-over list needs a signer");
		return OPS_EARG;
	}
	rc = ops_list_parse(p->list, p->list_len,
			    p->kind == OPS_KIND_REKEY ? OPS_LIST_CARDS : OPS_LIST_SWITCH, &res->list,
			    err, errlen);
	if (rc != 0)
		return rc;
	progress(p, "parsed", 1, 1);
	digest_hex(p->list, p->list_len, digest);
	rc = ops_db_campaign_get(db, p->name, &c, err, errlen);
	have_c = rc == 0;
	if (rc != 0 && rc != OPS_ENOTFOUND)
		return rc;
	if (have_c && (c.kind != p->kind || strcmp(c.digest, digest) != 0)) {
		snprintf(err, errlen, "campaign %s exists with %s (kind %s): use another name",
			 p->name, c.kind != p->kind ? "another kind" : "another list",
			 ops_kind_name(c.kind));
		return OPS_EREFUSED;
	}
	if (!have_c) {
		memset(&c, 0, sizeof(c));
		snprintf(c.name, sizeof(c.name), "%s", p->name);
		c.kind = p->kind;
		memcpy(c.digest, digest, sizeof(c.digest));
		snprintf(c.oa, sizeof(c.oa), "%s", p->oa != NULL ? p->oa : OPS_DEFAULT_OA);
		c.id = -1;
	}
	b.cx = ota_crypto_new();
	q = calloc(1, sizeof(*q));
	chunks = calloc(NCHUNKS, sizeof(*chunks));
	if (b.cx == NULL || q == NULL || chunks == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = OPS_EIO;
		goto out;
	}
	ota_sms_deliver_init(&b.tmpl);
	if (ota_sms_addr_set(&b.tmpl.oa, c.oa, 0x81) != 0) {
		snprintf(err, errlen, "bad originating address");
		rc = OPS_EARG;
		goto out;
	}
	q->db = db;
	q->p = p;
	q->list = &res->list;
	q->campaign = c.id;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (p->strict) {
		/* check pass: every row, nothing recorded before it is clean */
		progress(p, "checking", 0, 1);
		reader(q);
		progress(p, "checking", 1, 1);
		rc = q->rc;
		if (rc != 0) {
			snprintf(err, errlen, "%s", q->err);
			goto out;
		}
		rc = merge_bad(&res->list, &q->bad);
		if (rc == 0 && res->list.nbad > 0) {
			snprintf(err, errlen, "%zu bad row%s: nothing recorded (--strict)",
				 res->list.nbad, res->list.nbad == 1 ? "" : "s");
			rc = OPS_EREFUSED;
		}
		if (rc != 0)
			goto out;
		ops_list_free(&q->bad);
		q->rows = q->already = q->usable = 0;
		q->done = 0;
	}
	/* the pipeline */
	q->build = p->kind != OPS_KIND_REKEY;
	q->b = &b;
	for (k = 0; k < NCHUNKS; k++)
		q->empty[q->nempty++] = &chunks[k];
	rc = ops_db_reopen(db, &q->db, err, errlen);
	if (rc != 0)
		goto out;
	if (pthread_create(&th, NULL, reader, q) != 0) {
		snprintf(err, errlen, "pthread_create failed");
		rc = OPS_EIO;
		goto out;
	}
	for (;;) {
		struct chunk *ch = pipe_get_full(q);
		size_t i;

		if (ch == NULL)
			break;
		for (i = 0; i < ch->n && rc == 0;) {
			/* up to the chunk's end or the batch's, recorded at once */
			size_t g = ch->n - i, j;

			if (g > batch - res->built % batch)
				g = batch - res->built % batch;
			if (!in_txn) {
				rc = ops_db_begin(db, err, errlen);
				if (rc != 0)
					break;
				in_txn = 1;
			}
			if (!have_c) {
				rc = ops_db_campaign_add(db, &c, err, errlen);
				if (rc != 0)
					break;
				res->created = 1;
				have_c = 1;
			}
			for (j = i; j < i + g && rc == 0; j++) {
				struct ops_msg *m = &ch->m[j];

				if (p->kind == OPS_KIND_REKEY) {
					uint8_t s[256];
					size_t sn = 0;

					memset(m, 0, offsetof(struct ops_msg, packet));
					m->new_index = -1;
					rc = rekey_script(db, &ch->it[j], s, sizeof(s), &sn, err, errlen);
					if (rc == 0 && build_msg(&b, &ch->it[j], s, sn, m) < 0) {
						snprintf(err, errlen, "card %s: packet", ch->it[j].iccid);
						rc = OPS_ECRYPTO;
					}
					OPENSSL_cleanse(s, sizeof(s));
				}
				m->campaign = c.id;
			}
			if (rc == 0)
				rc = ops_db_msg_record_many(db, &ch->m[i], g, err, errlen);
			if (rc != 0)
				break;
			res->built += g;
			i += g;
			if (res->built % batch == 0) {
				rc = ops_db_commit(db, err, errlen);
				if (rc == 0)
					in_txn = 0;
				progress(p, "building", res->built, q->usable > res->built ?
					 q->usable : res->built);
			}
		}
		/* the messages hold no key (their packets are ciphered): only the
		 * items, with the OTA keys, are wiped (pipe_put_empty) */
		pipe_put_empty(q, ch);
		if (rc != 0)
			break;
	}
	if (rc != 0) {
		pthread_mutex_lock(&q->mu);
		q->stop = 1;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
	pthread_join(th, NULL);
	if (rc == 0 && q->rc != 0) {
		snprintf(err, errlen, "%s", q->err);
		rc = q->rc;
	}
	if (rc == 0 && in_txn) {
		rc = ops_db_commit(db, err, errlen);
		if (rc == 0)
			in_txn = 0;
	}
	if (rc == 0 && !p->strict)
		rc = merge_bad(&res->list, &q->bad);
	if (rc != 0)
		goto out;
	res->rows = q->rows;
	res->already = q->already ? q->already : q->rows - q->usable;
	progress(p, "building", res->built, res->built);
	res->campaign = have_c ? c.id : 0;
	res->total = res->already + res->built;
	if (have_c)
		rc = write_outputs(db, &c, p, err, errlen);
out:
	if (in_txn)
		ops_db_rollback(db);
	if (q != NULL) {
		if (q->db != db)
			ops_db_close(q->db);
		ops_list_free(&q->bad);
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->cv);
		OPENSSL_cleanse(q->err, sizeof(q->err));
		free(q);
	}
	if (chunks != NULL) {
		for (k = 0; k < NCHUNKS; k++)
			OPENSSL_cleanse(chunks[k].it, sizeof(chunks[k].it));
		free(chunks);
	}
	ota_crypto_free(b.cx);
	return rc;
}

/* ---- output files ----------------------------------------------------- */

struct wctx {
	struct tbuf b;
	struct ops_db *db;
	int envelope, keys;
	uint8_t env[16 * (OTA_ENV_APDU_MAX + 1)];
	char *err;
	size_t errlen;
};

static int msg_line(void *ctx, const struct ops_msg *m)
{
	struct wctx *w = ctx;
	const uint8_t *p = m->tpdu;
	size_t n = m->tpdu_len, pos = 0;
	char c10[11];
	int first = 1;

	if (w->envelope && ops_msg_envelopes(m, w->env, sizeof(w->env), &n) != 0) {
		snprintf(w->err, w->errlen, "card %s: ENVELOPE", m->iccid);
		return OPS_EFORMAT;
	}
	if (w->envelope)
		p = w->env;
	cntr_hex(m->cntr, c10);
	tb_str(&w->b, m->iccid);
	tb_str(&w->b, ",");
	tb_str(&w->b, m->imsi);
	tb_str(&w->b, ",");
	tb_str(&w->b, c10);
	tb_str(&w->b, ",");
	while (pos < n) {
		size_t l = p[pos];

		if (pos + 1 + l > n)
			break;
		if (!first)
			tb_str(&w->b, " ");
		tb_hex(&w->b, p + pos + 1, l);
		first = 0;
		pos += 1 + l;
	}
	tb_str(&w->b, "\n");
	return w->b.oom ? OPS_EIO : 0;
}

int ops_campaign_write_messages(struct ops_db *db, const struct ops_campaign *c,
				const char *path, int envelope, char *err, size_t errlen)
{
	struct wctx *w = calloc(1, sizeof(*w));
	int rc;

	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return OPS_EIO;
	}
	w->db = db;
	w->envelope = envelope;
	w->err = err;
	w->errlen = errlen;
	tb_str(&w->b, envelope ? "iccid,imsi,cntr,envelope\n" : "iccid,imsi,cntr,tpdu\n");
	rc = ops_db_msg_each_out(db, c->id, msg_line, w, err, errlen);
	if (rc == 0 && w->b.oom) {
		snprintf(err, errlen, "out of memory");
		rc = OPS_EIO;
	}
	if (rc == 0)
		rc = ops_file_write(path, (const uint8_t *)w->b.p, w->b.len, 0644, err, errlen);
	tb_free(&w->b);
	free(w);
	return rc;
}

static const char *alg_name(unsigned alg)
{
	return alg == 2 ? "xor" : alg == 3 ? "tuak" : "milenage";
}

static int handover_line(void *ctx, const struct ops_msg *m)
{
	struct wctx *w = ctx;
	char num[16];

	if (m->new_index < 0)
		return 0;
	tb_str(&w->b, m->iccid);
	tb_str(&w->b, ",");
	tb_str(&w->b, m->new_imsi);
	tb_str(&w->b, ",");
	snprintf(num, sizeof(num), "%d", m->new_index);
	tb_str(&w->b, num);
	if (w->keys) {
		struct ops_keyset ks;
		char c10[11];
		int rc = ops_db_keyset_get(w->db, m->iccid, m->key_index, &ks, w->err, w->errlen);

		if (rc != 0)
			return rc;
		if (ks.state == OPS_KS_RETIRED) {
			ops_keyset_cleanse(&ks);
			snprintf(w->err, w->errlen, "card %s: key set already retired here", m->iccid);
			return OPS_EREFUSED;
		}
		tb_str(&w->b, ",");
		tb_str(&w->b, alg_name(ks.r.alg));
		tb_str(&w->b, ",");
		tb_hex(&w->b, ks.r.k, ks.r.k_len);
		tb_str(&w->b, ",");
		tb_hex(&w->b, ks.r.opc, ks.r.opc_len);
		tb_str(&w->b, ",");
		tb_hex(&w->b, &ks.r.kic, 1);
		tb_str(&w->b, ",");
		tb_hex(&w->b, &ks.r.kid, 1);
		tb_str(&w->b, ",");
		tb_hex(&w->b, ks.r.kic_key, ks.r.kic_len);
		tb_str(&w->b, ",");
		tb_hex(&w->b, ks.r.kid_key, ks.r.kid_len);
		tb_str(&w->b, ",");
		tb_hex(&w->b, ks.r.tar, 3);
		tb_str(&w->b, ",");
		/* the last counter used under this key set: B goes on above it */
		cntr_hex(ks.next_cntr - 1, c10);
		tb_str(&w->b, c10);
		ops_keyset_cleanse(&ks);
	}
	tb_str(&w->b, "\n");
	return w->b.oom ? OPS_EIO : 0;
}

int ops_campaign_write_handover(struct ops_db *db, const struct ops_campaign *c,
				const char *path, const struct ops_party *signer,
				const struct ops_party *recipient, char *err, size_t errlen)
{
	struct wctx *w = calloc(1, sizeof(*w));
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc;

	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return OPS_EIO;
	}
	w->db = db;
	w->keys = c->kind == OPS_KIND_3A;
	w->err = err;
	w->errlen = errlen;
	if (w->keys && recipient == NULL) {
		free(w);
		snprintf(err, errlen, "3a hand-over: no recipient certificate");
		return OPS_EARG;
	}
	tb_str(&w->b, w->keys ? "iccid,new_imsi,index,alg,k,opc,kic,kid,kic_key,kid_key,tar,cntr\n"
			      : "iccid,new_imsi,new_index\n");
	rc = ops_db_msg_each_out(db, c->id, handover_line, w, err, errlen);
	if (rc == 0 && w->b.oom) {
		snprintf(err, errlen, "out of memory");
		rc = OPS_EIO;
	}
	if (rc == 0)
		rc = w->keys ? ops_cms_seal(signer, recipient, (const uint8_t *)w->b.p, w->b.len, &der,
					    &der_len, err, errlen)
			     : ops_cms_sign(signer, (const uint8_t *)w->b.p, w->b.len, &der, &der_len,
					    err, errlen);
	if (rc == 0)
		rc = ops_file_write(path, der, der_len, w->keys ? 0600 : 0644, err, errlen);
	if (der != NULL)
		ops_cms_free(der, der_len);
	tb_free(&w->b);
	free(w);
	return rc;
}

/* ---- PoRs --------------------------------------------------------------- */

static int on_done(struct ops_db *db, const struct ops_campaign *c, const struct ops_msg *m,
		   char *err, size_t errlen)
{
	struct ops_card card;
	struct ops_keyset ks;
	int rc;

	if (c->kind == OPS_KIND_REKEY) {
		rc = ops_db_keyset_get(db, m->iccid, m->key_index, &ks, err, errlen);
		if (rc != 0)
			return rc;
		if (ks.pending) {
			/* EF.KEYXFER: K, OPc and both OTA keys, 16 bytes each; a new K
			 * starts a new SQN space on the card (TS 33.102 Annex C) */
			memcpy(ks.r.k, ks.pk, 16);
			ks.r.k_len = 16;
			memcpy(ks.r.opc, ks.popc, 16);
			ks.r.opc_len = 16;
			ks.r.op_is_opc = 1;
			memcpy(ks.r.kic_key, ks.pkic, 16);
			ks.r.kic_len = 16;
			memcpy(ks.r.kid_key, ks.pkid, 16);
			ks.r.kid_len = 16;
			ks.sqn = 0;
			ks.pending = 0;
			OPENSSL_cleanse(ks.pk, sizeof(ks.pk) * 4);
			rc = ops_db_keyset_put(db, &ks, err, errlen);
		}
		ops_keyset_cleanse(&ks);
		return rc;
	}
	/* a switch that verified: the card is the other operator's now; no
	 * campaign of ours sends it anything again.  3b: the old key set stays
	 * for the AuC only -- the card falls back to it if the new operator
	 * never authenticates, and refuses it (98 62) once the switch is
	 * confirmed, so it is no longer usable on the card.  3a: the card
	 * keeps this very key set for the new operator: our copy is wiped. */
	rc = ops_db_card_get(db, m->iccid, &card, err, errlen);
	if (rc != 0)
		return rc;
	card.state = OPS_CARD_HANDED_OVER;
	rc = ops_db_card_put(db, &card, err, errlen);
	if (rc == 0 && c->kind == OPS_KIND_3A)
		rc = ops_db_keyset_retire_all(db, m->iccid, err, errlen);
	return rc;
}

static int check_por(const struct ops_campaign *c, const struct ops_msg *m,
		     const struct ops_keyset *ks, const uint8_t *pkt, size_t n,
		     struct ops_por_outcome *o)
{
	struct ota_cmd_hdr h;
	struct ota_keys k;
	struct ota_por por;
	struct ota_rfm_compact_resp cr;
	uint8_t work[OPS_MSG_PKT_MAX + 16];
	unsigned want;
	int rc;

	memset(&h, 0, sizeof(h));
	memcpy(h.spi, m->spi, 2);
	h.kic = m->kic;
	h.kid = m->kid;
	memcpy(h.tar, m->tar, 3);
	h.cntr = m->cntr;
	memset(&k, 0, sizeof(k));
	memcpy(k.kic_key, ks->r.kic_key, ks->r.kic_len);
	k.kic_key_len = ks->r.kic_len;
	memcpy(k.kid_key, ks->r.kid_key, ks->r.kid_len);
	k.kid_key_len = ks->r.kid_len;
	if (n + 3 > sizeof(work)) {
		snprintf(o->why, sizeof(o->why), "PoR too long");
		return OPS_POR_FAILED;
	}
	rc = ota_por_parse(pkt, n, &h, &k, work, sizeof(work), &por);
	OPENSSL_cleanse(&k, sizeof(k));
	if (rc < 0) {
		snprintf(o->why, sizeof(o->why), "does not verify: %s", ota_strerror(rc));
		return OPS_POR_FAILED;
	}
	o->rsc = por.rsc;
	if (!por.authenticated || !por.protected_as_asked) {
		snprintf(o->why, sizeof(o->why), "unauthenticated PoR: RSC %02X (%s)", por.rsc,
			 ota_rsc_name(por.rsc));
		return OPS_POR_FAILED;
	}
	if (memcmp(por.tar, m->tar, 3) != 0 || por.cntr != m->cntr) {
		snprintf(o->why, sizeof(o->why), "PoR answers another packet (TAR/CNTR)");
		return OPS_POR_FAILED;
	}
	if (por.rsc != OTA_RSC_OK) {
		snprintf(o->why, sizeof(o->why), "RSC %02X (%s)", por.rsc, ota_rsc_name(por.rsc));
		return OPS_POR_FAILED;
	}
	want = expected_commands(c->kind);
	if (ota_rfm_compact_resp_parse(por.data, por.dlen, &cr) != 0) {
		snprintf(o->why, sizeof(o->why), "PoR without an RFM response");
		return OPS_POR_FAILED;
	}
	if (cr.n != want || (cr.sw != 0x9000 && (cr.sw >> 8) != 0x91)) {
		snprintf(o->why, sizeof(o->why), "script stopped at command %u of %u with SW %04X",
			 cr.n, want, cr.sw);
		return OPS_POR_FAILED;
	}
	snprintf(o->why, sizeof(o->why), "PoR OK, CC verified, %u commands, SW %04X", cr.n, cr.sw);
	return OPS_POR_DONE;
}

int ops_por_apply(struct ops_db *db, const struct ops_campaign *c, struct ops_msg *m,
		  const char *por_hex, struct ops_por_outcome *o, char *err, size_t errlen)
{
	struct ops_keyset ks;
	uint8_t pkt[OPS_MSG_PKT_MAX];
	size_t n = 0;
	char why[160];
	int rc, st;

	memset(o, 0, sizeof(*o));
	o->rsc = -1;
	if (m->state == OPS_MSG_DONE) {
		o->verdict = OPS_POR_IGNORED;
		snprintf(o->why, sizeof(o->why), "message already done");
		return ops_db_por_add(db, m, (const uint8_t *)por_hex, strlen(por_hex), 0, -1,
				      o->why, err, errlen);
	}
	rc = ops_db_keyset_get(db, m->iccid, m->key_index, &ks, err, errlen);
	if (rc != 0)
		return rc;
	if (ops_porin_decode(por_hex, pkt, sizeof(pkt), &n, why, sizeof(why)) != 0) {
		o->verdict = OPS_POR_FAILED;
		snprintf(o->why, sizeof(o->why), "not a PoR: %.140s", why);
		n = 0;
	} else {
		o->verdict = check_por(c, m, &ks, pkt, n, o);
	}
	ops_keyset_cleanse(&ks);
	rc = n > 0 ? ops_db_por_add(db, m, pkt, n, o->verdict == OPS_POR_DONE, o->rsc, o->why,
				    err, errlen)
		   : ops_db_por_add(db, m, (const uint8_t *)por_hex, strlen(por_hex), 0, -1,
				    o->why, err, errlen);
	if (rc != 0)
		return rc;
	st = o->verdict == OPS_POR_DONE ? OPS_MSG_DONE : OPS_MSG_FAILED;
	rc = ops_db_msg_set_state(db, m, st, o->rsc, err, errlen);
	if (rc == 0)
		m->state = st;
	if (rc == 0 && st == OPS_MSG_DONE)
		rc = on_done(db, c, m, err, errlen);
	return rc;
}

void ops_por_result_free(struct ops_por_result *r)
{
	ops_list_free(&r->list);
	memset(r, 0, sizeof(*r));
}

int ops_por_file(struct ops_db *db, const char *campaign, const char *text, size_t len,
		 struct ops_por_result *res, char *err, size_t errlen)
{
	struct ops_campaign c;
	struct ops_msg *m = NULL;
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = ops_db_campaign_get(db, campaign, &c, err, errlen);
	if (rc != 0)
		return rc;
	rc = ops_list_parse(text, len, OPS_LIST_POR, &res->list, err, errlen);
	if (rc != 0)
		return rc;
	m = malloc(sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return OPS_EIO;
	}
	rc = ops_db_begin(db, err, errlen);
	for (i = 0; rc == 0 && i < res->list.n; i++) {
		const struct ops_listrow *r = &res->list.v[i];
		struct ops_por_outcome o;
		char why[160];

		rc = ops_db_msg_get(db, c.id, r->iccid, m, err, errlen);
		if (rc == OPS_ENOTFOUND) {
			snprintf(why, sizeof(why), "card %s has no message in campaign %s", r->iccid,
				 campaign);
			rc = ops_list_add_bad(&res->list, r->line, why);
			continue;
		}
		if (rc == 0)
			rc = ops_por_apply(db, &c, m, r->por, &o, err, errlen);
		if (rc != 0)
			break;
		if (o.verdict == OPS_POR_DONE)
			res->done++;
		else if (o.verdict == OPS_POR_FAILED)
			res->failed++;
		else
			res->ignored++;
		if (o.verdict != OPS_POR_DONE) {
			snprintf(why, sizeof(why), "card %s: %.130s", r->iccid, o.why);
			rc = ops_list_add_bad(&res->list, r->line, why);
		}
	}
	if (rc == 0)
		rc = ops_db_commit(db, err, errlen);
	else
		ops_db_rollback(db);
	free(m);
	return rc;
}
