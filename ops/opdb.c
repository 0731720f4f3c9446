/*
 * opdb.c - the operator database on SQLite; see ops/opdb.h.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "ops/opdb.h"
#include "uicckit/secpkt.h"

/* CHECKs are written with OR, not IN (...): SQLite builds an ephemeral
 * table for a constant IN list on every row written. */
static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE cards("
	" iccid TEXT PRIMARY KEY,"
	" imsi TEXT,"
	" key_index INTEGER NOT NULL CHECK(key_index BETWEEN 0 AND 15),"
	" state TEXT NOT NULL CHECK(state = 'active' OR state = 'handed_over')"
	") WITHOUT ROWID;"
	"CREATE UNIQUE INDEX cards_imsi ON cards(imsi);"
	"CREATE TABLE keysets("
	" iccid TEXT NOT NULL REFERENCES cards(iccid),"
	" idx INTEGER NOT NULL CHECK(idx BETWEEN 0 AND 15),"
	" alg INTEGER NOT NULL CHECK(alg BETWEEN 1 AND 3),"
	" k BLOB NOT NULL, opc BLOB NOT NULL, op_is_opc INTEGER NOT NULL,"
	" kic INTEGER NOT NULL, kid INTEGER NOT NULL, kic_key BLOB NOT NULL, kid_key BLOB NOT NULL,"
	" tar BLOB NOT NULL CHECK(length(tar) = 3),"
	" next_cntr INTEGER NOT NULL CHECK(next_cntr BETWEEN 1 AND 1099511627776),"
	" sqn INTEGER NOT NULL DEFAULT 0,"
	" state TEXT NOT NULL CHECK(state = 'active' OR state = 'held' OR state = 'retired'),"
	" pending BLOB CHECK(pending IS NULL OR length(pending) = 64),"
	" PRIMARY KEY(iccid, idx)"
	") WITHOUT ROWID;"
	"CREATE TABLE campaigns("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL CHECK(kind = '3b' OR kind = '3a' OR kind = 'rekey'),"
	" digest TEXT NOT NULL,"
	" oa TEXT NOT NULL,"
	" created INTEGER NOT NULL);"
	"CREATE TABLE messages("
	" campaign INTEGER NOT NULL REFERENCES campaigns(id),"
	" iccid TEXT NOT NULL REFERENCES cards(iccid),"
	" imsi TEXT NOT NULL,"
	" key_index INTEGER NOT NULL,"
	" cntr INTEGER NOT NULL,"
	" new_imsi TEXT,"
	" new_index INTEGER,"
	" packet BLOB NOT NULL,"
	" tpdu BLOB NOT NULL,"
	" state TEXT NOT NULL CHECK(state = 'built' OR state = 'sent' OR state = 'done' OR state = 'failed'),"
	" rsc INTEGER,"
	" created INTEGER NOT NULL, sent INTEGER, done INTEGER,"
	/* UNIQUE(campaign, iccid) as the key, card first so that it also serves
	 * "this card's messages": one B-tree per message row */
	" PRIMARY KEY(iccid, campaign)) WITHOUT ROWID;"
	"CREATE TABLE pors("
	" id INTEGER PRIMARY KEY,"
	" campaign INTEGER NOT NULL,"
	" iccid TEXT NOT NULL,"
	" por BLOB NOT NULL,"
	" received INTEGER NOT NULL,"
	" verified INTEGER NOT NULL,"
	" rsc INTEGER,"
	" verdict TEXT NOT NULL,"
	" FOREIGN KEY(iccid, campaign) REFERENCES messages(iccid, campaign));"
	"CREATE INDEX pors_message ON pors(iccid, campaign);";

enum {
	S_CARD_GET, S_CARD_BY_IMSI, S_CARD_PUT,
	S_KS_GET, S_KS_PUT, S_KS_SQN, S_KS_RETIRE, S_KS_CNTR,
	S_CAMP_GET, S_CAMP_ADD,
	S_MSG_ADD, S_MSG_GET, S_MSG_LATEST, S_MSG_STATE, S_MSG_EACH, S_MSG_EACH_OUT, S_MSG_COUNT,
	S_MSG_COUNT_ALL,
	S_POR_ADD, S_POR_COUNT, S_CARD_COUNT, S_VIEW_ICCID, S_VIEW_IMSI,
	S_BEGIN, S_COMMIT, S_ROLLBACK, S_DEFER_FK, S_BEGIN_READ,
	S_GROUP_ADD, S_GROUP_VIEW,
	S_N
};

/* A card, its key set in use and its messages, newest campaign first, in
 * one lookup (campaigns): one row per message of the card (or one with
 * NULL message columns), read until the campaign's own and the newest
 * other one are known -- usually the first row alone.  One seek into
 * messages instead of one per question. */
#define VIEW_SQL \
	"SELECT c.iccid, c.imsi, c.key_index, c.state, k.alg, k.k, k.opc, k.op_is_opc, k.kic, k.kid," \
	" k.kic_key, k.kid_key, k.tar, k.next_cntr, k.sqn, k.state, k.pending," \
	" m.campaign, m.state, m.new_imsi" \
	" FROM cards c LEFT JOIN keysets k ON k.iccid = c.iccid AND k.idx = c.key_index" \
	" LEFT JOIN messages m ON m.iccid = c.iccid "

static const char *const stmt_sql[S_N] = {
	[S_CARD_GET] = "SELECT iccid, imsi, key_index, state FROM cards WHERE iccid = ?1",
	[S_CARD_BY_IMSI] = "SELECT iccid, imsi, key_index, state FROM cards WHERE imsi = ?1",
	[S_CARD_PUT] = "INSERT INTO cards(iccid, imsi, key_index, state) VALUES(?1, ?2, ?3, ?4)"
		       " ON CONFLICT(iccid) DO UPDATE SET imsi = ?2, key_index = ?3, state = ?4",
	[S_KS_GET] = "SELECT alg, k, opc, op_is_opc, kic, kid, kic_key, kid_key, tar, next_cntr,"
		     " sqn, state, pending FROM keysets WHERE iccid = ?1 AND idx = ?2",
	[S_KS_PUT] = "INSERT OR REPLACE INTO keysets(iccid, idx, alg, k, opc, op_is_opc, kic, kid,"
		     " kic_key, kid_key, tar, next_cntr, sqn, state, pending)"
		     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[S_KS_SQN] = "UPDATE keysets SET sqn = ?3 WHERE iccid = ?1 AND idx = ?2",
	[S_KS_RETIRE] = "UPDATE keysets SET state = 'retired', k = zeroblob(length(k)),"
			" opc = zeroblob(length(opc)), kic_key = zeroblob(length(kic_key)),"
			" kid_key = zeroblob(length(kid_key)), pending = NULL WHERE iccid = ?1",
	[S_KS_CNTR] = "UPDATE keysets SET next_cntr = ?3 + 1 WHERE iccid = ?1 AND idx = ?2"
		      " AND next_cntr <= ?3 AND state <> 'retired'",
	[S_CAMP_GET] = "SELECT id, name, kind, digest, oa, created FROM campaigns WHERE name = ?1",
	[S_CAMP_ADD] = "INSERT INTO campaigns(name, kind, digest, oa, created)"
		       " VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_MSG_ADD] = "INSERT INTO messages(campaign, iccid, imsi, key_index, cntr, new_imsi,"
		      " new_index, packet, tpdu, state, created)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'built', ?10)",
	[S_MSG_GET] = "SELECT campaign, iccid, imsi, key_index, cntr, new_imsi, new_index,"
		      " packet, tpdu, state, rsc, created, sent, done FROM messages"
		      " WHERE iccid = ?2 AND campaign = ?1",
	[S_MSG_LATEST] = "SELECT campaign, state FROM messages WHERE iccid = ?1"
			 " ORDER BY campaign DESC LIMIT 1",
	[S_MSG_STATE] = "UPDATE messages SET state = ?2, rsc = ?3,"
			" sent = CASE WHEN ?2 = 'sent' THEN ?4 ELSE sent END,"
			" done = CASE WHEN ?2 IN ('done','failed') THEN ?4 ELSE done END"
			" WHERE campaign = ?1 AND iccid = ?5",
	[S_MSG_EACH] = "SELECT campaign, iccid, imsi, key_index, cntr, new_imsi, new_index,"
		       " packet, tpdu, state, rsc, created, sent, done FROM messages"
		       " WHERE campaign = ?1 ORDER BY iccid",
	[S_MSG_EACH_OUT] = "SELECT iccid, imsi, key_index, cntr, new_imsi, new_index, tpdu"
			   " FROM messages WHERE campaign = ?1 ORDER BY iccid",
	[S_MSG_COUNT] = "SELECT state, count(*) FROM messages WHERE campaign = ?1 GROUP BY state",
	[S_MSG_COUNT_ALL] = "SELECT state, count(*) FROM messages GROUP BY state",
	[S_POR_ADD] = "INSERT INTO pors(campaign, iccid, por, received, verified, rsc, verdict)"
		      " VALUES(?1, ?7, ?2, ?3, ?4, ?5, ?6)",
	[S_POR_COUNT] = "SELECT count(*) FROM pors WHERE campaign = ?1 AND iccid = ?2",
	[S_CARD_COUNT] = "SELECT state, count(*) FROM cards GROUP BY state",
	[S_VIEW_ICCID] = VIEW_SQL "WHERE c.iccid = ?1 ORDER BY m.campaign DESC",
	[S_VIEW_IMSI] = VIEW_SQL "WHERE c.imsi = ?1 ORDER BY m.campaign DESC",
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_DEFER_FK] = "PRAGMA defer_foreign_keys = ON",
	[S_BEGIN_READ] = "BEGIN DEFERRED",
	/* ops_db_msg_record_many's GROUP-row INSERT (group_insert()) and
	 * ops_db_card_view_many's GROUP-card SELECT (group_view()) */
	[S_GROUP_ADD] = NULL,
};

struct ops_db {
	sqlite3 *h;
	sqlite3_stmt *st[S_N];
};

/* Messages per statement in ops_db_msg_record_many: one statement's fixed
 * cost (step, halt, reset) shared by GROUP rows. */
#define GROUP OPS_DB_VIEW_GROUP

static const char *const msg_state_names[OPS_MSG_NSTATES] = { "built", "sent", "done", "failed" };
static const char *const kind_names[3] = { "3b", "3a", "rekey" };
static const char *const ks_state_names[3] = { "active", "held", "retired" };

const char *ops_msg_state_name(int st)
{
	return st >= 0 && st < OPS_MSG_NSTATES ? msg_state_names[st] : "?";
}

const char *ops_kind_name(int kind)
{
	return kind >= 0 && kind < 3 ? kind_names[kind] : "?";
}

static int name_index(const char *const *names, int n, const unsigned char *s)
{
	int i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], (const char *)s) == 0)
			return i;
	return -1;
}

