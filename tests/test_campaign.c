/*
 * test_campaign.c - ops/campaign.h below the tool: a 3b campaign's
 * messages and counters, resumption, a store that fails in the middle of
 * the campaign (another writer holds the database: the run stops with
 * whole batches committed, no output file, and a rerun completes it with
 * no counter used twice), and PoR verification: success hands the card
 * over and wipes its keys, a second PoR is only recorded, a wrong counter,
 * a stopped script, a plain error PoR and garbage never mark success.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "common/hex.h"
#include "ops/campaign.h"
#include "tests/opstest.h"
#include "uicckit/por.h"
#include "uicckit/rfm.h"

#define N 400

static char dir[64], path[128], out[128];
static char err[256];
static char *list;
static size_t list_len;

static void setup(void)
{
	struct ops_db *db;
	size_t i;

	ck_assert_int_eq(ot_tmpdir("test_campaign", dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/op.db", dir);
	snprintf(out, sizeof(out), "%s/msgs.csv", dir);
	ck_assert_int_eq(ops_db_open(path, OPS_DB_CREATE, &db, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	for (i = 0; i < N; i++) {
		struct ops_card c;
		struct ops_keyset ks;

		memset(&c, 0, sizeof(c));
		snprintf(c.iccid, sizeof(c.iccid), "8988239%012zu9", i);
		snprintf(c.imsi, sizeof(c.imsi), "00101%010zu", i);
		ck_assert_int_eq(ops_db_card_put(db, &c, err, sizeof(err)), 0);
		memset(&ks, 0, sizeof(ks));
		strcpy(ks.r.iccid, c.iccid);
		ks.r.alg = 1;
		ks.r.op_is_opc = 1;
		ks.r.k_len = ks.r.opc_len = ks.r.kic_len = ks.r.kid_len = 16;
		memset(ks.r.k, (int)i, 16);
		memset(ks.r.kic_key, 0x30 + (int)(i % 7), 16);
		memset(ks.r.kid_key, 0x40 + (int)(i % 5), 16);
		ks.r.kic = ks.r.kid = 0x12;
		memcpy(ks.r.tar, "\xb0\x00\x01", 3);
		ks.next_cntr = 10 + i;
		ks.state = OPS_KS_ACTIVE;
		ck_assert_msg(ops_db_keyset_put(db, &ks, err, sizeof(err)) == 0, "%s", err);
	}
	ck_assert_int_eq(ops_db_commit(db, err, sizeof(err)), 0);
	ops_db_close(db);
	list = malloc(32 + N * 40);
	list_len = (size_t)sprintf(list, "iccid,new_imsi\n");
	for (i = 0; i < N; i++)
		list_len += (size_t)sprintf(list + list_len, "8988239%012zu9,00102%010zu\n", i, i);
}

static void teardown(void)
{
	free(list);
	ck_assert_int_eq(ot_rmdir(dir), 0);
}

static void params(struct ops_campaign_params *p)
{
	memset(p, 0, sizeof(*p));
	p->name = "c1";
	p->kind = OPS_KIND_3B;
	p->list = list;
	p->list_len = list_len;
	p->out = out;
	p->batch = 50;
}

struct check {
	size_t n;
	int bad;
};

static int check_msg(void *ctx, const struct ops_msg *m)
{
	struct check *c = ctx;
	unsigned long i = strtoul(m->iccid + 7, NULL, 10) / 10;

	c->n++;
	/* the counter is the key set's next one at the time: 10 + i */
	if (m->cntr != 10 + i || m->new_index != 1 || m->packet_len < 30 || m->tpdu_len < 30)
		c->bad++;
	return 0;
}

