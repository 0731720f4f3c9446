#!/bin/sh
# test_uicc_ota.sh - checks the uicc-ota CLI against known-answer vectors:
# rfm.md §3.3 / §8 scripts and responses, and usage errors (exit 2).
set -u
tool=${UK_BUILDDIR:-.}/tools/uicc-ota
fails=0
n=0

check() {	# check NAME EXPECTED ACTUAL
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "#   expected: $2"
		echo "#   got:      $3"
		fails=$((fails + 1))
	fi
}

lc() { tr 'A-F' 'a-f' | tr -d ' '; }

# --- rfm ---------------------------------------------------------------------
script=$($tool rfm build --format compact 00A4000C026F07 00D6000009080910101032547698)
check "rfm build compact (§8.1 script)" "00a4000c026f0700d6000009080910101032547698" "$script"
out=$($tool rfm build --format expanded 00A4000C026F07 00D6000009080910101032547698)
check "rfm build expanded (§3.3)" "$(echo "AA1922 0700A4000C026F07 220E00D6000009080910101032547698" | lc)" "$out"
out=$($tool rfm build --format expanded --indefinite 00A4000C026F07 00D6000009080910101032547698)
check "rfm build indefinite (§3.3)" "$(echo "AE802207 00A4000C026F07220E00D6000009080910101032547698 0000" | lc)" "$out"
out=$($tool rfm parse-response --json AB0B8001022302900023029000)
check "rfm parse-response expanded" '{"format":"expanded","executed":2,"responses":[{"sw":"9000","data":""},{"sw":"9000","data":""}]}' "$out"
out=$($tool rfm parse-response --json 0A9000)
check "rfm parse-response compact" '{"format":"compact","executed":10,"last_sw":"9000","last_data":""}' "$out"
$tool rfm parse 00A4000C026F0700B0 >/dev/null 2>&1; check "rfm parse trailing garbage exit" 2 $?

# --- usage -------------------------------------------------------------------
$tool --help >/dev/null; check "--help exit" 0 $?
$tool >/dev/null 2>&1; check "no command exit" 2 $?
$tool rfm parse zz >/dev/null 2>&1; check "non-hex input exit" 2 $?
$tool rfm build --format weird 00A40000 >/dev/null 2>&1; check "bad --format exit" 2 $?

echo "1..$n"
[ $fails -eq 0 ]
