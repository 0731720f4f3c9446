/*
 * cmd.h - command handlers of the card OS (one per TS 102 221 command
 * family), called by the dispatcher in uicc.c.
 *
 * Contract: a handler reads the parsed APDU, may change the channel state
 * and (through txn.h) persistent state, appends response data to r and
 * returns the status word.  It never writes past r->cap.  Length and
 * transport post-processing (61xx, 6Cxx) is the dispatcher's job, except
 * READ BINARY, whose Le decides how much it reads.
 */
#ifndef UICC_CMD_H
#define UICC_CMD_H

#include "card/card.h"

/* select.c: SELECT (A4), STATUS (F2) */
int uicc_cmd_select(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r);
int uicc_cmd_status(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r);
/* Make f the current file of the channel (EF: its DF becomes current DF). */
void uicc_select_file(struct uicc_channel *ch, struct uicc_file *f);

/* efops.c: READ/UPDATE BINARY (B0/D6), READ/UPDATE RECORD (B2/DC),
 * SEARCH RECORD (A2), DEACTIVATE/ACTIVATE FILE (04/44) */
int uicc_cmd_binary(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r);
int uicc_cmd_record(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r);
int uicc_cmd_search(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r);
int uicc_cmd_lifecycle(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a);

/* channel.c: MANAGE CHANNEL (70) and channel state */
int uicc_cmd_manage_channel(struct uicc *card, const struct uicc_apdu *a, struct uicc_rsp *r);
void uicc_channels_reset(struct uicc *card);

/* applet.c: application selection by AID */
int uicc_app_select(struct uicc *card, struct uicc_channel *ch, const struct uicc_apdu *a,
		    struct uicc_rsp *r);
void uicc_app_deselect(struct uicc *card, struct uicc_channel *ch);

/* uicc.c: tell the hooks about an AUTHENTICATE outcome */
void uicc_hooks_authenticated(struct uicc *card, unsigned idx, int outcome);
int uicc_apps_install(struct uicc *card);
void uicc_apps_free(struct uicc *card);

#endif
