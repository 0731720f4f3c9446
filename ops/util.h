/*
 * util.h - small helpers shared by the ops/ modules (not a public API).
 *
 * ops_reason() / ops_vreason(): printf the one-line reason of an error
 * into err (the `char *err, size_t errlen` half of the ops/ contract, see
 * ops/cms.h); nothing is written when err is NULL or errlen is 0, and the
 * text is truncated to errlen - 1 bytes like snprintf.
 */
#ifndef UK_OPS_UTIL_H
#define UK_OPS_UTIL_H

#include <stdarg.h>
#include <stddef.h>

void ops_reason(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ops_vreason(char *err, size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
