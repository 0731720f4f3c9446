/*
 * term_msg.c - uicc-term's message file (in) and PoR file (out); see
 * term_msg.h and doc/operator-files.md.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bcd.h"
#include "common/csv.h"
#include "common/hex.h"
#include "tools/term_msg.h"
#include "uicckit/envelope.h"
#include "uicckit/sms.h"

static int fmt_err(char *err, size_t errlen, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fmt_err(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
	char text[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (errlen > 0)
		snprintf(err, errlen, "line %u: %s", line, text);
	return TERM_MSG_EFORMAT;
}

static void msg_clear(struct term_msg *m)
{
	size_t i;

	for (i = 0; i < m->n_seg; i++)
		free(m->seg[i].bytes);
	free(m->seg);
	m->seg = NULL;
	m->n_seg = 0;
}

void term_msgs_free(struct term_msgs *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		msg_clear(&m->msg[i]);
	free(m->msg);
	memset(m, 0, sizeof(*m));
}

int term_msg_for(const struct term_msg *m, const char *iccid)
{
	return m->iccid[0] == '\0' || (iccid != NULL && strcmp(m->iccid, iccid) == 0);
}

/* One segment: hex of an ENVELOPE (want 1), a TPDU (want 0) or either
 * (want -1).  The bytes must be usable as they are: an ENVELOPE that
 * parses, or a TPDU that parses as SMS-DELIVER and fits an ENVELOPE. */
static int parse_seg(const char *hex, size_t hexlen, int want, struct term_seg *s,
		     unsigned line, char *err, size_t errlen)
{
	uint8_t b[OTA_SMS_TPDU_MAX + OTA_ENV_APDU_MAX], env[OTA_ENV_APDU_MAX];
	char tmp[2 * sizeof(b) + 1];
	const uint8_t *data;
	size_t n = 0, dn, el;
	struct ota_env_sms_pp e;
	struct ota_sms_deliver d;
	int is_env = 0, rc;

	if (hexlen == 0)
		return fmt_err(err, errlen, line, "empty segment");
	if (hexlen >= sizeof(tmp))
		return fmt_err(err, errlen, line, "segment too long");
	memcpy(tmp, hex, hexlen);
	tmp[hexlen] = '\0';
	if (strpbrk(tmp, " \t") != NULL)
		return fmt_err(err, errlen, line, "segments are separated by one space");
	rc = uk_hex_decode(tmp, b, sizeof(b), &n);
	if (rc != UK_HEX_OK)
		return fmt_err(err, errlen, line, "segment: %s", uk_hex_strerror(rc));
	if (want != 0 && ota_env_apdu_data(b, n, &data, &dn) == 0 &&
	    ota_env_sms_pp_parse(data, dn, &e) == 0) {
		is_env = 1;
	} else if (want == 1) {
		return fmt_err(err, errlen, line, "not an ENVELOPE (SMS-PP download)");
	} else {
		rc = ota_sms_deliver_parse(b, n, &d);
		if (rc != 0)
			return fmt_err(err, errlen, line, "not an SMS-DELIVER TPDU%s: %s",
				       want < 0 ? " or ENVELOPE" : "", ota_sms_strerror(rc));
		rc = ota_env_sms_pp_build(b, n, NULL, 0, env, sizeof(env), &el);
		if (rc != 0)
			return fmt_err(err, errlen, line, "TPDU does not fit an ENVELOPE: %s",
				       ota_env_strerror(rc));
	}
	s->bytes = malloc(n);
	if (s->bytes == NULL)
		return TERM_MSG_ENOMEM;
	memcpy(s->bytes, b, n);
	s->len = n;
	s->is_envelope = is_env;
	return 0;
}

