# cli-store.sh - "offmig store create | verify | list" on copies of the
# fixture volumes plan10 and win10 in temporary folders: the --json report,
# files linked (same inode) and the volume otherwise unchanged, the users'
# registry exports applied by "offmig hive import", U records, a copy store,
# a store on another filesystem refused (a tmpfs mount; skipped visibly when
# it cannot be made), usage errors, an interrupted create, a damaged
# manifest (exit 3) and a store inside a profile being captured (exit 5).
. "${OFFMIG_SRCDIR:?}/lib.sh"
U=$OFFMIG_SRCDIR/fixtures/usmt
SID1=S-1-5-21-1111111111-2222222222-3333333333-1001
mnt=

cleanup_mount() {
	[ -n "$mnt" ] && mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
}
trap 'cleanup_mount; cd /; rm -rf --one-file-system "$t_top"' EXIT

# A private copy of a fixture volume, in ./vol.
vol_copy() { cp -a "$OFFMIG_VOLUMES/$1" vol || exit 99; }

# Digest of every name, type, size and mtime of a tree (links add no change).
tree_digest() {
	(cd "$1" && find . -printf '%p %y %s %T@ %l\n' | LC_ALL=C sort |
	    sha256sum | awk '{ print $1 }')
}

rules="-i $U/userdata.xml -i $U/apps.xml -i $U/regkeys.xml"

t_begin "store: usage errors"
t_run "$OFFMIG" store create >out 2>err
t_expect_status 2
t_expect_output err 'VOLUME and STORE are needed'
t_run "$OFFMIG" store create vol >out 2>err
t_expect_status 2
t_run "$OFFMIG" store create vol st extra >out 2>err
t_expect_status 2
t_expect_output err "unexpected argument 'extra'"
t_run "$OFFMIG" store create --frob vol st >out 2>err
t_expect_status 2
t_run "$OFFMIG" store create --csv vol st >out 2>err
t_expect_status 2
t_run "$OFFMIG" store create --config c.xml vol st >out 2>err
t_expect_status 2
t_expect_output err '--config goes with -i'
t_run "$OFFMIG" store verify >out 2>err
t_expect_status 2
t_expect_output err 'STORE is missing'
t_run "$OFFMIG" store verify a b >out 2>err
t_expect_status 2
t_run "$OFFMIG" store list --json --csv st >out 2>err
t_expect_status 2
t_expect_output err 'not both'
t_run "$OFFMIG" store list --frob st >out 2>err
t_expect_status 2
t_run "$OFFMIG" help store create >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig store create \[-i XML \.\.\.\] .*VOLUME STORE$'
t_run "$OFFMIG" help store list >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig store list \[--json \| --csv\] \[--users\] STORE$'
t_run "$OFFMIG" store verify nowhere >out 2>err
t_expect_status 4
t_end

t_begin "store create: plan10 with -i rules, --json, files linked, volume unchanged"
vol_copy plan10
before=$(tree_digest vol)
t_run "$OFFMIG" store create $rules --json vol st >out 2>err
t_expect_status 0
t_expect_empty err
t_expect_json out '.store_create.mode' hardlink
t_expect_json out '.store_create.failed' 0
t_expect_json out '.store_create.objects == .store_create.linked + 2' true
t_expect_json out '.store_create.users | length' 3
t_expect_json out '[.store_create.users[].status] | unique | join(",")' ok
t_expect_json out '.store_create.users[0].problems | length' 0
t_expect_json out '[.store_create.rules[].name] | join(",")' \
    userdata.xml,apps.xml,regkeys.xml
t_expect_json out '.store_create.registry.values' 4
t_expect_json out '.store_create.not_captured.machine_registry_keys' 1
t_expect_json out '.store_create.volume' "$(cd vol && pwd -P)"
cmp -s "$U/userdata.xml" st/rules/userdata.xml || t_bad "rules not recorded"
[ -f "st/registry/$SID1.reg" ] || t_bad "no registry export for $SID1"
# Every file is the volume's own inode.
f=Users/alice/Documents/Notes/todo.txt
[ -f "vol/$f" ] || f=$(cd vol && find Users/alice -type f -links 2 | head -1)
[ -n "$f" ] || t_bad "no file of alice's was linked"
[ "$(stat -c %i "vol/$f")" = "$(stat -c %i "st/files/C/$f")" ] ||
    t_bad "st/files/C/$f is not the volume's file"
[ "$(stat -c %h "vol/$f")" = 2 ] || t_bad "vol/$f has $(stat -c %h "vol/$f") links"
[ "$(tree_digest vol)" = "$before" ] || t_bad "the volume changed"
# The table form of a rerun: complete already, nothing new.
t_run "$OFFMIG" store create $rules vol st >out 2>err
t_expect_status 0
t_expect_output out '^objects: [0-9]+ .*0 linked'
t_expect_output out 'resumed'
t_end

