#!/bin/sh
# test_demo.sh - uicc-demo plays 3b, the fallback and 3a with the tools,
# each card image run in process by uicc-term; check every outcome it
# reports, step by step (JSON lines).
set -u
B=${UK_BUILDDIR:-$(pwd)}
S=${UK_SRCDIR:-$(dirname "$0")/..}
out=$("$B/tools/uicc-demo" --json)
rc=$?
. "$S/tests/demo_checks.sh"
demo_checks "test_demo"
