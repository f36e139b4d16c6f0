# ntfs-store.sh - the store journey on a real NTFS volume: an image made
# with mkntfs and mounted with ntfs-3g (as tests/ntfs-inventory.sh does),
# store10.vol built on it (three users, 20,000 files) with NTFS attributes
# set through ntfs-3g's system.ntfs_attrib_be (read-only, hidden, system,
# not-content-indexed); then inspect, plan, store create (free space falls
# by no more than the store's metadata), verify --hash, wipe-except,
# restore (every file's SHA-256, size, mtime and attributes as before),
# verify, remove.  Then XP to Windows 10 on a second image, and a store on
# another filesystem (a tmpfs) refused.  Needs root, FUSE, mkntfs and
# ntfs-3g; skips visibly (exit 77) without them.
. "${OFFMIG_SRCDIR:?}/lib.sh"
. "$OFFMIG_SRCDIR/journey.sh"

why=
[ "$(id -u)" = 0 ] || why="not root"
[ -n "$why" ] || [ -c /dev/fuse ] || why="no /dev/fuse"
[ -n "$why" ] || command -v mkntfs >/dev/null 2>&1 || [ -x /usr/sbin/mkntfs ] ||
    [ -x /sbin/mkntfs ] || why="mkntfs is not installed"
[ -n "$why" ] || command -v ntfs-3g >/dev/null 2>&1 || why="ntfs-3g is not installed"
[ -n "$why" ] || command -v jq >/dev/null 2>&1 || why="jq is not installed"
# quickstart's distcheck: the tree's own make check ran this journey already.
[ -n "$why" ] || [ "${OFFMIG_DISTCHECK:-}" != 1 ] ||
    why="OFFMIG_DISTCHECK=1: the journey ran in the tree's own make check"
if [ -n "$why" ]; then
	t_begin "NTFS store journey"
	t_skip "$why"
	t_summary
fi
PATH=$PATH:/usr/sbin:/sbin
J=$t_top/journey
mnt=$t_top/mnt
other=$t_top/other
mkdir -p "$J" "$mnt" "$other"
cleanup() {
	mountpoint -q "$mnt" 2>/dev/null && { fusermount -u "$mnt" 2>/dev/null || umount "$mnt"; }
	mountpoint -q "$other" 2>/dev/null && umount "$other"
	cd / && rm -rf --one-file-system "$t_top"
}
trap cleanup EXIT
j_have_attr=
command -v getfattr >/dev/null 2>&1 && command -v setfattr >/dev/null 2>&1 && j_have_attr=1

# mkimage NAME SIZE: a fresh NTFS image mounted on $mnt.
mkimage() {
	t_begin "make and mount an NTFS image ($2)"
	mountpoint -q "$mnt" && { fusermount -u "$mnt" 2>/dev/null || umount "$mnt"; }
	rm -f "$t_top/$1"
	truncate -s "$2" "$t_top/$1" && mkntfs -F -Q -q -L OFFMIGSTORE "$t_top/$1" >mkntfs.out 2>&1 ||
	    t_bad "mkntfs failed: $(cat mkntfs.out)"
	if ! ntfs-3g "$t_top/$1" "$mnt" >mount.out 2>&1; then
		t_bad "ntfs-3g failed: $(cat mount.out)"
		t_end
		t_begin "NTFS store journey"
		t_skip "the image could not be mounted"
		t_summary
	fi
	t_end
}

start=$(date +%s)
mkimage win10.img 1G
if [ -z "$j_have_attr" ]; then
	t_begin "NTFS attributes"
	t_skip "getfattr/setfattr are not installed (Debian package attr): attributes not checked"
fi
j_journey "$mnt" ntfs
echo "NTFS journey of 20,018 files: $(($(date +%s) - start)) s"

t_begin "ntfs: a store on another filesystem (tmpfs) is refused"
if mount -t tmpfs -o size=8m offmig-other "$other" 2>/dev/null; then
	t_run "$OFFMIG" store create "$mnt" "$other/MigStore" >out 2>err
	t_expect_status 4
	t_expect_output err '(filesystem|--copy)'
	[ ! -e "$other/MigStore" ] || [ -z "$(find "$other/MigStore" -type f)" ] ||
	    t_bad "files written to the other filesystem"
	umount "$other"
	t_end
else
	t_skip "cannot mount a tmpfs"
fi

mkimage xp.img 256M
j_journey_xp "$mnt" ntfs

fusermount -u "$mnt" 2>/dev/null || umount "$mnt"
echo "ntfs-store.sh: $(($(date +%s) - start)) s in all"
t_summary
