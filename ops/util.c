/* util.c - see ops/util.h */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

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
