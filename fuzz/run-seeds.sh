#!/bin/sh
# run-seeds.sh - replays each fuzz target over its seeds and deterministic
# mutations of them, under whatever sanitizers the build has.  The hive
# seeds are generated here from text (fuzz/seeds/hive.reg) with mkhive, plus
# small real hives from the corpus when it is present.
: "${OFFMIG_SRCDIR:?OFFMIG_SRCDIR is not set (run under make check)}"
: "${OFFMIG_MKHIVE:?OFFMIG_MKHIVE is not set}"
seeds="$OFFMIG_SRCDIR/../fuzz/seeds"
build=$(dirname "$OFFMIG_MKHIVE")/../..
work=$(mktemp -d "${TMPDIR:-/tmp}/offmig-seeds.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

mkdir -p "$work/hive"
if "$OFFMIG_MKHIVE" "$work/hive/generated.hiv" "$seeds/hive.reg" &&
    "$OFFMIG_MKHIVE" -d "$work/hive/dirty.hiv" "$seeds/hive.reg"; then
	pass=$((pass + 1)); echo "PASS: seed hives generated"
else
	fail=$((fail + 1)); echo "FAIL: mkhive could not make the seed hives"
fi
if [ -n "${OFFMIG_CORPUS:-}" ]; then
	for f in hivex/images/minimal hivex/images/special \
	    python-registry/tests/reg_samples/issue22.hive \
	    yarp/hives_for_tests/TruncatedNameHive \
	    ez_registry/Hives/SECURITYNoRoot; do
		[ -f "$OFFMIG_CORPUS/$f" ] && cp "$OFFMIG_CORPUS/$f" "$work/hive/$(basename "$f")"
	done
fi

# Log seeds (fuzz_logs.c layout): count byte, two little-endian lengths,
# primary, first log, second log.  From mkhive's hives (a log-shaped copy
# with File type 6 or 1), and from yarp's and real dirty hives when the
# corpus is present.
le32() {
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) \
	    $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)))"
}
logseed() {
	out=$1 n=$2 p=$3 l1=$4 l2=$5
	{
		printf "$(printf '\\%03o' "$n")"
		le32 "$(wc -c <"$p")"
		le32 "$( [ -n "$l1" ] && wc -c <"$l1" || echo 0)"
		cat "$p" ${l1:+"$l1"} ${l2:+"$l2"}
	} >"$out"
}
mkdir -p "$work/logs"
if [ -f "$work/hive/dirty.hiv" ]; then
	for t in 6 1; do
		head -c 512 "$work/hive/generated.hiv" >"$work/log$t"
		printf "$(printf '\\%03o' $t)" | dd of="$work/log$t" bs=1 seek=28 \
		    conv=notrunc 2>/dev/null
		printf 'HvLE' >>"$work/log$t"
		logseed "$work/logs/gen$t" 1 "$work/hive/dirty.hiv" "$work/log$t"
	done
	logseed "$work/logs/gen-empty" 2 "$work/hive/dirty.hiv" /dev/null /dev/null
fi
if [ -n "${OFFMIG_CORPUS:-}" ]; then
	y="$OFFMIG_CORPUS/yarp/hives_for_tests"
	r="$OFFMIG_CORPUS/museum/Registry/Win10/RathbunVM"
	[ -f "$y/NewDirtyHive1/NewDirtyHive" ] && logseed "$work/logs/new1" 2 \
	    "$y/NewDirtyHive1/NewDirtyHive" "$y/NewDirtyHive1/NewDirtyHive.LOG1" \
	    "$y/NewDirtyHive1/NewDirtyHive.LOG2"
	[ -f "$y/OldDirtyHive/OldDirtyHive" ] && logseed "$work/logs/old" 1 \
	    "$y/OldDirtyHive/OldDirtyHive" "$y/OldDirtyHive/OldDirtyHive.LOG1"
	[ -f "$y/BadBaseBlockHive/BadBaseBlockHive" ] && logseed \
	    "$work/logs/badbase" 1 "$y/BadBaseBlockHive/BadBaseBlockHive" \
	    "$y/BadBaseBlockHive/BadBaseBlockHive.LOG1"
	[ -f "$r/SECURITY" ] && logseed "$work/logs/security" 1 \
	    "$r/SECURITY" "$r/SECURITY.LOG1"
fi

# OFFMIG_SEEDS_ONLY=DIR: only make the seed sets, into DIR/TARGET/, for
# bench/fuzz.sh (libFuzzer builds cannot replay them the way run() does).
run() {
	name=$1
	shift
	if [ -n "${OFFMIG_SEEDS_ONLY:-}" ]; then
		mkdir -p "$OFFMIG_SEEDS_ONLY/$name" &&
		    cp "$1"/* "$OFFMIG_SEEDS_ONLY/$name/" 2>/dev/null
		return
	fi
	if "$build/fuzz/$name" --mutate 300 "$@" >"$work/$name.out" 2>&1; then
		pass=$((pass + 1)); echo "PASS: $name: $(tail -n 1 "$work/$name.out")"
	else
		fail=$((fail + 1)); echo "FAIL: $name:"; tail -n 30 "$work/$name.out"
	fi
}
run fuzz_hive "$work/hive"
run fuzz_regtext "$seeds/fuzz_regtext"
run fuzz_pever "$seeds/pever"
run fuzz_pattern "$seeds/fuzz_pattern"
run fuzz_usmtxml "$seeds/fuzz_usmtxml"
run fuzz_manifest "$seeds/fuzz_manifest"
run fuzz_logs "$work/logs"
# The checker gets the same hives plus damaged ones it must describe.
mkdir -p "$work/check"
cp "$work/hive/"* "$work/check/" 2>/dev/null
if [ -n "${OFFMIG_CORPUS:-}" ]; then
	for f in yarp/hives_for_tests/BadSubkeyHive \
	    yarp/hives_for_tests/WrongOrderHive \
	    yarp/hives_for_tests/TruncatedHive \
	    yarp/hives_for_tests/BigDataHive \
	    ez_registry/Hives/SAMBadHBinHeader; do
		[ -f "$OFFMIG_CORPUS/$f" ] && cp "$OFFMIG_CORPUS/$f" "$work/check/$(basename "$f")"
	done
fi
run fuzz_check "$work/check"
[ -z "${OFFMIG_SEEDS_ONLY:-}" ] || exit 0
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
