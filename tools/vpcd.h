/*
 * vpcd.h - the card side of vsmartcard's vpcd reader protocol.
 *
 * vpcd (a pcsc-lite reader driver) listens on TCP; the card connects as the
 * client.  Every message is a frame: 2-byte big-endian length + payload.
 * 1-byte payloads are control codes (00 power off, 01 power on, 02 reset,
 * 04 get ATR -- answered with the ATR); longer payloads are command APDUs,
 * each answered with exactly one non-empty frame.
 *
 * uk_vpcd_handle() is the pure protocol step (testable without sockets);
 * uk_vpcd_serve_fd() runs one connection; uk_vpcd_run() connects, serves and
 * reconnects with back-off until *stop is set.
 */
#ifndef UK_VPCD_H
#define UK_VPCD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define UK_VPCD_FRAME_MAX 65535
/* Answer buffer size: a whole response of the card (65536 data + SW); an
 * answer longer than a frame can carry is replaced by SW 6F00. */
#define UK_VPCD_OUT_MAX 65538

enum uk_vpcd_ctrl {
	UK_VPCD_POWER_OFF = 0x00,
	UK_VPCD_POWER_ON = 0x01,
	UK_VPCD_RESET = 0x02,
	UK_VPCD_GET_ATR = 0x04,
};

struct uk_vpcd_card {
	/* Power up or warm reset; write the ATR, return its length. */
	size_t (*power_on)(void *ctx, uint8_t *atr, size_t cap);
	void (*power_off)(void *ctx);
	size_t (*transmit)(void *ctx, const uint8_t *capdu, size_t len,
			   uint8_t *rapdu, size_t cap);
};

struct uk_vpcd_stats {
	unsigned long apdus, resets, connects;
};

/* One frame payload in, the answer payload out (out holds
 * UK_VPCD_OUT_MAX bytes).  Returns the answer length, 0 for "no
 * answer", or -1 for an empty payload. */
int uk_vpcd_handle(const struct uk_vpcd_card *card, void *ctx, int *powered,
		   uint8_t *atr, size_t *atr_len, const uint8_t *payload, size_t len,
		   uint8_t *out, size_t cap, struct uk_vpcd_stats *st);
/* Serve frames on a connected socket until the peer closes (0), an I/O or
 * framing error (-1), or *stop (1). */
int uk_vpcd_serve_fd(int fd, const struct uk_vpcd_card *card, void *ctx,
		     volatile sig_atomic_t *stop, struct uk_vpcd_stats *st, FILE *log);
/* Connect to "HOST:PORT"; returns a socket or -1 (reason in err). */
int uk_vpcd_connect(const char *hostport, char *err, size_t errlen);
/* Connect, serve, reconnect (back-off 0.1 s .. 2 s) until *stop. 0 on a
 * clean stop, -1 on a bad address. */
int uk_vpcd_run(const char *hostport, const struct uk_vpcd_card *card, void *ctx,
		volatile sig_atomic_t *stop, struct uk_vpcd_stats *st, FILE *log);

#endif
