/*
 * fcp.h - FCP templates for SELECT and STATUS (TS 102 221 §11.1.1.3).
 *
 * Contract: uicc_fcp_build() writes `62 L ...` for a file using only the tags
 * pySim's parser accepts (82 83 84 A5 8A 8B C6 80 81 88), DCB 21, 1-byte
 * lengths, and returns the length (always < 128) or a negative UICC_* error
 * when cap is too small.  Shapes:
 *   DF/ADF: 82 02 78 21 | 83 FID | [84 AID] | A5 {80 71, 83 free memory} |
 *           8A LCSI | 8B ARR ref | C6 {90 PS_DO, 83 ref...} | 81 total size
 *   EF:     82 02 41 21 (or 82 05 42/46 21 RL RL NR) | 83 FID | 8A LCSI |
 *           8B ARR ref | 80 size | 88 SFI<<3 (88 00 = no SFI)
 */
#ifndef UICC_FCP_H
#define UICC_FCP_H

#include "card/card.h"

int uicc_fcp_build(const struct uicc *card, const struct uicc_file *f, uint8_t *out, size_t cap);
/* The file descriptor byte (TS 102 221 §11.1.1.4.3). */
uint8_t uicc_fcp_fdb(const struct uicc_file *f);

#endif
