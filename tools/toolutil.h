/*
 * toolutil.h - small helpers shared by the command-line tools: exit codes,
 * hex arguments, and writing files that hold keys (mode 0600, atomically).
 */
#ifndef UK_TOOLUTIL_H
#define UK_TOOLUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Exit codes of every uicckit tool (documented in the man pages). */
enum {
	UK_EXIT_OK = 0,
	UK_EXIT_FAIL = 1,	/* the operation ran and failed (card, verify) */
	UK_EXIT_USAGE = 2,	/* bad arguments or unreadable input */
};

/* Decode a hex argument of exactly `want` bytes (want 0: any length up to
 * cap); prints "PROG: NAME: reason" and returns -1 on error. */
int uk_arg_hex(const char *prog, const char *name, const char *hex, uint8_t *out,
	       size_t cap, size_t want, size_t *len);
/* Write a JSON document to path atomically with mode 0600.  0 or -1 (a
 * message is printed). */
int uk_write_json_0600(const char *prog, const char *path, const json_t *doc, int force);

#endif