static int add_msg(struct term_msgs *out, size_t *cap, struct term_msg *m, char *err,
		   size_t errlen)
{
	if (out->n >= TERM_MSG_MAX) {
		msg_clear(m);
		return fmt_err(err, errlen, m->line, "more than %u messages", TERM_MSG_MAX);
	}
	if (out->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct term_msg *p = realloc(out->msg, nc * sizeof(*p));

		if (p == NULL) {
			msg_clear(m);
			return TERM_MSG_ENOMEM;
		}
		out->msg = p;
		*cap = nc;
	}
	out->msg[out->n++] = *m;
	return 0;
}

/* The segments of one CSV field: hex strings separated by one space. */
static int parse_segments(const char *field, int want, struct term_msg *m, char *err,
			  size_t errlen)
{
	const char *p = field;

	if (*field == '\0')
		return fmt_err(err, errlen, m->line, "no TPDU/ENVELOPE");
	m->seg = calloc(TERM_MSG_SEG_MAX, sizeof(*m->seg));
	if (m->seg == NULL)
		return TERM_MSG_ENOMEM;
	for (;;) {
		const char *sp = strchr(p, ' ');
		size_t len = sp != NULL ? (size_t)(sp - p) : strlen(p);
		int rc;

		if (m->n_seg >= TERM_MSG_SEG_MAX)
			return fmt_err(err, errlen, m->line, "more than %d segments",
				       TERM_MSG_SEG_MAX);
		rc = parse_seg(p, len, want, &m->seg[m->n_seg], m->line, err, errlen);
		if (rc != 0)
			return rc;
		m->n_seg++;
		if (sp == NULL)
			break;
		p = sp + 1;
	}
	return 0;
}

enum { COL_ICCID, COL_IMSI, COL_CNTR, COL_DATA, COL_N };

static int parse_header(char **f, int nf, int col[COL_N], int *want, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < COL_N; i++)
		col[i] = -1;
	for (i = 0; i < nf; i++) {
		int *slot = NULL;

		if (strcmp(f[i], "iccid") == 0)
			slot = &col[COL_ICCID];
		else if (strcmp(f[i], "imsi") == 0)
			slot = &col[COL_IMSI];
		else if (strcmp(f[i], "cntr") == 0)
			slot = &col[COL_CNTR];
		else if (strcmp(f[i], "tpdu") == 0 || strcmp(f[i], "envelope") == 0) {
			slot = &col[COL_DATA];
			*want = f[i][0] == 'e';
		}
		if (slot == NULL)
			return fmt_err(err, errlen, 1, "unknown column \"%.40s\"", f[i]);
		if (*slot >= 0)
			return fmt_err(err, errlen, 1, "column \"%.40s\" twice", f[i]);
		*slot = i;
	}
	if (col[COL_ICCID] < 0 || col[COL_DATA] < 0)
		return fmt_err(err, errlen, 1, "the header needs iccid and tpdu (or envelope)");
	return 0;
}

static int parse_row(char **f, int nf, int hf, const int col[COL_N], int want, unsigned line,
		     struct term_msg *m, char *err, size_t errlen)
{
	const char *iccid, *imsi, *cntr;
	uint8_t cb[5];

	memset(m, 0, sizeof(*m));
	m->line = line;
	if (nf != hf)
		return fmt_err(err, errlen, line, "%d fields, the header has %d", nf, hf);
	iccid = f[col[COL_ICCID]];
	imsi = col[COL_IMSI] >= 0 ? f[col[COL_IMSI]] : "";
	cntr = col[COL_CNTR] >= 0 ? f[col[COL_CNTR]] : "";
	if (!uk_is_digits(iccid, 19, 20))
		return fmt_err(err, errlen, line, "iccid: 19 or 20 digits");
	if (*imsi != '\0' && !uk_is_digits(imsi, 6, 15))
		return fmt_err(err, errlen, line, "imsi: 6 to 15 digits");
	if (*cntr != '\0' && (strlen(cntr) != 10 || uk_hex_decode_exact(cntr, cb, 5) != 0))
		return fmt_err(err, errlen, line, "cntr: 10 hex digits");
	strcpy(m->iccid, iccid);
	strcpy(m->imsi, imsi);
	strcpy(m->cntr, cntr);
	return parse_segments(f[col[COL_DATA]], want, m, err, errlen);
}

