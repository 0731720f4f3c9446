/*
 * otatest.h - helpers for the M2M / OTA test suites: a personalised card,
 * and a secured packet wrapped as the network delivers it (SMS-DELIVER from
 * "12345", PID 7F, DCS F6, in an SMS-PP download ENVELOPE).  They fail the
 * running Check test on any error.
 */
#ifndef UK_OTATEST_H
#define UK_OTATEST_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/perso.h"
#include "uicckit/secpkt.h"

/* The default card personalised with p (ICCID/IMSI given, n key sets;
 * fields left empty are drawn at random). */
struct uicc *ot_perso_card(struct uicc_perso *p, unsigned n);
/* ENVELOPE C-APDU carrying the given bytes as the command packet of one
 * SMS; returns its length. */
size_t ot_envelope_raw(const uint8_t *pkt, size_t len, uint8_t *env, size_t cap);
/* Build the packet for script under h/k, then as ot_envelope_raw(). */
size_t ot_envelope(const struct ota_cmd_hdr *h, const struct ota_keys *k, const uint8_t *script,
		   size_t len, uint8_t *env, size_t cap);

#endif
