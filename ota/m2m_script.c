/* m2m_script.c - RFM scripts of the M2M profile; see m2m_script.h. */
#include <string.h>
#include <openssl/crypto.h>

#include "common/bcd.h"
#include "uicckit/m2m_script.h"

int ota_m2m_switch_script(const char *imsi, unsigned index, enum ota_rfm_format fmt,
			  uint8_t *out, size_t cap, size_t *len)
{
	/* TS 102 221 §11.1.1 SELECT by FID without FCP, then UPDATE BINARY */
	uint8_t sel_imsi[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x6f, 0x07 };
	uint8_t sel_idx[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0xff, 0x03 };
	uint8_t upd_imsi[5 + 9] = { 0x00, 0xd6, 0x00, 0x00, 0x09 };
	uint8_t upd_idx[6] = { 0x00, 0xd6, 0x00, 0x00, 0x01 };
	const uint8_t *ap[4] = { sel_imsi, upd_imsi, sel_idx, upd_idx };
	const size_t lens[4] = { sizeof(sel_imsi), sizeof(upd_imsi), sizeof(sel_idx),
				 sizeof(upd_idx) };

	if (index > 254 || uk_imsi_encode(imsi, upd_imsi + 5) != 0)
		return -1;
	upd_idx[5] = (uint8_t)index;
	return ota_rfm_build(fmt, 0, ap, lens, 4, out, cap, len);
}

int ota_m2m_rekey_script(const uint8_t k[16], const uint8_t opc[16], const uint8_t *kic_key,
			 const uint8_t *kid_key, enum ota_rfm_format fmt, uint8_t *out, size_t cap,
			 size_t *len)
{
	uint8_t sel[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0xff, 0x05 };
	uint8_t upd[5 + 66] = { 0x00, 0xd6, 0x00, 0x00, 66 };
	const uint8_t *ap[2] = { sel, upd };
	const size_t lens[2] = { sizeof(sel), sizeof(upd) };
	int rc;

	if ((kic_key == NULL) != (kid_key == NULL))
		return -1;
	/* EF.KEYXFER: flags, K length, K, OPc, [KIc key, KID key] */
	upd[5] = kic_key != NULL ? 0x03 : 0x01;
	upd[6] = 16;
	memcpy(upd + 7, k, 16);
	memcpy(upd + 23, opc, 16);
	memset(upd + 39, 0xff, 32);
	if (kic_key != NULL) {
		memcpy(upd + 39, kic_key, 16);
		memcpy(upd + 55, kid_key, 16);
	}
	rc = ota_rfm_build(fmt, 0, ap, lens, 2, out, cap, len);
	OPENSSL_cleanse(upd, sizeof(upd));
	return rc;
}
