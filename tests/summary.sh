#!/bin/sh
# summary.sh - totals every test suite of a "make check" run into one line,
# "N passed, N failed, N skipped".  Run it in the build directory.  Check
# suites count their checks ("100%: Checks: 12, Failures: 0, Errors: 0"),
# shell suites their cases ("N passed, N failed"), any other test 1.
# Extra results can be added as arguments: summary.sh NAME=pass|fail|skip ...
# Exits 1 when anything failed.
set -u
pass=0
fail=0
skip=0
# Results of "make distcheck" (in offmig-VERSION/) are not this tree's.
for trs in $(find . -path ./offmig-\* -prune -o -name '*.trs' -print | sort); do
	log=${trs%.trs}.log
	name=${trs#./}
	name=${name%.trs}
	result=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
	checks=$(grep -a -E '^[0-9]+%: Checks: [0-9]+' "$log" 2>/dev/null | tail -n 1)
	counts=$(grep -a -E '^[0-9]+ passed, [0-9]+ failed' "$log" 2>/dev/null | tail -n 1)
	if [ -n "$checks" ]; then
		n=$(echo "$checks" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$checks" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(echo "$checks" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		p=$((n - f - e)); f=$((f + e)); s=0
	elif [ -n "$counts" ]; then
		p=$(echo "$counts" | sed -E 's/^([0-9]+) passed.*/\1/')
		f=$(echo "$counts" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		s=$(echo "$counts" | sed -n -E 's/.* ([0-9]+) skipped.*/\1/p')
		s=${s:-0}
	else
		p=0; f=0; s=0
		case $result in
		PASS|XFAIL) p=1 ;;
		SKIP) s=1 ;;
		*) f=1 ;;
		esac
	fi
	# A suite that crashed after printing its counts still failed.
	case $result in
	FAIL|ERROR|XPASS) [ "$f" -gt 0 ] || f=1 ;;
	esac
	printf '%-28s %s: %d passed, %d failed, %d skipped\n' "$name" "$result" "$p" "$f" "$s"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done
for extra in "$@"; do
	case ${extra#*=} in
	pass) pass=$((pass + 1)) ;;
	skip) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
	printf '%-28s %s\n' "${extra%%=*}" "${extra#*=}"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
