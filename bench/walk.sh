#!/usr/bin/env bash
# bench/walk.sh - the rule-set walker (src/migrate/walk.c) against find(1):
#
#   bench/walk.sh BUILDDIR [TREE]
#
# BUILDDIR is a configured build tree (configure without sanitizers for
# meaningful figures); the script runs `make -C BUILDDIR bench/walkbench`.
# TREE (default bench/out/walktree) is generated once when missing: 300,000
# empty files in 100 profiles (Documents, Desktop, Pictures, AppData),
# Windows\System32 and Program Files, 4,205 folders.  Each command runs
# once to warm the cache and then BENCH_RUNS times (default 5); the best
# and the median wall times are printed:
#   find TREE -printf '%s\n'          the baseline (lstat of every entry)
#   walkbench TREE users              a folder-per-user rule set (12 folders
#                                     per profile, one component each) plus
#                                     MigUser's "User Data" component
#   walkbench TREE all                C:\* [*] (every file lstat()ed)
set -eu
export LC_ALL=C

build=${1:?usage: bench/walk.sh BUILDDIR [TREE]}
tree=${2:-bench/out/walktree}
runs=${BENCH_RUNS:-5}

make -C "$build" bench/walkbench >/dev/null

gen() {
	local root=$1 u i j
	mkdir -p "$root"
	(
	cd "$root"
	for u in $(seq -w 0 99); do
		for j in $(seq 0 9); do
			mkdir -p "Users/user$u/Documents/d$j" \
			    "Users/user$u/AppData/Local/Cache/c$j"
			for i in $(seq 0 59); do
				case $((i % 5)) in
				0) : >"Users/user$u/Documents/d$j/f$i.doc" ;;
				1) : >"Users/user$u/Documents/d$j/f$i.xlsx" ;;
				2) : >"Users/user$u/Documents/d$j/f$i.pdf" ;;
				3) : >"Users/user$u/Documents/d$j/f$i.txt" ;;
				*) : >"Users/user$u/Documents/d$j/f$i.jpg" ;;
				esac
			done
			for i in $(seq 0 99); do
				: >"Users/user$u/AppData/Local/Cache/c$j/$i.tmp"
			done
		done
		mkdir -p "Users/user$u/Desktop"
		for i in $(seq 0 99); do
			: >"Users/user$u/Desktop/item$i.lnk"
		done
		for j in 0 1 2; do
			mkdir -p "Users/user$u/Pictures/p$j"
			for i in $(seq 0 99); do
				: >"Users/user$u/Pictures/p$j/IMG_$i.JPG"
			done
		done
		for j in $(seq 0 4); do
			mkdir -p "Users/user$u/AppData/Roaming/App/r$j"
			for i in $(seq 0 99); do
				: >"Users/user$u/AppData/Roaming/App/r$j/$i.dat"
			done
		done
	done
	for j in $(seq -w 0 399); do
		mkdir -p "Windows/System32/s$j"
		for i in $(seq 0 99); do
			: >"Windows/System32/s$j/lib$i.dll"
		done
	done
	for j in $(seq -w 0 99); do
		mkdir -p "Program Files/App$j"
		for i in $(seq 0 99); do
			: >"Program Files/App$j/file$i.doc"
		done
	done
	)
}

if [ ! -d "$tree" ]; then
	echo "generating $tree (300,000 files)..."
	gen "$tree"
fi
echo "tree: $(find "$tree" -type f | wc -l) files, $(find "$tree" -type d | wc -l) folders"

# time_cmd NAME CMD...: one warm-up, then $runs timed runs.
time_cmd() {
	local name=$1 i t0 t1 times=()
	shift
	"$@" >/dev/null
	for i in $(seq 1 "$runs"); do
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		times+=("$(echo "$t1 - $t0" | bc)")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v n="$name" '
	    { t[NR] = $1 } END { printf "%-28s best %.3f s  median %.3f s\n",
	    n, t[1], t[int((NR + 1) / 2)] }'
}

time_cmd "find -printf %s" find "$tree" -printf '%s\n'
time_cmd "walkbench users" "$build/bench/walkbench" "$tree" users
time_cmd "walkbench all" "$build/bench/walkbench" "$tree" all
"$build/bench/walkbench" "$tree" users
"$build/bench/walkbench" "$tree" all
