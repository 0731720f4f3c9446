/* applet.c - applet table and application selection by AID
 * (TS 102 221 §8.5, §11.1.1.2; ISO/IEC 7816-4 §5.3.1); see applet.h. */
#include <string.h>
#include "card/cmd.h"
#include "card/fcp.h"
#include "card/fs.h"
#include "card/usim.h"

static unsigned chan_no(const struct uicc *card, const struct uicc_channel *ch)
{
	if (card->remote != NULL && ch == &card->remote->ch)
		return UICC_REMOTE_CHAN;
	return (unsigned)(ch - card->ch);
}

static const struct uicc_applet_ops *builtin(const char *name)
{
	if (name != NULL && strcmp(name, "usim") == 0)
		return &uicc_usim_applet;
	return NULL;
}

static int install_slot(struct uicc *card, struct uicc_applet_slot *s, void *arg)
{
	if (s->ops != NULL && s->ops->install != NULL)
		return s->ops->install(card, arg, &s->state);
	return 0;
}

int uicc_apps_install(struct uicc *card)
{
	struct uicc_file *adf;
	int rc;

	for (adf = card->adfs; adf != NULL; adf = adf->next) {
		struct uicc_applet_slot *s;

		if (card->n_applets == UICC_MAX_APPLETS)
			return UICC_EPROFILE;
		s = &card->applets[card->n_applets];
		memcpy(s->aid, adf->aid, adf->aid_len);
		s->aid_len = adf->aid_len;
		s->adf = adf;
		s->ops = builtin(adf->applet);
		if (adf->applet != NULL && s->ops == NULL)
			return UICC_EPROFILE;
		card->n_applets++;
		rc = install_slot(card, s, NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void uicc_apps_free(struct uicc *card)
{
	size_t i;

	for (i = 0; i < card->n_applets; i++) {
		struct uicc_applet_slot *s = &card->applets[i];

		if (s->ops != NULL && s->ops->uninstall != NULL)
			s->ops->uninstall(s->state);
		s->state = NULL;
	}
	card->n_applets = 0;
}

int uicc_applet_register(struct uicc *card, const uint8_t *aid, size_t aid_len,
			 const struct uicc_applet_ops *ops, void *arg)
{
	struct uicc_applet_slot *s = NULL;
	size_t i;
	int rc;

	if (card == NULL || aid == NULL || ops == NULL || aid_len == 0 || aid_len > 16)
		return UICC_EARG;
	for (i = 0; i < card->n_applets; i++) {
		struct uicc_applet_slot *t = &card->applets[i];

		if (t->aid_len == aid_len && memcmp(t->aid, aid, aid_len) == 0) {
			if (t->ops != NULL)
				return UICC_EARG;	/* AID taken */
			s = t;			/* bind to the image's ADF */
		}
	}
	if (s == NULL) {
		if (card->n_applets == UICC_MAX_APPLETS)
			return UICC_ENOMEM;
		s = &card->applets[card->n_applets++];
		memset(s, 0, sizeof(*s));
		memcpy(s->aid, aid, aid_len);
		s->aid_len = aid_len;
	}
	s->ops = ops;
	rc = install_slot(card, s, arg);
	if (rc < 0)
		s->ops = NULL;
	return rc;
}

void uicc_app_deselect(struct uicc *card, struct uicc_channel *ch)
{
	struct uicc_applet_slot *s;

	if (ch->applet < 0 || (size_t)ch->applet >= card->n_applets)
		return;
	s = &card->applets[ch->applet];
	ch->applet = -1;
	if (s->ops != NULL && s->ops->deselect != NULL)
		s->ops->deselect(card, s->state, chan_no(card, ch));
}

static int find_app(const struct uicc *card, const uint8_t *aid, size_t len, size_t from)
{
	size_t i;

	for (i = from; i < card->n_applets; i++)
		if (len <= card->applets[i].aid_len && memcmp(card->applets[i].aid, aid, len) == 0)
			return (int)i;
	return -1;
}

int uicc_app_select(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r)
{
	uint8_t ret = a->p2 & 0x0c, occ = a->p2 & 0x03;
	struct uicc_applet_slot *s;
	int idx, sw = SW_OK;

	/* P2: b7 = termination, b4b3 = FCP/no data, b2b1 = 00 first, 10 next */
	if ((a->p2 & 0xb0) != 0 || ret == 0x08 || (occ != 0x00 && occ != 0x02))
		return SW_BAD_P1P2;
	if (a->lc == 0 || a->lc > 16)
		return SW_WRONG_LEN;
	if (a->p2 & 0x40) {
		/* terminate the application session on this channel */
		if (ch->adf == NULL || a->lc > ch->adf->aid_len ||
		    memcmp(ch->adf->aid, a->data, a->lc) != 0)
			return SW_NOT_FOUND;
		uicc_app_deselect(card, ch);
		ch->adf = NULL;
		ch->df = card->mf;
		ch->ef = NULL;
		ch->rec = 0;
		return SW_OK;
	}
	idx = find_app(card, a->data, a->lc,
		       occ == 0x02 && ch->applet >= 0 ? (size_t)ch->applet + 1 : 0);
	if (occ == 0x02 && ch->applet < 0 && ch->adf != NULL) {
		/* current application is a plain ADF: continue after it */
		int cur = -1;
		size_t i;

		for (i = 0; i < card->n_applets; i++)
			if (card->applets[i].adf == ch->adf)
				cur = (int)i;
		idx = find_app(card, a->data, a->lc, (size_t)cur + 1);
	}
	if (idx < 0)
		return SW_NOT_FOUND;
	uicc_app_deselect(card, ch);
	s = &card->applets[idx];
	if (s->ops != NULL && s->ops->select != NULL) {
		sw = s->ops->select(card, s->state, chan_no(card, ch));
		if (sw != SW_OK)
			return sw;
	}
	ch->applet = s->ops != NULL ? idx : -1;
	if (s->adf != NULL) {
		ch->adf = s->adf;
		uicc_select_file(ch, s->adf);
		if (ret != 0x0c) {
			uint8_t fcp[128];
			int n = uicc_fcp_build(card, s->adf, fcp, sizeof(fcp));

			if (n < 0 || uicc_rsp_put(r, fcp, (size_t)n) < 0)
				return SW_TECH;
		}
	}
	return SW_OK;
}
