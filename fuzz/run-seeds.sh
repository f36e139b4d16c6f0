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

run() {
	name=$1
	shift
	if "$build/fuzz/$name" --mutate 300 "$@" >"$work/$name.out" 2>&1; then
		pass=$((pass + 1)); echo "PASS: $name: $(tail -n 1 "$work/$name.out")"
	else
		fail=$((fail + 1)); echo "FAIL: $name:"; tail -n 30 "$work/$name.out"
	fi
}
run fuzz_hive "$work/hive"
run fuzz_regtext "$seeds/fuzz_regtext"
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
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