static int dberr(struct ops_db *db, const char *what, char *err, size_t errlen)
{
	if (err != NULL)
		snprintf(err, errlen, "%s: %s", what, db != NULL && db->h != NULL ?
			 sqlite3_errmsg(db->h) : "no database");
	return OPS_EDB;
}

static sqlite3_stmt *stmt(struct ops_db *db, int i)
{
	if (db->st[i] == NULL &&
	    sqlite3_prepare_v3(db->h, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &db->st[i],
			       NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(db->st[i]);
	sqlite3_clear_bindings(db->st[i]);
	return db->st[i];
}

/* Run a statement that returns no row. */
static int step_done(struct ops_db *db, sqlite3_stmt *s, const char *what, char *err,
		     size_t errlen)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	rc = (rc == SQLITE_CONSTRAINT) ? OPS_EREFUSED : OPS_EDB;
	dberr(db, what, err, errlen);
	sqlite3_reset(s);
	return rc;
}

/* Step a statement that returns at most one row: 0 with the row (the
 * caller reads it, then resets s); OPS_ENOTFOUND (s reset, err untouched:
 * the caller says what was not found); else the database error. */
static int step_row(struct ops_db *db, sqlite3_stmt *s, const char *what, char *err,
		    size_t errlen)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return OPS_ENOTFOUND;
	}
	rc = dberr(db, what, err, errlen);
	sqlite3_reset(s);
	return rc;
}

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
	size_t n = src != NULL ? strlen((const char *)src) : 0;

	if (n >= cap)
		n = cap - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static size_t copy_blob(uint8_t *dst, size_t cap, sqlite3_stmt *s, int col)
{
	const void *p = sqlite3_column_blob(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);

	if (p == NULL)
		return 0;
	if (n > cap)
		n = cap;
	memcpy(dst, p, n);
	return n;
}

