# cli-inventory.sh - the inventory commands on the generated volumes; the
# expected values come from tests/fixtures/*.vol.
. "${OFFMIG_SRCDIR:?}/lib.sh"
W10="$OFFMIG_VOLUMES/win10"
SID=S-1-5-21-1111111111-2222222222-3333333333

t_begin "os: Windows 10 facts"
t_run "$OFFMIG" os "$W10" >out 2>err
t_expect_status 0
t_expect_output out '^Product: +Windows 10 Pro$'
t_expect_output out '^Build: +19045$'
t_expect_output out '^Update \(UBR\): +3803$'
t_expect_output out '^Architecture: +x64$'
t_expect_output out '^Computer name: +DESKTOP-OFFMIG$'
t_expect_output out '^Control set: +ControlSet001$'
t_expect_output out '^Installed: +2023-02-14T00:00:00Z$'
t_expect_output out '^NTUSER.DAT +user +dave +yes +yes +3 +2 +2 '
t_end

t_begin "os --json has the DESIGN fields"
t_run "$OFFMIG" os --json "$W10" >out 2>err
t_expect_status 0
t_expect_json out '.product_name' 'Windows 10 Pro'
t_expect_json out '.edition' 'Professional'
t_expect_json out '.version' '10.0'
t_expect_json out '.arch' 'x64'
t_expect_json out '.install_date' '2023-02-14T00:00:00Z'
t_expect_json out '[.hives[] | select(.name == "SOFTWARE") | .dirty] | .[0]' 'false'
t_expect_json out '[.hives[] | select(.dirty == true) | .host_path] | join(",")' 'Users/dave/NTUSER.DAT'
t_end

t_begin "os --csv prints the hive list"
t_run "$OFFMIG" os --csv "$W10" >out 2>err
t_expect_status 0
# RFC 4180: every line ends in CR LF.
[ "$(grep -c "$(printf '\r')\$" out)" = "$(wc -l <out)" ] || t_bad "a CSV line does not end in CR LF"
tr -d '\r' <out >csv && mv csv out
t_expect_output out '^name,scope,sid,user,path,host_path,present,size,dirty,seq1,seq2,checksum_ok,logs,problems$'
t_expect_output out '^SOFTWARE,machine,,,C:.Windows.System32.config.SOFTWARE,Windows/System32/config/SOFTWARE,true,[0-9]+,false,2,2,true,0,$'
t_expect_output out "^NTUSER.DAT,user,$SID-1003,dave,C:.Users.dave.NTUSER.DAT,Users/dave/NTUSER.DAT,true,[0-9]+,true,3,2,true,2,"
t_expect_no_output out '^Product'
t_expect_empty err
t_end

t_begin "os: Windows 7, 32-bit"
t_run "$OFFMIG" os "$OFFMIG_VOLUMES/win7" >out 2>err
t_expect_status 0
t_expect_output out '^Product: +Windows 7 Professional$'
t_expect_output out '^Edition: +Professional$'
t_expect_output out '^Build: +7601$'
t_expect_output out '^Architecture: +x86$'
t_expect_output out '^Computer name: +WIN7-OFFICE$'
t_expect_output out '^Installed: +2015-06-01T00:00:00Z$'
t_expect_output out '^NTUSER.DAT +user +ivan +yes +no '
t_expect_empty err
t_end

t_begin "os: Windows XP"
t_run "$OFFMIG" os "$OFFMIG_VOLUMES/xp" >out 2>err
t_expect_output out '^Product: +Microsoft Windows XP$'
t_expect_output out '^Build: +2600$'
t_expect_output out '^Architecture: +x86$'
t_expect_output out '^Computer name: +XP-LEGACY$'
t_expect_output out '^Installed: +2008-03-01T00:00:00Z$'
t_expect_output out '^Windows directory: +C:.WINDOWS$'
t_expect_output out '^NTUSER.DAT +user +leo +yes +yes '
t_end

