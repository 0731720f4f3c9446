#!/bin/sh
# test_campaign.sh - TR 33.812 change of operator with the operator tools:
# certificates by the openssl CLI; the manufacturer's key file (index 0,
# sealed to A); A imports it and its AuC (uicc-auc --db) authenticates the
# card; B's IMSI list (bad rows reported by line, --strict refuses it
# whole); the 3b switch campaign, delivered as the terminal does (uicc-card
# apdu, and `uicc-ota send` on a private pcscd + vpcd reader); PoRs
# ingested (a tampered one fails); B imports the signed hand-over and the
# escrow's key set 1 and authenticates the switched card, A's old key gets
# 9862; 3a (--keep-keys, hand-over sealed to B) and B's rekey.
set -u
B=${UK_BUILDDIR:-$(pwd)}
PERSO="$B/tools/uicc-perso"
CARD="$B/tools/uicc-card"
OTA="$B/tools/uicc-ota"
AUC="$B/tools/uicc-auc"
MKKEYS="$B/tests/campaign_keyfile"
dir=$(mktemp -d)
pcscd_pid=""
serve_pid=""
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null && wait "$pcscd_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
pass=0
fails=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2' want '$3'"; fi; }
rc_is() { if [ "$2" = "$3" ]; then ok; else bad "$1: exit status $2, want $3"; fi; }
PIN=002000010831323334FFFFFFFF
USIM=00A4040C07A0000000871002
RAND=23553cbe9637a89d218ae64dae47bf35
cd "$dir" || exit 1

for p in manuf mnoA mnoB; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $p.key \
		-out $p.pem -subj "/CN=$p" -days 30 2>/dev/null || bad "openssl req $p"
done
# four cards, four key sets each
ICCID1=89882390000000000199; ICCID2=89882390000000000279; ICCID3=89882390000000000359
ICCID4=89882390000000000439
i=1
for iccid in $ICCID1 $ICCID2 $ICCID3 $ICCID4; do
	"$PERSO" new --iccid $iccid --imsi 00101000000000$i --out card$i.json \
		--keysets 4 --keys-out keys$i.json >/dev/null || bad "perso $i"
	i=$((i + 1))
done
"$MKKEYS" manuf.pem manuf.key mnoA.pem A-keys.cms 0 keys1.json keys2.json keys3.json keys4.json ||
	bad "manufacturer key file"

# --- A imports its key sets; a second import changes nothing -----------------
"$OTA" import --db A.db --cert mnoA.pem --key mnoA.key --trust manuf.pem A-keys.cms > out.txt
rc_is "import" $? 0
grep -q "4 new cards, 4 key sets stored" out.txt && ok || bad "import: $(cat out.txt)"
check "db mode" "$(stat -c %a A.db)" 600
"$OTA" import --db A.db --cert mnoA.pem --key mnoA.key --trust manuf.pem A-keys.cms --json > out.txt
grep -q '"unchanged":4' out.txt && ok || bad "re-import: $(cat out.txt)"
# a file from an untrusted signer is refused
"$OTA" import --db A.db --cert mnoA.pem --key mnoA.key --trust mnoB.pem A-keys.cms 2>/dev/null
rc_is "untrusted signer" $? 1

# attach: AUTHENTICATE with a vector of the operator's AuC; prints the SW
attach() { # DB IMSI CARD
	v=$("$AUC" gen --db "$1" --imsi "$2" --rand $RAND --json) || { echo "gen-failed"; return; }
	autn=$(echo "$v" | sed -n 's/.*"autn":"\([0-9a-f]*\)".*/\1/p')
	xres=$(echo "$v" | sed -n 's/.*"xres":"\([0-9a-f]*\)".*/\1/p')
	out=$("$CARD" apdu "$3" $PIN $USIM 008800812210${RAND}10${autn} | tail -1 | tr 'A-F' 'a-f')
	case "$out" in
	db08${xres}*) echo "RES-ok" ;;
	*) echo "$out" ;;
	esac
}
check "A authenticates card 1" "$(attach A.db 001010000000001 card1.json)" RES-ok
check "A again (SQN advanced)" "$(attach A.db 001010000000001 card1.json)" RES-ok

# --- B's IMSI list: bad rows --------------------------------------------------
cat > list.csv <<EOF
iccid,new_imsi
$ICCID1,001020000000001
$ICCID2,001020000000002
89882390000000000999,001020000000009
$ICCID1,001020000000005
$ICCID4,001020000000004
8988239,001020000000007
EOF
"$OTA" switch --db A.db --campaign c1 --imsi-list list.csv --out msgs.csv --envelope \
	--handover handover.cms --cert mnoA.pem --key mnoA.key --strict 2> err.txt > out.txt
