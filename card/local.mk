# card/: libuicc, the simulated UICC card OS (owned by the card area).
noinst_LTLIBRARIES += libukcard.la
libukcard_la_SOURCES = card/apdu.c card/fs.c card/fcp.c card/acl.c card/pin.c \
	card/txn.c card/select.c card/efops.c card/channel.c card/applet.c \
	card/usim.c card/keyset.c card/profile.c card/profile_default.c card/uicc.c
noinst_HEADERS += card/card.h card/apdu.h card/fs.h card/fcp.h card/acl.h card/pin.h \
	card/txn.h card/cmd.h card/usim.h card/profile.h
uicckitinclude_HEADERS += include/uicckit/uicc.h include/uicckit/applet.h \
	include/uicckit/keyset.h

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