static int exec(struct ops_db *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg != NULL ? msg : "sqlite3_exec failed");
		sqlite3_free(msg);
		return OPS_EDB;
	}
	return 0;
}

static int check_schema(struct ops_db *db, unsigned flags, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc, have;

	rc = sqlite3_prepare_v2(db->h, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'",
				-1, &s, NULL);
	if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return dberr(db, "schema", err, errlen);
	}
	have = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (!have) {
		char sql[128];

		if (!(flags & OPS_DB_CREATE) || (flags & OPS_DB_RDONLY)) {
			snprintf(err, errlen, "not an operator database (no schema)");
			return OPS_EFORMAT;
		}
		snprintf(sql, sizeof(sql),
			 "INSERT INTO meta VALUES('schema_version', '%d');"
			 "INSERT INTO meta VALUES('created', strftime('%%s','now'));",
			 OPS_DB_SCHEMA_VERSION);
		if (exec(db, "BEGIN IMMEDIATE", err, errlen) != 0)
			return OPS_EDB;
		if (exec(db, schema_sql, err, errlen) != 0 || exec(db, sql, err, errlen) != 0 ||
		    exec(db, "COMMIT", err, errlen) != 0) {
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			return OPS_EDB;
		}
		return 0;
	}
	rc = sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key = 'schema_version'", -1,
				&s, NULL);
	if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		snprintf(err, errlen, "no schema_version in meta");
		return OPS_EFORMAT;
	}
	rc = (int)strtol((const char *)sqlite3_column_text(s, 0), NULL, 10);
	sqlite3_finalize(s);
	if (rc != OPS_DB_SCHEMA_VERSION) {
		snprintf(err, errlen, "schema version %d, this program knows %d", rc,
			 OPS_DB_SCHEMA_VERSION);
		return OPS_EFORMAT;
	}
	return 0;
}

/* SQLite's allocation statistics take a global mutex on every malloc:
 * with a reader and a writer thread (campaigns) that serialises them.
 * Turned off once, before SQLite initialises (a no-op if the program
 * used SQLite before). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int ops_db_open(const char *path, unsigned flags, struct ops_db **out, char *err,
		size_t errlen)
{
	struct ops_db *db;
	int oflags, rc;

	*out = NULL;
	pthread_once(&sqlite_once, sqlite_setup);
	if (path == NULL || *path == '\0') {
		snprintf(err, errlen, "no database path");
		return OPS_EARG;
	}
	if ((flags & OPS_DB_CREATE) && !(flags & OPS_DB_RDONLY)) {
		/* create it 0600 ourselves: SQLite gives -wal/-shm the same mode */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return OPS_EIO;
		}
		close(fd);
	}
	db = calloc(1, sizeof(*db));
	if (db == NULL) {
		snprintf(err, errlen, "out of memory");
		return OPS_EIO;
	}
	oflags = (flags & OPS_DB_RDONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(path, &db->h, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = dberr(db, path, err, errlen);
		ops_db_close(db);
		return rc;
	}
	sqlite3_busy_timeout(db->h, 10000);
	sqlite3_extended_result_codes(db->h, 0);
	rc = exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"
		  " PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;"
		  " PRAGMA mmap_size = 4294967296;", err, errlen);
	if (rc == 0 && !(flags & OPS_DB_RDONLY))
		rc = exec(db, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 16384;", err,
			  errlen);
	if (rc == 0)
		rc = check_schema(db, flags, err, errlen);
	if (rc != 0) {
		ops_db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void ops_db_set_busy_timeout(struct ops_db *db, int ms)
{
	sqlite3_busy_timeout(db->h, ms);
}

int ops_db_reopen(struct ops_db *db, struct ops_db **out, char *err, size_t errlen)
{
	const char *path = sqlite3_db_filename(db->h, "main");

	*out = NULL;
	if (path == NULL || *path == '\0') {
		snprintf(err, errlen, "no database file to reopen");
		return OPS_EARG;
	}
	return ops_db_open(path, sqlite3_db_readonly(db->h, "main") == 1 ? OPS_DB_RDONLY : 0, out,
			   err, errlen);
}

void ops_db_close(struct ops_db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < S_N; i++)
		sqlite3_finalize(db->st[i]);
	if (db->h != NULL)
		sqlite3_close(db->h);
	free(db);
}

static int simple(struct ops_db *db, int which, const char *what, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, which);

	if (s == NULL)
		return dberr(db, what, err, errlen);
	return step_done(db, s, what, err, errlen);
}

int ops_db_begin(struct ops_db *db, char *err, size_t errlen)
{
	int rc = simple(db, S_BEGIN, "begin", err, errlen);

	/* foreign keys checked at COMMIT (a violation fails the commit): no
	 * statement journal per INSERT; SQLite clears this at every COMMIT */
	if (rc == 0)
		rc = simple(db, S_DEFER_FK, "begin", err, errlen);
	return rc;
}

int ops_db_commit(struct ops_db *db, char *err, size_t errlen)
{
	return simple(db, S_COMMIT, "commit", err, errlen);
}

int ops_db_begin_read(struct ops_db *db, char *err, size_t errlen)
{
	return simple(db, S_BEGIN_READ, "begin", err, errlen);
}

void ops_db_rollback(struct ops_db *db)
{
	if (db != NULL && db->h != NULL && !sqlite3_get_autocommit(db->h))
		(void)simple(db, S_ROLLBACK, "rollback", NULL, 0);
}

