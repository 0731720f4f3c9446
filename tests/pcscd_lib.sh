# pcscd_lib.sh - sourced by the PC/SC tests: a private pcscd with the vpcd
# driver (reader "uicckit test 00 00" on port 40000), started and stopped
# by PID, one at a time on the machine (a lock), skipping (exit 77) only
# where pcscd cannot run.  Needs: dir (a temporary directory), skip().
DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
READER="uicckit test 00 00"
PORT=40000
pcscd_pid=""

pcscd_check() {
	command -v pcscd >/dev/null 2>&1 || skip "pcscd is not installed"
	[ -e "$DRIVER" ] || skip "vsmartcard-vpcd driver ($DRIVER) is not installed"
	[ "$(id -u)" = 0 ] || skip "pcscd needs root for its socket in /run/pcscd"
	# One pcscd per machine: serialise with every other PC/SC test.
	exec 9>/tmp/uicckit-pcscd.lock
	flock -w 600 9 || skip "another pcscd test held the lock for 10 minutes"
	if pgrep -x pcscd >/dev/null 2>&1; then
		skip "a pcscd is already running on this machine (stop it to run this test)"
	fi
	mkdir -p "$dir/conf"
	cat > "$dir/conf/reader.conf" <<CONF
FRIENDLYNAME "uicckit test"
DEVICENAME /dev/null:0x9C40
LIBPATH $DRIVER
CHANNELID 0x9C40
CONF
}

pcscd_start() {
	pcscd --foreground --config "$dir/conf" > "$dir/pcscd.log" 2>&1 &
	pcscd_pid=$!
	i=0
	while [ $i -lt 50 ]; do
		if ! kill -0 "$pcscd_pid" 2>/dev/null; then
			cat "$dir/pcscd.log"
			skip "pcscd could not start here"
		fi
		if command -v ss >/dev/null 2>&1; then
			ss -ltn 2>/dev/null | grep -q ":$PORT " && return 0
		else
			sleep 1; return 0
		fi
		sleep 0.1; i=$((i + 1))
	done
	cat "$dir/pcscd.log"; skip "vpcd did not listen on port $PORT"
}

pcscd_stop() {
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null && wait "$pcscd_pid" 2>/dev/null
	pcscd_pid=""
}

# Wait until the reader shows a card (opensc-tool -l: "Yes" in the card column).
wait_card() {
	i=0
	while [ $i -lt 100 ]; do
		opensc-tool -l 2>/dev/null | grep "$READER" | grep -q "Yes" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
