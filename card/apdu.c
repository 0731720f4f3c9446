/* apdu.c - command APDU codec; see apdu.h. */
#include "card/apdu.h"
#include "card/card.h"

int uicc_apdu_cla(uint8_t cla, unsigned *chan, int *prop)
{
	*prop = (cla & 0x80) != 0;
	if (cla == 0xff || (cla & 0xe0) == 0xa0)
		return SW_CLA_UNSUPP;	/* A0: GSM 11.11 class, not offered */
	if ((cla & 0x40) == 0) {
		/* TS 102 221 §10.1.1: '0X' / '8X', b4b3 SM, b2b1 channel 0..3 */
		if ((cla & 0x30) == 0x10 && !*prop)
			return SW_CHAIN_UNSUPP;
		if (cla & 0x30)
			return SW_CLA_UNSUPP;
		if (cla & 0x0c)
			return SW_SM_UNSUPP;
		*chan = cla & 0x03;
		return 0;
	}
	/* '4X'..'7X' / 'CX'..'FX': b6 SM, b5 chaining, b4..b1 = channel - 4 */
	if (cla & 0x20)
		return SW_SM_UNSUPP;
	if (cla & 0x10)
		return *prop ? SW_CLA_UNSUPP : SW_CHAIN_UNSUPP;
	*chan = 4u + (cla & 0x0f);
	return 0;
}

int uicc_apdu_parse(const uint8_t *c, size_t n, struct uicc_apdu *a)
{
	size_t lc;

	a->data = NULL;
	a->lc = 0;
	a->le = 0;
	a->has_le = 0;
	a->extended = 0;
	a->chan = 0;
	if (n < 4)
		return SW_WRONG_LEN;
	a->cla = c[0];
	a->ins = c[1];
	a->p1 = c[2];
	a->p2 = c[3];
	if (n == 4)
		return 0;			/* case 1 */
	if (n == 5) {				/* case 2S */
		a->has_le = 1;
		a->le = c[4] ? c[4] : 256;
		return 0;
	}
	if (c[4] != 0) {			/* case 3S / 4S */
		lc = c[4];
		if (n != 5 + lc && n != 6 + lc)
			return SW_WRONG_LEN;
		a->lc = lc;
		a->data = c + 5;
		if (n == 6 + lc) {
			a->has_le = 1;
			a->le = c[5 + lc] ? c[5 + lc] : 256;
		}
		return 0;
	}
	/* extended length: ISO/IEC 7816-4 §5.1 */
	a->extended = 1;
	if (n < 7)
		return SW_WRONG_LEN;
	if (n == 7) {				/* case 2E */
		a->has_le = 1;
		a->le = ((size_t)c[5] << 8) | c[6];
		if (a->le == 0)
			a->le = 65536;
		return 0;
	}
	lc = ((size_t)c[5] << 8) | c[6];
	if (lc == 0 || (n != 7 + lc && n != 9 + lc))
		return SW_WRONG_LEN;
	a->lc = lc;
	a->data = c + 7;
	if (n == 9 + lc) {
		a->has_le = 1;
		a->le = ((size_t)c[7 + lc] << 8) | c[8 + lc];
		if (a->le == 0)
			a->le = 65536;
	}
	return 0;
}
