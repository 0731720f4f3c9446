/*
 * escrow.c - the key escrow; see ops/escrow.h and doc/operator-files.md.
 *
 * Schema (version 1, meta.schema):
 *   meta(key, value)                 schema, check (nonce || GCM ciphertext || tag)
 *   cards(iccid, imsi, n_keysets, created)
 *   keysets(iccid -> cards, idx, nonce, blob)      blob = GCM ciphertext || tag
 *   releases(id, iccid, idx -> keysets, party, subject, time, file)
 *   log(id, time, action, iccid, idx, party, subject, outcome, reason)
 * The current index of a card is MAX(releases.idx) of that card.
 *
 * Blobs: AES-256-GCM (NIST SP 800-38D), 12-byte random nonce, 16-byte tag,
 * associated data "uicckit-escrow v1" 00 ICCID 00 index (one byte), so a
 * blob copied to another row does not decrypt.  Plaintext (161 bytes):
 *   0 layout version (1) | 1 alg | 2 op_is_opc | 3 k_len | 4 opc_len |
 *   5 kic | 6 kid | 7 kic_len | 8 kid_len | 9 tar[3] | 12 cntr[5] (big
 *   endian) | 17 imsi[16] (NUL padded) | 33 k[32] | 65 opc[32] |
 *   97 kic_key[32] | 129 kid_key[32]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "common/bcd.h"
#include "common/buf.h"
#include "common/hex.h"
#include "ops/escrow.h"
#include "ops/util.h"

#define SCHEMA_VERSION "1"
#define AAD_PREFIX "uicckit-escrow v1"
#define CHECK_TEXT "uicckit-escrow master key check v1"
#define NONCE_LEN 12
#define TAG_LEN 16
#define BLOB_PT_LEN 161
#define BLOB_LEN (BLOB_PT_LEN + TAG_LEN)

struct ops_escrow {
	sqlite3 *db;
	uint8_t key[OPS_MASTER_KEY_LEN];
	int have_key, rdonly;
	unsigned fail_after;	/* tests: fail the n-th commit */
};

static int db_fail(struct ops_escrow *e, char *err, size_t errlen, const char *what)
{
	ops_reason(err, errlen, "escrow: %s: %s", what, sqlite3_errmsg(e->db));
	return OPS_EDB;
}

static void now_iso(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ------------------------------------------------------------ master key */

int ops_master_key_read(const char *path, uint8_t key[OPS_MASTER_KEY_LEN], char *err,
			size_t errlen)
{
	char buf[160];
	struct stat st;
	size_t n = 0, a, b;
	ssize_t r;
	int fd, rc = OPS_EARG;

	if (path == NULL) {
		ops_reason(err, errlen, "no master-key file given");
		return OPS_EARG;
	}
	fd = ops_file_open(path, &st, err, errlen);
	if (fd < 0)
		return fd;	/* OPS_EIO, or OPS_EARG: not a regular file */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		ops_reason(err, errlen, "%s: mode %04o: group or others have access (chmod 600 it)", path,
		       (unsigned)(st.st_mode & 07777));
		close(fd);
		return OPS_EARG;
	}
	if ((unsigned long long)st.st_size >= sizeof(buf)) {
		/* 64 hex digits and some white space: anything longer is not a key file */
		ops_reason(err, errlen, "%s: want 64 hex digits (the 32-byte master key)", path);
		close(fd);
		return OPS_EARG;
	}
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ops_reason(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			return OPS_EIO;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	for (a = 0; a < n && (buf[a] == ' ' || buf[a] == '\t' || buf[a] == '\n' || buf[a] == '\r');)
		a++;
	for (b = n; b > a && (buf[b - 1] == ' ' || buf[b - 1] == '\t' || buf[b - 1] == '\n' ||
			      buf[b - 1] == '\r');)
		b--;
	buf[b] = '\0';
	if (b - a != 2 * OPS_MASTER_KEY_LEN) {
		ops_reason(err, errlen, "%s: want 64 hex digits (the 32-byte master key)", path);
		goto done;
	}
	for (size_t i = a; i < b; i++) {
		char c = buf[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
			ops_reason(err, errlen, "%s: not hexadecimal", path);
			goto done;
		}
	}
	if (uk_hex_decode_exact(buf + a, key, OPS_MASTER_KEY_LEN) != UK_HEX_OK) {
		ops_reason(err, errlen, "%s: want 64 hex digits", path);
		goto done;
	}
	rc = 0;
done:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* ------------------------------------------------------------------- GCM */

static int gcm(int enc, const uint8_t key[32], const uint8_t nonce[NONCE_LEN],
	       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
	       uint8_t tag[TAG_LEN])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	if (c == NULL)
		return -1;
	ok = EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
	     EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) == 1 &&
	     EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) == 1 &&
	     EVP_CipherUpdate(c, out, &n, in, (int)len) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
	if (ok)
		ok = EVP_CipherFinal_ex(c, out + n, &n) == 1;	/* decrypt: tag check */
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		OPENSSL_cleanse(out, len);
	return ok ? 0 : -1;
}

