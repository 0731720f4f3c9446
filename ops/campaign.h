/*
 * campaign.h - the operator's OTA campaigns (TR 33.812 §5.4.1.2 / §5.4.2.2;
 * doc/operator-files.md): import of key files and hand-over lists, the
 * Alternative 3b / 3a switch campaign, PoR ingestion, the 3a rekey.
 *
 * Contract.  Every function returns 0 or a negative OPS_E* code with a
 * one-line reason in err.  A campaign is idempotent and resumable: its
 * name fixes its kind and input (SHA-256 of the list); running it again
 * builds messages only for the cards that have none in it yet, then writes
 * the output files again from the database.  Messages are built with one
 * reused struct ota_crypto and recorded `batch` at a time, each batch one
 * transaction in which every message's counter is reserved (ops/opdb.h):
 * a kill at any instant loses at most the uncommitted batch, whose
 * packets were never written anywhere.  Output files are written only
 * after the messages are committed, atomically (ops_file_write).  A PoR
 * marks a message `done` only when its CC verifies under the key set that
 * protected the message, its counter and TAR are the message's, the RSC is
 * 00 and every command of the script succeeded; anything else is `failed`
 * with the reason recorded (an unverifiable PoR never marks success).  A
 * verified 3b or 3a switch hands the card over: no campaign sends it
 * anything again.  3b keeps the old key set for the AuC alone (the card
 * falls back to it if the new operator never authenticates, and refuses it
 * once the switch is confirmed); 3a wipes it (the card goes on using that
 * very key set for the new operator).  A verified rekey makes its pending
 * keys the key set's.
 */
#ifndef UK_OPS_CAMPAIGN_H
#define UK_OPS_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>
#include "ops/cms.h"
#include "ops/imsilist.h"
#include "ops/opdb.h"

/* TS 102 225 / TS 31.115 SPI of every campaign packet: counter higher than
 * the card's, ciphered, CC (16); PoR always, with CC, ciphered, in the
 * SMS-DELIVER-REPORT (19). */
#define OPS_SPI1 0x16
#define OPS_SPI2 0x19
#define OPS_DEFAULT_OA "+12345"

typedef void (*ops_progress_fn)(void *ctx, const char *what, uint64_t done, uint64_t total);

/* ---- import ----------------------------------------------------------- */

struct ops_import_result {
	int what;		/* 0 key file, 1 hand-over 3b, 2 hand-over 3a */
	uint64_t cards, keysets, unchanged;
	char signer[256];	/* subject of the verified signer */
};

/* One file: CMS (EnvelopedData opened with me, or SignedData), verified
 * against trust; a key file (JSON) or a hand-over list (CSV), told apart by
 * content.  All of it in one transaction, or nothing. */
int ops_import_file(struct ops_db *db, const struct ops_party *me, const struct ops_trust *trust,
		    const char *path, struct ops_import_result *res, char *err, size_t errlen);
/* The same for content already opened and verified. */
int ops_import_content(struct ops_db *db, const uint8_t *content, size_t len,
		       struct ops_import_result *res, char *err, size_t errlen);

/* ---- switch / rekey campaigns ----------------------------------------- */

struct ops_campaign_params {
	const char *name;
	int kind;			/* OPS_KIND_3B, OPS_KIND_3A, OPS_KIND_REKEY */
	const char *list;		/* IMSI list (3b/3a) or card list (rekey), CSV */
	size_t list_len;
	int strict;			/* any bad row: refuse before recording anything */
	const char *out;		/* message file (NULL: none) */
	int envelope;			/* message file holds ENVELOPE APDUs */
	const char *handover;		/* hand-over list (3b/3a; NULL: none) */
	const struct ops_party *signer;	/* signs the hand-over */
	const struct ops_party *recipient;	/* 3a: the hand-over is sealed to it */
	const char *oa;			/* TP-OA, NULL: OPS_DEFAULT_OA */
	size_t batch;			/* messages per transaction, 0: 16384 */
	ops_progress_fn progress;
	void *progress_ctx;
};

struct ops_campaign_result {
	int64_t campaign;
	int created;			/* the campaign row was made by this run */
	uint64_t rows;			/* good rows in the list */
	uint64_t built;			/* messages built by this run */
	uint64_t already;		/* cards that had a message in it before */
	uint64_t total;			/* messages in the campaign now */
	struct ops_list list;		/* parsed list; list.bad: rows left out */
};
void ops_campaign_result_free(struct ops_campaign_result *r);

/* Run (or complete) a campaign.  OPS_EREFUSED: --strict and bad rows, or a
 * campaign of that name with another kind or input. */
int ops_campaign_run(struct ops_db *db, const struct ops_campaign_params *p,
		     struct ops_campaign_result *res, char *err, size_t errlen);

/* Write the message file / hand-over list of a campaign from the database. */
int ops_campaign_write_messages(struct ops_db *db, const struct ops_campaign *c,
				const char *path, int envelope, char *err, size_t errlen);
int ops_campaign_write_handover(struct ops_db *db, const struct ops_campaign *c,
				const char *path, const struct ops_party *signer,
				const struct ops_party *recipient, char *err, size_t errlen);

/* The ENVELOPE APDUs of a message (each: 1 length byte + APDU, in out). */
int ops_msg_envelopes(const struct ops_msg *m, uint8_t *out, size_t cap, size_t *len);

/* ---- PoRs ------------------------------------------------------------- */

enum ops_por_verdict {
	OPS_POR_DONE = 0,		/* verified success: message done */
	OPS_POR_FAILED = 1,		/* verified error, or not verifiable */
	OPS_POR_IGNORED = 2,		/* message already done: recorded only */
};

struct ops_por_outcome {
	int verdict;
	int rsc;			/* -1 when none could be read */
	char why[160];
};

/* Verify one PoR (the `por` text as in a PoR file) against message m of
 * campaign c and record it and the message's new state, in the caller's
 * transaction (or its own). */
int ops_por_apply(struct ops_db *db, const struct ops_campaign *c, struct ops_msg *m,
		  const char *por_hex, struct ops_por_outcome *o, char *err, size_t errlen);

struct ops_por_result {
	uint64_t done, failed, ignored;
	struct ops_list list;		/* parsed PoR file; bad rows and unknown cards */
};
void ops_por_result_free(struct ops_por_result *r);
/* A PoR file (CSV iccid,por) for a campaign, in one transaction. */
int ops_por_file(struct ops_db *db, const char *campaign, const char *text, size_t len,
		 struct ops_por_result *res, char *err, size_t errlen);

#endif
