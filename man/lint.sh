#!/bin/sh
# lint.sh - the man pages: no formatter warning (groff -ww, and mandoc's
# -Tlint where mandoc is installed), every command of "offmig help" in some
# SYNOPSIS, and that entry the same as the command's usage line.  Prints
# "N passed, N failed"; exits 77 when no formatter is installed.
: "${OFFMIG_MANDIR:?OFFMIG_MANDIR is not set (run under make check)}"
: "${OFFMIG:?OFFMIG is not set}"
have_groff=no
have_mandoc=no
command -v groff >/dev/null 2>&1 && have_groff=yes
command -v mandoc >/dev/null 2>&1 && have_mandoc=yes
if [ $have_groff = no ] && [ $have_mandoc = no ]; then
	echo "SKIP: neither groff nor mandoc is installed (apt-get install groff)"
	echo "0 passed, 0 failed"
	exit 77
fi
[ $have_mandoc = yes ] || echo "note: mandoc is not installed; groff alone checks the pages"
pass=0
fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

for page in "$OFFMIG_MANDIR"/*.1; do
	if [ $have_groff = yes ]; then
		warnings=$(groff -mandoc -ww -z "$page" 2>&1)
		if [ -n "$warnings" ]; then
			bad "$page: groff: $warnings"
		else
			ok "$page has no groff warning"
		fi
	fi
	if [ $have_mandoc = yes ]; then
		warnings=$(mandoc -Tlint -Wwarning "$page" 2>&1)
		if [ -n "$warnings" ]; then
			bad "$page: mandoc: $warnings"
		else
			ok "$page has no mandoc warning"
		fi
	fi
done

# Prints the SYNOPSIS entry of a command as plain text: ".Op Fl -windows Ar
# dir" becomes "[--windows DIR]", ".Ar volume" "VOLUME".
synopsis_of() {
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$OFFMIG_MANDIR"/*.1 | awk -v cmd="$1" '
	/^\.(Nm|Sh)/ { if (on) exit }
	on {
		s = ""; mode = ($1 == ".Ar") ? "ar" : ($1 == ".Fl") ? "fl" : ""
		for (i = 2; i <= NF; i++) {
			t = $i
			if (t == "Fl") { mode = "fl"; continue }
			if (t == "Ar") { mode = "ar"; continue }
			if (t == "|") { s = s " |"; continue }
			if (mode == "fl") t = "-" t
			else if (mode == "ar") t = toupper(t)
			s = s (s == "" ? "" : " ") t
		}
		if ($1 == ".Op")
			s = "[" s "]"
		out = out (out == "" ? "" : " ") s
	}
	$0 == ".Cm " cmd || $0 == ".Nm offmig " cmd { on = 1 }
	END { print out }'
}

# Commands are listed as "  NAME  summary"; a name may be two words
# ("hive check"), so read them a line at a time.
cmds=$("$OFFMIG" help | sed -n 's/^  \([a-z][a-z -]*[a-z]\)  .*/\1/p' |
    sed 's/ *$//')
[ -n "$cmds" ] || bad "'offmig help' lists no command"
while IFS= read -r cmd; do
	[ -n "$cmd" ] || continue
	if sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$OFFMIG_MANDIR"/*.1 |
	    grep -q -x -F -e ".Nm offmig $cmd" -e ".Cm $cmd"; then
		ok "$cmd is in a SYNOPSIS"
	else
		bad "$cmd is in no SYNOPSIS"
	fi
	# The SYNOPSIS entry, read as plain text, is the usage line.
	# shellcheck disable=SC2086
	usage=$("$OFFMIG" help $cmd | sed -n "1s/^usage: offmig $cmd //p")
	synopsis=$(synopsis_of "$cmd")
	if [ "$usage" = "$synopsis" ]; then
		ok "$cmd: the SYNOPSIS matches the usage line"
	else
		bad "$cmd: SYNOPSIS '$synopsis' differs from usage '$usage'"
	fi
done <<EOF_CMDS
$cmds
EOF_CMDS
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
