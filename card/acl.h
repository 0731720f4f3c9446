/*
 * acl.h - access conditions (TS 102 221 §9.2, ISO/IEC 7816-4 §5.4.3).
 *
 * Contract: every file carries a tag-8B reference (EF.ARR FID + record).
 * The card evaluates that EF.ARR record, in the expanded format, on every
 * access: the first AM DO (tag 80) whose access-mode byte has the
 * operation's bit decides; its SC DOs are ORed: 90 always, 97 never,
 * A4 {83 key reference, 95 usage qualifier} = that PIN verified (or
 * disabled), A0 OR-template, AF AND-template; anything else is not
 * satisfied.  No matching rule, a missing/unparseable EF.ARR record, or an
 * internal EF => NEVER.  Internal EFs are never accessible by APDU.
 */
#ifndef UICC_ACL_H
#define UICC_ACL_H

#include "card/card.h"

/* Access-mode bits of the AM byte (TS 102 221 §9.2.4, EFs). */
#define UICC_AM_READ 0x01	/* READ, SEARCH */
#define UICC_AM_UPDATE 0x02	/* UPDATE, INCREASE */
#define UICC_AM_DEACTIVATE 0x08
#define UICC_AM_ACTIVATE 0x10

/* 1 if the operation is allowed now, 0 otherwise. */
int uicc_acl_allows(const struct uicc *card, const struct uicc_file *f, uint8_t am);
/* Evaluate an ARR record (exposed for the tests and fuzzers). */
int uicc_acl_eval_rule(const struct uicc *card, const uint8_t *rec, size_t len, uint8_t am);

#endif