rc_is "--strict refuses" $? 2
grep -q "list.csv: line 4: unknown card 89882390000000000999$" err.txt && ok || bad "line 4: $(cat err.txt)"
grep -q "list.csv: line 5: card $ICCID1 appears twice" err.txt && ok || bad "line 5: $(cat err.txt)"
grep -q "list.csv: line 7: iccid: 19 or 20 digits" err.txt && ok || bad "line 7: $(cat err.txt)"
grep -q "nothing recorded" err.txt && ok || bad "strict: $(cat err.txt)"
[ ! -e msgs.csv ] && [ ! -e handover.cms ] && ok || bad "--strict wrote files"
check "--strict: no campaign" "$("$OTA" status --db A.db --json | sed -n 's/.*"campaigns":\[\(.*\)\].*/\1/p')" ""
"$OTA" switch --db A.db --campaign c1 --imsi-list list.csv --out msgs.csv --envelope \
	--handover handover.cms --cert mnoA.pem --key mnoA.key --json 2> err.txt > out.txt
rc_is "bad rows skipped" $? 2
grep -q '"built":3' out.txt && ok || bad "switch: $(cat out.txt)"
check "bad rows reported" "$(grep -c 'line [0-9]*: .*(skipped)' err.txt)" 3
check "message file rows" "$(tail -n +2 msgs.csv | wc -l)" 3
check "message file header" "$(head -1 msgs.csv)" "iccid,imsi,cntr,envelope"
check "counter above the imported one" "$(grep "^$ICCID1," msgs.csv | cut -d, -f3)" 0000000001
cp msgs.csv msgs1.csv
# the same campaign again: nothing new, the same files
"$OTA" switch --db A.db --campaign c1 --imsi-list list.csv --out msgs.csv --envelope \
	--handover handover.cms --cert mnoA.pem --key mnoA.key --json 2>/dev/null > out.txt
grep -q '"built":0,"already":3' out.txt && ok || bad "rerun: $(cat out.txt)"
cmp -s msgs.csv msgs1.csv && ok || bad "rerun changed the message file"
# the same name with another list is refused
head -3 list.csv > list2.csv
"$OTA" switch --db A.db --campaign c1 --imsi-list list2.csv --out m2.csv \
	--handover h2.cms --cert mnoA.pem --key mnoA.key 2>/dev/null
rc_is "campaign name reused" $? 2

# --- deliver to card 1 as the terminal does; the PoR comes back -------------
env_of() { grep "^$1," msgs.csv | cut -d, -f4; }
out=$("$CARD" apdu card1.json 801000000403008002 "$(env_of $ICCID1)" 801200000B)
POR1=$(echo "$out" | sed -n 2p)
check "card 1 PoR SW" "$(echo "$POR1" | tail -c 5)" 910B
# the card switched: A's key set 0 no longer authenticates (the MAC fails)
check "A's vector after the switch" "$(attach A.db 001010000000001 card1.json)" 9862
# card 2: a tampered PoR fails, the genuine one then succeeds
out=$("$CARD" apdu card2.json 801000000403008002 "$(env_of $ICCID2)" 801200000B)
POR2=$(echo "$out" | sed -n 2p)
TAMPERED=$(echo "$POR2" | sed 's/^\(.\{30\}\)\(.\)/\1F/')
[ "$TAMPERED" != "$POR2" ] || TAMPERED=$(echo "$POR2" | sed 's/^\(.\{30\}\)\(.\)/\10/')
printf 'iccid,por\n%s,%s\n%s,%s\n89882390000000000999,00\n' $ICCID1 "$POR1" $ICCID2 "$TAMPERED" > por.csv
"$OTA" por --db A.db --campaign c1 por.csv --json > out.txt 2> err.txt
rc_is "por with a tampered PoR" $? 1
grep -q '"done":1,"failed":1' out.txt && ok || bad "por: $(cat out.txt)"
grep -q "line 4: card 89882390000000000999 has no message" err.txt && ok || bad "por unknown: $(cat err.txt)"
grep -q "line 3: .*does not verify" err.txt && ok || bad "tampered: $(cat err.txt)"
printf 'iccid,por\n%s,%s\n' $ICCID2 "$POR2" > por2.csv
"$OTA" por --db A.db --campaign c1 por2.csv > out.txt
rc_is "genuine PoR after the tampered one" $? 0
# handed over: A keeps the old key set for the AuC alone, the card refuses it
check "A's vector after the hand-over" "$(attach A.db 001010000000001 card1.json)" 9862
"$OTA" status --db A.db --json > out.txt
grep -q '"handed_over":2' out.txt && ok || bad "A status: $(cat out.txt)"
# a handed-over card is in no campaign of A's again
printf 'iccid,new_imsi\n%s,001020000000077\n' $ICCID1 > again.csv
"$OTA" switch --db A.db --campaign again --imsi-list again.csv --out a.csv \
	--handover a.cms --cert mnoA.pem --key mnoA.key 2> err.txt > /dev/null
