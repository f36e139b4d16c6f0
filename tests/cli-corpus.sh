# cli-corpus.sh - the commands on real hives from ../shared/corpus, copied
# into temporary volume layouts.  Skips visibly when the corpus is absent.
. "${OFFMIG_SRCDIR:?}/lib.sh"
C=${OFFMIG_CORPUS:-}

t_begin "ReactOS: OS facts from a real hive set"
if [ -z "$C" ] || [ ! -f "$C/reactos/SOFTWARE" ]; then
	t_skip "corpus file reactos/SOFTWARE is absent"
else
	mkdir -p v/ReactOS/System32/config
	cp "$C/reactos/SOFTWARE" "$C/reactos/SYSTEM" "$C/reactos/SAM" v/ReactOS/System32/config/
	t_run "$OFFMIG" os --json v >out 2>err
	t_expect_status 0
	t_expect_empty err
	t_expect_json out '.product_name' ReactOS
	t_expect_json out '.computer_name' REACTOS-ABO9UHG
	t_expect_json out '.hostname' REACTOS-ABO9UHG
	t_expect_json out '.build' 3790
	t_run "$OFFMIG" profiles --json v >out 2>err
	t_expect_json out '.profiles | length' 3
	t_expect_json out '[.profiles[].sid] | sort | join(",")' 'S-1-5-18,S-1-5-20,S-1-5-21-1298302299-44693752-1353953156-500'
	t_run "$OFFMIG" apps --all --json v >out 2>err
	t_expect_json out '.apps | length' 5
	t_expect_json out '.apps[] | select(.name | startswith("Mozilla Firefox")) | .version' 48.0.2
	t_end
fi

t_begin "a container differencing hive with values missing"
if [ -z "$C" ] || [ ! -f "$C/scancode/Software_Delta" ]; then
	t_skip "corpus file scancode/Software_Delta is absent"
else
	mkdir -p d/Windows/System32/config
	cp "$C/scancode/Software_Delta" d/Windows/System32/config/SOFTWARE
	# A 64-bit SYSTEM, so that the WOW6432Node view is read too.
	cp "$C/dissect.regf/_data/SYSTEM" d/Windows/System32/config/SYSTEM
	t_run "$OFFMIG" inspect --json --all d >out 2>err
	[ "$t_status" -lt 2 ] || t_bad "exit status $t_status"
	t_expect_json out '.os.product_name' null
	t_expect_json out '.profiles[0].user' ContainerAdministrator
	t_expect_json out '.profiles[0].problems[0]' 'no ProfileImagePath value'
	t_expect_json out '.apps | length' 8
	t_end
fi

t_begin "the differencing SOFTWARE hive with ReactOS's SYSTEM"
if [ -z "$C" ] || [ ! -f "$C/scancode/Software_Delta" ] || [ ! -f "$C/reactos/SYSTEM" ]; then
	t_skip "corpus files scancode/Software_Delta or reactos/SYSTEM are absent"
else
	# CATALOG.md: ProfileList holds S-1-5-93-2-1 (ContainerAdministrator)
	# with no ProfileImagePath; Uninstall holds 7 subkeys.  SYSTEM names
	# the computer REACTOS-ABO9UHG.
	mkdir -p m/Windows/System32/config
	cp "$C/scancode/Software_Delta" m/Windows/System32/config/SOFTWARE
	cp "$C/reactos/SYSTEM" m/Windows/System32/config/SYSTEM
	for c in os profiles apps folders inspect; do
		t_run "$OFFMIG" "$c" m >out 2>err
		[ "$t_status" -lt 2 ] || t_bad "$c: exit status $t_status"
		[ -s out ] || t_bad "$c printed nothing"
		t_expect_no_output err 'runtime error|Sanitizer'
	done
	t_run "$OFFMIG" inspect --json --all m >out 2>err
	[ "$t_status" -lt 2 ] || t_bad "exit status $t_status"
	t_expect_json out '.os.computer_name' REACTOS-ABO9UHG
	t_expect_json out '.profiles | length' 1
	t_expect_json out '.profiles[0].sid' S-1-5-93-2-1
	t_expect_json out '.profiles[0].user' ContainerAdministrator
	t_expect_json out '.profiles[0].problems | length > 0' true
	t_expect_json out '[.apps[] | select(.scope == "machine")] | length >= 7' true
	t_run "$OFFMIG" profiles m >out 2>err
	t_expect_output out '^S-1-5-93-2-1 +ContainerAdministrator '
	t_end
fi

t_begin "a real dirty NTUSER.DAT with its logs is flagged"
if [ -z "$C" ] || [ ! -f "$C/museum/Registry/Win10/RathbunVM/NTUSER.DAT" ]; then
	t_skip "corpus file museum/Registry/Win10/RathbunVM/NTUSER.DAT is absent"
else
	printf 'layout win10\nuser AndrewRathbun rid=1001 no-hive\n' >r.vol
	"$OFFMIG_MKWINVOL" r.vol r || t_bad "mkwinvol failed"
	cp "$C"/museum/Registry/Win10/RathbunVM/NTUSER.DAT \
	    "$C"/museum/Registry/Win10/RathbunVM/ntuser.dat.LOG1 \
	    "$C"/museum/Registry/Win10/RathbunVM/ntuser.dat.LOG2 r/Users/AndrewRathbun/
	t_run "$OFFMIG" profiles --json r >out 2>err
	t_expect_json out '.profiles[] | select(.user == "AndrewRathbun") | .hive.dirty' true
	t_expect_json out '.profiles[] | select(.user == "AndrewRathbun") | .hive.logs' 2
	# A real Windows 10 hive with lower-case logs: read through them.
	t_expect_json out '.profiles[] | select(.user == "AndrewRathbun") | .hive.recovered' true
	t_run "$OFFMIG" folders --json r AndrewRathbun >out 2>err
	t_expect_json out '.profiles[0].folders[] | select(.name == "Desktop") | .path_raw' '%USERPROFILE%\Desktop'
	t_run "$OFFMIG" inspect --json r >out 2>err
	t_expect_json out '[.attention[] | select(.what == "dirty-hive") | .subject] | join(",")' 'Users/AndrewRathbun/NTUSER.DAT'
	t_end
fi

t_begin "a broken SAM does not stop the report"
if [ -z "$C" ] || [ ! -f "$C/ez_registry/Hives/SAMBadHBinHeader" ]; then
	t_skip "corpus file ez_registry/Hives/SAMBadHBinHeader is absent"
else
	mkdir -p b/ReactOS/System32/config
	cp "$C/reactos/SOFTWARE" "$C/reactos/SYSTEM" b/ReactOS/System32/config/
	cp "$C/ez_registry/Hives/SAMBadHBinHeader" b/ReactOS/System32/config/SAM
	t_run "$OFFMIG" profiles --json b >out 2>err
	t_expect_status 1
	t_expect_output err 'SAM: .*0x2000'
	t_expect_json out '.profiles | length' 3
	t_end
fi

t_summary
