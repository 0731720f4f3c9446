# tools/: uicc-term, the scripted M2M terminal (term.h): the engine, the
# card links (in process, PC/SC), the network side (uicc-auc parameters),
# the message / PoR files; its tests, fuzz harness and man page.
noinst_LTLIBRARIES += libukterm.la
libukterm_la_SOURCES = tools/term.c tools/term_link.c tools/term_net.c tools/term_net_db.c \
	tools/term_msg.c
libukterm_la_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS) $(SQLITE_CFLAGS)
noinst_HEADERS += tools/term.h tools/term_msg.h
UK_TERM_LIBS = libukterm.la $(UK_OPDB_LIBS) $(UK_CARD_LIBS) $(PCSC_LIBS)

bin_PROGRAMS += tools/uicc-term
tools_uicc_term_SOURCES = tools/uicc-term.c
tools_uicc_term_LDADD = libuktools.la $(UK_TERM_LIBS)
dist_man_MANS += man/uicc-term.1

check_PROGRAMS += tests/test_term
TESTS += tests/test_term
tests_test_term_SOURCES = tests/test_term.c tests/otatest.c tests/cardtest.c
tests_test_term_CFLAGS = $(TEST_CFLAGS)
tests_test_term_LDADD = $(UK_TERM_LIBS) $(CHECK_LIBS)

dist_check_SCRIPTS += tests/test_term.sh tests/test_term_pcsc.sh
TESTS += tests/test_term.sh tests/test_term_pcsc.sh

check_PROGRAMS += tests/fuzz_term_msgfile_replay
TESTS += tests/fuzz_term_msgfile_replay
tests_fuzz_term_msgfile_replay_SOURCES = fuzz/fuzz_term_msgfile.c fuzz/replay.c tools/term_msg.c
tests_fuzz_term_msgfile_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"term_msgfile"'
tests_fuzz_term_msgfile_replay_LDADD = $(UK_CARD_LIBS)
