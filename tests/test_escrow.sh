#!/bin/sh
# test_escrow.sh - uicc-perso batch and uicc-escrow end to end, with
# certificates made by the openssl CLI, and the operator file checked by an
# independent CMS implementation (`openssl cms -decrypt | openssl cms -verify`).
set -u
B=${UK_BUILDDIR:-$(pwd)}
PERSO="$B/tools/uicc-perso"
ESC="$B/tools/uicc-escrow"
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl CLI"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
pass=0
fails=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2' want '$3'"; fi; }
mode() { stat -c %a "$1"; }
d=$(mktemp -d /tmp/uk-escrow-sh-XXXXXX)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1

# parties: manufacturer and mnoA RSA, mnoB and mnoC EC
openssl req -x509 -newkey rsa:2048 -nodes -keyout manuf.key -out manuf.pem -subj /CN=manufacturer \
	-days 30 2>/dev/null || { bad "openssl req"; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout mnoA.key -out mnoA.pem -subj /CN=mnoA -days 30 2>/dev/null
for p in mnoB mnoC; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $p.key \
		-out $p.pem -subj /CN=$p -days 30 2>/dev/null
done
(umask 077; openssl rand -hex 32 > master.key)
S="--signer-cert manuf.pem --signer-key manuf.key"
BATCH="batch --count 100 --iccid-start 8988239000000000001 --imsi-start 001010000000001 --keysets 4
	--out-dir cards --escrow escrow.db --master-key-file master.key $S
	--operator-cert mnoA.pem --operator-out mnoA-keys.cms"

# --- help, usage errors, master-key file checks
"$PERSO" batch --help | grep -q -- "--operator-out" && ok || bad "perso batch --help"
"$ESC" --help | grep -q "release" && ok || bad "escrow --help"
rc=0; "$PERSO" batch --count 3 >/dev/null 2>&1 || rc=$?
check "batch without options" "$rc" 2
rc=0; "$ESC" frobnicate >/dev/null 2>&1 || rc=$?
check "escrow unknown command" "$rc" 2
cp master.key loose.key && chmod 644 loose.key
# shellcheck disable=SC2086
rc=0; "$PERSO" $(echo "$BATCH" | sed 's/ master\.key/ loose.key/') >/dev/null 2>err.txt || rc=$?
check "batch with a 0644 master key" "$rc" 2
grep -q "group or others" err.txt && ok || bad "0644 master key reason: $(cat err.txt)"
test ! -e escrow.db && ok || bad "escrow created despite the bad master key"
rc=0; "$PERSO" batch --count 2 --iccid-start 8988239000000000002 --imsi-start 001010000000001 \
	--out-dir x --escrow x.db --master-key-file master.key $S --operator-cert mnoA.pem \
	--operator-out x.cms >/dev/null 2>err.txt || rc=$?
check "bad Luhn digit" "$rc" 2
grep -q "Luhn" err.txt && ok || bad "Luhn reason: $(cat err.txt)"

# --- the batch
# shellcheck disable=SC2086
out=$("$PERSO" $BATCH --json) || bad "perso batch failed"
echo "$out" | grep -q '"cards": 100' && ok || bad "batch json: $out"
echo "$out" | grep -q '"cards_per_second"' && ok || bad "batch json rate: $out"
check "images" "$(ls cards | grep -c '\.json$')" 100
check "image mode" "$(mode cards/8988239000000000019.json)" 600
check "escrow mode" "$(mode escrow.db)" 600
check "operator file mode" "$(mode mnoA-keys.cms)" 600
test -e cards/8988239000000000993.json && ok || bad "last ICCID image missing"
# the operator file, with the openssl CLI only
if openssl cms -decrypt -inform DER -in mnoA-keys.cms -recip mnoA.pem -inkey mnoA.key -binary \
	-out signed.der 2>err.txt &&
	openssl cms -verify -inform DER -in signed.der -CAfile manuf.pem -binary -out keys.json \
		2>err.txt; then
	ok
else
	bad "openssl cms decrypt/verify of the operator file: $(cat err.txt)"
fi
# mnoB cannot decrypt it; a wrong trust anchor does not verify it
openssl cms -decrypt -inform DER -in mnoA-keys.cms -recip mnoB.pem -inkey mnoB.key -binary \
	-out /dev/null 2>/dev/null && bad "mnoB decrypted mnoA's file" || ok
openssl cms -verify -inform DER -in signed.der -CAfile mnoC.pem -binary -out /dev/null \
	2>/dev/null && bad "verified against the wrong anchor" || ok
check "operator file cards" "$(python3 -c 'import json,sys; d=json.load(open("keys.json")); print(len(d["cards"]), sorted(set(c["index"] for c in d["cards"])), d["format"])')" \
	"100 [0] uicckit-keys"
# one image's keys = the operator file's
k=$(python3 -c 'import json; d=json.load(open("keys.json")); c=[c for c in d["cards"] if c["iccid"]=="8988239000000000027"][0]; print(c["k"], c["opc"], c["kic_key"], c["kid_key"], c["imsi"])')
set -- $k
for key in "$1" "$2" "$3" "$4"; do
	grep -qi "$key" cards/8988239000000000027.json && ok || bad "key $key not in the image"
done
check "imsi of card 3" "$5" 001010000000003
grep -qi "$1" cards/8988239000000000019.json && bad "card 3's K in card 2's image" || ok

# a rerun changes nothing and completes
# shellcheck disable=SC2086
out=$("$PERSO" $BATCH --json) || bad "perso batch rerun failed"
echo "$out" | grep -q '"added_to_escrow": 0, "images_written": 0, "images_kept": 100' && ok ||
	bad "rerun: $out"
# the same ICCIDs with another key-set count: refused
rc=0; "$PERSO" batch --count 5 --iccid-start 8988239000000000001 --imsi-start 001010000000001 \
	--keysets 2 --out-dir cards2 --escrow escrow.db --master-key-file master.key $S \
	--operator-cert mnoA.pem --operator-out x.cms >/dev/null 2>err.txt || rc=$?
check "overlapping batch" "$rc" 1

# --- releases
C=8988239000000000019
R="release --db escrow.db --master-key-file master.key $S"
# shellcheck disable=SC2086
"$ESC" $R --iccid $C --index 1 --to mnoB.pem --out b1.cms >/dev/null && ok || bad "index 1 to mnoB"
check "release file mode" "$(mode b1.cms)" 600
openssl cms -decrypt -inform DER -in b1.cms -recip mnoB.pem -inkey mnoB.key -binary 2>/dev/null |
	openssl cms -verify -inform DER -CAfile manuf.pem -binary 2>/dev/null >b1.json && ok ||
	bad "mnoB's file does not open with openssl"
check "b1 content" "$(python3 -c 'import json; c=json.load(open("b1.json"))["cards"]; print(len(c), c[0]["iccid"], c[0]["index"])')" \
	"1 $C 1"
# shellcheck disable=SC2086
"$ESC" $R --iccid $C --index 1 --to mnoB.pem --out b2.cms >/dev/null && ok || bad "index 1 to mnoB again"
# shellcheck disable=SC2086
rc=0; "$ESC" $R --iccid $C --index 1 --to mnoC.pem --out c1.cms >/dev/null 2>err.txt || rc=$?
check "index 1 to mnoC" "$rc" 1
grep -q "already released to CN=mnoB" err.txt && ok || bad "mnoC reason: $(cat err.txt)"
test ! -e c1.cms && ok || bad "refused release wrote a file"
# shellcheck disable=SC2086
rc=0; "$ESC" $R --iccid $C --index 0 --to mnoB.pem --out b0.cms >/dev/null 2>err.txt || rc=$?
check "index 0 to mnoB" "$rc" 1
grep -q "lower than the card's current index 1" err.txt && ok || bad "index 0 reason: $(cat err.txt)"
# shellcheck disable=SC2086
rc=0; "$ESC" $R --iccid $C --index 1 --to mnoB.pem --out b1.cms >/dev/null 2>&1 || rc=$?
check "existing output without --force" "$rc" 2
# wrong master key
(umask 077; openssl rand -hex 32 > wrong.key)
rc=0; "$ESC" release --db escrow.db --master-key-file wrong.key $S --iccid $C --index 1 \
	--to mnoB.pem --out w.cms >/dev/null 2>err.txt || rc=$?
check "wrong master key" "$rc" 1
grep -q "wrong master key" err.txt && ok || bad "wrong master key reason: $(cat err.txt)"

# batch CSV: two good rows, a bad row, a refused row
cat > req.csv <<EOF
iccid,index
8988239000000000027,1
8988239000000000035,x
8988239000000000043,2
$C,0
EOF
# shellcheck disable=SC2086
rc=0; "$ESC" $R --csv req.csv --to mnoB.pem --strict --out strict.cms >/dev/null 2>err.txt || rc=$?
check "strict with a bad row" "$rc" 2
test ! -e strict.cms && ok || bad "strict run wrote a file"
# shellcheck disable=SC2086
out=$("$ESC" $R --csv req.csv --to mnoB.pem --out batch.cms --json 2>err.txt); rc=$?
check "csv with a bad and a refused row" "$rc" 1
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["released"]==2, d; assert [b["line"] for b in d["bad_rows"]]==[3], d; assert [r["line"] for r in d["refused"]]==[5], d' &&
	ok || bad "csv json: $out"
openssl cms -decrypt -inform DER -in batch.cms -recip mnoB.pem -inkey mnoB.key -binary 2>/dev/null |
	openssl cms -verify -inform DER -CAfile manuf.pem -binary 2>/dev/null >batch.json
check "csv key file" "$(python3 -c 'import json; print(" ".join(c["iccid"]+"/"+str(c["index"]) for c in json.load(open("batch.json"))["cards"]))')" \
	"8988239000000000027/1 8988239000000000043/2"
# text form names the lines
# shellcheck disable=SC2086
"$ESC" $R --csv req.csv --to mnoC.pem --out batchc.cms >/dev/null 2>err.txt
grep -q "req.csv:3:" err.txt && grep -q "req.csv:2:" err.txt && ok || bad "csv line numbers: $(cat err.txt)"

# --- log and show
"$ESC" log --db escrow.db > log.txt || bad "log"
grep -q "release ok iccid=$C index=1" log.txt && ok || bad "log: release"
grep -q "release refused iccid=$C index=1 to=\"CN=mnoC\"" log.txt && ok || bad "log: refusal"
grep -q "lower than the card's current index" log.txt && ok || bad "log: lower index refusal"
"$ESC" log --db escrow.db --json | python3 -c 'import json,sys; l=json.load(sys.stdin); print(sum(1 for e in l if e["outcome"]=="refused"))' > n.txt
test "$(cat n.txt)" -ge 4 && ok || bad "log json refusals: $(cat n.txt)"
"$ESC" show --db escrow.db --iccid $C > show.txt || bad "show"
grep -q "current index 1" show.txt && ok || bad "show: $(cat show.txt)"
"$ESC" show --db escrow.db --iccid $C --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["current_index"]==1 and len(d["releases"])==4, d' &&
	ok || bad "show json"
rc=0; "$ESC" show --db escrow.db --iccid 8988239000000099999 >/dev/null 2>&1 || rc=$?
check "show unknown card" "$rc" 1
# no key byte anywhere in show/log output
"$ESC" show --db escrow.db --iccid 8988239000000000027 --json >> show.txt
"$ESC" log --db escrow.db --json >> log.txt
leaks=0
for key in $(python3 -c 'import json
for f in ("keys.json","b1.json","batch.json"):
    for c in json.load(open(f))["cards"]:
        print(c["k"], c["opc"], c["kic_key"], c["kid_key"])'); do
	if grep -qi "$key" show.txt log.txt; then leaks=$((leaks + 1)); fi
done
check "key bytes in show/log output" "$leaks" 0
# no key byte in the database file in clear either
leaks=0
for key in $(python3 -c 'import json
for c in json.load(open("keys.json"))["cards"][:10]: print(c["k"])'); do
	python3 -c "import sys; sys.exit(0 if bytes.fromhex('$key') in b''.join(open(f,'rb').read() for f in ('escrow.db','escrow.db-wal') if __import__('os').path.exists(f)) else 1)" &&
		leaks=$((leaks + 1))
done
check "keys in clear in escrow.db" "$leaks" 0

echo "test_escrow.sh: $pass passed, $fails failed"
[ "$fails" = 0 ]
