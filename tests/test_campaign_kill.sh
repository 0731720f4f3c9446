#!/bin/sh
# test_campaign_kill.sh - `uicc-ota switch` killed with SIGKILL at random
# instants, many rounds, on a few thousand cards, then run again until it
# completes.  Afterwards: every card of the IMSI list has exactly one
# message, every counter is above the card's imported counter, reserved in
# its key set and used once; the message file names every card once; the
# hand-over list verifies (openssl cms, and operator B imports it).
# CARDS and ROUNDS may be set in the environment.
set -u
B=${UK_BUILDDIR:-$(pwd)}
OTA="$B/tools/uicc-ota"
MKKEYS="$B/tests/campaign_keyfile"
DBCHECK="$B/tests/campaign_dbcheck"
CARDS=${CARDS:-4000}
ROUNDS=${ROUNDS:-40}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0
fails=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
cd "$dir" || exit 1

for p in manuf mnoA mnoB; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $p.key \
		-out $p.pem -subj "/CN=$p" -days 30 2>/dev/null || bad "openssl req $p"
done
"$MKKEYS" manuf.pem manuf.key mnoA.pem keys.cms --random "$CARDS" || bad "key file"
"$OTA" import --db A.db --cert mnoA.pem --key mnoA.key --trust manuf.pem keys.cms > /dev/null ||
	bad "import"
awk -v n="$CARDS" 'BEGIN { print "iccid,new_imsi";
	for (i = 0; i < n; i++) printf "8988239%012d9,00102%010d\n", i, i }' > list.csv

run() {
	"$OTA" switch --db A.db --campaign kill --imsi-list list.csv --out msgs.csv \
		--handover handover.cms --cert mnoA.pem --key mnoA.key --batch 97 "$@"
}

# The delay adapts: a kill that came before the first commit lengthens it,
# one that left the campaign part-built keeps it about there (jittered), so
# that most rounds die inside the campaign whatever the machine's speed.
SEED=${SEED:-$$}
echo "test_campaign_kill: $CARDS cards, up to $ROUNDS rounds, SEED=$SEED"
msgs() {
	m=$("$OTA" status --db A.db --campaign kill --json 2>/dev/null |
		sed -n 's/.*"messages":\([0-9]*\).*/\1/p')
	echo "${m:-0}"
}
d=0.01
killed=0
partial=0
round=0
before=0
while [ $round -lt "$ROUNDS" ]; do
	round=$((round + 1))
	# a simple command in the background: $! is uicc-ota itself
	"$OTA" switch --db A.db --campaign kill --imsi-list list.csv --out msgs.csv \
		--handover handover.cms --cert mnoA.pem --key mnoA.key --batch 97 > /dev/null 2>&1 &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	after=$(msgs)
	[ "$after" = "$CARDS" ] && break
	[ "$after" = "$before" ] || partial=$((partial + 1))
	# no progress: later; much progress: earlier; else jitter around
	d=$(awk -v d="$d" -v s="$SEED" -v r="$round" -v p=$((after - before)) -v n="$CARDS" \
		'BEGIN { srand(s + r); f = p == 0 ? 1.3 : p > n / 15 ? 0.75 : 0.9 + 0.2 * rand();
		d *= f; if (d < 0.002) d = 0.002; printf "%.4f", d }')
	[ "$after" -ge "$before" ] || bad "messages went from $before to $after"
	before=$after
done
echo "$round rounds, $killed killed, $partial left the campaign part-built ($before of $CARDS)"
[ "$partial" -ge 3 ] && ok || bad "fewer than 3 kills landed inside the campaign"
# run until a run completes
i=0
until run --json > out.json 2> err.txt; do
	i=$((i + 1))
	[ $i -lt 5 ] || { bad "switch does not complete: $(cat err.txt)"; break; }
done
grep -q "\"messages\":$CARDS" out.json && ok || bad "final run: $(cat out.json)"
"$DBCHECK" A.db kill "$CARDS" > check.txt && ok || bad "database invariants: $(cat check.txt)"
# the message file: every card once, with a counter
n=$(tail -n +2 msgs.csv | cut -d, -f1 | sort -u | wc -l)
[ "$n" = "$CARDS" ] && ok || bad "message file: $n distinct cards"
n=$(tail -n +2 msgs.csv | wc -l)
[ "$n" = "$CARDS" ] && ok || bad "message file: $n rows"
# the same counters in the file as in the database, above the imported ones
awk -F, 'NR > 1 { n = substr($1, 8, 12) + 0; c = 0; h = $3;
	for (i = 1; i <= 10; i++) c = c * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1;
	if (c <= 5 + n % 100) bad++ } END { exit bad > 0 }' msgs.csv && ok ||
	bad "a counter in the message file is not above the imported one"
# the hand-over list verifies and lists every card once
openssl cms -verify -inform DER -in handover.cms -CAfile mnoA.pem -partial_chain -out ho.csv \
	2>/dev/null && ok || bad "openssl cms -verify"
[ "$(tail -n +2 ho.csv | cut -d, -f1 | sort -u | wc -l)" = "$CARDS" ] && ok || bad "hand-over rows"
"$OTA" import --db B.db --cert mnoB.pem --key mnoB.key --trust mnoA.pem handover.cms --json > out.json &&
	grep -q "\"cards\":$CARDS" out.json && ok || bad "B imports the hand-over: $(cat out.json)"
# a run after completion changes nothing
sha=$(sha256sum < msgs.csv)
run --json > out.json 2>/dev/null
grep -q '"built":0' out.json && ok || bad "rerun built messages: $(cat out.json)"
[ "$(sha256sum < msgs.csv)" = "$sha" ] && ok || bad "rerun changed the message file"

echo "test_campaign_kill: $pass passed, $fails failed"
[ "$fails" = 0 ]
