/* fs.c - the file tree; see fs.h. */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "card/fs.h"

int uicc_fs_is_df(const struct uicc_file *f)
{
	return f->type == UICC_FT_MF || f->type == UICC_FT_DF || f->type == UICC_FT_ADF;
}

int uicc_fs_is_ef(const struct uicc_file *f)
{
	return !uicc_fs_is_df(f);
}

int uicc_fs_is_record(const struct uicc_file *f)
{
	return f->type == UICC_FT_LINEAR || f->type == UICC_FT_CYCLIC;
}

struct uicc_file *uicc_fs_child(const struct uicc_file *df, uint16_t fid)
{
	struct uicc_file *c;

	for (c = df->children; c != NULL; c = c->next)
		if (c->fid == fid)
			return c;
	return NULL;
}

struct uicc_file *uicc_fs_child_sfi(const struct uicc_file *df, uint8_t sfi)
{
	struct uicc_file *c;

	if (sfi == 0)
		return NULL;
	for (c = df->children; c != NULL; c = c->next)
		if (uicc_fs_is_ef(c) && c->sfi == sfi)
			return c;
	return NULL;
}

struct uicc_file *uicc_fs_df_of(const struct uicc_file *f)
{
	return uicc_fs_is_df(f) ? (struct uicc_file *)f : f->parent;
}

size_t uicc_fs_total_size(const struct uicc_file *df)
{
	const struct uicc_file *c;
	size_t n = 0;

	for (c = df->children; c != NULL; c = c->next)
		n += uicc_fs_is_df(c) ? uicc_fs_total_size(c) : c->size;
	return n;
}

uint8_t *uicc_fs_record(const struct uicc_file *f, unsigned rec)
{
	size_t slot;

	if (!uicc_fs_is_record(f) || rec == 0 || rec > f->n_rec)
		return NULL;
	slot = rec - 1;
	if (f->type == UICC_FT_CYCLIC)
		slot = (f->cyc_head + slot) % f->n_rec;
	return f->data + slot * f->rec_len;
}

static int seg_fid(const char *s, size_t n, uint16_t *fid)
{
	size_t i;
	unsigned v = 0;

	if (n != 4)
		return 0;
	for (i = 0; i < 4; i++) {
		char ch = s[i];
		unsigned d;

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return 0;
		v = v << 4 | d;
	}
	*fid = (uint16_t)v;
	return 1;
}

static int seg_is(const struct uicc_file *f, const char *s, size_t n)
{
	uint16_t fid;

	if (seg_fid(s, n, &fid) && f->fid == fid && f->type != UICC_FT_ADF)
		return 1;
	return f->name != NULL && strlen(f->name) == n && memcmp(f->name, s, n) == 0;
}

struct uicc_file *uicc_fs_find_path(const struct uicc *card, const char *path)
{
	const struct uicc_file *cur = card->mf, *c;
	const char *s = path;
	int first = 1;

	if (path == NULL || cur == NULL)
		return NULL;
	while (*s != '\0') {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		uint16_t fid;

		if (n == 0)
			return NULL;
		c = NULL;
		if (first && (seg_is(card->mf, s, n) || (n == 2 && memcmp(s, "MF", 2) == 0))) {
			c = card->mf;
		} else if (first && seg_fid(s, n, &fid) && fid == 0x7fff) {
			/* 7FFF = the (first) application, TS 102 221 §8.4.1 */
			c = card->adfs;
		} else if (first) {
			for (c = card->adfs; c != NULL; c = c->next)
				if (c->name && strlen(c->name) == n && memcmp(c->name, s, n) == 0)
					break;
		}
		if (c == NULL && uicc_fs_is_df(cur))
			for (c = cur->children; c != NULL; c = c->next)
				if (seg_is(c, s, n))
					break;
		if (c == NULL)
			return NULL;
		cur = c;
		first = 0;
		s += n;
		if (*s == '/')
			s++;
	}
	return (struct uicc_file *)cur;
}

struct uicc_file *uicc_fs_adf_by_aid(const struct uicc *card, const uint8_t *aid,
				     size_t len, const struct uicc_file *prev)
{
	struct uicc_file *c = prev ? prev->next : card->adfs;

	for (; c != NULL; c = c->next)
		if (len <= c->aid_len && memcmp(c->aid, aid, len) == 0)
			return c;
	return NULL;
}

void uicc_fs_free(struct uicc_file *f)
{
	while (f != NULL) {
		struct uicc_file *next = f->next;

		uicc_fs_free(f->children);
		if (f->data != NULL) {
			OPENSSL_cleanse(f->data, f->size);
			free(f->data);
		}
		free(f->name);
		free(f->applet);
		free(f);
		f = next;
	}
}
