/*
 * fs.h - the file tree of TS 102 221 §8 (MF, DFs, ADFs, EFs).
 *
 * Contract: lookups never allocate and return NULL when nothing matches.
 * Record numbers are logical (1 = first record; for cyclic EFs record 1 is
 * the most recently written one, TS 102 221 §8.2.2.3).  uicc_fs_free()
 * cleanses every file body before freeing it (internal EFs hold keys).
 */
#ifndef UICC_FS_H
#define UICC_FS_H

#include "card/card.h"

int uicc_fs_is_df(const struct uicc_file *f);
int uicc_fs_is_ef(const struct uicc_file *f);
int uicc_fs_is_record(const struct uicc_file *f);
struct uicc_file *uicc_fs_child(const struct uicc_file *df, uint16_t fid);
struct uicc_file *uicc_fs_child_sfi(const struct uicc_file *df, uint8_t sfi);
/* The DF an EF lives in, or the DF itself. */
struct uicc_file *uicc_fs_df_of(const struct uicc_file *f);
/* Sum of all EF bodies below a DF (FCP tag 81). */
size_t uicc_fs_total_size(const struct uicc_file *df);
/* Pointer to logical record rec (1..n_rec) of a record EF, NULL otherwise. */
uint8_t *uicc_fs_record(const struct uicc_file *f, unsigned rec);
/* Resolve a path like "3F00/2FE2", "ADF.USIM/6F07", "7FFF/6F07" or
 * "EF.ICCID" (segments: 4 hex digits or a file name; 7FFF or an ADF name
 * first selects that ADF, 7FFF = the first ADF). */
struct uicc_file *uicc_fs_find_path(const struct uicc *card, const char *path);
/* Next ADF (after `prev`, NULL = from the start) whose AID starts with aid. */
struct uicc_file *uicc_fs_adf_by_aid(const struct uicc *card, const uint8_t *aid,
				     size_t len, const struct uicc_file *prev);
void uicc_fs_free(struct uicc_file *f);

#endif
