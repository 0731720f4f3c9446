#!/bin/sh
# test_m2m_tools.sh - the M2M switch and AKA as an operator runs them with
# the tools: uicc-perso (4 key sets, keys file), uicc-auc (vectors, AUTS
# resync), uicc-ota (switch script, secured ENVELOPE, PoR check) and
# uicc-card apdu (the card, one session per invocation, state in the image).
set -u
B=${UK_BUILDDIR:-$(pwd)}
PERSO="$B/tools/uicc-perso"
CARD="$B/tools/uicc-card"
OTA="$B/tools/uicc-ota"
AUC="$B/tools/uicc-auc"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0
fails=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2' want '$3'"; fi; }
# key N of key set I from the keys file (one "key": "value" per line)
# the keys file lists members alphabetically: collect each set's lines
ks() { awk -v want="$1" -v name="$2" '
	/^  {/ { blk = "" } { blk = blk $0 "\n" }
	/^  }/ { if (blk ~ ("\"index\": " want ",")) { n = split(blk, l, "\n");
		for (i = 1; i <= n; i++) if (l[i] ~ ("\"" name "\":")) {
			v = l[i]; sub(/.*: "/, "", v); sub(/".*/, "", v); print v } } }' "$dir/keys.json"; }
PIN=002000010831323334FFFFFFFF
USIM=00A4040C07A0000000871002

"$PERSO" new --iccid 89882390000000000019 --imsi 001010000000001 --out "$dir/card.json" \
	--keysets 4 --keys-out "$dir/keys.json" >/dev/null || bad "perso"
K0=$(ks 0 k); OPC0=$(ks 0 opc); K1=$(ks 1 k); OPC1=$(ks 1 opc)
KIC=$(ks 0 kic); KID=$(ks 0 kid); KICK=$(ks 0 kic_key); KIDK=$(ks 0 kid_key); TAR=$(ks 0 tar)
check "keys file" "$(printf %s "$K0$OPC0$KICK$KIDK" | wc -c)" 128
check "kic byte" "$KIC" 12

# --- AKA: a vector from uicc-auc authenticates on the card -----------------
RAND=23553cbe9637a89d218ae64dae47bf35
v=$("$AUC" gen --k "$K0" --opc "$OPC0" --sqn 000000000021 --amf 8000 --rand $RAND --json)
field() { echo "$v" | sed -n "s/.*\"$1\":\"\([0-9a-f]*\)\".*/\1/p"; }
AUTN=$(field autn); XRES=$(field xres); CK=$(field ck); IK=$(field ik)
out=$("$CARD" apdu "$dir/card.json" $PIN $USIM 008800812210${RAND}10${AUTN} | tail -1)
check "RES/CK/IK" "$(echo "$out" | cut -c1-88 | tr 'A-F' 'a-f')" "db08${XRES}10${CK}10${IK}"
# the same AUTN again: stale SQN, the card answers AUTS
out=$("$CARD" apdu "$dir/card.json" $PIN $USIM 008800812210${RAND}10${AUTN} | tail -1)
check "replay -> DC" "$(echo "$out" | cut -c1-4)" DC0E
AUTS=$(echo "$out" | cut -c5-32)
sqn=$("$AUC" resync --k "$K0" --opc "$OPC0" --rand $RAND --auts "$AUTS" --json |
	sed -n 's/.*"sqn_ms":"\([0-9a-f]*\)".*/\1/p')
check "resync SQN_MS" "$sqn" 000000000021

# --- OTA switch to IMSI 2 / key set 1 under key set 0's keys ---------------
SCRIPT=$("$OTA" rfm switch --imsi 001020000000002 --index 1)
ENV=$("$OTA" packet build --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
	--tar "$TAR" --cntr 0000000001 --data "$SCRIPT" --out envelope)
out=$("$CARD" apdu "$dir/card.json" 801000000403008002 "$ENV" 801200000B)
POR=$(echo "$out" | sed -n 2p)
check "ENVELOPE SW" "$(echo "$POR" | tail -c 5)" 910B
POR=$(echo "$POR" | sed 's/....$//')
"$OTA" por parse --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
	--tar "$TAR" --cntr 0000000001 "$POR" > "$dir/por.txt" && ok || bad "PoR does not verify"
grep -qi "PoR OK" "$dir/por.txt" && ok || bad "PoR status: $(cat "$dir/por.txt")"
out3=$(echo "$out" | sed -n 3p)
check "REFRESH bytes" "$out3" D0098103010104820281829000
# new session: the new IMSI, key set 1 authenticates, key set 0 does not
out=$("$CARD" apdu "$dir/card.json" $PIN $USIM 00A4000C026F07 00B0000009 | tail -1)
check "new IMSI" "$out" 0809102000000000209000
v=$("$AUC" gen --k "$K1" --opc "$OPC1" --sqn 000000000021 --amf 8000 --rand $RAND --json)
AUTN=$(field autn); XRES=$(field xres)
out=$("$CARD" apdu "$dir/card.json" $PIN $USIM 008800812210${RAND}10${AUTN} | tail -1)
check "key set 1 RES" "$(echo "$out" | cut -c1-20 | tr 'A-F' 'a-f')" "db08${XRES}"
v=$("$AUC" gen --k "$K0" --opc "$OPC0" --sqn 000000000041 --amf 8000 --rand $RAND --json)
AUTN=$(field autn)
out=$("$CARD" apdu "$dir/card.json" $PIN $USIM 008800812210${RAND}10${AUTN} | tail -1)
check "key set 0 refused" "$out" 9862
# a second packet under key set 0's OTA keys: plain PoR with RSC 06
ENV=$("$OTA" packet build --spi 1619 --kic "$KIC" --kid "$KID" --kic-key "$KICK" --kid-key "$KIDK" \
	--tar "$TAR" --cntr 0000000002 --data "$SCRIPT" --out envelope)
before=$(sha256sum < "$dir/card.json")
out=$("$CARD" apdu "$dir/card.json" "$ENV")
check "old keys: plain PoR" "$out" 027100000B0AB00001000000000000069000
check "old keys: image untouched" "$(sha256sum < "$dir/card.json")" "$before"

echo "test_m2m_tools: $pass passed, $fails failed"
[ "$fails" = 0 ]
