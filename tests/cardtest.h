/*
 * cardtest.h - helpers for the card test suites: build the default card,
 * send an APDU given in hex and compare the response with an expected hex
 * string in which "??" matches any byte and a trailing "*" any rest.
 */
#ifndef UK_CARDTEST_H
#define UK_CARDTEST_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/uicc.h"

struct uicc *ct_card(void);
/* Send hex APDU; response (data+SW) as lower-case hex into out (cap >= 2*UICC_RAPDU_MAX+1
 * is never needed by the tests: 1024 is enough), returns SW. */
unsigned ct_send(struct uicc *card, const char *capdu_hex, char *out, size_t cap);
/* 1 if hex response `got` matches pattern `want`. */
int ct_match(const char *want, const char *got);
/* Send and check; returns 1 on match, 0 otherwise (prints both). */
int ct_expect(struct uicc *card, const char *capdu_hex, const char *want);
/* Run a transcript file (tests/transcripts/NAME); returns failures (0 = ok),
 * -1 if the file cannot be read. */
int ct_transcript(const char *name);

#endif
