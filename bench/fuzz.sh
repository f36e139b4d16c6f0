#!/usr/bin/env bash
# bench/fuzz.sh - every fuzz target under libFuzzer for a fixed number of
# executions:
#
#   bench/fuzz.sh [RUNS]        (default 20000 executions per target)
#
# Builds liboffmig with clang, libFuzzer, ASan and UBSan in bench/out/fuzz
# (out of tree), links each target in fuzz/ with -fsanitize=fuzzer, makes
# the seed sets the way fuzz/run-seeds.sh does, and runs each target with
# -runs=RUNS and a 10-second per-input timeout.  Exit status: 0 when every
# target finished without a crash, leak or timeout; 1 when one did (its
# reproducer is in bench/out/fuzz/crashes-TARGET/); 4 when a tool is missing or
# the build fails.
set -eu
runs=${1:-20000}
case $runs in ''|*[!0-9]*) echo "usage: bench/fuzz.sh [RUNS]" >&2; exit 2 ;; esac
die() { echo "fuzz: $*" >&2; exit 4; }
command -v clang >/dev/null || die "clang is missing (apt-get install clang)"
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/bench/out/fuzz
mkdir -p "$out"
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null 2>&1) ||
    die "autoreconf failed"
cd "$out"
if [ ! -f Makefile ]; then
	"$top/configure" CC=clang \
	    CFLAGS='-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined' \
	    >configure.log 2>&1 || { tail -n 20 configure.log >&2; die "configure failed"; }
fi
make -j"$(nproc)" liboffmig-core.la tests/fixtures/mkhive >make.log 2>&1 ||
    { tail -n 30 make.log >&2; die "the build failed"; }
libs=$(pkg-config --libs hivex libxml-2.0)
targets="fuzz_hive fuzz_regtext fuzz_logs fuzz_check fuzz_pever fuzz_pattern
    fuzz_usmtxml fuzz_manifest"
for t in $targets; do
	# shellcheck disable=SC2086
	clang -g -O1 -fsanitize=fuzzer,address,undefined -DOFFMIG_LIBFUZZER \
	    -I. -I"$top/include" -I"$top/src" "$top/fuzz/$t.c" \
	    .libs/liboffmig-core.a $libs -o "$t" >>make.log 2>&1 ||
	    { tail -n 30 make.log >&2; die "cannot link $t"; }
done
rm -rf seeds && mkdir seeds
OFFMIG_SRCDIR=$top/tests OFFMIG_MKHIVE=$out/tests/fixtures/mkhive \
    OFFMIG_CORPUS=${OFFMIG_CORPUS:-$top/../shared/corpus} \
    OFFMIG_SEEDS_ONLY=$out/seeds sh "$top/fuzz/run-seeds.sh" >/dev/null ||
    die "the seeds could not be made"
# Targets whose seeds are committed files: fuzz/seeds/<target> (pever's
# are in fuzz/seeds/pever).
for t in fuzz_regtext fuzz_pattern fuzz_usmtxml fuzz_manifest fuzz_pever; do
	src=$top/fuzz/seeds/$t
	[ "$t" = fuzz_pever ] && src=$top/fuzz/seeds/pever
	mkdir -p "seeds/$t" && cp "$src"/* "seeds/$t/"
done
status=0
for t in $targets; do
	rm -rf "work-$t" && mkdir -p "work-$t" "crashes-$t"
	cp seeds/"$t"/* "work-$t/" 2>/dev/null || true
	start=$(date +%s.%N)
	if ./"$t" -runs="$runs" -timeout=10 -max_len=4194304 -rss_limit_mb=2048 \
	    -artifact_prefix="$out/crashes-$t/" "work-$t" >"$t.log" 2>&1; then
		verdict=ok
	else
		verdict="FAILED (see $out/$t.log)"
		status=1
	fi
	end=$(date +%s.%N)
	execs=$(sed -n 's/.*Done \([0-9]*\) runs.*/\1/p' "$t.log" | tail -n 1)
	awk -v t="$t" -v n="${execs:-0}" -v a="$start" -v b="$end" -v v="$verdict" \
	    'BEGIN { printf "%-13s %8d executions in %6.1f s (%6.0f/s): %s\n", t, n, b - a, n / (b - a), v }'
done
exit $status