static int parse_csv(const char *text, size_t len, struct term_msgs *out, char *err,
		     size_t errlen)
{
	struct uk_csv c;
	char *buf, *f[8];
	int col[COL_N], want = 0, nf, hf = 0, rc = 0, header = 1;
	size_t cap = 0;

	buf = malloc(len + 1);
	if (buf == NULL)
		return TERM_MSG_ENOMEM;
	uk_csv_init(&c, text, len);
	out->csv = 1;
	while ((nf = uk_csv_next(&c, buf, len + 1, f, 8)) != 0) {
		struct term_msg m;

		if (nf < 0) {
			rc = fmt_err(err, errlen, c.line, "%s", uk_csv_strerror(nf));
			break;
		}
		if (header) {
			rc = parse_header(f, nf, col, &want, err, errlen);
			if (rc != 0)
				break;
			hf = nf;
			header = 0;
			continue;
		}
		if (nf == 1 && f[0][0] == '\0')
			continue;	/* blank line */
		rc = parse_row(f, nf, hf, col, want, c.line, &m, err, errlen);
		if (rc == 0)
			rc = add_msg(out, &cap, &m, err, errlen);
		else
			msg_clear(&m);
		if (rc != 0)
			break;
	}
	free(buf);
	return rc;
}

static int parse_plain(const char *text, size_t len, struct term_msgs *out, char *err,
		       size_t errlen)
{
	size_t pos = 0, cap = 0;
	unsigned line = 0;
	int rc = 0;

	out->csv = 0;
	while (pos < len && rc == 0) {
		const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - p) : len - pos, a = 0;
		struct term_msg m;

		pos += n + (nl != NULL);
		line++;
		while (a < n && (p[a] == ' ' || p[a] == '\t'))
			a++;
		while (n > a && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (a == n || p[a] == '#')
			continue;
		if (memchr(p + a, '\0', n - a) != NULL)
			return fmt_err(err, errlen, line, "NUL byte");
		memset(&m, 0, sizeof(m));
		m.line = line;
		m.seg = calloc(1, sizeof(*m.seg));
		if (m.seg == NULL)
			return TERM_MSG_ENOMEM;
		rc = parse_seg(p + a, n - a, -1, &m.seg[0], line, err, errlen);
		if (rc == 0) {
			m.n_seg = 1;
			rc = add_msg(out, &cap, &m, err, errlen);
		} else {
			msg_clear(&m);
		}
	}
	return rc;
}

int term_msgs_parse(const char *text, size_t len, struct term_msgs *out, char *err,
		    size_t errlen)
{
	size_t i = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (text == NULL && len > 0)
		return TERM_MSG_EFORMAT;
	if (len > TERM_MSG_FILE_MAX) {
		if (errlen > 0)
			snprintf(err, errlen, "larger than %u bytes", TERM_MSG_FILE_MAX);
		return TERM_MSG_ETOOBIG;
	}
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
			   text[i] == '\n'))
		i++;
	if (len - i >= 5 && strncmp(text + i, "iccid", 5) == 0)
		rc = i == 0 ? parse_csv(text, len, out, err, errlen) :
			fmt_err(err, errlen, 1, "the header must be the first line");
	else
		rc = parse_plain(text, len, out, err, errlen);
	if (rc != 0)
		term_msgs_free(out);
	return rc;
}

static char *read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(max + 1);
	if (buf == NULL) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		snprintf(err, errlen, "%s: %s", path, ferror(f) ? "read error" : "file too large");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int term_msgs_load(const char *path, struct term_msgs *out, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = read_file(path, TERM_MSG_FILE_MAX, &len, err, errlen);
	int rc;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return TERM_MSG_EFORMAT;
	rc = term_msgs_parse(text, len, out, err, errlen);
	free(text);
	return rc;
}