t_begin "os: Windows 11 told apart by its build"
t_run "$OFFMIG" os --json "$OFFMIG_VOLUMES/win11" >out 2>err
t_expect_status 0
t_expect_json out '.product_name' 'Windows 11 Pro'
t_expect_json out '.arch' 'arm64'
t_expect_json out '.display_version' '23H2'
t_end

t_begin "profiles: statuses of every case"
t_run "$OFFMIG" profiles --json "$W10" >out 2>err
t_expect_status 0
t_expect_json out ".profiles[] | select(.key == \"$SID-1001\") | .status" ok
t_expect_json out ".profiles[] | select(.key == \"$SID-1001\") | .user_source" sam
t_expect_json out ".profiles[] | select(.key == \"$SID-1001\") | .last_use" 2024-05-01T09:30:00Z
t_expect_json out ".profiles[] | select(.key == \"$SID-1001\") | .last_use_source" profile-unload
t_expect_json out ".profiles[] | select(.key == \"$SID-1002\") | .status" temporary
t_expect_json out ".profiles[] | select(.key == \"$SID-1002\") | .state_flags | join(\",\")" temporary
t_expect_json out ".profiles[] | select(.key == \"$SID-1002.bak\") | .status" bak
t_expect_json out ".profiles[] | select(.key == \"$SID-1002.bak\") | .partner" "$SID-1002"
t_expect_json out ".profiles[] | select(.key == \"$SID-1003\") | .hive.dirty" true
t_expect_json out ".profiles[] | select(.key == \"$SID-1004\") | .status" folder-missing
t_expect_json out ".profiles[] | select(.key == \"$SID-1005\") | .status" hive-missing
t_expect_json out '.profiles[] | select(.sid == "S-1-5-18") | .status' system
t_expect_json out '.profiles[] | select(.status == "orphan-folder") | .user' olduser
t_expect_json out ".profiles[] | select(.key == \"$SID-1003\") | .problems[0]" 'NTUSER.DAT is dirty (sequence numbers 3/2); read through its transaction logs (2 entries applied)'
t_expect_json out ".profiles[] | select(.key == \"$SID-1003\") | .hive.recovered" true
t_expect_empty err
t_run "$OFFMIG" profiles --json --no-logs "$W10" >out 2>err
t_expect_json out ".profiles[] | select(.key == \"$SID-1003\") | .problems[0]" 'NTUSER.DAT is dirty (sequence numbers 3/2); read as it is (--no-logs), 2 log file(s) not applied'
t_expect_json out ".profiles[] | select(.key == \"$SID-1003\") | .hive.recovered" null
t_end

t_begin "profiles table"
t_run "$OFFMIG" profiles "$W10" >out 2>err
t_expect_status 0
t_expect_output out '^SID +USER +SOURCE +STATUS +LAST USE +PATH +STATE FLAGS +HIVE +DIRTY$'
t_expect_output out "^$SID-1001 +alice +sam +ok +2024-05-01T09:30:00Z +C:.Users.alice +- +yes +no$"
t_expect_output out "^$SID-1002 +bob +sam +temporary +2024-04-20T17:00:00Z +C:.Users.TEMP +temporary +yes +no$"
t_expect_output out "^$SID-1003 +dave +sam +ok +2024-05-02T08:15:00Z +C:.Users.dave +- +yes +yes$"
t_expect_output out "^$SID-1005 +frank +sam +hive-missing +.* +no +-$"
t_expect_output out '^S-1-5-18 +SYSTEM +wellknown +system '
t_expect_output out '^- +olduser +path +orphan-folder '
t_expect_empty err
t_end

t_begin "profiles --csv"
t_run "$OFFMIG" profiles --csv "$W10" >out 2>err
t_expect_status 0
t_expect_output out '^sid,key,user,user_source,domain,status,path'
t_expect_output out "^$SID-1002,$SID-1002.bak,bob,sam,DESKTOP-OFFMIG,bak,"
t_end

