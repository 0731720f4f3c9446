#!/bin/sh
# build.sh SRCDIR OUTDIR - build every fuzz/fuzz_*.c harness as a libFuzzer
# binary with clang (-fsanitize=fuzzer,address,undefined), linking all
# library sources of the tree.  Used by `make fuzz` and .ci/run.
set -eu
src=$1
out=$2
CLANG=${CLANG:-clang}
mkdir -p "$out"
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I$src/include -I$src -I$out"
libs="$(pkg-config --cflags --libs libcrypto jansson zlib sqlite3)"
# config.h for sources that include it
[ -f "$out/config.h" ] || : > "$out/config.h"
lib_srcs=$(ls "$src"/common/*.c "$src"/auth/*.c "$src"/ota/*.c "$src"/card/*.c 2>/dev/null || true)
for h in "$src"/fuzz/fuzz_*.c; do
	[ -e "$h" ] || continue
	name=$(basename "$h" .c)
	# A harness may name extra sources outside the library directories in a
	# line of the form:  /* fuzz-extra: tools/vpcd.c */
	extra=$(sed -n 's|^/\* fuzz-extra: \(.*\) \*/$|\1|p' "$h" | sed "s|[^ ]*|$src/&|g")
	echo "fuzz build: $name"
	# shellcheck disable=SC2086
	$CLANG $cflags -o "$out/$name" "$h" $extra $lib_srcs $libs
done
