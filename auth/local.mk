# auth/: authentication algorithms (MILENAGE, the TS 34.108 XOR test
# algorithm), AKA for the AuC and the USIM, the uicc-auc tool and the
# MILENAGE benchmark.  libukauth.la is linked into libuicc.
noinst_LTLIBRARIES += libukauth.la
libukauth_la_SOURCES = auth/milenage.c auth/xorauth.c auth/auth.c
uicckitinclude_HEADERS += include/uicckit/auth.h include/uicckit/milenage.h \
	include/uicckit/xorauth.h

UK_AUTH_LIBS = libukauth.la libukcommon.la $(OPENSSL_LIBS)

check_PROGRAMS += tests/test_auth
TESTS += tests/test_auth
tests_test_auth_SOURCES = tests/test_auth.c tests/vecfile.c tests/vecfile.h
tests_test_auth_CFLAGS = $(TEST_CFLAGS)
tests_test_auth_LDADD = $(UK_AUTH_LIBS) $(CHECK_LIBS)

bin_PROGRAMS += tools/uicc-auc
tools_uicc_auc_SOURCES = tools/uicc-auc.c
tools_uicc_auc_LDADD = $(UK_AUTH_LIBS) $(JANSSON_LIBS) -lpthread
dist_man_MANS += man/uicc-auc.1
dist_check_SCRIPTS += tests/test_uicc_auc.sh
TESTS += tests/test_uicc_auc.sh

check_PROGRAMS += tests/fuzz_auccsv_replay
TESTS += tests/fuzz_auccsv_replay
tests_fuzz_auccsv_replay_SOURCES = fuzz/fuzz_auccsv.c fuzz/replay.c
tests_fuzz_auccsv_replay_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"auccsv"'
tests_fuzz_auccsv_replay_LDADD = $(UK_AUTH_LIBS)

noinst_PROGRAMS += bench/milenage
bench_milenage_SOURCES = bench/milenage.c
bench_milenage_LDADD = $(UK_AUTH_LIBS)
