#!/bin/sh
# test_term.sh - uicc-term on card images (in process): power-up and
# attach, PIN and key errors, exit codes, an OTA switch from a
# `uicc-ota packet build --out tpdu` file (PoR verified with uicc-ota por
# parse, REFRESH, re-attach with the new IMSI), the old subscriber refused,
# a message file (CSV) for two cards, and the fallback after 3 sessions.
set -u
B=${UK_BUILDDIR:-$(pwd)}
PERSO="$B/tools/uicc-perso"
OTA="$B/tools/uicc-ota"
TERM="$B/tools/uicc-term"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0
fails=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2' want '$3'"; fi; }
has() { if grep -q -- "$2" "$3"; then ok; else bad "$1: no '$2' in $3:"; cat "$3"; fi; }
# key N of key set I from a keys file (members listed one per line)
ks() { awk -v want="$2" -v name="$3" '
	/^  {/ { blk = "" } { blk = blk $0 "\n" }
	/^  }/ { if (blk ~ ("\"index\": " want ",")) { n = split(blk, l, "\n");
		for (i = 1; i <= n; i++) if (l[i] ~ ("\"" name "\":")) {
			v = l[i]; sub(/.*: "/, "", v); sub(/".*/, "", v); print v } } }' "$1"; }
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
check "keys" "$(printf %s "$K0$OPC0$K1$OPC1" | wc -c)" 128

# --- power-up and attach ---------------------------------------------------
"$TERM" "$dir/card.json" --pin1 1234 --k "$K0" --opc "$OPC0" > "$dir/out" 2>&1
check "attach exit" $? 0
has "readable attach" "attach ok: IMSI $IMSI1" "$dir/out"
has "readable ICCID" "ICCID $ICCID" "$dir/out"
"$TERM" "$dir/card.json" --t0 --pin1 1234 --k "$K0" --opc "$OPC0" --json > "$dir/out" 2>&1
check "attach exit (T=0)" $? 0
for ev in power-up iccid usim terminal-profile status pin files imsi attach summary; do
	has "event $ev" "{\"event\":\"$ev\"" "$dir/out"
done
has "json attach" '"event":"attach","session":1,"imsi":"001010000000001","outcome":"ok"' "$dir/out"
# the network restarted at SQN 0: the card's AUTS resynchronises it
has "json resync" '"event":"resync".*"outcome":"ok"' "$dir/out"
# no keys in the output
if grep -qi -e "$K0" -e "$OPC0" "$dir/out"; then bad "a key in the output"; else ok; fi

# --- failures and exit codes ----------------------------------------------
"$TERM" "$dir/card.json" --k "$K0" --opc "$OPC0" --json > "$dir/out" 2>&1
check "no PIN exit" $? 1
has "PIN required" '"outcome":"required"' "$dir/out"
"$TERM" "$dir/card.json" --pin1 1234 --k "$K1" --opc "$OPC1" --json > "$dir/out" 2>&1
check "wrong key exit" $? 1
has "wrong key: MAC failure" '"sw":"9862"' "$dir/out"
"$TERM" "$dir/card.json" --pin1 1234 --sub "$IMSI2:$K0:$OPC0" --json > "$dir/out" 2>&1
check "unknown IMSI exit" $? 1
has "IMSI unknown" '"reason":"IMSI unknown"' "$dir/out"
"$TERM" --pin1 1234 --k "$K0" --opc "$OPC0" > /dev/null 2>&1
check "no card: usage" $? 2
"$TERM" "$dir/card.json" --reader x > /dev/null 2>&1
check "card and reader: usage" $? 2
"$TERM" "$dir/card.json" --k 0011 --opc "$OPC0" > /dev/null 2>&1
check "short K: usage" $? 2
"$TERM" "$dir/card.json" --sub "$IMSI1:$K0" > /dev/null 2>&1
check "bad --sub: usage" $? 2
"$TERM" "$dir/nope.json" > /dev/null 2>&1
check "missing image: input error" $? 2
"$TERM" "$dir/card.json" --db "$dir/op.db" > /dev/null 2>&1
check "--db not built: usage" $? 2
printf 'iccid,imsi,cntr,tpdu\n%s,%s,0000000001,0011zz\n' $ICCID $IMSI1 > "$dir/badmsg.csv"
before=$(sha256sum < "$dir/card.json")
"$TERM" "$dir/card.json" --pin1 1234 --sms "$dir/badmsg.csv" > "$dir/out" 2>&1
check "malformed message file: input error" $? 2
has "malformed: line number" "line 2" "$dir/out"
check "malformed: card untouched" "$(sha256sum < "$dir/card.json")" "$before"
# no network: the power-up succeeds (exit 0) but nothing attached
"$TERM" "$dir/card.json" --pin1 1234 --json > "$dir/out" 2>&1
check "no network: exit" "$?" 0
has "no network: not attached" '"event":"summary".*"attached":false,"attaches_ok":0' "$dir/out"
"$TERM" --help | grep -q "usage: uicc-term" && ok || bad "--help"

# --- OTA switch, PoR, REFRESH, re-attach with the new IMSI ------------------
SCRIPT=$("$OTA" rfm switch --imsi $IMSI2 --index 1)
"$OTA" packet build --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
	--tar b00001 --cntr 0000000001 --data "$SCRIPT" --out tpdu > "$dir/switch.tpdu"
"$TERM" "$dir/card.json" --pin1 1234 --sub "$IMSI1:$K0:$OPC0" --sub "$IMSI2:$K1:$OPC1" \
	--sms "$dir/switch.tpdu" --por-out "$dir/por.csv" --json > "$dir/out" 2>&1
check "switch exit" $? 0
has "switch: SMS" '"event":"sms".*"sw":"910B"' "$dir/out"
has "switch: PoR" '"event":"por","session":1,"via":"envelope"' "$dir/out"
has "switch: REFRESH" '"event":"refresh".*"qualifier":4' "$dir/out"
has "switch: re-attach" '"event":"attach","session":1,"imsi":"001020000000002","outcome":"ok".*"trigger":"refresh"' "$dir/out"
has "switch: summary" '"event":"summary".*"imsi":"001020000000002","attached":true.*"pors":1,"refreshes":1' "$dir/out"
check "por.csv header" "$(head -1 "$dir/por.csv")" "iccid,por"
check "por.csv rows" "$(wc -l < "$dir/por.csv")" 2
POR=$(sed -n 2p "$dir/por.csv" | cut -d, -f2)
check "por.csv iccid" "$(sed -n 2p "$dir/por.csv" | cut -d, -f1)" $ICCID
"$OTA" por parse --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
	--tar b00001 --cntr 0000000001 "$POR" > "$dir/por.txt" 2>&1 && ok || bad "PoR does not verify"
has "PoR status 00" "RSC    00 (PoR OK)" "$dir/por.txt"
has "PoR CC verified" "CC verified" "$dir/por.txt"
# a new power-up: still the new IMSI; the old subscriber's key is refused
"$TERM" "$dir/card.json" --pin1 1234 --sub "$IMSI2:$K1:$OPC1" --json > "$dir/out" 2>&1
check "new IMSI attaches" $? 0
has "confirmed" '"last_event":"confirmed"' "$dir/out"
"$TERM" "$dir/card.json" --pin1 1234 --sub "$IMSI2:$K0:$OPC0" --sub "$IMSI1:$K0:$OPC0" \
	--json > "$dir/out" 2>&1
check "old key refused" $? 1
has "old key: 9862" '"sw":"9862","imsi":"001020000000002","outcome":"failed"' "$dir/out"
# the same switch again: A's OTA keys no longer count (plain PoR, RSC 06)
"$TERM" "$dir/card.json" --pin1 1234 --sub "$IMSI2:$K1:$OPC1" --sms "$dir/switch.tpdu" \
	--por-out "$dir/por.csv" --json > "$dir/out" 2>&1
check "replayed switch exit" $? 0
has "replayed switch: RSC 06" '"rsc":6' "$dir/out"
check "por.csv rows after" "$(wc -l < "$dir/por.csv")" 3

# --- a message file for two cards; the fallback after 3 sessions ------------
"$PERSO" new --iccid 89882390000000000027 --imsi $IMSI1 --out "$dir/card2.json" --keysets 4 \
	--keys-out "$dir/keys2.json" >/dev/null 2>&1 || bad "perso 2"
K0=$(ks "$dir/keys2.json" 0 k); OPC0=$(ks "$dir/keys2.json" 0 opc)
KIC=$(ks "$dir/keys2.json" 0 kic); KID=$(ks "$dir/keys2.json" 0 kid)
KICK=$(ks "$dir/keys2.json" 0 kic_key); KIDK=$(ks "$dir/keys2.json" 0 kid_key)
SCRIPT=$("$OTA" rfm switch --imsi $IMSI3 --index 1)
T=$("$OTA" packet build --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
	--tar b00001 --cntr 0000000001 --data "$SCRIPT" --out tpdu)
{ echo "iccid,imsi,cntr,tpdu"; echo "$ICCID,$IMSI2,0000000009,$T"
  echo "89882390000000000027,$IMSI1,0000000001,$T"; } > "$dir/msgs.csv"
# the network does not know IMSI3: three sessions on it, no fallback yet
"$TERM" "$dir/card2.json" --pin1 1234 --sub "$IMSI1:$K0:$OPC0" --sms "$dir/msgs.csv" \
	--por-out "$dir/por2.csv" --sessions 3 --json > "$dir/out" 2>&1
check "3 sessions on the unknown IMSI: exit" $? 1
check "only this card's row" "$(grep -c '"event":"sms"' "$dir/out")" 1
has "the row of line 3" '"event":"sms","session":1,"line":3' "$dir/out"
check "IMSI unknown x3" "$(grep -c '"reason":"IMSI unknown"' "$dir/out")" 3
check "por2.csv rows" "$(wc -l < "$dir/por2.csv")" 2
# the fourth session: the card is back at IMSI1 and attaches at A
"$TERM" "$dir/card2.json" --pin1 1234 --sub "$IMSI1:$K0:$OPC0" --json > "$dir/out" 2>&1
check "fallback exit" $? 0
has "fallback: reverted" '"last_event":"reverted"' "$dir/out"
has "fallback: attach at A" '"imsi":"001010000000001","outcome":"ok"' "$dir/out"

# --- a concatenated message (two SMS): as one CSV row and as two lines ------
for form in csv plain; do
	"$PERSO" new --iccid 89882390000000000035 --imsi $IMSI1 --out "$dir/card3.json" --keysets 4 \
		--keys-out "$dir/keys3.json" --force >/dev/null 2>&1 || bad "perso 3"
	K0=$(ks "$dir/keys3.json" 0 k); OPC0=$(ks "$dir/keys3.json" 0 opc)
	K1=$(ks "$dir/keys3.json" 1 k); OPC1=$(ks "$dir/keys3.json" 1 opc)
	KIC=$(ks "$dir/keys3.json" 0 kic); KID=$(ks "$dir/keys3.json" 0 kid)
	KICK=$(ks "$dir/keys3.json" 0 kic_key); KIDK=$(ks "$dir/keys3.json" 0 kid_key)
	# 16 SELECTs before the switch make the packet longer than one SMS
	P=""; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do P="$P 00A4000C026F07"; done
	# shellcheck disable=SC2086
	SCRIPT=$("$OTA" rfm build --format compact $P $("$OTA" rfm parse \
		"$("$OTA" rfm switch --imsi $IMSI2 --index 1)" | sed -n 's/^command [0-9]* (case [0-9]): //p'))
	"$OTA" packet build --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
		--tar b00001 --cntr 0000000001 --data "$SCRIPT" --out tpdu > "$dir/long.tpdu"
	check "$form: two segments" "$(wc -l < "$dir/long.tpdu")" 2
	if [ $form = csv ]; then
		{ echo "iccid,imsi,cntr,tpdu"
		  echo "89882390000000000035,$IMSI1,0000000001,$(tr '\n' ' ' < "$dir/long.tpdu" | sed 's/ $//')"
		} > "$dir/long.msg"
	else
		cp "$dir/long.tpdu" "$dir/long.msg"
	fi
	rm -f "$dir/por3.csv"
	"$TERM" "$dir/card3.json" --pin1 1234 --sub "$IMSI1:$K0:$OPC0" --sub "$IMSI2:$K1:$OPC1" \
		--sms "$dir/long.msg" --por-out "$dir/por3.csv" --json > "$dir/out" 2>&1
	check "$form: exit" $? 0
	check "$form: SMS-PP downloads" "$(grep -c '"event":"sms"' "$dir/out")" 2
	has "$form: re-attach" '"imsi":"001020000000002","outcome":"ok","resync":false,"trigger":"refresh"' "$dir/out"
	POR=$(sed -n 2p "$dir/por3.csv" | cut -d, -f2)
	"$OTA" por parse --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
		--tar b00001 --cntr 0000000001 "$POR" 2>&1 | grep -q "RSC    00 (PoR OK)" && ok ||
		bad "$form: PoR"
done

echo "test_term: $pass passed, $fails failed"
[ "$fails" = 0 ]
