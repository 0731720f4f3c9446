/*
 * deliver.h - a campaign's messages delivered to cards in PC/SC readers
 * (`uicc-ota send`), as a terminal delivers an SMS-PP download: read the
 * card's ICCID (EF.ICCID), find its message in the campaign, record it
 * `sent` (committed) BEFORE the first byte goes to the card, TERMINAL
 * PROFILE, the ENVELOPE(s) with 61xx / 9Fxx GET RESPONSE and 6Cxx, then
 * 91xx FETCH: SEND SHORT MESSAGE (the PoR by SMS-SUBMIT) answered with a
 * TERMINAL RESPONSE, REFRESH with a card reset.  The PoR found is verified
 * and recorded with ops_por_apply() (ops/campaign.h).
 *
 * A message already `sent` (or `failed`) is not sent again unless resend
 * is set: a message whose PoR was lost may have run on the card, and the
 * same packet again can only be refused by the counter rule (the card
 * answers RSC 02 with a plain, unauthenticated PoR).  Resending transmits
 * the identical stored packet and counter -- never a new counter for the
 * same message.  A `done` message is never sent again.
 */
#ifndef UK_OPS_DELIVER_H
#define UK_OPS_DELIVER_H

#include <stddef.h>
#include <stdint.h>
#include "ops/opdb.h"

struct ops_send_params {
	const char *campaign;
	const char *const *readers;
	size_t nreaders;
	int resend;
	/* one line per reader: the card and what happened */
	void (*report)(void *ctx, const char *reader, const char *iccid, const char *what);
	void *report_ctx;
};

struct ops_send_result {
	uint64_t done;		/* PoR verified: done */
	uint64_t failed;	/* PoR did not verify, or an error status */
	uint64_t nopor;		/* sent, no PoR came back (stays `sent`) */
	uint64_t skipped;	/* sent or failed before, not sent again (no resend) */
	uint64_t already;	/* done before: nothing to do */
	uint64_t nomsg;		/* card without a message in the campaign */
	uint64_t errors;	/* reader or card errors */
};

/* 0 when every reader was visited (see the counts), or OPS_E* for the
 * campaign, the database or PC/SC itself. */
int ops_send(struct ops_db *db, const struct ops_send_params *p, struct ops_send_result *r,
	     char *err, size_t errlen);

#endif
