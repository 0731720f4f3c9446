/*
 * opdb.h - the operator database (doc/operator-files.md, "Operator
 * database"): the cards an operator serves, the key sets it holds,
 * campaigns, one message per card and campaign, and the PoRs received.
 *
 * Contract: SQLite, WAL, synchronous FULL (a commit is durable when it
 * returns), foreign keys on, file created 0600, schema version in table
 * meta (a database of another version is refused at open).  Every function
 * returns 0 or a negative OPS_E* code (ops/cms.h) with a one-line reason in
 * err; "not found" is OPS_ENOTFOUND.  Statements are prepared once per
 * handle.  Writes join the transaction the caller opened with
 * ops_db_begin() (one per batch); without one, each write is its own.
 * ops_db_msg_record() reserves the key set's counter and records the
 * message in one statement pair that the caller's transaction covers, so a
 * counter is never handed out twice whatever instant the process dies.
 * Key bytes handed out in structs are the caller's to wipe
 * (ops_keyrec_cleanse() / OPENSSL_cleanse); the handle holds none.
 * One handle per thread.
 */
#ifndef UK_OPS_OPDB_H
#define UK_OPS_OPDB_H

#include <stddef.h>
#include <stdint.h>
#include "ops/cms.h"
#include "ops/keyfile.h"

#define OPS_DB_SCHEMA_VERSION 1

struct ops_db;

#define OPS_DB_CREATE 0x01	/* create the file (0600) and schema if absent */
#define OPS_DB_RDONLY 0x02

int ops_db_open(const char *path, unsigned flags, struct ops_db **out, char *err,
		size_t errlen);
void ops_db_close(struct ops_db *db);
/* How long a write waits for another writer's lock (default 10 s). */
void ops_db_set_busy_timeout(struct ops_db *db, int ms);
/* A second handle on the same database (for another thread). */
int ops_db_reopen(struct ops_db *db, struct ops_db **out, char *err, size_t errlen);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int ops_db_begin(struct ops_db *db, char *err, size_t errlen);
int ops_db_commit(struct ops_db *db, char *err, size_t errlen);
void ops_db_rollback(struct ops_db *db);
/* A read transaction (one snapshot for many lookups); end it with
 * ops_db_rollback(). */
int ops_db_begin_read(struct ops_db *db, char *err, size_t errlen);

/* Card states (cards.state). */
enum ops_card_state {
	OPS_CARD_ACTIVE = 0,		/* served by this operator */
	OPS_CARD_HANDED_OVER = 1,	/* switched away: no usable key set kept */
};

struct ops_card {
	char iccid[21];
	char imsi[16];			/* IMSI at this operator ("" unknown) */
	unsigned key_index;		/* key set in use on the card */
	int state;			/* enum ops_card_state */
};

/* Key set states (keysets.state). */
enum ops_ks_state {
	OPS_KS_ACTIVE = 0,		/* the card's key index names it */
	OPS_KS_HELD = 1,		/* held for a later index */
	OPS_KS_RETIRED = 2,		/* given up; key bytes wiped */
};

struct ops_keyset {
	struct ops_keyrec r;		/* iccid, index, keys; r.cntr = last used */
	uint64_t next_cntr;		/* next OTA counter to use */
	uint64_t sqn;			/* AuC: last SQN_HE used (48 bits) */
	int state;			/* enum ops_ks_state */
	int pending;			/* a rekey is waiting for its PoR */
	uint8_t pk[16], popc[16], pkic[16], pkid[16];	/* pending keys (rekey) */
};
void ops_keyset_cleanse(struct ops_keyset *ks);

int ops_db_card_get(struct ops_db *db, const char *iccid, struct ops_card *c, char *err,
		    size_t errlen);
int ops_db_card_by_imsi(struct ops_db *db, const char *imsi, struct ops_card *c, char *err,
			size_t errlen);
/* Insert or replace the card row (its key sets stay). */
int ops_db_card_put(struct ops_db *db, const struct ops_card *c, char *err, size_t errlen);

int ops_db_keyset_get(struct ops_db *db, const char *iccid, unsigned index,
		      struct ops_keyset *ks, char *err, size_t errlen);
/* Insert or replace the whole row (keys, counters, state, pending). */
int ops_db_keyset_put(struct ops_db *db, const struct ops_keyset *ks, char *err,
		      size_t errlen);
/* AuC: SQN_HE of the key set. */
int ops_db_keyset_set_sqn(struct ops_db *db, const char *iccid, unsigned index, uint64_t sqn,
			  char *err, size_t errlen);
/* Every key set of the card: state retired, key bytes and pending keys
 * wiped (zeroblob), counters kept. */
int ops_db_keyset_retire_all(struct ops_db *db, const char *iccid, char *err, size_t errlen);

/* Campaign kinds and rows. */
enum ops_campaign_kind { OPS_KIND_3B = 0, OPS_KIND_3A = 1, OPS_KIND_REKEY = 2 };
const char *ops_kind_name(int kind);

struct ops_campaign {
	int64_t id;
	char name[128];
	int kind;
	char digest[65];		/* SHA-256 of the input list, hex */
	char oa[21];			/* TP-OA of the SMS-DELIVERs */
	int64_t created;
};
int ops_db_campaign_get(struct ops_db *db, const char *name, struct ops_campaign *c,
			char *err, size_t errlen);
/* Visit every campaign in id order; cb returns 0 to go on. */
int ops_db_campaign_each(struct ops_db *db, int (*cb)(void *ctx, const struct ops_campaign *c),
			 void *ctx, char *err, size_t errlen);