t_begin "store verify and list on a good store"
vol_copy plan10
"$OFFMIG" store create $rules --json vol st >create.json 2>/dev/null
n=$(jq -r .store_create.objects create.json)
t_run "$OFFMIG" store verify st >out 2>err
t_expect_status 0
t_expect_output out '^complete: '"$n"' objects'
t_expect_output out 'the store is intact'
t_run "$OFFMIG" store verify --hash --json st >out 2>err
t_expect_status 0
t_expect_json out '.verify.ok' true
t_expect_json out '.verify.hashed_contents' true
t_expect_json out ".verify.counts.ok" "$n"
t_run "$OFFMIG" store list st >out 2>err
t_expect_status 0
t_expect_output out "^$n objects; the store is complete"
t_run "$OFFMIG" store list --json st >out 2>err
t_expect_status 0
t_expect_json out '.complete' true
t_expect_json out '.records | length' "$n"
t_expect_json out '[.records[].kind] | unique | join(",")' f,r
t_expect_json out '.records[0].seq' 1
t_expect_json out '[.records[] | select(.kind == "r") | .store_path][0]' \
    "registry/$SID1.reg"
t_run "$OFFMIG" store list --users --json st >out 2>err
t_expect_status 0
t_expect_json out '.records | length' 3
t_expect_json out '[.records[].user] | join(",")' alice,bob,carol
t_expect_json out '.records[0].status' ok
t_run "$OFFMIG" store list --users --csv st >out 2>err
t_expect_status 0
[ "$(wc -l <out)" = 4 ] || t_bad "--users --csv: $(wc -l <out) lines"
t_expect_output out '^kind,sid,user,profile_path,status,objects,bytes,problems'
t_expect_output out "^U,$SID1,alice,"
t_run "$OFFMIG" store list --csv st >out 2>err
t_expect_status 0
[ "$(wc -l <out)" = $((n + 1)) ] || t_bad "--csv: $(wc -l <out) lines"
t_run "$OFFMIG" store list --users st >out 2>err
t_expect_status 0
t_expect_output out '^alice +ok '
t_end

t_begin "store create: a user's registry export applies with hive import"
vol_copy plan10
"$OFFMIG" store create $rules vol st >/dev/null 2>&1
reg=st/registry/$SID1.reg
t_expect_output "$reg" '^Windows Registry Editor Version 5\.00$'
t_expect_output "$reg" '^\[HKEY_CURRENT_USER\\Software\\7-Zip\\FM\]$'
t_expect_output "$reg" '^"ShowDots"=dword:00000001$'
# Into bob's hive, which has none of alice's 7-Zip settings.
cp vol/Users/bob/NTUSER.DAT hive.dat
t_run "$OFFMIG" hive get hive.dat 'Software\7-Zip\FM' ShowDots >out 2>err
t_expect_status 4
t_run "$OFFMIG" hive import --prefix HKEY_CURRENT_USER hive.dat "$reg" >out 2>err
t_expect_status 0
t_run "$OFFMIG" hive get --json hive.dat 'Software\7-Zip\FM' ShowDots >out 2>err
t_expect_status 0
t_expect_json out '.value.reg' dword:00000001
t_run "$OFFMIG" hive get --json hive.dat 'Software\7-Zip\FM' FolderHistory >out 2>err
t_expect_status 0
t_expect_json out '.value.reg' hex:43,00,3a,00,5c,00,00,00
t_end

t_begin "store create: win10's problem profiles are named, exit 1"
vol_copy win10
t_run "$OFFMIG" store create --json vol st >out 2>err
t_expect_status 1
t_expect_output err 'error: profile S-1-5-21-[0-9-]+1002 \(bob\): partial: temporary profile'
t_expect_output err 'error: profile S-1-5-21-[0-9-]+1004 \(erin\): failed: profile folder'
t_expect_output err 'error: profile S-1-5-21-[0-9-]+1005 \(frank\): partial: no readable NTUSER.DAT'
t_expect_json out '.store_create.users | length' 5
t_expect_json out '[.store_create.users[] | select(.status == "ok") | .user] | join(",")' alice,dave
t_expect_json out '[.store_create.rules[].name] | join(",")' \
    offmig-user.xml,offmig-apps.xml,config.xml
t_run "$OFFMIG" store list --users --json st >out 2>err
t_expect_status 0
t_expect_json out '[.records[].status] | join(",")' ok,partial,ok,failed,partial
t_expect_json out '.records[3].problems | test("no files captured")' true
t_end

t_begin "store create --copy: a copy store elsewhere"
vol_copy plan10
t_run "$OFFMIG" store create --copy $rules --json vol copy >out 2>err
t_expect_status 0
t_expect_json out '.store_create.mode' copy
f=$(cd copy/files/C && find . -type f | head -1)
[ -n "$f" ] || t_bad "no file in the copy store"
[ "$(stat -c %i "copy/files/C/$f")" != "$(stat -c %i "vol/$f")" ] ||
    t_bad "a copy store holds a link"
