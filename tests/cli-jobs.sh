# cli-jobs.sh - the inventory reports spread their per-profile work over
# threads (--jobs); what they print, on stdout and stderr, and their exit
# status must not depend on how many.
. "${OFFMIG_SRCDIR:?}/lib.sh"
MKWINVOL=${OFFMIG_MKWINVOL:?OFFMIG_MKWINVOL is not set (run under make check)}

# same_output NAME VOLUME CMD...: the command with --jobs 1, 2, 7 and the
# default gives byte-identical output and the same status.
same_output() {
	name=$1 vol=$2
	shift 2
	t_begin "$name"
	t_run "$OFFMIG" "$@" --jobs 1 "$vol" >out.1 2>err.1
	s1=$t_status
	for j in 2 7 default; do
		if [ "$j" = default ]; then
			t_run "$OFFMIG" "$@" "$vol" >"out.$j" 2>"err.$j"
		else
			t_run "$OFFMIG" "$@" --jobs "$j" "$vol" >"out.$j" 2>"err.$j"
		fi
		[ "$t_status" = "$s1" ] ||
		    t_bad "--jobs $j: exit status $t_status, with one job $s1"
		cmp -s out.1 "out.$j" || t_bad "--jobs $j: stdout differs: $(diff out.1 "out.$j" | head -5)"
		cmp -s err.1 "err.$j" || t_bad "--jobs $j: stderr differs: $(diff err.1 "err.$j" | head -5)"
	done
	[ -s out.1 ] || t_bad "no output at all"
	t_end
}

for v in win10 win11 win7 xp dirty hostile; do
	for c in inspect folders apps; do
		same_output "$c --json on $v: the same with any --jobs" \
		    "$OFFMIG_VOLUMES/$v" "$c" --json
	done
done
same_output "inspect (tables) on hostile: the same with any --jobs" \
    "$OFFMIG_VOLUMES/hostile" inspect
same_output "folders --ui on win10: the same with any --jobs" \
    "$OFFMIG_VOLUMES/win10" folders --json --ui dave

# Many profiles, a few of whose hives are broken in different ways, so the
# threads meet failures in an order of their own.
big=$(mktemp -d "${TMPDIR:-/tmp}/offmig-jobs.XXXXXX") || exit 99
trap 'rm -rf --one-file-system "$big" "$t_top"' EXIT
if "$MKWINVOL" --scale users=60,apps=40,pad-mb=0 "$big/vol" >"$big/log" 2>&1; then
	u="$big/vol/Users"
	head -c 100 "$u/user0003/NTUSER.DAT" >"$big/t" && cat "$big/t" >"$u/user0003/NTUSER.DAT"
	printf 'garbage' | dd of="$u/user0017/NTUSER.DAT" bs=1 seek=4096 conv=notrunc 2>/dev/null
	printf 'not a hive at all' >"$u/user0041/NTUSER.DAT"
	rm -f "$u/user0052/NTUSER.DAT"
	for c in inspect folders apps profiles; do
		same_output "$c --json on 60 profiles, 4 hives broken: the same with any --jobs" \
		    "$big/vol" "$c" --json
	done
	t_begin "the hives that fail to open are named on stderr once each, in profile order"
	t_run "$OFFMIG" inspect --json --jobs 4 "$big/vol" >out 2>err
	# (The profile scan names the two without a hive signature before.)
	grep '^offmig: warning: /' err | grep -o 'user00[0-9][0-9]/NTUSER.DAT' >named
	printf '%s\n' user0003/NTUSER.DAT user0017/NTUSER.DAT user0041/NTUSER.DAT >want
	cmp -s named want || t_bad "stderr names $(tr '\n' ' ' <named), expected $(tr '\n' ' ' <want)"
	t_expect_json out '[.profiles[] | select(.user == "user0052") | .status] | .[0]' 'hive-missing'
	# Every report that could not read a hive says why, not just "see above".
	t_expect_json out '[.folders.profiles[] | select(.user == "user0003") | .problems[] | test("truncated")] | any' 'true'
	t_expect_json out '[.problems[] | select(.hive == "Users/user0017/NTUSER.DAT") | .problem | test("hbin")] | any' 'true'
	t_end
	t_begin "a soft limit of 40 open files does not stop a report of 60 hives"
	if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt 200 ]; then
		t_skip "the hard limit of open files is $(ulimit -Hn)"
	else
		t_run "$OFFMIG" inspect --json "$big/vol" >out.want 2>err.want
		s1=$t_status
		t_run sh -c 'ulimit -Sn 40 && exec "$@"' sh "$OFFMIG" inspect --json "$big/vol" >out 2>err
		t_expect_status "$s1"
		t_expect_no_output err 'Too many open files'
		cmp -s out out.want || t_bad "the report differs under the low limit"
		t_end
	fi
else
	t_begin "a volume of 60 profiles"
	t_bad "mkwinvol --scale failed: $(tail -3 "$big/log")"
	t_end
fi

t_begin "--jobs wants a number from 1 to 64"
for bad in 0 65 abc ''; do
	t_run "$OFFMIG" inspect --jobs "$bad" "$OFFMIG_VOLUMES/win10" >out 2>err
	t_expect_status 2
	t_expect_output err 'jobs'
done
t_end

t_summary
