# ops/: key files (CMS), the key escrow, uicc-escrow, uicc-perso batch.
noinst_LTLIBRARIES += libukops.la
libukops_la_SOURCES = ops/cms.c ops/keyfile.c
libukops_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
noinst_HEADERS += ops/cms.h ops/keyfile.h tests/opstest.h
UK_OPS_LIBS = libukops.la libukcommon.la $(OPENSSL_LIBS) $(JANSSON_LIBS) $(SQLITE_LIBS)

check_PROGRAMS += tests/test_ops_cms
TESTS += tests/test_ops_cms
tests_test_ops_cms_SOURCES = tests/test_ops_cms.c tests/opstest.c
tests_test_ops_cms_CFLAGS = $(TEST_CFLAGS)
tests_test_ops_cms_LDADD = $(UK_OPS_LIBS) $(CHECK_LIBS)
