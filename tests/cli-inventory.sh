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
t_expect_output out '^HIVE,SCOPE,USER,PRESENT,DIRTY,SEQ,SEQ2,LOGS,HOST PATH'
t_expect_output out '^SOFTWARE,machine,,true,false,2,2,0,Windows/System32/config/SOFTWARE'
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
t_expect_json out ".profiles[] | select(.key == \"$SID-1003\") | .problems[0]" 'NTUSER.DAT is dirty (sequence numbers 3/2); read as it is, 2 log file(s) not applied'
t_expect_empty err
t_end

t_begin "profiles table"
t_run "$OFFMIG" profiles "$W10" >out 2>err
t_expect_status 0
t_expect_output out '^SID +USER +FROM +STATUS +LAST USE +PATH'
t_expect_output out "^$SID-1001 +alice +sam +ok +2024-05-01T09:30:00Z +C:.Users.alice"
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
t_expect_json out '.apps | length' 7
t_expect_json out '.apps[] | select(.name == "Notepad++ (32-bit x86)") | .view' 32
t_expect_json out '.apps[] | select(.name == "7-Zip 23.01 (x64)") | .install_date' 2023-02-14
t_expect_json out '.apps[] | select(.name == "Zoom Workplace") | .scope' user
t_expect_json out '.apps[] | select(.name == "Spotify") | .sid' "$SID-1003"
t_end

t_begin "apps --all shows what Add/Remove Programs hides"
t_run "$OFFMIG" apps --all --json "$W10" >out 2>err
t_expect_json out '.apps | length' 11
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

t_begin "folders table for one user and csv"
t_run "$OFFMIG" folders "$W10" alice >out 2>err
t_expect_output out '^Documents +D:.Docs +user-shell-folders +drive +no'
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
t_expect_output out '^== Windows =='
t_expect_output out '^== Profiles =='
t_expect_output out '^== Applications \(7\) =='
t_expect_output out '^== Attention \([0-9]+\) =='
t_expect_output out 'bak-twin'
t_expect_output out 'temporary-profile'
t_expect_output out 'dirty-hive'
t_expect_output out 'orphan-folder'
t_end

t_begin "inspect --json"
t_run "$OFFMIG" inspect --json "$W10" >out 2>err
t_expect_json out '.os.computer_name' DESKTOP-OFFMIG
t_expect_json out '[.attention[].what] | index("bak-twin") != null' true
t_expect_json out '.apps | length' 7
t_end

t_begin "tables fit COLUMNS"
COLUMNS=80 t_run "$OFFMIG" profiles "$W10" >out 2>err
t_expect_no_output out '^.{81,}'
t_end

t_begin "a clean volume exits 0 with no warnings"
t_run "$OFFMIG" inspect "$OFFMIG_VOLUMES/win11" >out 2>err
t_expect_status 0
t_expect_empty err
t_end

t_summary