rc_is "switching a handed-over card" $? 2
grep -q "was handed over" err.txt && ok || bad "handed over: $(cat err.txt)"

# --- card 4 through PC/SC: uicc-ota send on a private pcscd + vpcd ---------
DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
READER="uicckit test 00 00"
PORT=40000
sent_by_pcsc=0
if command -v pcscd >/dev/null 2>&1 && [ -e "$DRIVER" ] && [ "$(id -u)" = 0 ]; then
	exec 9>/tmp/uicckit-pcscd.lock
	if flock -w 600 9 && ! pgrep -x pcscd >/dev/null 2>&1; then
		mkdir conf
		printf 'FRIENDLYNAME "uicckit test"\nDEVICENAME /dev/null:0x9C40\nLIBPATH %s\nCHANNELID 0x9C40\n' \
			"$DRIVER" > conf/reader.conf
		pcscd --foreground --config "$dir/conf" > pcscd.log 2>&1 &
		pcscd_pid=$!
		i=0
		while [ $i -lt 50 ] && ! ss -ltn 2>/dev/null | grep -q ":$PORT "; do sleep 0.1; i=$((i + 1)); done
		"$CARD" serve card4.json --vpcd 127.0.0.1:$PORT > serve.log 2>&1 &
		serve_pid=$!
		i=0
		while [ $i -lt 100 ] && ! opensc-tool -l 2>/dev/null | grep "$READER" | grep -q Yes; do
			sleep 0.1; i=$((i + 1))
		done
		"$OTA" send --db A.db --campaign c1 --reader "$READER" > out.txt 2>&1
		rc_is "send" $? 0
		grep -q "$ICCID4: done: PoR OK" out.txt && ok || bad "send: $(cat out.txt) $(cat serve.log)"
		grep -q "card reset (REFRESH)" out.txt && ok || bad "send REFRESH: $(cat out.txt)"
		"$OTA" send --db A.db --campaign c1 --reader "$READER" > out.txt 2>&1
		rc_is "send again" $? 0
		grep -q "already done" out.txt && ok || bad "send again: $(cat out.txt)"
		kill "$serve_pid"; wait "$serve_pid" 2>/dev/null; serve_pid=""
		kill "$pcscd_pid"; wait "$pcscd_pid" 2>/dev/null; pcscd_pid=""
		sent_by_pcsc=1
	fi
	exec 9>&-
fi
if [ $sent_by_pcsc = 0 ]; then
	echo "note: pcscd cannot run here: card 4 delivered with uicc-card apdu instead of send"
	out=$("$CARD" apdu card4.json 801000000403008002 "$(env_of $ICCID4)" 801200000B)
	printf 'iccid,por\n%s,%s\n' $ICCID4 "$(echo "$out" | sed -n 2p)" > por4.csv
	"$OTA" por --db A.db --campaign c1 por4.csv > /dev/null
	rc_is "card 4 PoR" $? 0
fi
"$OTA" status --db A.db --campaign c1 --json > out.txt
grep -q '"done":3,"failed":0' out.txt && ok || bad "status: $(cat out.txt)"

# --- B: the hand-over and the escrow's key set 1 ----------------------------
"$OTA" import --db B.db --cert mnoB.pem --key mnoB.key --trust mnoA.pem handover.cms > out.txt
rc_is "B imports the hand-over" $? 0
grep -q "hand-over list (3b) signed by CN=mnoA" out.txt && ok || bad "B import: $(cat out.txt)"
"$MKKEYS" manuf.pem manuf.key mnoB.pem B-keys.cms 1 keys1.json keys2.json keys4.json || bad "escrow key file"
"$OTA" import --db B.db --cert mnoB.pem --key mnoB.key --trust manuf.pem B-keys.cms > out.txt
rc_is "B imports key set 1" $? 0
check "B authenticates the switched card" "$(attach B.db 001020000000001 card1.json)" RES-ok
check "B authenticates card 2" "$(attach B.db 001020000000002 card2.json)" RES-ok
# the hand-over does not verify against another trust anchor
"$OTA" import --db B2.db --cert mnoB.pem --key mnoB.key --trust manuf.pem handover.cms 2>/dev/null
rc_is "hand-over from an untrusted signer" $? 1

