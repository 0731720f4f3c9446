/* acl.c - access conditions; see acl.h. */
#include "card/acl.h"
#include "card/fs.h"
#include "card/pin.h"
#include "common/buf.h"

static int sc_eval(const struct uicc *card, const struct uk_tlv *sc, int depth);

/* A4 control reference template: 83 01 key reference [95 01 qualifier]. */
static int crt_eval(const struct uicc *card, const struct uk_tlv *t)
{
	struct uk_tlv k;

	if (uk_tlv_find(t->val, t->len, 0x83, &k) != 1 || k.len != 1)
		return 0;
	return uicc_pin_satisfied(card, k.val[0]);
}

static int tmpl_eval(const struct uicc *card, const struct uk_tlv *t, int depth, int want_all)
{
	size_t pos = 0;
	struct uk_tlv in;
	int rc, any = 0, all = 1, n = 0;

	if (depth > 4)
		return 0;
	while ((rc = uk_tlv_next(t->val, t->len, &pos, &in)) == 1) {
		int ok = sc_eval(card, &in, depth + 1);

		n++;
		any |= ok;
		all &= ok;
	}
	if (rc < 0 || n == 0)
		return 0;
	return want_all ? all : any;
}

static int sc_eval(const struct uicc *card, const struct uk_tlv *sc, int depth)
{
	switch (sc->tag) {
	case 0x90:
		return 1;
	case 0xa4:
		return crt_eval(card, sc);
	case 0xa0:
		return tmpl_eval(card, sc, depth, 0);
	case 0xaf:
		return tmpl_eval(card, sc, depth, 1);
	default:		/* 97 never, A7 NOT, 9E SE number: not satisfied */
		return 0;
	}
}

int uicc_acl_eval_rule(const struct uicc *card, const uint8_t *rec, size_t len, uint8_t am)
{
	size_t pos = 0;
	struct uk_tlv t;
	int rc = 0, in_rule = 0, decided = 0, ok = 0;

	/* records are padded with FF */
	while (pos < len && rec[pos] != 0xff && (rc = uk_tlv_next(rec, len, &pos, &t)) == 1) {
		if (t.tag >= 0x80 && t.tag <= 0x8f) {
			if (decided)
				break;		/* the matching rule's SC DOs are done */
			/* only 80 carries a plain AM byte; 81..8F name commands */
			in_rule = t.tag == 0x80 && t.len == 1 && (t.val[0] & 0x80) == 0 &&
				  (t.val[0] & am) != 0;
			continue;
		}
		if (in_rule) {
			decided = 1;
			ok |= sc_eval(card, &t, 0);
		}
	}
	if (rc < 0)
		return 0;
	return decided && ok;
}

/* TS 102 221 §9.2.7: the EF.ARR is looked up in the file's DF, then its
 * parents up to the MF (ADFs have the MF as parent). */
static const struct uicc_file *find_arr(const struct uicc_file *f, uint16_t fid)
{
	const struct uicc_file *df, *c;

	for (df = uicc_fs_df_of(f); df != NULL; df = df->parent) {
		c = uicc_fs_child(df, fid);
		if (c != NULL && uicc_fs_is_record(c))
			return c;
	}
	return NULL;
}

int uicc_acl_allows(const struct uicc *card, const struct uicc_file *f, uint8_t am)
{
	const struct uicc_file *arr;
	const uint8_t *rec;

	if (f->internal || !f->has_arr)
		return 0;
	arr = find_arr(f, (uint16_t)(f->arr[0] << 8 | f->arr[1]));
	if (arr == NULL)
		return 0;
	rec = uicc_fs_record(arr, f->arr[2]);
	if (rec == NULL)
		return 0;
	return uicc_acl_eval_rule(card, rec, arr->rec_len, am);
}