static size_t make_aad(uint8_t *aad, const char *iccid, unsigned index)
{
	size_t n = sizeof(AAD_PREFIX) - 1, l = strlen(iccid);

	memcpy(aad, AAD_PREFIX, n);
	aad[n++] = 0;
	memcpy(aad + n, iccid, l);
	n += l;
	aad[n++] = 0;
	aad[n++] = (uint8_t)index;
	return n;
}

static void blob_pt(const struct ops_keyrec *r, uint8_t p[BLOB_PT_LEN])
{
	memset(p, 0, BLOB_PT_LEN);
	p[0] = 1;
	p[1] = r->alg;
	p[2] = r->op_is_opc;
	p[3] = r->k_len;
	p[4] = r->opc_len;
	p[5] = r->kic;
	p[6] = r->kid;
	p[7] = r->kic_len;
	p[8] = r->kid_len;
	memcpy(p + 9, r->tar, 3);
	uk_put_be(p + 12, r->cntr, 5);
	memcpy(p + 17, r->imsi, strnlen(r->imsi, 15));
	memcpy(p + 33, r->k, 32);
	memcpy(p + 65, r->opc, 32);
	memcpy(p + 97, r->kic_key, 32);
	memcpy(p + 129, r->kid_key, 32);
}

static int blob_parse(const uint8_t p[BLOB_PT_LEN], struct ops_keyrec *r)
{
	if (p[0] != 1 || p[3] > 32 || p[4] > 32 || p[7] > 32 || p[8] > 32 || p[17 + 15] != 0)
		return -1;
	r->alg = p[1];
	r->op_is_opc = p[2];
	r->k_len = p[3];
	r->opc_len = p[4];
	r->kic = p[5];
	r->kid = p[6];
	r->kic_len = p[7];
	r->kid_len = p[8];
	memcpy(r->tar, p + 9, 3);
	r->cntr = uk_get_be(p + 12, 5);
	memcpy(r->imsi, p + 17, 16);
	r->imsi[15] = '\0';
	memcpy(r->k, p + 33, 32);
	memcpy(r->opc, p + 65, 32);
	memcpy(r->kic_key, p + 97, 32);
	memcpy(r->kid_key, p + 129, 32);
	return 0;
}

static int seal_keyset(const struct ops_escrow *e, const struct ops_keyrec *r,
		       uint8_t nonce[NONCE_LEN], uint8_t blob[BLOB_LEN])
{
	uint8_t pt[BLOB_PT_LEN], aad[64];
	size_t aad_len = make_aad(aad, r->iccid, r->index);
	int rc;

	if (RAND_bytes(nonce, NONCE_LEN) != 1)
		return -1;
	blob_pt(r, pt);
	rc = gcm(1, e->key, nonce, aad, aad_len, pt, BLOB_PT_LEN, blob, blob + BLOB_PT_LEN);
	OPENSSL_cleanse(pt, sizeof(pt));
	return rc;
}

static int open_keyset(const struct ops_escrow *e, const char *iccid, unsigned index,
		       const void *nonce, int nonce_len, const void *blob, int blob_len,
		       struct ops_keyrec *r)
{
	uint8_t pt[BLOB_PT_LEN], aad[64], tag[TAG_LEN];
	size_t aad_len = make_aad(aad, iccid, index);
	int rc;

	if (nonce_len != NONCE_LEN || blob_len != BLOB_LEN)
		return -1;
	memcpy(tag, (const uint8_t *)blob + BLOB_PT_LEN, TAG_LEN);
	if (gcm(0, e->key, nonce, aad, aad_len, blob, BLOB_PT_LEN, pt, tag) != 0)
		return -1;
	memset(r, 0, sizeof(*r));
	rc = blob_parse(pt, r);
	OPENSSL_cleanse(pt, sizeof(pt));
	if (rc != 0) {
		ops_keyrec_cleanse(r);
		return -1;
	}
	snprintf(r->iccid, sizeof(r->iccid), "%s", iccid);
	r->index = index;
	return 0;
}

/* ------------------------------------------------------------ SQL helpers */

