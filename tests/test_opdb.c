/*
 * test_opdb.c - the operator database (ops/opdb.h): file mode and schema
 * version, card and key-set rows, counter reservation with the message in
 * one transaction (rollback leaves no trace, a counter is never reused),
 * UNIQUE(campaign, card), retirement wipes keys, a read-only store.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "ops/opdb.h"

static char dir[64], path[128];
static char err[256];

static void setup(void)
{
	strcpy(dir, "/tmp/test_opdb-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/op.db", dir);
}

static void teardown(void)
{
	char p[160];

	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	unlink(path);
	rmdir(dir);
}

static struct ops_db *open_db(void)
{
	struct ops_db *db = NULL;
	int rc = ops_db_open(path, OPS_DB_CREATE, &db, err, sizeof(err));

	ck_assert_msg(rc == 0, "open: %s", err);
	return db;
}

static void add_card(struct ops_db *db, const char *iccid, const char *imsi, uint64_t next)
{
	struct ops_card c;
	struct ops_keyset ks;

	memset(&c, 0, sizeof(c));
	strcpy(c.iccid, iccid);
	strcpy(c.imsi, imsi);
	ck_assert_int_eq(ops_db_card_put(db, &c, err, sizeof(err)), 0);
	memset(&ks, 0, sizeof(ks));
	strcpy(ks.r.iccid, iccid);
	ks.r.alg = 1;
	ks.r.k_len = ks.r.opc_len = ks.r.kic_len = ks.r.kid_len = 16;
	memset(ks.r.k, 0x11, 16);
	memset(ks.r.opc, 0x22, 16);
	memset(ks.r.kic_key, 0x33, 16);
	memset(ks.r.kid_key, 0x44, 16);
	ks.r.op_is_opc = 1;
	ks.r.kic = ks.r.kid = 0x12;
	memcpy(ks.r.tar, "\xb0\x00\x01", 3);
	ks.next_cntr = next;
	ks.state = OPS_KS_ACTIVE;
	ck_assert_msg(ops_db_keyset_put(db, &ks, err, sizeof(err)) == 0, "%s", err);
}

static void fill_msg(struct ops_msg *m, int64_t camp, const char *iccid, uint64_t cntr)
{
	memset(m, 0, sizeof(*m));
	m->campaign = camp;
	strcpy(m->iccid, iccid);
	strcpy(m->imsi, "001010000000001");
	m->cntr = cntr;
	strcpy(m->new_imsi, "001020000000001");
	m->new_index = 1;
	m->packet_len = 20;
	memset(m->packet, 0xab, 20);
	m->tpdu_len = 30;
	memset(m->tpdu, 0xcd, 30);
}

static int64_t add_campaign(struct ops_db *db, const char *name)
{
	struct ops_campaign c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.kind = OPS_KIND_3B;
	strcpy(c.digest, "00");
	strcpy(c.oa, "+12345");
	ck_assert_msg(ops_db_campaign_add(db, &c, err, sizeof(err)) == 0, "%s", err);
	return c.id;
}

START_TEST(file_mode_and_schema)
{
	struct ops_db *db = open_db();
	struct stat st;
	sqlite3 *h;

	ops_db_close(db);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* reopen without CREATE works */
	ck_assert_int_eq(ops_db_open(path, 0, &db, err, sizeof(err)), 0);
	ops_db_close(db);
	/* another schema version is refused */
	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	ck_assert_int_eq(ops_db_open(path, 0, &db, err, sizeof(err)), OPS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err, "99"));
	ck_assert_ptr_null(db);
	/* a file that is not an operator database is refused, not created */
	unlink(path);
	ck_assert_int_ne(ops_db_open(path, 0, &db, err, sizeof(err)), 0);
}
END_TEST

