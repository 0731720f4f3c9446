/*
 * perso.h - personalisation of a card image from a profile.
 *
 * uicc_perso_apply() writes ICCID (EF.ICCID), IMSI (EF.IMSI, and EF.ACC
 * from the IMSI's last digit, TS 22.011 §4.2 practice), optional PIN1/ADM1
 * values, and the subscription key sets: index 0 active, 1..n-1 pre-loaded
 * (state unused) for the M2M switch.  Key material not given by the caller
 * is drawn from OpenSSL's RNG.  Everything happens in one card transaction.
 * The caller cleanses the struct with uicc_perso_cleanse().
 */
#ifndef UICCKIT_PERSO_H
#define UICCKIT_PERSO_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/keyset.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UICC_PERSO_MAX_KEYSETS 16

struct uicc_perso {
	char iccid[21];			/* 19 or 20 digits */
	char imsi[16];			/* 6..15 digits: key set 0's IMSI */
	char pin1[9], adm1[9];		/* digits; empty = keep the profile's */
	unsigned n_keysets;		/* 1..UICC_PERSO_MAX_KEYSETS */
	/* Key sets: fields left zero-length are drawn at random. */
	struct uicc_keyset ks[UICC_PERSO_MAX_KEYSETS];
};

/* Fill defaults (1 key set, Milenage, AES-128 OTA keys, KVN = index + 1,
 * TAR B00001) for the first n key sets, keeping what is already set. */
int uicc_perso_defaults(struct uicc_perso *p, unsigned n);
/* Set PIN1/ADM1 values (if given) in a profile document before the card
 * is built from it.  0 or UICC_EARG with a reason. */
int uicc_perso_set_pins(json_t *profile, const struct uicc_perso *p, char *err, size_t errlen);
/* Apply to a card built from a profile.  0, or UICC_EARG with a reason. */
int uicc_perso_apply(struct uicc *card, struct uicc_perso *p, char *err, size_t errlen);
void uicc_perso_cleanse(struct uicc_perso *p);

#ifdef __cplusplus
}
#endif
#endif
