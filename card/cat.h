/*
 * cat.h - the card side of the CAT proactive protocol (TS 102 223 §6,
 * TS 102 221 §7.4.2.2): a small queue of proactive commands, signalled as
 * 91 XX, fetched with FETCH, ended with TERMINAL RESPONSE.  One command is
 * outstanding at a time; a reset empties the queue (volatile state).
 * Commands the TERMINAL PROFILE does not announce are not queued.
 */
#ifndef UICC_CAT_H
#define UICC_CAT_H

#include <stddef.h>
#include <stdint.h>

#define UICC_CAT_QUEUE 4
#define UICC_CAT_CMD_MAX 255

/* TS 102 223 §8.6: command type and REFRESH qualifiers */
#define UICC_CAT_REFRESH 0x01
#define UICC_CAT_SEND_SMS 0x13
/* TS 102 223 §8.6 REFRESH qualifiers */
#define UICC_REFRESH_NAA_INIT_FULL_FCN 0x00
#define UICC_REFRESH_FCN 0x01
#define UICC_REFRESH_NAA_INIT_FCN 0x02
#define UICC_REFRESH_NAA_INIT 0x03
#define UICC_REFRESH_UICC_RESET 0x04
#define UICC_REFRESH_NAA_APP_RESET 0x05
#define UICC_REFRESH_NAA_SESSION_RESET 0x06

struct uicc_cat {
	uint8_t cmd[UICC_CAT_QUEUE][UICC_CAT_CMD_MAX];
	size_t len[UICC_CAT_QUEUE];
	size_t n;		/* queued commands, [0] is the current one */
	int fetched;		/* [0] was fetched: waiting for its TERMINAL RESPONSE */
	uint8_t number;		/* next command number */
};

void uicc_cat_reset(struct uicc_cat *c);
/* Length of the command to signal with 91 XX (0: nothing to fetch). */
size_t uicc_cat_pending(const struct uicc_cat *c);
/* Does TERMINAL PROFILE announce the command type?  (REFRESH byte 3 b8,
 * SEND SHORT MESSAGE byte 4 b2.) */
int uicc_cat_supported(const uint8_t *profile, size_t len, uint8_t type);
/* Queue REFRESH with a qualifier, or a SEND SHORT MESSAGE carrying tpdu.
 * 0 or -1 (queue full, too long). */
int uicc_cat_queue_refresh(struct uicc_cat *c, uint8_t qualifier);
/* REFRESH with a file list (tag 92, TS 102 223 §8.18): qualifiers 01 (file
 * change notification) and 02 (NAA initialisation + FCN); `files` holds n
 * full paths from 3F00, each `path_len[i]` bytes (even, >= 4). */
int uicc_cat_queue_refresh_files(struct uicc_cat *c, uint8_t qualifier, const uint8_t *files,
				 const size_t *path_len, size_t n);
int uicc_cat_queue_send_sms(struct uicc_cat *c, const uint8_t *tpdu, size_t tpdu_len);
/* FETCH: copy the current command; returns its length or 0 if none. */
size_t uicc_cat_fetch(struct uicc_cat *c, uint8_t *out, size_t cap);
/* TERMINAL RESPONSE: 0x9000 when it answers the fetched command (which is
 * then done), 0x6F00 when nothing was fetched, 0x6A80 when malformed. */
unsigned uicc_cat_terminal_response(struct uicc_cat *c, const uint8_t *data, size_t len);

#endif
