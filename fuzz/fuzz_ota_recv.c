/*
 * fuzz_ota_recv.c - the card's OTA receiver as the network drives it.
 * A personalised card with fixed keys; byte 0 of the input chooses:
 *   even: the rest is an ENVELOPE body (D1 ...) sent as is;
 *   odd:  bytes 1..3 = SPI1, SPI2 low bits, counter; the rest is an RFM
 *         script, built into a valid secured packet under the card's keys
 *         (so the fuzzer reaches the RFM executor and the switch logic),
 *         sent in an SMS-PP ENVELOPE, followed by FETCH / TERMINAL RESPONSE.
 * Every answer must carry a status word; the card must survive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uicckit/envelope.h"
#include "uicckit/perso.h"
#include "uicckit/secpkt.h"
#include "uicckit/sms.h"
#include "uicckit/uicc.h"

static struct uicc *make_card(struct uicc_perso *p)
{
	char err[128];
	json_t *doc = uicc_profile_default();
	struct uicc *card = uicc_new(doc, err, sizeof(err));
	unsigned i;

	json_decref(doc);
	if (card == NULL)
		abort();
	memset(p, 0, sizeof(*p));
	strcpy(p->iccid, "89882390000000000019");
	strcpy(p->imsi, "001010000000001");
	for (i = 0; i < 2; i++) {
		p->ks[i].k_len = 16;
		memset(p->ks[i].k, 0x11 * (i + 1), 16);
		p->ks[i].opc_len = 16;
		p->ks[i].op_is_opc = 1;
		memset(p->ks[i].opc, 0x22 * (i + 1), 16);
		p->ks[i].kic_alg = p->ks[i].kid_alg = 0x02;
		p->ks[i].kic_len = p->ks[i].kid_len = 16;
		memset(p->ks[i].kic, 0x33 * (i + 1), 16);
		memset(p->ks[i].kid, 0x44 * (i + 1), 16);
	}
	if (uicc_perso_defaults(p, 2) != 0 || uicc_perso_apply(card, p, err, sizeof(err)) != 0)
		abort();
	return card;
}

static void send(struct uicc *card, const uint8_t *apdu, size_t len)
{
	static uint8_t r[UICC_RAPDU_MAX];
	size_t n = uicc_transmit(card, apdu, len, r, sizeof(r));

	if (n < 2 || n > sizeof(r))
		abort();
}

static void envelope(struct uicc *card, const uint8_t *body, size_t len)
{
	uint8_t apdu[5 + 255];

	if (len > 255)
		len = 255;
	memcpy(apdu, "\x80\xc2\x00\x00", 4);
	apdu[4] = (uint8_t)len;
	memcpy(apdu + 5, body, len);
	send(card, apdu, 5 + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t tp[] = { 0x80, 0x10, 0x00, 0x00, 0x04, 0x03, 0x00, 0x80, 0x02 };
	static const uint8_t fetch[] = { 0x80, 0x12, 0x00, 0x00, 0x0b };
	static const uint8_t tr[] = { 0x80, 0x14, 0x00, 0x00, 0x0c, 0x81, 0x03, 0x01, 0x01, 0x04,
				      0x82, 0x02, 0x82, 0x81, 0x83, 0x01, 0x00 };
	struct uicc_perso p;
	struct uicc *card;

	if (size < 1 || size > 2000)
		return 0;
	card = make_card(&p);
	uicc_power_on(card, NULL, 0);
	send(card, tp, sizeof(tp));
	if ((data[0] & 1) == 0) {
		envelope(card, data + 1, size - 1);
	} else if (size >= 4) {
		struct ota_cmd_hdr h;
		struct ota_keys k;
		struct ota_sms_deliver d;
		uint8_t pkt[1200], ud[1300], tpdu[300], env[300];
		size_t tlen = 0, elen = 0;
		int n;

		memset(&h, 0, sizeof(h));
		h.spi[0] = data[1];
		h.spi[1] = data[2] & 0x3f;
		h.kic = h.kid = 0x12;
		h.tar[0] = 0xb0;
		h.tar[2] = data[3] & 1;
		h.cntr = data[3];
		memset(&k, 0, sizeof(k));
		memcpy(k.kic_key, p.ks[0].kic, 16);
		memcpy(k.kid_key, p.ks[0].kid, 16);
		k.kic_key_len = k.kid_key_len = 16;
		n = ota_cmd_build(&h, &k, data + 4, size - 4, pkt, sizeof(pkt));
		if (n > 0 && n + 3 <= 140) {
			ud[0] = 0x02;
			ud[1] = 0x70;
			ud[2] = 0x00;
			memcpy(ud + 3, pkt, (size_t)n);
			ota_sms_deliver_init(&d);
			d.ud = ud;
			d.ud_len = (size_t)n + 3;
			d.udl = (uint8_t)d.ud_len;
			if (ota_sms_addr_set(&d.oa, "12345", 0x91) == 0 &&
			    ota_sms_deliver_build(&d, tpdu, sizeof(tpdu), &tlen) == 0 &&
			    ota_env_sms_pp_build(tpdu, tlen, NULL, 0, env, sizeof(env), &elen) == 0)
				send(card, env, elen);
		}
		send(card, fetch, sizeof(fetch));
		send(card, tr, sizeof(tr));
		uicc_power_on(card, NULL, 0);
	}
	uicc_perso_cleanse(&p);
	uicc_free(card);
	return 0;
}
