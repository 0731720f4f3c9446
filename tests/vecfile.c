/* vecfile.c - see vecfile.h */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/hex.h"
#include "tests/vecfile.h"

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int uk_vec_load(const char *path, struct uk_vec_block **blocks)
{
	FILE *f = fopen(path, "r");
	struct uk_vec_block *v = NULL, *cur = NULL;
	char line[4096];
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = trim(line), *eq;

		if (*s == '#')
			continue;
		if (*s == '\0') {
			cur = NULL;
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		if (cur == NULL) {
			struct uk_vec_block *nv = realloc(v, (size_t)(n + 1) * sizeof(*v));

			if (nv == NULL)
				break;
			v = nv;
			cur = &v[n++];
			cur->n = 0;
		}
		if (cur->n < UK_VEC_MAXKV) {
			cur->name[cur->n] = strdup(trim(s));
			cur->value[cur->n] = strdup(trim(eq + 1));
			cur->n++;
		}
	}
	fclose(f);
	*blocks = v;
	return n;
}

void uk_vec_free(struct uk_vec_block *blocks, int n)
{
	int i;
	size_t j;

	for (i = 0; i < n; i++)
		for (j = 0; j < blocks[i].n; j++) {
			free(blocks[i].name[j]);
			free(blocks[i].value[j]);
		}
	free(blocks);
}

const char *uk_vec_get(const struct uk_vec_block *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->name[i], name) == 0)
			return b->value[i];
	return NULL;
}

int uk_vec_hex(const struct uk_vec_block *b, const char *name, uint8_t *out, size_t cap)
{
	const char *v = uk_vec_get(b, name);
	size_t len;

	if (v == NULL || uk_hex_decode(v, out, cap, &len) != UK_HEX_OK)
		return -1;
	return (int)len;
}

const char *uk_vec_path(const char *file, char *buf, size_t cap)
{
	const char *src = getenv("UK_SRCDIR");

	snprintf(buf, cap, "%s/tests/vectors/%s", src ? src : UK_SRCDIR, file);
	return buf;
}
