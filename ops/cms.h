/*
 * cms.h - key hand-over between parties with OpenSSL CMS
 * (doc/operator-files.md): sign-then-envelope for anything holding keys,
 * sign-only for lists without keys.  No home-made crypto: CMS_sign,
 * CMS_encrypt, CMS_decrypt, CMS_verify.
 *
 * Contract: every function returns 0 or a negative OPS_E* code and, on
 * error, a one-line reason in err.  Output buffers are malloc'ed; the caller
 * frees them (ops_cms_free() wipes first: the content may hold keys).
 * Input may be DER or PEM.  Nothing is returned from a file that does not
 * verify against the trust anchors.
 */
#ifndef UK_OPS_CMS_H
#define UK_OPS_CMS_H

#include <stddef.h>
#include <stdint.h>

enum ops_err {
	OPS_EARG = -1,		/* bad argument or input */
	OPS_EIO = -2,		/* file or database I/O failed */
	OPS_ECRYPTO = -3,	/* decrypt failed: not for this key, or damaged */
	OPS_EVERIFY = -4,	/* signature or trust chain does not verify */
	OPS_ENOTFOUND = -5,
	OPS_EREFUSED = -6,	/* policy refused (escrow release rule, ...) */
	OPS_EFORMAT = -7,	/* content is not the expected format */
	OPS_EDB = -8,		/* SQLite error */
};

/* A party: certificate, and the private key where we act as that party. */
struct ops_party;
/* Load cert_pem (required) and key_pem (NULL: certificate only). */
struct ops_party *ops_party_load(const char *cert_pem, const char *key_pem, char *err,
				 size_t errlen);
void ops_party_free(struct ops_party *p);
/* SHA-256 of the certificate's DER, 64 lower-case hex digits + NUL. */
void ops_party_fingerprint(const struct ops_party *p, char out[65]);
/* The certificate's subject, one line (RFC 2253), NUL-terminated. */
void ops_party_subject(const struct ops_party *p, char *out, size_t cap);
/* 1 if the party holds its private key (can sign / decrypt), else 0. */
int ops_party_has_key(const struct ops_party *p);

/* Trust anchors: one or more PEM certificates (a file may hold several). */
struct ops_trust;
struct ops_trust *ops_trust_load(const char *const *pem_files, size_t n, char *err,
				 size_t errlen);
void ops_trust_free(struct ops_trust *t);

/* SignedData (by signer, content attached), then EnvelopedData to
 * recipient (AES-256-CBC).  *out / *out_len: DER. */
int ops_cms_seal(const struct ops_party *signer, const struct ops_party *recipient,
		 const uint8_t *content, size_t len, uint8_t **out, size_t *out_len,
		 char *err, size_t errlen);
/* Decrypt with `me` (needs its key), verify against trust; the signer's
 * certificate is given back in *signer_out if not NULL (free it). */
int ops_cms_open(const struct ops_party *me, const struct ops_trust *trust,
		 const uint8_t *in, size_t in_len, uint8_t **content, size_t *content_len,
		 struct ops_party **signer_out, char *err, size_t errlen);
/* SignedData only (content attached). */
int ops_cms_sign(const struct ops_party *signer, const uint8_t *content, size_t len,
		 uint8_t **out, size_t *out_len, char *err, size_t errlen);
int ops_cms_verify(const struct ops_trust *trust, const uint8_t *in, size_t in_len,
		   uint8_t **content, size_t *content_len, struct ops_party **signer_out,
		   char *err, size_t errlen);
/* Is this (DER or PEM) an EnvelopedData (1), a SignedData (0), or neither (<0)? */
int ops_cms_kind(const uint8_t *in, size_t in_len);
/* Wipe and free a buffer returned above. */
void ops_cms_free(uint8_t *p, size_t len);

/* Read a whole file (at most max bytes) / write one atomically with mode
 * (temp + fsync + rename + directory fsync).  0 or OPS_EIO with a reason. */
int ops_file_read(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
		  size_t errlen);
int ops_file_write(const char *path, const uint8_t *p, size_t len, unsigned mode, char *err,
		   size_t errlen);

#endif
