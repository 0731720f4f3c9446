/* pin.c - PIN / ADM verification; see pin.h. */
#include <string.h>
#include <openssl/crypto.h>
#include "card/pin.h"
#include "card/txn.h"

struct uicc_pin *uicc_pin_find(struct uicc *card, uint8_t ref)
{
	size_t i;

	for (i = 0; i < card->n_pins; i++)
		if (card->pins[i].ref == ref)
			return &card->pins[i];
	return NULL;
}

int uicc_pin_satisfied(const struct uicc *card, uint8_t ref)
{
	size_t i;

	if (card == NULL)
		return 0;
	if (card->remote != NULL)
		for (i = 0; i < card->remote->n_granted; i++)
			if (card->remote->granted[i] == ref)
				return 1;
	for (i = 0; i < card->n_pins; i++) {
		const struct uicc_pin *p = &card->pins[i];

		if (p->ref == ref)
			return p->verified || (!p->enabled && p->can_disable);
	}
	return 0;
}

void uicc_pin_reset_volatile(struct uicc *card)
{
	size_t i;

	for (i = 0; i < card->n_pins; i++)
		card->pins[i].verified = 0;
}

int uicc_pin_format_ok(const uint8_t v[UICC_PIN_LEN])
{
	size_t i, digits = 0;

	for (i = 0; i < UICC_PIN_LEN && v[i] >= '0' && v[i] <= '9'; i++)
		digits++;
	for (; i < UICC_PIN_LEN; i++)
		if (v[i] != 0xff)
			return 0;
	return digits >= 4;
}

/* TS 102 221 table 9.3: the key references a command may name. */
static int ref_valid(uint8_t ref)
{
	uint8_t r = ref & 0x7f;

	return (r >= 0x01 && r <= 0x08) || (r >= 0x0a && r <= 0x0e) || ref == 0x11;
}

/* Anti-tearing: decrement and commit before comparing; restore on match. */
static int try_secret(struct uicc *card, uint8_t *counter, uint8_t max,
		      const uint8_t *stored, const uint8_t *given)
{
	uint8_t dec = (uint8_t)(*counter - 1);
	int match;

	if (uicc_pwrite(card, counter, &dec, 1) < 0 || uicc_txn_flush(card) < 0)
		return SW_MEMORY;
	match = CRYPTO_memcmp(stored, given, UICC_PIN_LEN) == 0;
	if (!match)
		return 0x63c0 | (*counter & 0x0f);
	if (uicc_pwrite(card, counter, &max, 1) < 0 || uicc_txn_flush(card) < 0)
		return SW_MEMORY;
	return SW_OK;
}

static int status_sw(const struct uicc_pin *p)
{
	if (p->retries == 0)
		return SW_BLOCKED;
	if (p->verified)
		return SW_OK;
	return 0x63c0 | (p->retries & 0x0f);
}

static int verify(struct uicc *card, struct uicc_pin *p, const struct uicc_apdu *a)
{
	int sw;

	if (a->lc == 0)
		return status_sw(p);	/* TS 102 221 §11.1.9: retry counter query */
	if (a->lc != UICC_PIN_LEN)
		return SW_WRONG_LEN;
	if (p->retries == 0)
		return SW_BLOCKED;
	sw = try_secret(card, &p->retries, p->max_retries, p->value, a->data);
	if (sw == SW_OK)
		p->verified = 1;
	else
		p->verified = 0;
	return sw;
}

static int change(struct uicc *card, struct uicc_pin *p, const struct uicc_apdu *a)
{
	int sw;

	if (a->lc != 2 * UICC_PIN_LEN)
		return SW_WRONG_LEN;
	if (!uicc_pin_format_ok(a->data + UICC_PIN_LEN))
		return SW_BAD_DATA;
	if (p->retries == 0)
		return SW_BLOCKED;
	if (!p->enabled)
		return SW_CONDITIONS;
	sw = try_secret(card, &p->retries, p->max_retries, p->value, a->data);
	if (sw != SW_OK) {
		p->verified = 0;
		return sw;
	}
	if (uicc_pwrite(card, p->value, a->data + UICC_PIN_LEN, UICC_PIN_LEN) < 0 ||
	    uicc_txn_flush(card) < 0)
		return SW_MEMORY;
	p->verified = 1;
	return SW_OK;
}

static int set_enabled(struct uicc *card, struct uicc_pin *p, const struct uicc_apdu *a, uint8_t en)
{
	int sw;

	if (a->lc != UICC_PIN_LEN)
		return SW_WRONG_LEN;
	if (!p->can_disable || p->enabled == en)
		return SW_CONDITIONS;
	if (p->retries == 0)
		return SW_BLOCKED;
	sw = try_secret(card, &p->retries, p->max_retries, p->value, a->data);
	if (sw != SW_OK) {
		p->verified = 0;
		return sw;
	}
	if (uicc_pwrite(card, &p->enabled, &en, 1) < 0 || uicc_txn_flush(card) < 0)
		return SW_MEMORY;
	p->verified = 1;
	return SW_OK;
}

static int unblock(struct uicc *card, struct uicc_pin *p, const struct uicc_apdu *a)
{
	int sw;

	if (!p->has_puk)
		return SW_REF_NOT_FOUND;
	if (a->lc == 0)
		return p->puk_retries == 0 ? SW_BLOCKED : 0x63c0 | (p->puk_retries & 0x0f);
	if (a->lc != 2 * UICC_PIN_LEN)
		return SW_WRONG_LEN;
	if (!uicc_pin_format_ok(a->data + UICC_PIN_LEN))
		return SW_BAD_DATA;
	if (p->puk_retries == 0)
		return SW_BLOCKED;
	sw = try_secret(card, &p->puk_retries, p->puk_max_retries, p->puk, a->data);
	if (sw != SW_OK)
		return sw;
	if (uicc_pwrite(card, p->value, a->data + UICC_PIN_LEN, UICC_PIN_LEN) < 0 ||
	    uicc_pwrite(card, &p->retries, &p->max_retries, 1) < 0 ||
	    uicc_txn_flush(card) < 0)
		return SW_MEMORY;
	p->verified = 1;
	return SW_OK;
}

int uicc_pin_cmd(struct uicc *card, const struct uicc_apdu *a)
{
	struct uicc_pin *p;
	uint8_t p1_ok = a->p1 == 0x00;

	if (!ref_valid(a->p2))
		return SW_BAD_P1P2;
	if (a->ins == 0x28 && a->p1 != 0x00)
		p1_ok = 0;
	if (!p1_ok)
		return SW_BAD_P1P2;
	p = uicc_pin_find(card, a->p2);
	if (p == NULL)
		return SW_REF_NOT_FOUND;
	switch (a->ins) {
	case 0x20:
		return verify(card, p, a);
	case 0x24:
		return change(card, p, a);
	case 0x26:
		return set_enabled(card, p, a, 0);
	case 0x28:
		return set_enabled(card, p, a, 1);
	case 0x2c:
		return unblock(card, p, a);
	default:
		return SW_INS_UNSUPP;
	}
}
