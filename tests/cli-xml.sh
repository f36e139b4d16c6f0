# cli-xml.sh - "offmig xml" on the fixture volumes: the exact components
# each volume gets, the counts their patterns select, validation of every
# file written against src/migrate/offmig-migxml.xsd (xmllint), unique
# urlids and IDs, refusal to overwrite or to write through a symlink, into a
# file or onto the volume, hostile names from the disk escaped so that
# xmllint accepts the output, and the volume left unchanged.
. "${OFFMIG_SRCDIR:?}/lib.sh"
XSD=$OFFMIG_SRCDIR/../src/migrate/offmig-migxml.xsd
W10=$OFFMIG_VOLUMES/win10
W7=$OFFMIG_VOLUMES/win7
XP=$OFFMIG_VOLUMES/xp
have_xmllint=yes
command -v xmllint >/dev/null 2>&1 || have_xmllint=no

# tests/fixtures/xmlgen.vol, built with the other fixture volumes.
XG=$OFFMIG_VOLUMES/xmlgen

# Digest of a whole tree: names, types, sizes, modes, times, link targets
# and contents, so that any write to the volume shows.
tree_digest() {
	(cd "$1" && find . -printf '%P|%y|%s|%m|%T@|%l\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z |
	    xargs -0 sha256sum) | sha256sum | cut -c1-64
}

# Each file of DIR valid against the schema.
validate() {
	if [ $have_xmllint = no ]; then
		t_bad "xmllint is not installed (apt-get install libxml2-utils)"
		return
	fi
	for f in offmig-user.xml offmig-apps.xml config.xml; do
		xmllint --noout --schema "$XSD" "$1/$f" >xmllint.out 2>&1 ||
		    t_bad "$1/$f is not valid: $(head -c 600 xmllint.out)"
	done
}

# xmllint --xpath with a string result.
xp() {
	xmllint --xpath "$2" "$1" 2>/dev/null
}

# Every component preceded by its comment; urlids and IDs unique.
check_structure() {
	for f in offmig-user.xml offmig-apps.xml; do
		n=$(xp "$1/$f" 'count(/migration/component)')
		c=$(xp "$1/$f" 'count(/migration/component[preceding-sibling::node()[not(self::text())][1][self::comment()]])')
		[ "$n" = "$c" ] ||
		    t_bad "$f: $n components, $c with a comment before them"
		d=$(xp "$1/$f" 'count(/migration/component[not(displayName) or displayName=""])')
		[ "$d" = 0 ] || t_bad "$f: $d components without a displayName"
	done
	u1=$(xp "$1/offmig-user.xml" 'string(/migration/@urlid)')
	u2=$(xp "$1/offmig-apps.xml" 'string(/migration/@urlid)')
	[ -n "$u1" ] && [ "$u1" != "$u2" ] ||
	    t_bad "urlids not unique: '$u1' '$u2'"
	ids=$(xmllint --xpath '//component/@ID' "$1/config.xml" 2>/dev/null |
	    tr ' ' '\n' | grep '^ID=')
	[ -z "$(printf '%s\n' "$ids" | sort | uniq -d)" ] ||
	    t_bad "config.xml IDs repeat: $(printf '%s\n' "$ids" | sort | uniq -d)"
	n=$(( $(xp "$1/offmig-user.xml" 'count(/migration/component)') + \
	    $(xp "$1/offmig-apps.xml" 'count(/migration/component)') ))
	[ "$(xp "$1/config.xml" 'count(//component[@migrate="yes"])')" = "$n" ] ||
	    t_bad "config.xml does not list the $n components"
}

# "file:name|file:name..." of the report's components.
comps='[.components[] | "\(.file | sub("offmig-|\\.xml"; ""; "g")):\(.name)"] | join("|")'

