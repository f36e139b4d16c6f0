# cli-plan.sh - "offmig plan": USMT rules written for these tests
# (tests/fixtures/usmt/*.xml) evaluated on synthetic Windows 10, 7 and XP
# volumes built from tests/fixtures/usmt/*.vol, against exact expected
# lists; precedence, ties, config.xml, --explain, --genconfig, unsupported
# constructs, invalid XML, links never followed, the volume never written.
. "${OFFMIG_SRCDIR:?}/lib.sh"
U=$OFFMIG_SRCDIR/fixtures/usmt
W10=$OFFMIG_VOLUMES/win10

# The test volumes, built once for this script.
vols=$t_top/vols
mkdir -p "$vols" || exit 99
for v in win10 win7 xp; do
	"$OFFMIG_MKWINVOL" "$U/$v.vol" "$vols/$v" >/dev/null || exit 99
done

# Digest of every file and link of a tree, to prove nothing was written.
tree_digest() {
	(cd "$1" && find . -printf '%p %y %s %T@ %l\n' | LC_ALL=C sort |
	    sha256sum | awk '{ print $1 }')
}

# The objects of a --json plan, one line each, sorted.
objects() {
	jq -r '.objects[] | [.type, .path, (.user // "-"), .component,
	    "\(.rule.file):\(.rule.line)"] | join(" | ")' "$1" | LC_ALL=C sort
}

