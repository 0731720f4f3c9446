/*
 * campaign.c - a full Alternative 3b switch campaign on an operator
 * database of N cards (default 1,000,000), through ops_campaign_run(), the
 * function `uicc-ota switch` calls: every row checked against the
 * database, a secured SMS built per card (one reused struct ota_crypto),
 * the message and its reserved counter recorded in SQLite (WAL,
 * synchronous FULL: every commit durable), then the TPDU file and the
 * signed hand-over list written atomically from the database.
 *
 * usage: bench/campaign [--cards N] [--dir DIR] [--keep] [--strict]
 * Prints:
 *   cards N
 *   setup_seconds S         building the database (not part of the campaign)
 *   campaign_seconds S      the switch campaign, list text in memory
 *   campaign_cards_per_s N
 *   db_bytes N, messages_bytes N, handover_bytes N
 * A progress bar goes to stderr when it is a terminal.  Not a test.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ops/campaign.h"
#include "tests/opstest.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* phase boundaries, for the breakdown */
struct phases {
	char name[8][16];
	double end[8], cpu[8];
	int n, tty;
};

static double now(void);
static double cpu(void);

static double cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void bar(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	struct phases *ph = ctx;
	int w = 40, k = total ? (int)(done * (uint64_t)w / total) : w;

	if (ph->n == 0 || strcmp(ph->name[ph->n - 1], what) != 0) {
		if (ph->n == 8)
			return;
		snprintf(ph->name[ph->n], sizeof(ph->name[0]), "%s", what);
		ph->n++;
	}
	ph->end[ph->n - 1] = now();
	ph->cpu[ph->n - 1] = cpu();
	if (!ph->tty)
		return;
	fprintf(stderr, "\r%-9s [%.*s%*s] %3d%%", what, k, "########################################",
		w - k, "", total ? (int)(done * 100 / total) : 100);
	if (done >= total)
		fputc('\n', stderr);
}

