/*
 * opdb_import.c - key files and hand-over lists into the operator
 * database; see ops_import_file() in ops/campaign.h.
 *
 * Rules.  A key record creates the card if absent (IMSI from the record,
 * key index = the record's) and stores the key set: `active` when its
 * index is the card's, `held` when higher; a lower index is refused (the
 * card never goes back).  The OTA counter goes on above the record's last
 * counter.  Importing the same key set again changes nothing; different
 * key bytes for a key set already held are refused.  A hand-over row sets
 * the card's IMSI and key index (3b: the keys come from the escrow's
 * release, imported before or after; 3a: they are in the row).  The whole
 * file is one transaction: any refusal leaves the database as it was.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "ops/campaign.h"
#include "ops/imsilist.h"
#include "ops/keyfile.h"
#include "uicckit/secpkt.h"

#define IMPORT_MAX (1024u * 1024u * 1024u)

static int same_keys(const struct ops_keyrec *a, const struct ops_keyrec *b)
{
	return a->alg == b->alg && a->k_len == b->k_len && a->opc_len == b->opc_len &&
	       a->kic == b->kic && a->kid == b->kid && a->kic_len == b->kic_len &&
	       a->kid_len == b->kid_len && a->op_is_opc == b->op_is_opc &&
	       CRYPTO_memcmp(a->k, b->k, a->k_len) == 0 &&
	       CRYPTO_memcmp(a->opc, b->opc, a->opc_len) == 0 &&
	       CRYPTO_memcmp(a->kic_key, b->kic_key, a->kic_len) == 0 &&
	       CRYPTO_memcmp(a->kid_key, b->kid_key, a->kid_len) == 0 &&
	       memcmp(a->tar, b->tar, 3) == 0;
}

/* Store one key set; *changed = 0 when it was there already. */
static int put_keys(struct ops_db *db, const struct ops_keyrec *r, const struct ops_card *card,
		    int *changed, char *err, size_t errlen)
{
	struct ops_keyset ks;
	int rc = ops_db_keyset_get(db, r->iccid, r->index, &ks, err, errlen);

	*changed = 0;
	if (rc == 0) {
		int same = same_keys(&ks.r, r);

		if (same && ks.r.cntr < r->cntr) {
			/* the sender used the set since: go on above its counter */
			ks.next_cntr = r->cntr + 1;
			ks.r.cntr = r->cntr;
			rc = ops_db_keyset_put(db, &ks, err, errlen);
			*changed = 1;
		} else if (!same) {
			snprintf(err, errlen, "card %s: key set %u is held here with other keys%s",
				 r->iccid, r->index, ks.state == OPS_KS_RETIRED ? " (retired)" : "");
			rc = OPS_EREFUSED;
		}
		ops_keyset_cleanse(&ks);
		return rc;
	}
	if (rc != OPS_ENOTFOUND)
		return rc;
	if (r->cntr >= OTA_CNTR_MAX) {
		snprintf(err, errlen, "card %s: key set %u: OTA counter exhausted", r->iccid, r->index);
		return OPS_EREFUSED;
	}
	memset(&ks, 0, sizeof(ks));
	ks.r = *r;
	ks.next_cntr = r->cntr + 1;
	ks.state = r->index == card->key_index ? OPS_KS_ACTIVE : OPS_KS_HELD;
	rc = ops_db_keyset_put(db, &ks, err, errlen);
	ops_keyset_cleanse(&ks);
	*changed = rc == 0;
	return rc;
}

static int import_keyrecs(struct ops_db *db, const struct ops_keyrecs *l,
			  struct ops_import_result *res, char *err, size_t errlen)
{
	size_t i;
	int rc = 0, changed;

	for (i = 0; rc == 0 && i < l->n; i++) {
		const struct ops_keyrec *r = &l->v[i];
		struct ops_card card;

		rc = ops_db_card_get(db, r->iccid, &card, err, errlen);
		if (rc == OPS_ENOTFOUND) {
			memset(&card, 0, sizeof(card));
			snprintf(card.iccid, sizeof(card.iccid), "%s", r->iccid);
			snprintf(card.imsi, sizeof(card.imsi), "%s", r->imsi);
			card.key_index = r->index;
			card.state = OPS_CARD_ACTIVE;
			rc = ops_db_card_put(db, &card, err, errlen);
			if (rc != 0)
				break;
			res->cards++;
		} else if (rc != 0) {
			break;
		} else if (r->index < card.key_index) {
			snprintf(err, errlen, "card %s: key set %u is below the index in use (%u)",
				 r->iccid, r->index, card.key_index);
			rc = OPS_EREFUSED;
			break;
		} else if (card.imsi[0] == '\0' && r->imsi[0] != '\0' && r->index == card.key_index) {
			snprintf(card.imsi, sizeof(card.imsi), "%s", r->imsi);
			rc = ops_db_card_put(db, &card, err, errlen);
			if (rc != 0)
				break;
		}
		rc = put_keys(db, r, &card, &changed, err, errlen);
		if (rc == 0 && changed)
			res->keysets++;
		else if (rc == 0)
			res->unchanged++;
	}
	if (rc == OPS_EREFUSED && strstr(err, "UNIQUE") != NULL)
		snprintf(err, errlen, "record %zu: IMSI already used by another card", i);
	return rc;
}