static int exec(struct ops_escrow *e, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(e->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(e, err, errlen, sql);
	return 0;
}

static int begin(struct ops_escrow *e, char *err, size_t errlen)
{
	return exec(e, "BEGIN IMMEDIATE", err, errlen);
}

static int commit(struct ops_escrow *e, char *err, size_t errlen)
{
	if (sqlite3_exec(e->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = db_fail(e, err, errlen, "commit");

		if (!sqlite3_get_autocommit(e->db))
			sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return 0;
}

static void rollback(struct ops_escrow *e)
{
	if (!sqlite3_get_autocommit(e->db))
		sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
}

static int commit_hook(void *arg)
{
	struct ops_escrow *e = arg;

	if (e->fail_after == 0)
		return 0;
	if (--e->fail_after == 0)
		return 1;	/* non-zero: SQLite rolls the transaction back */
	return 0;
}

void ops_escrow_fail_commit(struct ops_escrow *e, unsigned after)
{
	if (e != NULL)
		e->fail_after = after;
}

static sqlite3_stmt *prep(struct ops_escrow *e, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(e->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(e, err, errlen, "prepare");
		return NULL;
	}
	return st;
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static int log_row(struct ops_escrow *e, const char *action, const char *iccid, int index,
		   const char *party, const char *subject, const char *outcome,
		   const char *why, char *err, size_t errlen)
{
	sqlite3_stmt *st = prep(e,
				"INSERT INTO log (time, action, iccid, idx, party, subject, outcome,"
				" reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				err, errlen);
	char t[32];
	int rc;

	if (st == NULL)
		return OPS_EDB;
	now_iso(t);
	sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
	if (iccid != NULL)
		sqlite3_bind_text(st, 3, iccid, -1, SQLITE_TRANSIENT);
	if (index >= 0)
		sqlite3_bind_int(st, 4, index);
	if (party != NULL)
		sqlite3_bind_text(st, 5, party, -1, SQLITE_TRANSIENT);
	if (subject != NULL)
		sqlite3_bind_text(st, 6, subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, outcome, -1, SQLITE_STATIC);
	if (why != NULL)
		sqlite3_bind_text(st, 8, why, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(e, err, errlen, "log");
	sqlite3_finalize(st);
	return rc;
}

/* ------------------------------------------------------------ open/close */

static const char schema_sql[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);"
	"CREATE TABLE cards (iccid TEXT PRIMARY KEY, imsi TEXT NOT NULL,"
	" n_keysets INTEGER NOT NULL CHECK (n_keysets BETWEEN 1 AND 16),"
	" created TEXT NOT NULL);"
	"CREATE TABLE keysets (iccid TEXT NOT NULL REFERENCES cards(iccid),"
	" idx INTEGER NOT NULL CHECK (idx BETWEEN 0 AND 15), nonce BLOB NOT NULL,"
	" blob BLOB NOT NULL, PRIMARY KEY (iccid, idx));"
	"CREATE TABLE releases (id INTEGER PRIMARY KEY, iccid TEXT NOT NULL, idx INTEGER NOT NULL,"
	" party TEXT NOT NULL, subject TEXT NOT NULL, time TEXT NOT NULL, file TEXT NOT NULL,"
	" FOREIGN KEY (iccid, idx) REFERENCES keysets(iccid, idx));"
	"CREATE INDEX releases_key ON releases (iccid, idx);"
	"CREATE TABLE log (id INTEGER PRIMARY KEY, time TEXT NOT NULL, action TEXT NOT NULL,"
	" iccid TEXT, idx INTEGER, party TEXT, subject TEXT, outcome TEXT NOT NULL, reason TEXT);";

static int meta_put(struct ops_escrow *e, const char *key, const void *v, int len, char *err,
		    size_t errlen)
{
	sqlite3_stmt *st = prep(e, "INSERT INTO meta (key, value) VALUES (?, ?)", err, errlen);
	int rc;

	if (st == NULL)
		return OPS_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, v, len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(e, err, errlen, "meta");
	sqlite3_finalize(st);
	return rc;
}

static int init_schema(struct ops_escrow *e, char *err, size_t errlen)
{
	uint8_t check[NONCE_LEN + sizeof(CHECK_TEXT) - 1 + TAG_LEN];
	const size_t tl = sizeof(CHECK_TEXT) - 1;
	int rc;

	if (RAND_bytes(check, NONCE_LEN) != 1 ||
	    gcm(1, e->key, check, (const uint8_t *)AAD_PREFIX, sizeof(AAD_PREFIX) - 1,
		(const uint8_t *)CHECK_TEXT, tl, check + NONCE_LEN, check + NONCE_LEN + tl) != 0) {
		ops_reason(err, errlen, "escrow: cannot make the check value");
		return OPS_ECRYPTO;
	}
	rc = begin(e, err, errlen);
	if (rc != 0)
		return rc;
	if ((rc = exec(e, schema_sql, err, errlen)) != 0 ||
	    (rc = meta_put(e, "schema", SCHEMA_VERSION, 1, err, errlen)) != 0 ||
	    (rc = meta_put(e, "check", check, (int)sizeof(check), err, errlen)) != 0 ||
	    (rc = log_row(e, "create", NULL, -1, NULL, NULL, "ok", "escrow created", err,
			  errlen)) != 0) {
		rollback(e);
		return rc;
	}
	return commit(e, err, errlen);
}

static int check_master(struct ops_escrow *e, char *err, size_t errlen)
{
	sqlite3_stmt *st = prep(e, "SELECT value FROM meta WHERE key = 'check'", err, errlen);
	const size_t tl = sizeof(CHECK_TEXT) - 1;
	uint8_t buf[NONCE_LEN + sizeof(CHECK_TEXT) - 1 + TAG_LEN], pt[sizeof(CHECK_TEXT)];
	int rc = OPS_EFORMAT;

	if (st == NULL)
		return OPS_EDB;
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_bytes(st, 0) != (int)sizeof(buf)) {
		ops_reason(err, errlen, "escrow: no master-key check value");
		goto done;
	}
	memcpy(buf, sqlite3_column_blob(st, 0), sizeof(buf));
	if (gcm(0, e->key, buf, (const uint8_t *)AAD_PREFIX, sizeof(AAD_PREFIX) - 1,
		buf + NONCE_LEN, tl, pt, buf + NONCE_LEN + tl) != 0 ||
	    CRYPTO_memcmp(pt, CHECK_TEXT, tl) != 0) {
		ops_reason(err, errlen, "escrow: wrong master key (the check value does not decrypt)");
		rc = OPS_ECRYPTO;
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

/* 1: the database has no tables at all (just created, or an empty file). */
static int is_empty_db(struct ops_escrow *e)
{
	sqlite3_stmt *st = prep(e, "SELECT count(*) FROM sqlite_master", NULL, 0);
	int empty = 0;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		empty = sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	return empty;
}

static int check_schema(struct ops_escrow *e, char *err, size_t errlen)
{
	sqlite3_stmt *st = prep(e, "SELECT value FROM meta WHERE key = 'schema'", NULL, 0);
	int rc = OPS_EFORMAT;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 1 &&
	    memcmp(sqlite3_column_blob(st, 0), SCHEMA_VERSION, 1) == 0)
		rc = 0;
	else
		ops_reason(err, errlen, "escrow: not a uicckit escrow database of schema version %s",
		       SCHEMA_VERSION);
	sqlite3_finalize(st);
	return rc;
}

int ops_escrow_open(const char *path, const uint8_t *master, unsigned flags,
		    struct ops_escrow **out, char *err, size_t errlen)
{
	struct ops_escrow *e;
	int rdonly = (flags & OPS_ESCROW_RDONLY) != 0, created = 0, rc;
	struct stat st;

	if (out == NULL || path == NULL || (master == NULL && !rdonly) ||
	    (rdonly && (flags & OPS_ESCROW_CREATE))) {
		ops_reason(err, errlen, "escrow: bad arguments (no path, or no master key)");
		return OPS_EARG;
	}
	*out = NULL;
	if (stat(path, &st) != 0) {
		int fd;

		if (errno != ENOENT || !(flags & OPS_ESCROW_CREATE)) {
			ops_reason(err, errlen, "escrow: %s: %s", path, strerror(errno));
			return errno == ENOENT ? OPS_ENOTFOUND : OPS_EIO;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			ops_reason(err, errlen, "escrow: %s: cannot create: %s", path, strerror(errno));
			return OPS_EIO;
		}
		close(fd);
		created = 1;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		ops_reason(err, errlen, "out of memory");
		return OPS_EARG;
	}
	e->rdonly = rdonly;
	if (master != NULL) {
		memcpy(e->key, master, OPS_MASTER_KEY_LEN);
		e->have_key = 1;
	}
	if (sqlite3_open_v2(path, &e->db,
			    rdonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = OPS_EDB;
		ops_reason(err, errlen, "escrow: %s: %s", path, e->db ? sqlite3_errmsg(e->db) : "open");
		goto fail;
	}
	sqlite3_busy_timeout(e->db, 10000);
	sqlite3_commit_hook(e->db, commit_hook, e);
	if ((rc = exec(e, "PRAGMA foreign_keys = ON", err, errlen)) != 0)
		goto fail;
	if (!rdonly && ((rc = exec(e, "PRAGMA journal_mode = WAL", err, errlen)) != 0 ||
			(rc = exec(e, "PRAGMA synchronous = FULL", err, errlen)) != 0))
		goto fail;
	if (!rdonly && (created || ((flags & OPS_ESCROW_CREATE) && is_empty_db(e)))) {
		rc = init_schema(e, err, errlen);
		if (rc != 0)
			goto fail;
	}
	if ((rc = check_schema(e, err, errlen)) != 0)
		goto fail;
	if (e->have_key && (rc = check_master(e, err, errlen)) != 0)
		goto fail;
	*out = e;
	return 0;
fail:
	ops_escrow_close(e);
	if (created)
		unlink(path);	/* nothing committed in it */
	return rc;
}

void ops_escrow_close(struct ops_escrow *e)
{
	if (e == NULL)
		return;
	if (e->db != NULL)
		sqlite3_close(e->db);
	OPENSSL_cleanse(e->key, sizeof(e->key));
	free(e);
}

static int need_key(struct ops_escrow *e, char *err, size_t errlen)
{
	if (e == NULL || !e->have_key) {
		ops_reason(err, errlen, "escrow: opened without the master key");
		return OPS_EARG;
	}
	return 0;
}

/* ---------------------------------------------------------------- cards */

int ops_escrow_has_card(struct ops_escrow *e, const char *iccid, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (e == NULL || iccid == NULL) {
		ops_reason(err, errlen, "escrow: bad arguments");
		return OPS_EARG;
	}
	st = prep(e, "SELECT 1 FROM cards WHERE iccid = ?", err, errlen);
	if (st == NULL)
		return OPS_EDB;
	sqlite3_bind_text(st, 1, iccid, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : db_fail(e, err, errlen, "card");
	sqlite3_finalize(st);
	return rc;
}

long long ops_escrow_count(struct ops_escrow *e, char *err, size_t errlen)
{
	sqlite3_stmt *st = e ? prep(e, "SELECT count(*) FROM cards", err, errlen) : NULL;
	long long n = OPS_EDB;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else if (e != NULL)
		db_fail(e, err, errlen, "count");
	sqlite3_finalize(st);
	return n;
}

int ops_escrow_add(struct ops_escrow *e, const struct ops_keyrecs *l, char *err,
		   size_t errlen)
{
	sqlite3_stmt *card = NULL, *ks = NULL;
	size_t i = 0, cards = 0;
	char t[32], why[96];
	int rc;

	if ((rc = need_key(e, err, errlen)) != 0)
		return rc;
	if (l == NULL || l->n == 0) {
		ops_reason(err, errlen, "escrow: no key sets to add");
		return OPS_EARG;
	}
	now_iso(t);
	if ((rc = begin(e, err, errlen)) != 0)
		return rc;
	card = prep(e, "INSERT INTO cards (iccid, imsi, n_keysets, created) VALUES (?, ?, ?, ?)",
		    err, errlen);
	ks = prep(e, "INSERT INTO keysets (iccid, idx, nonce, blob) VALUES (?, ?, ?, ?)", err,
		  errlen);
	if (card == NULL || ks == NULL) {
		rc = OPS_EDB;
		goto fail;
	}
	while (i < l->n) {
		const char *iccid = l->v[i].iccid;
		size_t j = i;
		unsigned mask = 0, n;
		const char *imsi = "";

		if (!uk_is_digits(iccid, 19, 20)) {
			ops_reason(err, errlen, "escrow: record %zu: bad ICCID", i + 1);
			rc = OPS_EARG;
			goto fail;
		}
		for (; j < l->n && strcmp(l->v[j].iccid, iccid) == 0; j++) {
			if (l->v[j].index > 15 || (mask & (1u << l->v[j].index))) {
				ops_reason(err, errlen, "escrow: card %s: index %u twice or out of range",
				       iccid, l->v[j].index);
				rc = OPS_EARG;
				goto fail;
			}
			mask |= 1u << l->v[j].index;
			if (l->v[j].index == 0)
				imsi = l->v[j].imsi;
		}
		n = (unsigned)(j - i);
		if (mask != (1u << n) - 1) {
			ops_reason(err, errlen, "escrow: card %s: key sets are not indexes 0..%u", iccid,
			       n - 1);
			rc = OPS_EARG;
			goto fail;
		}
		sqlite3_bind_text(card, 1, iccid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(card, 2, imsi, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(card, 3, (int)n);
		sqlite3_bind_text(card, 4, t, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(card);
		if (rc != SQLITE_DONE) {
			if (sqlite3_extended_errcode(e->db) == SQLITE_CONSTRAINT_PRIMARYKEY) {
				ops_reason(err, errlen, "escrow: card %s is already in the escrow", iccid);
				rc = OPS_EREFUSED;
			} else {
				rc = db_fail(e, err, errlen, "add card");
			}
			goto fail;
		}
		sqlite3_reset(card);
		for (; i < j; i++) {
			uint8_t nonce[NONCE_LEN], blob[BLOB_LEN];

			if (seal_keyset(e, &l->v[i], nonce, blob) != 0) {
				ops_reason(err, errlen, "escrow: cannot encrypt a key set");
				rc = OPS_ECRYPTO;
				goto fail;
			}
			sqlite3_bind_text(ks, 1, iccid, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(ks, 2, (int)l->v[i].index);
			sqlite3_bind_blob(ks, 3, nonce, NONCE_LEN, SQLITE_TRANSIENT);
			sqlite3_bind_blob(ks, 4, blob, BLOB_LEN, SQLITE_TRANSIENT);
			rc = sqlite3_step(ks);
			sqlite3_reset(ks);
			if (rc != SQLITE_DONE) {
				rc = db_fail(e, err, errlen, "add key set");
				goto fail;
			}
		}
		cards++;
	}
	sqlite3_finalize(card);
	sqlite3_finalize(ks);
	card = ks = NULL;
	snprintf(why, sizeof(why), "%zu cards, %zu key sets", cards, l->n);
	if ((rc = log_row(e, "add", NULL, -1, NULL, NULL, "ok", why, err, errlen)) != 0)
		goto fail;
	return commit(e, err, errlen);
fail:
	sqlite3_finalize(card);
	sqlite3_finalize(ks);
	rollback(e);
	return rc;
}

static int get_one(struct ops_escrow *e, sqlite3_stmt *st, const char *iccid, unsigned index,
		   struct ops_keyrec *r, char *err, size_t errlen)
{
	if (open_keyset(e, iccid, index, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0),
			sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), r) != 0) {
		ops_reason(err, errlen,
		       "escrow: key set %u of %s does not decrypt (moved or damaged row)", index,
		       iccid);
		return OPS_ECRYPTO;
	}
	return 0;
}

int ops_escrow_get(struct ops_escrow *e, const char *iccid, struct ops_keyrecs *out,
		   char *err, size_t errlen)
{
	sqlite3_stmt *st;
	struct ops_keyrecs tmp;
	struct ops_keyrec r;
	int rc, found = 0;

	if ((rc = need_key(e, err, errlen)) != 0)
		return rc;
	if (iccid == NULL || out == NULL) {
		ops_reason(err, errlen, "escrow: bad arguments");
		return OPS_EARG;
	}
	st = prep(e, "SELECT nonce, blob, idx FROM keysets WHERE iccid = ? ORDER BY idx", err,
		  errlen);
	if (st == NULL)
		return OPS_EDB;
	memset(&tmp, 0, sizeof(tmp));
	sqlite3_bind_text(st, 1, iccid, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = get_one(e, st, iccid, (unsigned)sqlite3_column_int(st, 2), &r, err, errlen);
		if (rc == 0 && ops_keyrecs_add(&tmp, &r) != 0) {
			ops_reason(err, errlen, "out of memory");
			rc = OPS_EARG;
		}
		ops_keyrec_cleanse(&r);
		if (rc != 0)
			goto done;
		found++;
	}
	if (rc != SQLITE_DONE) {
		rc = db_fail(e, err, errlen, "get");
		goto done;
	}
	if (!found) {
		ops_reason(err, errlen, "escrow: card %s is not in the escrow", iccid);
		rc = OPS_ENOTFOUND;
		goto done;
	}
	for (size_t i = 0; i < tmp.n; i++)
		if (ops_keyrecs_add(out, &tmp.v[i]) != 0) {
			ops_reason(err, errlen, "out of memory");
			rc = OPS_EARG;
			goto done;
		}
	rc = 0;
done:
	sqlite3_finalize(st);
	ops_keyrecs_free(&tmp);
	return rc;
}

/* --------------------------------------------------------------- release */

struct rel_stmts {
	sqlite3_stmt *card, *cur, *other, *blob, *ins;
};

static void rel_finalize(struct rel_stmts *s)
{
	sqlite3_finalize(s->card);
	sqlite3_finalize(s->cur);
	sqlite3_finalize(s->other);
	sqlite3_finalize(s->blob);
	sqlite3_finalize(s->ins);
	memset(s, 0, sizeof(*s));
}

static int rel_prepare(struct ops_escrow *e, struct rel_stmts *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->card = prep(e, "SELECT n_keysets FROM cards WHERE iccid = ?", err, errlen);
	s->cur = prep(e, "SELECT MAX(idx) FROM releases WHERE iccid = ?", err, errlen);
	s->other = prep(e,
			"SELECT subject, party FROM releases WHERE iccid = ? AND idx = ?"
			" AND party <> ? LIMIT 1",
			err, errlen);
	s->blob = prep(e, "SELECT nonce, blob FROM keysets WHERE iccid = ? AND idx = ?", err,
		       errlen);
	s->ins = prep(e,
		      "INSERT INTO releases (iccid, idx, party, subject, time, file)"
		      " VALUES (?, ?, ?, ?, ?, ?)",
		      err, errlen);
	if (!s->card || !s->cur || !s->other || !s->blob || !s->ins) {
		rel_finalize(s);
		return OPS_EDB;
	}
	return 0;
}

/* Decide one request: 0 accepted (r filled), >0 refused (req->rc/reason
 * set), <0 fatal error. */
static int rel_one(struct ops_escrow *e, struct rel_stmts *s, struct ops_release_req *q,
		   const char *fp, struct ops_keyrec *r, char *err, size_t errlen)
{
	int rc, n, cur;

	if (q->rc != 0)		/* marked as a duplicate */
		return 1;
	if (!uk_is_digits(q->iccid, 19, 20)) {
		q->rc = OPS_EARG;
		snprintf(q->reason, sizeof(q->reason), "ICCID is not 19 or 20 digits");
		return 1;
	}
	if (q->index > 15) {
		q->rc = OPS_EARG;
		snprintf(q->reason, sizeof(q->reason), "index %u is not 0..15", q->index);
		return 1;
	}
	sqlite3_reset(s->card);
	sqlite3_bind_text(s->card, 1, q->iccid, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s->card);
	if (rc == SQLITE_DONE) {
		q->rc = OPS_ENOTFOUND;
		snprintf(q->reason, sizeof(q->reason), "card %s is not in the escrow", q->iccid);
		return 1;
	}
	if (rc != SQLITE_ROW)
		return db_fail(e, err, errlen, "release");
	n = sqlite3_column_int(s->card, 0);
	if ((int)q->index >= n) {
		q->rc = OPS_ENOTFOUND;
		snprintf(q->reason, sizeof(q->reason), "card %s has %d key sets (0..%d)", q->iccid, n,
			 n - 1);
		return 1;
	}
	sqlite3_reset(s->cur);
	sqlite3_bind_text(s->cur, 1, q->iccid, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s->cur) != SQLITE_ROW)
		return db_fail(e, err, errlen, "release");
	cur = sqlite3_column_type(s->cur, 0) == SQLITE_NULL ? -1 : sqlite3_column_int(s->cur, 0);
	if ((int)q->index < cur) {
		q->rc = OPS_EREFUSED;
		snprintf(q->reason, sizeof(q->reason),
			 "index %u is lower than the card's current index %d", q->index, cur);
		return 1;
	}
	sqlite3_reset(s->other);
	sqlite3_bind_text(s->other, 1, q->iccid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s->other, 2, (int)q->index);
	sqlite3_bind_text(s->other, 3, fp, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s->other);
	if (rc == SQLITE_ROW) {
		char subj[128];

		col_text(s->other, 0, subj, sizeof(subj));
		q->rc = OPS_EREFUSED;
		snprintf(q->reason, sizeof(q->reason), "key set %u already released to %s", q->index,
			 subj);
		return 1;
	}
	if (rc != SQLITE_DONE)
		return db_fail(e, err, errlen, "release");
	sqlite3_reset(s->blob);
	sqlite3_bind_text(s->blob, 1, q->iccid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s->blob, 2, (int)q->index);
	if (sqlite3_step(s->blob) != SQLITE_ROW)
		return db_fail(e, err, errlen, "release: key set row");
	return get_one(e, s->blob, q->iccid, q->index, r, err, errlen);
}

static int log_refusal(struct ops_escrow *e, const struct ops_release_req *q, const char *fp,
		       const char *subject, const char *extra, char *err, size_t errlen)
{
	char why[320];

	if (q->line != 0)
		snprintf(why, sizeof(why), "%s (request line %u)%s", q->reason, q->line, extra);
	else
		snprintf(why, sizeof(why), "%s%s", q->reason, extra);
	return log_row(e, "release", q->iccid, (int)q->index, fp, subject, "refused", why, err,
		       errlen);
}

static int req_cmp(const void *a, const void *b)
{
	const struct ops_release_req *x = *(const struct ops_release_req *const *)a;
	const struct ops_release_req *y = *(const struct ops_release_req *const *)b;
	int c = strcmp(x->iccid, y->iccid);

	if (c != 0)
		return c;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x < y ? -1 : x > y;	/* earlier request first */
}

/* The same (ICCID, index) twice in one call is refused after the first:
 * a key file holds each key set once. */
static int mark_duplicates(struct ops_release_req *reqs, size_t n)
{
	struct ops_release_req **v;
	size_t i, first;

	for (i = 0; i < n; i++) {
		reqs[i].rc = 0;
		reqs[i].reason[0] = '\0';
	}
	if (n < 2)
		return 0;
	v = malloc(n * sizeof(struct ops_release_req *));
	if (v == NULL)
		return -1;
	for (i = 0; i < n; i++)
		v[i] = &reqs[i];
	qsort(v, n, sizeof(struct ops_release_req *), req_cmp);
	for (i = 1, first = 0; i < n; i++) {
		if (strcmp(v[i]->iccid, v[first]->iccid) != 0 || v[i]->index != v[first]->index) {
			first = i;
			continue;
		}
		v[i]->rc = OPS_EARG;
		if (v[first]->line != 0)
			snprintf(v[i]->reason, sizeof(v[i]->reason),
				 "duplicate of the request on line %u", v[first]->line);
		else
			snprintf(v[i]->reason, sizeof(v[i]->reason), "duplicate request");
	}
	free(v);
	return 0;
}

int ops_escrow_release(struct ops_escrow *e, struct ops_release_req *reqs, size_t n,
		       const struct ops_party *to, const char *out_name, int strict,
		       struct ops_keyrecs *out, size_t *accepted, char *err, size_t errlen)
{
	struct rel_stmts s;
	struct ops_keyrecs tmp;
	char fp[65], subject[256], t[32];
	size_t i, ok = 0, refused = 0;
	int rc;

	if ((rc = need_key(e, err, errlen)) != 0)
		return rc;
	if ((reqs == NULL && n != 0) || to == NULL || out == NULL || out_name == NULL) {
		ops_reason(err, errlen, "escrow: bad arguments");
		return OPS_EARG;
	}
	if (accepted != NULL)
		*accepted = 0;
	ops_party_fingerprint(to, fp);
	ops_party_subject(to, subject, sizeof(subject));
	if (fp[0] == '\0') {
		ops_reason(err, errlen, "escrow: cannot fingerprint the party's certificate");
		return OPS_ECRYPTO;
	}
	now_iso(t);
	memset(&tmp, 0, sizeof(tmp));
	if (mark_duplicates(reqs, n) != 0) {
		ops_reason(err, errlen, "out of memory");
		return OPS_EARG;
	}
	if ((rc = begin(e, err, errlen)) != 0)
		return rc;
	if ((rc = rel_prepare(e, &s, err, errlen)) != 0) {
		rollback(e);
		return rc;
	}
	for (i = 0; i < n; i++) {
		struct ops_release_req *q = &reqs[i];
		struct ops_keyrec r;

		memset(&r, 0, sizeof(r));
		rc = rel_one(e, &s, q, fp, &r, err, errlen);
		if (rc < 0) {
			ops_keyrec_cleanse(&r);
			goto fail;
		}
		if (rc > 0) {
			refused++;
			if (!strict && (rc = log_refusal(e, q, fp, subject, "", err, errlen)) != 0)
				goto fail;
			continue;
		}
		rc = ops_keyrecs_add(&tmp, &r);
		ops_keyrec_cleanse(&r);
		if (rc != 0) {
			ops_reason(err, errlen, "out of memory");
			goto fail;
		}
		sqlite3_reset(s.ins);
		sqlite3_bind_text(s.ins, 1, q->iccid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s.ins, 2, (int)q->index);
		sqlite3_bind_text(s.ins, 3, fp, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s.ins, 4, subject, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s.ins, 5, t, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s.ins, 6, out_name, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s.ins) != SQLITE_DONE) {
			rc = db_fail(e, err, errlen, "release");
			goto fail;
		}
		if ((rc = log_row(e, "release", q->iccid, (int)q->index, fp, subject, "ok", out_name,
				  err, errlen)) != 0)
			goto fail;
		ok++;
	}
	rel_finalize(&s);
	if (strict && refused > 0) {
		/* Nothing is released; the refusals are logged on their own. */
		rollback(e);
		ops_keyrecs_free(&tmp);
		if ((rc = begin(e, err, errlen)) != 0)
			return rc;
		for (i = 0; i < n; i++)
			if (reqs[i].rc != 0 &&
			    (rc = log_refusal(e, &reqs[i], fp, subject,
					      " (strict: whole request refused)", err, errlen)) != 0) {
				rollback(e);
				return rc;
			}
		if ((rc = commit(e, err, errlen)) != 0)
			return rc;
		ops_reason(err, errlen, "%zu of %zu requests refused; strict: nothing released", refused,
		       n);
		return OPS_EREFUSED;
	}
	if ((rc = commit(e, err, errlen)) != 0) {
		ops_keyrecs_free(&tmp);
		for (i = 0; i < n; i++)
			reqs[i].rc = rc;
		return rc;
	}
	for (i = 0; i < tmp.n; i++)
		if (ops_keyrecs_add(out, &tmp.v[i]) != 0) {
			/* recorded but not handed out: releasing again repairs it */
			ops_keyrecs_free(&tmp);
			ops_reason(err, errlen, "out of memory");
			return OPS_EARG;
		}
	ops_keyrecs_free(&tmp);
	if (accepted != NULL)
		*accepted = ok;
	return 0;
fail:
	rel_finalize(&s);
	rollback(e);
	ops_keyrecs_free(&tmp);
	return rc;
}

/* ---------------------------------------------------------------- status */

int ops_escrow_card(struct ops_escrow *e, const char *iccid, struct ops_card_status *out,
		    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (e == NULL || iccid == NULL || out == NULL) {
		ops_reason(err, errlen, "escrow: bad arguments");
		return OPS_EARG;
	}
	st = prep(e,
		  "SELECT c.iccid, c.imsi, c.n_keysets, c.created,"
		  " (SELECT MAX(idx) FROM releases r WHERE r.iccid = c.iccid)"
		  " FROM cards c WHERE c.iccid = ?",
		  err, errlen);
	if (st == NULL)
		return OPS_EDB;
	sqlite3_bind_text(st, 1, iccid, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		col_text(st, 0, out->iccid, sizeof(out->iccid));
		col_text(st, 1, out->imsi, sizeof(out->imsi));
		out->n_keysets = (unsigned)sqlite3_column_int(st, 2);
		col_text(st, 3, out->created, sizeof(out->created));
		out->current_index =
			sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		ops_reason(err, errlen, "escrow: card %s is not in the escrow", iccid);
		rc = OPS_ENOTFOUND;
	} else {
		rc = db_fail(e, err, errlen, "card");
	}
	sqlite3_finalize(st);
	return rc;
}

int ops_escrow_releases(struct ops_escrow *e, const char *iccid,
			int (*cb)(const struct ops_release_info *r, void *arg), void *arg,
			char *err, size_t errlen)
{
	sqlite3_stmt *st;
	struct ops_release_info r;
	int rc;

	if (e == NULL || cb == NULL) {
		ops_reason(err, errlen, "escrow: bad arguments");
		return OPS_EARG;
	}
	st = prep(e,
		  iccid ? "SELECT iccid, idx, party, subject, time, file FROM releases"
			  " WHERE iccid = ? ORDER BY id"
			: "SELECT iccid, idx, party, subject, time, file FROM releases ORDER BY id",
		  err, errlen);
	if (st == NULL)
		return OPS_EDB;
	if (iccid != NULL)
		sqlite3_bind_text(st, 1, iccid, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		col_text(st, 0, r.iccid, sizeof(r.iccid));
		r.index = (unsigned)sqlite3_column_int(st, 1);
		col_text(st, 2, r.party, sizeof(r.party));
		col_text(st, 3, r.subject, sizeof(r.subject));
		col_text(st, 4, r.time, sizeof(r.time));
		col_text(st, 5, r.file, sizeof(r.file));
		if (cb(&r, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : db_fail(e, err, errlen, "releases");
	sqlite3_finalize(st);
	return rc;
}

int ops_escrow_log(struct ops_escrow *e, int (*cb)(const struct ops_log_entry *l, void *arg),
		   void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	struct ops_log_entry l;
	int rc;

	if (e == NULL || cb == NULL) {
		ops_reason(err, errlen, "escrow: bad arguments");
		return OPS_EARG;
	}
	st = prep(e,
		  "SELECT id, time, action, iccid, idx, party, subject, outcome, reason"
		  " FROM log ORDER BY id",
		  err, errlen);
	if (st == NULL)
		return OPS_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&l, 0, sizeof(l));
		l.id = sqlite3_column_int64(st, 0);
		col_text(st, 1, l.time, sizeof(l.time));
		col_text(st, 2, l.action, sizeof(l.action));
		col_text(st, 3, l.iccid, sizeof(l.iccid));
		l.index = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
		col_text(st, 5, l.party, sizeof(l.party));
		col_text(st, 6, l.subject, sizeof(l.subject));
		col_text(st, 7, l.outcome, sizeof(l.outcome));
		col_text(st, 8, l.reason, sizeof(l.reason));
		if (cb(&l, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : db_fail(e, err, errlen, "log");
	sqlite3_finalize(st);
	return rc;
}