static long long fsize(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

static int setup(struct ops_db *db, unsigned long n, char *err, size_t errlen)
{
	struct ops_card c;
	struct ops_keyset ks;
	uint8_t rnd[64];
	unsigned long i;
	int rc = ops_db_begin(db, err, errlen);

	for (i = 0; rc == 0 && i < n; i++) {
		unsigned v = (unsigned)(i % 1000000000UL);	/* n <= 1e8: no wrap */

		memset(&c, 0, sizeof(c));
		snprintf(c.iccid, sizeof(c.iccid), "8988239%012u9", v);
		snprintf(c.imsi, sizeof(c.imsi), "00101%010u", v);
		rc = ops_db_card_put(db, &c, err, errlen);
		if (rc != 0)
			break;
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return OPS_ECRYPTO;
		memset(&ks, 0, sizeof(ks));
		memcpy(ks.r.iccid, c.iccid, sizeof(c.iccid));
		ks.r.alg = 1;
		ks.r.op_is_opc = 1;
		ks.r.k_len = ks.r.opc_len = ks.r.kic_len = ks.r.kid_len = 16;
		memcpy(ks.r.k, rnd, 16);
		memcpy(ks.r.opc, rnd + 16, 16);
		memcpy(ks.r.kic_key, rnd + 32, 16);
		memcpy(ks.r.kid_key, rnd + 48, 16);
		ks.r.kic = ks.r.kid = 0x12;	/* KVN 1, AES */
		memcpy(ks.r.tar, "\xb0\x00\x01", 3);
		ks.next_cntr = 1 + (i % 7);
		ks.state = OPS_KS_ACTIVE;
		rc = ops_db_keyset_put(db, &ks, err, errlen);
		if (rc == 0 && (i + 1) % 200000 == 0) {
			rc = ops_db_commit(db, err, errlen);
			if (rc == 0)
				rc = ops_db_begin(db, err, errlen);
		}
	}
	OPENSSL_cleanse(rnd, sizeof(rnd));
	ops_keyset_cleanse(&ks);
	if (rc == 0)
		rc = ops_db_commit(db, err, errlen);
	else
		ops_db_rollback(db);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long n = 1000000, i;
	const char *dir_arg = NULL;
	char dir[256], path[512], out[512], ho[512], err[256];
	struct ops_campaign_params p;
	struct ops_campaign_result r;
	struct ot_party me;
	struct phases ph;
	struct ops_db *db = NULL;
	char *list;
	size_t len = 0;
	double t0, t1, c0;
	int keep = 0, strict = 0, rc, a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--cards") == 0 && a + 1 < argc)
			n = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--dir") == 0 && a + 1 < argc)
			dir_arg = argv[++a];
		else if (strcmp(argv[a], "--keep") == 0)
			keep = 1;
		else if (strcmp(argv[a], "--strict") == 0)
			strict = 1;
		else {
			fprintf(stderr, "usage: %s [--cards N] [--dir DIR] [--keep] [--strict]\n", argv[0]);
			return 2;
		}
	}
	if (n == 0 || n > 100000000UL)
		return 2;
	if (dir_arg != NULL)
		snprintf(dir, sizeof(dir), "%s", dir_arg);
	else if (ot_tmpdir("bench-campaign", dir, sizeof(dir)) != 0)
		return 1;
	if (ot_make_party(dir, "mnoA", "EC", &me) != 0)
		return 1;
	snprintf(path, sizeof(path), "%s/op.db", dir);
	snprintf(out, sizeof(out), "%s/msgs.csv", dir);
	snprintf(ho, sizeof(ho), "%s/handover.cms", dir);
	unlink(path);
	rc = ops_db_open(path, OPS_DB_CREATE, &db, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	t0 = now();
	rc = setup(db, n, err, sizeof(err));
	t1 = now();
	if (rc != 0) {
		fprintf(stderr, "bench: setup: %s\n", err);
		return 1;
	}
	printf("cards %lu\nsetup_seconds %.2f\n", n, t1 - t0);
	fflush(stdout);
	/* B's IMSI list, in memory as the tool has it after reading the file */
	list = malloc(16 + n * 38);
	if (list == NULL)
		return 1;
	len = (size_t)sprintf(list, "iccid,new_imsi\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(list + len, "8988239%012u9,00102%010u\n", (unsigned)i,
				       (unsigned)i);
	memset(&p, 0, sizeof(p));
	p.name = "bench";
	p.kind = OPS_KIND_3B;
	p.list = list;
	p.list_len = len;
	p.out = out;
	p.handover = ho;
	p.signer = me.p;
	p.strict = strict;
	memset(&ph, 0, sizeof(ph));
	ph.tty = isatty(2);
	p.progress = bar;
	p.progress_ctx = &ph;
	c0 = cpu();
	t0 = now();
	rc = ops_campaign_run(db, &p, &r, err, sizeof(err));
	t1 = now();
	if (rc != 0 || r.built != n) {
		fprintf(stderr, "bench: campaign: %s (built %llu)\n", rc ? err : "short",
			(unsigned long long)r.built);
		return 1;
	}
	printf("campaign_seconds %.2f\ncampaign_cards_per_s %.0f\n", t1 - t0, (double)n / (t1 - t0));
	for (a = 0; a < ph.n; a++)
		printf("phase_%s_seconds %.2f cpu %.2f\n", ph.name[a],
		       ph.end[a] - (a ? ph.end[a - 1] : t0), ph.cpu[a] - (a ? ph.cpu[a - 1] : c0));
	ops_campaign_result_free(&r);
	ops_db_close(db);
	printf("db_bytes %lld\nmessages_bytes %lld\nhandover_bytes %lld\n", fsize(path), fsize(out),
	       fsize(ho));
	free(list);
	ot_party_free(&me);
	if (!keep && dir_arg == NULL)
		ot_rmdir(dir);
	return 0;
}
