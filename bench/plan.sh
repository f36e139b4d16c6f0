#!/usr/bin/env bash
# bench/plan.sh - the plan benchmark of issue 4, in one command:
#
#   bench/plan.sh [--regen] [--runs N] [BUILDDIR]
#
# BUILDDIR is a configured offmig build tree (configure without
# sanitizers for meaningful figures; default: the source tree if
# configured in place, else build/demo).  The script runs
# `make -C BUILDDIR offmig tests/fixtures/mkwinvol` and nothing else.
#
# 1. Generates once, into bench/out/planvol (kept unless --regen), a
#    Windows 10 volume of 100 users and 300,000 small files in their data
#    folders: `mkwinvol --scale users=100,apps=20,pad-mb=0,files=300000`.
# 2. Times, with hyperfine when installed (else a bash loop), each after a
#    warm-up run: `offmig plan --json -i bench/plan-rules.xml VOL` (a
#    folder-per-user rule set: six components per profile, every file of
#    the tree selected) against `find VOL -printf '%s\n'`; measures the
#    peak RSS of each with /usr/bin/time.
# 3. Writes its section of docs/PERFORMANCE.md (between its own markers).
# Target (issue 4): plan at most 1.5x find, peak memory under 64 MiB.
# Exit status: 0 when measured (whatever the target says), 2 usage, 4 a
# missing tool, a failed build or a command that did not run properly.
set -eu
export LC_ALL=C

usage() { echo "usage: bench/plan.sh [--regen] [--runs N] [BUILDDIR]" >&2; exit 2; }
die() { echo "bench: $*" >&2; exit 4; }

regen=0
runs=${BENCH_RUNS:-5}
build=
while [ $# -gt 0 ]; do
	case $1 in
	--regen) regen=1 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift ;;
	--runs=*) runs=${1#--runs=} ;;
	-*) usage ;;
	*) [ -z "$build" ] || usage; build=$1 ;;
	esac
	shift
done
case $runs in ''|*[!0-9]*|0|1) echo "bench: --runs needs a number >= 2" >&2; usage ;; esac

top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$build" ]; then
	if [ -f "$top/Makefile" ]; then build=$top
	elif [ -f "$top/build/demo/Makefile" ]; then build=$top/build/demo
	else die "no configured build tree; pass BUILDDIR"; fi
fi
[ -f "$build/Makefile" ] || die "$build is not a configured build tree"
build=$(cd "$build" && pwd)
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
command -v jq >/dev/null || die "jq is missing (apt-get install jq)"
out=$top/bench/out
vol=$out/planvol
rules=$top/bench/plan-rules.xml
mkdir -p "$out"
make -C "$build" -j"$(nproc)" offmig tests/fixtures/mkwinvol >"$out/make.log" 2>&1 ||
    { tail -n 30 "$out/make.log" >&2; die "the build failed"; }
# The real program, not libtool's wrapper script.
off=$build/offmig
[ -x "$build/.libs/offmig" ] && off=$build/.libs/offmig
export LD_LIBRARY_PATH=$build/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

if [ $regen = 1 ] || [ ! -d "$vol" ]; then
	echo "bench: generating $vol (300,000 files; about a minute)"
	rm -rf "$vol"
	"$build/tests/fixtures/mkwinvol" --scale \
	    users=100,apps=20,pad-mb=0,files=300000 "$vol" >/dev/null ||
	    die "mkwinvol failed"
fi
nfiles=$(find "$vol" -type f | wc -l)

plan_cmd="$off plan --json -i $rules $vol"
find_cmd="find $vol -printf %s\\n"
# A plan that does not run properly is no measurement.
$plan_cmd >"$out/plan.json" 2>"$out/plan.err" ||
    { head -n 20 "$out/plan.err" >&2; die "offmig plan failed"; }
selected=$(jq '.summary.totals.files' "$out/plan.json")

if command -v hyperfine >/dev/null && [ "${BENCH_TIMER:-}" != loop ]; then
	hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/plan-hf.json" \
	    -n plan "$plan_cmd" -n find "find $vol -printf %s\\n" \
	    --output=null >"$out/plan-hf.txt" 2>&1 ||
	    { cat "$out/plan-hf.txt" >&2; die "hyperfine failed"; }
	mean() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .mean' "$out/plan-hf.json"; }
	t_plan=$(mean plan)
	t_find=$(mean find)
	timer="hyperfine ($runs runs, 1 warm-up, no shell)"
else
	loop() {
		local i s e tot=0
		"$@" >/dev/null
		for i in $(seq "$runs"); do
			s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
			tot=$(awk -v t="$tot" -v a="$s" -v b="$e" 'BEGIN { print t + b - a }')
		done
		awk -v t="$tot" -v n="$runs" 'BEGIN { print t / n }'
	}
	# shellcheck disable=SC2086
	t_plan=$(loop $plan_cmd)
	t_find=$(loop find "$vol" -printf '%s\n')
	timer="a bash loop ($runs runs after a warm-up)"
fi
# shellcheck disable=SC2086
m_plan=$( { /usr/bin/time -f %M $plan_cmd >/dev/null; } 2>&1 | tail -n 1)
m_find=$( { /usr/bin/time -f %M find "$vol" -printf '%s\n' >/dev/null; } 2>&1 | tail -n 1)
ratio=$(awk -v a="$t_plan" -v b="$t_find" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r + 0 <= 1.5) ? "PASS" : "FAIL" }')
mverdict=$(awk -v m="$m_plan" 'BEGIN { print (m + 0 < 65536) ? "PASS" : "FAIL" }')

begin='<!-- plan: results below are written by bench/plan.sh -->'
end='<!-- plan: end -->'
doc=$top/docs/PERFORMANCE.md
section=$out/plan-section.md
{
	echo "$begin"
	echo
	echo "## Plan benchmark (issue 4)"
	echo
	echo "Produced by \`bench/plan.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') with $timer; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; offmig tree $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)."
	echo "The volume: \`mkwinvol --scale users=100,apps=20,pad-mb=0,files=300000\` ($nfiles files in all); the rules: \`bench/plan-rules.xml\` (six components per profile); plan selected $selected files."
	echo
	echo "| command | wall mean (s) | peak RSS (KiB) |"
	echo "|---|---:|---:|"
	printf '| offmig plan --json | %.3f | %s |\n' "$t_plan" "$m_plan"
	printf '| find -printf %%s | %.3f | %s |\n' "$t_find" "$m_find"
	echo
	echo "| target (issue 4) | measured | result |"
	echo "|---|---:|:---:|"
	echo "| plan / find ≤ 1.5× | ${ratio}× | **$verdict** |"
	echo "| plan peak memory < 64 MiB | $m_plan KiB | **$mverdict** |"
	echo
	echo "$end"
} >"$section"
if [ -f "$doc" ] && grep -qxF "$begin" "$doc"; then
	awk -v b="$begin" -v e="$end" -v f="$section" '
	    $0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
	    skip && $0 == e { skip = 0; next }
	    !skip { print }' "$doc" >"$doc.tmp"
else
	marker='<!-- results below are written by bench/run.sh -->'
	awk -v m="$marker" -v f="$section" '
	    $0 == m && !done { while ((getline l < f) > 0) print l; print ""; done = 1 }
	    { print }' "$doc" >"$doc.tmp"
fi
mv "$doc.tmp" "$doc"
cat "$section"
