/*
 * txn.h - undo journal and transactions (JavaCard style).
 *
 * Contract: before a card module changes persistent bytes it calls
 * uicc_journal() on exactly that range; the journal keeps the old bytes.
 * uicc_txn_flush() hands the state to the store's commit() (once) and, on
 * failure, restores every journaled range in reverse order so the card
 * equals the last committed state again.  Transactions nest; only the
 * outermost commit flushes.  uicc_transmit() wraps every APDU in one.
 */
#ifndef UICC_TXN_H
#define UICC_TXN_H

#include <stddef.h>
#include "card/card.h"

/* Record the current contents of [ptr, ptr+len).  0 or UICC_ENOMEM (the
 * transaction is then doomed: the next flush rolls back). */
int uicc_journal(struct uicc *card, void *ptr, size_t len);
/* Journal, then copy: the safe way to change persistent bytes. */
int uicc_pwrite(struct uicc *card, void *dst, const void *src, size_t len);
/* Persist now (also mid-command): 0, UICC_EIO (store failed, rolled back)
 * or UICC_ENOMEM (journal incomplete, rolled back). */
int uicc_txn_flush(struct uicc *card);
/* Restore every journaled range and empty the journal. */
void uicc_txn_rollback(struct uicc *card);
/* Undo only the entries recorded after `mark` (a journal length). */
void uicc_txn_rollback_to(struct uicc *card, size_t mark);
/* Drop the journal (state accepted as committed). */
void uicc_journal_clear(struct uicc *card);

#endif