START_TEST(cards_and_keysets)
{
	struct ops_db *db = open_db();
	struct ops_card c;
	struct ops_keyset ks;

	add_card(db, "89882390000000000019", "001010000000001", 6);
	ck_assert_int_eq(ops_db_card_get(db, "89882390000000000019", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.imsi, "001010000000001");
	ck_assert_int_eq(c.state, OPS_CARD_ACTIVE);
	ck_assert_int_eq(ops_db_card_by_imsi(db, "001010000000001", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.iccid, "89882390000000000019");
	ck_assert_int_eq(ops_db_card_get(db, "89882390000000000027", &c, err, sizeof(err)),
			 OPS_ENOTFOUND);
	/* two cards cannot share an IMSI */
	memset(&c, 0, sizeof(c));
	strcpy(c.iccid, "89882390000000000027");
	strcpy(c.imsi, "001010000000001");
	ck_assert_int_eq(ops_db_card_put(db, &c, err, sizeof(err)), OPS_EREFUSED);
	ck_assert_int_eq(ops_db_keyset_get(db, "89882390000000000019", 0, &ks, err, sizeof(err)), 0);
	ck_assert_uint_eq(ks.next_cntr, 6);
	ck_assert_uint_eq(ks.r.cntr, 5);
	ck_assert_int_eq(ks.r.k_len, 16);
	ck_assert_int_eq(ks.r.k[0], 0x11);
	ck_assert_int_eq(ks.r.kid_key[15], 0x44);
	ck_assert_int_eq(ks.pending, 0);
	/* pending keys survive a round trip */
	ks.pending = 1;
	memset(ks.pk, 0x55, 16);
	memset(ks.pkid, 0x66, 16);
	ck_assert_int_eq(ops_db_keyset_put(db, &ks, err, sizeof(err)), 0);
	ops_keyset_cleanse(&ks);
	ck_assert_int_eq(ops_db_keyset_get(db, "89882390000000000019", 0, &ks, err, sizeof(err)), 0);
	ck_assert_int_eq(ks.pending, 1);
	ck_assert_int_eq(ks.pk[3], 0x55);
	ck_assert_int_eq(ks.pkid[15], 0x66);
	/* SQN */
	ck_assert_int_eq(ops_db_keyset_set_sqn(db, "89882390000000000019", 0, 0x41, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_keyset_get(db, "89882390000000000019", 0, &ks, err, sizeof(err)), 0);
	ck_assert_uint_eq(ks.sqn, 0x41);
	/* retire: key bytes gone, counter kept */
	ck_assert_int_eq(ops_db_keyset_retire_all(db, "89882390000000000019", err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_keyset_get(db, "89882390000000000019", 0, &ks, err, sizeof(err)), 0);
	ck_assert_int_eq(ks.state, OPS_KS_RETIRED);
	ck_assert_int_eq(ks.r.k[0] | ks.r.opc[5] | ks.r.kic_key[7] | ks.r.kid_key[15], 0);
	ck_assert_int_eq(ks.pending, 0);
	ck_assert_uint_eq(ks.next_cntr, 6);
	ops_keyset_cleanse(&ks);
	ops_db_close(db);
}
END_TEST

START_TEST(counter_reserved_with_message)
{
	struct ops_db *db = open_db();
	struct ops_keyset ks;
	struct ops_msg m, g;
	uint64_t counts[OPS_MSG_NSTATES];
	int64_t camp, camp2;

	add_card(db, "89882390000000000019", "001010000000001", 6);
	camp = add_campaign(db, "c1");
	camp2 = add_campaign(db, "c2");
	/* a counter below the next one is refused */
	fill_msg(&m, camp, "89882390000000000019", 5);
	ck_assert_int_eq(ops_db_msg_record(db, &m, err, sizeof(err)), OPS_EREFUSED);
	/* rolled back: neither counter nor message */
	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	fill_msg(&m, camp, "89882390000000000019", 6);
	ck_assert_msg(ops_db_msg_record(db, &m, err, sizeof(err)) == 0, "%s", err);
	ops_db_rollback(db);
	ck_assert_int_eq(ops_db_keyset_get(db, "89882390000000000019", 0, &ks, err, sizeof(err)), 0);
	ck_assert_uint_eq(ks.next_cntr, 6);
	ck_assert_int_eq(ops_db_msg_get(db, camp, "89882390000000000019", &g, err, sizeof(err)),
			 OPS_ENOTFOUND);
	/* committed: both */
	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_msg_record(db, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_commit(db, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_keyset_get(db, "89882390000000000019", 0, &ks, err, sizeof(err)), 0);
	ck_assert_uint_eq(ks.next_cntr, 7);
	ck_assert_int_eq(ops_db_msg_get(db, camp, "89882390000000000019", &g, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.cntr, 6);
	ck_assert_int_eq(g.state, OPS_MSG_BUILT);
	ck_assert_int_eq(g.new_index, 1);
	ck_assert_str_eq(g.new_imsi, "001020000000001");
	ck_assert_uint_eq(g.packet_len, 20);
	ck_assert_uint_eq(g.tpdu_len, 30);
	/* the same counter again, in another campaign: refused */
	fill_msg(&m, camp2, "89882390000000000019", 6);
	ck_assert_int_eq(ops_db_msg_record(db, &m, err, sizeof(err)), OPS_EREFUSED);
	/* a second message for the card in the same campaign: refused, and its
	 * counter reservation goes with the failed transaction */
	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	fill_msg(&m, camp, "89882390000000000019", 7);
	ck_assert_int_eq(ops_db_msg_record(db, &m, err, sizeof(err)), OPS_EREFUSED);
	ops_db_rollback(db);
	ck_assert_int_eq(ops_db_keyset_get(db, "89882390000000000019", 0, &ks, err, sizeof(err)), 0);
	ck_assert_uint_eq(ks.next_cntr, 7);
	/* latest / state / counts / PoRs */
	{
		int64_t c;
		int st;
		uint64_t n;

		ck_assert_int_eq(ops_db_msg_latest(db, "89882390000000000019", &c, &st, err, sizeof(err)), 0);
		ck_assert_int_eq(c, camp);
		ck_assert_int_eq(st, OPS_MSG_BUILT);
		ck_assert_int_eq(ops_db_msg_set_state(db, &g, OPS_MSG_DONE, 0, err, sizeof(err)), 0);
		ck_assert_int_eq(ops_db_msg_counts(db, camp, counts, err, sizeof(err)), 0);
		ck_assert_uint_eq(counts[OPS_MSG_DONE], 1);
		ck_assert_uint_eq(counts[OPS_MSG_BUILT], 0);
		ck_assert_int_eq(ops_db_por_add(db, &g, (const uint8_t *)"\x02\x71", 2, 1, 0, "ok",
						err, sizeof(err)), 0);
		ck_assert_int_eq(ops_db_por_count(db, &g, &n, err, sizeof(err)), 0);
		ck_assert_uint_eq(n, 1);
		/* a PoR for no message violates the foreign key */
		g.campaign = 999;
		ck_assert_int_eq(ops_db_por_add(db, &g, (const uint8_t *)"\x02", 1, 0, -1, "x",
						err, sizeof(err)), OPS_EREFUSED);
	}
	ops_keyset_cleanse(&ks);
	ops_db_close(db);
}
END_TEST

static int count_cb(void *ctx, const struct ops_msg *m)
{
	int *n = ctx;

	ck_assert_uint_eq(m->cntr, 100 + (uint64_t)*n);	/* ICCID order = insertion order here */
	(*n)++;
	return 0;
}

START_TEST(batch_and_iterate)
{
	struct ops_db *db = open_db();
	struct ops_msg m;
	char iccid[21];
	int64_t camp;
	int i, n = 0;

	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	for (i = 0; i < 500; i++) {
		char imsi[16];

		snprintf(iccid, sizeof(iccid), "8988239%013u", (unsigned)i % 1000u);
		snprintf(imsi, sizeof(imsi), "00101%010u", (unsigned)i % 1000u);
		add_card(db, iccid, imsi, 100 + (uint64_t)i);
	}
	ck_assert_int_eq(ops_db_commit(db, err, sizeof(err)), 0);
	camp = add_campaign(db, "batch");
	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	for (i = 0; i < 500; i++) {
		snprintf(iccid, sizeof(iccid), "8988239%013u", (unsigned)i % 1000u);
		fill_msg(&m, camp, iccid, 100 + (uint64_t)i);
		ck_assert_msg(ops_db_msg_record(db, &m, err, sizeof(err)) == 0, "%s", err);
	}
	ck_assert_int_eq(ops_db_commit(db, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_msg_each(db, camp, count_cb, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 500);
	ops_db_close(db);
}
END_TEST

/* Many at once: ops_db_msg_record_many (32 per INSERT, the rest one by
 * one) reserves every counter with its message, and refuses a group with
 * a used counter; ops_db_card_view_many answers as ops_db_card_view does
 * card by card (messages in this and other campaigns, unknown cards). */
START_TEST(many_at_once)
{
	struct ops_db *db = open_db();
	static struct ops_msg ms[40];
	static struct ops_card_view one, many[OPS_DB_VIEW_GROUP];
	static char ids[60][21];
	uint64_t keep;
	const char *keys[OPS_DB_VIEW_GROUP];
	int found[OPS_DB_VIEW_GROUP];
	struct ops_keyset ks;
	int64_t c1, c2, c3;
	size_t nm = 0;
	int i, rc;

	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	for (i = 0; i < 60; i++) {
		char imsi[16];

		snprintf(ids[i], sizeof(ids[i]), "8988239%012u9", (unsigned)i);
		snprintf(imsi, sizeof(imsi), "00101%010u", (unsigned)i);
		add_card(db, ids[i], imsi, 10);
	}
	ck_assert_int_eq(ops_db_commit(db, err, sizeof(err)), 0);
	c1 = add_campaign(db, "c1");
	c2 = add_campaign(db, "c2");
	c3 = add_campaign(db, "c3");
	/* c1: cards 1, 3, 4 mod 5 (done for 3); c3: cards 3 mod 5 */
	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	for (i = 0; i < 60; i++)
		if (i % 5 == 1 || i % 5 == 3 || i % 5 == 4) {
			fill_msg(&ms[0], c1, ids[i], 10);
			ck_assert_msg(ops_db_msg_record(db, &ms[0], err, sizeof(err)) == 0, "%s", err);
			if (i % 5 == 3) {
				ck_assert_int_eq(ops_db_msg_set_state(db, &ms[0], OPS_MSG_DONE, 0, err,
								      sizeof(err)), 0);
				fill_msg(&ms[0], c3, ids[i], 11);
				ck_assert_msg(ops_db_msg_record(db, &ms[0], err, sizeof(err)) == 0, "%s",
					      err);
			}
		}
	ck_assert_int_eq(ops_db_commit(db, err, sizeof(err)), 0);
	/* c2, many at once: cards 0, 2 and 4 mod 5 (36: a group of 32, 4 alone) */
	for (i = 0; i < 60; i++)
		if (i % 5 == 0 || i % 5 == 2 || i % 5 == 4) {
			fill_msg(&ms[nm], c2, ids[i], i % 5 == 4 ? 11 : 10);
			snprintf(ms[nm].new_imsi, sizeof(ms[nm].new_imsi), "00102%010u", (unsigned)i);
			nm++;
		}
	ck_assert_uint_eq(nm, 36);
	/* one used counter in the first 32: the whole group is refused */
	keep = ms[5].cntr;
	ms[5].cntr = 9;
	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_msg_record_many(db, ms, nm, err, sizeof(err)), OPS_EREFUSED);
	ops_db_rollback(db);
	ck_assert_int_eq(ops_db_msg_get(db, c2, ms[0].iccid, &ms[0], err, sizeof(err)),
			 OPS_ENOTFOUND);
	ms[5].cntr = keep;
	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	rc = ops_db_msg_record_many(db, ms, nm, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_int_eq(ops_db_commit(db, err, sizeof(err)), 0);
	for (i = 0; i < (int)nm; i++) {
		struct ops_msg g;

		ck_assert_int_eq(ops_db_msg_get(db, c2, ms[i].iccid, &g, err, sizeof(err)), 0);
		ck_assert_uint_eq(g.cntr, ms[i].cntr);
		ck_assert_str_eq(g.new_imsi, ms[i].new_imsi);
		ck_assert_int_eq(g.state, OPS_MSG_BUILT);
		ck_assert_int_eq(ops_db_keyset_get(db, ms[i].iccid, 0, &ks, err, sizeof(err)), 0);
		ck_assert_uint_eq(ks.next_cntr, ms[i].cntr + 1);
	}
	/* the same counters again: refused, in the group and one by one */
	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_msg_record_many(db, ms + 32, 4, err, sizeof(err)), OPS_EREFUSED);
	ops_db_rollback(db);
	ck_assert_int_eq(ops_db_begin(db, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_db_msg_record_many(db, ms, 32, err, sizeof(err)), OPS_EREFUSED);
	ops_db_rollback(db);
	/* 32 views at once = 32 views one by one (unknown cards, a duplicate) */
	for (i = 0; i < OPS_DB_VIEW_GROUP; i++)
		keys[i] = i % 7 == 6 ? "89882399999999999999" : ids[i + 10];
	keys[31] = keys[30];
	ck_assert_int_eq(ops_db_card_view_many(db, keys, OPS_DB_VIEW_GROUP, c2, many, found, err,
					       sizeof(err)), 0);
	for (i = 0; i < OPS_DB_VIEW_GROUP; i++) {
		rc = ops_db_card_view(db, keys[i], 0, c2, &one, err, sizeof(err));
		ck_assert_int_eq(found[i], rc == 0);
		ck_assert_int_eq(found[i], i % 7 != 6);
		if (rc != 0)
			continue;
		ck_assert_str_eq(many[i].card.iccid, one.card.iccid);
		ck_assert_str_eq(many[i].card.imsi, one.card.imsi);
		ck_assert_int_eq(many[i].has_keyset, 1);
		ck_assert_uint_eq(many[i].ks.next_cntr, one.ks.next_cntr);
		ck_assert_mem_eq(many[i].ks.r.kic_key, one.ks.r.kic_key, 16);
		ck_assert_int_eq(many[i].in_campaign, one.in_campaign);
		ck_assert_str_eq(many[i].new_imsi, one.new_imsi);
		ck_assert_int_eq(many[i].other_state, one.other_state);
	}
	/* what the mix above gives, card 10 + i */
	for (i = 0; i < 30; i++) {
		int j = i + 10;

		if (i % 7 == 6)
			continue;
		ck_assert_int_eq(many[i].in_campaign, j % 5 == 0 || j % 5 == 2 || j % 5 == 4);
		ck_assert_int_eq(many[i].other_state, j % 5 == 1 || j % 5 == 4 ? OPS_MSG_BUILT
						     : j % 5 == 3 ? OPS_MSG_BUILT : -1);
	}
	/* fewer than a group: one by one; card 13 in c3, its newest other c1 (done) */
	keys[0] = ids[13];
	ck_assert_int_eq(ops_db_card_view_many(db, keys, 3, c3, many, found, err, sizeof(err)), 0);
	ck_assert_int_eq(found[0], 1);
	ck_assert_int_eq(many[0].in_campaign, 1);
	ck_assert_int_eq(many[0].other_state, OPS_MSG_DONE);
	ops_db_close(db);
}
END_TEST

/* A store that refuses writes: every write fails with a reason, nothing
 * changes, reads still work. */
START_TEST(read_only_store)
{
	struct ops_db *db = open_db();
	struct ops_msg m;
	struct ops_keyset ks;
	int64_t camp;

	add_card(db, "89882390000000000019", "001010000000001", 6);
	camp = add_campaign(db, "c1");
	ops_db_close(db);
	ck_assert_int_eq(ops_db_open(path, OPS_DB_RDONLY, &db, err, sizeof(err)), 0);
	fill_msg(&m, camp, "89882390000000000019", 6);
	ck_assert_int_eq(ops_db_msg_record(db, &m, err, sizeof(err)), OPS_EDB);
	ck_assert_ptr_nonnull(strstr(err, "counter"));
	ck_assert_int_eq(ops_db_keyset_get(db, "89882390000000000019", 0, &ks, err, sizeof(err)), 0);
	ck_assert_uint_eq(ks.next_cntr, 6);
	ops_keyset_cleanse(&ks);
	ops_db_close(db);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("opdb");
	TCase *t = tcase_create("opdb");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, file_mode_and_schema);
	tcase_add_test(t, cards_and_keysets);
	tcase_add_test(t, counter_reserved_with_message);
	tcase_add_test(t, batch_and_iterate);
	tcase_add_test(t, many_at_once);
	tcase_add_test(t, read_only_store);
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
