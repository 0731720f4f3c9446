# (area fragment; owned by that area)
# tools/nfc*: the NFC front end of `uicc-card serve --nfc` (see doc/nfc.md).
# libuknfc.la = the serve loop (no libnfc headers), the struct uicc adapter
# and uk_nfc_serve_main(), plus the libnfc backend when configure found
# libnfc.  uicc-card links it before libukcard.la.
noinst_LTLIBRARIES += libuknfc.la
libuknfc_la_SOURCES = tools/nfc_serve.c tools/nfc_main.c
libuknfc_la_CFLAGS = $(AM_CFLAGS)
libuknfc_la_LIBADD = $(OPENSSL_LIBS)
noinst_HEADERS += tools/nfc_serve.h tools/nfc_libnfc.h
dist_doc_DATA += doc/nfc.md
if HAVE_LIBNFC
libuknfc_la_SOURCES += tools/nfc_libnfc.c
libuknfc_la_CFLAGS += $(LIBNFC_CFLAGS)
libuknfc_la_LIBADD += $(LIBNFC_LIBS) -lpthread
endif

# The loop against a scripted fake device, with a fake card and with the
# real card (libukcard); with libnfc also the backend's no-device path.
check_PROGRAMS += tests/test_nfc
TESTS += tests/test_nfc
tests_test_nfc_SOURCES = tests/test_nfc.c
tests_test_nfc_CFLAGS = $(TEST_CFLAGS)
tests_test_nfc_CPPFLAGS = $(AM_CPPFLAGS) -DUK_TEST_REAL_CARD
tests_test_nfc_LDADD = libuknfc.la $(UK_CARD_LIBS) $(CHECK_LIBS)

if HAVE_LIBNFC
# The libnfc backend over a libnfc test double (no chip, no -lnfc): target
# parameters, error mapping, chip refusal, frame guard, signal -> abort.
check_PROGRAMS += tests/test_nfc_libnfc
TESTS += tests/test_nfc_libnfc
tests_test_nfc_libnfc_SOURCES = tests/test_nfc_libnfc.c tests/fake_libnfc.c \
	tests/fake_libnfc.h tools/nfc_serve.c tools/nfc_main.c tools/nfc_libnfc.c
tests_test_nfc_libnfc_CFLAGS = $(TEST_CFLAGS) $(LIBNFC_CFLAGS)
tests_test_nfc_libnfc_LDADD = $(UK_CARD_LIBS) $(CHECK_LIBS) -lpthread
endif
