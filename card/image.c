/* image.c - card image files: see include/uicckit/image.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/hex.h"
#include "uicckit/image.h"

#define CANON_FLAGS (JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII)

static int card_digest(const json_t *card_doc, char hex[65])
{
	char *canon = json_dumps(card_doc, CANON_FLAGS);
	unsigned char md[32];
	unsigned int mdlen = 0;
	int ok;

	if (canon == NULL)
		return -1;
	ok = EVP_Digest(canon, strlen(canon), md, &mdlen, EVP_sha256(), NULL);
	OPENSSL_cleanse(canon, strlen(canon));	/* it holds the keys as hex */
	free(canon);
	if (!ok || mdlen != sizeof(md))
		return -1;
	uk_hex_encode(md, sizeof(md), hex);
	return 0;
}

char *uicc_image_dumps(const json_t *card_doc, size_t *len)
{
	json_t *w;
	char hex[65], *text;

	if (!json_is_object(card_doc) || card_digest(card_doc, hex) != 0)
		return NULL;
	w = json_pack("{s:s, s:i, s:s, s:O}", "format", UICC_IMAGE_FORMAT,
		      "version", UICC_IMAGE_VERSION, "sha256", hex, "card", card_doc);
	if (w == NULL)
		return NULL;
	text = json_dumps(w, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(w);
	if (text != NULL && len != NULL)
		*len = strlen(text);
	return text;
}

static void seterr(char *err, size_t errlen, const char *msg)
{
	if (errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

json_t *uicc_image_loads(const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *w, *card;
	const char *format = NULL, *digest = NULL;
	json_int_t version = 0;
	char hex[65];

	w = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (w == NULL) {
		if (errlen > 0)
			snprintf(err, errlen, "not a card image (damaged or truncated JSON: %s, line %d)",
				 jerr.text, jerr.line);
		return NULL;
	}
	if (json_unpack(w, "{s:s, s:I, s:s, s:o}", "format", &format, "version", &version,
			"sha256", &digest, "card", &card) != 0 ||
	    strcmp(format, UICC_IMAGE_FORMAT) != 0) {
		seterr(err, errlen, "not a uicckit card image (format tag missing)");
		json_decref(w);
		return NULL;
	}
	if (version != UICC_IMAGE_VERSION) {
		if (errlen > 0)
			snprintf(err, errlen, "card image version %lld is not supported (want %d)",
				 (long long)version, UICC_IMAGE_VERSION);
		json_decref(w);
		return NULL;
	}
	if (!json_is_object(card) || card_digest(card, hex) != 0 || strlen(digest) != 64 ||
	    CRYPTO_memcmp(hex, digest, 64) != 0) {
		seterr(err, errlen, "card image damaged: SHA-256 does not match its content");
		json_decref(w);
		return NULL;
	}
	json_incref(card);
	json_decref(w);
	return card;
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fd < 0) {
		if (errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)UICC_IMAGE_MAX) {
		if (errlen > 0)
			snprintf(err, errlen, "%s: not a regular file of a sane size", path);
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		if (errlen > 0)
			snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

struct uicc *uicc_image_load(const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = read_file(path, &len, err, errlen);
	char why[256];
	json_t *doc;
	struct uicc *card;

	if (text == NULL)
		return NULL;
	doc = uicc_image_loads(text, len, why, sizeof(why));
	OPENSSL_cleanse(text, len);
	free(text);
	if (doc == NULL) {
		if (errlen > 0)
			snprintf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	card = uicc_new(doc, why, sizeof(why));
	json_decref(doc);
	if (card == NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", path, why);
	return card;
}

static void step(struct uicc_image_store *st, enum uicc_image_step s)
{
	if (st->fault != NULL)
		st->fault(st->fault_arg, s);
}

static int fail(struct uicc_image_store *st, const char *what, int fd, const char *tmp)
{
	snprintf(st->err, sizeof(st->err), "%s: %s: %s", st->path, what, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	return UICC_EIO;
}

/* Directory of path, for the temporary file and the directory fsync. */
static void dir_of(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, cap, ".");
	else if (slash == path)
		snprintf(dir, cap, "/");
	else
		snprintf(dir, cap, "%.*s", (int)(slash - path), path);
}

static int write_all(struct uicc_image_store *st, int fd, const char *p, size_t len)
{
	size_t chunk = st->chunk ? st->chunk : 65536;

	while (len > 0) {
		size_t n = len < chunk ? len : chunk;
		ssize_t w;

		step(st, UICC_IMAGE_STEP_WRITE);
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int save_text(struct uicc_image_store *st, const char *text, size_t len)
{
	char tmp[4096], dir[4096];
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", st->path) >= (int)sizeof(tmp)) {
		snprintf(st->err, sizeof(st->err), "image path too long");
		return UICC_EARG;
	}
	step(st, UICC_IMAGE_STEP_CREATE);
	fd = mkstemp(tmp);		/* O_EXCL, mode 0600 */
	if (fd < 0)
		return fail(st, "cannot create temporary file", -1, NULL);
	if (fchmod(fd, S_IRUSR | S_IWUSR) != 0)
		return fail(st, "fchmod", fd, tmp);
	if (write_all(st, fd, text, len) != 0)
		return fail(st, "write", fd, tmp);
	step(st, UICC_IMAGE_STEP_FSYNC);
	if (fsync(fd) != 0)
		return fail(st, "fsync", fd, tmp);
	if (close(fd) != 0)
		return fail(st, "close", -1, tmp);
	step(st, UICC_IMAGE_STEP_RENAME);
	if (rename(tmp, st->path) != 0)
		return fail(st, "rename", -1, tmp);
	/* POSIX: the rename is durable only once the directory is synced. */
	step(st, UICC_IMAGE_STEP_DIRSYNC);
	dir_of(st->path, dir, sizeof(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail(st, "open directory", -1, NULL);
	if (fsync(dfd) != 0)
		return fail(st, "fsync directory", dfd, NULL);
	close(dfd);
	return 0;
}

int uicc_image_save_doc(struct uicc_image_store *st, const json_t *card_doc)
{
	size_t len = 0;
	char *text = uicc_image_dumps(card_doc, &len);
	json_t *check;
	int rc;

	if (text == NULL) {
		snprintf(st->err, sizeof(st->err), "%s: cannot serialise the card", st->path);
		return UICC_ENOMEM;
	}
	/* Never replace a good image with one we could not load back. */
	check = uicc_image_loads(text, len, st->err, sizeof(st->err));
	if (check == NULL) {
		OPENSSL_cleanse(text, len);
		free(text);
		return UICC_EIO;
	}
	json_decref(check);
	rc = save_text(st, text, len);
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

int uicc_image_save(struct uicc_image_store *st, const struct uicc *card)
{
	json_t *doc = uicc_to_json(card);
	int rc;

	if (doc == NULL) {
		snprintf(st->err, sizeof(st->err), "%s: cannot serialise the card", st->path);
		return UICC_ENOMEM;
	}
	rc = uicc_image_save_doc(st, doc);
	json_decref(doc);
	return rc;
}

static int store_commit(void *ctx, struct uicc *card)
{
	return uicc_image_save(ctx, card);
}

const struct uicc_store_ops uicc_image_store_ops = {
	.commit = store_commit,
};
