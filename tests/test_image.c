/*
 * test_image.c - card image files: round trip, refusal of damaged files,
 * mode 0600, and fault injection: the process is cut (fork + _exit) at
 * every persistent write point of UPDATE BINARY, UPDATE RECORD and PIN
 * VERIFY (wrong and right PIN); the reloaded image must always be exactly
 * one committed state -- the one before or the one after that commit.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/hex.h"
#include "tests/cardtest.h"
#include "uicckit/image.h"
#include "uicckit/keyset.h"

static char dir[] = "/tmp/uk-image-XXXXXX";
static char path[256];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/uk-image-XXXXXX")));
	snprintf(path, sizeof(path), "%s/card.json", dir);
}

static void teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *canon(const struct uicc *card)
{
	json_t *doc = uicc_to_json(card);
	char *s = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);

	json_decref(doc);
	return s;
}

static void write_default_image(void)
{
	struct uicc *card = ct_card();
	struct uicc_image_store st = { .path = path };

	ck_assert_ptr_nonnull(card);
	ck_assert_int_eq(uicc_image_save(&st, card), 0);
	uicc_free(card);
}

static char *slurp(size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	ck_assert_ptr_nonnull(f);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void spit(const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
}

START_TEST(roundtrip_and_mode)
{
	struct uicc *a = ct_card(), *b;
	char err[256], *ca, *cb;
	struct stat sb;

	write_default_image();
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	b = uicc_image_load(path, err, sizeof(err));
	ck_assert_msg(b != NULL, "%s", err);
	ca = canon(a);
	cb = canon(b);
	ck_assert_str_eq(ca, cb);
	free(ca);
	free(cb);
	uicc_free(a);
	uicc_free(b);
}
END_TEST

START_TEST(mode_0600_despite_umask)
{
	mode_t old = umask(0);
	struct stat sb;

	write_default_image();
	umask(old);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
}
END_TEST

START_TEST(refuse_damaged)
{
	size_t len, i;
	char *buf, *p, err[256];
	struct uicc *card;

	write_default_image();
	buf = slurp(&len);
	/* truncated at several places */
	for (i = 1; i < 8; i++) {
		spit(buf, len * i / 8);
		card = uicc_image_load(path, err, sizeof(err));
		ck_assert_ptr_null(card);
		ck_assert_ptr_nonnull(strstr(err, path));
	}
	/* one hex digit of the card content changed: digest mismatch */
	p = strstr(buf, "\"data\": \"");
	ck_assert_ptr_nonnull(p);
	p += strlen("\"data\": \"");
	*p = *p == '0' ? '1' : '0';
	spit(buf, len);
	card = uicc_image_load(path, err, sizeof(err));
	ck_assert_ptr_null(card);
	ck_assert_ptr_nonnull(strstr(err, "SHA-256"));
	/* not an image at all */
	spit("{\"card\": {}}", 12);
	ck_assert_ptr_null(uicc_image_load(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "format"));
	spit("", 0);
	ck_assert_ptr_null(uicc_image_load(path, err, sizeof(err)));
	free(buf);
}
END_TEST

START_TEST(refuse_wrong_version)
{
	json_t *doc = json_pack("{s:s}", "x", "y");
	char *text = uicc_image_dumps(doc, NULL), *v, err[256];

	ck_assert_ptr_nonnull(text);
	v = strstr(text, "\"version\": 1");
	ck_assert_ptr_nonnull(v);
	v[strlen("\"version\": ")] = '7';
	ck_assert_ptr_null(uicc_image_loads(text, strlen(text), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "version 7"));
	free(text);
	json_decref(doc);
}
END_TEST

/* ---- fault injection ---------------------------------------------------- */

struct cut {
	int n, at;
};

static void cut_hook(void *arg, enum uicc_image_step step)
{
	struct cut *c = arg;

	(void)step;
	if (++c->n == c->at)
		_exit(42);	/* power cut: no cleanup, no flush */
}

/* Records every committed state (the store's view) in order. */
struct recorder {
	struct uicc_image_store st;
	char *states[64];
	int n;
};

static int record_commit(void *ctx, struct uicc *card)
{
	struct recorder *r = ctx;
	int rc = uicc_image_save(&r->st, card);

	if (rc == 0 && r->n < 64)
		r->states[r->n++] = canon(card);
	return rc;
}

static const struct uicc_store_ops recorder_ops = { .commit = record_commit };

static void run_apdus(struct uicc *card, const char *const *apdus)
{
	char out[1024];
	uint8_t atr[UICC_ATR_MAX];

	uicc_power_on(card, atr, sizeof(atr));
	for (; *apdus != NULL; apdus++)
		ct_send(card, *apdus, out, sizeof(out));
	uicc_power_off(card);
}