t_begin "--ue and --ui select users as USMT does"
t_run "$OFFMIG" profiles --json --ue '*' --ui 'DESKTOP-OFFMIG\alice' "$W10" >out 2>err
t_expect_json out '[.profiles[].user] | join(",")' alice
t_end

t_begin "--ue by SID wildcard"
t_run "$OFFMIG" profiles --json --ue '*-1001' "$W10" >out 2>err
t_expect_json out '[.profiles[] | select(.user == "alice")] | length' 0
t_expect_json out '[.profiles[] | select(.user == "dave")] | length' 1
t_end

t_begin "--uel drops users not seen for a year"
t_run "$OFFMIG" profiles --json --uel 36500 "$W10" >out 2>err
t_expect_json out '[.profiles[] | select(.user == "erin")] | length' 1
t_run "$OFFMIG" profiles --json --uel 0 "$W10" >out 2>err
t_expect_json out '[.profiles[] | select(.user == "erin")] | length' 0
t_end

t_begin "apps: visible entries, views and scopes"
t_run "$OFFMIG" apps --json "$W10" >out 2>err
t_expect_status 0
t_expect_json out '.apps | length' 8
t_expect_json out '.apps[] | select(.name == "Notepad++ (32-bit x86)") | .view' 32
t_expect_json out '.apps[] | select(.name == "7-Zip 23.01 (x64)") | .install_date' 2023-02-14
t_expect_json out '.apps[] | select(.name == "Zoom Workplace") | .scope' user
t_expect_json out '.apps[] | select(.name == "Spotify") | .sid' "$SID-1003"
t_end

t_begin "apps --all shows what Add/Remove Programs hides"
t_run "$OFFMIG" apps --all --json "$W10" >out 2>err
t_expect_json out '.apps | length' 12
t_expect_json out '[.apps[] | select(.hidden) | .hidden_reason] | sort | join(",")' 'no-name,release-type,system-component,update'
t_end

t_begin "apps table and csv"
t_run "$OFFMIG" apps "$W10" >out 2>err
t_expect_output out '^NAME +VERSION +PUBLISHER +INSTALLED +SCOPE +VIEW +USER'
t_expect_output out '^Zoom Workplace +6.0.2 '
t_run "$OFFMIG" apps --csv "$W10" >out 2>err
t_expect_output out '^name,version,publisher,install_date'
t_expect_output out '^Zoom Workplace,6.0.2,"Zoom Video Communications, Inc.",2024-04-02'
t_end

t_begin "apps on a 32-bit Windows 7"
t_run "$OFFMIG" apps --json "$OFFMIG_VOLUMES/win7" >out 2>err
t_expect_json out '[.apps[].view] | unique | join(",")' 32
t_expect_json out '.apps | length' 2
t_end

t_begin "folders: redirected Documents and browsers"
t_run "$OFFMIG" folders --json "$W10" alice >out 2>err
t_expect_status 0
t_expect_json out '.profiles[0].folders[] | select(.name == "Personal") | .redirect_kind' drive
t_expect_json out '.profiles[0].folders[] | select(.label == "Downloads") | .host_path' Users/alice/Downloads
t_expect_json out '[.profiles[0].browsers[].browser] | sort | join(",")' chrome,chrome,firefox
t_end

t_begin "folders: a section per profile, then the common folders"
t_run "$OFFMIG" folders "$W10" >out 2>err
t_expect_status 0
t_expect_output out "^== alice \\($SID-1001\\) ==\$"
t_expect_output out "^== bob \\($SID-1002, temporary\\) ==\$"
t_expect_output out "^== bob \\($SID-1002, bak\\) ==\$"
t_expect_output out '^== Common folders ==$'
t_expect_output out '^NAME +PATH +SOURCE +REDIRECTED +EXISTS$'
t_expect_output out '^BROWSER +PROFILE +BOOKMARKS +SIZE$'
t_expect_output out '^Desktop +C:.Users.dave.Desktop +user-shell-folders +- +yes$'
t_end

