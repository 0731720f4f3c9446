# ota/: libota, the OTA codec shared by operator tools and the card.
# libukota.la (convenience: tests, tools and the card link it) holds every
# ota source; ota/sms.mk adds the SMS/ENVELOPE/RFM modules to it.
noinst_LTLIBRARIES += libukota.la
libukota_la_SOURCES = ota/cipher.c ota/crc.c ota/cntr.c ota/secpkt.c ota/por.c
noinst_HEADERS += ota/cipher.h
uicckitinclude_HEADERS += include/uicckit/secpkt.h include/uicckit/por.h

lib_LTLIBRARIES += libota.la
libota_la_SOURCES =
libota_la_LIBADD = libukota.la libukcommon.la $(OPENSSL_LIBS) $(ZLIB_LIBS)
libota_la_LDFLAGS = -export-symbols-regex '^ota_' -version-info 0:0:0

UK_OTA_LIBS = libukota.la libukcommon.la $(OPENSSL_LIBS) $(ZLIB_LIBS)

check_PROGRAMS += tests/test_secpkt tests/test_por tests/test_ota_cipher
TESTS += tests/test_secpkt tests/test_por tests/test_ota_cipher
tests_test_secpkt_SOURCES = tests/test_secpkt.c tests/vecfile.c tests/vecfile.h
tests_test_secpkt_CFLAGS = $(TEST_CFLAGS)
tests_test_secpkt_LDADD = $(UK_OTA_LIBS) $(CHECK_LIBS)
tests_test_por_SOURCES = tests/test_por.c tests/vecfile.c tests/vecfile.h
tests_test_por_CFLAGS = $(TEST_CFLAGS)
tests_test_por_LDADD = $(UK_OTA_LIBS) $(CHECK_LIBS)
tests_test_ota_cipher_SOURCES = tests/test_ota_cipher.c
tests_test_ota_cipher_CFLAGS = $(TEST_CFLAGS)
tests_test_ota_cipher_LDADD = $(UK_OTA_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/fuzz_secpkt_replay tests/fuzz_por_replay
TESTS += tests/fuzz_secpkt_replay tests/fuzz_por_replay
tests_fuzz_secpkt_replay_SOURCES = fuzz/fuzz_secpkt.c fuzz/replay.c
tests_fuzz_secpkt_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"secpkt"'
tests_fuzz_secpkt_replay_LDADD = $(UK_OTA_LIBS)
tests_fuzz_por_replay_SOURCES = fuzz/fuzz_por.c fuzz/replay.c
tests_fuzz_por_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"por"'
tests_fuzz_por_replay_LDADD = $(UK_OTA_LIBS)
