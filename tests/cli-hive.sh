# cli-hive.sh - "offmig hive check | recover | get | export | import" on
# the fixture volumes and on real dirty hives from ../shared/corpus (those
# cases skip visibly when the corpus is absent).  Every case that reads a
# hive also checks that the hive and its logs are unchanged.
. "${OFFMIG_SRCDIR:?}/lib.sh"
C=${OFFMIG_CORPUS:-}
W10=$OFFMIG_VOLUMES/win10
Y=$C/yarp/hives_for_tests

# Digest of files, to prove they were not written.
digest() { sha256sum "$@" | awk '{ print $1 }' | tr -d '\n'; }

t_begin "hive: usage errors"
t_run "$OFFMIG" hive >out 2>err
t_expect_status 2
t_expect_output err "'hive' needs a subcommand"
t_run "$OFFMIG" hive frobnicate x >out 2>err
t_expect_status 2
t_run "$OFFMIG" hive recover x >out 2>err
t_expect_status 2
t_expect_output err '^offmig hive recover: -o OUT is required$'
t_run "$OFFMIG" hive check --apply x >out 2>err
t_expect_status 2
t_expect_output err 'does not apply here'
t_run "$OFFMIG" help hive export >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig hive export \[--format FORMAT\]'
t_end

t_begin "hive check: a dirty user hive its logs recover"
h=$W10/Users/dave/NTUSER.DAT
before=$(digest "$h" "$W10"/Users/dave/ntuser.dat.LOG*)
t_run "$OFFMIG" hive check --json "$h" >out 2>err
t_expect_status 0
t_expect_json out '.hives[0].dirty' true
t_expect_json out '.hives[0].recovery.recovered' true
t_expect_json out '.hives[0].recovery.entries_applied' 2
t_expect_json out '[.hives[0].logs[] | .applies] | map(tostring) | join(",")' 'true,false'
t_expect_json out '.hives[0].logs[0].format' new
t_expect_json out '.hives[0].walked' recovered
t_expect_json out '.hives[0].structure.problems' 0
t_expect_json out '.hives[0].problems | length' 0
t_run "$OFFMIG" hive check "$h" >out 2>err
t_expect_status 0
t_expect_output out 'state: +dirty, recovered by its logs'
t_expect_output out 'ntuser.dat.LOG1: new format, 2 entries'
[ "$(digest "$h" "$W10"/Users/dave/ntuser.dat.LOG*)" = "$before" ] ||
    t_bad "the hive or its logs changed"
t_end

t_begin "hive check: not a hive, and a missing file"
head -c 8192 /dev/zero | tr '\\0' x >junk
t_run "$OFFMIG" hive check --json junk nothere >out 2>err
t_expect_status 1
t_expect_json out '.hives[0].signature_ok' false
t_expect_json out '.hives[0].problems[0]' 'no regf signature: not a registry hive'
t_expect_json out '.hives[1].readable' false
# A FIFO, as a hive and as a log beside one: refused or skipped, never
# waited on.
mkfifo fifo && cp junk H && mkfifo H.LOG1
t_run timeout 20 "$OFFMIG" hive check fifo H >out 2>err
t_expect_status 1
t_expect_output err 'fifo: not a regular file'
t_run timeout 20 "$OFFMIG" hive get fifo x >out 2>err
t_expect_status 3
t_run timeout 20 "$OFFMIG" hive recover -o out.hiv fifo >out 2>err
t_expect_status 3
t_end

t_begin "hive recover: Windows 10's own recovery, byte for byte from 4096"
if [ -z "$C" ] || [ ! -f "$Y/NewDirtyHive1/NewDirtyHive" ]; then
	t_skip "corpus yarp/hives_for_tests/NewDirtyHive1 is absent"
else
	before=$(digest "$Y"/NewDirtyHive1/NewDirtyHive*)
	t_run "$OFFMIG" hive recover --json -o rec "$Y/NewDirtyHive1/NewDirtyHive" >out 2>err
	t_expect_status 0
	t_expect_json out '.recover.recovered' true
	t_expect_json out '.recover.seq_after' 5
	cmp -s -i 4096 rec "$Y/NewDirtyHive1/RecoveredHive_Windows10" ||
	    t_bad "rec differs from RecoveredHive_Windows10 after offset 4096"
	t_run "$OFFMIG" hive check --json rec >out 2>err
	t_expect_status 0
	t_expect_json out '.hives[0].dirty' false
	t_expect_json out '.hives[0].checksum_ok' true
	# An existing output, and the evidence itself, are refused.
	t_run "$OFFMIG" hive recover -o rec "$Y/NewDirtyHive1/NewDirtyHive" >out 2>err
	t_expect_status 5
	t_run "$OFFMIG" hive recover --force -o rec "$Y/NewDirtyHive1/NewDirtyHive" >out 2>err
	t_expect_status 0
	[ "$(digest "$Y"/NewDirtyHive1/NewDirtyHive*)" = "$before" ] ||
	    t_bad "the corpus hive or its logs changed"
	t_end
