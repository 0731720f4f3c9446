#!/bin/sh
# test_demo_pcsc.sh - uicc-demo --reader: the whole story (3b, fallback,
# 3a) with every card served on the private pcscd + vpcd reader and the
# terminal talking to it through PC/SC.  Exit 77 only where pcscd cannot run.
set -u
B=${UK_BUILDDIR:-$(pwd)}
S=${UK_SRCDIR:-$(dirname "$0")/..}
skip() { echo "SKIP: $*"; exit 77; }
dir=$(mktemp -d)
. "$S/tests/pcscd_lib.sh"
cleanup() { pcscd_stop; rm -rf "$dir"; }
trap cleanup EXIT INT TERM
pcscd_check
pcscd_start
out=$("$B/tools/uicc-demo" --json --reader "$READER" --vpcd 127.0.0.1:$PORT)
rc=$?
. "$S/tests/demo_checks.sh"
demo_checks "test_demo_pcsc"
