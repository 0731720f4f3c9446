#!/bin/sh
# build.sh SRCDIR OUTDIR - build every fuzz/fuzz_*.c harness as a libFuzzer
# binary with clang (-fsanitize=fuzzer,address,undefined).  The library
# sources (common/ auth/ ota/ card/ ops/) are compiled once, with coverage
# instrumentation, and linked into every harness.  Used by `make fuzz` and
# .ci/run.
set -eu
src=$1
out=$2
CLANG=${CLANG:-clang}
mkdir -p "$out/obj"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-g -O1 -I$src/include -I$src -I$out $(pkg-config --cflags libpcsclite)"
libs="$(pkg-config --libs libcrypto jansson zlib sqlite3 libpcsclite) -lpthread"
[ -f "$out/config.h" ] || : > "$out/config.h"
objs=""
for c in "$src"/common/*.c "$src"/auth/*.c "$src"/ota/*.c "$src"/card/*.c "$src"/ops/*.c; do
	[ -e "$c" ] || continue
	o="$out/obj/$(basename "$(dirname "$c")")_$(basename "$c" .c).o"
	# shellcheck disable=SC2086
	$CLANG $cflags $san -fsanitize=fuzzer-no-link -c "$c" -o "$o" &
	objs="$objs $o"
	# two compilers at a time (the machines have two cores)
	[ "$(jobs -p | wc -l)" -lt 2 ] || wait -n 2>/dev/null || wait
done
wait
for h in "$src"/fuzz/fuzz_*.c; do
	[ -e "$h" ] || continue
	name=$(basename "$h" .c)
	# A harness may name extra sources outside the library directories in a
	# line of the form:  /* fuzz-extra: tools/vpcd.c */
	extra=$(sed -n 's|^/\* fuzz-extra: \(.*\) \*/$|\1|p' "$h" | sed "s|[^ ]*|$src/&|g")
	echo "fuzz build: $name"
	# shellcheck disable=SC2086
	$CLANG $cflags $san -fsanitize=fuzzer -o "$out/$name" "$h" $extra $objs $libs
done
