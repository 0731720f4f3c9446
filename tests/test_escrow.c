/*
 * test_escrow.c - ops/escrow.c: master-key files, open/create (0600, WAL),
 * wrong master key, add/get, the release rule in every case (same party,
 * other party, lower index, unknown card/index, duplicates, strict), the
 * log of releases and refusals, blobs moved between rows, and I/O failure
 * paths (failing commits, a read-only handle) that must leave the database
 * unchanged.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ops/escrow.h"
#include "ops/escrow_batch.h"
#include "tests/opstest.h"

static char dir[128], db[256];
static struct ot_party man, mnoa, mnob, mnoc;
static const uint8_t master[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static const char *const iccids[3] = { "89882390000000000019", "89882390000000000027",
				       "89882390000000000035" };

static void setup(void)
{
	char err[256];
	struct ops_escrow *e = NULL;
	struct ops_keyrecs l;
	struct ops_keyrec r;
	unsigned c, i;

	snprintf(db, sizeof(db), "%s/escrow-%d.db", dir, (int)getpid());
	ck_assert_int_eq(ops_escrow_open(db, master, OPS_ESCROW_CREATE, &e, err, sizeof(err)), 0);
	memset(&l, 0, sizeof(l));
	for (c = 0; c < 3; c++)
		for (i = 0; i < 4; i++) {
			ot_keyrec(&r, iccids[c], i);
			ck_assert_int_eq(ops_keyrecs_add(&l, &r), 0);
		}
	ck_assert_int_eq(ops_escrow_add(e, &l, err, sizeof(err)), 0);
	ops_keyrecs_free(&l);
	ops_escrow_close(e);
}

static struct ops_escrow *open_rw(void)
{
	char err[256];
	struct ops_escrow *e = NULL;

	ck_assert_int_eq(ops_escrow_open(db, master, 0, &e, err, sizeof(err)), 0);
	return e;
}

/* One release; returns the call's rc, or the request's rc when refused. */
static int rel1(struct ops_escrow *e, const char *iccid, unsigned index,
		const struct ot_party *to, struct ops_keyrecs *out, char *why, size_t whylen)
{
	struct ops_release_req q;
	size_t acc = 0;
	char err[256];
	int rc;

	memset(&q, 0, sizeof(q));
	snprintf(q.iccid, sizeof(q.iccid), "%s", iccid);
	q.index = index;
	rc = ops_escrow_release(e, &q, 1, to->p, "out.cms", 0, out, &acc, err, sizeof(err));
	if (why != NULL)
		snprintf(why, whylen, "%s", rc ? err : q.reason);
	if (rc != 0)
		return rc;
	ck_assert_uint_eq(acc, q.rc == 0 ? 1 : 0);
	return q.rc;
}

static long long count(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long long n = -1;

	ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static void raw_exec(const char *sql)
{
	sqlite3 *h;
	char *msg = NULL;

	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, &msg) == SQLITE_OK, "%s", msg);
	sqlite3_close(h);
}