/* ---- cards ---------------------------------------------------------- */

/* Card columns iccid, imsi, key_index, state (0..3). */
static void card_cols(sqlite3_stmt *s, struct ops_card *c)
{
	memset(c, 0, sizeof(*c));
	copy_text(c->iccid, sizeof(c->iccid), sqlite3_column_text(s, 0));
	copy_text(c->imsi, sizeof(c->imsi), sqlite3_column_text(s, 1));
	c->key_index = (unsigned)sqlite3_column_int(s, 2);
	c->state = strcmp((const char *)sqlite3_column_text(s, 3), "active") == 0
			   ? OPS_CARD_ACTIVE : OPS_CARD_HANDED_OVER;
}

static int card_row(struct ops_db *db, int which, const char *key, struct ops_card *c,
		    char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, which);
	int rc;

	if (s == NULL)
		return dberr(db, "card", err, errlen);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = step_row(db, s, "card", err, errlen);
	if (rc == OPS_ENOTFOUND)
		snprintf(err, errlen, "no card %s", key);
	if (rc != 0)
		return rc;
	card_cols(s, c);
	sqlite3_reset(s);
	return 0;
}

int ops_db_card_get(struct ops_db *db, const char *iccid, struct ops_card *c, char *err,
		    size_t errlen)
{
	return card_row(db, S_CARD_GET, iccid, c, err, errlen);
}

int ops_db_card_by_imsi(struct ops_db *db, const char *imsi, struct ops_card *c, char *err,
			size_t errlen)
{
	return card_row(db, S_CARD_BY_IMSI, imsi, c, err, errlen);
}

int ops_db_card_put(struct ops_db *db, const struct ops_card *c, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_CARD_PUT);

	if (s == NULL)
		return dberr(db, "card", err, errlen);
	sqlite3_bind_text(s, 1, c->iccid, -1, SQLITE_STATIC);
	if (c->imsi[0] != '\0')
		sqlite3_bind_text(s, 2, c->imsi, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, (int)c->key_index);
	sqlite3_bind_text(s, 4, c->state == OPS_CARD_ACTIVE ? "active" : "handed_over", -1,
			  SQLITE_STATIC);
	return step_done(db, s, "card", err, errlen);
}

int ops_db_card_counts(struct ops_db *db, uint64_t *active, uint64_t *handed_over, char *err,
		       size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_CARD_COUNT);
	int rc;

	*active = *handed_over = 0;
	if (s == NULL)
		return dberr(db, "cards", err, errlen);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t n = (uint64_t)sqlite3_column_int64(s, 1);

		if (strcmp((const char *)sqlite3_column_text(s, 0), "active") == 0)
			*active = n;
		else
			*handed_over = n;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : dberr(db, "cards", err, errlen);
}

/* ---- key sets ------------------------------------------------------- */

void ops_keyset_cleanse(struct ops_keyset *ks)
{
	OPENSSL_cleanse(ks, sizeof(*ks));
}

/* Key set columns alg..pending starting at column c0. */
static void ks_row(sqlite3_stmt *s, int c0, const char *iccid, unsigned index,
		   struct ops_keyset *ks)
{
	memset(ks, 0, sizeof(*ks));
	copy_text(ks->r.iccid, sizeof(ks->r.iccid), (const unsigned char *)iccid);
	ks->r.index = index;
	ks->r.alg = (uint8_t)sqlite3_column_int(s, c0 + 0);
	ks->r.k_len = (uint8_t)copy_blob(ks->r.k, sizeof(ks->r.k), s, c0 + 1);
	ks->r.opc_len = (uint8_t)copy_blob(ks->r.opc, sizeof(ks->r.opc), s, c0 + 2);
	ks->r.op_is_opc = (uint8_t)sqlite3_column_int(s, c0 + 3);
	ks->r.kic = (uint8_t)sqlite3_column_int(s, c0 + 4);
	ks->r.kid = (uint8_t)sqlite3_column_int(s, c0 + 5);
	ks->r.kic_len = (uint8_t)copy_blob(ks->r.kic_key, sizeof(ks->r.kic_key), s, c0 + 6);
	ks->r.kid_len = (uint8_t)copy_blob(ks->r.kid_key, sizeof(ks->r.kid_key), s, c0 + 7);
	copy_blob(ks->r.tar, 3, s, c0 + 8);
	ks->next_cntr = (uint64_t)sqlite3_column_int64(s, c0 + 9);
	ks->r.cntr = ks->next_cntr - 1;
	ks->sqn = (uint64_t)sqlite3_column_int64(s, c0 + 10);
	ks->state = name_index(ks_state_names, 3, sqlite3_column_text(s, c0 + 11));
	if (sqlite3_column_type(s, c0 + 12) == SQLITE_BLOB && sqlite3_column_bytes(s, c0 + 12) == 64) {
		const uint8_t *p = sqlite3_column_blob(s, c0 + 12);

		ks->pending = 1;
		memcpy(ks->pk, p, 16);
		memcpy(ks->popc, p + 16, 16);
		memcpy(ks->pkic, p + 32, 16);
		memcpy(ks->pkid, p + 48, 16);
	}
}

int ops_db_keyset_get(struct ops_db *db, const char *iccid, unsigned index,
		      struct ops_keyset *ks, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_KS_GET);
	int rc;

	if (s == NULL)
		return dberr(db, "keyset", err, errlen);
	sqlite3_bind_text(s, 1, iccid, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, (int)index);
	rc = step_row(db, s, "keyset", err, errlen);
	if (rc == OPS_ENOTFOUND)
		snprintf(err, errlen, "no key set %u of card %s", index, iccid);
	if (rc != 0)
		return rc;
	ks_row(s, 0, iccid, index, ks);
	sqlite3_reset(s);
	return 0;
}

