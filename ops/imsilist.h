/*
 * imsilist.h - the CSV lists between operators (doc/operator-files.md):
 * the IMSI list B sends A (`iccid` or `imsi`, and `new_imsi`), the card
 * lists of `uicc-ota rekey` (`iccid` or `imsi`), the PoR file (`iccid`,
 * `por`) and the hand-over list A sends B (3b: iccid,new_imsi,new_index;
 * 3a: iccid,new_imsi,index,alg,k,opc,kic,kid,kic_key,kid_key,tar,cntr).
 *
 * Contract: RFC 4180 via common/csv.h, header row first, columns in any
 * order, unknown or repeated columns refused (OPS_EFORMAT).  The IMSI,
 * card and PoR lists are read row by row: a bad row (wrong field count,
 * bad digits, the same card or new IMSI twice) is recorded with its line
 * number and reason in l->bad and left out; the caller decides between
 * skipping and refusing (--strict).  The hand-over list is all or nothing:
 * the first bad row fails the whole parse with its line number.  Nothing
 * is read past len; key buffers are wiped by the free functions.
 */
#ifndef UK_OPS_IMSILIST_H
#define UK_OPS_IMSILIST_H

#include <stddef.h>
#include <stdint.h>
#include "ops/cms.h"
#include "ops/keyfile.h"

enum ops_list_mode {
	OPS_LIST_SWITCH = 0,	/* iccid|imsi, new_imsi */
	OPS_LIST_CARDS = 1,	/* iccid|imsi */
	OPS_LIST_POR = 2,	/* iccid, por */
};

#define OPS_LIST_POR_MAX 2048	/* hex digits of one PoR field, spaces included */

struct ops_listrow {
	unsigned line;
	char iccid[21];		/* "" when the list names cards by IMSI */
	char imsi[16];		/* "" when not given */
	char new_imsi[16];	/* OPS_LIST_SWITCH */
	char *por;		/* OPS_LIST_POR: the hex text (malloc'ed) */
};

struct ops_listerr {
	unsigned line;
	char why[120];
};

struct ops_list {
	int mode;
	int by_iccid;		/* 1: rows name cards by ICCID (else by IMSI) */
	struct ops_listrow *v;
	size_t n, cap;
	struct ops_listerr *bad;
	size_t nbad, badcap;
};

/* 0 (l filled; l->nbad rows were left out), or OPS_EFORMAT for a missing
 * or bad header / unreadable text (err says why), OPS_EIO out of memory. */
int ops_list_parse(const char *text, size_t len, int mode, struct ops_list *l, char *err,
		   size_t errlen);
/* Record a bad row (also used by the campaign for rows the database
 * refuses: unknown card, exhausted key set). */
int ops_list_add_bad(struct ops_list *l, unsigned line, const char *why);
void ops_list_free(struct ops_list *l);

/* Hand-over list */
struct ops_hrow {
	char iccid[21];
	char new_imsi[16];
	unsigned new_index;
	int has_keys;		/* 3a: r holds the key set */
	struct ops_keyrec r;
};

struct ops_handover {
	int keep_keys;		/* 3a format */
	struct ops_hrow *v;
	size_t n, cap;
};

int ops_handover_parse(const char *text, size_t len, struct ops_handover *h, char *err,
		       size_t errlen);
void ops_handover_free(struct ops_handover *h);

/* Shared field checks (0 ok, -1 bad): decimal digits of a length range,
 * and exact-length hex into out. */
int ops_field_digits(const char *s, size_t min, size_t max);
int ops_field_hex(const char *s, uint8_t *out, size_t min, size_t max, size_t *len);

#endif
