#!/usr/bin/env bash
# bench/store.sh - the store benchmark of issue 5, in one command:
#
#   bench/store.sh [--files N] [--ntfs-files N] [--rounds N] [--no-ntfs] [--report] [BUILDDIR]
#
# On a tmpfs (a plain folder under bench/out when not root) and on an
# ntfs-3g mount of a fresh mkntfs image, in the same run: generates a
# volume with `mkwinvol --scale users=100,apps=20,pad-mb=0,files=N`
# (300,000 files on tmpfs; 50,000 on ntfs-3g by default, where making the
# volume alone takes minutes), then, ROUNDS times (default 2):
#   cp -al VOL/Users VOL/cp-1          the baseline of create
#   rm -rf VOL/cp-1                    a baseline of remove
#   offmig store create -i bench/plan-rules.xml VOL VOL/MigStore
#   offmig store wipe-except --yes     (timed for context)
#   cp -al VOL/MigStore/files/C/Users VOL/cp-2   the baseline of restore
#   offmig store restore VOL/MigStore VOL
#   rm -rf VOL/cp-2                    the other baseline of remove (the
#                                      same tree of links as the store's)
#   offmig store remove VOL/MigStore
# each under /usr/bin/time (wall, CPU, peak RSS), and writes its section of
# docs/PERFORMANCE.md between the markers "<!-- store: ... -->" (--report
# only rewrites that section from the last run's figures in bench/out/store).
# Targets: create <= 1.3x cp -al, restore <= 1.3x cp -al, remove <= 1.5x
# rm -rf, peak memory < 64 MiB.  Exit status: 0 when measured (whatever the
# targets say), 2 usage, 4 a missing tool, a failed build or a command that
# did not run properly.
set -eu
export LC_ALL=C

usage() {
	echo "usage: bench/store.sh [--files N] [--ntfs-files N] [--rounds N] [--no-ntfs] [--report] [BUILDDIR]" >&2
	exit 2
}
die() { echo "bench: $*" >&2; exit 4; }

files=300000
ntfs_files=50000
rounds=2
ntfs=1
report=0
build=
while [ $# -gt 0 ]; do
	case $1 in
	--files) [ $# -ge 2 ] || usage; files=$2; shift ;;
	--ntfs-files) [ $# -ge 2 ] || usage; ntfs_files=$2; shift ;;
	--rounds) [ $# -ge 2 ] || usage; rounds=$2; shift ;;
	--no-ntfs) ntfs=0 ;;
	--report) report=1 ;;
	-*) usage ;;
	*) [ -z "$build" ] || usage; build=$1 ;;
	esac
	shift
done
for n in "$files" "$ntfs_files" "$rounds"; do
	case $n in ''|*[!0-9]*|0) usage ;; esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$build" ]; then
	if [ -f "$top/Makefile" ]; then build=$top
	elif [ -f "$top/build/demo/Makefile" ]; then build=$top/build/demo
	else die "no configured build tree; pass BUILDDIR"; fi
fi
[ -f "$build/Makefile" ] || die "$build is not a configured build tree"
build=$(cd "$build" && pwd)
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
grep -q -- '-fsanitize' "$build/Makefile" 2>/dev/null &&
    echo "bench: note: $build is a sanitizer build; its figures are not representative"
out=$top/bench/out/store
rules=$top/bench/plan-rules.xml
mkdir -p "$out"
if [ "$report" = 0 ]; then
	make -C "$build" -j"$(nproc)" offmig tests/fixtures/mkwinvol >"$out/make.log" 2>&1 ||
	    { tail -n 30 "$out/make.log" >&2; die "the build failed"; }
fi
off=$build/offmig
[ -x "$build/.libs/offmig" ] && off=$build/.libs/offmig
export LD_LIBRARY_PATH=$build/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
[ "$report" = 1 ] || "$off" store create --help >/dev/null 2>&1 ||
    die "$off has no 'store create'"
mkwinvol=$build/tests/fixtures/mkwinvol
tree=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)

mounts=
cleanup() {
	cd /
	for m in $mounts; do
		mountpoint -q "$m" 2>/dev/null || continue
		fusermount -u "$m" 2>/dev/null || umount "$m" 2>/dev/null || true
	done
}
trap cleanup EXIT

results=$out/results.tsv	# fs, round, what, wall, cpu, peak KiB
[ "$report" = 1 ] || : >"$results"

