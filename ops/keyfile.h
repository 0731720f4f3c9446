/*
 * keyfile.h - the key-set records that travel in key files, escrow
 * releases and 3a hand-over lists (doc/operator-files.md, "Key file").
 *
 * ops_keyfile_parse() takes outside bytes (decrypted, verified CMS
 * content): it checks every field (digits, hex lengths, algorithm names,
 * index range) and answers OPS_EFORMAT with the record number and field on
 * the first bad one; it never returns a partial list.  Key buffers are
 * wiped by ops_keyrecs_free().
 */
#ifndef UK_OPS_KEYFILE_H
#define UK_OPS_KEYFILE_H

#include <stddef.h>
#include <stdint.h>
#include "ops/cms.h"

struct ops_keyrec {
	char iccid[21];		/* 19..20 digits */
	char imsi[16];		/* 6..15 digits, or "" when unknown */
	unsigned index;		/* key set index on the card, 0..15 */
	uint8_t alg;		/* UICC_ALG_* (keyset.h) */
	uint8_t op_is_opc;	/* 1: opc[] is OPc; 0: OP */
	uint8_t k_len, opc_len;	/* 16 or 32 */
	uint8_t k[32], opc[32];
	uint8_t kic, kid;	/* KIc / KID bytes: KVN << 4 | algorithm */
	uint8_t kic_len, kid_len;
	uint8_t kic_key[32], kid_key[32];
	uint8_t tar[3];
	uint64_t cntr;		/* last counter used (40 bits) */
};

struct ops_keyrecs {
	struct ops_keyrec *v;
	size_t n, cap;
	char issuer[256];
};

int ops_keyrecs_add(struct ops_keyrecs *l, const struct ops_keyrec *r);
void ops_keyrecs_free(struct ops_keyrecs *l);
void ops_keyrec_cleanse(struct ops_keyrec *r);

/* JSON text of the whole list (malloc'ed, NUL-terminated; free with
 * ops_cms_free(p, *len)). */
int ops_keyfile_encode(const struct ops_keyrecs *l, const char *issuer, char **out,
		       size_t *len, char *err, size_t errlen);
int ops_keyfile_parse(const uint8_t *json, size_t len, struct ops_keyrecs *l, char *err,
		      size_t errlen);

/* Sealed key file: encode + ops_cms_seal + ops_file_write (0600). */
int ops_keyfile_write_sealed(const char *path, const struct ops_keyrecs *l,
			     const struct ops_party *signer, const struct ops_party *recipient,
			     char *err, size_t errlen);
/* ops_file_read + ops_cms_open + ops_keyfile_parse. */
int ops_keyfile_read_sealed(const char *path, const struct ops_party *me,
			    const struct ops_trust *trust, struct ops_keyrecs *l,
			    struct ops_party **signer_out, char *err, size_t errlen);

#endif
