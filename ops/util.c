/* util.c - see ops/util.h */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/cms.h"
#include "ops/util.h"

void ops_vreason(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (err == NULL || errlen == 0)
		return;
	vsnprintf(err, errlen, fmt, ap);
}

void ops_reason(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ops_vreason(err, errlen, fmt, ap);
	va_end(ap);
}

int ops_file_open(const char *path, struct stat *st, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		ops_reason(err, errlen, "%s: %s", path, strerror(errno));
		return OPS_EIO;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		ops_reason(err, errlen, "%s: not a regular file", path);
		close(fd);
		return OPS_EARG;
	}
	return fd;
}