int ops_db_card_view(struct ops_db *db, const char *key, int by_imsi, int64_t campaign,
		     struct ops_card_view *v, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, by_imsi ? S_VIEW_IMSI : S_VIEW_ICCID);
	int rc;

	if (s == NULL)
		return dberr(db, "card", err, errlen);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, campaign);
	rc = step_row(db, s, "card", err, errlen);
	if (rc == OPS_ENOTFOUND)
		snprintf(err, errlen, "no card %s", key);
	if (rc != 0)
		return rc;
	rc = SQLITE_ROW;	/* the rows that follow are the card's messages */
	card_cols(s, &v->card);
	v->has_keyset = sqlite3_column_type(s, 4) != SQLITE_NULL;
	if (v->has_keyset)
		ks_row(s, 4, v->card.iccid, v->card.key_index, &v->ks);
	else
		memset(&v->ks, 0, sizeof(v->ks));
	v->in_campaign = 0;
	v->new_imsi[0] = '\0';
	v->other_state = -1;
	/* newest campaign first: stop once the newest other one is known and
	 * this campaign's row is behind (or was seen) */
	while (rc == SQLITE_ROW && sqlite3_column_type(s, 17) != SQLITE_NULL) {
		int64_t mc = sqlite3_column_int64(s, 17);

		if (mc == campaign) {
			v->in_campaign = 1;
			copy_text(v->new_imsi, sizeof(v->new_imsi), sqlite3_column_text(s, 19));
		} else if (v->other_state < 0) {
			v->other_state = name_index(msg_state_names, OPS_MSG_NSTATES,
						    sqlite3_column_text(s, 18));
		}
		if (v->other_state >= 0 && (v->in_campaign || mc < campaign))
			break;
		rc = sqlite3_step(s);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = dberr(db, "card", err, errlen);
		sqlite3_reset(s);
		return rc;
	}
	sqlite3_reset(s);
	return 0;
}

/* ops_db_card_view_many's statement: (0, ?1), (1, ?2), ... joined with
 * the cards, their key sets in use and all their messages; each result
 * row starts with the position of its ICCID (any order). */
static sqlite3_stmt *group_view(struct ops_db *db)
{
	char sql[GROUP * 24 + 768];
	size_t n;
	int r;

	if (db->st[S_GROUP_VIEW] != NULL) {
		sqlite3_reset(db->st[S_GROUP_VIEW]);
		return db->st[S_GROUP_VIEW];
	}
	n = (size_t)snprintf(sql, sizeof(sql),
			     "SELECT l.column1, c.iccid, c.imsi, c.key_index, c.state, k.alg, k.k,"
			     " k.opc, k.op_is_opc, k.kic, k.kid, k.kic_key, k.kid_key, k.tar,"
			     " k.next_cntr, k.sqn, k.state, k.pending, m.campaign, m.state,"
			     " m.new_imsi FROM (VALUES");
	for (r = 0; r < GROUP && n < sizeof(sql); r++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s(%d, ?%d)", r ? "," : "", r,
				      r + 1);
	if (n < sizeof(sql))
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
				      ") AS l JOIN cards c ON c.iccid = l.column2"
				      " LEFT JOIN keysets k ON k.iccid = c.iccid AND k.idx = c.key_index"
				      " LEFT JOIN messages m ON m.iccid = c.iccid");
	if (n >= sizeof(sql) ||
	    sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &db->st[S_GROUP_VIEW],
			       NULL) != SQLITE_OK)
		return NULL;
	return db->st[S_GROUP_VIEW];
}

int ops_db_card_view_many(struct ops_db *db, const char *const *iccid, size_t n,
			  int64_t campaign, struct ops_card_view *v, int *found, char *err,
			  size_t errlen)
{
	int64_t other[OPS_DB_VIEW_GROUP];
	sqlite3_stmt *s;
	size_t i;
	int rc;

	if (n != OPS_DB_VIEW_GROUP) {
		/* one by one */
		for (i = 0; i < n; i++) {
			rc = ops_db_card_view(db, iccid[i], 0, campaign, &v[i], err, errlen);
			found[i] = rc == 0;
			if (rc != 0 && rc != OPS_ENOTFOUND)
				return rc;
		}
		return 0;
	}
	s = group_view(db);
	if (s == NULL)
		return dberr(db, "cards", err, errlen);
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(s, (int)i + 1, iccid[i], -1, SQLITE_STATIC);
		found[i] = 0;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int k = sqlite3_column_int(s, 0);
		struct ops_card_view *x;

		if (k < 0 || (size_t)k >= n)
			continue;
		x = &v[k];
		if (!found[k]) {
			found[k] = 1;
			other[k] = -1;
			memset(&x->card, 0, sizeof(x->card));
			copy_text(x->card.iccid, sizeof(x->card.iccid), sqlite3_column_text(s, 1));
			copy_text(x->card.imsi, sizeof(x->card.imsi), sqlite3_column_text(s, 2));
			x->card.key_index = (unsigned)sqlite3_column_int(s, 3);
			x->card.state = strcmp((const char *)sqlite3_column_text(s, 4), "active") == 0
						? OPS_CARD_ACTIVE : OPS_CARD_HANDED_OVER;
			x->has_keyset = sqlite3_column_type(s, 5) != SQLITE_NULL;
			if (x->has_keyset)
				ks_row(s, 5, x->card.iccid, x->card.key_index, &x->ks);
			else
				memset(&x->ks, 0, sizeof(x->ks));
			x->in_campaign = 0;
			x->new_imsi[0] = '\0';
			x->other_state = -1;
		}
		/* the card's messages, in any order */
		if (sqlite3_column_type(s, 18) != SQLITE_NULL) {
			int64_t mc = sqlite3_column_int64(s, 18);

			if (mc == campaign) {
				x->in_campaign = 1;
				copy_text(x->new_imsi, sizeof(x->new_imsi), sqlite3_column_text(s, 20));
			} else if (mc > other[k]) {
				other[k] = mc;
				x->other_state = name_index(msg_state_names, OPS_MSG_NSTATES,
							    sqlite3_column_text(s, 19));
			}
		}
	}
	if (rc != SQLITE_DONE) {
		rc = dberr(db, "cards", err, errlen);
		sqlite3_reset(s);
		return rc;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return 0;
}