static void fault_sequence(const char *const *apdus, int min_commits)
{
	struct recorder rec = { .st = { .path = path } };
	struct uicc *card;
	char err[256], *orig;
	int at, i, complete = 0;

	/* The reference run: which states get committed, in which order. */
	write_default_image();
	card = uicc_image_load(path, err, sizeof(err));
	ck_assert_msg(card != NULL, "%s", err);
	orig = canon(card);
	uicc_set_store(card, &recorder_ops, &rec);
	run_apdus(card, apdus);
	uicc_free(card);
	ck_assert_int_ge(rec.n, min_commits);

	for (at = 1; !complete; at++) {
		struct cut c = { 0, at };
		struct uicc_image_store st = { .path = path, .fault = cut_hook, .fault_arg = &c };
		pid_t pid;
		int status, match = -1;
		char *now;

		write_default_image();
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			card = uicc_image_load(path, err, sizeof(err));
			if (card == NULL)
				_exit(3);
			uicc_set_store(card, &uicc_image_store_ops, &st);
			run_apdus(card, apdus);
			uicc_free(card);
			_exit(0);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ck_assert_int_ne(WEXITSTATUS(status), 3);
		complete = WEXITSTATUS(status) == 0;
		card = uicc_image_load(path, err, sizeof(err));
		ck_assert_msg(card != NULL, "cut at write point %d: image unreadable: %s", at, err);
		now = canon(card);
		uicc_free(card);
		if (strcmp(now, orig) == 0)
			match = 0;
		for (i = 0; i < rec.n && match < 0; i++)
			if (strcmp(now, rec.states[i]) == 0)
				match = i + 1;
		ck_assert_msg(match >= 0, "cut at write point %d: image is no committed state", at);
		if (complete)
			ck_assert_str_eq(now, rec.states[rec.n - 1]);
		free(now);
		ck_assert_int_lt(at, 1000);
	}
	/* every commit has at least create, write, fsync, rename, dirsync */
	ck_assert_int_ge(at - 1, 5 * rec.n);
	for (i = 0; i < rec.n; i++)
		free(rec.states[i]);
	free(orig);
}

START_TEST(fault_update_binary)
{
	static const char *const apdus[] = {
		"002000 0A08 3838383838383838",
		"00A4040407A0000000871002",
		"00A4000C026F07",
		"00D6000009 082926101160845740",	/* 262011106487504 */
		NULL,
	};

	fault_sequence(apdus, 1);
}
END_TEST

START_TEST(fault_update_record)
{
	static const char *const apdus[] = {
		"0020000108 31323334FFFFFFFF",
		"00A4040407A0000000871002",
		"00A4000C026F42",
		"00DC010428 A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBFC0C1C2C3C4C5C6C7C8",
		NULL,
	};

	fault_sequence(apdus, 1);
}
END_TEST

START_TEST(fault_pin_verify)
{
	static const char *const apdus[] = {
		"0020000108 39393939FFFFFFFF",	/* wrong: counter 3 -> 2 */
		"0020000108 31323334FFFFFFFF",	/* right: 2 -> 1 -> 3 */
		NULL,
	};

	fault_sequence(apdus, 2);
}
END_TEST

/* A store that fails leaves the file as it was and the card answers 6581. */
START_TEST(commit_failure_keeps_image)
{
	struct uicc_image_store st = { 0 };
	struct uicc *card;
	char err[256], out[1024], badpath[300];
	size_t len1, len2;
	char *before, *after;

	write_default_image();
	before = slurp(&len1);
	card = uicc_image_load(path, err, sizeof(err));
	ck_assert_ptr_nonnull(card);
	snprintf(badpath, sizeof(badpath), "%s/no/such/dir/card.json", dir);
	st.path = badpath;
	uicc_set_store(card, &uicc_image_store_ops, &st);
	ck_assert_uint_eq(ct_send(card, "0020000108 39393939FFFFFFFF", out, sizeof(out)), 0x6581);
	ck_assert_ptr_nonnull(strstr(st.err, "temporary"));
	uicc_free(card);
	after = slurp(&len2);
	ck_assert_uint_eq(len1, len2);
	ck_assert_mem_eq(before, after, len1);
	free(before);
	free(after);
}
END_TEST

static Suite *image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("files");
	TCase *tf = tcase_create("fault-injection");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, roundtrip_and_mode);
	tcase_add_test(tc, mode_0600_despite_umask);
	tcase_add_test(tc, refuse_damaged);
	tcase_add_test(tc, refuse_wrong_version);
	tcase_add_test(tc, commit_failure_keeps_image);
	tcase_add_checked_fixture(tf, setup, teardown);
	tcase_set_timeout(tf, 120);
	tcase_add_test(tf, fault_update_binary);
	tcase_add_test(tf, fault_update_record);
	tcase_add_test(tf, fault_pin_verify);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tf);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(image_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
