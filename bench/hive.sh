#!/usr/bin/env bash
# bench/hive.sh - the dirty-hive benchmarks of issue 3, in one command:
#
#   bench/hive.sh [--runs N] [BUILDDIR]
#
# BUILDDIR as for bench/run.sh.  Needs the corpus (../shared/corpus beside
# the source tree, or $OFFMIG_CORPUS) and hyperfine.
#
# 1. Recovery: `offmig hive recover` of the largest dirty corpus hive with
#    logs against `cp` of the hive and its logs (target: at most 3x).
# 2. Transparent recovery: `offmig profiles --json` and `offmig inspect
#    --json` on a generated volume of 200 users whose NTUSER.DAT are all
#    dirty, against the same volume clean (target for profiles: at most
#    2x).
# Writes its section of docs/PERFORMANCE.md (between its own markers,
# above the part bench/run.sh rewrites).  Exit status: 0 when measured,
# 2 usage, 4 a missing tool or a command that failed.
set -eu
export LC_ALL=C

usage() { echo "usage: bench/hive.sh [--runs N] [BUILDDIR]" >&2; exit 2; }
die() { echo "bench: $*" >&2; exit 4; }

runs=${BENCH_RUNS:-10}
build=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift ;;
	-h|--help) usage ;;
	-*) usage ;;
	*) [ -z "$build" ] || usage; build=$1 ;;
	esac
	shift
done
case $runs in ''|*[!0-9]*|0|1) usage ;; esac

top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$build" ]; then
	if [ -f "$top/Makefile" ]; then build=$top
	elif [ -f "$top/build/demo/Makefile" ]; then build=$top/build/demo
	else die "no configured build tree; pass BUILDDIR"; fi
fi
build=$(cd "$build" && pwd)
corpus=${OFFMIG_CORPUS:-$top/../shared/corpus}
[ -d "$corpus" ] || die "no corpus at $corpus (set OFFMIG_CORPUS)"
command -v hyperfine >/dev/null || die "hyperfine is missing (apt-get install hyperfine)"
out=$top/bench/out/hive
mkdir -p "$out"

make -C "$build" -j"$(nproc)" offmig tests/fixtures/mkwinvol >"$out/make.log" 2>&1 ||
    { tail -n 30 "$out/make.log" >&2; die "the build failed"; }
if [ -x "$build/.libs/offmig" ]; then
	off=$build/.libs/offmig
	export LD_LIBRARY_PATH="$build/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
	off=$build/offmig
fi

# 1. The largest dirty hive of the corpus that has logs beside it.
best= best_size=0
for h in regipy/SYSTEM_B regipy/UsrClass.dat \
    museum/Registry/Win10/RathbunVM/UsrClass.dat \
    museum/Registry/Win10/RathbunVM/NTUSER.DAT \
    museum/Amcache/Win10/RathbunVM/Amcache.hve \
    museum/Amcache/Win10/APTSimulatorVM/Amcache.hve; do
	f=$corpus/$h
	[ -f "$f" ] || continue
	s=$(stat -c %s "$f")
	[ "$s" -gt "$best_size" ] && { best=$f; best_size=$s; }
done
[ -n "$best" ] || die "no dirty corpus hive with logs found under $corpus"
logs=$(find "$(dirname "$best")" -maxdepth 1 -type f -iname "$(basename "$best").log*" | sort)
total=$best_size
for l in $logs; do total=$((total + $(stat -c %s "$l"))); done
"$off" hive recover --json --force -o "$out/recovered" "$best" >"$out/recover.json" ||
    die "offmig hive recover failed on $best"
mkdir -p "$out/cp"
q() { printf '%q' "$1"; }
cp_cmd="cp $(q "$best")"
for l in $logs; do cp_cmd="$cp_cmd $(q "$l")"; done
cp_cmd="$cp_cmd $(q "$out/cp/")"
hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/recover-hf.json" \
    -n offmig-hive-recover "$(q "$off") hive recover --force -o $(q "$out/recovered") $(q "$best")" \
    -n cp "$cp_cmd" >"$out/recover-hf.txt" 2>&1 ||
    { cat "$out/recover-hf.txt" >&2; die "hyperfine failed"; }

# 2. A volume of dirty user hives, and the same clean.
for kind in clean dirty; do
	v=$out/vol-$kind
	spec=users=200,apps=200,pad-mb=0
	[ "$kind" = dirty ] && spec=$spec,dirty=1
	if [ ! -f "$v/.bench-complete" ] || [ "$(cat "$v/.bench-complete")" != "$spec" ]; then
		rm -rf "$v"
		"$build/tests/fixtures/mkwinvol" --scale "$spec" "$v" >"$out/mkwinvol-$kind.log" 2>&1 ||
		    die "mkwinvol --scale $spec failed"
		echo "$spec" >"$v/.bench-complete"
	fi