int ops_db_keyset_put(struct ops_db *db, const struct ops_keyset *ks, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_KS_PUT);
	uint8_t pend[64];
	int rc;

	if (s == NULL)
		return dberr(db, "keyset", err, errlen);
	if (ks->state < 0 || ks->state > 2 || ks->next_cntr < 1) {
		snprintf(err, errlen, "keyset: bad state or counter");
		return OPS_EARG;
	}
	sqlite3_bind_text(s, 1, ks->r.iccid, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, (int)ks->r.index);
	sqlite3_bind_int(s, 3, ks->r.alg);
	sqlite3_bind_blob(s, 4, ks->r.k, ks->r.k_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 5, ks->r.opc, ks->r.opc_len, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, ks->r.op_is_opc);
	sqlite3_bind_int(s, 7, ks->r.kic);
	sqlite3_bind_int(s, 8, ks->r.kid);
	sqlite3_bind_blob(s, 9, ks->r.kic_key, ks->r.kic_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 10, ks->r.kid_key, ks->r.kid_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 11, ks->r.tar, 3, SQLITE_STATIC);
	sqlite3_bind_int64(s, 12, (sqlite3_int64)ks->next_cntr);
	sqlite3_bind_int64(s, 13, (sqlite3_int64)ks->sqn);
	sqlite3_bind_text(s, 14, ks_state_names[ks->state], -1, SQLITE_STATIC);
	if (ks->pending) {
		memcpy(pend, ks->pk, 16);
		memcpy(pend + 16, ks->popc, 16);
		memcpy(pend + 32, ks->pkic, 16);
		memcpy(pend + 48, ks->pkid, 16);
		sqlite3_bind_blob(s, 15, pend, 64, SQLITE_TRANSIENT);
		OPENSSL_cleanse(pend, sizeof(pend));
	}
	rc = step_done(db, s, "keyset", err, errlen);
	sqlite3_clear_bindings(s);
	return rc;
}

int ops_db_keyset_set_sqn(struct ops_db *db, const char *iccid, unsigned index, uint64_t sqn,
			  char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_KS_SQN);

	if (s == NULL)
		return dberr(db, "sqn", err, errlen);
	sqlite3_bind_text(s, 1, iccid, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, (int)index);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)sqn);
	return step_done(db, s, "sqn", err, errlen);
}

int ops_db_keyset_retire_all(struct ops_db *db, const char *iccid, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_KS_RETIRE);

	if (s == NULL)
		return dberr(db, "retire", err, errlen);
	sqlite3_bind_text(s, 1, iccid, -1, SQLITE_STATIC);
	return step_done(db, s, "retire", err, errlen);
}

/* ---- campaigns ------------------------------------------------------ */

/* Campaign columns id, name, kind, digest, oa, created (0..5). */
static void camp_row(sqlite3_stmt *s, struct ops_campaign *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(s, 0);
	copy_text(c->name, sizeof(c->name), sqlite3_column_text(s, 1));
	c->kind = name_index(kind_names, 3, sqlite3_column_text(s, 2));
	copy_text(c->digest, sizeof(c->digest), sqlite3_column_text(s, 3));
	copy_text(c->oa, sizeof(c->oa), sqlite3_column_text(s, 4));
	c->created = sqlite3_column_int64(s, 5);
}

int ops_db_campaign_get(struct ops_db *db, const char *name, struct ops_campaign *c,
			char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_CAMP_GET);
	int rc;

	if (s == NULL)
		return dberr(db, "campaign", err, errlen);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = step_row(db, s, "campaign", err, errlen);
	if (rc == OPS_ENOTFOUND)
		snprintf(err, errlen, "no campaign %s", name);
	if (rc != 0)
		return rc;
	camp_row(s, c);
	sqlite3_reset(s);
	return 0;
}

int ops_db_campaign_each(struct ops_db *db, int (*cb)(void *ctx, const struct ops_campaign *c),
			 void *ctx, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	struct ops_campaign c;
	int rc;

	if (sqlite3_prepare_v2(db->h, "SELECT id, name, kind, digest, oa, created FROM campaigns"
			       " ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return dberr(db, "campaigns", err, errlen);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		camp_row(s, &c);
		rc = cb(ctx, &c);
		if (rc != 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = dberr(db, "campaigns", err, errlen);
	sqlite3_finalize(s);
	return rc;
}

int ops_db_campaign_add(struct ops_db *db, struct ops_campaign *c, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_CAMP_ADD);
	int rc;

	if (s == NULL)
		return dberr(db, "campaign", err, errlen);
	if (c->kind < 0 || c->kind > 2) {
		snprintf(err, errlen, "campaign: bad kind");
		return OPS_EARG;
	}
	if (c->created == 0)
		c->created = (int64_t)time(NULL);
	sqlite3_bind_text(s, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind_names[c->kind], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, c->oa, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, c->created);
	rc = step_done(db, s, "campaign", err, errlen);
	if (rc == 0)
		c->id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

/* ---- messages ------------------------------------------------------- */

/* A message's 10 values from parameter b + 1 on (created: now if 0). */
static void msg_bind(sqlite3_stmt *s, int b, const struct ops_msg *m)
{
	sqlite3_bind_int64(s, b + 1, m->campaign);
	sqlite3_bind_text(s, b + 2, m->iccid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, b + 3, m->imsi, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, b + 4, (int)m->key_index);
	sqlite3_bind_int64(s, b + 5, (sqlite3_int64)m->cntr);
	if (m->new_imsi[0] != '\0')
		sqlite3_bind_text(s, b + 6, m->new_imsi, -1, SQLITE_STATIC);
	if (m->new_index >= 0)
		sqlite3_bind_int(s, b + 7, m->new_index);
	sqlite3_bind_blob(s, b + 8, m->packet, (int)m->packet_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, b + 9, m->tpdu, (int)m->tpdu_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, b + 10, m->created ? m->created : (int64_t)time(NULL));
}

/* INSERT one message row. */
static int msg_insert(struct ops_db *db, const struct ops_msg *m, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_MSG_ADD);

	if (s == NULL)
		return dberr(db, "message", err, errlen);
	msg_bind(s, 0, m);
	return step_done(db, s, "message", err, errlen);
}

/* UPDATE the key set's next counter past m->cntr, refused unless m->cntr
 * is at least the next one and the key set is not retired. */
static int cntr_reserve(struct ops_db *db, const struct ops_msg *m, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_KS_CNTR);
	int rc;

	if (s == NULL)
		return dberr(db, "counter", err, errlen);
	sqlite3_bind_text(s, 1, m->iccid, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, (int)m->key_index);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)m->cntr);
	rc = step_done(db, s, "counter", err, errlen);
	if (rc == 0 && sqlite3_changes(db->h) != 1) {
		snprintf(err, errlen, "card %s: counter %010llx already used or key set retired",
			 m->iccid, (unsigned long long)m->cntr);
		rc = OPS_EREFUSED;
	}
	return rc;
}

