/*
 * escrow_batch.h - batch personalisation with the key escrow (uicc-perso
 * batch; doc/operator-files.md "Commands"): N cards with consecutive
 * ICCIDs (digits 1..18 incremented, digit 19 the Luhn check digit, a 20th
 * digit kept) and IMSIs, K key sets each; every key set into the escrow,
 * key set 0 of every card to the initial operator as one sealed key file.
 *
 * Crash safety: the work is ordered so that killing the process at any
 * instant and running the same batch again completes it, every card once:
 *   1. per chunk of cards, new keys are drawn only for cards not yet in the
 *      escrow, and committed in one transaction;
 *   2. the images DIR/ICCID.json (0600, atomic) are made from the escrow's
 *      keys; an existing image must match the escrow (else an error);
 *      leftover temporary files of interrupted saves are removed;
 *   3. key set 0 of every card is released to the operator in one
 *      transaction (the same party again is allowed), then the operator
 *      file is written from those keys, atomically.
 * Contract: 0 or a negative OPS_E* code with a one-line reason.
 */
#ifndef UK_OPS_ESCROW_BATCH_H
#define UK_OPS_ESCROW_BATCH_H

#include <stddef.h>
#include "ops/escrow.h"

#define OPS_BATCH_MAX_CARDS 10000000ul

struct ops_batch {
	unsigned long count;		/* 1..OPS_BATCH_MAX_CARDS */
	char iccid_start[21];		/* 19 or 20 digits, digit 19 a valid Luhn digit */
	char imsi_start[16];		/* 6..15 digits */
	unsigned keysets;		/* 1..16 */
	const char *out_dir;		/* images DIR/ICCID.json */
	const char *operator_out;	/* sealed key file for the operator */
	const char *pin1, *adm1;	/* NULL: the profile's */
	struct ops_escrow *escrow;
	const struct ops_party *signer;	/* manufacturer, with its key */
	const struct ops_party *operator;	/* initial operator (certificate) */
	unsigned chunk;			/* cards per escrow transaction; 0: 1000 */
	void (*progress)(void *arg, const char *phase, unsigned long done, unsigned long total);
	void *progress_arg;
	/* results */
	unsigned long added;		/* cards new in the escrow */
	unsigned long images_written, images_kept;
};

/* Card i of a batch: ICCID / IMSI.  0 or OPS_EARG (bad start, overflow). */
int ops_batch_iccid(const char *start, unsigned long i, char out[21], char *err,
		    size_t errlen);
int ops_batch_imsi(const char *start, unsigned long i, char out[16], char *err,
		   size_t errlen);

int ops_batch_run(struct ops_batch *b, char *err, size_t errlen);

/* Does the card image at path hold exactly these key sets (one card's,
 * from the escrow): algorithm, K, OP(c), OTA keys and KVN, TAR?
 * 1 yes, 0 no (reason in err), <0 image unreadable. */
int ops_batch_image_matches(const char *path, const struct ops_keyrecs *card, char *err,
			    size_t errlen);

#endif