START_TEST(campaign_and_rerun)
{
	struct ops_campaign_params p;
	struct ops_campaign_result r;
	struct ops_campaign c;
	struct ops_keyset ks;
	struct ops_db *db;
	struct check chk = { 0, 0 };

	ck_assert_int_eq(ops_db_open(path, 0, &db, err, sizeof(err)), 0);
	params(&p);
	ck_assert_msg(ops_campaign_run(db, &p, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r.built, N);
	ck_assert_uint_eq(r.already, 0);
	ck_assert_int_eq(r.created, 1);
	ops_campaign_result_free(&r);
	ck_assert_int_eq(access(out, R_OK), 0);
	ck_assert_int_eq(ops_db_campaign_get(db, "c1", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_msg_each(db, c.id, check_msg, &chk, err, sizeof(err)), 0);
	ck_assert_uint_eq(chk.n, N);
	ck_assert_int_eq(chk.bad, 0);
	ck_assert_int_eq(ops_db_keyset_get(db, "89882390000000000079", 0, &ks, err, sizeof(err)), 0);
	ck_assert_uint_eq(ks.next_cntr, 10 + 7 + 1);
	/* again: nothing new */
	ck_assert_int_eq(ops_campaign_run(db, &p, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.built, 0);
	ck_assert_uint_eq(r.already, N);
	ops_campaign_result_free(&r);
	/* another list under the same name: refused */
	p.list_len -= 40;
	ck_assert_int_eq(ops_campaign_run(db, &p, &r, err, sizeof(err)), OPS_EREFUSED);
	ops_campaign_result_free(&r);
	/* another campaign for the same cards: every row refused (open message) */
	p.list_len += 40;
	p.name = "c2";
	p.strict = 1;
	ck_assert_int_eq(ops_campaign_run(db, &p, &r, err, sizeof(err)), OPS_EREFUSED);
	ck_assert_uint_eq(r.list.nbad, N);
	ck_assert_ptr_nonnull(strstr(r.list.bad[0].why, "built message in another campaign"));
	ops_campaign_result_free(&r);
	ck_assert_int_eq(ops_db_campaign_get(db, "c2", &c, err, sizeof(err)), OPS_ENOTFOUND);
	ops_keyset_cleanse(&ks);
	ops_db_close(db);
}
END_TEST

/* Another writer takes the database after the second batch. */
struct lockctx {
	sqlite3 *h;
	int locked;
};

static void take_lock(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	struct lockctx *l = ctx;

	(void)total;
	if (!l->locked && strcmp(what, "building") == 0 && done >= 100) {
		ck_assert_int_eq(sqlite3_exec(l->h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
		l->locked = 1;
	}
}

START_TEST(store_fails_mid_campaign)
{
	struct ops_campaign_params p;
	struct ops_campaign_result r;
	struct ops_campaign c;
	struct ops_db *db;
	struct lockctx l = { NULL, 0 };
	struct check chk = { 0, 0 };
	uint64_t counts[OPS_MSG_NSTATES];
	int rc;

	ck_assert_int_eq(sqlite3_open(path, &l.h), SQLITE_OK);
	ck_assert_int_eq(ops_db_open(path, 0, &db, err, sizeof(err)), 0);
	ops_db_set_busy_timeout(db, 200);
	params(&p);
	p.progress = take_lock;
	p.progress_ctx = &l;
	rc = ops_campaign_run(db, &p, &r, err, sizeof(err));
	ck_assert_int_eq(l.locked, 1);
	ck_assert_int_eq(rc, OPS_EDB);
	ck_assert_ptr_nonnull(strstr(err, "locked"));
	ck_assert_uint_eq(r.built, 100);	/* two whole batches */
	ops_campaign_result_free(&r);
	ck_assert_int_ne(access(out, F_OK), 0);	/* no output before completion */
	ck_assert_int_eq(sqlite3_exec(l.h, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(l.h);
	ck_assert_int_eq(ops_db_campaign_get(db, "c1", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_msg_counts(db, c.id, counts, err, sizeof(err)), 0);
	ck_assert_uint_eq(counts[OPS_MSG_BUILT], 100);
	/* the rerun completes it: every card once, the counters as if in one go */
	p.progress = NULL;
	ck_assert_msg(ops_campaign_run(db, &p, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r.built, N - 100);
	ck_assert_uint_eq(r.already, 100);
	ops_campaign_result_free(&r);
	ck_assert_int_eq(ops_db_msg_each(db, c.id, check_msg, &chk, err, sizeof(err)), 0);
	ck_assert_uint_eq(chk.n, N);
	ck_assert_int_eq(chk.bad, 0);
	ck_assert_int_eq(access(out, R_OK), 0);
	ops_db_close(db);
}
END_TEST

/* A PoR as the card would build it for message m, hex. */
static void make_por(struct ops_db *db, const struct ops_msg *m, uint64_t cntr, uint8_t rsc,
		     int keys, const uint8_t *rfm, size_t rfm_len, char *hex)
{
	struct ops_keyset ks;
	struct ota_cmd_hdr h;
	struct ota_keys k;
	uint8_t por[300];
	int n;

	ck_assert_int_eq(ops_db_keyset_get(db, m->iccid, m->key_index, &ks, err, sizeof(err)), 0);
	memset(&h, 0, sizeof(h));
	memcpy(h.spi, m->spi, 2);
	h.kic = m->kic;
	h.kid = m->kid;
	memcpy(h.tar, m->tar, 3);
	h.cntr = cntr;
	memset(&k, 0, sizeof(k));
	memcpy(k.kic_key, ks.r.kic_key, 16);
	memcpy(k.kid_key, ks.r.kid_key, 16);
	k.kic_key_len = k.kid_key_len = 16;
	n = ota_por_build(&h, keys ? &k : NULL, rsc, rfm, rfm_len, por, sizeof(por));
	ck_assert_int_gt(n, 0);
	uk_hex_encode(por, (size_t)n, hex);
	ops_keyset_cleanse(&ks);
}

START_TEST(por_verdicts)
{
	struct ops_campaign_params p;
	struct ops_campaign_result r;
	struct ops_campaign c;
	struct ops_por_outcome o;
	struct ops_msg *m = malloc(sizeof(*m));
	struct ops_card card;
	struct ops_keyset ks;
	struct ops_db *db;
	uint8_t ok4[8], stop3[8];
	size_t l4, l3;
	char hex[700];

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(ota_rfm_compact_resp_build(4, 0x9000, NULL, 0, ok4, sizeof(ok4), &l4), 0);
	ck_assert_int_eq(ota_rfm_compact_resp_build(4, 0x6a84, NULL, 0, stop3, sizeof(stop3), &l3), 0);
	ck_assert_int_eq(ops_db_open(path, 0, &db, err, sizeof(err)), 0);
	params(&p);
	p.out = NULL;
	ck_assert_int_eq(ops_campaign_run(db, &p, &r, err, sizeof(err)), 0);
	ops_campaign_result_free(&r);
	ck_assert_int_eq(ops_db_campaign_get(db, "c1", &c, err, sizeof(err)), 0);

	/* card 1: the right PoR -> done, handed over; 3b keeps the old key
	 * set for the AuC (fallback), as active */
	ck_assert_int_eq(ops_db_msg_get(db, c.id, "89882390000000000019", m, err, sizeof(err)), 0);
	make_por(db, m, m->cntr, 0, 1, ok4, l4, hex);
	ck_assert_int_eq(ops_por_apply(db, &c, m, hex, &o, err, sizeof(err)), 0);
	ck_assert_msg(o.verdict == OPS_POR_DONE, "%s", o.why);
	ck_assert_int_eq(ops_db_card_get(db, "89882390000000000019", &card, err, sizeof(err)), 0);
	ck_assert_int_eq(card.state, OPS_CARD_HANDED_OVER);
	ck_assert_int_eq(ops_db_keyset_get(db, "89882390000000000019", 0, &ks, err, sizeof(err)), 0);
	ck_assert_int_eq(ks.state, OPS_KS_ACTIVE);
	ck_assert_int_eq(ks.r.k[1], 1);
	/* and again: only recorded */
	ck_assert_int_eq(ops_db_msg_get(db, c.id, "89882390000000000019", m, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_por_apply(db, &c, m, hex, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.verdict, OPS_POR_IGNORED);

	/* card 2: another packet's counter, a stopped script, a plain error
	 * PoR, garbage: failed every time, the card stays ours */
	ck_assert_int_eq(ops_db_msg_get(db, c.id, "89882390000000000029", m, err, sizeof(err)), 0);
	make_por(db, m, m->cntr + 1, 0, 1, ok4, l4, hex);
	ck_assert_int_eq(ops_por_apply(db, &c, m, hex, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.verdict, OPS_POR_FAILED);
	make_por(db, m, m->cntr, 0, 1, stop3, l3, hex);
	ck_assert_int_eq(ops_por_apply(db, &c, m, hex, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.verdict, OPS_POR_FAILED);
	ck_assert_ptr_nonnull(strstr(o.why, "6A84"));
	make_por(db, m, 0, OTA_RSC_CNTR_LOW, 0, NULL, 0, hex);
	ck_assert_int_eq(ops_por_apply(db, &c, m, hex, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.verdict, OPS_POR_FAILED);
	ck_assert_int_eq(o.rsc, OTA_RSC_CNTR_LOW);
	ck_assert_int_eq(ops_por_apply(db, &c, m, "0011223344", &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.verdict, OPS_POR_FAILED);
	ck_assert_int_eq(ops_db_card_get(db, "89882390000000000029", &card, err, sizeof(err)), 0);
	ck_assert_int_eq(card.state, OPS_CARD_ACTIVE);
	ck_assert_int_eq(ops_db_msg_get(db, c.id, "89882390000000000029", m, err, sizeof(err)), 0);
	ck_assert_int_eq(m->state, OPS_MSG_FAILED);
	{
		uint64_t n = 0;

		ck_assert_int_eq(ops_db_por_count(db, m, &n, err, sizeof(err)), 0);
		ck_assert_uint_eq(n, 4);
	}
	/* then the genuine PoR: done */
	make_por(db, m, m->cntr, 0, 1, ok4, l4, hex);
	ck_assert_int_eq(ops_por_apply(db, &c, m, hex, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.verdict, OPS_POR_DONE);
	ops_keyset_cleanse(&ks);
	free(m);
	ops_db_close(db);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("campaign");
	TCase *t = tcase_create("campaign");

	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, campaign_and_rerun);
	tcase_add_test(t, store_fails_mid_campaign);
	tcase_add_test(t, por_verdicts);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
