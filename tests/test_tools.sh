#!/bin/sh
# test_tools.sh - uicc-perso and uicc-card apdu as a user runs them.
set -eu
B=${UK_BUILDDIR:-$(pwd)}
PERSO="$B/tools/uicc-perso"
CARD="$B/tools/uicc-card"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2' want '$3'"; fi; }

img="$dir/card.json"
"$PERSO" new --iccid 89882390000000000019 --imsi 001010000000001 --out "$img" >/dev/null
check "image mode" "$(stat -c %a "$img")" 600
# refuses to overwrite without --force, exit 2
rc=0; "$PERSO" new --iccid 89882390000000000019 --imsi 001010000000001 --out "$img" 2>/dev/null || rc=$?
check "overwrite refused" "$rc" 2
# bad IMSI / ICCID: exit 2, nothing written
rc=0; "$PERSO" new --iccid 8988 --imsi 001010000000001 --out "$dir/x.json" 2>/dev/null || rc=$?
check "bad iccid" "$rc" 2
[ ! -e "$dir/x.json" ] && ok || bad "bad iccid wrote a file"
rc=0; "$PERSO" new --iccid 89882390000000000019 --imsi 12ab --out "$dir/x.json" 2>/dev/null || rc=$?
check "bad imsi" "$rc" 2

# SELECT MF (FCP), SELECT EF.ICCID, READ BINARY -> the ICCID, swapped BCD
out=$("$CARD" apdu "$img" 00A40004023F00 00A40004022FE2 00B000000A)
check "lines" "$(echo "$out" | wc -l)" 3
check "iccid" "$(echo "$out" | sed -n 3p)" 988832090000000000919000
case "$(echo "$out" | sed -n 1p)" in 62*9000) ok ;; *) bad "FCP of MF: $out" ;; esac
# T=0: 61xx, then GET RESPONSE; wrong Le: 6Cxx
out=$("$CARD" apdu --t0 "$img" 00A40004023F00 00C0000000)
check "t0 61xx" "$(echo "$out" | sed -n 1p | cut -c1-2)" 61
check "t0 6Cxx" "$(echo "$out" | sed -n 2p | cut -c1-2)" 6C
# IMSI as personalised
out=$("$CARD" apdu "$img" 002000010831323334FFFFFFFF 00A4040407A0000000871002 00A4000C026F07 00B0000009 | tail -1)
check "imsi" "$out" 0809101000000000109000
# state persists across sessions: UPDATE with ADM, read back in a new session
"$CARD" apdu "$img" 0020000A083838383838383838 00A4040407A0000000871002 00A4000C026F07 \
	00D6000009082926101160845740 >/dev/null
out=$("$CARD" apdu "$img" 002000010831323334FFFFFFFF 00A4040407A0000000871002 00A4000C026F07 00B0000009 | tail -1)
check "persisted imsi" "$out" 0829261011608457409000
# a wrong PIN's retry counter persists
"$CARD" apdu "$img" 002000010839393939FFFFFFFF >/dev/null
out=$("$CARD" apdu "$img" 0020000100)
check "pin counter persisted" "$out" 63C2
# bad input: exit 2, image byte-identical
before=$(sha256sum < "$img")
rc=0; "$CARD" apdu "$img" 00A40004023F00 ZZ 2>/dev/null || rc=$?
check "bad hex exit" "$rc" 2
rc=0; "$CARD" apdu "$img" 00A4 2>/dev/null || rc=$?
check "short apdu exit" "$rc" 2
check "image untouched" "$(sha256sum < "$img")" "$before"
# a damaged image is refused with a message and exit 1
cp "$img" "$dir/bad.json"
sed -i '0,/"data": "/s//"data": "00/' "$dir/bad.json"
rc=0; msg=$("$CARD" apdu "$dir/bad.json" 00A40004023F00 2>&1) || rc=$?
check "damaged exit" "$rc" 1
case "$msg" in *SHA-256*) ok ;; *) bad "damaged message: $msg" ;; esac
# --help everywhere
"$CARD" --help >/dev/null && ok || bad "uicc-card --help"
"$PERSO" --help >/dev/null && ok || bad "uicc-perso --help"
# keys file for the operator: 0600, N key sets
"$PERSO" new --iccid 89882390000000000027 --imsi 001010000000002 --out "$dir/c2.json" \
	--keysets 4 --keys-out "$dir/keys.json" >/dev/null
check "keys mode" "$(stat -c %a "$dir/keys.json")" 600
check "keysets" "$(grep -c '"kic_key"' "$dir/keys.json")" 4

echo "test_tools: $pass passed, $fails failed"
[ "$fails" = 0 ]
