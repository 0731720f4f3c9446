/*
 * nfc_serve.h - serve a card over a contactless (ISO/IEC 14443-4 type A)
 * target device: the NFC front end of `uicc-card serve --nfc`.
 *
 * Contract:
 * - The device and the card sit behind function-pointer interfaces
 *   (struct uk_nfc_dev_ops, struct uk_nfc_card_ops), so the loop is tested
 *   with a fake device and a fake card; this header and nfc_serve.c never
 *   include libnfc headers (the real backend is nfc_libnfc.c).
 * - uk_nfc_serve() arms the target, and on each activation by a reader
 *   powers the card on, answers every received frame (one C-APDU) with
 *   exactly one frame (the card's R-APDU), and on field loss / DESELECT /
 *   any link error powers the card off and re-arms the target.  It returns
 *   0 once *stop becomes non-zero (the caller's signal handler sets it; the
 *   device backend makes blocking calls return UK_NFC_EABORTED), or a
 *   negative enum uk_nfc_err on a device failure.  The card is powered off
 *   on every return path.
 * - No global mutable state: everything lives in the caller's objects.
 */
#ifndef UICCKIT_TOOLS_NFC_SERVE_H
#define UICCKIT_TOOLS_NFC_SERVE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum uk_nfc_err {
	UK_NFC_OK = 0,
	UK_NFC_ETIMEOUT = -1,	/* nothing happened within timeout_ms: retry */
	UK_NFC_ERELEASED = -2,	/* field lost, DESELECT, RF error: re-arm */
	UK_NFC_EABORTED = -3,	/* blocking call aborted (stop requested) */
	UK_NFC_EDEVICE = -4,	/* the device failed (unplugged, I/O error) */
	UK_NFC_ENOSUPPORT = -5,	/* device cannot emulate an ISO 14443-4A PICC */
	UK_NFC_ENODEV = -6,	/* no device found / could not open one */
	UK_NFC_ENOMEM = -7,
	UK_NFC_EARG = -8,
	UK_NFC_ENOLIBNFC = -9,	/* built without libnfc (--without-libnfc) */
};

/* Largest C-APDU the loop accepts (extended case 4: 4 + 3 + 65535 + 2;
 * a PN53x delivers at most 262 bytes anyway). */
#define UK_NFC_CAPDU_MAX 65544
/* Largest R-APDU a card may produce (= UICC_RAPDU_MAX). */
#define UK_NFC_RAPDU_MAX 65538
/* ISO/IEC 7816-3 §8.2: at most 15 historical bytes. */
#define UK_NFC_HIST_MAX 15

/* What the emulated PICC announces (ISO/IEC 14443-3 §6.5 / -4 §5.2). */
struct uk_nfc_target {
	uint8_t atqa[2];	/* SENS_RES, e.g. 00 04 */
	uint8_t uid[3];		/* NFCID1 bytes 2..4; PN53x forces byte 1 = 08
				 * (ISO/IEC 14443-3: random single-size UID) */
	uint8_t sak;		/* SEL_RES; bit 6 (0x20) = ISO 14443-4 compliant */
	uint8_t hist[UK_NFC_HIST_MAX];	/* ATS historical bytes */
	size_t hist_len;
};

struct uk_nfc_dev_ops {
	/* Arm the target and wait for a reader to activate it.  Returns the
	 * length (>= 0) of the first frame already received into buf (0 when
	 * the device answered RATS itself and no APDU came yet), or <0. */
	int (*init_target)(void *dev, const struct uk_nfc_target *tgt,
			   uint8_t *buf, size_t cap, int timeout_ms);
	/* Next frame from the reader: its length (>= 0) or <0. */
	int (*receive)(void *dev, uint8_t *buf, size_t cap, int timeout_ms);
	/* Send one frame; 0 or <0. */
	int (*send)(void *dev, const uint8_t *buf, size_t len, int timeout_ms);
	/* Largest frame send() can carry (0: no limit). */
	size_t frame_max;
};

struct uk_nfc_card_ops {
	/* Cold reset: returns the ATR length (the ATR itself is not sent:
	 * ISO 14443-4 has none). */
	size_t (*power_on)(void *card, uint8_t *atr, size_t cap);
	void (*power_off)(void *card);
	/* One APDU; returns the R-APDU length (>= 2, data + SW1 SW2).
	 * rapdu holds UK_NFC_RAPDU_MAX bytes. */
	size_t (*transmit)(void *card, const uint8_t *capdu, size_t len,
			   uint8_t *rapdu, size_t cap);
};

struct uk_nfc_serve_opts {
	struct uk_nfc_target target;
	int timeout_ms;		/* passed to the device calls; 0 = block */
	int max_init_failures;	/* consecutive init_target errors before
				 * giving up (0: default 3) */
	FILE *log;		/* one line per event; NULL: silent */
	int trace;		/* also log every C-APDU / R-APDU in hex */
};

struct uk_nfc_stats {
	unsigned long sessions;	/* activations by a reader */
	unsigned long apdus;	/* R-APDUs sent */
	unsigned long releases;	/* sessions that ended by field loss */
	unsigned long oversize;	/* R-APDUs replaced by 6F 00 (see below) */
};

/* Defaults: ATQA 00 04, UID 08 55 4B 01 ("UK"), SAK 20, no historical
 * bytes, timeout 0 (block; stop through the device's abort), no log. */
void uk_nfc_serve_opts_init(struct uk_nfc_serve_opts *opts);

/* The serve loop (see the contract above).  opts may be NULL (defaults);
 * stats may be NULL.  An R-APDU longer than dev->frame_max cannot be sent
 * (no GET RESPONSE over ISO 14443-4 with a direct transport); it is
 * replaced by SW 6F 00 and counted in stats->oversize. */
int uk_nfc_serve(const struct uk_nfc_card_ops *card_ops, void *card,
		 const struct uk_nfc_dev_ops *dev_ops, void *dev,
		 const struct uk_nfc_serve_opts *opts,
		 volatile sig_atomic_t *stop, struct uk_nfc_stats *stats);

const char *uk_nfc_strerror(int err);

/* ---- struct uicc adapter (tools/nfc_main.c; links libukcard) ---- */
struct uicc;

/* uk_nfc_card_ops over uicc_power_on / uicc_power_off / uicc_transmit;
 * the card pointer is a struct uicc *. */
extern const struct uk_nfc_card_ops uk_nfc_uicc_ops;

/* What `uicc-card serve --nfc [CONNSTRING]` runs: open the libnfc device
 * (connstring NULL or "": the first one found), serve card until *stop,
 * close.  Sets the card to the direct transport (no 61xx/6Cxx: ISO 14443-4
 * carries whole R-APDUs).  Progress and errors go to log (stderr if NULL).
 * Returns 0 or a negative enum uk_nfc_err (UK_NFC_ENOLIBNFC when built
 * without libnfc, UK_NFC_ENODEV when no device could be opened). */
int uk_nfc_serve_main(struct uicc *card, const char *connstring,
		      volatile sig_atomic_t *stop);
int uk_nfc_serve_main_log(struct uicc *card, const char *connstring,
			  volatile sig_atomic_t *stop, FILE *log, int trace);

#endif
