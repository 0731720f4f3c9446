/*
 * apdu.h - command APDU codec (ISO/IEC 7816-4 §5.1, TS 102 221 §10.1).
 *
 * Contract: uicc_apdu_parse() accepts any byte string and either fills a
 * struct uicc_apdu (cases 1, 2, 3, 4 in short and extended form; data points
 * into the input) and returns 0, or returns the status word that answers the
 * malformed command (67 00).  uicc_apdu_cla() decodes the class byte into a
 * logical channel and the command set (interindustry vs TS 102 221
 * proprietary) or returns 6E00 / 6882 / 6884.
 */
#ifndef UICC_APDU_H
#define UICC_APDU_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/applet.h"

int uicc_apdu_parse(const uint8_t *c, size_t n, struct uicc_apdu *a);
/* *prop = 1 for the TS 102 221 class (8X/CX), 0 for ISO (0X/4X-7X). */
int uicc_apdu_cla(uint8_t cla, unsigned *chan, int *prop);

#endif
