#!/bin/sh
# run.sh BINDIR CORPUSDIR SECONDS - run every harness for SECONDS on a copy
# of its seed corpus; fail on any crash, leak or timeout.  Prints one line
# per harness: `fuzz NAME execs N execs_per_s N`.
set -eu
bin=$1
corpus=$2
secs=$3
status=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$bin"/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	short=${name#fuzz_}
	mkdir -p "$work/$short"
	[ -d "$corpus/$short" ] && cp -r "$corpus/$short/." "$work/$short/"
	log="$work/$short.log"
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$work/$short" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
		echo "fuzz $short execs ${execs:-0} execs_per_s ${rate:-0}"
	else
		echo "fuzz $short FAILED" >&2
		tail -n 60 "$log" >&2
		status=1
	fi
done
exit $status
