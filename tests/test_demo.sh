#!/bin/sh
# test_demo.sh - uicc-demo plays 3b, 3a and the fallback; check every
# outcome it reports, step by step (JSON lines).
set -u
B=${UK_BUILDDIR:-$(pwd)}
out=$("$B/tools/uicc-demo" --json)
rc=$?
pass=0
fails=0
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else echo "FAIL: $1: got '$2' want '$3'"; fails=$((fails + 1)); fi; }
count() { echo "$out" | grep -c "$1"; }
check "exit status" "$rc" 0
check "attach ok" "$(count '"outcome":"attach ok"')" 4
check "attach failed" "$(count '"outcome":"attach failed"')" 2
check "REFRESH" "$(count '"outcome":"REFRESH"')" 2
check "PoR OK" "$(count '"outcome":"PoR OK"')" 3
check "old OTA keys refused" "$(count '"outcome":"unidentified security error"')" 1
check "fallback" "$(count '"outcome":"fallback"')" 1
check "3a steps" "$(count '"alternative":"3a"')" 4
check "new IMSI read" "$(count '"step":"re-initialise","actor":"terminal","outcome":"new IMSI"')" 1
check "summary" "$(echo "$out" | tail -1 | sed -n 's/.*"outcome":"\([a-z]*\)".*/\1/p')" ok
# the order of the story: attach at A, switch, REFRESH, attach at B
order=$(echo "$out" | sed -n 's/.*"actor":"\([^"]*\)","outcome":"\([^"]*\)".*/\1:\2/p' | head -9 | tr '\n' ' ')
case "$order" in
"manufacturer:personalised operator A:attach ok operator B:sent operator A:sent operator A:PoR OK card:REFRESH terminal:new IMSI escrow:released operator B:attach ok "*) pass=$((pass + 1)) ;;
*) echo "FAIL: order: $order"; fails=$((fails + 1)) ;;
esac
echo "test_demo: $pass passed, $fails failed"
[ "$fails" = 0 ]
