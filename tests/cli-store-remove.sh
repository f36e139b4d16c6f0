# cli-store-remove.sh - "offmig store remove" and "offmig store wipe-except"
# on a generated Windows 10 volume with a hard-link store made here the way
# create makes one (header, links under files/, sealed manifest) and a
# restore record written the way restore writes it: usage errors; remove
# refused (5) while files have no other link, listed, then done once they
# are linked back or with --force; a damaged store (3); a link planted in
# the store removed, its target kept; wipe-except refused without --yes,
# then everything outside the store gone, a link pointing outside
# unlinked and its target kept, and inspect finding Windows 10 and the
# users with new SIDs.
. "${OFFMIG_SRCDIR:?}/lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq is missing"; exit 77; }

sha() { sha256sum | awk '{ print $1 }'; }

# mkvol DIR: a Windows 10 volume with two users' documents.
mkvol() {
	"$OFFMIG_MKWINVOL" "$OFFMIG_SRCDIR/fixtures/win10.vol" "$1" >/dev/null ||
	    exit 99
	mkdir -p "$1/Users/alice/Documents/sub" "$1/Users/bob/Documents" ||
	    exit 99
	echo "alice's letter" >"$1/Users/alice/Documents/letter.txt"
	echo "alice's notes" >"$1/Users/alice/Documents/sub/notes.txt"
	echo "bob's report" >"$1/Users/bob/Documents/report.txt"
}
FILES="Users/alice/Documents/letter.txt Users/alice/Documents/sub/notes.txt
Users/bob/Documents/report.txt"

# mkstore VOL STORE: a sealed hard-link store of $FILES (format 1).
mkstore() {
	vol=$1 st=$2 id=0123456789abcdef0123456789abcdef seq=0 bytes=0
	mkdir -p "$st" || exit 99
	printf 'format=1\nid=%s\ncreated=2024-05-01T00:00:00Z\nvolume=%s\nvolume_dev=%s\nmode=hardlink\ncomputer=DESKTOP-OFFMIG\nwindows=Windows 10 Pro\ntool=offmig test\n' \
	    "$id" "$vol" "$(stat -c %d "$vol")" >"$st/offmig-store.ini"
	{
		printf 'offmig-manifest\t1\tid=%s\n' "$id"
		for f in $FILES; do
			seq=$((seq + 1))
			mkdir -p "$st/files/C/$(dirname "$f")" || exit 99
			ln "$vol/$f" "$st/files/C/$f" || exit 99
			size=$(stat -c %s "$vol/$f")
			bytes=$((bytes + size))
			case $f in *alice*) sid=S-1-5-21-1-2-3-1001 ;; *) sid=S-1-5-21-1-2-3-1002 ;; esac
			printf 'O\t%s\tf\tC:\\%s\t%s\tfiles/C/%s\t%s\t\t\t\t%s\t%s\t%s\t1\t100644\t\n' \
			    "$seq" "$(echo "$f" | tr / '\\')" "$f" "$f" "$sid" \
			    "$size" "$(date -r "$vol/$f" +%s%N)" \
			    "$(stat -c %i "$vol/$f")"
		done
		printf 'U\tS-1-5-21-1-2-3-1001\talice\tC:\\Users\\alice\t2\t0\tcomplete\t\n'
		printf 'U\tS-1-5-21-1-2-3-1002\tbob\tC:\\Users\\bob\t1\t0\tcomplete\t\n'
	} >"$st/manifest.body" || exit 99
	sum=$(sha <"$st/manifest.body")
	{ cat "$st/manifest.body"; printf 'S\tobjects=%s\tbytes=%s\tsha256=%s\n' \
	    "$seq" "$bytes" "$sum"; } >"$st/manifest" || exit 99
	rm -f "$st/manifest.body"
	: >"$st/journal"
}

