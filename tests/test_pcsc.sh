#!/bin/sh
# test_pcsc.sh - the card on a private pcscd + vpcd reader, driven by
# opensc-tool, scriptor and pyscard; survives a pcscd restart.
# Exit 77 (skip) only where pcscd cannot run here.
set -u
B=${UK_BUILDDIR:-$(pwd)}
S=${UK_SRCDIR:-$(dirname "$0")/..}
CARD="$B/tools/uicc-card"
PERSO="$B/tools/uicc-perso"
DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
READER="uicckit test 00 00"
PORT=40000

skip() { echo "SKIP: $*"; exit 77; }
command -v pcscd >/dev/null 2>&1 || skip "pcscd is not installed"
[ -e "$DRIVER" ] || skip "vsmartcard-vpcd driver ($DRIVER) is not installed"
[ "$(id -u)" = 0 ] || skip "pcscd needs root for its socket in /run/pcscd"

# One pcscd per machine: serialise with any other run of this test.
exec 9>/tmp/uicckit-pcscd.lock
flock -w 300 9 || skip "another pcscd test held the lock for 5 minutes"
if pgrep -x pcscd >/dev/null 2>&1; then
	skip "a pcscd is already running on this machine (stop it to run this test)"
fi

dir=$(mktemp -d)
pcscd_pid=""
serve_pid=""
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null && wait "$pcscd_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

mkdir "$dir/conf"
cat > "$dir/conf/reader.conf" <<CONF
FRIENDLYNAME "uicckit test"
DEVICENAME /dev/null:0x9C40
LIBPATH $DRIVER
CHANNELID 0x9C40
CONF

start_pcscd() {
	pcscd --foreground --config "$dir/conf" > "$dir/pcscd.log" 2>&1 &
	pcscd_pid=$!
	i=0
	while [ $i -lt 50 ]; do
		if ! kill -0 "$pcscd_pid" 2>/dev/null; then
			cat "$dir/pcscd.log"
			skip "pcscd could not start here"
		fi
		if command -v ss >/dev/null 2>&1; then
			ss -ltn 2>/dev/null | grep -q ":$PORT " && return 0
		else
			sleep 1; return 0
		fi
		sleep 0.1; i=$((i + 1))
	done
	cat "$dir/pcscd.log"; skip "vpcd did not listen on port $PORT"
}

fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# wait until the reader shows a card (opensc-tool -l lists "Yes" in the card column)
wait_card() {
	i=0
	while [ $i -lt 100 ]; do
		opensc-tool -l 2>/dev/null | grep "$READER" | grep -q "Yes" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

"$PERSO" new --iccid 89882390000000000019 --imsi 001010000000001 --out "$dir/card.json" >/dev/null
start_pcscd
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
kill "$pcscd_pid"; wait "$pcscd_pid" 2>/dev/null; pcscd_pid=""
start_pcscd
wait_card && ok || bad "card did not come back after a pcscd restart"
out=$(opensc-tool -r "$READER" -s 00A40004022FE2 -s 00B000000A 2>&1)
echo "$out" | grep -q "98 88 32 09 00 00 00 00 00 91" && ok || bad "after restart: $out"
# SIGTERM stops the card cleanly
kill "$serve_pid"; wait "$serve_pid"; rc=$?; serve_pid=""
[ "$rc" = 0 ] && ok || bad "uicc-card serve exit status $rc after SIGTERM"

echo "test_pcsc: $pass passed, $fails failed"
[ "$fails" = 0 ]
