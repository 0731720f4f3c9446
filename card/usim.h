/*
 * usim.h - the USIM application (3GPP TS 31.102) as a built-in applet.
 *
 * Contract: bound to the ADF whose image entry says "applet": "usim".  It
 * handles AUTHENTICATE (INS 88, TS 31.102 §7.1.2) with the active key set
 * of the card (keyset.h) and passes every other command to the card OS.
 */
#ifndef UICC_USIM_H
#define UICC_USIM_H

#include "uicckit/applet.h"

extern const struct uicc_applet_ops uicc_usim_applet;

#endif
