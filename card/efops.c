/* efops.c - READ/UPDATE BINARY, READ/UPDATE RECORD, SEARCH RECORD,
 * DEACTIVATE/ACTIVATE FILE (TS 102 221 §11.1.3-11.1.7, §11.1.14-15);
 * see cmd.h. */
#include <string.h>
#include "card/acl.h"
#include "card/cmd.h"
#include "card/fs.h"
#include "card/txn.h"

/* Every path to file contents goes through here: internal EFs, then the
 * EF.ARR rule, then the life cycle. */
static int ef_access(const struct uicc *card, const struct uicc_file *f, uint8_t am)
{
	if (f->internal || !uicc_acl_allows(card, f, am))
		return SW_SECURITY;
	if (f->lcsi == UICC_LCSI_DEACTIVATED)
		return SW_INVALIDATED;
	return SW_OK;
}

/* Record commands: P2 b8..b4 = SFI (0 = current EF). */
static int record_target(struct uicc_channel *ch, uint8_t sfi, struct uicc_file **out)
{
	struct uicc_file *f;

	if (sfi == 0x1f)
		return SW_BAD_P1P2;
	if (sfi != 0) {
		f = uicc_fs_child_sfi(ch->df, sfi);
		if (f == NULL)
			return SW_NOT_FOUND;
		uicc_select_file(ch, f);
	}
	if (ch->ef == NULL)
		return SW_NO_EF;
	*out = ch->ef;
	return SW_OK;
}

int uicc_cmd_binary(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r)
{
	struct uicc_file *f;
	size_t off, avail, want, n;
	int sw;

	if (a->p1 & 0x80) {
		/* SFI addressing: P1 = 100 SFI, P2 = offset 0..255 */
		if ((a->p1 & 0x60) != 0 || (a->p1 & 0x1f) == 0)
			return SW_BAD_P1P2;
		f = uicc_fs_child_sfi(ch->df, a->p1 & 0x1f);
		if (f == NULL)
			return SW_NOT_FOUND;
		uicc_select_file(ch, f);
		off = a->p2;
	} else {
		off = (size_t)a->p1 << 8 | a->p2;
	}
	if (ch->ef == NULL)
		return SW_NO_EF;
	f = ch->ef;
	if (f->type != UICC_FT_TRANSPARENT)
		return SW_INCOMPAT;
	sw = ef_access(card, f, a->ins == 0xb0 ? UICC_AM_READ : UICC_AM_UPDATE);
	if (sw != SW_OK)
		return sw;
	if (off >= f->size)
		return SW_WRONG_P1P2;
	avail = f->size - off;
	if (a->ins == 0xd6) {
		if (a->lc == 0 || a->lc > avail)
			return SW_WRONG_LEN;
		return uicc_pwrite(card, f->data + off, a->data, a->lc) < 0 ? SW_MEMORY : SW_OK;
	}
	if (a->lc != 0)
		return SW_WRONG_LEN;
	want = a->has_le ? a->le : 256;
	if (card->transport == UICC_TRANSPORT_T0 && want > avail)
		return 0x6c00 | (unsigned)avail;	/* TS 102 221 §7.2.2: exact length */
	n = want < avail ? want : avail;
	if (uicc_rsp_put(r, f->data + off, n) < 0)
		return SW_TECH;
	/* direct mode: an explicit Le beyond the end gets the data and 62 82 */
	if (a->has_le && want > avail && want != 256 && want != 65536)
		return SW_WARN_EOF;
	return SW_OK;
}

static int next_record(const struct uicc_file *f, unsigned cur, int fwd, unsigned *out)
{
	unsigned n = (unsigned)f->n_rec, rec;

	if (fwd)
		rec = cur == 0 ? 1 : cur + 1;
	else
		rec = cur == 0 ? n : cur - 1;
	if (rec == 0 || rec > n) {
		if (f->type != UICC_FT_CYCLIC)
			return SW_REC_NOT_FOUND;	/* linear: no wrap */
		rec = fwd ? 1 : n;
	}
	*out = rec;
	return SW_OK;
}

static int update_cyclic(struct uicc *card, struct uicc_channel *ch, struct uicc_file *f,
			 const struct uicc_apdu *a)
{
	/* TS 102 221 §8.2.2.3: PREVIOUS writes the oldest record, which then
	 * becomes record 1. */
	uint8_t head = (uint8_t)((f->cyc_head + f->n_rec - 1) % f->n_rec);

	if ((a->p2 & 0x07) != 0x03 || a->p1 != 0)
		return SW_BAD_P1P2;
	if (uicc_pwrite(card, f->data + (size_t)head * f->rec_len, a->data, f->rec_len) < 0 ||
	    uicc_pwrite(card, &f->cyc_head, &head, 1) < 0)
		return SW_MEMORY;
	ch->rec = 1;
	return SW_OK;
}

