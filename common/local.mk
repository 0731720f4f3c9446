# common/: small code both libraries share (hex, bounded buffers, TLV, BCD).
noinst_LTLIBRARIES += libukcommon.la
libukcommon_la_SOURCES = common/hex.c common/buf.c common/bcd.c common/csv.c common/secmem.c
noinst_HEADERS += common/hex.h common/buf.h common/bcd.h common/csv.h common/secmem.h

check_PROGRAMS += tests/test_common
TESTS += tests/test_common
tests_test_common_SOURCES = tests/test_common.c
tests_test_common_CFLAGS = $(TEST_CFLAGS)
tests_test_common_LDADD = libukcommon.la $(CHECK_LIBS)

check_PROGRAMS += tests/fuzz_tlv_replay
TESTS += tests/fuzz_tlv_replay
tests_fuzz_tlv_replay_SOURCES = fuzz/fuzz_tlv.c fuzz/replay.c
tests_fuzz_tlv_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"tlv"'
tests_fuzz_tlv_replay_LDADD = libukcommon.la
