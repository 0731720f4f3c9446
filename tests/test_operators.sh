#!/bin/sh
# test_operators.sh - the three parties of TR 33.812 with the tools
# (issue: operator and manufacturer workflows): the manufacturer
# personalises 100 cards with 4 key sets and keeps the escrow; operator A
# imports key set 0 and authenticates a card through its AuC (uicc-auc
# --db); operator B sends its IMSI list; A runs the switch campaign and
# delivers it to a card on the private pcscd + vpcd reader (uicc-ota
# send); the escrow releases key set 1 to B (and refuses what it must);
# B imports it with A's hand-over list and its AuC vector authenticates the
# switched card; A's old keys no longer work on it.
# Exit 77 only where pcscd cannot run.
set -u
B=${UK_BUILDDIR:-$(pwd)}
S=${UK_SRCDIR:-$(dirname "$0")/..}
T="$B/tools"
skip() { echo "SKIP: $*"; exit 77; }
command -v openssl >/dev/null 2>&1 || skip "the openssl command is not installed"
dir=$(mktemp -d)
. "$S/tests/pcscd_lib.sh"
serve_pid=""
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	pcscd_stop
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
pcscd_check
cd "$dir" || exit 1

pass=0
fails=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2' want '$3'"; fi; }
jget() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",}]*\).*/\1/p" | head -1; }

for p in manuf mnoA mnoB; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=$p" -keyout $p.key -out $p.pem 2>/dev/null || bad "certificate $p"
done
(umask 077; openssl rand -hex 32 > master.key)

# 1. the manufacturer: 100 cards, 4 key sets each
"$T/uicc-perso" batch --count 100 --iccid-start 89882390000000000019 \
	--imsi-start 001010000000001 --keysets 4 --out-dir cards --escrow escrow.db \
	--master-key-file master.key --signer-cert manuf.pem --signer-key manuf.key \
	--operator-cert mnoA.pem --operator-out mnoA-keys.cms --json > batch.json
check "perso batch" "$?" 0
check "images" "$(ls cards | wc -l)" 100
check "image mode" "$(stat -c %a cards/89882390000000000019.json)" 600
check "escrow mode" "$(stat -c %a escrow.db)" 600
check "A's key file mode" "$(stat -c %a mnoA-keys.cms)" 600
C1=89882390000000000019
IMSI_A=001010000000001
IMSI_B=001020000000001
CARD1=cards/$C1.json

# 2. operator A imports key set 0 of every card and authenticates card 1
"$T/uicc-ota" import --db A.db --cert mnoA.pem --key mnoA.key --trust manuf.pem mnoA-keys.cms
check "A imports" "$?" 0
"$T/uicc-ota" import --db X.db --cert mnoB.pem --key mnoB.key --trust manuf.pem mnoA-keys.cms \
	2>/dev/null
check "B cannot open A's key file" "$?" 1
check "A's cards" "$("$T/uicc-ota" status --db A.db --json | jget active)" 100

authenticate() {	# DB IMSI -> the card's answer to AUTHENTICATE
	v=$("$T/uicc-auc" gen --db "$1" --imsi "$2" --json) || { echo "no-vector"; return; }
	rand=$(echo "$v" | jget rand)
	autn=$(echo "$v" | jget autn)
	xres=$(echo "$v" | jget xres | tr a-f A-F)
	r=$("$T/uicc-card" apdu "$CARD1" 002000010831323334FFFFFFFF 00A4040C07A0000000871002 \
		"008800812210${rand}10${autn}" | tail -1 | tr a-f A-F)
	case "$r" in
	DB08$xres*9000) echo "res-ok" ;;
	*) echo "$r" | sed 's/.*\(....\)$/\1/' ;;
	esac
}
check "A attaches card 1" "$(authenticate A.db $IMSI_A)" res-ok

