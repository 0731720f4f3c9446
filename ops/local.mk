# ops/: key files (CMS), the key escrow, uicc-escrow, uicc-perso batch.
noinst_LTLIBRARIES += libukops.la
libukops_la_SOURCES = ops/util.c ops/cms.c ops/keyfile.c ops/escrow.c
libukops_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
noinst_HEADERS += ops/util.h ops/cms.h ops/keyfile.h ops/escrow.h tests/opstest.h \
	tests/freescan.h
UK_OPS_LIBS = libukops.la libukcommon.la $(OPENSSL_LIBS) $(JANSSON_LIBS) $(SQLITE_LIBS)

# Batch personalisation needs the card library too: a library of its own,
# so that users of libukops.la need not link the card.
noinst_LTLIBRARIES += libukbatch.la
libukbatch_la_SOURCES = ops/escrow_batch.c
noinst_HEADERS += ops/escrow_batch.h
tools_uicc_perso_LDADD += libukbatch.la $(UK_OPS_LIBS) $(UK_CARD_LIBS)

check_PROGRAMS += tests/test_ops_cms
TESTS += tests/test_ops_cms
tests_test_ops_cms_SOURCES = tests/test_ops_cms.c tests/opstest.c tests/freescan.c
tests_test_ops_cms_CFLAGS = $(TEST_CFLAGS)
tests_test_ops_cms_LDFLAGS = -Wl,--wrap=free
tests_test_ops_cms_LDADD = $(UK_OPS_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/test_escrow
TESTS += tests/test_escrow
tests_test_escrow_SOURCES = tests/test_escrow.c tests/opstest.c
tests_test_escrow_CFLAGS = $(TEST_CFLAGS) $(SQLITE_CFLAGS)
tests_test_escrow_LDADD = libukbatch.la $(UK_OPS_LIBS) $(UK_CARD_LIBS) $(CHECK_LIBS)

bin_PROGRAMS += tools/uicc-escrow
tools_uicc_escrow_SOURCES = tools/uicc-escrow.c
tools_uicc_escrow_LDADD = libuktools.la $(UK_OPS_LIBS)

dist_check_SCRIPTS += tests/test_escrow.sh
TESTS += tests/test_escrow.sh

check_PROGRAMS += tests/fuzz_keyfile_replay tests/fuzz_cms_replay
TESTS += tests/fuzz_keyfile_replay tests/fuzz_cms_replay
tests_fuzz_keyfile_replay_SOURCES = fuzz/fuzz_keyfile.c fuzz/replay.c
tests_fuzz_keyfile_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"keyfile"'
tests_fuzz_keyfile_replay_LDADD = $(UK_OPS_LIBS)
tests_fuzz_cms_replay_SOURCES = fuzz/fuzz_cms.c fuzz/replay.c tests/opstest.c
tests_fuzz_cms_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"cms"'
tests_fuzz_cms_replay_LDADD = $(UK_OPS_LIBS)

dist_man_MANS += man/uicc-escrow.1