t_begin "xml: usage errors"
t_run "$OFFMIG" xml "$W10" >out 2>err
t_expect_status 2
t_expect_output err '^offmig xml: -o DIR is required$'
t_run "$OFFMIG" xml -o x >out 2>err
t_expect_status 2
t_expect_output err 'missing VOLUME'
t_run "$OFFMIG" xml -o x "$W10" extra >out 2>err
t_expect_status 2
t_expect_output err "unexpected argument 'extra'"
t_run "$OFFMIG" xml --frobnicate -o x "$W10" >out 2>err
t_expect_status 2
[ ! -e x ] || t_bad "a usage error created the output directory"
t_run "$OFFMIG" help xml >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig xml \[--json \| --csv\] \[--force\]'
t_end

t_begin "xml: Windows 10, exact components, counts and schema"
before=$(tree_digest "$W10")
t_run "$OFFMIG" xml --json "$W10" -o out >report 2>err
t_expect_status 0
t_expect_empty err
t_expect_json report "$comps" 'user:Desktop|user:Documents|user:Google Chrome profiles|user:Mozilla Firefox profiles|apps:7-Zip|apps:Mozilla Firefox|apps:Notepad++'
t_expect_json report '.components[] | select(.name == "Desktop") | "\(.files) \(.bytes) \(.profiles) \(.context)"' '4 72 4 User'
t_expect_json report '.components[] | select(.name == "Documents") | "\(.files) \(.bytes)"' '3 4500'
t_expect_json report '.components[] | select(.name == "Documents") | .reason | test("alice.s Documents is redirected to D:.Docs, which is not on this volume")' true
t_expect_json report '.components[] | select(.name == "Google Chrome profiles") | "\(.files) \(.bytes) \(.detail)"' '2 96 alice: 2 files, 96 bytes'
t_expect_json report '[.omitted[].what] | map(select(test("^(Downloads|Pictures|Microsoft Office|Outlook)"))) | join("|")' 'Downloads: empty or absent in every profile|Pictures: empty or absent in every profile|Microsoft Office: not installed|Outlook data files outside the profiles: no .pst file found outside the profiles and system folders'
t_expect_json report '.counts | "\(.components) \(.user_components) \(.app_components)"' '7 4 3'
t_expect_json report '[.files[].urlid | tostring] | join(" ")' 'http://offmig.example/migxml/DESKTOP-OFFMIG/user http://offmig.example/migxml/DESKTOP-OFFMIG/apps null'
validate out
check_structure out
t_expect_output out/offmig-user.xml '<pattern type="File">%CSIDL_PERSONAL%\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<pattern type="File">%CSIDL_MYPICTURES%\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<!-- Desktop \(%CSIDL_DESKTOPDIRECTORY%\) of each user holds 4 files, 72 bytes in 4 profiles -->'
t_expect_output out/offmig-user.xml 'Google\\Chrome\\User Data\\Profile 1\\Cache\\\* \[\*\]'
t_expect_output out/offmig-user.xml '<!-- left out: Downloads: empty or absent in every profile -->'
# 7-Zip x64 is a native entry; Notepad++ 32-bit goes through the WOW view.
t_expect_output out/offmig-apps.xml 'DoesObjectExist\(&quot;Registry&quot;,&quot;HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip \[DisplayName\]&quot;\)'
t_expect_output out/offmig-apps.xml 'DoesObjectExist\(&quot;Registry&quot;,&quot;%HklmWowSoftware%\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Notepad\+\+ \[DisplayName\]&quot;\)'
t_expect_output out/offmig-apps.xml '<pattern type="File">%CSIDL_APPDATA%\\Notepad\+\+\\\* \[\*\]</pattern>'
t_expect_output out/offmig-apps.xml '<pattern type="Registry">HKCU\\Software\\7-Zip\\\* \[\*\]</pattern>'
t_expect_no_output out/offmig-user.xml 'GenerateDrivePatterns'
[ "$(xp out/offmig-apps.xml 'string(//namedElements/environment[@name="GlobalEnvX64"]/conditions/condition)')" = 'MigXmlHelper.IsNative64Bit()' ] ||
    t_bad "no GlobalEnvX64 environment on IsNative64Bit()"