# --- 3a: card 3 keeps its key set; the keys go to B sealed ------------------
printf 'imsi,new_imsi\n001010000000003,001020000000003\n' > list3.csv
"$OTA" switch --db A.db --campaign c3a --imsi-list list3.csv --keep-keys --out msgs3.csv \
	--handover ho3.cms --cert mnoA.pem --key mnoA.key 2>err.txt >/dev/null
rc_is "3a without --to" $? 2
"$OTA" switch --db A.db --campaign c3a --imsi-list list3.csv --keep-keys --out msgs3.csv \
	--handover ho3.cms --cert mnoA.pem --key mnoA.key --to mnoB.pem > out.txt
rc_is "3a switch" $? 0
check "3a hand-over mode" "$(stat -c %a ho3.cms)" 600
TPDU=$(tail -1 msgs3.csv | cut -d, -f4)
check "3a message addressed to the old IMSI" "$(tail -1 msgs3.csv | cut -d, -f2)" 001010000000003
# the TPDU file: wrap the SMS-DELIVER in an ENVELOPE the way a terminal does
LC=$(printf %02X $(( ${#TPDU} / 2 + 8 )))
LT=$(printf %02X $(( ${#TPDU} / 2 )))
out=$("$CARD" apdu card3.json 801000000403008002 "80C20000${LC}D1$(printf %02X $(( ${#TPDU} / 2 + 6 )))820283818B${LT}${TPDU}")
POR3=$(echo "$out" | sed -n 2p)
printf 'iccid,por\n%s,%s\n' $ICCID3 "$POR3" > por3.csv
"$OTA" por --db A.db --campaign c3a por3.csv > out.txt
rc_is "3a PoR" $? 0
# 3a: the card keeps the key set for B: A's copy is wiped, its AuC refuses
"$AUC" gen --db A.db --imsi 001010000000003 > /dev/null 2> err.txt
rc_is "A's AuC after the 3a hand-over" $? 1
grep -q "not kept here (handed over)" err.txt && ok || bad "A AuC 3a: $(cat err.txt)"
"$OTA" import --db B.db --cert mnoB.pem --key mnoB.key --trust mnoA.pem ho3.cms > out.txt
rc_is "B imports the 3a hand-over" $? 0
grep -q "hand-over list (3a)" out.txt && ok || bad "3a import: $(cat out.txt)"
check "B authenticates the 3a card with A's keys" "$(attach B.db 001020000000003 card3.json)" RES-ok

# --- B's rekey of card 3 (new K/OPc and OTA keys, pending until the PoR) ---
printf 'iccid\n%s\n' $ICCID3 > rk.csv
"$OTA" rekey --db B.db --campaign rk1 --iccid-list rk.csv --out rk-msgs.csv --envelope > out.txt
rc_is "rekey" $? 0
check "B still authenticates with the old K before delivery" "$(attach B.db 001020000000003 card3.json)" RES-ok
# shellcheck disable=SC2046
out=$("$CARD" apdu card3.json 801000000403008002 $(tail -1 rk-msgs.csv | cut -d, -f4))
printf 'iccid,por\n%s,%s\n' $ICCID3 "$(echo "$out" | tail -1)" > rkpor.csv
"$OTA" por --db B.db --campaign rk1 rkpor.csv > out.txt
rc_is "rekey PoR" $? 0
check "B authenticates with the new K" "$(attach B.db 001020000000003 card3.json)" RES-ok
# a second rekey for the card goes under the new OTA keys
"$OTA" rekey --db B.db --campaign rk2 --iccid-list rk.csv --out rk2.csv --envelope > /dev/null
# shellcheck disable=SC2046
out=$("$CARD" apdu card3.json $(tail -1 rk2.csv | cut -d, -f4))
printf 'iccid,por\n%s,%s\n' $ICCID3 "$(echo "$out" | tail -1)" > rkpor2.csv
"$OTA" por --db B.db --campaign rk2 rkpor2.csv > out.txt
rc_is "second rekey under the new OTA keys" $? 0
check "B authenticates after the second rekey" "$(attach B.db 001020000000003 card3.json)" RES-ok
"$OTA" status --db B.db --json > out.txt
grep -q '"cards":{"active":4,"handed_over":0}' out.txt && ok || bad "B status: $(cat out.txt)"

echo "test_campaign: $pass passed, $fails failed"
[ "$fails" = 0 ]
