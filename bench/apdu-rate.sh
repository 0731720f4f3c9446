#!/bin/sh
# apdu-rate.sh [N] - start a private pcscd with two vpcd readers (ports
# 40000/40001) and run bench/apdu-rate against it.  Needs root and no other
# pcscd running.  Prints the benchmark's `name value` lines.
set -eu
B=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$B/bench/apdu-rate" ] || B=${UK_BUILDDIR:?set UK_BUILDDIR to the build tree}
if pgrep -x pcscd >/dev/null 2>&1; then
	echo "apdu-rate.sh: a pcscd is already running; stop it first" >&2
	exit 1
fi
dir=$(mktemp -d)
mkdir "$dir/conf"
cat > "$dir/conf/reader.conf" <<CONF
FRIENDLYNAME "uicckit bench"
DEVICENAME /dev/null:0x9C40
LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID 0x9C40
CONF
pcscd --foreground --config "$dir/conf" >"$dir/pcscd.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
sleep 1
"$B/bench/apdu-rate" "uicckit bench" 40000 "${1:-2000}"
