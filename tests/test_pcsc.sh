#!/bin/sh
# test_pcsc.sh - the card on a private pcscd + vpcd reader, driven by
# opensc-tool, scriptor and pyscard; survives a pcscd restart.
# Exit 77 (skip) only where pcscd cannot run here.
set -u
B=${UK_BUILDDIR:-$(pwd)}
S=${UK_SRCDIR:-$(dirname "$0")/..}
CARD="$B/tools/uicc-card"
PERSO="$B/tools/uicc-perso"
skip() { echo "SKIP: $*"; exit 77; }
dir=$(mktemp -d)
. "$S/tests/pcscd_lib.sh"
pcscd_pid=""
serve_pid=""
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	pcscd_stop
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

pcscd_check

fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$PERSO" new --iccid 89882390000000000019 --imsi 001010000000001 --out "$dir/card.json" >/dev/null
pcscd_start
"$CARD" serve "$dir/card.json" --vpcd 127.0.0.1:$PORT > "$dir/serve.log" 2>&1 &
serve_pid=$!
wait_card && ok || { bad "card never appeared in $READER"; cat "$dir/serve.log" "$dir/pcscd.log"; }

# opensc-tool: SELECT MF (T=0 card: 61xx), EF.ICCID, READ BINARY
out=$(opensc-tool -r "$READER" -s 00A40004023F00 -s 00A40004022FE2 -s 00B000000A 2>&1)
echo "$out" | grep -q "98 88 32 09 00 00 00 00 00 91" && ok || bad "opensc-tool ICCID: $out"
# scriptor
printf '00 A4 00 04 02 3F 00\n00 A4 00 0C 02 2F E2\n00 B0 00 00 0A\n' > "$dir/script"
out=$(scriptor -r "$READER" "$dir/script" 2>&1)
echo "$out" | grep -q "98 88 32 09 00 00 00 00 00 91 90 00 : Normal processing" && ok ||
	bad "scriptor ICCID: $out"
# pyscard
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
if "$PY" -c "import smartcard" 2>/dev/null; then
	"$PY" "$S/tests/pcsc_probe.py" "$READER" 98883209000000000091 && ok || bad "pyscard"
else
	echo "note: python3-pyscard not installed, pyscard step skipped"
fi
# pcscd restarts: the card reconnects by itself
pcscd_stop
pcscd_start
wait_card && ok || bad "card did not come back after a pcscd restart"
out=$(opensc-tool -r "$READER" -s 00A40004022FE2 -s 00B000000A 2>&1)
echo "$out" | grep -q "98 88 32 09 00 00 00 00 00 91" && ok || bad "after restart: $out"
# SIGTERM stops the card cleanly
kill "$serve_pid"; wait "$serve_pid"; rc=$?; serve_pid=""
[ "$rc" = 0 ] && ok || bad "uicc-card serve exit status $rc after SIGTERM"

echo "test_pcsc: $pass passed, $fails failed"
[ "$fails" = 0 ]
