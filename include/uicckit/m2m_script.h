/*
 * m2m_script.h - operator-side RFM scripts of the M2M profile (uicc-profile
 * (5)): the Alternative 3b switch (EF.IMSI and EF.KEYIDX in one script,
 * the key index written last so that a partial run changes nothing a
 * terminal sees) and the Alternative 3a key transfer (EF.KEYXFER).
 * Both are addressed to the ADF RFM TAR (B00001), which starts in
 * ADF.USIM; send them inside a ciphered, CC-protected secured packet.
 */
#ifndef UICCKIT_M2M_SCRIPT_H
#define UICCKIT_M2M_SCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/rfm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 0, or OTA_RFM_E_* / -1 for a bad IMSI or index (0..254). */
int ota_m2m_switch_script(const char *imsi, unsigned index, enum ota_rfm_format fmt,
			  uint8_t *out, size_t cap, size_t *len);
/* k, opc: 16 bytes; kic_key/kid_key: 16 bytes each or NULL to keep the
 * OTA keys. */
int ota_m2m_rekey_script(const uint8_t k[16], const uint8_t opc[16], const uint8_t *kic_key,
			 const uint8_t *kid_key, enum ota_rfm_format fmt, uint8_t *out, size_t cap,
			 size_t *len);

#ifdef __cplusplus
}
#endif
#endif
