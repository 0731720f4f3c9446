#!/bin/sh
# test_uicc_auc.sh - uicc-auc against the known-answer vectors.
set -u
B=${UK_BUILDDIR:-$(pwd)}
AUC="$B/tools/uicc-auc"
pass=0
fails=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2' want '$3'"; fi; }
field() { sed -n "s/.*\"$1\":\"\([0-9a-f]*\)\".*/\1/p"; }

# MILENAGE TS 35.208 test set 1
S1="--alg milenage --k 465b5ce8b199b49faa5f0a2ee238a6bc --opc cd63cb71954a9f4e48a5994e37a02baf"
out=$("$AUC" gen $S1 --sqn ff9bb4d0b607 --amf b9b9 --rand 23553cbe9637a89d218ae64dae47bf35 --json)
check "set1 autn" "$(echo "$out" | field autn)" 55f328b43577b9b94a9ffac354dfafb3
check "set1 xres" "$(echo "$out" | field xres)" a54211d5e3ba50bf
check "set1 ck" "$(echo "$out" | field ck)" b40ba9a3c58b2a05bbf0d987b21bf8cb
check "set1 ik" "$(echo "$out" | field ik)" f769bcd751044604127672711c6d3441
check "set1 sres" "$(echo "$out" | field sres)" 46f8416a
check "set1 kc" "$(echo "$out" | field kc)" eae4be823af9a08b
check "set1 ak" "$(echo "$out" | field ak)" aa689c648370
# the same with OP instead of OPc
out=$("$AUC" gen --k 465b5ce8b199b49faa5f0a2ee238a6bc --op cdc202d5123e20f62b6d676ac72cb318 \
	--sqn ff9bb4d0b607 --amf b9b9 --rand 23553cbe9637a89d218ae64dae47bf35 --json)
check "set1 op autn" "$(echo "$out" | field autn)" 55f328b43577b9b94a9ffac354dfafb3
# resync from set 1's AUTS
out=$("$AUC" resync $S1 --rand 23553cbe9637a89d218ae64dae47bf35 --auts ba853f3c123ccf44e93596e355c6 --json)
check "resync sqn_ms" "$(echo "$out" | field sqn_ms)" ff9bb4d0b607
rc=0; "$AUC" resync $S1 --rand 23553cbe9637a89d218ae64dae47bf35 --auts ba853f3c123ccf44e93596e355c7 \
	>/dev/null 2>&1 || rc=$?
check "bad auts exit" "$rc" 1
# RES check
"$AUC" check $S1 --rand 23553cbe9637a89d218ae64dae47bf35 --res a54211d5e3ba50bf >/dev/null && ok ||
	bad "check good RES"
rc=0; "$AUC" check $S1 --rand 23553cbe9637a89d218ae64dae47bf35 --res a54211d5e3ba50be \
	>/dev/null 2>&1 || rc=$?
check "wrong RES exit" "$rc" 1
# XOR vector 2
out=$("$AUC" gen --alg xor --k 465b5ce8b199b49faa5f0a2ee238a6bc --sqn ff9bb4d0b607 --amf b9b9 \
	--rand 23553cbe9637a89d218ae64dae47bf35 --json)
check "xor autn" "$(echo "$out" | field autn)" a9bc1accb48cb9b99a95d48691a9a5bb
check "xor xres" "$(echo "$out" | field xres)" 650e605627ae1c028bd5ec634c7f1989
check "xor sres" "$(echo "$out" | field sres)" 850a89be
check "xor kc" "$(echo "$out" | field kc)" 57b95ebad48e6535
# usage errors
rc=0; "$AUC" gen --k 00 >/dev/null 2>&1 || rc=$?
check "bad k exit" "$rc" 2
# batch: 2 good rows and 1 bad, 3 vectors each, both formats
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/subs.csv" <<CSV
imsi,k,opc,sqn,amf
001010000000001,465b5ce8b199b49faa5f0a2ee238a6bc,cd63cb71954a9f4e48a5994e37a02baf,000000000020,8000
001010000000002,0396eb317b6d1c36f19c1c84cd6ffd16,53c15671c60a4b731c55b4a441c0bde2,000000000000,8000
00101000000000x,0396eb317b6d1c36f19c1c84cd6ffd16,53c15671c60a4b731c55b4a441c0bde2,000000000000,8000
CSV
rc=0; "$AUC" batch --in "$dir/subs.csv" --count 3 --jobs 2 > "$dir/out.csv" 2> "$dir/err" || rc=$?
check "batch skip exit" "$rc" 2
grep -q "line 4" "$dir/err" && ok || bad "bad row line number: $(cat "$dir/err")"
check "batch rows" "$(wc -l < "$dir/out.csv")" 7
check "batch sqn" "$(sed -n 2p "$dir/out.csv" | cut -d, -f2)" 000000000040
check "batch sqn 3" "$(sed -n 4p "$dir/out.csv" | cut -d, -f2)" 000000000080
# each batch vector verifies with uicc-auc check
line=$(sed -n 5p "$dir/out.csv")
rnd=$(echo "$line" | cut -d, -f3); res=$(echo "$line" | cut -d, -f5)
"$AUC" check --k 0396eb317b6d1c36f19c1c84cd6ffd16 --opc 53c15671c60a4b731c55b4a441c0bde2 \
	--rand "$rnd" --res "$res" >/dev/null && ok || bad "batch vector does not check"
rc=0; "$AUC" batch --in "$dir/subs.csv" --strict > "$dir/strict.out" 2>/dev/null || rc=$?
check "strict exit" "$rc" 2
check "strict output" "$(wc -c < "$dir/strict.out")" 0
"$AUC" batch --in "$dir/subs.csv" --format jsonl 2>/dev/null | head -1 | grep -q '"imsi":"001010000000001"' &&
	ok || bad "jsonl"

echo "test_uicc_auc: $pass passed, $fails failed"
[ "$fails" = 0 ]
