# uicc-demo: the whole story in one command (what ./quickstart ends with).
# It runs the other tools, so its test needs them all built.
libukops_la_SOURCES += ops/party_gen.c
noinst_HEADERS += ops/party_gen.h ops/auc.h
# the operator's AuC (uicc-auc --db, uicc-term --db)
libukopdb_la_SOURCES += ops/auc.c
bin_PROGRAMS += tools/uicc-demo
tools_uicc_demo_SOURCES = tools/uicc-demo.c
tools_uicc_demo_LDADD = libukbatch.la $(UK_OPS_LIBS) $(UK_CARD_LIBS)
dist_check_SCRIPTS += tests/test_demo.sh
TESTS += tests/test_demo.sh
dist_man_MANS += man/uicc-demo.1
EXTRA_DIST += tests/pcscd_lib.sh
dist_check_SCRIPTS += tests/test_demo_pcsc.sh
TESTS += tests/test_demo_pcsc.sh
EXTRA_DIST += tests/demo_checks.sh
# the three parties end to end (manufacturer, escrow, operators A and B)
dist_check_SCRIPTS += tests/test_operators.sh
TESTS += tests/test_operators.sh