# 3. operator B's IMSI list for all 100 cards (by ICCID for 99, by IMSI for one)
{
	echo "iccid,new_imsi"
	i=0
	for f in cards/*.json; do
		c=$(basename "$f" .json)
		printf '%s,%s\r\n' "$c" "$(printf '0010200%08d' $((i + 1)))"
		i=$((i + 1))
	done
} > b-imsis.csv
check "IMSI list rows" "$(wc -l < b-imsis.csv)" 101
grep -q "^$C1,$IMSI_B" b-imsis.csv && ok || bad "card 1 is not first in the IMSI list"

# 4. A's switch campaign (3b), then delivery to card 1 on the virtual reader
"$T/uicc-ota" switch --db A.db --campaign to-B --imsi-list b-imsis.csv --envelope \
	--out msgs.csv --handover handover.cms --cert mnoA.pem --key mnoA.key --json > switch.json
check "switch" "$?" 0
check "messages" "$(($(wc -l < msgs.csv) - 1))" 100
check "built" "$("$T/uicc-ota" status --db A.db --campaign to-B --json | jget built)" 100
openssl cms -verify -inform DER -in handover.cms -CAfile mnoA.pem -purpose any \
	-out handover.csv 2>/dev/null
check "hand-over verifies (openssl cms)" "$?" 0
grep -q "^$C1,$IMSI_B,1" handover.csv && ok || bad "hand-over: card 1 -> $IMSI_B index 1"

pcscd_start
"$T/uicc-card" serve "$CARD1" --vpcd 127.0.0.1:$PORT > serve.log 2>&1 &
serve_pid=$!
wait_card && ok || bad "card 1 never appeared in $READER"
"$T/uicc-ota" send --db A.db --campaign to-B --reader "$READER" --json > send.json
check "send" "$?" 0
st=$("$T/uicc-ota" status --db A.db --campaign to-B --json)
check "done after send" "$(echo "$st" | jget done)" 1
check "still built" "$(echo "$st" | jget built)" 99
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null; serve_pid=""

# 5. the escrow releases key set 1 of card 1 to B, and refuses the rest
rel() { "$T/uicc-escrow" release --db escrow.db --master-key-file master.key --iccid "$C1" \
	--index "$1" --to "$2" --signer-cert manuf.pem --signer-key manuf.key --out "$3" \
	>/dev/null 2>&1; echo $?; }
check "release 1 to B" "$(rel 1 mnoB.pem b-ks1.cms)" 0
check "release file mode" "$(stat -c %a b-ks1.cms)" 600
check "release 1 to A refused" "$(rel 1 mnoA.pem a-ks1.cms)" 1
check "release 0 to B refused" "$(rel 0 mnoB.pem b-ks0.cms)" 1
[ ! -e a-ks1.cms ] && [ ! -e b-ks0.cms ] && ok || bad "a refused release wrote a file"
"$T/uicc-escrow" log --db escrow.db --json > log.json
check "log: releases and refusals" "$(grep -c refused log.json)" 2

# 6. B imports the key set and the hand-over; B's AuC authenticates the card
"$T/uicc-ota" import --db B.db --cert mnoB.pem --key mnoB.key --trust manuf.pem \
	--trust mnoA.pem b-ks1.cms handover.cms
check "B imports" "$?" 0
check "EF.IMSI is B's" "$("$T/uicc-card" apdu "$CARD1" 002000010831323334FFFFFFFF \
	00A4040C07A0000000871002 00A4000C026F07 00B0000009 | tail -1)" \
	"$(printf '%s' 080910200000000010 | tr a-f A-F)9000"
check "B attaches the switched card" "$(authenticate B.db $IMSI_B)" res-ok

# 7. A's old keys no longer work on it
check "A's old key refused" "$(authenticate A.db $IMSI_A)" 9862
# A's key file, opened with the openssl CLI (an independent CMS): card 1's
# K is there, and in the clear in none of the files that travel
k1=$(openssl cms -decrypt -inform DER -in mnoA-keys.cms -recip mnoA.pem -inkey mnoA.key \
	-binary 2>/dev/null | openssl cms -verify -inform DER -CAfile manuf.pem -purpose any \
	-binary 2>/dev/null | tr -d ' \n' | sed -n "s/.*\"iccid\":\"$C1\"[^}]*\"k\":\"\([0-9a-f]*\)\".*/\1/p")
check "K of card 1 from A's key file" "${#k1}" 32
if [ -n "$k1" ] && grep -a -q -i "$k1" mnoA-keys.cms b-ks1.cms handover.cms msgs.csv switch.json \
	send.json log.json; then
	bad "card 1's K in the clear in a file that travels"
else
	ok
fi

echo "test_operators: $pass passed, $fails failed"
[ "$fails" = 0 ]
