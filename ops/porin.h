/*
 * porin.h - what comes back from the SMSC or the terminal, as the `por`
 * field of a PoR file (doc/operator-files.md, "PoR file"), turned into the
 * response packet ota_por_parse() reads.
 *
 * Accepted, per hex segment (several segments of a concatenated PoR are
 * separated by one space): a response packet (RPL consistent with the
 * length), PoR user data starting with a UDH (02 71 00 ...), the card's
 * answer to the ENVELOPE (that user data followed by SW1 SW2), an
 * SMS-DELIVER-REPORT (RP-ACK or RP-ERROR form) or SMS-SUBMIT TPDU, or a
 * FETCH response holding a SEND SHORT MESSAGE (with or without SW1 SW2).
 * Contract: never reads past the text, writes at most cap bytes, answers
 * anything else with OPS_EFORMAT and a reason; no partial output.
 */
#ifndef UK_OPS_PORIN_H
#define UK_OPS_PORIN_H

#include <stddef.h>
#include <stdint.h>
#include "ops/cms.h"

/* The response packet (CPL..end, without the 02 71 00 UDH) in out. */
int ops_porin_decode(const char *hex, uint8_t *out, size_t cap, size_t *out_len, char *err,
		     size_t errlen);

#endif