int ops_db_msg_record(struct ops_db *db, struct ops_msg *m, char *err, size_t errlen)
{
	int rc;

	if (m->cntr < 1 || m->cntr > OTA_CNTR_MAX) {
		snprintf(err, errlen, "counter out of range");
		return OPS_EARG;
	}
	rc = cntr_reserve(db, m, err, errlen);
	if (rc != 0)
		return rc;
	rc = msg_insert(db, m, err, errlen);
	if (rc == 0) {
		m->state = OPS_MSG_BUILT;
		m->rsc = -1;
	}
	return rc;
}

/* The GROUP-row INSERT of ops_db_msg_record_many, made at first use:
 * (?1..?10), (?11..?20), ... in msg_bind's order. */
static sqlite3_stmt *group_insert(struct ops_db *db)
{
	char sql[GROUP * 64 + 256];
	size_t n;
	int r;

	if (db->st[S_GROUP_ADD] != NULL) {
		sqlite3_reset(db->st[S_GROUP_ADD]);
		return db->st[S_GROUP_ADD];
	}
	n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO messages(campaign, iccid, imsi,"
			     " key_index, cntr, new_imsi, new_index, packet, tpdu, state, created)"
			     " VALUES");
	for (r = 0; r < GROUP && n < sizeof(sql); r++) {
		int b = 10 * r;

		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
				      "%s(?%d,?%d,?%d,?%d,?%d,?%d,?%d,?%d,?%d,'built',?%d)",
				      r ? "," : "", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7,
				      b + 8, b + 9, b + 10);
	}
	if (n >= sizeof(sql) ||
	    sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &db->st[S_GROUP_ADD],
			       NULL) != SQLITE_OK)
		return NULL;
	return db->st[S_GROUP_ADD];
}

int ops_db_msg_record_many(struct ops_db *db, struct ops_msg *m, size_t n, char *err,
			   size_t errlen)
{
	sqlite3_stmt *ins;
	size_t i = 0, r;
	int rc;

	for (r = 0; r < n; r++)
		if (m[r].cntr < 1 || m[r].cntr > OTA_CNTR_MAX) {
			snprintf(err, errlen, "card %s: counter out of range", m[r].iccid);
			return OPS_EARG;
		}
	for (; n - i >= GROUP; i += GROUP) {
		const struct ops_msg *g = m + i;

		for (r = 0; r < GROUP; r++) {
			rc = cntr_reserve(db, &g[r], err, errlen);
			if (rc != 0)
				return rc;
		}
		ins = group_insert(db);
		if (ins == NULL)
			return dberr(db, "messages", err, errlen);
		for (r = 0; r < GROUP; r++)
			msg_bind(ins, 10 * (int)r, &g[r]);
		rc = step_done(db, ins, "messages", err, errlen);
		sqlite3_clear_bindings(ins);
		if (rc != 0)
			return rc;
		for (r = 0; r < GROUP; r++) {
			m[i + r].state = OPS_MSG_BUILT;
			m[i + r].rsc = -1;
		}
	}
	for (; i < n; i++) {
		rc = ops_db_msg_record(db, &m[i], err, errlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void msg_row(sqlite3_stmt *s, struct ops_msg *m)
{
	m->campaign = sqlite3_column_int64(s, 0);
	copy_text(m->iccid, sizeof(m->iccid), sqlite3_column_text(s, 1));
	copy_text(m->imsi, sizeof(m->imsi), sqlite3_column_text(s, 2));
	m->key_index = (unsigned)sqlite3_column_int(s, 3);
	m->cntr = (uint64_t)sqlite3_column_int64(s, 4);
	copy_text(m->new_imsi, sizeof(m->new_imsi), sqlite3_column_text(s, 5));
	m->new_index = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 6);
	m->packet_len = copy_blob(m->packet, sizeof(m->packet), s, 7);
	m->tpdu_len = copy_blob(m->tpdu, sizeof(m->tpdu), s, 8);
	m->state = name_index(msg_state_names, OPS_MSG_NSTATES, sqlite3_column_text(s, 9));
	m->rsc = sqlite3_column_type(s, 10) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 10);
	m->created = sqlite3_column_int64(s, 11);
	m->sent = sqlite3_column_int64(s, 12);
	m->done = sqlite3_column_int64(s, 13);
	memset(m->spi, 0, sizeof(m->spi));
	m->kic = m->kid = 0;
	memset(m->tar, 0, sizeof(m->tar));
	/* CPL(2) CHL SPI(2) KIc KID TAR(3): TS 102 225 §5.1.1 */
	if (m->packet_len >= 10) {
		memcpy(m->spi, m->packet + 3, 2);
		m->kic = m->packet[5];
		m->kid = m->packet[6];
		memcpy(m->tar, m->packet + 7, 3);
	}
}

int ops_db_msg_get(struct ops_db *db, int64_t campaign, const char *iccid, struct ops_msg *m,
		   char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_MSG_GET);
	int rc;

	if (s == NULL)
		return dberr(db, "message", err, errlen);
	sqlite3_bind_int64(s, 1, campaign);
	sqlite3_bind_text(s, 2, iccid, -1, SQLITE_STATIC);
	rc = step_row(db, s, "message", err, errlen);
	if (rc == OPS_ENOTFOUND)
		snprintf(err, errlen, "card %s has no message in this campaign", iccid);
	if (rc != 0)
		return rc;
	memset(m, 0, sizeof(*m));
	msg_row(s, m);
	sqlite3_reset(s);
	return 0;
}

