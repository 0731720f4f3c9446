# tools/: the card image store (card/image.c, card/perso.c live in libuicc),
# uicc-card (apdu, serve over vpcd or NFC), uicc-perso, the vpcd protocol,
# their tests, the APDU-rate benchmark and the man pages.
libukcard_la_SOURCES += card/image.c card/perso.c
uicckitinclude_HEADERS += include/uicckit/image.h include/uicckit/perso.h

noinst_LTLIBRARIES += libuktools.la
libuktools_la_SOURCES = tools/toolutil.c tools/vpcd.c
noinst_HEADERS += tools/toolutil.h tools/vpcd.h

bin_PROGRAMS += tools/uicc-card tools/uicc-perso
tools_uicc_card_SOURCES = tools/uicc-card.c
tools_uicc_card_LDADD = libuktools.la libuknfc.la $(UK_CARD_LIBS)
tools_uicc_perso_SOURCES = tools/uicc-perso.c
tools_uicc_perso_LDADD = libuktools.la $(UK_CARD_LIBS)

check_PROGRAMS += tests/test_image tests/test_vpcd
TESTS += tests/test_image tests/test_vpcd
tests_test_image_SOURCES = tests/test_image.c tests/cardtest.c
tests_test_image_CFLAGS = $(TEST_CFLAGS)
tests_test_image_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)
tests_test_vpcd_SOURCES = tests/test_vpcd.c tests/cardtest.c
tests_test_vpcd_CFLAGS = $(TEST_CFLAGS)
tests_test_vpcd_LDADD = libuktools.la $(UK_CARD_LIBS) $(CHECK_LIBS) -lpthread

dist_check_SCRIPTS += tests/test_tools.sh tests/test_pcsc.sh
TESTS += tests/test_tools.sh tests/test_pcsc.sh
EXTRA_DIST += tests/pcsc_probe.py

check_PROGRAMS += tests/fuzz_vpcd_replay
TESTS += tests/fuzz_vpcd_replay
tests_fuzz_vpcd_replay_SOURCES = fuzz/fuzz_vpcd.c fuzz/replay.c
tests_fuzz_vpcd_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"vpcd"'
tests_fuzz_vpcd_replay_LDADD = libuktools.la $(UK_CARD_LIBS)

noinst_PROGRAMS += bench/apdu-rate
bench_apdu_rate_SOURCES = bench/apdu-rate.c
bench_apdu_rate_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
bench_apdu_rate_LDADD = libuktools.la $(UK_CARD_LIBS) $(PCSC_LIBS) -lpthread
EXTRA_DIST += bench/apdu-rate.sh

dist_man_MANS += man/uicc-card.1 man/uicc-perso.1 man/uicckit.7
