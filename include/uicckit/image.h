/*
 * image.h - card image files.
 *
 * A card image file is a JSON document
 *     {"format": "uicckit-card-image", "version": 1,
 *      "sha256": "<hex>", "card": { ...uicc_to_json()... }}
 * where sha256 covers the canonical serialisation of "card" (sorted keys,
 * compact).  Loading refuses a file that is truncated, damaged, of another
 * format or version, or whose digest does not match, with a one-line reason.
 *
 * Saving is atomic: the new image is serialised and checked in memory, then
 * written to a temporary file in the same directory (mode 0600: images hold
 * keys), fsync'ed, renamed over the old image, and the directory fsync'ed.
 * Whatever instant the process dies, the path names either the old or the
 * new image, never a mix.  An optional fault hook is called before each of
 * those persistent steps so tests can cut the process there.
 */
#ifndef UICCKIT_IMAGE_H
#define UICCKIT_IMAGE_H

#include <stddef.h>
#include "uicckit/uicc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UICC_IMAGE_FORMAT "uicckit-card-image"
#define UICC_IMAGE_VERSION 1
#define UICC_IMAGE_MAX (16u << 20)	/* refuse larger files */

/* The persistent steps of a save, in order. */
enum uicc_image_step {
	UICC_IMAGE_STEP_CREATE = 1,	/* create the temporary file */
	UICC_IMAGE_STEP_WRITE,		/* one write(2) of a chunk */
	UICC_IMAGE_STEP_FSYNC,		/* fsync the temporary file */
	UICC_IMAGE_STEP_RENAME,		/* rename it over the image */
	UICC_IMAGE_STEP_DIRSYNC,	/* fsync the directory */
};

/* A store binding a card to an image path; use with uicc_set_store(card,
 * &uicc_image_store_ops, store). */
struct uicc_image_store {
	const char *path;
	/* Called before every persistent step; may _exit() (fault tests). */
	void (*fault)(void *arg, enum uicc_image_step step);
	void *fault_arg;
	size_t chunk;			/* bytes per write(2); 0 = 64 KiB */
	char err[256];			/* reason of the last failure */
};

extern const struct uicc_store_ops uicc_image_store_ops;

/* Wrap a card document and serialise it (malloc'ed text, NUL-terminated). */
char *uicc_image_dumps(const json_t *card_doc, size_t *len);
/* Verify and unwrap image text; returns a new reference to the card
 * document, or NULL with a reason in err. */
json_t *uicc_image_loads(const char *text, size_t len, char *err, size_t errlen);

/* Read, verify and build a card from an image file.  NULL + reason. */
struct uicc *uicc_image_load(const char *path, char *err, size_t errlen);
/* Atomically write card_doc as the image at st->path.  0 or UICC_EIO /
 * UICC_ENOMEM with the reason in st->err. */
int uicc_image_save_doc(struct uicc_image_store *st, const json_t *card_doc);
/* Same for a card's current state. */
int uicc_image_save(struct uicc_image_store *st, const struct uicc *card);

#ifdef __cplusplus
}
#endif
#endif