int ops_db_msg_latest(struct ops_db *db, const char *iccid, int64_t *campaign, int *state,
		      char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_MSG_LATEST);
	int rc;

	if (s == NULL)
		return dberr(db, "message", err, errlen);
	sqlite3_bind_text(s, 1, iccid, -1, SQLITE_STATIC);
	rc = step_row(db, s, "message", err, errlen);
	if (rc != 0)
		return rc;	/* OPS_ENOTFOUND: no message, err untouched */
	*campaign = sqlite3_column_int64(s, 0);
	*state = name_index(msg_state_names, OPS_MSG_NSTATES, sqlite3_column_text(s, 1));
	sqlite3_reset(s);
	return 0;
}

int ops_db_msg_set_state(struct ops_db *db, const struct ops_msg *m, int state, int rsc,
			 char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_MSG_STATE);

	if (s == NULL)
		return dberr(db, "message", err, errlen);
	if (state < 0 || state >= OPS_MSG_NSTATES) {
		snprintf(err, errlen, "bad message state");
		return OPS_EARG;
	}
	sqlite3_bind_int64(s, 1, m->campaign);
	sqlite3_bind_text(s, 5, m->iccid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, msg_state_names[state], -1, SQLITE_STATIC);
	if (rsc >= 0)
		sqlite3_bind_int(s, 3, rsc);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)time(NULL));
	return step_done(db, s, "message", err, errlen);
}

/* The output files' columns only (ops_db_msg_each_out). */
static void msg_row_out(sqlite3_stmt *s, int64_t campaign, struct ops_msg *m)
{
	m->campaign = campaign;
	copy_text(m->iccid, sizeof(m->iccid), sqlite3_column_text(s, 0));
	copy_text(m->imsi, sizeof(m->imsi), sqlite3_column_text(s, 1));
	m->key_index = (unsigned)sqlite3_column_int(s, 2);
	m->cntr = (uint64_t)sqlite3_column_int64(s, 3);
	copy_text(m->new_imsi, sizeof(m->new_imsi), sqlite3_column_text(s, 4));
	m->new_index = sqlite3_column_type(s, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 5);
	m->tpdu_len = copy_blob(m->tpdu, sizeof(m->tpdu), s, 6);
}

static int msg_each(struct ops_db *db, int64_t campaign, int out,
		    int (*cb)(void *ctx, const struct ops_msg *m), void *ctx, char *err,
		    size_t errlen)
{
	sqlite3_stmt *s;
	struct ops_msg *m = malloc(sizeof(*m));
	int rc;

	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return OPS_EIO;
	}
	/* its own statement: the callback may use the handle's others */
	if (sqlite3_prepare_v2(db->h, stmt_sql[out ? S_MSG_EACH_OUT : S_MSG_EACH], -1, &s, NULL) !=
	    SQLITE_OK) {
		free(m);
		return dberr(db, "messages", err, errlen);
	}
	sqlite3_bind_int64(s, 1, campaign);
	memset(m, 0, sizeof(*m));
	if (out) {
		m->state = -1;
		m->rsc = -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out)
			msg_row_out(s, campaign, m);
		else
			msg_row(s, m);
		rc = cb(ctx, m);
		if (rc != 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = dberr(db, "messages", err, errlen);
	sqlite3_finalize(s);
	free(m);
	return rc;
}

int ops_db_msg_each(struct ops_db *db, int64_t campaign,
		    int (*cb)(void *ctx, const struct ops_msg *m), void *ctx, char *err,
		    size_t errlen)
{
	return msg_each(db, campaign, 0, cb, ctx, err, errlen);
}

int ops_db_msg_each_out(struct ops_db *db, int64_t campaign,
			int (*cb)(void *ctx, const struct ops_msg *m), void *ctx, char *err,
			size_t errlen)
{
	return msg_each(db, campaign, 1, cb, ctx, err, errlen);
}

int ops_db_msg_counts(struct ops_db *db, int64_t campaign, uint64_t counts[OPS_MSG_NSTATES],
		      char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, campaign < 0 ? S_MSG_COUNT_ALL : S_MSG_COUNT);
	int rc;

	memset(counts, 0, sizeof(uint64_t) * OPS_MSG_NSTATES);
	if (s == NULL)
		return dberr(db, "counts", err, errlen);
	if (campaign >= 0)
		sqlite3_bind_int64(s, 1, campaign);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int st = name_index(msg_state_names, OPS_MSG_NSTATES, sqlite3_column_text(s, 0));

		if (st >= 0)
			counts[st] = (uint64_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : dberr(db, "counts", err, errlen);
}

/* ---- PoRs ----------------------------------------------------------- */

int ops_db_por_add(struct ops_db *db, const struct ops_msg *m, const uint8_t *por, size_t len,
		   int verified, int rsc, const char *verdict, char *err, size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_POR_ADD);

	if (s == NULL)
		return dberr(db, "por", err, errlen);
	sqlite3_bind_int64(s, 1, m->campaign);
	sqlite3_bind_text(s, 7, m->iccid, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, por != NULL ? (const void *)por : "", (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)time(NULL));
	sqlite3_bind_int(s, 4, verified ? 1 : 0);
	if (rsc >= 0)
		sqlite3_bind_int(s, 5, rsc);
	sqlite3_bind_text(s, 6, verdict != NULL ? verdict : "", -1, SQLITE_STATIC);
	return step_done(db, s, "por", err, errlen);
}

int ops_db_por_count(struct ops_db *db, const struct ops_msg *m, uint64_t *n, char *err,
		     size_t errlen)
{
	sqlite3_stmt *s = stmt(db, S_POR_COUNT);
	int rc;

	if (s == NULL)
		return dberr(db, "por", err, errlen);
	sqlite3_bind_int64(s, 1, m->campaign);
	sqlite3_bind_text(s, 2, m->iccid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : dberr(db, "por", err, errlen);
}
