/*
 * escrow.h - the key escrow of the manufacturer / trusted third party
 * (doc/operator-files.md, "Escrow database"; TR 33.812 §5.4.2.2).
 *
 * An SQLite database (WAL, foreign keys on, created 0600) holding every key
 * set of every card personalised, each one as an AES-256-GCM blob under a
 * 32-byte master key, with "uicckit-escrow v1" || ICCID || index as
 * associated data (a blob moved to another row does not decrypt).  A check
 * value makes a wrong master key an error at open.
 *
 * Release rule: (ICCID, index) to a party (SHA-256 of its certificate) is
 * refused when index is lower than the card's current index (the highest
 * released so far) or when it was released to a different party; the same
 * party again is allowed.  Every release and every refusal is logged.
 *
 * Contract: functions return 0 or a negative OPS_E* code with a one-line
 * reason in err; every change happens in one SQLite transaction, so an
 * error leaves the database as it was.  Key material returned is wiped by
 * ops_keyrecs_free() / ops_keyrec_cleanse(); the master key held by an open
 * escrow is wiped by ops_escrow_close().
 */
#ifndef UK_OPS_ESCROW_H
#define UK_OPS_ESCROW_H

#include <stddef.h>
#include <stdint.h>
#include "ops/cms.h"
#include "ops/keyfile.h"

#define OPS_MASTER_KEY_LEN 32

/* Read a master-key file: 64 hex digits (surrounding blanks/newline
 * allowed).  Refused (OPS_EARG) when group or others have any access to
 * it.  The caller wipes key with OPENSSL_cleanse. */
int ops_master_key_read(const char *path, uint8_t key[OPS_MASTER_KEY_LEN], char *err,
			size_t errlen);

struct ops_escrow;

enum {
	OPS_ESCROW_CREATE = 1,	/* create the database (mode 0600) if it does not exist */
	OPS_ESCROW_RDONLY = 2,	/* read-only: status and log only (master may be NULL) */
};

/* Open (or create) the escrow.  master NULL requires OPS_ESCROW_RDONLY; a
 * given master key is checked against the check value (OPS_ECRYPTO when
 * wrong).  OPS_ENOTFOUND when the file does not exist and CREATE is not
 * set; OPS_EFORMAT when it is not an escrow of this schema version. */
int ops_escrow_open(const char *path, const uint8_t *master, unsigned flags,
		    struct ops_escrow **out, char *err, size_t errlen);
void ops_escrow_close(struct ops_escrow *e);

/* 1 if the card is in the escrow, 0 if not, <0 on error. */
int ops_escrow_has_card(struct ops_escrow *e, const char *iccid, char *err, size_t errlen);

/* Add cards with all their key sets, in one transaction.  The records of a
 * card must have indexes 0..n-1 (any order); the card's IMSI is that of key
 * set 0.  A card already in the escrow refuses the whole call
 * (OPS_EREFUSED); nothing is added then. */
int ops_escrow_add(struct ops_escrow *e, const struct ops_keyrecs *l, char *err,
		   size_t errlen);

/* Append a card's key sets (all, index order) to out, decrypted.  Not
 * logged: for the manufacturer's own use (building the card image). */
int ops_escrow_get(struct ops_escrow *e, const char *iccid, struct ops_keyrecs *out,
		   char *err, size_t errlen);

struct ops_release_req {
	char iccid[24];
	unsigned index;
	unsigned line;		/* caller's reference (CSV line), logged in the reason */
	/* out */
	int rc;			/* 0 released, OPS_EREFUSED / OPS_ENOTFOUND / OPS_EARG */
	char reason[192];
};

/* Release each request to `to` under the rule above, in one transaction;
 * out_name (the key file to be written) is recorded with each release.
 * Accepted key sets are appended to out (decrypted, request order).
 * Refused requests get rc/reason and a log row.  strict: when any request
 * is refused nothing is released (the refusals are still logged) and
 * OPS_EREFUSED is returned.  Otherwise 0, *accepted = requests released;
 * the call itself fails (nothing recorded) only on database or crypto
 * errors.  The record is committed before the caller writes the file: a
 * failed write is repaired by releasing again to the same party. */
int ops_escrow_release(struct ops_escrow *e, struct ops_release_req *reqs, size_t n,
		       const struct ops_party *to, const char *out_name, int strict,
		       struct ops_keyrecs *out, size_t *accepted, char *err, size_t errlen);

struct ops_card_status {
	char iccid[21];
	char imsi[16];
	unsigned n_keysets;
	int current_index;	/* highest index released so far, -1 if none */
	char created[32];	/* ISO 8601 UTC */
};
int ops_escrow_card(struct ops_escrow *e, const char *iccid, struct ops_card_status *st,
		    char *err, size_t errlen);

struct ops_release_info {
	char iccid[21];
	unsigned index;
	char party[65];		/* certificate SHA-256, hex */
	char subject[256];
	char time[32];
	char file[512];
};
/* Releases of one card (iccid) or of all cards (iccid NULL), oldest first;
 * cb returns non-zero to stop. */
int ops_escrow_releases(struct ops_escrow *e, const char *iccid,
			int (*cb)(const struct ops_release_info *r, void *arg), void *arg,
			char *err, size_t errlen);

struct ops_log_entry {
	long long id;
	char time[32];
	char action[16];	/* "create", "add", "release" */
	char iccid[24];		/* "" when not about one card */
	int index;		/* -1 when not about one key set */
	char party[65];
	char subject[256];
	char outcome[16];	/* "ok", "refused" */
	char reason[256];
};
/* The log, oldest first; cb returns non-zero to stop. */
int ops_escrow_log(struct ops_escrow *e, int (*cb)(const struct ops_log_entry *l, void *arg),
		   void *arg, char *err, size_t errlen);

/* Number of cards in the escrow, or <0. */
long long ops_escrow_count(struct ops_escrow *e, char *err, size_t errlen);

/* Tests: make the next `after`-th COMMIT fail (SQLite turns it into a
 * rollback, sqlite3_commit_hook); 0 disarms. */
void ops_escrow_fail_commit(struct ops_escrow *e, unsigned after);

#endif
