/* perso.c - personalisation; see include/uicckit/perso.h. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/bcd.h"
#include "card/m2m_int.h"
#include "uicckit/perso.h"

/* TS 102 225 §5.1.2: KIc/KID low nibble 2 = AES (CBC / CMAC). */
#define OTA_ALG_AES 0x02

static int rand_fill(uint8_t *p, size_t n)
{
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

int uicc_perso_defaults(struct uicc_perso *p, unsigned n)
{
	unsigned i;

	if (n == 0 || n > UICC_PERSO_MAX_KEYSETS)
		return UICC_EARG;
	p->n_keysets = n;
	for (i = 0; i < n; i++) {
		struct uicc_keyset *ks = &p->ks[i];

		ks->index = (uint8_t)i;
		ks->state = i == 0 ? UICC_KS_ACTIVE : UICC_KS_UNUSED;
		if (ks->alg == 0)
			ks->alg = UICC_ALG_MILENAGE;
		if (ks->k_len == 0) {
			ks->k_len = 16;
			if (rand_fill(ks->k, 16) != 0)
				return UICC_ENOMEM;
		}
		if (ks->opc_len == 0 && ks->alg == UICC_ALG_MILENAGE) {
			ks->opc_len = 16;
			ks->op_is_opc = 1;
			if (rand_fill(ks->opc, 16) != 0)
				return UICC_ENOMEM;
		}
		if (ks->kic_len == 0) {
			ks->kic_alg = OTA_ALG_AES;
			ks->kic_len = 16;
			if (rand_fill(ks->kic, 16) != 0)
				return UICC_ENOMEM;
		}
		if (ks->kid_len == 0) {
			ks->kid_alg = OTA_ALG_AES;
			ks->kid_len = 16;
			if (rand_fill(ks->kid, 16) != 0)
				return UICC_ENOMEM;
		}
		if (ks->kvn == 0)
			ks->kvn = (uint8_t)(i + 1);
		if (ks->tar[0] == 0 && ks->tar[1] == 0 && ks->tar[2] == 0) {
			ks->tar[0] = 0xb0;
			ks->tar[2] = 0x01;	/* B00001: ADF RFM on ADF.USIM */
		}
		if (ks->ind_len == 0)
			ks->ind_len = 5;
	}
	return 0;
}

/* TS 102 221 §9.5.1: PIN digits as ASCII, padded with FF to 8 bytes. */
static int pin_block(const char *digits, uint8_t out[8])
{
	size_t n = strlen(digits);

	if (!uk_is_digits(digits, 4, 8))
		return -1;
	memset(out, 0xff, 8);
	memcpy(out, digits, n);
	return 0;
}

static int set_pin(json_t *doc, const char *ref, const char *digits)
{
	json_t *pins = json_object_get(doc, "pins"), *pin;
	uint8_t blk[8];
	char hex[17];
	size_t i;

	if (pin_block(digits, blk) != 0)
		return -1;
	for (i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02X", blk[i]);
	json_array_foreach(pins, i, pin) {
		const char *r = json_string_value(json_object_get(pin, "ref"));

		if (r != NULL && strcmp(r, ref) == 0)
			return json_object_set_new(pin, "value", json_string(hex));
	}
	return -1;
}

/* PIN values are card-image fields, so they are set in the profile document
 * before the card is built. */
int uicc_perso_set_pins(json_t *profile, const struct uicc_perso *p, char *err, size_t errlen)
{
	if (p->pin1[0] != '\0' && set_pin(profile, "01", p->pin1) != 0) {
		snprintf(err, errlen, "PIN1 must be 4 to 8 digits");
		return UICC_EARG;
	}
	if (p->adm1[0] != '\0' && set_pin(profile, "0A", p->adm1) != 0) {
		snprintf(err, errlen, "ADM1 must be 4 to 8 digits");
		return UICC_EARG;
	}
	return 0;
}

int uicc_perso_apply(struct uicc *card, struct uicc_perso *p, char *err, size_t errlen)
{
	uint8_t iccid[UK_ICCID_EF_LEN], imsi[UK_IMSI_EF_LEN], acc[2] = { 0, 0 };
	size_t n = strlen(p->imsi);
	unsigned i, cls;
	int count, rc;

	if (!uk_is_digits(p->iccid, 19, 20) || uk_iccid_encode(p->iccid, iccid) != 0) {
		snprintf(err, errlen, "ICCID must be 19 or 20 digits");
		return UICC_EARG;
	}
	if (uk_imsi_encode(p->imsi, imsi) != 0) {
		snprintf(err, errlen, "IMSI must be 6 to 15 digits");
		return UICC_EARG;
	}
	count = uicc_keyset_count(card);
	if (p->n_keysets == 0 || count < 0 || p->n_keysets > (unsigned)count) {
		snprintf(err, errlen, "this profile holds %d key sets, %u asked", count, p->n_keysets);
		return UICC_EARG;
	}
	/* TS 22.011 §4.2: access class 0..9 is allocated at random; the last
	 * IMSI digit is the usual choice.  EF.ACC byte 2 b1 = class 0. */
	cls = (unsigned)(p->imsi[n - 1] - '0');
	acc[1 - cls / 8] = (uint8_t)(1u << (cls % 8));

	if (uicc_txn_begin(card) != 0) {
		snprintf(err, errlen, "cannot start a card transaction");
		return UICC_EIO;
	}
	rc = uicc_admin_update_binary(card, "3F00/2FE2", 0, iccid, sizeof(iccid));
	if (rc == 0)
		rc = uicc_admin_update_binary(card, "ADF.USIM/6F07", 0, imsi, sizeof(imsi));
	if (rc == 0)
		rc = uicc_admin_update_binary(card, "ADF.USIM/6F78", 0, acc, sizeof(acc));
	for (i = 0; rc == 0 && i < p->n_keysets; i++)
		rc = uicc_keyset_put(card, &p->ks[i], 1);
	if (rc == 0)
		rc = uicc_m2m_state_init(card);
	if (rc != 0) {
		uicc_txn_abort(card);
		snprintf(err, errlen, "personalisation failed: %s", uicc_strerror(rc));
		return rc;
	}
	return uicc_txn_commit(card);
}

void uicc_perso_cleanse(struct uicc_perso *p)
{
	OPENSSL_cleanse(p, sizeof(*p));
}
