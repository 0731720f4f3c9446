/*
 * fcp.h - decoder for FCP templates (TS 102 221 §11.1.1.3) as a terminal
 * sees them in SELECT / STATUS responses, for tools that drive a card
 * (and for checking our own card).
 *
 * Contract: uicc_fcp_parse() reads exactly one `62 L ...` template from
 * `len` bytes, never reads past them, and fills *out or returns a negative
 * UICC_FCP_* error.  Unknown tags inside the template are skipped; tags it
 * knows must have their specified lengths.
 */
#ifndef UICCKIT_FCP_H
#define UICCKIT_FCP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum uicc_fcp_err {
	UICC_FCP_TRUNC = -1,	/* template or a TLV runs past the input */
	UICC_FCP_NOTFCP = -2,	/* not a 62 template, or trailing bytes */
	UICC_FCP_BADTAG = -3,	/* a known tag with a wrong length or value */
	UICC_FCP_NODESC = -4,	/* no file descriptor (82) */
};

struct uicc_fcp_info {
	uint8_t fdb, dcb;
	int is_df;		/* FDB 78 / 38 */
	int structure;		/* 1 transparent, 2 linear fixed, 6 cyclic, 0 DF/other */
	unsigned rec_len, n_rec;
	int has_fid;
	uint16_t fid;
	uint8_t aid[16];
	size_t aid_len;
	int has_lcsi;
	uint8_t lcsi;
	int has_arr;
	uint8_t arr[3];		/* 8B: EF.ARR FID + record (short form) */
	int has_size, has_total;
	unsigned long size, total_size;
	int has_sfi;
	uint8_t sfi;		/* 0 = 88 00 (no SFI) */
	uint8_t ps_do;		/* first PS_DO byte from C6 */
	uint8_t key_refs[8];
	size_t n_key_refs;
};

int uicc_fcp_parse(const uint8_t *in, size_t len, struct uicc_fcp_info *out);

#ifdef __cplusplus
}
#endif
#endif
