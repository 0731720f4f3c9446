/* channel.c - logical channels and MANAGE CHANNEL (TS 102 221 §11.1.17);
 * see cmd.h. */
#include "card/cmd.h"

void uicc_channels_reset(struct uicc *card)
{
	unsigned i;

	for (i = 0; i < UICC_CHANNELS; i++) {
		if (card->ch[i].open && card->ch[i].applet >= 0)
			uicc_app_deselect(card, &card->ch[i]);
		card->ch[i].open = i == 0;	/* the basic channel is always open */
		card->ch[i].df = card->mf;
		card->ch[i].ef = NULL;
		card->ch[i].rec = 0;
		card->ch[i].adf = NULL;
		card->ch[i].applet = -1;
	}
}

static void open_from(struct uicc *card, struct uicc_channel *nc, const struct uicc_channel *from,
		      int from_basic)
{
	nc->open = 1;
	nc->rec = 0;
	nc->ef = NULL;
	nc->applet = -1;
	if (from_basic) {
		/* opened from the basic channel: MF is the current DF */
		nc->df = card->mf;
		nc->adf = NULL;
	} else {
		/* opened from another channel: inherit its current DF and
		 * application (ISO/IEC 7816-4 §5.1.1.2) */
		nc->df = from->df;
		nc->adf = from->adf;
		nc->applet = from->applet;
	}
}

int uicc_cmd_manage_channel(struct uicc *card, const struct uicc_apdu *a, struct uicc_rsp *r)
{
	struct uicc_channel *from = &card->ch[a->chan];
	unsigned n;
	uint8_t b;

	if (a->p1 == 0x00) {
		if (a->lc != 0)
			return SW_WRONG_LEN;
		if (a->p2 == 0x00) {
			/* the card assigns the lowest free channel */
			for (n = 1; n < UICC_CHANNELS && card->ch[n].open; n++)
				;
			if (n == UICC_CHANNELS)
				return SW_FUNC_UNSUPP;
			open_from(card, &card->ch[n], from, a->chan == 0);
			b = (uint8_t)n;

			return uicc_rsp_put(r, &b, 1) < 0 ? SW_TECH : SW_OK;
		}
		if (a->p2 >= 20)
			return SW_BAD_P1P2;
		if (a->p2 >= UICC_CHANNELS)
			return SW_CHAN_UNSUPP;
		if (card->ch[a->p2].open)
			return SW_CONDITIONS;
		open_from(card, &card->ch[a->p2], from, a->chan == 0);
		return SW_OK;
	}
	if (a->p1 == 0x80) {
		if (a->lc != 0)
			return SW_WRONG_LEN;
		if (a->p2 == 0 || a->p2 >= 20)
			return SW_BAD_P1P2;
		if (a->p2 >= UICC_CHANNELS || !card->ch[a->p2].open)
			return SW_CHAN_UNSUPP;
		if (card->ch[a->p2].applet >= 0)
			uicc_app_deselect(card, &card->ch[a->p2]);
		card->ch[a->p2].open = 0;
		card->ch[a->p2].adf = NULL;
		return SW_OK;
	}
	return SW_BAD_P1P2;
}