cmp -s "copy/files/C/$f" "vol/$f" || t_bad "the copy differs"
t_run "$OFFMIG" store verify --hash copy >out 2>err
t_expect_status 0
t_end

t_begin "store create: a store on another filesystem is refused (4)"
vol_copy plan10
mkdir m
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=64m offmig-test m 2>mount.err; then
	t_skip "cannot mount a tmpfs here (needs root): $(cat mount.err 2>/dev/null)"
else
	mnt=$PWD/m
	t_run "$OFFMIG" store create $rules vol m/st >out 2>err
	t_expect_status 4
	t_expect_output err 'another filesystem than the volume'
	[ ! -e m/st ] || t_bad "m/st was made"
	t_run "$OFFMIG" store create --copy $rules vol m/st >out 2>err
	t_expect_status 0
	t_run "$OFFMIG" store verify m/st >out 2>err
	t_expect_status 0
	umount m
	mnt=
	t_end
fi

t_begin "store create: a store inside a profile being captured is refused (5)"
vol_copy plan10
before=$(tree_digest vol)
t_run "$OFFMIG" store create $rules vol vol/Users/alice/Documents/MigStore >out 2>err
t_expect_status 5
t_expect_output err 'inside the profile folder'
[ "$(tree_digest vol)" = "$before" ] || t_bad "the volume changed"
t_run "$OFFMIG" store create vol vol/Users/bob >out 2>err
t_expect_status 5
t_run "$OFFMIG" store create $rules vol vol >out 2>err
t_expect_status 5
t_run "$OFFMIG" store create $rules vol/Users vol/Users/st >out 2>err
t_expect_status 6
[ "$(tree_digest vol)" = "$before" ] || t_bad "the volume changed"
t_end

t_begin "store: an interrupted create is incomplete (3), the rerun finishes it"
vol_copy plan10
OFFMIG_FAULT=link:5 "$OFFMIG" store create $rules vol st >out 2>err
t_status=$?
t_expect_status 4
t_expect_output err 'injected fault'
t_run "$OFFMIG" store list st >out 2>err
t_expect_status 3
t_expect_output out 'INCOMPLETE'
t_run "$OFFMIG" store verify st >out 2>err
t_expect_status 3
t_expect_output out 'INCOMPLETE'
t_run "$OFFMIG" store create -i "$U/userdata.xml" vol st >out 2>err
t_expect_status 2
t_expect_output err 'other rules'
t_run "$OFFMIG" store create --json vol st >out 2>err
t_expect_status 0
t_expect_json out '.store_create.resumed' true
t_run "$OFFMIG" store verify st >out 2>err
t_expect_status 0
# Killed (exit 99) at the 7th rename: the header, four rules files and
# alice's export are done, bob's is being written; the rerun finishes.
OFFMIG_FAULT=rename:7 OFFMIG_FAULT_KILL=1 "$OFFMIG" store create $rules vol st2 >out 2>err
t_status=$?
t_expect_status 99
t_run "$OFFMIG" store create $rules --json vol st2 >out 2>err
t_expect_status 0
t_expect_json out '.store_create.users | length' 3
t_run "$OFFMIG" store list --users st2 >out 2>err
t_expect_status 0
t_expect_output out '^3 users; the store is complete'
[ "$(ls st2/registry)" = "$(ls st/registry)" ] || t_bad "registry exports differ"
cmp -s st/registry/$SID1.reg st2/registry/$SID1.reg || t_bad "alice's export differs"
t_end

t_begin "store verify and list: a damaged manifest (3), a missing file (3)"
vol_copy plan10
"$OFFMIG" store create $rules vol st >/dev/null 2>&1
cp st/manifest manifest.good
sed -i '3s/\tf\t/\tq\t/' st/manifest
t_run "$OFFMIG" store verify st >out 2>err
t_expect_status 3
t_expect_output err 'manifest:3: '
t_run "$OFFMIG" store list --json st >out 2>err
t_expect_status 3
cp manifest.good st/manifest
rm "st/$(jq -r 'select(.kind=="f") | .store_path' <<EOF | head -1
$("$OFFMIG" store list --json st | jq -c '.records[]')
EOF
)"
t_run "$OFFMIG" store verify --json st >out 2>err
t_expect_status 3
t_expect_json out '.verify.counts.missing' 1
t_expect_json out '.verify.problems[0].problem' missing
t_run "$OFFMIG" store verify nowhere/st >out 2>err
t_expect_status 4
mkdir notastore
t_run "$OFFMIG" store list notastore >out 2>err
t_expect_status 4
t_expect_output err 'not an offmig store'
t_end

t_begin "store create: no progress line when stderr is not a terminal"
vol_copy plan10
t_run "$OFFMIG" store create $rules vol st >out 2>err
t_expect_status 0
t_expect_empty err
t_run "$OFFMIG" store create --progress $rules vol st2 >out 2>err
t_expect_status 0
t_expect_output err 'objects, '
t_end

t_summary
