/*
 * cntr.c - card-side security policy steps of TS 102 225 §5.1 that need no
 * key: the counter rule of SPI1 b5b4 (RSC 02/03/04) and the Minimum Security
 * Level check of TS 102 226 §8.2.1.3.2.4.2 (RSC 0A).  The caller runs them
 * in the order of our spec digest §6 (MSL before deciphering, counter only
 * after the RC/CC verified) and stores the new counter itself.
 */
#include "uicckit/secpkt.h"

/* TS 102 225 §5.1.1 SPI1 b5b4 and §5.1.3.4: the counter never wraps. */
uint8_t ota_cntr_check(const uint8_t spi[2], uint64_t stored, uint64_t received)
{
	switch ((spi[0] >> 3) & 0x03) {
	case 0x02:
		if (stored >= OTA_CNTR_MAX)
			return OTA_RSC_CNTR_BLOCKED;
		return received > stored ? OTA_RSC_OK : OTA_RSC_CNTR_LOW;
	case 0x03:
		if (stored >= OTA_CNTR_MAX)
			return OTA_RSC_CNTR_BLOCKED;
		if (received <= stored)
			return OTA_RSC_CNTR_LOW;
		return received == stored + 1 ? OTA_RSC_OK : OTA_RSC_CNTR_HIGH;
	default:
		return OTA_RSC_OK;
	}
}

/* TS 102 226 §8.2.1.3.2.4.2: the MSL is coded like SPI1; every field of the
 * packet's SPI1 must be at least as strong. */
uint8_t ota_msl_check(uint8_t msl, const uint8_t spi[2])
{
	uint8_t s = spi[0];

	if ((s & 0x03) < (msl & 0x03))
		return OTA_RSC_INSUFFICIENT_SECURITY;
	if ((msl & 0x04) && !(s & 0x04))
		return OTA_RSC_INSUFFICIENT_SECURITY;
	if (((s >> 3) & 0x03) < ((msl >> 3) & 0x03))
		return OTA_RSC_INSUFFICIENT_SECURITY;
	return OTA_RSC_OK;
}

/* Spec digest §6 step 4 (uicckit policy; the TS leaves it open): the key
 * set is named by the KVN nibble of KIc (ciphering of the command or the
 * PoR) and of KID (CC of the command or the PoR).  KVN 0 and a KIc and KID
 * naming different key sets are refused with RSC 06. */
uint8_t ota_keyset_check(const struct ota_cmd_hdr *h, uint8_t *kvn)
{
	int use_kic = (h->spi[0] & 0x04) || (h->spi[1] & 0x10);
	int use_kid = (h->spi[0] & 0x03) == 0x02 || (h->spi[1] & 0x0c) == 0x08;
	uint8_t c = h->kic >> 4, d = h->kid >> 4;

	*kvn = use_kic ? c : use_kid ? d : 0;
	if ((use_kic && c == 0) || (use_kid && d == 0))
		return OTA_RSC_SECURITY_ERROR;
	if (use_kic && use_kid && c != d)
		return OTA_RSC_SECURITY_ERROR;
	return OTA_RSC_OK;
}
