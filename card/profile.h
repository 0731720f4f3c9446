/*
 * profile.h - card image JSON <-> in-memory card (schema in uicc-profile(5)).
 *
 * Contract: uicc_profile_load() validates the whole document and builds the
 * file tree and PIN table into an empty card; on any schema violation it
 * returns UICC_EPROFILE with a one-line reason naming the offending member
 * (e.g. "mf/files[3] (EF.IMSI): 'sfi' must be 2 hex digits 01..1E") and the
 * caller frees the partial card.  It never crashes on any JSON value.
 * uicc_profile_save() is its inverse: loading its output yields a card with
 * identical persistent state (records written in logical order).
 */
#ifndef UICC_PROFILE_H
#define UICC_PROFILE_H

#include <jansson.h>
#include "card/card.h"

#define UICC_SCHEMA "uicckit-card/1"

int uicc_profile_load(struct uicc *card, const json_t *doc, char *err, size_t errlen);
json_t *uicc_profile_save(const struct uicc *card);

#endif
