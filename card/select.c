/* select.c - SELECT and STATUS (TS 102 221 §11.1.1, §11.1.2); see cmd.h. */
#include <string.h>
#include "card/cmd.h"
#include "card/fcp.h"
#include "card/fs.h"

void uicc_select_file(struct uicc_channel *ch, struct uicc_file *f)
{
	if (uicc_fs_is_df(f)) {
		ch->df = f;
		ch->ef = NULL;
	} else {
		ch->df = f->parent;
		ch->ef = f;
	}
	ch->rec = 0;
}

static int put_fcp(const struct uicc *card, const struct uicc_file *f, struct uicc_rsp *r)
{
	uint8_t fcp[128];
	int n = uicc_fcp_build(card, f, fcp, sizeof(fcp));

	if (n < 0)
		return SW_TECH;
	return uicc_rsp_put(r, fcp, (size_t)n) < 0 ? SW_TECH : SW_OK;
}

/* TS 102 221 §8.4.1: files selectable by FID from the current DF. */
static struct uicc_file *by_fid(struct uicc *card, struct uicc_channel *ch, uint16_t fid)
{
	struct uicc_file *cur = ch->df, *f, *par;

	if (fid == 0x3f00)
		return card->mf;
	if (fid == 0x7fff)
		return ch->adf;
	if ((f = uicc_fs_child(cur, fid)) != NULL)
		return f;
	if (cur->fid == fid)
		return cur;
	par = cur->parent;
	if (par != NULL) {
		if (par->fid == fid && cur->type != UICC_FT_ADF)
			return par;
		f = uicc_fs_child(par, fid);
		if (f != NULL && uicc_fs_is_df(f))
			return f;
	}
	return NULL;
}

static struct uicc_file *by_path(struct uicc_channel *ch, struct uicc_file *start,
				 const uint8_t *p, size_t n, int from_mf)
{
	struct uicc_file *cur = start;
	size_t i;

	if (n == 0 || n % 2 != 0)
		return NULL;
	for (i = 0; i < n; i += 2) {
		uint16_t fid = (uint16_t)(p[i] << 8 | p[i + 1]);

		if (i == 0 && from_mf && fid == 0x7fff) {
			cur = ch->adf;	/* a path from the MF may start at the current ADF */
			if (cur == NULL)
				return NULL;
			continue;
		}
		if (!uicc_fs_is_df(cur))
			return NULL;
		cur = uicc_fs_child(cur, fid);
		if (cur == NULL)
			return NULL;
	}
	return cur;
}

int uicc_cmd_select(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r)
{
	struct uicc_file *f = NULL;
	uint8_t ret = a->p2 & 0x0c;

	if (a->p1 == 0x04)
		return uicc_app_select(card, ch, a, r);
	/* P2: 04 return FCP, 0C no data (00, the ISO FCI request, gets the FCP) */
	if ((a->p2 & ~0x0cu) != 0 || ret == 0x08)
		return SW_BAD_P1P2;
	switch (a->p1) {
	case 0x00:
		if (a->lc == 0)
			f = card->mf;	/* ISO/IEC 7816-4: empty data selects the MF */
		else if (a->lc != 2)
			return SW_WRONG_LEN;
		else
			f = by_fid(card, ch, (uint16_t)(a->data[0] << 8 | a->data[1]));
		break;
	case 0x01:
		if (a->lc != 2)
			return SW_WRONG_LEN;
		f = uicc_fs_child(ch->df, (uint16_t)(a->data[0] << 8 | a->data[1]));
		if (f != NULL && !uicc_fs_is_df(f))
			f = NULL;
		break;
	case 0x03:
		if (a->lc != 0)
			return SW_WRONG_LEN;
		f = ch->df->parent;
		break;
	case 0x08:
	case 0x09:
		if (a->lc == 0 || a->lc % 2 != 0 || a->lc > 2 * UICC_MAX_DEPTH + 2)
			return SW_WRONG_LEN;
		f = by_path(ch, a->p1 == 0x08 ? card->mf : ch->df, a->data, a->lc, a->p1 == 0x08);
		break;
	default:
		return SW_BAD_P1P2;
	}
	if (f == NULL)
		return SW_NOT_FOUND;
	uicc_select_file(ch, f);
	if (ret != 0x0c) {
		int sw = put_fcp(card, f, r);

		if (sw != SW_OK)
			return sw;
	}
	return f->lcsi == UICC_LCSI_DEACTIVATED ? SW_WARN_DEACT : SW_OK;
}

int uicc_cmd_status(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r)
{
	if (a->p1 > 0x02)
		return SW_BAD_P1P2;
	switch (a->p2) {
	case 0x00:
		return put_fcp(card, ch->df, r);
	case 0x01:
		/* DF name TLV of the current application (none: no data) */
		if (ch->adf != NULL) {
			uint8_t t[18];

			t[0] = 0x84;
			t[1] = (uint8_t)ch->adf->aid_len;
			memcpy(t + 2, ch->adf->aid, ch->adf->aid_len);
			return uicc_rsp_put(r, t, 2 + ch->adf->aid_len) < 0 ? SW_TECH : SW_OK;
		}
		return SW_OK;
	case 0x0c:
		return SW_OK;
	default:
		return SW_BAD_P1P2;
	}
}
