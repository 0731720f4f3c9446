#!/bin/sh
# test_uicc_ota.sh - checks the uicc-ota CLI against known-answer vectors:
# ota-secured-packets.md §8.1 (AES) / §8.3 (3DES, two SMS), the SMS/ENVELOPE
# forms of ota-sms-transport.md §6.1/§6.2, PoRs incl. the tampered pySim A6f
# (exit 1), rfm.md §3.3 scripts, and usage errors (exit 2).
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

# --- §8.1 AES-128 packet, and its SMS / TPDU / ENVELOPE forms -----------------
AES="--spi 1619 --kic 12 --kid 12 --kic-key 00112233445566778899AABBCCDDEEFF --kid-key 0F0E0D0C0B0A09080706050403020100"
script=$($tool rfm build --format compact 00A4000C026F07 00D6000009080910101032547698)
check "rfm build compact (§8.1 script)" "00a4000c026f0700d6000009080910101032547698" "$script"
pkt81="00381516191212b000011a42d6c024a0582a4140e8500e21104fc9199572b88f09cb2b0e80be3d431a402f5da664d417f424fd49667672d45ec7"
out=$($tool packet build $AES --tar B00001 --cntr 0000000001 --data "$script")
check "packet build AES §8.1" "$pkt81" "$out"
out=$($tool packet build $AES --tar B00001 --cntr 0000000001 --data "$script" --out sms)
check "packet build --out sms" "027000$pkt81" "$out"
tpdu61="440591214 3F57FF6621122010000003D027000$pkt81"
tpdu61=$(echo "$tpdu61" | lc)
out=$($tool packet build $AES --tar B00001 --cntr 0000000001 --data "$script" --out tpdu --oa +12345 --scts 62112201000000)
check "packet build --out tpdu (§6.1)" "$tpdu61" "$out"
out=$($tool packet build $AES --tar B00001 --cntr 0000000001 --data "$script" --out envelope --scts 62112201000000 --smsc +4477001)
check "packet build --out envelope (§6.1)" "$(echo "80C200005CD15A82028381860591447700F18B4D" | lc)$tpdu61" "$out"

# --- parse it back ---------------------------------------------------------
$tool packet parse $AES "$pkt81" >/dev/null; check "packet parse AES exit" 0 $?
$tool packet parse $AES "$tpdu61" >/dev/null; check "packet parse from TPDU exit" 0 $?
bad=$(echo "$pkt81" | sed 's/d45ec7$/d45ec8/')
$tool packet parse $AES "$bad" >/dev/null 2>&1; check "packet parse tampered exit" 1 $?
out=$($tool packet parse $AES --json "$pkt81")
case $out in *'"data":"00a4000c026f0700d6000009080910101032547698"'*) r=ok ;; *) r="$out" ;; esac
check "packet parse --json data" ok "$r"

# --- PoRs --------------------------------------------------------------------
por81="027100002412B0000173AA8929E6086B5669B13F5D4AA24EB6B98A465201060ED337C5A06299B860E4"
out=$($tool por parse $AES --tar B00001 --cntr 0000000001 --json "$por81"); rc=$?
check "por parse §8.1 exit" 0 $rc
case $out in *'"rsc":0'*'"029000"'*) r=ok ;; *) r="$out" ;; esac
check "por parse §8.1 fields" ok "$r"
$tool por parse $AES "$(echo $por81 | cut -c7-)" >/dev/null; check "por parse without UDH" 0 $?
A6="--spi 0609 --kic 35 --kid 35 --kic-key c21dd66acac13cb3bc8b331b24afb57b --kid-key 12110c78e678c25408233076aa033615"
$tool por parse $A6 027100001612b000110000000000000055f47118381175fb01612f >/dev/null
check "por parse pySim A6e exit" 0 $?
out=$($tool por parse $A6 027100001612b000110000000000000055f47118381175fb02612f 2>&1); rc=$?
check "por parse tampered A6f exit" 1 $rc
case $out in *"RC/CC/DS failed"*) r=ok ;; *) r="$out" ;; esac
check "por parse tampered A6f message" ok "$r"
out=$($tool por parse $AES --json 027100000B0AB0000100000000000001 2>/dev/null); rc=$?
check "error PoR (§8.2, RSC 01 in the clear) exit" 1 $rc
case $out in *'"rsc":1'*'"authenticated":false,"protected_as_asked":false'*) r=ok ;; *) r="$out" ;; esac
check "error PoR reported as unauthenticated" ok "$r"
out=$($tool packet parse $AES "$pkt81" | grep '^TAR')
check "packet parse TAR" "TAR    b00001 (ADF RFM)" "$out"
$tool packet parse $AES --cntr 0000000001 "$pkt81" >/dev/null 2>&1
check "packet parse with the card's counter equal (CNTR low)" 1 $?
$tool packet parse $AES --cntr 0000000000 "$pkt81" >/dev/null
check "packet parse with a lower card counter" 0 $?

