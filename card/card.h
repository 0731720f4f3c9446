/*
 * card.h - the card OS's internal data model, shared by the card modules.
 *
 * Contract: a `struct uicc` owns one file tree (MF + ADFs), the PIN table,
 * the applet table, the volatile channel state and the undo journal.  All
 * persistent bytes (file contents, cyclic order, LCSI, PIN values/counters/
 * enabled flags) live in memory allocated at load time and never change size,
 * so the journal (txn.c) can record (pointer, old bytes) pairs and restore
 * them.  Nothing here is reachable by applications outside libuicc.
 */
#ifndef UICC_CARD_H
#define UICC_CARD_H

#include <stddef.h>
#include <stdint.h>
#include "uicckit/uicc.h"
#include "uicckit/applet.h"
#include "uicckit/hooks.h"

#define UICC_CHANNELS 4		/* ATR historical bytes announce 4 channels */
#define UICC_MAX_PINS 16
#define UICC_MAX_APPLETS 8
#define UICC_MAX_DEPTH 8
#define UICC_MAX_FILES 1024
#define UICC_PIN_LEN 8

enum uicc_ftype {
	UICC_FT_MF = 1,
	UICC_FT_DF,
	UICC_FT_ADF,
	UICC_FT_TRANSPARENT,
	UICC_FT_LINEAR,
	UICC_FT_CYCLIC,
};

/* TS 102 221 §11.1.1.4.8 LCSI values we use. */
#define UICC_LCSI_ACTIVATED 0x05
#define UICC_LCSI_DEACTIVATED 0x04

struct uicc_file {
	enum uicc_ftype type;
	uint16_t fid;
	char *name;		/* "EF.IMSI", "ADF.USIM", may be NULL */
	uint8_t sfi;		/* 1..30, 0 = none */
	int internal;		/* internal EF: never readable/updatable by APDU */
	uint8_t lcsi;
	uint8_t arr[3];		/* tag 8B: EF.ARR FID (2) + record number (1) */
	int has_arr;
	/* DF/ADF */
	uint8_t aid[16];
	size_t aid_len;
	char *applet;		/* built-in applet bound to this ADF ("usim") */
	uint8_t pin_refs[8];	/* C6 PIN status template, in order */
	size_t n_pin_refs;
	struct uicc_file *children;
	/* EF */
	uint8_t *data;		/* transparent: size bytes; records: rec_len*n_rec */
	size_t size;
	size_t rec_len, n_rec;
	uint8_t cyc_head;	/* cyclic: physical slot of record 1 (persistent) */
	struct uicc_file *parent;
	struct uicc_file *next;	/* sibling */
};

struct uicc_pin {
	uint8_t ref;		/* key reference (01, 81, 11, 0A, ...) */
	char *name;
	/* persistent */
	uint8_t value[UICC_PIN_LEN];
	uint8_t retries, max_retries;
	uint8_t enabled;
	uint8_t can_disable;
	uint8_t has_puk;
	uint8_t puk[UICC_PIN_LEN];
	uint8_t puk_retries, puk_max_retries;
	/* volatile */
	int verified;
};

struct uicc_applet_slot {
	uint8_t aid[16];
	size_t aid_len;
	const struct uicc_applet_ops *ops;
	void *state;
	struct uicc_file *adf;	/* ADF bound to the applet, or NULL */
};

struct uicc_channel {
	int open;
	struct uicc_file *df;	/* current DF (MF, DF or ADF) */
	struct uicc_file *ef;	/* current EF or NULL */
	unsigned rec;		/* current record number, 0 = none */
	struct uicc_file *adf;	/* current application's ADF or NULL */
	int applet;		/* index into card->applets, -1 = none */
};

struct uicc_remote {
	struct uicc_channel ch;
	uint8_t granted[8];
	size_t n_granted;
};

struct uicc_jent {
	uint8_t *ptr;
	size_t len;
	uint8_t *old;
};

struct uicc {
	struct uicc_file *mf;
	struct uicc_file *adfs;		/* list linked through ->next */
	size_t n_files;
	struct uicc_pin pins[UICC_MAX_PINS];
	size_t n_pins;
	char *profile_name;
	struct uicc_applet_slot applets[UICC_MAX_APPLETS];
	size_t n_applets;
	/* volatile */
	struct uicc_channel ch[UICC_CHANNELS];
	enum uicc_transport transport;
	uint8_t *pending;		/* T=0 data waiting for GET RESPONSE */
	size_t pending_len, pending_off;
	uint8_t terminal_profile[64];
	size_t terminal_profile_len;
	struct {
		const struct uicc_hooks *ops;
		void *ctx;
	} hooks[UICC_MAX_HOOKS];
	size_t n_hooks;
	struct uicc_remote *remote;	/* set while uicc_transmit_remote() runs */
	/* persistence */
	const struct uicc_store_ops *store;
	void *store_ctx;
	struct uicc_jent *jrnl;
	size_t jrnl_n, jrnl_cap;
	int txn_depth;		/* explicit uicc_txn_begin() nesting */
	int jrnl_failed;	/* a journal allocation failed: must roll back */
};

/* Response being built by a command handler. */
struct uicc_rsp {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* Status words (TS 102 221 §10.2.1). */
enum {
	SW_OK = 0x9000,
	SW_WARN_EOF = 0x6282,
	SW_WARN_DEACT = 0x6283,
	SW_MEMORY = 0x6581,
	SW_WRONG_LEN = 0x6700,
	SW_CHAN_UNSUPP = 0x6881,
	SW_SM_UNSUPP = 0x6882,
	SW_CHAIN_UNSUPP = 0x6884,
	SW_INCOMPAT = 0x6981,
	SW_SECURITY = 0x6982,
	SW_BLOCKED = 0x6983,
	SW_INVALIDATED = 0x6984,
	SW_CONDITIONS = 0x6985,
	SW_NO_EF = 0x6986,
	SW_BAD_DATA = 0x6A80,
	SW_FUNC_UNSUPP = 0x6A81,
	SW_NOT_FOUND = 0x6A82,
	SW_REC_NOT_FOUND = 0x6A83,
	SW_BAD_P1P2 = 0x6A86,
	SW_REF_NOT_FOUND = 0x6A88,
	SW_WRONG_P1P2 = 0x6B00,
	SW_INS_UNSUPP = 0x6D00,
	SW_CLA_UNSUPP = 0x6E00,
	SW_TECH = 0x6F00,
	SW_AUTH_MAC = 0x9862,
	SW_AUTH_CTX = 0x9864,
};

/* Copy n bytes into the response; SW_TECH if it does not fit. */
int uicc_rsp_put(struct uicc_rsp *r, const void *p, size_t n);

#endif
