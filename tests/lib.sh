# lib.sh - sourced by the CLI tests.  Each test case runs the built offmig
# in a fresh temporary directory (removed when the case ends) and checks its
# exit status, stdout and stderr:
#
#	t_begin NAME; t_run CMD... >out 2>err; t_expect_status N
#	t_expect_output FILE ERE; t_expect_no_output FILE ERE; t_expect_empty FILE
#	t_expect_json FILE JQ-EXPR EXPECTED; t_end   (or t_skip REASON)
# The script ends with t_summary, which prints "N passed, N failed"
# and exits 0 (all passed), 1 (a failure) or 77 (everything skipped).

: "${OFFMIG:?OFFMIG is not set (run under make check)}"
: "${OFFMIG_VOLUMES:?OFFMIG_VOLUMES is not set (run under make check)}"

t_pass=0
t_fail=0
t_skip=0
t_name=
t_ok=1
t_status=
t_top=$(mktemp -d "${TMPDIR:-/tmp}/offmig-test.XXXXXX") || exit 99
# --one-file-system: never into something a test left mounted.
trap 'cd /; rm -rf --one-file-system "$t_top"' EXIT

t_begin() {
	t_name=$1
	t_ok=1
	t_dir="$t_top/$((t_pass + t_fail + t_skip + 1))"
	mkdir -p "$t_dir" && cd "$t_dir" || exit 99
}

t_bad() {
	t_ok=0
	echo "FAIL: $t_name: $*"
}

# Runs a command, keeping its exit status in t_status (output as redirected).
t_run() {
	"$@"
	t_status=$?
}

t_expect_status() {
	[ "$t_status" = "$1" ] || t_bad "exit status $t_status, expected $1"
}

t_expect_output() {
	grep -a -E -q -- "$2" "$1" || t_bad "$1 does not match /$2/: $(head -c 400 "$1")"
}

t_expect_no_output() {
	! grep -a -E -q -- "$2" "$1" || t_bad "$1 matches /$2/: $(grep -a -E -- "$2" "$1" | head -3)"
}

t_expect_empty() {
	[ ! -s "$1" ] || t_bad "$1 is not empty: $(head -c 400 "$1")"
}

# t_expect_json FILE JQ-EXPRESSION EXPECTED: jq -r output must equal EXPECTED.
t_expect_json() {
	got=$(jq -r "$2" "$1" 2>&1) || { t_bad "jq '$2' failed on $1: $got"; return; }
	[ "$got" = "$3" ] || t_bad "jq '$2' on $1 gave '$got', expected '$3'"
}

t_end() {
	cd "$t_top" || exit 99
	rm -rf --one-file-system "$t_dir"
	if [ "$t_ok" = 1 ]; then
		t_pass=$((t_pass + 1))
		echo "PASS: $t_name"
	else
		t_fail=$((t_fail + 1))
	fi
}

t_skip() {
	t_skip=$((t_skip + 1))
	echo "SKIP: $t_name: $*"
	cd "$t_top" || exit 99
	rm -rf --one-file-system "$t_dir"
}

t_summary() {
	echo "$t_pass passed, $t_fail failed, $t_skip skipped"
	[ "$t_fail" = 0 ] || exit 1
	[ "$t_pass" != 0 ] || [ "$t_skip" = 0 ] || exit 77
	exit 0
}
