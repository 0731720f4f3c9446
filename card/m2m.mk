# card/m2m*: the M2M profile on the card (TR 33.812 Alternative 3b with
# fallback): CAT proactive queue, OTA receiver with RFM, key-set switch.
libukcard_la_SOURCES += card/cat.c card/m2m.c card/ota_recv.c
libukota_la_SOURCES += ota/m2m_script.c
uicckitinclude_HEADERS += include/uicckit/m2m_script.h
noinst_HEADERS += card/cat.h card/m2m_int.h
uicckitinclude_HEADERS += include/uicckit/m2m.h
libuicc_la_LIBADD += libukota.la $(ZLIB_LIBS)
# the card now needs the OTA codec (and it, the common code) after it
UK_CARD_LIBS += libukota.la libukcommon.la $(ZLIB_LIBS)

check_PROGRAMS += tests/test_m2m
TESTS += tests/test_m2m
tests_test_m2m_SOURCES = tests/test_m2m.c tests/cardtest.c tests/otatest.c
noinst_HEADERS += tests/otatest.h
tests_test_m2m_CFLAGS = $(TEST_CFLAGS)
tests_test_m2m_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)

# the same story through the tools (perso, auc, ota, card apdu)
dist_check_SCRIPTS += tests/test_m2m_tools.sh
TESTS += tests/test_m2m_tools.sh

check_PROGRAMS += tests/fuzz_ota_recv_replay
TESTS += tests/fuzz_ota_recv_replay
tests_fuzz_ota_recv_replay_SOURCES = fuzz/fuzz_ota_recv.c fuzz/replay.c
tests_fuzz_ota_recv_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"ota_recv"'
tests_fuzz_ota_recv_replay_LDADD = $(UK_CARD_LIBS)

# no key material in any answer, at any access level or through OTA
check_PROGRAMS += tests/test_secrecy
TESTS += tests/test_secrecy
tests_test_secrecy_SOURCES = tests/test_secrecy.c tests/cardtest.c tests/otatest.c
tests_test_secrecy_CFLAGS = $(TEST_CFLAGS)
tests_test_secrecy_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)

# no freed buffer holds a key (allocator wrapped), through perso, image,
# OTA switch and AUTHENTICATE
check_PROGRAMS += tests/test_hygiene
TESTS += tests/test_hygiene
tests_test_hygiene_SOURCES = tests/test_hygiene.c tests/cardtest.c tests/otatest.c tests/freescan.c
tests_test_hygiene_CFLAGS = $(TEST_CFLAGS)
tests_test_hygiene_LDFLAGS = -Wl,--wrap=free
tests_test_hygiene_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS)
