/*
 * util.h - small helpers shared by the ops/ modules (not a public API).
 *
 * ops_reason() / ops_vreason(): printf the one-line reason of an error
 * into err (the `char *err, size_t errlen` half of the ops/ contract, see
 * ops/cms.h); nothing is written when err is NULL or errlen is 0, and the
 * text is truncated to errlen - 1 bytes like snprintf.
 *
 * ops_file_open(): the first step of reading a file from outside: open it
 * read-only and refuse anything but a regular file.
 */
#ifndef UK_OPS_UTIL_H
#define UK_OPS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>

void ops_reason(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ops_vreason(char *err, size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* open(path, O_RDONLY | O_CLOEXEC), then fstat into *st: the descriptor
 * (the caller closes it), or OPS_EIO with "PATH: strerror" when it cannot
 * be opened, or OPS_EARG with "PATH: not a regular file" (closed). */
int ops_file_open(const char *path, struct stat *st, char *err, size_t errlen);

#endif