# timed FS ROUND WHAT CMD...: runs CMD under /usr/bin/time; exits on failure.
timed() {
	local fs=$1 round=$2 what=$3 st
	shift 3
	st=0
	/usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@" >"$out/cmd.out" 2>"$out/cmd.err" || st=$?
	if [ "$st" != 0 ]; then
		tail -n 20 "$out/cmd.err" >&2
		die "$what on $fs exited with $st: $*"
	fi
	awk -v fs="$fs" -v r="$round" -v w="$what" '
	    END { printf "%s\t%s\t%s\t%s\t%.2f\t%s\n", fs, r, w, $1, $2 + $3, $4 }' \
	    "$out/time.txt" >>"$results"
	tail -n 1 "$results" | awk -F'\t' '{ printf "  %-8s round %s  %-22s %8.2f s wall %8.2f s cpu %8d KiB\n", $1, $2, $3, $4, $5, $6 }'
}

# run FS VOL N: the whole sequence on the volume folder VOL (empty, its
# filesystem the one measured) with N files.
run() {
	local fs=$1 vol=$2 n=$3 r t0 nf
	echo "bench: $fs: generating $n files in $vol"
	t0=$(date +%s.%N)
	"$mkwinvol" --scale "users=100,apps=20,pad-mb=0,files=$n" "$vol" >"$out/mkwinvol.log" 2>&1 ||
	    { tail -n 5 "$out/mkwinvol.log" >&2; die "mkwinvol failed on $fs"; }
	nf=$(find "$vol" -type f | wc -l)
	echo "$fs	gen	$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')	$nf" >>"$out/gen.tsv"
	sync
	for r in $(seq "$rounds"); do
		timed "$fs" "$r" "cp -al (create)" cp -al "$vol/Users" "$vol/cp-1"
		sync
		timed "$fs" "$r" "rm -rf (remove)" rm -rf "$vol/cp-1"
		sync
		timed "$fs" "$r" "store create" "$off" store create --no-progress -i "$rules" "$vol" "$vol/MigStore"
		[ "$r" = 1 ] && awk -F'\t' '$1 == "S" { print $2 }' "$vol/MigStore/manifest" |
		    sed "s/^/$fs	/" >>"$out/objects.tsv"
		sync
		timed "$fs" "$r" "wipe-except" "$off" store wipe-except --yes "$vol/MigStore" "$vol"
		sync
		timed "$fs" "$r" "cp -al (restore)" cp -al "$vol/MigStore/files/C/Users" "$vol/cp-2"
		sync
		timed "$fs" "$r" "store restore" "$off" store restore --no-progress "$vol/MigStore" "$vol"
		sync
		timed "$fs" "$r" "rm -rf (remove)" rm -rf "$vol/cp-2"
		sync
		timed "$fs" "$r" "store remove" "$off" store remove "$vol/MigStore"
		[ ! -e "$vol/MigStore" ] || die "store remove left $vol/MigStore"
		sync
	done
}

if [ "$report" = 1 ]; then
	[ -s "$results" ] || die "no figures in $results to report"
	rounds=$(cut -f2 "$results" | sort -n | tail -n 1)
	ntfs=0
	echo "bench: the section from the figures of $(date -u -r "$results" '+%Y-%m-%d %H:%M UTC')"
else
	: >"$out/gen.tsv"
	: >"$out/objects.tsv"
fi
fsname=
if [ "$report" = 1 ]; then
	:
elif [ "$(id -u)" = 0 ]; then
	mkdir -p "$out/tmpfs"
	mountpoint -q "$out/tmpfs" && umount "$out/tmpfs"
	mount -t tmpfs -o size=6g offmig-bench "$out/tmpfs" || die "cannot mount a tmpfs"
	mounts="$out/tmpfs"
	fsname=tmpfs
	run tmpfs "$out/tmpfs/vol" "$files"
	umount "$out/tmpfs"
else
	fsname=$(stat -f -c %T "$out")
	rm -rf "$out/plain"
	mkdir -p "$out/plain"
	run "$fsname" "$out/plain/vol" "$files"
	rm -rf "$out/plain"
fi

if [ "$ntfs" = 1 ]; then
	PATH=$PATH:/usr/sbin:/sbin
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ] || ! command -v mkntfs >/dev/null ||
	    ! command -v ntfs-3g >/dev/null; then
		die "ntfs-3g needs root, /dev/fuse, mkntfs and ntfs-3g (or pass --no-ntfs)"
	fi
	img=$out/ntfs.img
	mkdir -p "$out/ntfs"
	mountpoint -q "$out/ntfs" && fusermount -u "$out/ntfs"
	rm -f "$img"
	truncate -s 8G "$img"
	mkntfs -F -Q -q -L OFFMIGBENCH "$img" >/dev/null 2>&1 || die "mkntfs failed"
	ntfs-3g "$img" "$out/ntfs" || die "ntfs-3g failed"
	mounts="$mounts $out/ntfs"
	run ntfs-3g "$out/ntfs" "$ntfs_files"
	fusermount -u "$out/ntfs"
	rm -f "$img"
fi