done
n_dirty=$("$off" profiles --json "$out/vol-dirty" | jq '[.profiles[] | select(.hive.recovered == true)] | length')
hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/transparent-hf.json" \
    -n profiles-clean "$(q "$off") profiles --json $(q "$out/vol-clean")" \
    -n profiles-dirty "$(q "$off") profiles --json $(q "$out/vol-dirty")" \
    -n inspect-clean "$(q "$off") inspect --json $(q "$out/vol-clean")" \
    -n inspect-dirty "$(q "$off") inspect --json $(q "$out/vol-dirty")" \
    >"$out/transparent-hf.txt" 2>&1 ||
    { cat "$out/transparent-hf.txt" >&2; die "hyperfine failed"; }

mean() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .mean' "$1"; }
sd() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .stddev' "$1"; }
r_rec=$(awk -v a="$(mean "$out/recover-hf.json" offmig-hive-recover)" -v b="$(mean "$out/recover-hf.json" cp)" 'BEGIN { printf "%.2f", a / b }')
r_prof=$(awk -v a="$(mean "$out/transparent-hf.json" profiles-dirty)" -v b="$(mean "$out/transparent-hf.json" profiles-clean)" 'BEGIN { printf "%.2f", a / b }')
r_insp=$(awk -v a="$(mean "$out/transparent-hf.json" inspect-dirty)" -v b="$(mean "$out/transparent-hf.json" inspect-clean)" 'BEGIN { printf "%.2f", a / b }')
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r + 0 <= t) ? "PASS" : "FAIL" }'; }
rel() { local s=$1; s=${s//"$build/.libs/offmig"/offmig}; s=${s//"$top/"/}; s=${s//"$corpus/"/corpus/}; printf '%s' "$s"; }

begin='<!-- hive: results below are written by bench/hive.sh -->'
end='<!-- hive: end -->'
doc=$top/docs/PERFORMANCE.md
section=$out/section.md
{
	echo "$begin"
	echo
	echo "## Dirty-hive benchmarks (issue 3)"
	echo
	echo "Produced by \`bench/hive.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') with hyperfine ($runs runs, 2 warm-ups, no shell); $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; offmig tree $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)."
	echo
	echo "| benchmark | wall mean ± sd (ms) |"
	echo "|---|---:|"
	for n in offmig-hive-recover cp; do
		printf '| %s | %.1f ± %.1f |\n' "$n" "$(awk -v x="$(mean "$out/recover-hf.json" $n)" 'BEGIN { print x * 1000 }')" "$(awk -v x="$(sd "$out/recover-hf.json" $n)" 'BEGIN { print x * 1000 }')"
	done
	for n in profiles-clean profiles-dirty inspect-clean inspect-dirty; do
		printf '| %s | %.1f ± %.1f |\n' "$n" "$(awk -v x="$(mean "$out/transparent-hf.json" $n)" 'BEGIN { print x * 1000 }')" "$(awk -v x="$(sd "$out/transparent-hf.json" $n)" 'BEGIN { print x * 1000 }')"
	done
	echo
	echo "| target (issue 3) | ratio | result |"
	echo "|---|---:|:---:|"
	echo "| hive recover / cp of hive and logs ≤ 3× | ${r_rec}× | **$(verdict "$r_rec" 3)** |"
	echo "| profiles on dirty / clean volume ≤ 2× | ${r_prof}× | **$(verdict "$r_prof" 2)** |"
	echo "| inspect on dirty / clean volume (context) | ${r_insp}× | |"
	echo
	echo "- Recovered: \`$(rel "$best")\` ($best_size bytes; with its logs $total bytes): $(jq -r '.recover | "\(.entries_applied) entries, \(.pages_applied) pages applied, sequence number \(.seq_after)"' "$out/recover.json")."
	echo "- Volumes: \`mkwinvol --scale users=200,apps=200,pad-mb=0\`, and the same with \`dirty=1\` ($n_dirty user hives read through their logs)."
	echo
	echo '```'
	rel "$(q "$off") hive recover --force -o $(q "$out/recovered") $(q "$best")"; echo
	rel "$cp_cmd"; echo
	rel "$(q "$off") profiles --json $(q "$out/vol-dirty")"; echo
	echo '```'
	echo
	echo "$end"
} >"$section"
marker='<!-- results below are written by bench/run.sh -->'
if [ -f "$doc" ] && grep -qxF "$begin" "$doc"; then
	awk -v b="$begin" -v e="$end" -v f="$section" '
	    $0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
	    skip && $0 == e { skip = 0; next }
	    !skip { print }' "$doc" >"$doc.tmp"
elif [ -f "$doc" ] && grep -qxF "$marker" "$doc"; then
	awk -v m="$marker" -v f="$section" '
	    $0 == m { while ((getline l < f) > 0) print l; print "" }
	    { print }' "$doc" >"$doc.tmp"
else
	{ [ -f "$doc" ] && cat "$doc"; echo; cat "$section"; } >"$doc.tmp"
fi
mv "$doc.tmp" "$doc"
sed -n "/^$(printf '%s' "$begin" | sed 's/[][\/.*^$]/\\&/g')\$/,/^<!-- hive: end -->\$/p" "$doc" | sed -n '5,20p'
