# card/: libuicc, the simulated UICC card OS (owned by the card area).
noinst_LTLIBRARIES += libukcard.la
libukcard_la_SOURCES = card/apdu.c card/fs.c card/fcp.c card/fcp_parse.c card/acl.c card/pin.c \
	card/txn.c card/select.c card/efops.c card/channel.c card/applet.c \
	card/usim.c card/usim_aka.c card/sqn.c card/keyset.c card/profile.c card/profile_default.c card/uicc.c
noinst_HEADERS += card/card.h card/apdu.h card/fs.h card/fcp.h card/acl.h card/pin.h \
	card/txn.h card/cmd.h card/usim.h card/profile.h card/sqn.h card/usim_aka.h
uicckitinclude_HEADERS += include/uicckit/uicc.h include/uicckit/applet.h \
	include/uicckit/keyset.h include/uicckit/fcp.h include/uicckit/hooks.h

lib_LTLIBRARIES += libuicc.la
libuicc_la_SOURCES =
libuicc_la_LIBADD = libukcard.la libukcommon.la $(OPENSSL_LIBS) $(JANSSON_LIBS)
libuicc_la_LDFLAGS = -export-symbols-regex '^uicc_' -version-info 0:0:0

# everything a card test links
UK_CARD_LIBS = libukcard.la libukcommon.la $(OPENSSL_LIBS) $(JANSSON_LIBS)

check_PROGRAMS += tests/test_card_apdu
TESTS += tests/test_card_apdu
tests_test_card_apdu_SOURCES = tests/test_card_apdu.c tests/cardtest.c
noinst_HEADERS += tests/cardtest.h
tests_test_card_apdu_CFLAGS = $(TEST_CFLAGS)
tests_test_card_apdu_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/test_card_transcripts
TESTS += tests/test_card_transcripts
tests_test_card_transcripts_SOURCES = tests/test_card_transcripts.c tests/cardtest.c
tests_test_card_transcripts_CFLAGS = $(TEST_CFLAGS)
tests_test_card_transcripts_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)
EXTRA_DIST += tests/transcripts

check_PROGRAMS += tests/test_card_fs
TESTS += tests/test_card_fs
tests_test_card_fs_SOURCES = tests/test_card_fs.c tests/cardtest.c
tests_test_card_fs_CFLAGS = $(TEST_CFLAGS)
tests_test_card_fs_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/test_card_pin
TESTS += tests/test_card_pin
tests_test_card_pin_SOURCES = tests/test_card_pin.c tests/cardtest.c
tests_test_card_pin_CFLAGS = $(TEST_CFLAGS)
tests_test_card_pin_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/test_card_txn
TESTS += tests/test_card_txn
tests_test_card_txn_SOURCES = tests/test_card_txn.c tests/cardtest.c
tests_test_card_txn_CFLAGS = $(TEST_CFLAGS)
tests_test_card_txn_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/test_card_image
TESTS += tests/test_card_image
tests_test_card_image_SOURCES = tests/test_card_image.c tests/cardtest.c
tests_test_card_image_CFLAGS = $(TEST_CFLAGS)
tests_test_card_image_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)

# fuzz harnesses (libFuzzer via `make fuzz`; gcc replay of the corpus here)
check_PROGRAMS += tests/fuzz_apdu_replay tests/fuzz_image_replay tests/fuzz_fcp_replay
TESTS += tests/fuzz_apdu_replay tests/fuzz_image_replay tests/fuzz_fcp_replay
tests_fuzz_fcp_replay_SOURCES = fuzz/fuzz_fcp.c fuzz/replay.c
tests_fuzz_fcp_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"fcp"'
tests_fuzz_fcp_replay_LDADD = $(UK_CARD_LIBS)
tests_fuzz_apdu_replay_SOURCES = fuzz/fuzz_apdu.c fuzz/replay.c
tests_fuzz_apdu_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"apdu"'
tests_fuzz_apdu_replay_LDADD = $(UK_CARD_LIBS)
tests_fuzz_image_replay_SOURCES = fuzz/fuzz_image.c fuzz/replay.c
tests_fuzz_image_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"image"'
tests_fuzz_image_replay_LDADD = $(UK_CARD_LIBS)

dist_man_MANS += man/uicc-profile.5

noinst_PROGRAMS += bench/bench_card
bench_bench_card_SOURCES = bench/bench_card.c
bench_bench_card_LDADD = $(UK_CARD_LIBS)

check_PROGRAMS += tests/test_card_usim
TESTS += tests/test_card_usim
tests_test_card_usim_SOURCES = tests/test_card_usim.c tests/cardtest.c
tests_test_card_usim_CFLAGS = $(TEST_CFLAGS)
tests_test_card_usim_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/test_card_aka
TESTS += tests/test_card_aka
tests_test_card_aka_SOURCES = tests/test_card_aka.c tests/cardtest.c tests/vecfile.c tests/vecfile.h
tests_test_card_aka_CFLAGS = $(TEST_CFLAGS)
tests_test_card_aka_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)