/* Insert; c->id is set. */
int ops_db_campaign_add(struct ops_db *db, struct ops_campaign *c, char *err, size_t errlen);

/* Message states (messages.state). */
enum ops_msg_state { OPS_MSG_BUILT = 0, OPS_MSG_SENT = 1, OPS_MSG_DONE = 2, OPS_MSG_FAILED = 3 };
#define OPS_MSG_NSTATES 4
const char *ops_msg_state_name(int st);

#define OPS_MSG_PKT_MAX 1024
#define OPS_MSG_TPDU_MAX 2048

struct ops_msg {
	int64_t campaign;		/* (campaign, iccid) is the message's key */
	char iccid[21];
	char imsi[16];			/* the card's IMSI at the sender (SMS addressee) */
	unsigned key_index;		/* key set whose OTA keys protect it */
	uint64_t cntr;
	char new_imsi[16];		/* "" for rekey */
	int new_index;			/* -1 for rekey */
	uint8_t spi[2], kic, kid, tar[3];
	uint8_t packet[OPS_MSG_PKT_MAX];	/* secured packet, CPL..end */
	size_t packet_len;
	uint8_t tpdu[OPS_MSG_TPDU_MAX];	/* SMS-DELIVER TPDU(s): each as 1 length byte + TPDU */
	size_t tpdu_len;
	int state;
	int rsc;			/* -1 until a PoR */
	int64_t created, sent, done;
};

/* In the caller's transaction: UPDATE the key set's next counter to
 * m->cntr + 1 (refused, OPS_EREFUSED, unless m->cntr >= the key set's next
 * counter, so a counter is never reused) and INSERT the message (UNIQUE
 * campaign + iccid: OPS_EREFUSED if the card has one). */
int ops_db_msg_record(struct ops_db *db, struct ops_msg *m, char *err, size_t errlen);
/* The same for the n messages m[0..n-1], in the caller's transaction: 32
 * at a time, one UPDATE reserving their counters then one INSERT (the
 * statements' fixed cost shared), the rest one by one.  On an error
 * (OPS_EREFUSED: a counter below its key set's next one, a retired key set
 * or a card already in the campaign) the caller rolls the transaction
 * back: messages and counters go together. */
int ops_db_msg_record_many(struct ops_db *db, struct ops_msg *m, size_t n, char *err,
			   size_t errlen);
int ops_db_msg_get(struct ops_db *db, int64_t campaign, const char *iccid, struct ops_msg *m,
		   char *err, size_t errlen);
/* The newest message of the card in any campaign (OPS_ENOTFOUND if none):
 * its campaign id and state only. */
int ops_db_msg_latest(struct ops_db *db, const char *iccid, int64_t *campaign, int *state,
		      char *err, size_t errlen);
int ops_db_msg_set_state(struct ops_db *db, const struct ops_msg *m, int state, int rsc,
			 char *err, size_t errlen);
/* Visit the messages of a campaign in ICCID order; cb returns 0 to go on. */
int ops_db_msg_each(struct ops_db *db, int64_t campaign,
		    int (*cb)(void *ctx, const struct ops_msg *m), void *ctx, char *err,
		    size_t errlen);
/* The same with only what the output files need: iccid, imsi, key_index,
 * cntr, new_imsi, new_index and the TPDUs (no packet: packet_len 0, SPI,
 * KIc, KID, TAR zero; state and rsc -1; times 0). */
int ops_db_msg_each_out(struct ops_db *db, int64_t campaign,
			int (*cb)(void *ctx, const struct ops_msg *m), void *ctx, char *err,
			size_t errlen);
/* Number of messages per state (OPS_MSG_NSTATES counters); campaign < 0:
 * every campaign. */
int ops_db_msg_counts(struct ops_db *db, int64_t campaign, uint64_t counts[OPS_MSG_NSTATES],
		      char *err, size_t errlen);

/* A PoR as received, with what verification said. */
int ops_db_por_add(struct ops_db *db, const struct ops_msg *m, const uint8_t *por, size_t len,
		   int verified, int rsc, const char *verdict, char *err, size_t errlen);
/* Number of PoRs recorded for a message. */
int ops_db_por_count(struct ops_db *db, const struct ops_msg *m, uint64_t *n, char *err,
		     size_t errlen);

/* Everything a campaign checks for one row, in one lookup: the card (by
 * ICCID, or by IMSI when by_imsi), its key set in use (has_keyset), whether
 * it has a message in `campaign` (and its new IMSI), and the state of its
 * newest message in any other campaign (-1: none). */
struct ops_card_view {
	struct ops_card card;
	int has_keyset;
	struct ops_keyset ks;
	int in_campaign;
	char new_imsi[16];
	int other_state;
};
int ops_db_card_view(struct ops_db *db, const char *key, int by_imsi, int64_t campaign,
		     struct ops_card_view *v, char *err, size_t errlen);
/* The same for n cards by ICCID at once, into v[0..n-1]: found[i] says
 * whether iccid[i] is a card (v[i] is set only then).  n ==
 * OPS_DB_VIEW_GROUP makes one statement of them all; other n, one lookup
 * each. */
#define OPS_DB_VIEW_GROUP 32
int ops_db_card_view_many(struct ops_db *db, const char *const *iccid, size_t n,
			  int64_t campaign, struct ops_card_view *v, int *found, char *err,
			  size_t errlen);

/* Counts for status: cards per state, key sets held, campaigns. */
int ops_db_card_counts(struct ops_db *db, uint64_t *active, uint64_t *handed_over, char *err,
		       size_t errlen);

#endif
