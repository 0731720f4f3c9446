/* fuzz_apdu.c - libFuzzer harness: a personalised default card (key set 0
 * active) fed a sequence of APDUs cut from the input.  Byte 0: b1 = T=0
 * transport, b2 = verify PIN1 first, b3 = verify ADM1 first.  Then records
 * of `len(1) bytes(len)`; len FF = warm reset.  Every answer must be at
 * least SW1 SW2 and fit the buffer; a journal left open is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "uicckit/keyset.h"
#include "uicckit/uicc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct uicc *card_new(void)
{
	json_t *p = uicc_profile_default();
	struct uicc *c = uicc_new(p, NULL, 0);
	struct uicc_keyset ks;

	json_decref(p);
	if (c == NULL)
		abort();
	memset(&ks, 0, sizeof(ks));
	ks.state = UICC_KS_ACTIVE;
	ks.alg = UICC_ALG_MILENAGE;
	ks.k_len = 16;
	memset(ks.k, 0x46, 16);
	ks.op_is_opc = 1;
	ks.opc_len = 16;
	memset(ks.opc, 0xcd, 16);
	ks.ind_len = 5;
	if (uicc_keyset_put(c, &ks, 1) != 0)
		abort();
	return c;
}

static void send(struct uicc *c, const uint8_t *a, size_t n, uint8_t *r)
{
	size_t rn = uicc_transmit(c, a, n, r, UICC_RAPDU_MAX);

	if (rn < 2 || rn > UICC_RAPDU_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t r[UICC_RAPDU_MAX];
	static const uint8_t pin1[] = { 0x00, 0x20, 0x00, 0x01, 0x08, '1', '2', '3', '4',
					0xff, 0xff, 0xff, 0xff };
	static const uint8_t adm1[] = { 0x00, 0x20, 0x00, 0x0a, 0x08, '8', '8', '8', '8',
					'8', '8', '8', '8' };
	struct uicc *c;
	uint8_t atr[UICC_ATR_MAX];
	size_t pos = 1;

	if (size == 0)
		return 0;
	c = card_new();
	uicc_power_on(c, atr, sizeof(atr));
	if (data[0] & 1)
		uicc_set_transport(c, UICC_TRANSPORT_T0);
	if (data[0] & 2)
		send(c, pin1, sizeof(pin1), r);
	if (data[0] & 4)
		send(c, adm1, sizeof(adm1), r);
	while (pos < size) {
		size_t n = data[pos++];

		if (n == 0xff) {
			uicc_power_on(c, atr, sizeof(atr));
			continue;
		}
		if (n > size - pos)
			n = size - pos;
		send(c, data + pos, n, r);
		pos += n;
	}
	/* the image must still serialise and load */
	{
		json_t *j = uicc_to_json(c);
		struct uicc *d = j ? uicc_new(j, NULL, 0) : NULL;

		if (d == NULL)
			abort();
		uicc_free(d);
		json_decref(j);
	}
	uicc_free(c);
	return 0;
}