[ "$(xp out/offmig-apps.xml 'string(//namedElements/environment[@name="GlobalEnv"]/variable[@name="HklmWowSoftware"]/text)')" = 'HKLM\Software' ] ||
    t_bad "GlobalEnv does not set HklmWowSoftware to HKLM\\Software"
[ "$(xp out/offmig-apps.xml 'count(//component[displayName="Notepad++"]/environment)')" = 2 ] ||
    t_bad "Notepad++ does not use the WOW64 environments"
[ "$(tree_digest "$W10")" = "$before" ] || t_bad "the volume changed"
t_end

t_begin "xml: the table report"
t_run "$OFFMIG" xml "$W10" -o out >report 2>err
t_expect_status 0
t_expect_output report '^wrote out/offmig-user.xml \(4 components, [0-9]+ bytes\)$'
t_expect_output report '^wrote out/config.xml \(7 components, [0-9]+ bytes\)$'
t_expect_output report '^FILE +COMPONENT +CONTEXT +FILES +BYTES +REGISTRY +REASON$'
t_expect_output report '^offmig-user.xml +Documents +User +3 +4500 +0 '
t_expect_output report '^  Microsoft Office: not installed$'
t_expect_output report '^7 components \(4 user data, 3 applications\), '
t_run "$OFFMIG" xml --csv "$W10" -o out2 >report 2>err
t_expect_status 0
t_expect_output report '^file,name,id,type,context,files,bytes,registry_values,profiles,reason'
t_expect_output report '^offmig-apps.xml,7-Zip,http://offmig.example/migxml/DESKTOP-OFFMIG/apps/7-zip,Application,User,'
t_end

t_begin "xml: Windows 7 32-bit with Office 2010"
before=$(tree_digest "$W7")
t_run "$OFFMIG" xml --json -o out "$W7" >report 2>err
t_expect_status 0
t_expect_json report "$comps" 'user:Desktop|user:Documents|user:Google Chrome profiles|user:Mozilla Firefox profiles|apps:Microsoft Office'
t_expect_json report '.components[] | select(.name == "Documents") | "\(.files) \(.detail)"' '2 ivan: 1 files, 1500 bytes; judy: 1 files, 1500 bytes'
validate out
check_structure out
[ "$(xp out/offmig-apps.xml 'string(//component[displayName="Microsoft Office"]//detection//condition)')" = 'MigXmlHelper.DoesObjectExist("Registry","%HklmWowSoftware%\Microsoft\Windows\CurrentVersion\Uninstall\Office14.PROPLUS [DisplayName]")' ] ||
    t_bad "Office 2010 is not detected by its Uninstall entry through %HklmWowSoftware%"
t_expect_output out/offmig-apps.xml '<pattern type="Registry">HKCU\\Software\\Microsoft\\Office\\14.0\\\* \[\*\]</pattern>'
t_expect_output out/offmig-apps.xml '<pattern type="File">%CSIDL_APPDATA%\\Microsoft\\Templates\\\* \[\*\]</pattern>'
t_expect_output out/offmig-apps.xml '<pattern type="File">%CSIDL_APPDATA%\\Microsoft\\UProof\\\* \[\*\]</pattern>'
[ "$(tree_digest "$W7")" = "$before" ] || t_bad "the volume changed"
t_end

t_begin "xml: Windows XP, no application it knows"
t_run "$OFFMIG" xml --json -o out "$XP" >report 2>err
t_expect_status 0
t_expect_json report "$comps" 'user:Desktop|user:Documents'
t_expect_json report '.components[] | select(.name == "Documents") | "\(.files) \(.profiles)"' '2 2'
t_expect_json report '.files[1] | "\(.name) \(.components)"' 'offmig-apps.xml 0'
validate out
check_structure out
[ "$(xp out/offmig-apps.xml 'count(/migration/component)')" = 0 ] ||
    t_bad "offmig-apps.xml has components"
t_expect_no_output out/offmig-apps.xml 'WinZip'
t_expect_output out/offmig-apps.xml '<!-- left out: 7-Zip: not installed -->'
t_expect_no_output out/config.xml '<Applications>'
t_end