# restored VOL STORE: every file linked back at its place, recorded.
restored() {
	vol=$1 st=$2 seq=0
	{
		printf 'offmig-restored\t1\tid=0123456789abcdef0123456789abcdef\tvolume=%s\n' "$vol"
		for f in $FILES; do
			seq=$((seq + 1))
			mkdir -p "$vol/$(dirname "$f")" || exit 99
			ln "$st/files/C/$f" "$vol/$f" || exit 99
			printf 'R\t%s\t%s\t%s\tlink\n' "$seq" "$f" \
			    "$(stat -c %i "$vol/$f")"
		done
	} >"$st/restored.body" || exit 99
	sum=$(sha <"$st/restored.body")
	{ cat "$st/restored.body"; printf 'S\tobjects=%s\tsha256=%s\n' "$seq" \
	    "$sum"; } >"$st/restored" || exit 99
	rm -f "$st/restored.body"
}

t_begin "store remove / wipe-except: usage"
t_run "$OFFMIG" store remove >out 2>err
t_expect_status 2
t_expect_output err 'missing STORE'
t_run "$OFFMIG" store remove --frob x >out 2>err
t_expect_status 2
t_run "$OFFMIG" store remove --yes x >out 2>err
t_expect_status 2
t_run "$OFFMIG" store wipe-except x >out 2>err
t_expect_status 2
t_expect_output err 'missing VOLUME'
t_run "$OFFMIG" help "store remove" >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig store remove \[--force\] \[--json\] STORE \[VOLUME\]$'
t_expect_no_output out 'no-logs'
t_run "$OFFMIG" help "store wipe-except" >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig store wipe-except --yes \[--no-users\] \[--json\] STORE VOLUME$'
t_run "$OFFMIG" store remove "$PWD/none" >out 2>err
t_expect_status 4
t_expect_output err 'no such store'
t_end

t_begin "store remove: a store discarded before any reinstall"
mkvol vol
mkstore "$PWD/vol" "$PWD/vol/MigStore"
t_run "$OFFMIG" store remove vol/MigStore >out 2>err
t_expect_status 0
t_expect_output out '^checked: 3 objects, 3 reachable outside the store, 0 not$'
t_expect_output out '^removed: '
t_expect_empty err
[ ! -e vol/MigStore ] || t_bad "the store is still there"
[ "$(cat vol/Users/bob/Documents/report.txt)" = "bob's report" ] ||
    t_bad "a user file changed"
t_end

t_begin "store remove: refused while files have no other link, then done"
mkvol vol
mkstore "$PWD/vol" "$PWD/vol/MigStore"
for f in $FILES; do rm "vol/$f"; done
t_run "$OFFMIG" store remove vol/MigStore >out 2>err
t_expect_status 5
t_expect_output err '3 stored file\(s\) are not reachable outside the store'
t_expect_output err 'letter\.txt'
t_expect_output out 'letter\.txt +missing at its place'
t_run "$OFFMIG" store remove --json vol/MigStore >out 2>err
t_expect_status 5
t_expect_json out '.store_remove.checked.unreachable' 3
t_expect_json out '.store_remove.unreachable[0].winpath' 'C:\Users\alice\Documents\letter.txt'
[ -e vol/MigStore/files/C/Users/alice/Documents/letter.txt ] ||
    t_bad "a stored file was removed"
restored "$PWD/vol" "$PWD/vol/MigStore"
t_run "$OFFMIG" store remove --json vol/MigStore >out 2>err
t_expect_status 0
t_expect_json out '.store_remove.restored' true
t_expect_json out '.store_remove.checked.reachable' 3
t_expect_json out '.store_remove.complete' true
[ ! -e vol/MigStore ] || t_bad "the store is still there"
[ "$(stat -c %h vol/Users/alice/Documents/letter.txt)" = 1 ] ||
    t_bad "link count of a restored file"
t_end

t_begin "store remove --force: files found nowhere else go too"
mkvol vol
mkstore "$PWD/vol" "$PWD/vol/MigStore"
rm vol/Users/bob/Documents/report.txt
t_run "$OFFMIG" store remove --force vol/MigStore >out 2>err
t_expect_status 0
t_expect_output out 'removed: --force'
[ ! -e vol/MigStore ] || t_bad "the store is still there"
t_end