START_TEST(test_master_key_file)
{
	char path[256], err[256];
	uint8_t k[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/master.key", dir);
	f = fopen(path, "w");
	fprintf(f, "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n");
	fclose(f);
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(ops_master_key_read(path, k, err, sizeof(err)), OPS_EARG);
	ck_assert_msg(strstr(err, "group or others") != NULL, "%s", err);
	ck_assert_int_eq(chmod(path, 0604), 0);
	ck_assert_int_eq(ops_master_key_read(path, k, err, sizeof(err)), OPS_EARG);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(ops_master_key_read(path, k, err, sizeof(err)), 0);
	ck_assert_mem_eq(k, master, 32);
	f = fopen(path, "w");
	fprintf(f, "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
	fclose(f);
	ck_assert_int_eq(ops_master_key_read(path, k, err, sizeof(err)), OPS_EARG);
	f = fopen(path, "w");
	fprintf(f, "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fzz");
	fclose(f);
	ck_assert_int_eq(ops_master_key_read(path, k, err, sizeof(err)), OPS_EARG);
	/* a key, white space past the read buffer, then more: refused whole */
	f = fopen(path, "w");
	fprintf(f, "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20%100s"
		   "trailing", "");
	fclose(f);
	ck_assert_int_eq(ops_master_key_read(path, k, err, sizeof(err)), OPS_EARG);
	ck_assert_int_eq(ops_master_key_read("/nonexistent/k", k, err, sizeof(err)), OPS_EIO);
}
END_TEST

START_TEST(test_open)
{
	char err[256], path[300];
	uint8_t wrong[32];
	struct ops_escrow *e = NULL;
	struct stat st;

	ck_assert_int_eq(stat(db, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s-wal", db);
	if (stat(path, &st) == 0)
		ck_assert_int_eq(st.st_mode & 0777, 0600);
	memcpy(wrong, master, 32);
	wrong[31] ^= 1;
	ck_assert_int_eq(ops_escrow_open(db, wrong, 0, &e, err, sizeof(err)), OPS_ECRYPTO);
	ck_assert_ptr_null(e);
	ck_assert_msg(strstr(err, "wrong master key") != NULL, "%s", err);
	ck_assert_int_eq(ops_escrow_open(db, NULL, 0, &e, err, sizeof(err)), OPS_EARG);
	/* read-only without the key: status yes, keys no */
	ck_assert_int_eq(ops_escrow_open(db, NULL, OPS_ESCROW_RDONLY, &e, err, sizeof(err)), 0);
	{
		struct ops_card_status cs;
		struct ops_keyrecs l;

		memset(&l, 0, sizeof(l));
		ck_assert_int_eq(ops_escrow_card(e, iccids[1], &cs, err, sizeof(err)), 0);
		ck_assert_uint_eq(cs.n_keysets, 4);
		ck_assert_int_eq(cs.current_index, -1);
		ck_assert_str_eq(cs.imsi, "001010000000000");
		ck_assert_int_eq(ops_escrow_get(e, iccids[1], &l, err, sizeof(err)), OPS_EARG);
		ck_assert_int_eq(ops_escrow_count(e, err, sizeof(err)), 3);
	}
	ops_escrow_close(e);
	snprintf(path, sizeof(path), "%s/none.db", dir);
	ck_assert_int_eq(ops_escrow_open(path, master, 0, &e, err, sizeof(err)), OPS_ENOTFOUND);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* an SQLite database of something else */
	snprintf(path, sizeof(path), "%s/other.db", dir);
	{
		sqlite3 *h;

		ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(h, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(h);
	}
	ck_assert_int_eq(ops_escrow_open(path, master, OPS_ESCROW_CREATE, &e, err, sizeof(err)),
			 OPS_EFORMAT);
	{
		sqlite3 *h;
		sqlite3_stmt *q;

		ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
		ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), "wal");
		sqlite3_finalize(q);
		sqlite3_close(h);
	}
}
END_TEST

START_TEST(test_add_get)
{
	struct ops_escrow *e = open_rw();
	struct ops_keyrecs l, got;
	struct ops_keyrec r;
	char err[256];

	memset(&l, 0, sizeof(l));
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(ops_escrow_get(e, iccids[2], &got, err, sizeof(err)), 0);
	ck_assert_uint_eq(got.n, 4);
	ck_assert_uint_eq(got.v[3].index, 3);
	ck_assert_str_eq(got.v[0].iccid, iccids[2]);
	ck_assert_uint_eq(got.v[0].k_len, 16);
	ck_assert_uint_eq(got.v[2].cntr, 7);
	ops_keyrecs_free(&got);
	ck_assert_int_eq(ops_escrow_get(e, "89882390000000000043", &got, err, sizeof(err)),
			 OPS_ENOTFOUND);
	/* a new card and one already there: nothing added */
	ot_keyrec(&r, "89882390000000000043", 0);
	ops_keyrecs_add(&l, &r);
	ot_keyrec(&r, iccids[0], 0);
	ops_keyrecs_add(&l, &r);
	ck_assert_int_eq(ops_escrow_add(e, &l, err, sizeof(err)), OPS_EREFUSED);
	ck_assert_msg(strstr(err, iccids[0]) != NULL, "%s", err);
	ck_assert_int_eq(ops_escrow_count(e, err, sizeof(err)), 3);
	ck_assert_int_eq(ops_escrow_has_card(e, "89882390000000000043", err, sizeof(err)), 0);
	ops_keyrecs_free(&l);
	/* key sets not 0..n-1 */
	ot_keyrec(&r, "89882390000000000043", 1);
	ops_keyrecs_add(&l, &r);
	ck_assert_int_eq(ops_escrow_add(e, &l, err, sizeof(err)), OPS_EARG);
	ot_keyrec(&r, "89882390000000000043", 1);
	ops_keyrecs_add(&l, &r);
	ck_assert_int_eq(ops_escrow_add(e, &l, err, sizeof(err)), OPS_EARG);
	ops_keyrecs_free(&l);
	ck_assert_int_eq(ops_escrow_count(e, err, sizeof(err)), 3);
	ck_assert_int_eq(ops_escrow_has_card(e, iccids[0], err, sizeof(err)), 1);
	ops_keyrec_cleanse(&r);
	ops_escrow_close(e);
}
END_TEST

START_TEST(test_release_rules)
{
	struct ops_escrow *e = open_rw();
	struct ops_keyrecs out, ref;
	struct ops_card_status cs;
	char why[256], err[256];
	const char *c = iccids[0];

	memset(&out, 0, sizeof(out));
	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(ops_escrow_get(e, c, &ref, err, sizeof(err)), 0);
	/* initial operator gets key set 0, twice */
	ck_assert_int_eq(rel1(e, c, 0, &mnoa, &out, why, sizeof(why)), 0);
	ck_assert_int_eq(rel1(e, c, 0, &mnoa, &out, why, sizeof(why)), 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_mem_eq(out.v[0].k, ref.v[0].k, 16);
	ck_assert_uint_eq(out.v[1].index, 0);
	/* another party: refused */
	ck_assert_int_eq(rel1(e, c, 0, &mnob, &out, why, sizeof(why)), OPS_EREFUSED);
	ck_assert_msg(strstr(why, "already released to CN=mnoA") != NULL, "%s", why);
	ck_assert_uint_eq(out.n, 2);
	/* B gets 1; current becomes 1 */
	ck_assert_int_eq(rel1(e, c, 1, &mnob, &out, why, sizeof(why)), 0);
	ck_assert_mem_eq(out.v[2].kic_key, ref.v[1].kic_key, 16);
	ck_assert_int_eq(ops_escrow_card(e, c, &cs, err, sizeof(err)), 0);
	ck_assert_int_eq(cs.current_index, 1);
	/* B again 1: ok; C 1: refused; index 0 now lower than current, even for A */
	ck_assert_int_eq(rel1(e, c, 1, &mnob, &out, why, sizeof(why)), 0);
	ck_assert_int_eq(rel1(e, c, 1, &mnoc, &out, why, sizeof(why)), OPS_EREFUSED);
	ck_assert_int_eq(rel1(e, c, 0, &mnoa, &out, why, sizeof(why)), OPS_EREFUSED);
	ck_assert_msg(strstr(why, "lower than the card's current index 1") != NULL, "%s", why);
	ck_assert_int_eq(rel1(e, c, 0, &mnob, &out, why, sizeof(why)), OPS_EREFUSED);
	/* skipping ahead is allowed: C gets 3; then 2 is lower */
	ck_assert_int_eq(rel1(e, c, 3, &mnoc, &out, why, sizeof(why)), 0);
	ck_assert_int_eq(rel1(e, c, 2, &mnoc, &out, why, sizeof(why)), OPS_EREFUSED);
	/* unknown card, index past the card's key sets, bad input */
	ck_assert_int_eq(rel1(e, "89882390000000000043", 0, &mnoa, &out, why, sizeof(why)),
			 OPS_ENOTFOUND);
	ck_assert_int_eq(rel1(e, iccids[1], 4, &mnoa, &out, why, sizeof(why)), OPS_ENOTFOUND);
	ck_assert_int_eq(rel1(e, iccids[1], 16, &mnoa, &out, why, sizeof(why)), OPS_EARG);
	ck_assert_int_eq(rel1(e, "8988239x000000000019", 0, &mnoa, &out, why, sizeof(why)),
			 OPS_EARG);
	ck_assert_uint_eq(out.n, 5);
	/* other cards are independent */
	ck_assert_int_eq(rel1(e, iccids[1], 2, &mnoc, &out, why, sizeof(why)), 0);
	ck_assert_int_eq(ops_escrow_card(e, iccids[2], &cs, err, sizeof(err)), 0);
	ck_assert_int_eq(cs.current_index, -1);
	ck_assert_int_eq(count("SELECT count(*) FROM releases"), 6);
	ops_keyrecs_free(&out);
	ops_keyrecs_free(&ref);
	ops_escrow_close(e);
}
END_TEST

START_TEST(test_release_batch)
{
	struct ops_escrow *e = open_rw();
	struct ops_keyrecs out;
	struct ops_release_req q[4];
	struct ops_card_status cs;
	size_t acc = 99;
	char err[256];

	memset(&out, 0, sizeof(out));
	memset(q, 0, sizeof(q));
	snprintf(q[0].iccid, sizeof(q[0].iccid), "%s", iccids[0]);
	q[0].index = 1;
	q[0].line = 2;
	snprintf(q[1].iccid, sizeof(q[1].iccid), "%s", iccids[1]);
	q[1].index = 1;
	q[1].line = 3;
	snprintf(q[2].iccid, sizeof(q[2].iccid), "%s", "89882390000000000043");
	q[2].line = 4;
	snprintf(q[3].iccid, sizeof(q[3].iccid), "%s", iccids[0]);
	q[3].index = 1;
	q[3].line = 5;
	/* strict: one unknown card and one duplicate -> nothing released */
	ck_assert_int_eq(ops_escrow_release(e, q, 4, mnob.p, "b.cms", 1, &out, &acc, err,
					    sizeof(err)), OPS_EREFUSED);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_uint_eq(acc, 0);
	ck_assert_int_eq(q[2].rc, OPS_ENOTFOUND);
	ck_assert_int_eq(q[3].rc, OPS_EARG);
	ck_assert_msg(strstr(q[3].reason, "line 2") != NULL, "%s", q[3].reason);
	ck_assert_int_eq(count("SELECT count(*) FROM releases"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM log WHERE outcome = 'refused'"), 2);
	/* not strict: the good ones go */
	ck_assert_int_eq(ops_escrow_release(e, q, 4, mnob.p, "b.cms", 0, &out, &acc, err,
					    sizeof(err)), 0);
	ck_assert_uint_eq(acc, 2);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_int_eq(q[0].rc, 0);
	ck_assert_int_eq(q[1].rc, 0);
	ck_assert_int_eq(count("SELECT count(*) FROM releases WHERE file = 'b.cms'"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM log WHERE outcome = 'refused'"), 4);
	ck_assert_int_eq(count("SELECT count(*) FROM log WHERE outcome = 'ok' AND action = 'release'"),
			 2);
	ck_assert_int_eq(ops_escrow_card(e, iccids[1], &cs, err, sizeof(err)), 0);
	ck_assert_int_eq(cs.current_index, 1);
	ops_keyrecs_free(&out);
	ops_escrow_close(e);
}
END_TEST

struct logc {
	int ok, refused, other_reason;
};

static int log_cb(const struct ops_log_entry *l, void *arg)
{
	struct logc *c = arg;

	if (strcmp(l->action, "release") != 0)
		return 0;
	if (strcmp(l->outcome, "ok") == 0)
		c->ok++;
	else if (strcmp(l->outcome, "refused") == 0 && l->reason[0] != '\0' && l->party[0] != '\0')
		c->refused++;
	if (strstr(l->reason, "already released") != NULL)
		c->other_reason++;
	return 0;
}

START_TEST(test_log)
{
	struct ops_escrow *e = open_rw();
	struct ops_keyrecs out;
	struct logc c = { 0, 0, 0 };
	char err[256];

	memset(&out, 0, sizeof(out));
	ck_assert_int_eq(rel1(e, iccids[0], 0, &mnoa, &out, NULL, 0), 0);
	ck_assert_int_eq(rel1(e, iccids[0], 0, &mnob, &out, NULL, 0), OPS_EREFUSED);
	ck_assert_int_eq(rel1(e, iccids[0], 9, &mnob, &out, NULL, 0), OPS_ENOTFOUND);
	ops_escrow_close(e);
	ck_assert_int_eq(ops_escrow_open(db, NULL, OPS_ESCROW_RDONLY, &e, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_escrow_log(e, log_cb, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.ok, 1);
	ck_assert_int_eq(c.refused, 2);
	ck_assert_int_eq(c.other_reason, 1);
	ops_escrow_close(e);
	ops_keyrecs_free(&out);
}
END_TEST

START_TEST(test_blob_moved)
{
	struct ops_escrow *e;
	struct ops_keyrecs out;
	char err[256];

	memset(&out, 0, sizeof(out));
	/* card 1's key set 1 copied over card 2's key set 1 */
	raw_exec("UPDATE keysets SET nonce = (SELECT nonce FROM keysets WHERE iccid ="
		 " '89882390000000000019' AND idx = 1), blob = (SELECT blob FROM keysets WHERE"
		 " iccid = '89882390000000000019' AND idx = 1) WHERE iccid = '89882390000000000027'"
		 " AND idx = 1");
	/* card 3: key sets 0 and 2 swapped */
	raw_exec("UPDATE keysets SET idx = 9 WHERE iccid = '89882390000000000035' AND idx = 0;"
		 "UPDATE keysets SET idx = 0 WHERE iccid = '89882390000000000035' AND idx = 2;"
		 "UPDATE keysets SET idx = 2 WHERE iccid = '89882390000000000035' AND idx = 9;");
	e = open_rw();
	ck_assert_int_eq(ops_escrow_get(e, iccids[1], &out, err, sizeof(err)), OPS_ECRYPTO);
	ck_assert_msg(strstr(err, "does not decrypt") != NULL, "%s", err);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_int_eq(ops_escrow_get(e, iccids[2], &out, err, sizeof(err)), OPS_ECRYPTO);
	ck_assert_int_eq(ops_escrow_get(e, iccids[0], &out, err, sizeof(err)), 0);
	ck_assert_uint_eq(out.n, 4);
	/* a release of a moved blob fails as a whole and records nothing */
	ck_assert_int_eq(rel1(e, iccids[1], 1, &mnoa, &out, NULL, 0), OPS_ECRYPTO);
	ck_assert_int_eq(count("SELECT count(*) FROM releases"), 0);
	ck_assert_uint_eq(out.n, 4);
	ops_keyrecs_free(&out);
	ops_escrow_close(e);
}
END_TEST

START_TEST(test_io_failures)
{
	struct ops_escrow *e = open_rw();
	struct ops_keyrecs l, out;
	struct ops_keyrec r;
	struct ops_card_status cs;
	char err[256];
	long long logs = count("SELECT count(*) FROM log");

	memset(&l, 0, sizeof(l));
	memset(&out, 0, sizeof(out));
	ot_keyrec(&r, "89882390000000000043", 0);
	ops_keyrecs_add(&l, &r);
	ops_keyrec_cleanse(&r);
	/* the commit of an add fails */
	ops_escrow_fail_commit(e, 1);
	ck_assert_int_eq(ops_escrow_add(e, &l, err, sizeof(err)), OPS_EDB);
	ck_assert_int_eq(ops_escrow_count(e, err, sizeof(err)), 3);
	ck_assert_int_eq(count("SELECT count(*) FROM keysets"), 12);
	ck_assert_int_eq(count("SELECT count(*) FROM log"), logs);
	/* the commit of a release fails: nothing recorded, nothing handed out */
	ops_escrow_fail_commit(e, 1);
	ck_assert_int_eq(rel1(e, iccids[0], 1, &mnoa, &out, NULL, 0), OPS_EDB);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_int_eq(count("SELECT count(*) FROM releases"), 0);
	ck_assert_int_eq(ops_escrow_card(e, iccids[0], &cs, err, sizeof(err)), 0);
	ck_assert_int_eq(cs.current_index, -1);
	/* works again afterwards */
	ck_assert_int_eq(ops_escrow_add(e, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_escrow_count(e, err, sizeof(err)), 4);
	ops_escrow_close(e);
	/* a read-only handle with the key: reads work, writes fail, nothing changes */
	logs = count("SELECT count(*) FROM log");
	ck_assert_int_eq(ops_escrow_open(db, master, OPS_ESCROW_RDONLY, &e, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_escrow_get(e, iccids[0], &out, err, sizeof(err)), 0);
	ck_assert_uint_eq(out.n, 4);
	ck_assert_int_lt(rel1(e, iccids[0], 1, &mnoa, &out, NULL, 0), 0);
	ck_assert_uint_eq(out.n, 4);
	ot_keyrec(&r, "89882390000000000050", 0);
	ops_keyrecs_free(&l);
	ops_keyrecs_add(&l, &r);
	ck_assert_int_eq(ops_escrow_add(e, &l, err, sizeof(err)), OPS_EDB);
	ck_assert_int_eq(count("SELECT count(*) FROM releases"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM cards"), 4);
	ck_assert_int_eq(count("SELECT count(*) FROM log"), logs);
	ops_escrow_close(e);
	ops_keyrecs_free(&l);
	ops_keyrecs_free(&out);
	ops_keyrec_cleanse(&r);
}
END_TEST

/* ------------------------------------------------ batch: killed at random */

#define KB_CARDS 60
#define KB_SETS 3

static const char *kb_start = "8988239000000000001";

static void kb_paths(const char *d, char *cards, char *edb, char *opf, char *mk)
{
	snprintf(cards, 256, "%s/cards", d);
	snprintf(edb, 256, "%s/escrow.db", d);
	snprintf(opf, 256, "%s/mnoA-keys.cms", d);
	snprintf(mk, 256, "%s/master.key", d);
}

static pid_t kb_spawn(const char *d)
{
	char cards[256], edb[256], opf[256], mk[256], perso[512], count[16], sets[8];
	const char *b = getenv("UK_BUILDDIR");
	pid_t pid;

	kb_paths(d, cards, edb, opf, mk);
	snprintf(perso, sizeof(perso), "%s/tools/uicc-perso", b ? b : ".");
	snprintf(count, sizeof(count), "%d", KB_CARDS);
	snprintf(sets, sizeof(sets), "%d", KB_SETS);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl(perso, perso, "batch", "--count", count, "--iccid-start", kb_start,
		      "--imsi-start", "001010000000001", "--keysets", sets, "--out-dir", cards,
		      "--escrow", edb, "--master-key-file", mk, "--signer-cert", man.cert,
		      "--signer-key", man.key, "--operator-cert", mnoa.cert, "--operator-out", opf,
		      "--chunk", "7", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int kb_wait(pid_t pid)
{
	int st = 0;

	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

static void kb_master(const char *d)
{
	char mk[256], x[256];
	FILE *f;

	kb_paths(d, x, x, x, mk);
	f = fopen(mk, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n");
	fclose(f);
	ck_assert_int_eq(chmod(mk, 0600), 0);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The end state: every card once, image = escrow, operator file = key
 * set 0 of every card, no temporary file left. */
static void kb_check(const char *d)
{
	char cards[256], edb[256], opf[256], mk[256], err[256], path[600];
	struct ops_escrow *e = NULL;
	struct ops_keyrecs op, keys;
	struct ops_trust *t;
	const char *anchors[1] = { man.cert };
	DIR *dh;
	struct dirent *de;
	int images = 0, others = 0;
	unsigned long i;

	kb_paths(d, cards, edb, opf, mk);
	dh = opendir(cards);
	ck_assert_ptr_nonnull(dh);
	while ((de = readdir(dh)) != NULL) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		if (n > 5 && strcmp(de->d_name + n - 5, ".json") == 0)
			images++;
		else
			others++;
	}
	closedir(dh);
	ck_assert_int_eq(images, KB_CARDS);
	ck_assert_int_eq(others, 0);
	ck_assert_int_eq(ops_escrow_open(edb, master, 0, &e, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_escrow_count(e, err, sizeof(err)), KB_CARDS);
	memset(&op, 0, sizeof(op));
	t = ops_trust_load(anchors, 1, err, sizeof(err));
	ck_assert_ptr_nonnull(t);
	ck_assert_msg(ops_keyfile_read_sealed(opf, mnoa.p, t, &op, NULL, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(op.n, KB_CARDS);
	for (i = 0; i < KB_CARDS; i++) {
		char iccid[21];
		struct ops_card_status cs;

		ck_assert_int_eq(ops_batch_iccid(kb_start, i, iccid, err, sizeof(err)), 0);
		memset(&keys, 0, sizeof(keys));
		ck_assert_int_eq(ops_escrow_get(e, iccid, &keys, err, sizeof(err)), 0);
		ck_assert_uint_eq(keys.n, KB_SETS);
		snprintf(path, sizeof(path), "%s/%s.json", cards, iccid);
		ck_assert_msg(ops_batch_image_matches(path, &keys, err, sizeof(err)) == 1, "%s", err);
		ck_assert_str_eq(op.v[i].iccid, iccid);
		ck_assert_uint_eq(op.v[i].index, 0);
		ck_assert_mem_eq(op.v[i].k, keys.v[0].k, 16);
		ck_assert_mem_eq(op.v[i].opc, keys.v[0].opc, 16);
		ck_assert_mem_eq(op.v[i].kic_key, keys.v[0].kic_key, 16);
		ck_assert_mem_eq(op.v[i].kid_key, keys.v[0].kid_key, 16);
		ck_assert_int_eq(ops_escrow_card(e, iccid, &cs, err, sizeof(err)), 0);
		ck_assert_int_eq(cs.current_index, 0);
		ops_keyrecs_free(&keys);
	}
	ops_keyrecs_free(&op);
	ops_trust_free(t);
	ops_escrow_close(e);
}

START_TEST(test_batch_killed)
{
	char d[128];
	double t0, full;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	int round, killed = 0;

	fprintf(stderr, "test_batch_killed: seed %u\n", seed);
	srand(seed);
	/* calibration: one complete run */
	ck_assert_int_eq(ot_tmpdir("batchcal", d, sizeof(d)), 0);
	kb_master(d);
	t0 = now_s();
	ck_assert_int_eq(kb_wait(kb_spawn(d)), 0);
	full = now_s() - t0;
	kb_check(d);
	ot_rmdir(d);
	/* Scenarios: a fresh batch killed at a random instant of its run, the
	 * rerun killed again at a random instant, then run to the end. */
	for (round = 0; round < 8; round++) {
		int k;

		ck_assert_int_eq(ot_tmpdir("batchkill", d, sizeof(d)), 0);
		kb_master(d);
		for (k = 0; k < 2; k++) {
			pid_t pid = kb_spawn(d);
			useconds_t us = (useconds_t)((double)rand() / RAND_MAX * full * 1e6);
			int st;

			usleep(us);
			kill(pid, SIGKILL);
			st = kb_wait(pid);
			if (WIFSIGNALED(st))
				killed++;
			else
				ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
					      "round %d: exit %d", round, WEXITSTATUS(st));
		}
		ck_assert_int_eq(kb_wait(kb_spawn(d)), 0);
		kb_check(d);
		if (round == 0) {	/* once more: nothing changes, still complete */
			ck_assert_int_eq(kb_wait(kb_spawn(d)), 0);
			kb_check(d);
		}
		ot_rmdir(d);
	}
	fprintf(stderr, "test_batch_killed: %d of 16 runs killed (full run %.2f s)\n", killed,
		full);
	ck_assert_int_gt(killed, 0);
}
END_TEST

START_TEST(test_batch_numbers)
{
	char out[21], err[256];

	ck_assert_int_eq(ops_batch_iccid("8988239000000000001", 0, out, err, sizeof(err)), 0);
	ck_assert_str_eq(out, "8988239000000000001");
	ck_assert_int_eq(ops_batch_iccid("8988239000000000001", 1, out, err, sizeof(err)), 0);
	ck_assert_str_eq(out, "8988239000000000019");
	ck_assert_int_eq(ops_batch_iccid("89882390000000000019", 2, out, err, sizeof(err)), 0);
	ck_assert_str_eq(out, "89882390000000000279");	/* digit 20 kept */
	ck_assert_int_eq(ops_batch_iccid("8988239000000000002", 0, out, err, sizeof(err)),
			 OPS_EARG);	/* bad Luhn digit */
	ck_assert_int_eq(ops_batch_iccid("9999999999999999995", 1, out, err, sizeof(err)),
			 OPS_EARG);
	ck_assert_int_eq(ops_batch_iccid("898823900000000001", 0, out, err, sizeof(err)),
			 OPS_EARG);
	ck_assert_int_eq(ops_batch_imsi("001010000000009", 1, out, err, sizeof(err)), 0);
	ck_assert_str_eq(out, "001010000000010");
	ck_assert_int_eq(ops_batch_imsi("999999", 0, out, err, sizeof(err)), 0);
	ck_assert_int_eq(ops_batch_imsi("999999", 1, out, err, sizeof(err)), OPS_EARG);
	ck_assert_int_eq(ops_batch_imsi("12345", 0, out, err, sizeof(err)), OPS_EARG);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("escrow");
	TCase *tc = tcase_create("escrow");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_master_key_file);
	tcase_add_test(tc, test_open);
	tcase_add_test(tc, test_add_get);
	tcase_add_test(tc, test_release_rules);
	tcase_add_test(tc, test_release_batch);
	tcase_add_test(tc, test_log);
	tcase_add_test(tc, test_blob_moved);
	tcase_add_test(tc, test_io_failures);
	suite_add_tcase(s, tc);
	tc = tcase_create("batch");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_batch_numbers);
	tcase_add_test(tc, test_batch_killed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (ot_tmpdir("escrow", dir, sizeof(dir)) != 0 ||
	    ot_make_party(dir, "manufacturer", "RSA", &man) != 0 ||
	    ot_make_party(dir, "mnoA", "EC", &mnoa) != 0 ||
	    ot_make_party(dir, "mnoB", "EC", &mnob) != 0 ||
	    ot_make_party(dir, "mnoC", "EC", &mnoc) != 0) {
		fprintf(stderr, "test_escrow: cannot make the parties\n");
		return 1;
	}
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	ot_party_free(&man);
	ot_party_free(&mnoa);
	ot_party_free(&mnob);
	ot_party_free(&mnoc);
	ot_rmdir(dir);
	return failed ? 1 : 0;
}