# --- §8.3 / §6.2 two-segment 3DES packet ------------------------------------
DES="--spi 1639 --kic 15 --kid 15 --kic-key 0123456789ABCDEFFEDCBA9876543210 --kid-key FEDCBA98765432100123456789ABCDEF"
FF=FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF
script83=$($tool rfm build --format compact 00A4000C026F07 00D6000009080910101032547698 \
	00A4000C026F7E 00D600000BFFFFFFFF00F110FFFEFF01 00A4000C026F73 \
	00D600000EFFFFFFFFFFFFFF00F110FFFEFF01 00A4000C026F08 00D600002107$FF \
	00A4000C026F09 00D600002107$FF)
out=$($tool packet build $DES --tar B00001 --cntr 0000000002 --data "$script83" --out tpdu --concat-ref 42 --scts 62112201000000 | tr '\n' ' ')
seg1="400591214 3F57FF662112201000000 8C0700032A0201 7000 00B815163915 15B000014B4A71B1D972E84AFB697306A18820B27273ACF2EC685606AC4FDF224063181382673939AD2530AD606A0E4B59586323ED4E376191AEC73804EB3873369FE2B56266696D46604DB76AB663BB104780D992BA101A73964B37448D3AF9EB1B32D0F738DC0EB97F36651AE950CB4C6F219D032603D7C99CDCA3C221"
seg2="440591214 3F57FF662112201000000 3C0500032A0202 AE17482C4D038AD57A972F0D2A9979212AD5537DD5814F572D17D1809D82143AB408253B9B4B3AEA90D1105A02EA0CD8C6419556D919"
check "packet build 2 segments (§6.2)" "$(echo "$seg1" | lc) $(echo "$seg2" | lc) " "$out"
$tool packet parse $DES "$(echo "$seg2" | lc)" "$(echo "$seg1" | lc)" >/dev/null
check "packet parse of 2 segments, reversed" 0 $?
$tool packet parse $DES "$(echo "$seg2" | lc)" >/dev/null 2>&1
check "packet parse with a missing segment" 2 $?
out=$($tool packet build $DES --tar B00001 --cntr 0000000002 --data "$script83" --out sms --concat-ref 4660 --ref16 | head -1 | cut -c1-18)
check "16-bit reference segment 1 UDH" "080804123402017000" "$out"

fetch62="D036810301130082028183 8B2B410005912143F57FF621027100001C12B0000198343B19FE881B0C88EB6B17E65A719C9607F06AAC01EB41"
out=$($tool por parse $DES --cntr 0000000002 --json "$fetch62"); rc=$?
check "por parse of the §6.2 FETCH (SEND SHORT MESSAGE) exit" 0 $rc
case $out in *'"rsc":0'*'"data":"0a9000"'*'"rfm_executed":10'*) r=ok ;; *) r="$out" ;; esac
check "por parse §8.3 PoR: 10 commands, 9000" ok "$r"

# --- rfm ---------------------------------------------------------------------
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
$tool packet build --spi 16 >/dev/null 2>&1; check "bad --spi exit" 2 $?
$tool rfm build --format weird 00A40000 >/dev/null 2>&1; check "bad --format exit" 2 $?
$tool packet parse $AES zz >/dev/null 2>&1; check "non-hex input exit" 2 $?

echo "1..$n"
[ $fails -eq 0 ]