t_begin "folders table for one user and csv"
t_run "$OFFMIG" folders "$W10" alice >out 2>err
t_expect_output out '^Documents +D:.Docs +user-shell-folders +drive +no'
t_expect_no_output out '^== (bob|dave)'
t_run "$OFFMIG" folders --csv "$W10" alice >out 2>err
t_expect_output out '^name,label,csidl,path,path_raw,host_path,source,redirected,redirect_kind,exists'
t_expect_output out '^Personal,Documents,CSIDL_PERSONAL,D:.Docs,D:.Docs,,user-shell-folders,true,drive,false'
t_end

t_begin "folders of an unknown user"
t_run "$OFFMIG" folders "$W10" nobody >out 2>err
t_expect_status 4
t_expect_output err "no profile for user or SID 'nobody'"
t_end

t_begin "XP: lower-case hive names, Documents and Settings"
t_run "$OFFMIG" inspect --json "$OFFMIG_VOLUMES/xp" >out 2>err
t_expect_json out '.os.product_name' 'Microsoft Windows XP'
t_expect_json out '.os.windows_dir' 'C:\WINDOWS'
t_expect_json out '.profiles[] | select(.user == "kate") | .host_path' 'Documents and Settings/kate'
t_expect_json out '.folders.profiles[] | select(.user == "kate") | .folders[] | select(.name == "Personal") | .path' 'C:\Documents and Settings\kate\My Documents'
t_expect_json out '.os.hives[] | select(.name == "SOFTWARE") | .host_path' 'WINDOWS/system32/config/software'
t_end

t_begin "inspect: findings are reported, not failures: exit 0"
t_run "$OFFMIG" inspect "$W10" >out 2>err
t_expect_status 0
t_expect_empty err
t_expect_output out '^== OS ==$'
t_expect_output out '^Computer name: +DESKTOP-OFFMIG$'
t_expect_output out '^== Hives ==$'
t_expect_output out '^== Profiles \(10\) ==$'
t_expect_output out '^== Applications \(8\) ==$'
t_expect_output out '^Spotify +1.2.31 +Spotify AB +user +64 +dave$'
t_expect_output out '^== Known folders ==$'
t_expect_output out "^alice \\($SID-1001\\): [0-9]+ folders, 1 redirected, 0 not on the volume, 3 browser profiles\$"
t_expect_output out '^    Documents -> D:.Docs \(drive, not on this volume\)$'
# At least the six cases win10.vol builds in; more findings may follow.
t_expect_output out '^== Attention \(([6-9]|[1-9][0-9])\) ==$'
t_expect_output out "^! [a-z]+ bak-twin $SID-1002.bak: "
t_expect_output out "^! [a-z]+ temporary-profile $SID-1002: "
t_expect_output out '^! [a-z]+ dirty-hive Users/dave/NTUSER.DAT: '
t_expect_output out "^! [a-z]+ folder-missing $SID-1004: "
t_expect_output out "^! [a-z]+ hive-missing $SID-1005: "
t_expect_output out '^! [a-z]+ orphan-folder Users/olduser: '
t_end

t_begin "inspect: a clean machine has nothing to flag"
t_run "$OFFMIG" inspect "$OFFMIG_VOLUMES/win7" >out 2>err
t_expect_status 0
t_expect_output out '^== Attention \(0\) ==$'
t_expect_output out '^nothing a migration would trip on was found$'
t_end

t_begin "inspect --json"
t_run "$OFFMIG" inspect --json "$W10" >out 2>err
t_expect_json out '.os.computer_name' DESKTOP-OFFMIG
t_expect_json out '[.attention[].what] | index("bak-twin") != null' true
t_expect_json out '.apps | length' 8
t_end

