# ops/: the operator database and OTA switch campaigns (uicc-ota campaign commands).
# libukopdb.la: the operator database (opdb), IMSI lists (imsilist), PoR
# input (porin), campaigns (campaign), delivery over PC/SC (deliver).
noinst_LTLIBRARIES += libukopdb.la
libukopdb_la_SOURCES = ops/opdb.c ops/opdb_import.c ops/imsilist.c ops/porin.c ops/campaign.c \
	ops/deliver.c
libukopdb_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(PCSC_CFLAGS) -pthread
noinst_HEADERS += ops/opdb.h ops/imsilist.h ops/porin.h ops/campaign.h ops/deliver.h

UK_OPDB_LIBS = libukopdb.la $(UK_OPS_LIBS) $(UK_OTA_LIBS) $(UK_AUTH_LIBS) $(SQLITE_LIBS)

check_PROGRAMS += tests/test_opdb
TESTS += tests/test_opdb
tests_test_opdb_SOURCES = tests/test_opdb.c
tests_test_opdb_CFLAGS = $(TEST_CFLAGS) $(SQLITE_CFLAGS)
tests_test_opdb_LDADD = $(UK_OPDB_LIBS) $(PCSC_LIBS) $(CHECK_LIBS)

# the campaign commands of uicc-ota (built in ota/sms.mk) and the AuC's --db
tools_uicc_ota_LDADD += $(UK_OPDB_LIBS) $(PCSC_LIBS)
tools_uicc_auc_LDADD += libukopdb.la $(UK_OPS_LIBS) $(SQLITE_LIBS)

# test helper: a sealed key file from `uicc-perso new --keys-out` output
check_PROGRAMS += tests/campaign_keyfile
tests_campaign_keyfile_SOURCES = tests/campaign_keyfile.c
tests_campaign_keyfile_LDADD = $(UK_OPS_LIBS) $(UK_CARD_LIBS)

# the whole story through the tools (certificates by the openssl CLI)
dist_check_SCRIPTS += tests/test_campaign.sh
TESTS += tests/test_campaign.sh

# the switch campaign benchmark (built by make, not run by make check)
noinst_PROGRAMS += bench/campaign
bench_campaign_SOURCES = bench/campaign.c tests/opstest.c
bench_campaign_LDADD = $(UK_OPDB_LIBS)
check_PROGRAMS += tests/campaign_dbcheck
tests_campaign_dbcheck_SOURCES = tests/campaign_dbcheck.c
tests_campaign_dbcheck_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_campaign_dbcheck_LDADD = $(SQLITE_LIBS)

# SIGKILL at random instants, rerun until complete: the invariants hold
dist_check_SCRIPTS += tests/test_campaign_kill.sh
TESTS += tests/test_campaign_kill.sh

check_PROGRAMS += tests/test_campaign
TESTS += tests/test_campaign
tests_test_campaign_SOURCES = tests/test_campaign.c tests/opstest.c
tests_test_campaign_CFLAGS = $(TEST_CFLAGS) $(SQLITE_CFLAGS)
tests_test_campaign_LDADD = $(UK_OPDB_LIBS) $(PCSC_LIBS) $(CHECK_LIBS)

# fuzz harnesses of the list and PoR parsers, replayed over their corpora
check_PROGRAMS += tests/fuzz_imsilist_replay tests/fuzz_porin_replay
TESTS += tests/fuzz_imsilist_replay tests/fuzz_porin_replay
tests_fuzz_imsilist_replay_SOURCES = fuzz/fuzz_imsilist.c fuzz/replay.c
tests_fuzz_imsilist_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"imsilist"'
tests_fuzz_imsilist_replay_LDADD = $(UK_OPDB_LIBS) $(PCSC_LIBS)
tests_fuzz_porin_replay_SOURCES = fuzz/fuzz_porin.c fuzz/replay.c
tests_fuzz_porin_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"porin"'
tests_fuzz_porin_replay_LDADD = $(UK_OPDB_LIBS) $(PCSC_LIBS)
