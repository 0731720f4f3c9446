/* csv.c - see csv.h */
#include "common/csv.h"

void uk_csv_init(struct uk_csv *c, const char *text, size_t len)
{
	c->p = text;
	c->len = len;
	c->pos = 0;
	c->line = 1;
	c->next_line = 1;
}

const char *uk_csv_strerror(int err)
{
	switch (err) {
	case UK_CSV_EQUOTE: return "unterminated quoted field";
	case UK_CSV_EBADQUOTE: return "text after a closing quote";
	case UK_CSV_ETOOMANY: return "too many fields";
	case UK_CSV_ELONG: return "record too long";
	}
	return "CSV error";
}

static void skip_line(struct uk_csv *c)
{
	while (c->pos < c->len && c->p[c->pos] != '\n')
		c->pos++;
	if (c->pos < c->len) {
		c->pos++;
		c->next_line++;
	}
}

static int fail(struct uk_csv *c, int err)
{
	skip_line(c);
	return err;
}

int uk_csv_next(struct uk_csv *c, char *buf, size_t cap, char **fields, size_t maxf)
{
	size_t out = 0, nf = 0;

	c->line = c->next_line;
	if (c->pos >= c->len || cap == 0 || maxf == 0)
		return 0;
	for (;;) {
		int quoted = 0;

		if (nf == maxf)
			return fail(c, UK_CSV_ETOOMANY);
		fields[nf++] = buf + out;
		if (c->pos < c->len && c->p[c->pos] == '"') {
			quoted = 1;
			c->pos++;
		}
		for (;;) {
			char ch;

			if (c->pos >= c->len) {
				if (quoted)
					return UK_CSV_EQUOTE;
				break;
			}
			ch = c->p[c->pos];
			if (quoted) {
				if (ch == '"') {
					if (c->pos + 1 < c->len && c->p[c->pos + 1] == '"') {
						c->pos++;
					} else {
						c->pos++;
						if (c->pos < c->len && c->p[c->pos] != ',' &&
						    c->p[c->pos] != '\n' && c->p[c->pos] != '\r')
							return fail(c, UK_CSV_EBADQUOTE);
						break;
					}
				} else if (ch == '\n') {
					c->next_line++;
				}
			} else if (ch == ',' || ch == '\n' || ch == '\r') {
				break;
			}
			if (out + 1 >= cap)
				return fail(c, UK_CSV_ELONG);
			buf[out++] = ch;
			c->pos++;
		}
		if (out + 1 >= cap)
			return fail(c, UK_CSV_ELONG);
		buf[out++] = '\0';
		if (c->pos < c->len && c->p[c->pos] == ',') {
			c->pos++;
			continue;
		}
		/* end of record: CRLF, LF, or end of input */
		if (c->pos < c->len && c->p[c->pos] == '\r')
			c->pos++;
		if (c->pos < c->len && c->p[c->pos] == '\n') {
			c->pos++;
			c->next_line++;
		}
		return (int)nf;
	}
}