t_begin "a dirty user hive is read through its logs, or as it is with --no-logs"
t_run "$OFFMIG" apps --json "$W10" >out 2>err
t_expect_status 0
t_expect_json out '.apps[] | select(.name == "Microsoft Visual Studio Code (User)") | .user' dave
t_run "$OFFMIG" apps --json --no-logs "$W10" >out 2>err
t_expect_status 0
t_expect_json out '[.apps[] | select(.name == "Microsoft Visual Studio Code (User)")] | length' 0
t_expect_json out '.apps | length' 7
t_run "$OFFMIG" os --json "$W10" >out 2>err
t_expect_json out '.hives[] | select(.user == "dave" and .name == "NTUSER.DAT") | .recovery.recovered' true
t_expect_json out '.hives[] | select(.user == "dave" and .name == "NTUSER.DAT") | .recovery.entries_applied' 2
t_expect_json out '[.hives[] | select(.user == "dave" and .name == "NTUSER.DAT") | .logs[] | .applies] | map(tostring) | join(",")' 'true,false'
t_end

t_begin "every readable form fits COLUMNS=80"
for c in os profiles apps folders inspect; do
	COLUMNS=80 t_run "$OFFMIG" "$c" "$W10" >out 2>err
	t_expect_status 0
	t_expect_no_output out '^.{81,}'
done
t_end

t_begin "piped output is never cut without COLUMNS"
(unset COLUMNS; "$OFFMIG" profiles "$W10") >out 2>err
t_expect_no_output out '~'
t_expect_output out '^.{120,}'
t_end

t_begin "the terminal's width comes before COLUMNS"
if ! command -v script >/dev/null 2>&1; then
	t_skip "script(1) is not installed, no pseudo-terminal to run in"
else
	COLUMNS=300 script -q -e -c "stty cols 70; '$OFFMIG' profiles '$W10'" /dev/null >out 2>err
	tr -d '\r' <out >out.txt
	t_expect_output out.txt '^SID +USER'
	t_expect_no_output out.txt '^.{71,}'
	t_end
fi

t_begin "the JSON documents have the fields of DESIGN.md"
t_run "$OFFMIG" os --json "$W10" >out 2>err
t_expect_json out '["product_name","edition","version","build","arch","computer_name","install_date","control_set","hives"] - keys | length' 0
t_expect_json out '[.hives[] | ["name","path","dirty"] - keys | length] | add' 0
t_run "$OFFMIG" profiles --json "$W10" >out 2>err
t_expect_json out '[.profiles[] | ["sid","user","user_source","path","host_path","state","state_flags","last_use","last_use_source","status","problems"] - keys | length] | add' 0
t_expect_json out '[.profiles[].user_source] - ["sam","wellknown","path","none"] | length' 0
t_expect_json out '[.profiles[].status] | unique | join(",")' 'bak,folder-missing,hive-missing,ok,orphan-folder,system,temporary'
t_run "$OFFMIG" apps --json --all "$W10" >out 2>err
t_expect_json out '[.apps[] | ["name","version","publisher","install_date","location","scope","sid","view","key"] - keys | length] | add' 0
t_expect_json out '[.apps[].view] | unique | join(",")' '32,64'
t_run "$OFFMIG" folders --json "$W10" >out 2>err
t_expect_json out '[.profiles[] | ["sid","user","folders"] - keys | length] | add' 0
t_expect_json out '[.profiles[].folders[] | ["name","csidl","path","host_path","source","redirected"] - keys | length] | add' 0
t_expect_json out '[.. | strings | select(test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T") and (test("Z$") | not))] | length' 0
t_end

t_begin "a clean volume exits 0 with no warnings"
t_run "$OFFMIG" inspect "$OFFMIG_VOLUMES/win11" >out 2>err
t_expect_status 0
t_expect_empty err
t_end

t_summary