static int import_handover(struct ops_db *db, const struct ops_handover *h,
			   struct ops_import_result *res, char *err, size_t errlen)
{
	size_t i;
	int rc = 0, changed;

	res->what = h->keep_keys ? 2 : 1;
	for (i = 0; rc == 0 && i < h->n; i++) {
		const struct ops_hrow *r = &h->v[i];
		struct ops_card card;
		struct ops_keyset ks;

		rc = ops_db_card_get(db, r->iccid, &card, err, errlen);
		if (rc == OPS_ENOTFOUND) {
			memset(&card, 0, sizeof(card));
			snprintf(card.iccid, sizeof(card.iccid), "%s", r->iccid);
			res->cards++;
		} else if (rc != 0) {
			break;
		} else if (r->new_index < card.key_index) {
			snprintf(err, errlen, "card %s: hand-over to index %u below the index held (%u)",
				 r->iccid, r->new_index, card.key_index);
			rc = OPS_EREFUSED;
			break;
		}
		snprintf(card.imsi, sizeof(card.imsi), "%s", r->new_imsi);
		card.key_index = r->new_index;
		card.state = OPS_CARD_ACTIVE;
		rc = ops_db_card_put(db, &card, err, errlen);
		if (rc == OPS_EREFUSED) {
			snprintf(err, errlen, "card %s: IMSI %s is another card's here", r->iccid,
				 r->new_imsi);
			break;
		}
		if (rc != 0)
			break;
		if (r->has_keys) {
			rc = put_keys(db, &r->r, &card, &changed, err, errlen);
			if (rc == 0 && changed)
				res->keysets++;
		}
		/* the key set of the new index (if held) is the active one now */
		if (rc == 0 && ops_db_keyset_get(db, r->iccid, r->new_index, &ks, err, errlen) == 0) {
			if (ks.state == OPS_KS_HELD) {
				ks.state = OPS_KS_ACTIVE;
				rc = ops_db_keyset_put(db, &ks, err, errlen);
			}
			ops_keyset_cleanse(&ks);
		}
	}
	return rc;
}

int ops_import_content(struct ops_db *db, const uint8_t *content, size_t len,
		       struct ops_import_result *res, char *err, size_t errlen)
{
	size_t i = 0;
	int rc;

	while (i < len && (content[i] == ' ' || content[i] == '\n' || content[i] == '\r' ||
			   content[i] == '\t'))
		i++;
	rc = ops_db_begin(db, err, errlen);
	if (rc != 0)
		return rc;
	if (i < len && content[i] == '{') {
		struct ops_keyrecs l;

		memset(&l, 0, sizeof(l));
		res->what = 0;
		rc = ops_keyfile_parse(content, len, &l, err, errlen);
		if (rc == 0)
			rc = import_keyrecs(db, &l, res, err, errlen);
		ops_keyrecs_free(&l);
	} else {
		struct ops_handover h;

		rc = ops_handover_parse((const char *)content, len, &h, err, errlen);
		if (rc == 0)
			rc = import_handover(db, &h, res, err, errlen);
		ops_handover_free(&h);
	}
	if (rc == 0)
		rc = ops_db_commit(db, err, errlen);
	if (rc != 0)
		ops_db_rollback(db);
	return rc;
}

int ops_import_file(struct ops_db *db, const struct ops_party *me, const struct ops_trust *trust,
		    const char *path, struct ops_import_result *res, char *err, size_t errlen)
{
	uint8_t *in = NULL, *content = NULL;
	size_t in_len = 0, content_len = 0;
	struct ops_party *signer = NULL;
	int rc, kind;

	memset(res, 0, sizeof(*res));
	rc = ops_file_read(path, IMPORT_MAX, &in, &in_len, err, errlen);
	if (rc != 0)
		return rc;
	kind = ops_cms_kind(in, in_len);
	if (kind == 1)
		rc = me == NULL ? OPS_EARG
				: ops_cms_open(me, trust, in, in_len, &content, &content_len, &signer,
					       err, errlen);
	else if (kind == 0)
		rc = ops_cms_verify(trust, in, in_len, &content, &content_len, &signer, err, errlen);
	else
		rc = OPS_EFORMAT;
	if (rc == OPS_EARG && me == NULL)
		snprintf(err, errlen, "%s is encrypted: --cert and --key are needed", path);
	else if (rc == OPS_EFORMAT && kind < 0)
		snprintf(err, errlen, "%s: not CMS (SignedData or EnvelopedData)", path);
	ops_cms_free(in, in_len);
	if (rc != 0)
		return rc;
	if (signer != NULL) {
		ops_party_subject(signer, res->signer, sizeof(res->signer));
		ops_party_free(signer);
	}
	rc = ops_import_content(db, content, content_len, res, err, errlen);
	ops_cms_free(content, content_len);
	return rc;
}