fi

t_begin "hive recover: the output may not be the hive or its logs"
mkdir v && cp "$W10"/Users/dave/NTUSER.DAT "$W10"/Users/dave/ntuser.dat.LOG* v/
before=$(digest v/*)
t_run "$OFFMIG" hive recover --force -o v/ntuser.dat.LOG1 v/NTUSER.DAT >out 2>err
t_expect_status 5
t_expect_output err 'the evidence is never written'
t_run "$OFFMIG" hive recover --force -o v/NTUSER.DAT v/NTUSER.DAT >out 2>err
t_expect_status 5
[ "$(digest v/*)" = "$before" ] || t_bad "the evidence changed"
t_end

t_begin "hive recover: a dirty hive no log recovers"
if [ -z "$C" ] || [ ! -f "$Y/BadLogHive1/BadLogHive" ]; then
	t_skip "corpus yarp/hives_for_tests/BadLogHive1 is absent"
else
	t_run "$OFFMIG" hive recover -o rec "$Y/BadLogHive1/BadLogHive" >out 2>err
	t_expect_status 3
	t_expect_output err 'is dirty and no transaction log recovers it'
	[ ! -e rec ] || t_bad "an output was written"
	t_run "$OFFMIG" hive check "$Y/BadLogHive1/BadLogHive" >out 2>err
	t_expect_status 1
	t_expect_output out 'dirty, no log recovers it'
	t_end
fi

t_begin "hive recover: the largest dirty corpus hive (SYSTEM_B)"
if [ -z "$C" ] || [ ! -f "$C/regipy/SYSTEM_B" ]; then
	t_skip "corpus regipy/SYSTEM_B is absent"
else
	t_run "$OFFMIG" hive recover --json -o sys "$C/regipy/SYSTEM_B" >out 2>err
	t_expect_status 0
	t_expect_json out '.recover.seq_after' 2130
	t_run "$OFFMIG" hive check --json sys >out 2>err
	t_expect_json out '.hives[0].structure.keys' 35595
	t_expect_json out '.hives[0].structure.values' 78901
	t_run "$OFFMIG" hive get "$C/regipy/SYSTEM_B" 'HKLM\SYSTEM\ControlSet001\Control\ComputerName\ComputerName' ComputerName >out 2>err
	t_expect_status 0
	t_expect_output out '^DESKTOP-PM6C56D$'
	t_end
fi

t_begin "hive get: values and keys, logs applied"
SW=$W10/Windows/System32/config/SOFTWARE
t_run "$OFFMIG" hive get "$SW" 'Microsoft\Windows NT\CurrentVersion' ProductName >out 2>err
t_expect_status 0
t_expect_output out '^Windows 10 Pro$'
t_run "$OFFMIG" hive get --json "$SW" 'hklm\software\MICROSOFT\windows nt\currentversion' CurrentBuildNumber >out 2>err
t_expect_status 0
t_expect_json out '.value.type' REG_SZ
t_expect_json out '.value.text' 19045
t_run "$OFFMIG" hive get "$SW" 'Microsoft\Windows NT\CurrentVersion' >out 2>err
t_expect_status 0
t_expect_output out '^"ProductName" REG_SZ "Windows 10 Pro"$'
t_run "$OFFMIG" hive get "$SW" 'Microsoft\NoSuchKey' >out 2>err
t_expect_status 4
t_expect_output err "no key 'Microsoft.NoSuchKey'"
U='Software\Microsoft\Windows\CurrentVersion\Uninstall\{771FD6B0-FA20-440A-A002-3B3BAC16DC50}_is1'
t_run "$OFFMIG" hive get "$W10/Users/dave/NTUSER.DAT" "$U" DisplayName >out 2>err
t_expect_status 0
t_expect_output out '^Microsoft Visual Studio Code \(User\)$'
t_run "$OFFMIG" hive get --no-logs "$W10/Users/dave/NTUSER.DAT" "$U" DisplayName >out 2>err
t_expect_status 4
t_end

t_begin "hive export: regedit's UTF-16 form, UTF-8, JSON"
k='Microsoft\Windows NT\CurrentVersion'
t_run "$OFFMIG" hive export --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' "$SW" "$k" >reg16 2>err
t_expect_status 0
[ "$(head -c 2 reg16 | od -An -tx1 | tr -d ' \n')" = fffe ] || t_bad "no UTF-16LE byte order mark"
iconv -f UTF-16 -t UTF-8 reg16 | tr -d '\r' >reg16.txt
t_run "$OFFMIG" hive export --utf8 --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' -o reg8 "$SW" "$k" >out 2>err
t_expect_status 0
cmp -s reg8 reg16.txt || t_bad "the UTF-8 form is not the UTF-16 form re-encoded"
t_expect_output reg8 '^Windows Registry Editor Version 5.00$'
t_expect_output reg8 '^\[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\]$'
t_expect_output reg8 '^"ProductName"="Windows 10 Pro"$'
t_run "$OFFMIG" hive export --utf8 -o reg8 "$SW" "$k" >out 2>err
t_expect_status 5
t_run "$OFFMIG" hive export --format json --key-only "$SW" "$k" >out 2>err
t_expect_status 0
t_expect_json out '.keys[0].values[] | select(.name == "ProductName") | .data' 'Windows 10 Pro'
t_end

t_begin "hive import: through the safe writer, with a backup"
cp "$SW" SOFTWARE
before=$(digest SOFTWARE)
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\offmig-test]\r\n"Answer"=dword:0000002a\r\n' |
    iconv -f UTF-8 -t UTF-16 >add.reg
t_run "$OFFMIG" hive import --json --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' SOFTWARE add.reg >out 2>err
t_expect_status 0
t_expect_json out '.import.dirty' false
t_expect_json out '.import.backup' SOFTWARE.offmig-bak
[ "$(digest SOFTWARE.offmig-bak)" = "$before" ] || t_bad "the backup is not the hive as it was"
t_run "$OFFMIG" hive get SOFTWARE 'offmig-test' Answer >out 2>err
t_expect_output out '^42$'
t_run "$OFFMIG" hive check SOFTWARE >out 2>err
t_expect_status 0
printf '[offmig-test]\n"Broken"=dword:xyz\n' >bad.reg
before=$(digest SOFTWARE)
t_run "$OFFMIG" hive import SOFTWARE bad.reg >out 2>err
t_expect_status 3
t_expect_output err 'bad.reg:2'
[ "$(digest SOFTWARE)" = "$before" ] || t_bad "a failed import changed the hive"
t_end

t_begin "hive import: refused on a dirty hive whose logs apply"
mkdir d && cp "$W10"/Users/dave/NTUSER.DAT "$W10"/Users/dave/ntuser.dat.LOG* d/
before=$(digest d/*)
printf '[Software\\x]\n"a"="b"\n' >x.reg
t_run "$OFFMIG" hive import d/NTUSER.DAT x.reg >out 2>err
t_expect_status 5
t_expect_output err 'dirty'
[ "$(digest d/*)" = "$before" ] || t_bad "the refused import wrote something"
t_end

t_begin "hive clean: dry run, apply, nothing left, undo to the same bytes"
cp -a "$OFFMIG_VOLUMES/dirty" v
sums() { (cd v && find . -path ./offmig-clean -prune -o -type f -print0 | sort -z |
    xargs -0 sha256sum) | sha256sum | cut -c1-64; }
before=$(sums)
t_run "$OFFMIG" hive clean --json v >out 2>err
t_expect_status 0
t_expect_json out '.mode' dry-run
t_expect_json out '[.actions[] | select(.kind == "replay")] | length' 6
t_expect_json out '[.actions[] | .state] | unique | join(",")' planned
[ "$(sums)" = "$before" ] || t_bad "the dry run changed the volume"
[ ! -e v/offmig-clean ] || t_bad "the dry run made offmig-clean"
t_run "$OFFMIG" hive clean v >out 2>err
t_expect_output out '^dry run: nothing was changed'
t_run "$OFFMIG" hive clean --json --apply v >out 2>err
t_expect_status 0
t_expect_json out '[.actions[] | .state] | unique | join(",")' done
t_run "$OFFMIG" hive check --json v/Windows/System32/config/SOFTWARE v/Users/alice/NTUSER.DAT >out 2>err
t_expect_status 0
t_expect_json out '[.hives[].dirty] | map(tostring) | join(",")' 'false,false'
t_run "$OFFMIG" hive clean --json v >out 2>err
t_expect_json out '.actions | length' 0
t_run "$OFFMIG" hive clean --json --undo v >out 2>err
t_expect_status 0
[ "$(sums)" = "$before" ] || t_bad "undo did not put every file back as it was"
t_run "$OFFMIG" hive clean --json --apply v >out 2>err
t_expect_status 0
t_end

t_begin "hive clean: a hibernated volume is refused"
before=$(cd "$OFFMIG_VOLUMES/dirty-hiber" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
t_run "$OFFMIG" hive clean --apply "$OFFMIG_VOLUMES/dirty-hiber" >out 2>err
t_expect_status 5
t_expect_output err 'Fast Startup'
t_expect_output err 'powercfg /h off'
after=$(cd "$OFFMIG_VOLUMES/dirty-hiber" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
[ "$before" = "$after" ] || t_bad "the refused clean wrote something"
t_run "$OFFMIG" hive clean "$OFFMIG_VOLUMES/dirty-hiber" >out 2>err
t_expect_status 0
t_run "$OFFMIG" hive clean --apply --undo "$OFFMIG_VOLUMES/dirty-hiber" >out 2>err
t_expect_status 2
t_end

t_summary
