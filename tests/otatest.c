/* otatest.c - see otatest.h */
#include <check.h>
#include <string.h>

#include "tests/cardtest.h"
#include "tests/otatest.h"
#include "uicckit/envelope.h"
#include "uicckit/sms.h"

struct uicc *ot_perso_card(struct uicc_perso *p, unsigned n)
{
	struct uicc *card = ct_card();
	char err[128];

	ck_assert_ptr_nonnull(card);
	ck_assert_int_eq(uicc_perso_defaults(p, n), 0);
	ck_assert_msg(uicc_perso_apply(card, p, err, sizeof(err)) == 0, "%s", err);
	return card;
}

size_t ot_envelope_raw(const uint8_t *pkt, size_t len, uint8_t *env, size_t cap)
{
	struct ota_sms_deliver d;
	uint8_t ud[OTA_SMS_UD_MAX], tpdu[OTA_SMS_TPDU_MAX];
	size_t tl = 0, el = 0;

	ck_assert_uint_le(len + 3, sizeof(ud));
	ud[0] = 0x02;		/* UDH: command packet identifier 70 00 */
	ud[1] = 0x70;
	ud[2] = 0x00;
	memcpy(ud + 3, pkt, len);
	ota_sms_deliver_init(&d);
	ck_assert_int_eq(ota_sms_addr_set(&d.oa, "12345", 0x91), 0);
	d.ud = ud;
	d.ud_len = len + 3;
	d.udl = (uint8_t)d.ud_len;
	ck_assert_int_eq(ota_sms_deliver_build(&d, tpdu, sizeof(tpdu), &tl), 0);
	ck_assert_int_eq(ota_env_sms_pp_build(tpdu, tl, NULL, 0, env, cap, &el), 0);
	return el;
}

size_t ot_envelope(const struct ota_cmd_hdr *h, const struct ota_keys *k, const uint8_t *script,
		   size_t len, uint8_t *env, size_t cap)
{
	uint8_t pkt[OTA_SMS_UD_MAX];
	int n = ota_cmd_build(h, k, script, len, pkt, sizeof(pkt));

	ck_assert_int_gt(n, 0);
	return ot_envelope_raw(pkt, (size_t)n, env, cap);
}
