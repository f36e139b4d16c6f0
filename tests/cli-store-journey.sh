# cli-store-journey.sh - the whole store journey with the built offmig, on a
# private tmpfs when run as root (so that free space can be compared), on a
# plain directory otherwise: store10.vol (three users, 20,000 files) is
# inspected, planned, captured (every file linked, allocated space grown by
# the store's metadata only), verified, wiped down to a Windows 10 skeleton,
# restored (SHA-256, size, mtime and mode of every file as before),
# verified and removed; then an XP volume is restored onto Windows 10
# (known folders remapped); then hostile input: a manifest pointing outside
# the volume, a symbolic link planted in the volume, a stored file truncated
# or swapped, a hibernated volume, a store on another filesystem.  tests/ntfs-store.sh does the
# journey on a real NTFS volume.
. "${OFFMIG_SRCDIR:?}/lib.sh"
. "$OFFMIG_SRCDIR/journey.sh"

if ! command -v jq >/dev/null 2>&1 || ! command -v sha256sum >/dev/null 2>&1; then
	t_begin "store journey"
	t_skip "jq and sha256sum are needed"
	t_summary
fi
# quickstart's distcheck: the tree's own make check ran this journey already.
if [ "${OFFMIG_DISTCHECK:-}" = 1 ]; then
	t_begin "store journey"
	t_skip "OFFMIG_DISTCHECK=1: the journey ran in the tree's own make check"
	t_summary
fi

J=$t_top/journey
mkdir -p "$J/tmp" "$J/mnt"
mounts=
cleanup() {
	for m in $mounts; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	cd / && rm -rf --one-file-system "$t_top"
}
trap cleanup EXIT

# A private tmpfs as root: its free space belongs to this test alone.
mode=plain
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1g,mode=0755 offmig-journey "$J/mnt" 2>/dev/null; then
	mounts="$J/mnt"
	mode=tmpfs
fi

j_journey "$J/mnt/vol" "$mode"
rm -rf "$J/mnt/vol"
j_journey_xp "$J/mnt/xp" "$mode"
rm -rf "$J/mnt/xp"

# A small volume for the hostile cases: bob with a few files.
cat >"$J/small.vol" <<'EOF'
layout win10
os computer=HOSTILE10
user bob rid=1001 last-use=2024-05-01T09:30:00Z
file "Users/bob/Documents/a.txt" 100 mtime=2024-01-01T00:00:00Z
file "Users/bob/Documents/sub/b.txt" 200 mtime=2024-01-02T00:00:00Z
file "Users/bob/Pictures/c.jpg" 300
EOF
# small NAME: a fresh small volume in $J/mnt/NAME with a sealed store.
small() {
	rm -rf "$J/mnt/$1"
	"$OFFMIG_MKWINVOL" "$J/small.vol" "$J/mnt/$1" >mk.out 2>&1 ||
	    t_bad "mkwinvol failed: $(head -c 300 mk.out)"
	"$OFFMIG" store create "$J/mnt/$1" "$J/mnt/$1/MigStore" >create.out 2>&1 ||
	    t_bad "store create failed: $(head -c 300 create.out)"
}
# Nothing may appear outside the volume: a folder beside it that must stay
# empty, and no file named "outside*" anywhere in the test's folders.
outside_untouched() {
	n=$(find "$J/outside" -mindepth 1 | wc -l)
	[ "$n" = 0 ] || t_bad "written outside the volume: $(find "$J/outside" -mindepth 1 | head -n 3 | tr '\n' ' ')"
	f=$(find "$t_top" -name 'outside.txt' 2>/dev/null | head -n 3)
	[ -z "$f" ] || t_bad "written outside the volume: $f"
}
mkdir -p "$J/outside"

for edit in "5 ../../../outside.txt host_path-dotdot" \
    "5 $J/outside/outside.txt host_path-absolute" \
    "6 files/C/../../../../outside.txt store_path-dotdot" \
    "4 C:\\Users\\bob\\..\\..\\..\\outside.txt winpath-dotdot"; do
	set -- $edit
	t_begin "hostile: manifest edited ($3) is refused"
	small h1
	j_edit_first "$J/mnt/h1/MigStore" "$1" "$2"
	t_run "$OFFMIG" store verify "$J/mnt/h1/MigStore" >out 2>err
	t_expect_status 3
	t_expect_output err 'manifest:[0-9]+'
	"$OFFMIG" store wipe-except --yes "$J/mnt/h1/MigStore" "$J/mnt/h1" >/dev/null 2>&1
	t_run "$OFFMIG" store restore "$J/mnt/h1/MigStore" "$J/mnt/h1" >out 2>err
	t_expect_status 3
	t_expect_output err 'manifest:[0-9]+'
	outside_untouched
	t_end
done

t_begin "hostile: a symbolic link planted in the volume before restore"
small h2
t_run "$OFFMIG" store wipe-except --yes "$J/mnt/h2/MigStore" "$J/mnt/h2" >out 2>err
t_expect_status 0
rm -rf "$J/mnt/h2/Users/bob/Documents"
ln -s "$J/outside" "$J/mnt/h2/Users/bob/Documents"
t_run "$OFFMIG" store restore "$J/mnt/h2/MigStore" "$J/mnt/h2" >out 2>err
j_status_in 1 5
t_expect_output err 'Documents'
outside_untouched
[ -L "$J/mnt/h2/Users/bob/Documents" ] || t_bad "the planted link was replaced"
t_end

