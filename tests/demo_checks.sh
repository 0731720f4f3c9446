# demo_checks.sh - sourced by test_demo.sh and test_demo_pcsc.sh: the
# outcomes uicc-demo --json must report ($out, exit status $rc).
demo_checks() {
	pass=0
	fails=0
	check() {
		if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
			echo "FAIL: $1: got '$2' want '$3'"; fails=$((fails + 1)); fi
	}
	count() { echo "$out" | grep -c -- "$1"; }
	check "exit status" "$rc" 0
	check "parties" "$(count '"step":"certificates","actor":"all parties","outcome":"ready"')" 1
	check "personalised" "$(count '"actor":"manufacturer","outcome":"personalised"')" 1
	check "A imports" "$(count '"step":"import","actor":"operator A","outcome":"imported"')" 1
	check "B imports" "$(count '"step":"import","actor":"operator B","outcome":"imported"')" 2
	check "attach ok" "$(count '"outcome":"attach ok"')" 7
	check "attach failed" "$(count '"outcome":"attach failed"')" 0
	check "PoR OK" "$(count '"outcome":"PoR OK"')" 4
	check "REFRESH" "$(count '"outcome":"REFRESH"')" 3
	check "new IMSI" "$(count '"step":"re-initialise","actor":"terminal","outcome":"new IMSI"')" 1
	check "escrow release" "$(count '"actor":"escrow","outcome":"released"')" 1
	check "campaign done" "$(count '"step":"campaign status","actor":"operator A","outcome":"1 done"')" 1
	check "A's keys refused" "$(count '"step":"old keys","actor":"operator A","outcome":"refused"')" 1
	check "fallback" "$(count '"step":"fallback","actor":"card","outcome":"fallback"')" 1
	check "3a rekey" "$(count '"alternative":"3a","step":"key transfer","actor":"operator B","outcome":"keys replaced"')" 1
	check "no surprise" "$(count '"outcome":"unexpected"')" 0
	check "summary" "$(echo "$out" | tail -1 | sed -n 's/.*"outcome":"\([a-z]*\)".*/\1/p')" ok
	# the order of 3b: attach at A, B's list, switch, release, B imports,
	# delivery, PoR, REFRESH, A verifies the PoR, new IMSI, attach at B
	order=$(echo "$out" | grep '"alternative":"3b"' |
		sed -n 's/.*"actor":"\([^"]*\)","outcome":"\([^"]*\)".*/\1:\2/p' | head -11 | tr '\n' ' ')
	case "$order" in
	"operator A:attach ok operator B:sent operator A:sent escrow:released operator B:imported terminal:delivered card:PoR sent card:REFRESH operator A:PoR OK terminal:new IMSI operator B:attach ok "*)
		pass=$((pass + 1)) ;;
	*) echo "FAIL: order: $order"; fails=$((fails + 1)) ;;
	esac
	[ "$fails" = 0 ] || echo "$out"
	echo "$1: $pass passed, $fails failed"
	[ "$fails" = 0 ]
}
