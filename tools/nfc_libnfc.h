/*
 * nfc_libnfc.h - the libnfc device backend for nfc_serve (built only when
 * configure found libnfc: HAVE_LIBNFC).
 *
 * Contract: uk_nfc_libnfc_open() opens a PN53x device through libnfc and
 * returns an opaque handle to use with uk_nfc_libnfc_ops.  All device calls
 * block (libnfc timeout 0); a watcher thread polls *stop every 50 ms and,
 * once it is set, calls nfc_abort_command() so the blocked call returns
 * UK_NFC_EABORTED.  This header does not include libnfc's headers.
 */
#ifndef UICCKIT_TOOLS_NFC_LIBNFC_H
#define UICCKIT_TOOLS_NFC_LIBNFC_H

#include <signal.h>
#include <stddef.h>

#include "tools/nfc_serve.h"

struct uk_nfc_libnfc;

/* libnfc's PN53x target commands carry at most 262 data bytes
 * (TgSetData/TgGetData, PN532 user manual §7.3.16-17). */
#define UK_NFC_LIBNFC_FRAME_MAX 262

extern const struct uk_nfc_dev_ops uk_nfc_libnfc_ops;

/* Open connstring (e.g. "pn532_uart:/dev/ttyUSB0"), or when it is NULL or
 * empty the devices nfc_list_devices() finds, first that opens wins.
 * Returns 0 and *out, or UK_NFC_ENODEV with a one-line reason in err that
 * names every connstring tried, UK_NFC_ENOSUPPORT when the device has no
 * ISO 14443A target mode, UK_NFC_ENOMEM.  *stop may be NULL (no watcher). */
int uk_nfc_libnfc_open(const char *connstring, volatile sig_atomic_t *stop,
		       struct uk_nfc_libnfc **out, char *err, size_t errlen);
/* Name of the open device as libnfc reports it (e.g. "ACR122U / PN532"). */
const char *uk_nfc_libnfc_name(const struct uk_nfc_libnfc *d);
const char *uk_nfc_libnfc_connstring(const struct uk_nfc_libnfc *d);
/* Stops the watcher, idles and closes the device, frees d (NULL is ok). */
void uk_nfc_libnfc_close(struct uk_nfc_libnfc *d);

#endif