t_begin "hostile: a stored file truncated is reported and not restored"
small h3
st=$J/mnt/h3/MigStore
truncate -s 10 "$st/files/C/Users/bob/Documents/a.txt"
t_run "$OFFMIG" store verify "$st" >out 2>err
j_status_in 1 3
cat out err >all
t_expect_output all 'Users.bob.Documents.a\.txt'
t_run "$OFFMIG" store wipe-except --yes "$st" "$J/mnt/h3" >out 2>err
t_expect_status 0
t_run "$OFFMIG" store restore "$st" "$J/mnt/h3" >out 2>err
j_status_in 1 3
t_expect_output err 'a\.txt'
[ ! -e "$J/mnt/h3/Users/bob/Documents/a.txt" ] ||
    t_bad "the truncated file was restored as if it were whole"
outside_untouched
t_end

t_begin "hostile: a stored file swapped for another is reported and not restored"
small h4
st=$J/mnt/h4/MigStore
f=$st/files/C/Users/bob/Documents/sub/b.txt
cp "$f" "$f.new" && sed -i 's/^o/X/' "$f.new" && touch -r "$f" "$f.new" && mv "$f.new" "$f"
t_run "$OFFMIG" store verify "$st" >out 2>err
j_status_in 1 3
cat out err >all
t_expect_output all 'b\.txt'
"$OFFMIG" store wipe-except --yes "$st" "$J/mnt/h4" >/dev/null 2>&1
t_run "$OFFMIG" store restore "$st" "$J/mnt/h4" >out 2>err
j_status_in 1 3
t_expect_output err 'b\.txt'
if [ -e "$J/mnt/h4/Users/bob/Documents/sub/b.txt" ] &&
    grep -q '^X' "$J/mnt/h4/Users/bob/Documents/sub/b.txt"; then
	t_bad "the swapped file was restored"
fi
t_end

t_begin "hostile: a hibernated volume is refused for writing"
rm -rf "$J/mnt/h6"
"$OFFMIG_MKWINVOL" "$OFFMIG_SRCDIR/fixtures/dirty-hiber.vol" "$J/mnt/h6" >mk.out 2>&1 ||
    t_bad "mkwinvol failed: $(head -c 300 mk.out)"
t_run "$OFFMIG" store create "$J/mnt/h6" "$J/mnt/h6/MigStore" >out 2>err
t_expect_status 5
t_expect_output err '[Hh]ibernat'
[ ! -e "$J/mnt/h6/MigStore" ] || t_bad "a store was made on the hibernated volume"
# A store made before Windows was hibernated is not restored onto it either.
small h7
"$OFFMIG" store wipe-except --yes "$J/mnt/h7/MigStore" "$J/mnt/h7" >out 2>err ||
    t_bad "wipe-except failed: $(head -c 300 err)"
cp "$J/mnt/h6/hiberfil.sys" "$J/mnt/h7/hiberfil.sys"
t_run "$OFFMIG" store restore "$J/mnt/h7/MigStore" "$J/mnt/h7" >out 2>err
t_expect_status 5
t_expect_output err '[Hh]ibernat'
[ ! -e "$J/mnt/h7/Users/bob/Documents/a.txt" ] || t_bad "restored onto a hibernated volume"
t_end

t_begin "hostile: a store on another filesystem is refused"
other=
if [ "$(id -u)" = 0 ] && mkdir -p "$J/other" &&
    mount -t tmpfs -o size=8m offmig-other "$J/other" 2>/dev/null; then
	mounts="$mounts $J/other"
	other=$J/other
else
	# Not root: a writable folder on another filesystem, if any.
	for d in /dev/shm "${XDG_RUNTIME_DIR:-}" /var/tmp; do
		[ -n "$d" ] && [ -d "$d" ] && [ -w "$d" ] || continue
		[ "$(stat -c %d "$d")" != "$(stat -c %d "$J/mnt")" ] || continue
		other=$(mktemp -d "$d/offmig-other.XXXXXX") && break
	done
fi
if [ -z "$other" ]; then
	t_skip "no other filesystem to put a store on (not root, no /dev/shm)"
else
	rm -rf "$J/mnt/h5"
	"$OFFMIG_MKWINVOL" "$J/small.vol" "$J/mnt/h5" >mk.out 2>&1 || t_bad "mkwinvol failed"
	t_run "$OFFMIG" store create "$J/mnt/h5" "$other/MigStore" >out 2>err
	t_expect_status 4
	t_expect_output err '(filesystem|--copy)'
	[ ! -e "$other/MigStore" ] || [ -z "$(find "$other/MigStore" -type f)" ] ||
	    t_bad "files were written to the other filesystem: $(find "$other/MigStore" -type f | head -n 3)"
	# --copy is the way to other media; it makes a complete store.
	t_run "$OFFMIG" store create --copy "$J/mnt/h5" "$other/Copy" >out 2>err
	t_expect_status 0
	t_run "$OFFMIG" store verify --hash "$other/Copy" >out 2>err
	t_expect_status 0
	case $other in "$J"/*) ;; *) rm -rf "$other" ;; esac
	t_end
fi

t_summary
