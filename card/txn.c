/* txn.c - undo journal and transactions; see txn.h. */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "card/txn.h"

int uicc_journal(struct uicc *card, void *ptr, size_t len)
{
	struct uicc_jent *e;

	if (len == 0)
		return 0;
	if (card->jrnl_n == card->jrnl_cap) {
		size_t ncap = card->jrnl_cap ? card->jrnl_cap * 2 : 16;
		struct uicc_jent *n = realloc(card->jrnl, ncap * sizeof(*n));

		if (n == NULL) {
			card->jrnl_failed = 1;
			return UICC_ENOMEM;
		}
		card->jrnl = n;
		card->jrnl_cap = ncap;
	}
	e = &card->jrnl[card->jrnl_n];
	e->old = malloc(len);
	if (e->old == NULL) {
		card->jrnl_failed = 1;
		return UICC_ENOMEM;
	}
	memcpy(e->old, ptr, len);
	e->ptr = ptr;
	e->len = len;
	card->jrnl_n++;
	return 0;
}

int uicc_pwrite(struct uicc *card, void *dst, const void *src, size_t len)
{
	int rc = uicc_journal(card, dst, len);

	if (rc < 0)
		return rc;
	memmove(dst, src, len);
	return 0;
}

static void jent_free(struct uicc_jent *e)
{
	/* old bytes may be key material or PIN values */
	OPENSSL_cleanse(e->old, e->len);
	free(e->old);
	e->old = NULL;
}

void uicc_journal_clear(struct uicc *card)
{
	size_t i;

	for (i = 0; i < card->jrnl_n; i++)
		jent_free(&card->jrnl[i]);
	card->jrnl_n = 0;
	card->jrnl_failed = 0;
}

void uicc_txn_rollback_to(struct uicc *card, size_t mark)
{
	while (card->jrnl_n > mark) {
		struct uicc_jent *e = &card->jrnl[--card->jrnl_n];

		memcpy(e->ptr, e->old, e->len);
		jent_free(e);
	}
}

void uicc_txn_rollback(struct uicc *card)
{
	while (card->jrnl_n > 0) {
		struct uicc_jent *e = &card->jrnl[--card->jrnl_n];

		memcpy(e->ptr, e->old, e->len);
		jent_free(e);
	}
	card->jrnl_failed = 0;
}

int uicc_txn_flush(struct uicc *card)
{
	if (card->jrnl_failed) {
		uicc_txn_rollback(card);
		return UICC_ENOMEM;
	}
	if (card->jrnl_n == 0)
		return 0;
	if (card->store != NULL && card->store->commit != NULL &&
	    card->store->commit(card->store_ctx, card) < 0) {
		uicc_txn_rollback(card);
		return UICC_EIO;
	}
	uicc_journal_clear(card);
	return 0;
}

int uicc_txn_begin(struct uicc *card)
{
	if (card == NULL)
		return UICC_EARG;
	card->txn_depth++;
	return 0;
}

int uicc_txn_commit(struct uicc *card)
{
	if (card == NULL || card->txn_depth <= 0)
		return UICC_EARG;
	if (--card->txn_depth > 0)
		return 0;
	return uicc_txn_flush(card);
}

void uicc_txn_abort(struct uicc *card)
{
	if (card == NULL)
		return;
	uicc_txn_rollback(card);
	card->txn_depth = 0;
}