t_begin "xml: data folders, redirection, browsers and applications (xmlgen.vol)"
before=$(tree_digest "$XG")
t_run "$OFFMIG" xml --json -o out "$XG" >report 2>err
t_expect_status 0
t_expect_empty err
t_expect_json report "$comps" 'user:Desktop|user:Documents|user:Downloads|user:Music|user:Favorites|user:Pictures of carol (redirected)|user:Public Documents|user:Google Chrome profiles|user:Microsoft Edge profiles|user:Mozilla Firefox profiles|user:Data folder C:\Data|user:Data folder C:\Photos|user:Data folder C:\Projects|apps:7-Zip|apps:Google Chrome|apps:Microsoft Edge|apps:Microsoft Office|apps:Notepad++|apps:Mozilla Firefox|apps:Outlook data files outside the profiles'
# name files bytes registry_values, as the patterns select them
t_expect_json report '[.components[] | "\(.name)=\(.files)/\(.bytes)/\(.registry_values)"] | join(" ")' 'Desktop=3/54/0 Documents=5/14500/0 Downloads=1/700/0 Music=1/3000/0 Favorites=1/60/0 Pictures of carol (redirected)=2/11000/0 Public Documents=1/1100/0 Google Chrome profiles=4/596/0 Microsoft Edge profiles=1/50/0 Mozilla Firefox profiles=2/4232/0 Data folder C:\Data=2/2510/0 Data folder C:\Photos=1/90/0 Data folder C:\Projects=2/1200/0 7-Zip=0/0/2 Google Chrome=0/0/1 Microsoft Edge=0/0/0 Microsoft Office=3/2740/2 Notepad++=2/1500/0 Mozilla Firefox=0/0/0 Outlook data files outside the profiles=3/19000/0'
t_expect_json report '[.omitted[].what | select(test("Games|^Pictures:"))] | join("|")' "Pictures: empty or absent in every profile; carol's Pictures is redirected to C:\\Photos\\carol on this volume, which has a component of its own|C:\\Games: a folder outside the profiles with no documents (2 files)"
t_expect_json report '[.components[].name | select(test("MigStore|Recycle|Program|Loop|DataLink|Games|Users"))] | length' 0
validate out
check_structure out
# The redirected folder: explicit path, excluded from the variable's
# component and from the data folder that holds it.
t_expect_output out/offmig-user.xml '<pattern type="File">C:\\Photos\\carol\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<pattern type="File">%SYSTEMDRIVE%\\Photos\\carol\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<pattern type="File">%USERPROFILE%\\Downloads\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<pattern type="File">%CSIDL_COMMON_DOCUMENTS%\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<pattern type="File">%SYSTEMDRIVE%\\Data\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml 'Microsoft\\Edge\\User Data\\Default\\Code Cache\\\* \[\*\]'
t_expect_output out/offmig-user.xml '<!-- C:.Data is a folder outside the profiles and the system folders that holds 1 documents among 2 files, 2510 bytes -->'
# Its .pst file is the Outlook component's, excluded here: taken once.
t_expect_output out/offmig-user.xml '<pattern type="File">C:\\Data\\Mail \[archive.pst\]</pattern>'
# C:\Archive holds only a .pst: no data folder of its own.
t_expect_json report '[.omitted[].what | select(test("Archive"))] | join("|")' 'C:\Archive: a folder outside the profiles with no documents (0 files)'
t_expect_output out/offmig-apps.xml '<pattern type="File">C:\\ \[backup.pst\]</pattern>'
t_expect_output out/offmig-apps.xml '<pattern type="File">C:\\Data\\Mail \[archive.pst\]</pattern>'
t_expect_output out/offmig-apps.xml '<condition>MigXmlHelper.DoesObjectExist\(&quot;File&quot;,&quot;C:\\Archive \[2019.pst\]&quot;\)</condition>'
t_expect_output out/offmig-apps.xml '<pattern type="Registry">HKCU\\Software\\Microsoft\\Office\\16.0\\\* \[\*\]</pattern>'
# 32-bit 7-Zip and Office through WOW, 64-bit Notepad++ native, a
# per-user Firefox in HKCU.
t_expect_output out/offmig-apps.xml '&quot;%HklmWowSoftware%\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip \[DisplayName\]&quot;'
t_expect_output out/offmig-apps.xml '&quot;%HklmWowSoftware%\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Office16.PROPLUS \[DisplayName\]&quot;'
t_expect_output out/offmig-apps.xml '&quot;HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Notepad\+\+ \[DisplayName\]&quot;'
t_expect_output out/offmig-apps.xml '&quot;HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Mozilla Firefox 126.0 \(x64 en-US\) \[DisplayName\]&quot;'
[ "$(xp out/config.xml 'count(/Configuration/Documents/component)') $(xp out/config.xml 'count(/Configuration/Applications/component)')" = '13 7' ] ||
    t_bad "config.xml sections do not hold 13 and 7 components"
