/*
 * csv.h - RFC 4180 CSV records: fields separated by commas, records by CRLF
 * or LF, fields optionally in double quotes (with "" for a quote and line
 * breaks allowed inside).  Nothing beyond RFC 4180 is accepted.
 *
 * uk_csv_next() copies one record's fields, NUL-terminated, into buf and
 * points fields[] at them.  Returns the number of fields (>= 1), 0 at the
 * end of input, or a negative UK_CSV_* error; c->line is the line on which
 * the record (or the error) starts, for messages.  After an error the
 * reader skips to the next line, so callers may report and go on.
 */
#ifndef UK_CSV_H
#define UK_CSV_H

#include <stddef.h>

enum uk_csv_err {
	UK_CSV_EQUOTE = -1,	/* unterminated quoted field */
	UK_CSV_EBADQUOTE = -2,	/* characters after a closing quote */
	UK_CSV_ETOOMANY = -3,	/* more fields than the caller takes */
	UK_CSV_ELONG = -4,	/* record longer than the caller's buffer */
};

struct uk_csv {
	const char *p;
	size_t len, pos;
	unsigned line, next_line;
};

void uk_csv_init(struct uk_csv *c, const char *text, size_t len);
int uk_csv_next(struct uk_csv *c, char *buf, size_t cap, char **fields, size_t maxf);
const char *uk_csv_strerror(int err);

#endif
