/*
 * udh.c - TS 23.040 §9.2.3.24 user data header: the IE list walk and the
 * OTA view of it (TS 31.115 §4: IEI 70 command / 71 response packet
 * identifier; §9.2.3.24.1 / .8 concatenation with 8/16-bit reference).
 *
 * Contract: see uicckit/sms.h.  The IE list is walked as a list: the
 * CPI is found wherever it sits (TS 31.115 puts the concatenation IE
 * first), never assumed to be the first IE.
 */
#include <string.h>
#include "uicckit/sms.h"

int ota_ud_split(const uint8_t *ud, size_t len, const uint8_t **udh, size_t *udh_len,
		 const uint8_t **rest, size_t *rest_len)
{
	size_t udhl;

	if (ud == NULL || len < 1)
		return OTA_SMS_E_UDHL;
	udhl = ud[0];
	if (udhl > len - 1)
		return OTA_SMS_E_UDHL;
	*udh = ud + 1;
	*udh_len = udhl;
	*rest = ud + 1 + udhl;
	*rest_len = len - 1 - udhl;
	return 0;
}

int ota_udh_next(const uint8_t *udh, size_t udh_len, size_t *pos, struct ota_udh_ie *ie)
{
	size_t p = *pos;

	if (p >= udh_len)
		return 0;
	if (udh_len - p < 2)
		return OTA_SMS_E_IE_TRUNC;
	if (udh[p + 1] > udh_len - p - 2)
		return OTA_SMS_E_IE_TRUNC;
	ie->iei = udh[p];
	ie->len = udh[p + 1];
	ie->val = udh + p + 2;
	*pos = p + 2 + ie->len;
	return 1;
}

static int take_concat(const struct ota_udh_ie *ie, struct ota_ud_info *t)
{
	size_t want = ie->iei == OTA_IEI_CONCAT8 ? 3 : 4;
	const uint8_t *v = ie->val;

	if (t->concat)
		return OTA_SMS_E_IE_DUP;
	if (ie->len != want)
		return OTA_SMS_E_IE_LEN;
	if (want == 3) {
		t->concat = 8;
		t->ref = v[0];
	} else {
		t->concat = 16;
		t->ref = (unsigned)v[0] << 8 | v[1];
	}
	t->total = v[want - 2];
	t->seq = v[want - 1];
	/* §9.2.3.24.1: seq 0 or seq > total (and total 0) are not valid. */
	if (t->total == 0 || t->seq == 0 || t->seq > t->total)
		return OTA_CONCAT_E_SEQ;
	return 0;
}

int ota_ud_parse(const uint8_t *ud, size_t len, struct ota_ud_info *info)
{
	struct ota_ud_info t;
	struct ota_udh_ie ie;
	const uint8_t *udh;
	size_t udh_len, pos = 0;
	int rc;

	if (info == NULL)
		return OTA_SMS_E_ARG;
	memset(&t, 0, sizeof(t));
	rc = ota_ud_split(ud, len, &udh, &udh_len, &t.payload, &t.payload_len);
	if (rc < 0)
		return rc;
	while ((rc = ota_udh_next(udh, udh_len, &pos, &ie)) == 1) {
		switch (ie.iei) {
		case OTA_IEI_CPI:
		case OTA_IEI_RPI: {
			int *flag = ie.iei == OTA_IEI_CPI ? &t.cpi : &t.rpi;

			/* TS 31.115 §4: IEIDL of the CPI/RPI is zero. */
			if (ie.len != 0)
				return OTA_SMS_E_IE_LEN;
			if (*flag)
				return OTA_SMS_E_IE_DUP;
			*flag = 1;
			break;
		}
		case OTA_IEI_CONCAT8:
		case OTA_IEI_CONCAT16:
			rc = take_concat(&ie, &t);
			if (rc < 0)
				return rc;
			break;
		default:
			/* 72..7F: reserved for (U)SIM toolkit security headers;
			 * a header we cannot interpret must not be ignored. */
			if (ie.iei >= 0x72 && ie.iei <= 0x7f)
				return OTA_SMS_E_IE_RESERVED;
			break;	/* other IEs (ports, ...) do not concern OTA */
		}
	}
	if (rc < 0)
		return rc;
	if (t.cpi && t.rpi)
		return OTA_SMS_E_CPI_RPI;
	*info = t;
	return 0;
}
