# cli-errors.sh - bad volumes and hostile input: a clear message naming the
# culprit, the documented exit status, never a crash, nothing followed out
# of the volume.
. "${OFFMIG_SRCDIR:?}/lib.sh"

t_begin "an empty directory has no Windows: exit 6"
mkdir empty
t_run "$OFFMIG" os empty >out 2>err
t_expect_status 6
t_expect_output err "^offmig os: empty: no Windows installation: the volume is empty"
t_expect_empty out
t_end

t_begin "a directory of other files: exit 6 with a count"
mkdir other && touch other/a other/b
t_run "$OFFMIG" inspect other >out 2>err
t_expect_status 6
t_expect_output err '2 entr(y|ies).* is a Windows directory'
t_end

t_begin "a damaged installation is told apart"
mkdir -p dmg/Windows/System32/config && touch dmg/Windows/System32/config/SYSTEM
t_run "$OFFMIG" profiles dmg >out 2>err
t_expect_status 6
t_expect_output err "damaged Windows installation in 'Windows': System32.config has no SOFTWARE"
t_end

t_begin "a missing path: exit 4"
t_run "$OFFMIG" os ./nope >out 2>err
t_expect_status 4
t_expect_output err '^offmig os: ./nope: No such file or directory'
t_end

t_begin "a file instead of a directory: exit 4"
touch afile
t_run "$OFFMIG" apps afile >out 2>err
t_expect_status 4
t_expect_output err 'afile: Not a directory'
t_end

t_begin "two installations: exit 2 and the list"
t_run "$OFFMIG" os "$OFFMIG_VOLUMES/two-installs" >out 2>err
t_expect_status 2
t_expect_output err "2 Windows installations \('Windows', 'WINNT'\); choose one with --windows DIR"
t_end

t_begin "--windows chooses one (case-insensitively)"
t_run "$OFFMIG" os --json --windows winnt "$OFFMIG_VOLUMES/two-installs" >out 2>err
t_expect_json out '.product_name' 'Microsoft Windows 2000'
t_expect_json out '.computer_name' 'OLD-W2K'
t_end

t_begin "--windows naming nothing"
t_run "$OFFMIG" os --windows WINXX "$OFFMIG_VOLUMES/two-installs" >out 2>err
t_expect_status 6
t_expect_output err "no Windows installation in 'WINXX'"
t_end

H="$OFFMIG_VOLUMES/hostile"
t_begin "hostile volume: the report is still made, exit 1"
t_run "$OFFMIG" inspect "$H" >out 2>err
t_expect_status 1
t_expect_output out '^== Attention'
t_expect_output out 'hibernated'
t_end

t_begin "hostile volume: every bad path is named and refused"
t_run "$OFFMIG" profiles "$H" >out 2>err
t_expect_output err "'C:.Users.+etc' is not a valid path from the disk"
t_expect_output err "'D:.Users.otherdrive' is on another drive"
t_expect_output err "'..fileserver.profiles.unc' is a network path"
t_expect_output err "'.+PhysicalDrive0' is a device path"
t_expect_output err "'Users/linked' is a symbolic link, which offmig does not follow"
t_end

t_begin "hostile volume: nothing from outside the volume is read"
t_run "$OFFMIG" inspect --json --all "$H" >out 2>err
t_expect_no_output out 'root:x:0|/etc/passwd|/etc/shadow'
t_expect_json out '[.profiles[] | select(.user == "linked") | .host_path] | .[0]' null
t_expect_json out '[.profiles[] | select(.user == "escaper") | .status] | .[0]' folder-missing
t_end

t_begin "hostile volume: every command reports, exits 1, keeps warnings on stderr"
for c in os profiles apps folders inspect; do
	t_run "$OFFMIG" "$c" "$H" >out 2>err
	t_expect_status 1
	[ -s out ] || t_bad "$c printed nothing"
	t_expect_no_output err 'runtime error|Sanitizer'
	t_expect_no_output out '^offmig: '
	t_expect_output err '^offmig: warning: .*Users/truncated/NTUSER.DAT'
	t_run "$OFFMIG" "$c" --json "$H" >out 2>err
	t_expect_status 1
	jq -e . out >/dev/null 2>&1 || t_bad "$c --json is not one JSON document"
done
t_end

t_begin "a symbolic link as a profile folder is not followed (canary)"
# A copy of the hostile volume whose Users/linked points at a complete
# profile outside the volume: had offmig followed it, that profile's hive,
# applications, folders and browsers would show up.
cp -a "$H" v
mkdir outside
cp -a "$OFFMIG_VOLUMES/win10/Users/alice/." outside/
rm v/Users/linked && ln -s "$PWD/outside" v/Users/linked
t_run "$OFFMIG" inspect --json --all v >out 2>err
t_expect_status 1
t_expect_output err "'Users/linked' is a symbolic link, which offmig does not follow"
t_expect_json out '.profiles[] | select(.user == "linked") | .hive.present' false
t_expect_json out '.profiles[] | select(.user == "linked") | .host_path' null
t_expect_json out '[.apps[] | select(.name == "Zoom Workplace")] | length' 0
t_expect_json out '[.folders.profiles[] | select(.user == "linked") | .folders[] | select(.exists)] | length' 0
t_expect_json out '[.folders.profiles[] | select(.user == "linked") | .browsers[]?] | length' 0
t_expect_no_output out "$PWD/outside|Chrome|abcd1234"
t_run "$OFFMIG" folders v linked >out 2>err
sed -n '/^== linked /,/^== Common folders/p' out >linked
t_expect_output linked '^Desktop +C:.Users.linked.Desktop '
t_expect_no_output linked 'yes$'
t_end

t_begin "a truncated NTUSER.DAT is named"
t_run "$OFFMIG" apps "$H" >out 2>err
t_expect_output err 'Users/truncated/NTUSER.DAT: truncated: 6000 bytes'
t_end

t_begin "hostile volume: odd bytes are escaped in JSON and hidden on the terminal"
t_run "$OFFMIG" apps --all --json "$H" >out 2>err
t_expect_output out '"name": "Odd\\udbf7\\udc00 Name\\u001b\[31m"'
t_run "$OFFMIG" apps --all "$H" >out 2>err
t_expect_no_output out "$(printf '\033')"
t_expect_output out 'Odd\? Name\?\[31m'
t_end

t_begin "hostile volume: a garbage SECURITY hive is reported"
t_run "$OFFMIG" os --json "$H" >out 2>err
t_expect_json out '.hives[] | select(.name == "SECURITY") | .problems[0]' 'not a registry hive'
t_end

t_begin "no crash on any command or form"
for c in os profiles apps folders inspect; do
	for f in "" --json --csv --all; do
		"$OFFMIG" "$c" $f "$H" >out 2>err
		s=$?
		[ "$s" -lt 3 ] || t_bad "$c $f: exit status $s"
		t_expect_no_output err 'runtime error|Sanitizer'
	done
done
t_end

t_begin "the volume is not written by a read command"
before=$(find "$H" "$OFFMIG_VOLUMES/win10" -printf '%p %s %T@\n' | sort | sha256sum)
"$OFFMIG" inspect "$H" >/dev/null 2>&1
"$OFFMIG" inspect --json "$OFFMIG_VOLUMES/win10" >/dev/null 2>&1
after=$(find "$H" "$OFFMIG_VOLUMES/win10" -printf '%p %s %T@\n' | sort | sha256sum)
[ "$before" = "$after" ] || t_bad "the volumes changed"
t_end

t_summary