# What the figures were measured with (kept for --report).
if [ "$report" = 0 ]; then
	{
		echo "when=$(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
		echo "tree=$tree (the source tree when the run began; BUILDDIR as built then)"
		echo "build=$(grep -q -- '-fsanitize' "$build/Makefile" && echo 'a sanitizer build (figures inflated)' || echo 'built without sanitizers')"
	} >"$out/meta.txt"
fi
meta() { sed -n "s/^$1=//p" "$out/meta.txt"; }

# Means over the rounds; ratios.
mean() { awk -F'\t' -v fs="$1" -v w="$2" -v c="$3" '$1 == fs && $3 == w { s += $c; n++ } END { printf "%.3f", n ? s / n : 0 }' "$results"; }
peak() { awk -F'\t' -v fs="$1" -v w="$2" '$1 == fs && $3 == w && $6 > m { m = $6 } END { print m + 0 }' "$results"; }
fss=$(cut -f1 "$results" | uniq)

begin='<!-- store: results below are written by bench/store.sh -->'
end='<!-- store: end -->'
doc=$top/docs/PERFORMANCE.md
section=$out/section.md
{
	echo "$begin"
	echo
	echo "## Store benchmark (issue 5)"
	echo
	echo "Produced by \`bench/store.sh\` on $(meta when), $rounds rounds, each command under \`/usr/bin/time\`; $(nproc) CPUs, load average $(meta load) at the end; offmig tree $(meta tree), $(meta build)."
	echo
	while IFS='	' read -r fs _ secs nf; do
		objs=$(awk -F'\t' -v fs="$fs" '$1 == fs { print $2 }' "$out/objects.tsv")
		echo "- $fs: \`mkwinvol --scale users=100,apps=20,pad-mb=0,files=N\`, $nf files in all (made in $secs s); the store holds ${objs#objects=} objects (the rules: \`bench/plan-rules.xml\`, every user file)."
	done <"$out/gen.tsv"
	echo
	echo "| filesystem | command | wall mean (s) | CPU mean (s) | peak RSS (KiB) |"
	echo "|---|---|---:|---:|---:|"
	for fs in $fss; do
		for w in "cp -al (create)" "store create" "wipe-except" "cp -al (restore)" "store restore" "rm -rf (remove)" "store remove"; do
			echo "| $fs | $w | $(mean "$fs" "$w" 4) | $(mean "$fs" "$w" 5) | $(peak "$fs" "$w") |"
		done
	done
	echo
	echo "| filesystem | target (issue 5) | measured (wall) | CPU ratio | result |"
	echo "|---|---|---:|---:|:---:|"
	for fs in $fss; do
		for pair in "store create|cp -al (create)|1.3" "store restore|cp -al (restore)|1.3" "store remove|rm -rf (remove)|1.5"; do
			a=${pair%%|*}; rest=${pair#*|}; b=${rest%%|*}; lim=${rest#*|}
			r=$(awk -v x="$(mean "$fs" "$a" 4)" -v y="$(mean "$fs" "$b" 4)" 'BEGIN { printf "%.2f", (y > 0 ? x / y : 0) }')
			rc=$(awk -v x="$(mean "$fs" "$a" 5)" -v y="$(mean "$fs" "$b" 5)" 'BEGIN { printf "%.2f", (y > 0 ? x / y : 0) }')
			v=$(awk -v r="$r" -v l="$lim" 'BEGIN { print (r + 0 <= l + 0) ? "PASS" : "FAIL" }')
			echo "| $fs | $a / $b ≤ ${lim}× | ${r}× | ${rc}× | **$v** |"
		done
		m=0
		for w in "store create" "store restore" "store remove" "wipe-except"; do
			p=$(peak "$fs" "$w"); [ "$p" -gt "$m" ] && m=$p
		done
		echo "| $fs | peak memory of every store command < 64 MiB | $m KiB | | **$(awk -v m="$m" 'BEGIN { print (m < 65536) ? "PASS" : "FAIL" }')** |"
	done
	echo
	echo "The commands (\`offmig\` is \`BUILDDIR/.libs/offmig\`, VOL the volume on the filesystem measured):"
	echo
	echo '```'
	echo 'cp -al VOL/Users VOL/cp-1'
	echo 'rm -rf VOL/cp-1'
	echo 'offmig store create --no-progress -i bench/plan-rules.xml VOL VOL/MigStore'
	echo 'offmig store wipe-except --yes VOL/MigStore VOL'
	echo 'cp -al VOL/MigStore/files/C/Users VOL/cp-2'
	echo 'offmig store restore --no-progress VOL/MigStore VOL'
	echo 'rm -rf VOL/cp-2'
	echo 'offmig store remove VOL/MigStore'
	echo '```'
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