[ "$(xp out/config.xml 'string(//component[@displayname="Pictures of carol (redirected)"]/@ID)')" = 'http://offmig.example/migxml/XMLGEN-PC/user/pictures-of-carol-redirected' ] ||
    t_bad "unexpected ID for the redirected folder"
t_expect_no_output out/config.xml '<(Policies|ErrorControl)'
[ "$(tree_digest "$XG")" = "$before" ] || t_bad "the volume changed"
t_end

t_begin "xml: --ui selects the profiles looked at"
t_run "$OFFMIG" xml --json --ue '*' --ui dan -o out "$XG" >report 2>err
t_expect_status 0
t_expect_json report '.components[] | select(.name == "Documents") | "\(.files) \(.detail)"' '2 dan: 2 files, 2500 bytes'
t_expect_json report '[.components[].name | select(. == "Google Chrome profiles" or . == "Downloads")] | length' 0
t_end

t_begin "xml: existing files are not overwritten without --force"
t_run "$OFFMIG" xml -o out "$W7" >report 2>err
t_expect_status 0
echo 'mine' >out/config.xml
sum=$(cat out/*.xml | sha256sum)
t_run "$OFFMIG" xml -o out "$W7" >report 2>err
t_expect_status 5
t_expect_output err '^offmig xml: out/offmig-user.xml exists; --force replaces it$'
[ "$(cat out/*.xml | sha256sum)" = "$sum" ] || t_bad "files changed"
rm out/offmig-user.xml out/offmig-apps.xml
t_run "$OFFMIG" xml -o out "$W7" >report 2>err
t_expect_status 5
t_expect_output err 'out/config.xml exists'
[ ! -e out/offmig-user.xml ] || t_bad "a file was written before the refusal"
t_run "$OFFMIG" xml --force -o out "$W7" >report 2>err
t_expect_status 0
validate out
[ "$(ls -A out | sort | tr '\n' ' ')" = 'config.xml offmig-apps.xml offmig-user.xml ' ] ||
    t_bad "out holds $(ls -A out | tr '\n' ' ')"
mkdir out2 out2/config.xml
t_run "$OFFMIG" xml --force -o out2 "$W7" >report 2>err
t_expect_status 5
t_expect_output err 'out2/config.xml is a directory; refused'
t_end

t_begin "xml: DIR that is a symlink, a file, on the volume, or nowhere"
mkdir real
ln -s real link
t_run "$OFFMIG" xml -o link "$W7" >report 2>err
t_expect_status 5
t_expect_output err '^offmig xml: link: the output directory is a symbolic link; refused$'
[ -z "$(ls -A real)" ] || t_bad "something was written through the link"
: >afile
t_run "$OFFMIG" xml -o afile "$W7" >report 2>err
t_expect_status 5
t_expect_output err 'afile: exists and is not a directory; refused'
[ ! -s afile ] || t_bad "the file was written"
t_run "$OFFMIG" xml -o nowhere/deeper "$W7" >report 2>err
t_expect_status 4
t_expect_output err "cannot open the output directory's parent 'nowhere'"
cp -a "$W7" vcopy
before=$(tree_digest vcopy)
t_run "$OFFMIG" xml -o vcopy/migxml vcopy >report 2>err
t_expect_status 5
t_expect_output err 'is on the inspected volume'
t_run "$OFFMIG" xml -o vcopy/Users/ivan vcopy >report 2>err
t_expect_status 5
t_run "$OFFMIG" xml -o vcopy/ vcopy >report 2>err
t_expect_status 5
[ "$(tree_digest vcopy)" = "$before" ] || t_bad "the volume copy changed"
t_end

t_begin "xml: hostile names from the disk are escaped"
cat >hostile.vol <<'EOF'
# names offmig xml must escape or replace
layout win10
os computer='PC&<1>"x' machine-sid=1-2-3
user "o'brien&co" rid=1001 browsers
app '7-Zip <&> "quoted"' 'key=7-Zip]&[<x>' version=1 publisher=x
file 'Data & "Quotes" <tag>/report.docx' 10
file "caf\xe9 donn\xe9es/notes.txt" 20
file "ctl\001dir/a.doc" 30
file "br[ack]ets^/x.pdf" 40
file "pct%PATH%dir/y.txt" 5
file "a--b-/c.txt" 7
file "Mail/a&b<c>.pst" 50
file 'Mail/q"uote%PATH%.pst' 60
file "Mail/br[1].pst" 70
file "Mail/bad\xff\xfe.pst" 80
file "Mail/ctl\002.pst" 90
EOF
"$OFFMIG_MKWINVOL" hostile.vol vol >/dev/null 2>mk.err || t_bad "mkwinvol: $(cat mk.err)"
before=$(tree_digest vol)
t_run "$OFFMIG" xml --json -o out vol >report 2>err
t_expect_status 0
validate out
check_structure out
for f in out/*.xml; do
	iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 || t_bad "$f is not UTF-8"
	! tr -d '\t\n\r' <"$f" | LC_ALL=C grep -q '[[:cntrl:]]' ||
	    t_bad "$f holds control characters"
done
t_expect_json report '[.components[].name | select(startswith("Data folder"))] | join("|")' 'Data folder C:\Data & "Quotes" <tag>|Data folder C:\a--b-|Data folder C:\br[ack]ets^|Data folder C:\caf\xE9 donn\xE9es|Data folder C:\ctl\x01dir|Data folder C:\pct%PATH%dir'
t_expect_json report '[.files[].urlid] | .[0]' 'http://offmig.example/migxml/PC%26%3C1%3E%22x/user'
t_expect_output out/offmig-user.xml '<pattern type="File">%SYSTEMDRIVE%\\Data &amp; &quot;Quotes&quot; &lt;tag&gt;\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<displayName>Data folder C:\\Data &amp; &quot;Quotes&quot; &lt;tag&gt;</displayName>'
t_expect_output out/offmig-user.xml '<pattern type="File">%SYSTEMDRIVE%\\caf\* donn\*es\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<displayName>Data folder C:\\caf\\xE9 donn\\xE9es</displayName>'
t_expect_output out/offmig-user.xml '<pattern type="File">%SYSTEMDRIVE%\\ctl\*dir\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<pattern type="File">%SYSTEMDRIVE%\\br\*ack\*ets\*\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<pattern type="File">%SYSTEMDRIVE%\\pct\*PATH\*dir\\\* \[\*\]</pattern>'
t_expect_output out/offmig-user.xml '<!-- C:\\a- -b- is a folder outside'
t_expect_output out/offmig-apps.xml '<pattern type="File">C:\\Mail \[a&amp;b&lt;c&gt;.pst\]</pattern>'
t_expect_output out/offmig-apps.xml '<pattern type="File">C:\\Mail \[br\^\[1\^\].pst\]</pattern>'
t_expect_output out/offmig-apps.xml '<pattern type="File">C:\\Mail \[bad\*.pst\]</pattern>'
t_expect_output out/offmig-apps.xml '<pattern type="File">C:\\Mail \[ctl\*.pst\]</pattern>'
t_expect_output out/offmig-apps.xml '<pattern type="File">C:\\Mail \[q&quot;uote\*PATH\*.pst\]</pattern>'
t_expect_output out/offmig-apps.xml 'DoesObjectExist\(&quot;File&quot;,&quot;C:\\Mail \[q\*uote\*PATH\*.pst\]&quot;\)'
t_expect_output out/offmig-apps.xml 'Uninstall\\7-Zip\*&amp;\*&lt;x&gt; \[DisplayName\]'
t_expect_output out/offmig-apps.xml '<!-- offmig-apps.xml written by offmig [^ ]+ for PC&<1>"x: '
[ "$(tree_digest vol)" = "$before" ] || t_bad "the volume changed"
t_end

t_begin "xml: profile folders outside Users are not data folders"
cat >elsewhere.vol <<'EOF'
# profiles that ProfileImagePath puts outside Users
layout win7
os computer=ELSEWHERE machine-sid=4-5-6
user zoe rid=1001 'path=C:\Profiles\zoe'
user yan rid=1002 'path=C:\Work\yan'
file Profiles/zoe/Mail/zoe.pst 10
file Profiles/zoe/Documents/cv.docx 20
file Work/yan/Documents/notes.txt 30
file Work/yan/old.pst 40
file Work/shared/plan.docx 50
EOF
"$OFFMIG_MKWINVOL" elsewhere.vol vol >/dev/null 2>mk.err || t_bad "mkwinvol: $(cat mk.err)"
t_run "$OFFMIG" xml --json -o out vol >report 2>err
t_expect_status 0
t_expect_json report "$comps" 'user:Desktop|user:Documents|user:Data folder C:\Work'
t_expect_json report '.components[] | select(.name == "Data folder C:\\Work") | "\(.files) \(.bytes)"' '1 50'
t_expect_json report '.components[] | select(.name == "Documents") | "\(.files) \(.profiles)"' '4 2'
t_expect_output out/offmig-user.xml '<pattern type="File">%SYSTEMDRIVE%\\Work\\yan\\\* \[\*\]</pattern>'
t_expect_output out/offmig-apps.xml '<!-- left out: Outlook data files outside the profiles: no .pst file'
validate out
t_end

t_begin "xml: the hostile fixture volume"
before=$(tree_digest "$OFFMIG_VOLUMES/hostile")
t_run "$OFFMIG" xml --json -o out "$OFFMIG_VOLUMES/hostile" >report 2>err
t_expect_status 1
t_expect_output err '^offmig: warning: '
validate out
check_structure out
t_expect_output out/offmig-user.xml 'Microsoft\\Edge\\User Data\\Profile \*\\\* \[\*\]'
t_expect_json report '.components[] | select(.name == "Documents") | .detail' 'contractor.CORP: 1 files, 1500 bytes; nina: 3 files, 1530 bytes; truncated: 1 files, 1500 bytes'
[ "$(tree_digest "$OFFMIG_VOLUMES/hostile")" = "$before" ] ||
    t_bad "the volume changed"
t_end

t_begin "xml: the schema is not a formality"
if [ $have_xmllint = no ]; then
	t_bad "xmllint is not installed (apt-get install libxml2-utils)"
else
	t_run "$OFFMIG" xml -o out "$W10" >report 2>err
	sed 's|%CSIDL_PERSONAL%\\\* \[\*\]|%CSIDL_PERSONAL%\\*|' out/offmig-user.xml >bad1.xml
	! xmllint --noout --schema "$XSD" bad1.xml >/dev/null 2>&1 ||
	    t_bad "a pattern without a leaf validates"
	sed 's|migrate="yes"|migrate="maybe"|' out/config.xml >bad2.xml
	! xmllint --noout --schema "$XSD" bad2.xml >/dev/null 2>&1 ||
	    t_bad "migrate=\"maybe\" validates"
	sed 's|<environment name="GlobalEnv"/>|<environment name="Nope"/>|' out/offmig-apps.xml >bad3.xml
	! xmllint --noout --schema "$XSD" bad3.xml >/dev/null 2>&1 ||
	    t_bad "a reference to an undefined environment validates"
fi
t_end

t_summary
