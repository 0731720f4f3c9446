/*
 * keyset.h - personalisation (admin) API of the simulated UICC: the M2M
 * key-set list and direct file writes.  These functions are for the
 * library's own tools (uicc-perso, the OTA/M2M applets); no APDU reaches
 * them, and key material never leaves the card through an APDU.
 *
 * Key sets live in the internal EF ADF.USIM/FF01 (linear fixed, one
 * UICC_KEYSET_REC_LEN-byte record per index, record n = index n-1) and their
 * SQN arrays in the internal EF ADF.USIM/FF02 (one UICC_SQN_REC_LEN-byte
 * record per index); both have access condition NEVER.  Byte layouts are in
 * uicc-profile(5).  Every write runs in a card transaction and is committed
 * to the store before the function returns (or joins the caller's open
 * transaction, see uicc_txn_begin()).
 */
#ifndef UICCKIT_KEYSET_H
#define UICCKIT_KEYSET_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/uicc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UICC_KEYSET_FID 0xff01
#define UICC_SQN_FID 0xff02
#define UICC_KEYSET_REC_LEN 160
#define UICC_SQN_SLOTS 32
#define UICC_SQN_REC_LEN (1 + 6 * UICC_SQN_SLOTS)

enum uicc_keyset_state {
	UICC_KS_UNUSED = 0,
	UICC_KS_ACTIVE = 1,
	UICC_KS_PENDING = 2,
	UICC_KS_RETIRED = 3,
};

enum uicc_auth_alg {
	UICC_ALG_MILENAGE = 1,
	UICC_ALG_XOR = 2,	/* TS 34.108 §8.1.2 test algorithm */
	UICC_ALG_TUAK = 3,
};

struct uicc_keyset {
	uint8_t index;		/* 0..count-1 */
	uint8_t state;		/* enum uicc_keyset_state */
	uint8_t alg;		/* enum uicc_auth_alg */
	uint8_t k_len;		/* 16 or 32 */
	uint8_t k[32];
	uint8_t op_is_opc;	/* 1: opc[] holds OPc (TOPc); 0: it holds OP (TOP) */
	uint8_t opc_len;	/* 16 (Milenage) or 32 (TUAK) */
	uint8_t opc[32];
	/* RES length in bytes for TUAK (4, 8, 16, 32) and XOR (4..16); 0 = 8.
	 * TUAK (TS 35.231) MAC/CK/IK sizes in bytes and Keccak iterations. */
	uint8_t res_len, tuak_mac_len, tuak_ck_len, tuak_ik_len, tuak_keccak_iter;
	/* OTA (TS 102 225): KIc/KID algorithm bytes as coded in the KIc/KID
	 * fields, key lengths and keys, key version number, TAR, counter */
	uint8_t kic_alg, kic_len, kic[32];
	uint8_t kid_alg, kid_len, kid[32];
	uint8_t kvn;
	uint8_t tar[3];
	uint8_t cntr[5];
	/* TS 33.102 Annex C: SQN array parameters */
	uint8_t ind_len;	/* IND bits, 0..5 (default 5) */
};

/* Number of key-set records in the image, or <0 if it has no key-set EF. */
int uicc_keyset_count(const struct uicc *card);
/* Read key set `index`.  0, UICC_ENOTFOUND, UICC_ECORRUPT (bad record). */
int uicc_keyset_get(const struct uicc *card, unsigned index, struct uicc_keyset *ks);
/* Write key set ks->index (validated: lengths, algorithm, state; at most
 * one active set; a retired set stays retired).  Resets that index's SQN array when reset_sqn != 0.
 * 0, UICC_EARG, UICC_ENOTFOUND, UICC_EIO (store commit failed). */
int uicc_keyset_put(struct uicc *card, const struct uicc_keyset *ks, int reset_sqn);
/* Index of the active key set, or UICC_ENOTFOUND. */
int uicc_keyset_active(const struct uicc *card);
void uicc_keyset_cleanse(struct uicc_keyset *ks);

/* SQN array of key set `index`: sqn[i] = highest accepted SQN in IND slot i
 * (48-bit values).  0 or <0. */
int uicc_sqn_get(const struct uicc *card, unsigned index, uint64_t sqn[UICC_SQN_SLOTS],
		 unsigned *ind_len);
int uicc_sqn_put(struct uicc *card, unsigned index, const uint64_t sqn[UICC_SQN_SLOTS],
		 unsigned ind_len);

/* Direct file access ignoring access conditions (personalisation).  path
 * as "3F00/2FE2", "ADF.USIM/6F07", "7FFF/6F07" or "EF.ICCID"; internal EFs
 * are refused (use the key-set API).  0, UICC_ENOTFOUND, UICC_EARG
 * (wrong file structure or range), UICC_EIO. */
int uicc_admin_read_binary(const struct uicc *card, const char *path, size_t offset,
			   uint8_t *out, size_t len);
int uicc_admin_update_binary(struct uicc *card, const char *path, size_t offset,
			     const uint8_t *data, size_t len);
int uicc_admin_read_record(const struct uicc *card, const char *path, unsigned rec,
			   uint8_t *out, size_t len);
int uicc_admin_update_record(struct uicc *card, const char *path, unsigned rec,
			     const uint8_t *data, size_t len);
/* Set a PIN/ADM value (8 bytes, ASCII digits padded with FF for PINs; any
 * 8 bytes for ADM keys) and optionally its PUK (NULL keeps it); resets the
 * retry counters to their maxima.  0, UICC_ENOTFOUND (no such key
 * reference), UICC_EARG (bad PIN format), UICC_EIO. */
int uicc_admin_set_pin(struct uicc *card, uint8_t ref, const uint8_t value[8],
		       const uint8_t *puk);
/* File size (transparent) or record length (record EF); <0 if not found. */
long uicc_admin_file_size(const struct uicc *card, const char *path);

#ifdef __cplusplus
}
#endif
#endif
