/* usim.c - the USIM applet; see usim.h. */
#include "card/card.h"
#include "card/usim.h"

static int usim_process(struct uicc *card, void *state, const struct uicc_apdu *a,
			uint8_t *out, size_t cap, size_t *outlen)
{
	(void)card;
	(void)state;
	(void)out;
	(void)cap;
	*outlen = 0;
	if (a->ins == 0x88 && (a->cla & 0x80) == 0)
		return SW_INS_UNSUPP;	/* phase 1: AUTHENTICATE not yet offered */
	return UICC_APPLET_PASS;
}

const struct uicc_applet_ops uicc_usim_applet = {
	.name = "usim",
	.process = usim_process,
};