t_begin "store remove: a damaged store (a stored file missing) is refused"
mkvol vol
mkstore "$PWD/vol" "$PWD/vol/MigStore"
rm vol/MigStore/files/C/Users/bob/Documents/report.txt
t_run "$OFFMIG" store remove vol/MigStore >out 2>err
t_expect_status 3
t_expect_output err 'missing before anything was removed'
[ -e vol/MigStore/manifest ] || t_bad "the manifest was removed"
t_end

t_begin "store remove: a link planted in the store is removed, its target kept"
mkvol vol
mkstore "$PWD/vol" "$PWD/vol/MigStore"
mkdir outside && echo precious >outside/keep.txt
ln -s "$PWD/outside" vol/MigStore/files/C/Users/evil
ln -s "$PWD/outside/keep.txt" vol/MigStore/registry-link
chmod 0555 vol/MigStore/files/C/Users/alice/Documents/sub
t_run "$OFFMIG" store remove --force vol/MigStore >out 2>err
t_expect_status 0
[ ! -e vol/MigStore ] && [ ! -L vol/MigStore ] || t_bad "the store is still there"
[ "$(cat outside/keep.txt)" = precious ] || t_bad "the link's target was touched"
t_end

t_begin "store wipe-except: refused without --yes or for a store outside"
mkvol vol
mkstore "$PWD/vol" "$PWD/vol/MigStore"
t_run "$OFFMIG" store wipe-except vol/MigStore vol >out 2>err
t_expect_status 5
t_expect_output err 'refused without --yes'
t_run "$OFFMIG" store wipe-except --no-users vol/MigStore vol >out 2>err
t_expect_status 5
t_expect_output err 'refused without --yes'
t_run "$OFFMIG" store wipe-except --yes vol/MigStore vol/Users >out 2>err
t_expect_status 5
t_expect_output err 'not inside the volume'
[ -e vol/Users/alice/Documents/letter.txt ] || t_bad "a file was removed"
t_end

t_begin "store wipe-except: the volume as after a reinstall, the store kept"
mkvol vol
mkstore "$PWD/vol" "$PWD/vol/MigStore"
mkdir outside && echo precious >outside/keep.txt
ln -s "$PWD/outside/keep.txt" vol/Users/alice/link-out
ln -s "$PWD/outside" vol/outdir
t_run "$OFFMIG" store wipe-except --yes vol/MigStore vol >out 2>err
t_expect_status 0
t_expect_output out '^removed: [1-9][0-9]* files'
t_expect_output out '^alice +S-1-5-21-'
t_expect_empty err
[ "$(cat outside/keep.txt)" = precious ] || t_bad "a link's target was touched"
[ ! -e vol/Users/alice/Documents/letter.txt ] || t_bad "a user file survived"
[ -e vol/MigStore/files/C/Users/alice/Documents/letter.txt ] ||
    t_bad "the store lost a file"
[ "$(ls vol | LC_ALL=C sort | tr '\n' ,)" = \
    "MigStore,Program Files,Program Files (x86),ProgramData,Users,Windows," ] ||
    t_bad "the volume holds: $(ls vol | tr '\n' ,)"
t_run "$OFFMIG" inspect --json vol >out 2>err
t_expect_status 0
t_expect_json out '.os.product_name' 'Windows 10 Pro'
t_expect_json out '.os.build' '19045'
t_expect_json out '[.profiles[] | select(.sid | startswith("S-1-5-21-")) | .user] | sort | join(",")' 'alice,bob'
t_expect_json out '[.profiles[] | select(.sid | startswith("S-1-5-21-")) | .status] | unique | join(",")' 'ok'
t_expect_json out '[.profiles[] | select(.sid == "S-1-5-21-1-2-3-1001")] | length' 0
# The store still restores: every file it lists is there, same inode.
t_run "$OFFMIG" store remove vol/MigStore >out 2>err
t_expect_status 5
t_end

t_summary
