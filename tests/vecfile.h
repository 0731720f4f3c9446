/*
 * vecfile.h - reader for the known-answer files in tests/vectors/ (copied
 * from the project's shared vector set): blocks separated by blank lines,
 * each line `name = value`, '#' starts a comment line.
 *
 * uk_vec_load() returns the number of blocks (>= 0) or -1; the caller frees
 * with uk_vec_free().  uk_vec_get() returns the value or NULL; uk_vec_hex()
 * decodes a value into bytes and returns its length or -1.
 */
#ifndef UK_VECFILE_H
#define UK_VECFILE_H

#include <stddef.h>
#include <stdint.h>

#define UK_VEC_MAXKV 64

struct uk_vec_block {
	size_t n;
	char *name[UK_VEC_MAXKV];
	char *value[UK_VEC_MAXKV];
};

int uk_vec_load(const char *path, struct uk_vec_block **blocks);
void uk_vec_free(struct uk_vec_block *blocks, int n);
const char *uk_vec_get(const struct uk_vec_block *b, const char *name);
int uk_vec_hex(const struct uk_vec_block *b, const char *name, uint8_t *out, size_t cap);
/* Path of a file under tests/vectors/ in the source tree ($UK_SRCDIR). */
const char *uk_vec_path(const char *file, char *buf, size_t cap);

#endif