rules() { cp "$U"/*.xml . || exit 99; }

t_begin "plan: usage errors"
t_run "$OFFMIG" plan >out 2>err
t_expect_status 2
t_expect_output err 'VOLUME is missing'
t_run "$OFFMIG" plan "$vols/win10" >out 2>err
t_expect_status 2
t_expect_output err 'at least one -i FILE.xml'
t_run "$OFFMIG" plan "$vols/win10" -i x.xml --frob >out 2>err
t_expect_status 2
t_run "$OFFMIG" plan "$vols/win10" -i x.xml --all --ui anna >out 2>err
t_expect_status 2
t_expect_output err '--all goes without --ui'
t_run "$OFFMIG" help plan >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig plan \[--json \| --csv\] .* -i XML \.\.\. VOLUME$'
t_end

for v in win10 win7 xp; do
	t_begin "plan: the expected objects of $v"
	rules
	before=$(tree_digest "$vols/$v")
	t_run "$OFFMIG" plan "$vols/$v" -i userdata.xml -i apps.xml -i prec.xml \
	    --config config.xml --json >out 2>err
	t_expect_status 0
	objects out >got
	diff -u "$U/$v.expected" got >diff || t_bad "objects differ: $(cat diff)"
	[ "$(tree_digest "$vols/$v")" = "$before" ] || t_bad "the volume changed"
	t_expect_json out '.summary.totals.unsupported' 0
	t_expect_json out '.summary.errors' 0
	t_end
done

t_begin "plan: totals per user, component and known folder (win10)"
rules
t_run "$OFFMIG" plan "$vols/win10" -i userdata.xml -i apps.xml -i prec.xml \
    --config config.xml --json >out 2>err
t_expect_status 0
t_expect_json out '.summary.totals.files' 14
t_expect_json out '.summary.totals.bytes' 5765
t_expect_json out '.summary.totals.registry_values' 4
t_expect_json out '.summary.users[] | select(.user == "anna") | "\(.files) \(.bytes) \(.registry_values)"' '8 2668 4'
t_expect_json out '.summary.users[] | select(.context == "system") | "\(.files) \(.bytes)"' '3 580'
t_expect_json out '.summary.known_folders[] | select(.user == "anna" and .folder == "Documents") | "\(.files) \(.bytes)"' '3 1920'
t_expect_json out '.summary.components[] | select(.component == "7-Zip" and .user == "anna") | .registry_values' 2
t_expect_json out '[.summary.components[] | select(.component == "7-Zip") | .detected] | map(tostring) | join(",")' 'true,false'
# Both components that take notes.txt count it.
t_expect_json out '.summary.components[] | select(.component == "Other component") | .files' 1
t_expect_json out '.objects[] | select(.path == "C:\\Users\\anna\\Documents\\Budget.XLSX") | "\(.host_path) \(.size) \(.known_folder) \(.sid)"' 'Users/anna/Documents/Budget.XLSX 120 Documents S-1-5-21-101-202-303-1001'
t_expect_json out '.summary.os_version' '10.0.19045'
t_expect_json out '.summary.native_64bit' true
t_end

t_begin "plan: config.xml migrate=\"no\" leaves a component out"
rules
t_run "$OFFMIG" plan "$vols/win10" -i userdata.xml --json >out 2>err
t_expect_status 0
t_expect_json out '[.objects[] | select(.component == "Favorites folder") | .path] | join(",")' 'C:\Users\anna\Favorites\site.url'
t_run "$OFFMIG" plan "$vols/win10" -i userdata.xml --config config.xml --json >out 2>err
t_expect_status 0
t_expect_json out '[.objects[] | select(.component == "Favorites folder")] | length' 0
t_expect_json out '.summary.notes | map(select(test("Favorites folder.*migrate"))) | length' 1
t_expect_json out '.summary.not_applied[] | select(.element == "Policies") | .file' config.xml
t_end

t_begin "plan: precedence, ties and unconditionalExclude (--explain)"
rules
t_run "$OFFMIG" plan "$vols/win10" -i prec.xml --json >out 2>err
t_expect_status 0
objects out >got
cat >want <<'EOF'
file | C:\Data\Old\Report.DOC | - | Data folder | prec.xml:14
file | C:\Data\Projects\notes.txt | - | Data folder | prec.xml:14
EOF
diff -u want got >diff || t_bad "objects differ: $(cat diff)"
t_expect_json out '.summary.totals.ties' 1
t_expect_json out '.summary.ties[0] | "\(.path) \(.include_line) \(.exclude_line)"' 'C:\Data\Projects\Plan.doc 15 25'
# A folder beats an extension.
t_run "$OFFMIG" plan "$vols/win10" -i prec.xml --explain 'C:\Data\Projects\notes.txt' --json >out 2>err
t_expect_status 0
t_expect_json out '[.selected[] | .component] | join(",")' 'Data folder,Other component'
t_expect_json out '.matches[] | select(.pattern == "C:\\* [*.txt]") | .won' false
# An equally specific exclude wins, and the tie is said.
t_run "$OFFMIG" plan "$vols/win10" -i prec.xml --explain 'C:\DATA\projects\PLAN.doc' >out 2>err
t_expect_status 0
t_expect_output out 'not selected'
t_expect_output out "tie in 'Data folder'.*line 25; the exclude wins"
# unconditionalExclude beats the other component's include.
t_run "$OFFMIG" plan "$vols/win10" -i prec.xml --explain 'C:\Data\Projects\secret.doc' --json >out 2>err
t_expect_status 0
t_expect_json out '.selected | length' 0
t_expect_json out '.matches[] | select(.kind == "unconditionalExclude") | "\(.won) \(.line)"' 'true 48'
# A registry value left out by a more specific exclude.
t_run "$OFFMIG" plan "$vols/win10" -i apps.xml --ui anna --explain 'HKCU\Software\7-Zip\FM [Viewer]' --json >out 2>err
t_expect_status 0
t_expect_json out '.selected | length' 0
t_expect_json out '[.matches[] | "\(.kind):\(.won)"] | join(",")' 'include:false,exclude:true'
t_end

t_begin "plan: links and junction loops are not followed; names match in any case"
rules
t_run "$OFFMIG" plan "$vols/win10" -i prec.xml -i userdata.xml --json >out 2>err
t_expect_status 0
t_expect_no_output out 'loop'
t_expect_no_output out 'docs.txt'
t_expect_json out '.summary.totals.links_skipped >= 2' true
# "*.xls*" takes Budget.XLSX, "[*.doc]" Report.DOC.
t_expect_json out '[.objects[] | select(.path | test("Budget.XLSX|Report.DOC"))] | length' 2
t_end

t_begin "plan: version detects, WOW64 environments and HKCU (win10 x64, win7 x86)"
rules
t_run "$OFFMIG" plan "$vols/win10" -i apps.xml --json >out 2>err
t_expect_status 0
t_expect_json out '[.summary.detected[] | select(.component == "Notepad++ 8") | .detected] | all' true
t_expect_json out '[.objects[] | select(.component == "Notepad++ 8") | .path] | join(",")' 'C:\Users\anna\AppData\Roaming\Notepad++\config.xml,HKCU\Software\Notepad++ [lastSession],HKCU\Software\Notepad++ [sessionDir]'
t_run "$OFFMIG" plan "$vols/win7" -i apps.xml --json >out 2>err
t_expect_status 0
t_expect_json out '[.summary.detected[] | select(.component == "Notepad++ 8") | .detected] | any' false
t_expect_json out '.summary.native_64bit' false
t_run "$OFFMIG" plan "$vols/xp" -i apps.xml --json >out 2>err
t_expect_status 0
t_expect_json out '[.summary.detected[] | select(.component | startswith("WinZip")) | .detected] | any' true
t_end

t_begin "plan: helpers that generate patterns, read strings and filter"
rules
t_run "$OFFMIG" plan "$vols/win10" -i helpers.xml --json >out 2>err
t_expect_status 0
objects out >got
cat >want <<'EOF'
file | C:\Data\Projects\Plan.doc | anna | Last session | helpers.xml:71
file | C:\Data\Projects\secret.doc | anna | Last session | helpers.xml:71
file | C:\Users\anna\Desktop\notes.txt | anna | Found documents | helpers.xml:40
file | C:\Users\anna\Documents\Budget.XLSX | anna | Found documents | helpers.xml:40
file | C:\Users\anna\Documents\letters\Letter.doc | anna | Found documents | helpers.xml:40
file | C:\Users\anna\Documents\report-anna.txt | anna | Found documents | helpers.xml:40
file | C:\Users\ben\Desktop\notes.txt | ben | Found documents | helpers.xml:40
file | C:\Users\ben\Documents\report-ben.txt | ben | Found documents | helpers.xml:40
file | C:\Users\ben\Documents\thesis.docx | ben | Found documents | helpers.xml:40
registry | HKCU\Software\7-Zip\FM [Editor] | anna | Last session | helpers.xml:76
EOF
diff -u want got >diff || t_bad "objects differ: $(cat diff)"
# GenerateUserPatterns from the system context takes ben's thesis too.
t_expect_json out '.summary.components[] | select(.component == "Theses of all users") | "\(.files) \(.bytes)"' '1 999'
t_expect_json out '[.summary.components[] | select(.component == "Last session") | .detected] | map(tostring) | join(",")' 'true,false'
t_expect_json out '.summary.notes | map(select(test("document finder"))) | length' 1
t_end

t_begin "plan: Ini patterns read INI files as GetPrivateProfileString does"
rules
# A copy of win10 with INI files in UTF-8, UTF-16LE, Windows-1252, one too
# big and one with a NUL byte; mkwinvol writes no file contents.
cp -a "$vols/win10" "$vols/ini" || exit 99
iv=$vols/ini
printf '%s\r\n' '; app.ini' 'Orphan=before any section' '[Settings]' \
    '  Name = Offmig  ' 'Secret=hunter2' 'name=the first one wins' \
    'NoEquals' '' '[Paths]' 'Home=%SystemDrive%\Data\Projects' \
    '[SecondPane]' 'Color="blue"' 'Width=3' '[ settings ]' 'Late=merged' \
    '[Flags]' 'A=on' 'B=off' '[Broken' 'k=v' >"$iv/Windows/app.ini"
printf '[Sect\351]\r\nEuro=\200 5\r\n' >"$iv/Windows/cp1252.ini"
truncate -s 5M "$iv/Windows/big.ini" || exit 99
printf '[Bin]\000\001\377=\n[After]\nk=v\n' >"$iv/Windows/binary.ini"
mkdir -p "$iv/Users/anna/AppData/Roaming/Tool" || exit 99
printf '[Tool]\r\nMode=fast\r\nNum=\342\202\254\r\n' |
    iconv -f UTF-8 -t UTF-16LE | { printf '\377\376'; cat; } \
    >"$iv/Users/anna/AppData/Roaming/Tool/tool.ini"
before=$(tree_digest "$iv")
t_run "$OFFMIG" plan "$iv" -i ini.xml --json >out 2>err
# big.ini is a per-item warning: exit 1, nothing unsupported.
t_expect_status 1
t_expect_output err 'big.ini: 5242880 bytes, larger than 4194304: not read as an INI file'
t_expect_json out '.summary.totals.unsupported' 0
t_expect_json out '.summary.totals.ini_keys' 8
objects out >got
cat >want <<'EOF'
file | C:\Data\Projects\Plan.doc | - | App INI | ini.xml:38
file | C:\Data\Projects\notes.txt | - | App INI | ini.xml:38
file | C:\Data\Projects\photo.jpg | - | App INI | ini.xml:38
file | C:\Data\Projects\secret.doc | - | App INI | ini.xml:38
ini | C:\Users\anna\AppData\Roaming\Tool\tool.ini|Tool[Mode] | anna | Tool INI | ini.xml:60
ini | C:\Users\anna\AppData\Roaming\Tool\tool.ini|Tool[Num] | anna | Tool INI | ini.xml:60
ini | C:\Windows\app.ini|Flags[A] | anna | Tool INI | ini.xml:65
ini | C:\Windows\app.ini|SecondPane[Color] | - | App INI | ini.xml:29
ini | C:\Windows\app.ini|Settings[Late] | - | App INI | ini.xml:28
ini | C:\Windows\app.ini|Settings[Name] | - | App INI | ini.xml:28
ini | C:\Windows\app.ini|Settings[NoEquals] | - | App INI | ini.xml:28
ini | C:\Windows\cp1252.ini|Secté[Euro] | - | App INI | ini.xml:30
EOF
diff -u want got >diff || t_bad "objects differ: $(cat diff)"
# Sizes are the value's UTF-8 bytes: "Offmig", "blue" unquoted, "€ 5", "€".
t_expect_json out '[.objects[] | select(.type == "ini") | "\(.size)"] | join(",")' '6,0,4,6,2,5,4,3'
t_expect_json out '.objects[] | select(.path | endswith("Tool[Num]")) | .host_path' 'Users/anna/AppData/Roaming/Tool/tool.ini'
# The value's text, decoded from UTF-16LE and cp1252, trimmed, unquoted.
t_expect_json out '.objects[] | select(.path | endswith("Tool[Num]")) | .value' '€'
t_expect_json out '.objects[] | select(.path | endswith("Settings[Name]")) | .value' 'Offmig'
t_expect_json out '.objects[] | select(.path | endswith("SecondPane[Color]")) | .value' 'blue'
t_expect_json out '[.objects[] | select(.type == "file") | has("value")] | any' false
t_expect_json out '[.summary.components[] | "\(.component):\(.detected):\(.ini_keys)"] | join(",")' 'App INI:true:5,Tool INI:true:3,Tool INI:true:1'
t_run "$OFFMIG" plan "$iv" -i ini.xml >out 2>err
t_expect_status 1
t_expect_output out '^Total: 4 files, 830 bytes, 0 registry values, 0 keys, 8 INI keys; '
t_expect_output out '^ini +C:.Windows.app.ini\|Settings\[Name\] 6 '
[ "$(tree_digest "$iv")" = "$before" ] || t_bad "the volume changed"
# The exclude of the same file and section wins over Settings[*].
t_run "$OFFMIG" plan "$iv" -i ini.xml --explain 'C:\Windows\app.ini|settings[SECRET]' >out 2>err
t_expect_status 0
t_expect_output out 'not selected'
t_expect_output out 'exclude +yes .*app\.ini\|Settings\[Secret\]'
# A section without [key], no file before the section: said, not guessed.
cat >bad.xml <<'EOF'
<migration urlid="http://offmig.example/migration/test/badini">
  <component type="Application" context="System">
    <displayName>Bad INI</displayName>
    <role role="Settings">
      <rules>
        <include>
          <objectSet>
            <pattern type="Ini">%WINDIR%\app.ini|Settings</pattern>
            <pattern type="Ini">app.ini[key]</pattern>
          </objectSet>
        </include>
      </rules>
    </role>
  </component>
</migration>
EOF
t_run "$OFFMIG" plan "$iv" -i bad.xml --json >out 2>err
t_expect_status 1
t_expect_json out '[.summary.unsupported[] | "\(.line):\(.construct)"] | join(",")' '8:Ini pattern,9:Ini pattern'
t_expect_output err "bad.xml:8: Ini pattern: not evaluated: .*no \[key\]"
t_expect_output err "bad.xml:9: Ini pattern: not evaluated: .*has no '\|'"
t_end

t_begin "plan: registry patterns without a leaf list the keys themselves"
rules
t_run "$OFFMIG" plan "$vols/win10" -i regkeys.xml --json >out 2>err
t_expect_status 0
objects out >got
cat >want <<'EOF'
key | HKCU\Software\Keys | anna | Keys | regkeys.xml:13
key | HKCU\Software\Keys\Empty | anna | Keys | regkeys.xml:13
key | HKCU\Software\Keys\Full | anna | Keys | regkeys.xml:13
key | HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion | - | One machine key | regkeys.xml:31
registry | HKCU\Software\Keys\Full [v] | anna | Keys | regkeys.xml:14
registry | HKCU\Software\Keys\Full\Sub [w] | anna | Keys | regkeys.xml:14
EOF
diff -u want got >diff || t_bad "objects differ: $(cat diff)"
t_expect_json out '"\(.summary.totals.registry_keys) \(.summary.totals.registry_values)"' '4 2'
t_expect_json out '[.summary.users[] | "\(.user // "-"):\(.registry_keys)"] | join(",")' '-:1,anna:3,ben:0'
t_run "$OFFMIG" plan "$vols/win10" -i regkeys.xml >out 2>err
t_expect_status 0
t_expect_output out '^Total: 0 files, 0 bytes, 2 registry values, 4 keys, 0 INI keys; '
t_expect_output out '^key +HKCU.Software.Keys.Empty 0 \[anna / Keys\]'
# The node-only exclude of Sub beats the include of Keys\*.
t_run "$OFFMIG" plan "$vols/win10" -i regkeys.xml --explain 'HKCU\Software\Keys\Full\Sub' >out 2>err
t_expect_status 0
t_expect_output out 'not selected'
t_expect_output out 'exclude +yes .*Keys\\Full\\Sub'
t_end

t_begin "plan: <content> takes the files that registry values and INI keys name"
rules
t_run "$OFFMIG" plan "$vols/win10" -i content.xml --json >out 2>err
t_expect_status 1
objects out >got
cat >want <<'EOF'
file | C:\Data\Projects\Plan.doc | anna | Single files | content.xml:13
file | C:\Data\Projects\notes.txt | anna | Single files | content.xml:13
file | C:\Data\Projects\photo.jpg | anna | Single files | content.xml:13
file | C:\Data\Projects\secret.doc | anna | Folder | content.xml:56
file | C:\Users\anna\Documents\Budget.XLSX | anna | Multiple files | content.xml:34
EOF
diff -u want got >diff || t_bad "objects differ: $(cat diff)"
# Quotes, a separator, PathHints and the first MULTI_SZ string (Single);
# every string and every ';' piece less the exclude (Multiple); one folder
# up with a suffix (Folder).
t_expect_json out '[.summary.components[] | select(.user == "anna") | "\(.component):\(.files)"] | join(",")' 'Single files:3,Multiple files:2,Folder:2,Odd content:0'
t_expect_json out '[.summary.unsupported[] | "\(.line):\(.construct)"] | join(",")' '72:ExtractDirectory,77:NoSuchFunction'
t_expect_json out '[.summary.notes[] | select(test("content.xml"))] | join("\n")' 'content.xml:13: anna: file C:\Data\nothere.txt does not exist
content.xml:13: anna: D:\x\y.txt is not on this volume
content.xml:34: anna: file C:\Data\gone.txt does not exist'
# An INI key as content, on the volume the Ini case wrote.
cat >ini-content.xml <<'EOF'
<migration urlid="http://offmig.example/migration/test/inicontent">
  <component type="Application" context="System">
    <displayName>Home folder</displayName>
    <role role="Settings">
      <rules>
        <include>
          <objectSet>
            <content filter='MigXmlHelper.ExtractDirectory(NULL,"0","* [*.jpg]")'>
              <objectSet>
                <pattern type="Ini">%WINDIR%\app.ini|Paths[Home]</pattern>
              </objectSet>
            </content>
          </objectSet>
        </include>
      </rules>
    </role>
  </component>
</migration>
EOF
t_run "$OFFMIG" plan "$vols/ini" -i ini-content.xml --json >out 2>err
t_expect_status 0
objects out >got
echo 'file | C:\Data\Projects\photo.jpg | - | Home folder | ini-content.xml:8' >want
diff -u want got >diff || t_bad "objects differ: $(cat diff)"
t_end

t_begin "plan: IsSameContent compares files, registry values and INI keys"
rules
printf 'same\r\n' >"$vols/ini/Data/a.txt"
printf 'same\r\n' >"$vols/ini/Data/b.txt"
printf 'Same\r\n' >"$vols/ini/Data/c.txt"
printf 'on' >"$vols/ini/Data/on.txt"
t_run "$OFFMIG" plan "$vols/ini" -i same.xml --json >out 2>err
t_expect_status 1
t_expect_json out '[.summary.components[] | "\(.component)/\(.user // "-"):\(.detected)"] | join(",")' 'Same files/-:true,Different files/-:false,Same value/anna:true,Same value/ben:false,INI and file/-:true,Not one object/-:false'
t_expect_json out '[.summary.unsupported[] | "\(.line):\(.construct)"] | join(",")' '86:IsSameContent'
t_expect_output err "same.xml:86: IsSameContent: not evaluated: C:.Data.\*\.txt: a location with '\*' names no single object"
objects out >got
cat >want <<'EOF'
file | C:\Data\a.txt | - | Same files | same.xml:18
file | C:\Data\on.txt | - | INI and file | same.xml:75
registry | HKCU\Software\Keys\Full [v] | anna | Same value | same.xml:55
EOF
diff -u want got >diff || t_bad "objects differ: $(cat diff)"
t_end

t_begin "plan: user filters"
rules
t_run "$OFFMIG" plan "$vols/win10" -i userdata.xml --ue anna --json >out 2>err
t_expect_status 0
t_expect_json out '[.summary.users[] | .user // "system"] | join(",")' 'system,ben'
t_expect_no_output out 'Users\\\\anna'
t_end

t_begin "plan: constructs that cannot be evaluated are listed, exit 1"
rules
t_run "$OFFMIG" plan "$vols/win10" -i unsupported.xml --json >out 2>err
t_expect_status 1
t_expect_json out '[.summary.unsupported[] | "\(.line):\(.construct):\(.component)"] | join(",")' '12:DoesAppletExist:Odd application,30:Ini pattern:Settings in files,38:FileProperties:Settings in files'
t_expect_output err 'unsupported.xml:12: warning: <condition>: unknown helper function'
t_expect_output err 'unsupported.xml:30: Ini pattern: not evaluated'
# FileProperties on the size works: only the files of 100 bytes or more.
objects out >got
cat >want <<'EOF'
file | C:\Data\Projects\Plan.doc | - | Settings in files | unsupported.xml:45
file | C:\Data\Projects\photo.jpg | - | Settings in files | unsupported.xml:45
EOF
diff -u want got >diff || t_bad "objects differ: $(cat diff)"
t_run "$OFFMIG" plan "$vols/win10" -i unsupported.xml >out 2>err
t_expect_status 1
t_expect_output out '^== Not evaluated \(exit status 1\) ==$'
t_expect_output out 'unsupported.xml +38 +Settings in files +FileProperties'
t_end

t_begin "plan: invalid XML exits 3 with file:line"
rules
printf '<migration urlid="x">\n<component type="Documents">\n</migration>\n' >bad.xml
t_run "$OFFMIG" plan "$vols/win10" -i bad.xml >out 2>err
t_expect_status 3
t_expect_output err '^offmig plan: bad.xml:3: error: not well-formed XML: Opening and ending tag mismatch'
t_expect_empty out
printf '<migration urlid="x">\n<component type="Toy"><displayName>a</displayName>\n<role role="Data"><rules><include><objectSet><script>MigXmlHelper.GenerateDrivePatterns("* [*.doc]" "Fixed")</script></objectSet></include></rules></role></component></migration>\n' >bad2.xml
t_run "$OFFMIG" plan "$vols/win10" -i bad2.xml >out 2>err
t_expect_status 3
t_expect_output err 'bad2.xml:2: error: <component type="Toy">: not one of'
t_expect_output err "bad2.xml:3: error: <script>: helper call .*',' or '\\)' expected after argument 1"
printf '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<migration urlid="&x;"/>\n' >xxe.xml
t_run "$OFFMIG" plan "$vols/win10" -i xxe.xml >out 2>err
t_expect_status 3
t_expect_output err 'xxe.xml:2: error: a DOCTYPE is not allowed'
t_expect_no_output err 'root:'
t_run "$OFFMIG" plan "$vols/win10" -i missing.xml >out 2>err
t_expect_status 4
t_expect_output err 'missing.xml'
t_end

t_begin "plan: duplicate urlid: the second file is not processed, and said so"
rules
cp prec.xml prec2.xml
t_run "$OFFMIG" plan "$vols/win10" -i prec.xml -i prec2.xml --json >out 2>err
t_expect_status 1
t_expect_output err 'prec2.xml:7: warning: urlid ".*" is the urlid of prec.xml too'
t_expect_json out '[.objects[] | .rule.file] | unique | join(",")' prec.xml
t_end

t_begin "plan: CSV and streamed JSON"
rules
t_run "$OFFMIG" plan "$vols/win10" -i prec.xml --csv >out 2>err
t_expect_status 0
t_expect_output out '^type,path,host_path,size,user,sid,component,known_folder,rule_file,rule_line,rule_pattern,tie'
t_expect_output out '^file,C:\\Data\\Projects\\notes.txt,Data/Projects/notes.txt,20,,,Data folder,,prec.xml,14,C:\\Data\\\* \[\*\],false'
[ "$(wc -l <out)" = 3 ] || t_bad "CSV has $(wc -l <out) lines"
t_run "$OFFMIG" plan "$vols/win10" -i prec.xml --json >out 2>err
t_expect_status 0
t_expect_json out '.objects | length' 2
t_expect_json out '.objects[0] | keys | join(",")' 'component,host_path,known_folder,mtime,path,rule,sid,size,tie,type,user'
t_end

t_begin "plan: names that are not UTF-8 stay valid JSON and recoverable"
rules
cp -a "$vols/win7" w7 || exit 99
: >"w7/Users/ivan/Documents/caf$(printf '\351').txt"
t_run "$OFFMIG" plan w7 -i userdata.xml --json >out 2>err
t_expect_status 0
t_expect_json out '[.objects[] | select(.path | test("caf")) | .path | explode | .[-5]] | join(",")' '1105129'
t_expect_output out 'caf\\udbf7\\udce9\.txt'
t_end

t_begin "plan: --genconfig writes a config.xml of the detected components"
rules
t_run "$OFFMIG" plan "$vols/win10" -i userdata.xml -i apps.xml --genconfig gen.xml >out 2>err
t_expect_status 0
t_expect_output out 'gen.xml: 8 components detected'
xmllint --noout gen.xml 2>xerr || t_bad "gen.xml is not XML: $(cat xerr)"
t_expect_output gen.xml '<component displayname="7-Zip" migrate="yes" ID="http://offmig.example/migration/test/apps/7-Zip"/>'
t_expect_no_output gen.xml 'WinZip'
# The generated file is a valid config.xml for plan.
t_run "$OFFMIG" plan "$vols/win10" -i userdata.xml -i apps.xml --config gen.xml --json >out 2>err
t_expect_status 0
t_end

t_begin "plan: the stock Windows 10 fixture (redirected, .bak, no folder, no hive)"
rules
t_run "$OFFMIG" plan "$W10" -i userdata.xml -i apps.xml --json >out 2>err
t_expect_status 0
objects out >got
cat >want <<'EOF'
file | C:\Users\alice\Desktop\notes.txt | alice | Desktop folder | userdata.xml:59
file | C:\Users\bob\Desktop\notes.txt | bob | Desktop folder | userdata.xml:59
file | C:\Users\bob\Documents\report-bob.txt | bob | Documents folder | userdata.xml:29
file | C:\Users\dave\Desktop\notes.txt | dave | Desktop folder | userdata.xml:59
file | C:\Users\dave\Documents\report-dave.txt | dave | Documents folder | userdata.xml:29
file | C:\Users\frank\Desktop\notes.txt | frank | Desktop folder | userdata.xml:59
file | C:\Users\frank\Documents\report-frank.txt | frank | Documents folder | userdata.xml:29
EOF
diff -u want got >diff || t_bad "objects differ: $(cat diff)"
t_expect_json out '.summary.notes | map(select(test("D:\\\\Docs is not on this volume"))) | length' 1
t_expect_json out '.summary.notes | map(select(test("temporary profile .* left out"))) | length' 1
t_expect_json out '.summary.notes | map(select(test("^erin: the profile folder"))) | length' 1
t_end

t_summary
