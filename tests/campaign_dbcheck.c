/*
 * campaign_dbcheck.c - test helper: the invariants of an operator database
 * after a campaign, straight from SQLite (not through the code under
 * test).  Prints one line per check and exits 1 if any fails.
 *
 * usage: campaign_dbcheck OP.db CAMPAIGN CARDS
 *   CARDS   every card of the list has exactly one message in CAMPAIGN
 *   the counter of each message is above the card's imported counter
 *   (5 + n % 100, see campaign_keyfile --random) and below the key set's
 *   next counter (reserved: never handed out again), and unique per key set
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>

static int fails;

static long long one(sqlite3 *h, const char *sql, const char *camp)
{
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "campaign_dbcheck: %s: %s\n", sql, sqlite3_errmsg(h));
		exit(2);
	}
	if (camp != NULL)
		sqlite3_bind_text(s, 1, camp, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void expect(const char *what, long long got, long long want)
{
	printf("%s: %lld%s\n", what, got, got == want ? "" : " (WRONG)");
	if (got != want)
		fails++;
}

int main(int argc, char **argv)
{
	sqlite3 *h;
	long long n;

	if (argc != 4)
		return 2;
	n = strtoll(argv[3], NULL, 10);
	if (sqlite3_open_v2(argv[1], &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return 2;
	expect("messages", one(h, "SELECT count(*) FROM messages m JOIN campaigns c ON c.id = m.campaign"
			       " WHERE c.name = ?1", argv[2]), n);
	expect("cards with a message", one(h, "SELECT count(DISTINCT m.iccid) FROM messages m JOIN"
					   " campaigns c ON c.id = m.campaign WHERE c.name = ?1",
					   argv[2]), n);
	expect("counters not above the imported one",
	       one(h, "SELECT count(*) FROM messages WHERE cntr <= 5 + CAST(substr(iccid, 8, 12) AS"
		      " INTEGER) % 100", NULL), 0);
	expect("counters not reserved in their key set",
	       one(h, "SELECT count(*) FROM messages m JOIN keysets k ON k.iccid = m.iccid AND"
		      " k.idx = m.key_index WHERE k.next_cntr <= m.cntr", NULL), 0);
	expect("counters used twice in a key set",
	       one(h, "SELECT count(*) FROM (SELECT iccid, key_index, cntr FROM messages GROUP BY"
		      " iccid, key_index, cntr HAVING count(*) > 1)", NULL), 0);
	expect("integrity_check failures", one(h, "SELECT count(*) FROM pragma_integrity_check"
					       " WHERE integrity_check <> 'ok'", NULL), 0);
	expect("foreign key violations", one(h, "SELECT count(*) FROM pragma_foreign_key_check", NULL),
	       0);
	sqlite3_close(h);
	return fails ? 1 : 0;
}
