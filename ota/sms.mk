# ota/sms.mk - the SMS / CAT / RFM side of libota (owned by the ota-sms area):
# TS 23.040 TPDUs, UDH and concatenation, ENVELOPE (SMS-PP download) and
# proactive SEND SHORT MESSAGE, TS 102 226 RFM scripts; the uicc-ota tool,
# its man page, the OTA build benchmark, tests and fuzz harnesses.
# Included after ota/local.mk, which defines libukota.la.

libukota_la_SOURCES += ota/sms.c ota/udh.c ota/concat.c ota/envelope.c ota/rfm.c
uicckitinclude_HEADERS += include/uicckit/sms.h include/uicckit/envelope.h include/uicckit/rfm.h

OTA_SMS_TEST_LIBS = libukota.la libukcommon.la $(CHECK_LIBS) $(OPENSSL_LIBS) $(ZLIB_LIBS)

check_PROGRAMS += tests/test_sms tests/test_envelope tests/test_rfm
TESTS += tests/test_sms tests/test_envelope tests/test_rfm
tests_test_sms_SOURCES = tests/test_sms.c tests/vecfile.c tests/vecfile.h
tests_test_sms_CFLAGS = $(TEST_CFLAGS)
tests_test_sms_LDADD = $(OTA_SMS_TEST_LIBS)
tests_test_envelope_SOURCES = tests/test_envelope.c
tests_test_envelope_CFLAGS = $(TEST_CFLAGS)
tests_test_envelope_LDADD = $(OTA_SMS_TEST_LIBS)
tests_test_rfm_SOURCES = tests/test_rfm.c
tests_test_rfm_CFLAGS = $(TEST_CFLAGS)
tests_test_rfm_LDADD = $(OTA_SMS_TEST_LIBS)

# Fuzz harnesses, replayed over their seed corpora by `make check`.
OTA_SMS_FUZZ_LIBS = libukota.la libukcommon.la $(OPENSSL_LIBS) $(ZLIB_LIBS)
check_PROGRAMS += tests/fuzz_sms_replay tests/fuzz_concat_replay \
	tests/fuzz_envelope_replay tests/fuzz_rfm_replay
TESTS += tests/fuzz_sms_replay tests/fuzz_concat_replay \
	tests/fuzz_envelope_replay tests/fuzz_rfm_replay
tests_fuzz_sms_replay_SOURCES = fuzz/fuzz_sms.c fuzz/replay.c
tests_fuzz_sms_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"sms"'
tests_fuzz_sms_replay_LDADD = $(OTA_SMS_FUZZ_LIBS)
tests_fuzz_concat_replay_SOURCES = fuzz/fuzz_concat.c fuzz/replay.c
tests_fuzz_concat_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"concat"'
tests_fuzz_concat_replay_LDADD = $(OTA_SMS_FUZZ_LIBS)
tests_fuzz_envelope_replay_SOURCES = fuzz/fuzz_envelope.c fuzz/replay.c
tests_fuzz_envelope_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"envelope"'
tests_fuzz_envelope_replay_LDADD = $(OTA_SMS_FUZZ_LIBS)
tests_fuzz_rfm_replay_SOURCES = fuzz/fuzz_rfm.c fuzz/replay.c
tests_fuzz_rfm_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"rfm"'
tests_fuzz_rfm_replay_LDADD = $(OTA_SMS_FUZZ_LIBS)

# The operator tool (thin; libota does the work) and its man page.
bin_PROGRAMS += tools/uicc-ota
tools_uicc_ota_SOURCES = tools/uicc-ota.c
tools_uicc_ota_LDADD = libukota.la libukcommon.la $(JANSSON_LIBS) $(OPENSSL_LIBS) $(ZLIB_LIBS)
dist_man_MANS += man/uicc-ota.1
TESTS += tests/test_uicc_ota.sh
dist_check_SCRIPTS += tests/test_uicc_ota.sh

# OTA build-rate benchmark (not run by make check).
noinst_PROGRAMS += bench/ota-build
bench_ota_build_SOURCES = bench/ota-build.c
bench_ota_build_LDADD = libukota.la libukcommon.la $(OPENSSL_LIBS) $(ZLIB_LIBS)
