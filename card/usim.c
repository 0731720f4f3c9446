/* usim.c - the USIM applet: AUTHENTICATE (TS 31.102 §7.1.2); see usim.h. */
#include <string.h>
#include <openssl/crypto.h>
#include "card/card.h"
#include "card/usim.h"
#include "uicckit/keyset.h"

/* TS 31.102 §4.2.8 service numbers */
#define UST_GSM_ACCESS 27
#define UST_GSM_SECURITY_CONTEXT 38

/* Phase 1: the AKA algorithms are not linked yet. */
static int authenticate(struct uicc *card, const struct uicc_apdu *a, uint8_t *out, size_t cap,
			size_t *outlen)
{
	struct uicc_keyset ks;
	int idx, rc;

	(void)out;
	(void)cap;
	*outlen = 0;
	if (a->p1 != 0x00 || (a->p2 != 0x80 && a->p2 != 0x81))
		return SW_BAD_P1P2;
	/* TS 31.102 §7.1.2: the application PIN (PIN1) must be verified or
	 * disabled */
	if (!uicc_pin_satisfied(card, 0x01))
		return SW_SECURITY;
	if (a->p2 == 0x81 && (a->lc != 34 || a->data[0] != 16 || a->data[17] != 16))
		return SW_WRONG_LEN;
	if (a->p2 == 0x80 && (a->lc != 17 || a->data[0] != 16))
		return SW_WRONG_LEN;
	if (a->p2 == 0x80 && !uicc_service_available(card, a->chan, UST_GSM_SECURITY_CONTEXT))
		return SW_AUTH_CTX;
	idx = uicc_keyset_active(card);
	if (idx < 0)
		return SW_CONDITIONS;	/* no active key set: not personalised */
	rc = uicc_keyset_get(card, (unsigned)idx, &ks);
	uicc_keyset_cleanse(&ks);
	if (rc < 0)
		return SW_TECH;
	return SW_INS_UNSUPP;
}

static int usim_process(struct uicc *card, void *state, const struct uicc_apdu *a,
			uint8_t *out, size_t cap, size_t *outlen)
{
	(void)state;
	*outlen = 0;
	if (a->ins == 0x88 && (a->cla & 0x80) == 0)
		return authenticate(card, a, out, cap, outlen);
	return UICC_APPLET_PASS;
}

const struct uicc_applet_ops uicc_usim_applet = {
	.name = "usim",
	.process = usim_process,
};
