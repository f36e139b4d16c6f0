#!/bin/sh
# lint.sh - the man pages: no groff warning, and every command of
# "offmig help" in some SYNOPSIS.  Prints "N passed, N failed".
: "${OFFMIG_MANDIR:?OFFMIG_MANDIR is not set (run under make check)}"
: "${OFFMIG:?OFFMIG is not set}"
if ! command -v groff >/dev/null 2>&1; then
	echo "SKIP: groff is not installed"
	exit 77
fi
pass=0
fail=0
for page in "$OFFMIG_MANDIR"/*.1; do
	warnings=$(groff -mandoc -ww -z "$page" 2>&1)
	if [ -n "$warnings" ]; then
		echo "FAIL: $page: $warnings"
		fail=$((fail + 1))
	else
		echo "PASS: $page has no groff warning"
		pass=$((pass + 1))
	fi
done
for cmd in $("$OFFMIG" help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'); do
	if sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$OFFMIG_MANDIR"/*.1 |
	    grep -q -E "^\.Nm offmig $cmd\$|^\.Cm $cmd\$"; then
		echo "PASS: $cmd is in a SYNOPSIS"
		pass=$((pass + 1))
	else
		echo "FAIL: $cmd is in no SYNOPSIS"
		fail=$((fail + 1))
	fi
	# Each option of the usage line appears in the page's SYNOPSIS.
	for opt in $("$OFFMIG" help "$cmd" | head -n 1 |
	    grep -o -E -- '--[a-z-]+'); do
		case $opt in
		--json|--csv) pat='Fl -json' ;;
		*) pat="Fl ${opt#-}( |\$)" ;;
		esac
		if grep -q -E -- "$pat" "$OFFMIG_MANDIR"/*.1; then
			echo "PASS: $cmd $opt is documented"
			pass=$((pass + 1))
		else
			echo "FAIL: $cmd: $opt is missing from the man pages"
			fail=$((fail + 1))
		fi
	done
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