/* ------------------------------------------------------------------ */
/* PoR file                                                            */

long term_porfile_check(const char *text, size_t len, char *err, size_t errlen)
{
	struct uk_csv c;
	char *buf, *f[3];
	int nf, header = 1;
	long rows = 0;

	buf = malloc(len + 1);
	if (buf == NULL)
		return TERM_MSG_ENOMEM;
	uk_csv_init(&c, text, len);
	while ((nf = uk_csv_next(&c, buf, len + 1, f, 3)) != 0) {
		size_t hl;

		if (nf < 0) {
			rows = fmt_err(err, errlen, c.line, "%s", uk_csv_strerror(nf));
			break;
		}
		if (header) {
			if (nf != 2 || strcmp(f[0], "iccid") != 0 || strcmp(f[1], "por") != 0) {
				rows = fmt_err(err, errlen, c.line, "the header must be iccid,por");
				break;
			}
			header = 0;
			continue;
		}
		if (nf == 1 && f[0][0] == '\0')
			continue;
		if (nf != 2) {
			rows = fmt_err(err, errlen, c.line, "want 2 fields, got %d", nf);
			break;
		}
		if (!uk_is_digits(f[0], 19, 20)) {
			rows = fmt_err(err, errlen, c.line, "iccid: 19 or 20 digits");
			break;
		}
		/* hex digits only, even count, not empty: decode in chunks */
		hl = strlen(f[1]);
		if (hl == 0 || hl % 2 != 0 || strspn(f[1], "0123456789abcdefABCDEF") != hl) {
			rows = fmt_err(err, errlen, c.line, "por: hex digits");
			break;
		}
		if (hl / 2 > (1u << 16)) {
			rows = fmt_err(err, errlen, c.line, "por: too long");
			break;
		}
		rows++;
	}
	if (rows >= 0 && header) {
		if (len > 0)
			rows = fmt_err(err, errlen, 1, "the header must be iccid,por");
	}
	free(buf);
	return rows;
}

int term_porfile_append(const char *path, const char *iccid, const uint8_t *por, size_t len,
			char *err, size_t errlen)
{
	char *row, *old = NULL;
	size_t olen = 0, off = 0, cap;
	struct stat sb;
	int fd, rc = -1, fresh;
	ssize_t w;

	if (path == NULL || iccid == NULL || por == NULL || len == 0 || len > (1u << 16)) {
		snprintf(err, errlen, "PoR file: bad arguments");
		return -1;
	}
	if (!uk_is_digits(iccid, 19, 20)) {
		snprintf(err, errlen, "PoR file: the card's ICCID is not known");
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	fresh = sb.st_size == 0;
	if (!fresh) {
		char why[160];

		old = read_file(path, TERM_MSG_FILE_MAX, &olen, err, errlen);
		if (old == NULL) {
			close(fd);
			return -1;
		}
		if (term_porfile_check(old, olen, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s is not a PoR file (%s)", path, why);
			goto out;
		}
		if (olen > 0 && old[olen - 1] != '\n') {
			snprintf(err, errlen, "%s: the last row has no line end", path);
			goto out;
		}
	}
	cap = 16 + strlen(iccid) + 2 * len + 4;
	row = malloc(cap);
	if (row == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (fresh)
		off = (size_t)snprintf(row, cap, "iccid,por\n");
	off += (size_t)snprintf(row + off, cap - off, "%s,", iccid);
	uk_hex_encode(por, len, row + off);
	off += 2 * len;
	row[off++] = '\n';
	w = write(fd, row, off);
	free(row);
	if (w < 0 || (size_t)w != off) {
		snprintf(err, errlen, "%s: %s", path, w < 0 ? strerror(errno) : "short write");
		goto out;
	}
	if (fsync(fd) != 0) {
		snprintf(err, errlen, "%s: fsync: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(old);
	if (close(fd) != 0 && rc == 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}
