/*
 * term_msg.h - the files uicc-term reads and writes (doc/operator-files.md):
 *
 *   message file  RFC 4180 CSV with a header row, `iccid,imsi,cntr,tpdu` or
 *                 `iccid,imsi,cntr,envelope` (what `uicc-ota switch` writes;
 *                 several segments of a concatenated message separated by
 *                 one space), or a plain file with one hex SMS-DELIVER TPDU
 *                 or ENVELOPE (SMS-PP download) per line (what `uicc-ota
 *                 packet build --out tpdu|envelope` prints; blank lines and
 *                 lines starting with '#' are skipped).
 *   PoR file      RFC 4180 CSV `iccid,por` with a header row; uicc-term
 *                 appends one row per PoR (the header when the file is new).
 *
 * Contract: the parsers read only the given bytes, check every field (ICCID
 * 19-20 digits, IMSI 6-15 digits or empty, counter 10 hex digits or empty,
 * each segment a well-formed SMS-DELIVER or ENVELOPE of at most one short
 * APDU) and refuse the whole file at the first bad row with its line number
 * in err: nothing is half-read.  The result owns its memory.
 */
#ifndef UK_TERM_MSG_H
#define UK_TERM_MSG_H

#include <stddef.h>
#include <stdint.h>

#define TERM_MSG_FILE_MAX (4u << 20)	/* refuse larger files */
#define TERM_MSG_SEG_MAX 255		/* segments per message */
#define TERM_MSG_MAX 100000		/* messages per file */

struct term_seg {
	uint8_t *bytes;
	size_t len;
	int is_envelope;	/* 1: ENVELOPE C-APDU, 0: SMS-DELIVER TPDU */
};

struct term_msg {
	char iccid[21];		/* "" in a plain file: any card */
	char imsi[16];		/* "" when not given */
	char cntr[11];		/* "" when not given */
	unsigned line;		/* line in the file */
	size_t n_seg;
	struct term_seg *seg;
};

struct term_msgs {
	int csv;		/* 1 message file (CSV), 0 plain */
	size_t n;
	struct term_msg *msg;
};

enum term_msg_err {
	TERM_MSG_EFORMAT = -20,	/* bad header / row / segment (line in err) */
	TERM_MSG_ENOMEM = -21,
	TERM_MSG_ETOOBIG = -22,
};

/* Parse a message file's text.  0 or TERM_MSG_E* with "line N: reason". */
int term_msgs_parse(const char *text, size_t len, struct term_msgs *out, char *err,
		    size_t errlen);
/* Read and parse a file (at most TERM_MSG_FILE_MAX bytes). */
int term_msgs_load(const char *path, struct term_msgs *out, char *err, size_t errlen);
void term_msgs_free(struct term_msgs *m);
/* Does message m go to the card with this ICCID? */
int term_msg_for(const struct term_msg *m, const char *iccid);

/* Check that text is a PoR file (header `iccid,por`, every row two fields,
 * ICCID digits, PoR hex).  Returns the number of rows or TERM_MSG_EFORMAT. */
long term_porfile_check(const char *text, size_t len, char *err, size_t errlen);
/* Append one row (and the header if the file is empty or new), one
 * write(2) per row, fsync'ed.  An existing file must pass
 * term_porfile_check().  0 or -1 with a reason. */
int term_porfile_append(const char *path, const char *iccid, const uint8_t *por, size_t len,
			char *err, size_t errlen);

#endif
