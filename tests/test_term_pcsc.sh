#!/bin/sh
# test_term_pcsc.sh - uicc-term on a PC/SC reader: the card served by
# `uicc-card serve --vpcd` on a private pcscd (reader.conf of its own, as
# tests/test_pcsc.sh): attach at A, the OTA switch by SMS (PoR status 00
# verified with uicc-ota por parse, REFRESH by SCardReconnect, re-attach
# with the new IMSI), JSON events and exit codes; then the fallback: a
# switch to a subscriber the network does not know, and after 3 sessions
# the card is back at the old IMSI and attaches at A.
# Exit 77 (skip) only where pcscd cannot run here.
set -u
B=${UK_BUILDDIR:-$(pwd)}
CARD="$B/tools/uicc-card"
PERSO="$B/tools/uicc-perso"
OTA="$B/tools/uicc-ota"
TERM="$B/tools/uicc-term"
S=${UK_SRCDIR:-$(dirname "$0")/..}

skip() { echo "SKIP: $*"; exit 77; }
dir=$(mktemp -d)
. "$S/tests/pcscd_lib.sh"
serve_pid=""
stop_serve() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	serve_pid=""
}
cleanup() {
	stop_serve
	pcscd_stop
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

pcscd_check

pass=0
fails=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2' want '$3'"; fi; }
has() { if grep -q -- "$2" "$3"; then ok; else bad "$1: no '$2' in $3:"; cat "$3"; fi; }
ks() { awk -v want="$2" -v name="$3" '
	/^  {/ { blk = "" } { blk = blk $0 "\n" }
	/^  }/ { if (blk ~ ("\"index\": " want ",")) { n = split(blk, l, "\n");
		for (i = 1; i <= n; i++) if (l[i] ~ ("\"" name "\":")) {
			v = l[i]; sub(/.*: "/, "", v); sub(/".*/, "", v); print v } } }' "$1"; }

serve() {
	"$CARD" serve "$1" --vpcd 127.0.0.1:$PORT > "$dir/serve.log" 2>&1 &
	serve_pid=$!
	wait_card && ok || { bad "card never appeared in $READER"; cat "$dir/serve.log"; }
}

ICCID=89882390000000000019
IMSI1=001010000000001
IMSI2=001020000000002
IMSI3=001030000000003

"$PERSO" new --iccid $ICCID --imsi $IMSI1 --out "$dir/card.json" --keysets 4 \
	--keys-out "$dir/keys.json" >/dev/null || bad "perso"
K0=$(ks "$dir/keys.json" 0 k); OPC0=$(ks "$dir/keys.json" 0 opc)
K1=$(ks "$dir/keys.json" 1 k); OPC1=$(ks "$dir/keys.json" 1 opc)
KIC=$(ks "$dir/keys.json" 0 kic); KID=$(ks "$dir/keys.json" 0 kid)
KICK=$(ks "$dir/keys.json" 0 kic_key); KIDK=$(ks "$dir/keys.json" 0 kid_key)
pcscd_start
serve "$dir/card.json"

# --- attach at A ----------------------------------------------------------
"$TERM" --reader "$READER" --pin1 1234 --sub "$IMSI1:$K0:$OPC0" --json > "$dir/out" 2>&1
check "attach at A: exit" $? 0
has "attach at A" '"event":"attach","session":1,"imsi":"001010000000001","outcome":"ok"' "$dir/out"
has "ATR from the reader" '"event":"power-up","session":1,"reset":"cold","atr":"3b' "$dir/out"
has "ICCID" "\"iccid\":\"$ICCID\"" "$dir/out"
"$TERM" --reader "$READER" --pin1 1234 --sub "$IMSI1:$K1:$OPC1" --json > "$dir/out" 2>&1
check "wrong key: exit" $? 1
has "wrong key: 9862" '"sw":"9862"' "$dir/out"
"$TERM" --reader "$READER" --unpower --pin1 1234 --sub "$IMSI1:$K0:$OPC0" --json > "$dir/out" 2>&1
check "--unpower: exit" $? 0
has "--unpower: attach" '"imsi":"001010000000001","outcome":"ok"' "$dir/out"
"$TERM" --reader "no such reader" --pin1 1234 --sub "$IMSI1:$K0:$OPC0" > "$dir/out" 2>&1
check "no such reader: exit" $? 1

# --- the switch by SMS: PoR, REFRESH, re-attach with the new IMSI -----------
SCRIPT=$("$OTA" rfm switch --imsi $IMSI2 --index 1)
"$OTA" packet build --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
	--tar b00001 --cntr 0000000001 --data "$SCRIPT" --out tpdu > "$dir/switch.tpdu"
"$TERM" --reader "$READER" --pin1 1234 --sub "$IMSI1:$K0:$OPC0" --sub "$IMSI2:$K1:$OPC1" \
	--sms "$dir/switch.tpdu" --por-out "$dir/por.csv" --json > "$dir/out" 2>&1
check "switch: exit" $? 0
has "switch: attach at A first" '"event":"attach","session":1,"imsi":"001010000000001","outcome":"ok"' "$dir/out"
has "switch: SMS-PP download" '"event":"sms".*"sw":"910B"' "$dir/out"
has "switch: PoR" '"event":"por","session":1,"via":"envelope"' "$dir/out"
has "switch: REFRESH" '"event":"refresh".*"qualifier":4' "$dir/out"
has "switch: reset on the reader" '"event":"power-up","session":1,"reset":"warm"' "$dir/out"
has "switch: new IMSI" '"event":"imsi","session":1,"imsi":"001020000000002"' "$dir/out"
has "switch: re-attach" '"event":"attach","session":1,"imsi":"001020000000002","outcome":"ok".*"trigger":"refresh"' "$dir/out"
check "por.csv rows" "$(wc -l < "$dir/por.csv")" 2
POR=$(sed -n 2p "$dir/por.csv" | cut -d, -f2)
"$OTA" por parse --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
	--tar b00001 --cntr 0000000001 "$POR" > "$dir/por.txt" 2>&1 && ok || bad "PoR does not verify"
has "PoR status 00" "RSC    00 (PoR OK)" "$dir/por.txt"
has "PoR CC verified" "CC verified" "$dir/por.txt"
# the next power-up: the new IMSI attaches with the new key set; A's is refused
"$TERM" --reader "$READER" --pin1 1234 --sub "$IMSI2:$K1:$OPC1" --json > "$dir/out" 2>&1
check "new IMSI: exit" $? 0
has "new IMSI: confirmed" '"last_event":"confirmed"' "$dir/out"
"$TERM" --reader "$READER" --pin1 1234 --sub "$IMSI2:$K0:$OPC0" --json > "$dir/out" 2>&1
check "old key set refused: exit" $? 1
stop_serve

# --- fallback: the new subscriber is unknown to the network -----------------
"$PERSO" new --iccid 89882390000000000027 --imsi $IMSI1 --out "$dir/card2.json" --keysets 4 \
	--keys-out "$dir/keys2.json" >/dev/null 2>&1 || bad "perso 2"
K0=$(ks "$dir/keys2.json" 0 k); OPC0=$(ks "$dir/keys2.json" 0 opc)
KIC=$(ks "$dir/keys2.json" 0 kic); KID=$(ks "$dir/keys2.json" 0 kid)
KICK=$(ks "$dir/keys2.json" 0 kic_key); KIDK=$(ks "$dir/keys2.json" 0 kid_key)
serve "$dir/card2.json"
SCRIPT=$("$OTA" rfm switch --imsi $IMSI3 --index 1)
T=$("$OTA" packet build --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
	--tar b00001 --cntr 0000000001 --data "$SCRIPT" --out tpdu)
{ echo "iccid,imsi,cntr,tpdu"; echo "89882390000000000027,$IMSI1,0000000001,$T"; } > "$dir/msgs.csv"
"$TERM" --reader "$READER" --pin1 1234 --sub "$IMSI1:$K0:$OPC0" --sms "$dir/msgs.csv" \
	--por-out "$dir/por2.csv" --sessions 4 --json > "$dir/out" 2>&1
check "fallback: exit (last attach at A)" $? 0
check "fallback: IMSI3 unknown in 3 sessions" "$(grep -c '"imsi":"001030000000003","outcome":"failed","reason":"IMSI unknown"' "$dir/out")" 3
has "fallback: REFRESH" '"event":"refresh"' "$dir/out"
has "fallback: reverted" '"event":"files","session":4.*"last_event":"reverted"' "$dir/out"
has "fallback: attach at A in session 4" '"event":"attach","session":4,"imsi":"001010000000001","outcome":"ok"' "$dir/out"
has "fallback: summary" '"event":"summary".*"imsi":"001010000000001","attached":true' "$dir/out"
POR=$(sed -n 2p "$dir/por2.csv" | cut -d, -f2)
"$OTA" por parse --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
	--tar b00001 --cntr 0000000001 "$POR" 2>&1 | grep -q "RSC    00 (PoR OK)" && ok ||
	bad "fallback switch PoR"
stop_serve

echo "test_term_pcsc: $pass passed, $fails failed"
[ "$fails" = 0 ]