int uicc_cmd_record(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r)
{
	struct uicc_file *f = NULL;
	uint8_t mode = a->p2 & 0x07;
	unsigned rec;
	int sw, upd = a->ins == 0xdc;

	if (mode != 0x02 && mode != 0x03 && mode != 0x04)
		return SW_BAD_P1P2;
	if (mode != 0x04 && a->p1 != 0)
		return SW_BAD_P1P2;
	sw = record_target(ch, a->p2 >> 3, &f);
	if (sw != SW_OK)
		return sw;
	if (!uicc_fs_is_record(f))
		return SW_INCOMPAT;
	sw = ef_access(card, f, upd ? UICC_AM_UPDATE : UICC_AM_READ);
	if (sw != SW_OK)
		return sw;
	if (upd && a->lc != f->rec_len)
		return SW_WRONG_LEN;
	if (!upd && a->lc != 0)
		return SW_WRONG_LEN;
	if (upd && f->type == UICC_FT_CYCLIC)
		return update_cyclic(card, ch, f, a);
	if (mode == 0x04) {
		/* absolute / current: the record pointer does not move */
		rec = a->p1 ? a->p1 : ch->rec;
		if (rec == 0 || rec > f->n_rec)
			return SW_REC_NOT_FOUND;
	} else {
		sw = next_record(f, ch->rec, mode == 0x02, &rec);
		if (sw != SW_OK)
			return sw;
		ch->rec = rec;
	}
	if (upd)
		return uicc_pwrite(card, uicc_fs_record(f, rec), a->data, f->rec_len) < 0 ?
			       SW_MEMORY : SW_OK;
	return uicc_rsp_put(r, uicc_fs_record(f, rec), f->rec_len) < 0 ? SW_TECH : SW_OK;
}

static int rec_matches(const struct uicc_file *f, unsigned rec, const uint8_t *pat, size_t plen,
		       int by_value, uint8_t offv)
{
	const uint8_t *d = uicc_fs_record(f, rec);
	size_t off = 0;

	if (by_value) {
		/* search starts after the first occurrence of the byte offv */
		while (off < f->rec_len && d[off] != offv)
			off++;
		if (off == f->rec_len)
			return 0;
		off++;
	} else {
		off = offv;
	}
	return off + plen <= f->rec_len && memcmp(d + off, pat, plen) == 0;
}

int uicc_cmd_search(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r)
{
	struct uicc_file *f = NULL;
	uint8_t mode = a->p2 & 0x07, how, offv = 0;
	const uint8_t *pat = a->data;
	size_t plen = a->lc;
	unsigned start, rec, n, first = 0, count = 0;
	int fwd, by_value = 0, sw;

	if (mode != 0x04 && mode != 0x05 && mode != 0x06)
		return SW_BAD_P1P2;
	sw = record_target(ch, a->p2 >> 3, &f);
	if (sw != SW_OK)
		return sw;
	if (!uicc_fs_is_record(f))
		return SW_INCOMPAT;
	sw = ef_access(card, f, UICC_AM_READ);
	if (sw != SW_OK)
		return sw;
	n = (unsigned)f->n_rec;
	how = mode == 0x05 ? 0x05 : 0x04;
	if (mode == 0x06) {
		/* enhanced search (ISO/IEC 7816-4 §7.3.7): indication byte,
		 * offset or value byte, then the pattern */
		if (a->lc < 3)
			return SW_WRONG_LEN;
		how = a->data[0] & 0x07;
		by_value = (a->data[0] & 0x08) != 0;
		if (how < 0x04 || (a->data[0] & 0xf0) != 0)
			return SW_BAD_DATA;
		offv = a->data[1];
		pat += 2;
		plen -= 2;
	}
	if (plen == 0 || plen > f->rec_len)
		return SW_WRONG_LEN;
	fwd = how == 0x04 || how == 0x06;
	if (how >= 0x06) {
		/* from the record after/before the current one */
		if (next_record(f, ch->rec, fwd, &start) != SW_OK)
			return SW_REC_NOT_FOUND;
	} else {
		start = a->p1 ? a->p1 : (ch->rec ? ch->rec : (fwd ? 1 : n));
	}
	if (start == 0 || start > n)
		return SW_REC_NOT_FOUND;
	for (rec = start; rec >= 1 && rec <= n; rec = fwd ? rec + 1 : rec - 1) {
		if (!rec_matches(f, rec, pat, plen, by_value, offv))
			continue;
		if (!first)
			first = rec;
		count++;
		if (uicc_rsp_put(r, &(uint8_t){ (uint8_t)rec }, 1) < 0)
			return SW_TECH;
	}
	if (count == 0)
		return SW_WARN_EOF;	/* TS 102 221 §10.2.1.2: unsuccessful search */
	ch->rec = first;
	return SW_OK;
}

int uicc_cmd_lifecycle(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a)
{
	struct uicc_file *f;
	uint8_t want = a->ins == 0x04 ? UICC_LCSI_DEACTIVATED : UICC_LCSI_ACTIVATED;

	if (a->p1 != 0 || a->p2 != 0)
		return SW_BAD_P1P2;	/* only the current file (no data) */
	if (a->lc != 0)
		return SW_WRONG_LEN;
	/* TS 102 221 §11.1.14/15: the current EF */
	if (ch->ef == NULL)
		return SW_NO_EF;
	f = ch->ef;
	if (f->internal || !uicc_acl_allows(card, f, a->ins == 0x04 ? UICC_AM_DEACTIVATE :
								      UICC_AM_ACTIVATE))
		return SW_SECURITY;
	if (f->lcsi == want)
		return SW_OK;
	return uicc_pwrite(card, &f->lcsi, &want, 1) < 0 ? SW_MEMORY : SW_OK;
}
