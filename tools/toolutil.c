/* toolutil.c - see toolutil.h */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "common/hex.h"
#include "tools/toolutil.h"

int uk_arg_hex(const char *prog, const char *name, const char *hex, uint8_t *out,
	       size_t cap, size_t want, size_t *len)
{
	size_t n = 0;
	int rc = uk_hex_decode(hex, out, want ? want : cap, &n);

	if (rc == UK_HEX_OK && want != 0 && n != want)
		rc = UK_HEX_BADLEN;
	if (rc != UK_HEX_OK) {
		if (want != 0)
			fprintf(stderr, "%s: %s: %s (want %zu bytes)\n", prog, name,
				uk_hex_strerror(rc), want);
		else
			fprintf(stderr, "%s: %s: %s\n", prog, name, uk_hex_strerror(rc));
		return -1;
	}
	if (len != NULL)
		*len = n;
	return 0;
}

int uk_write_json_0600(const char *prog, const char *path, const json_t *doc, int force)
{
	char tmp[4096];
	char *text;
	size_t len, off = 0;
	int fd;

	if (!force && access(path, F_OK) == 0) {
		fprintf(stderr, "%s: %s exists (use --force to replace it)\n", prog, path);
		return -1;
	}
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (text == NULL) {
		fprintf(stderr, "%s: cannot serialise %s\n", prog, path);
		return -1;
	}
	len = strlen(text);
	snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0 || fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		goto fail;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
			goto fail;
		}
		off += (size_t)w;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		goto fail;
	}
	OPENSSL_cleanse(text, len);
	free(text);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	OPENSSL_cleanse(text, len);
	free(text);
	return -1;
}
