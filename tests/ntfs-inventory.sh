# ntfs-inventory.sh - the inventory on a real NTFS volume: an image made with
# mkntfs, mounted with ntfs-3g, a Windows 10 layout built on it; then the
# same inventory on a read-only mount, and proof that the image's SHA-256
# did not change.  Needs root, FUSE, mkntfs and ntfs-3g; skips visibly
# (exit 77) without them.
. "${OFFMIG_SRCDIR:?}/lib.sh"

why=
[ "$(id -u)" = 0 ] || why="not root"
[ -n "$why" ] || [ -c /dev/fuse ] || why="no /dev/fuse"
[ -n "$why" ] || command -v mkntfs >/dev/null 2>&1 || [ -x /usr/sbin/mkntfs ] ||
    [ -x /sbin/mkntfs ] || why="mkntfs is not installed"
[ -n "$why" ] || command -v ntfs-3g >/dev/null 2>&1 || why="ntfs-3g is not installed"
if [ -n "$why" ]; then
	t_begin "NTFS tests"
	t_skip "$why"
	t_summary
fi
PATH=$PATH:/usr/sbin:/sbin
img="$t_top/win.img"
mnt="$t_top/mnt"
mkdir -p "$mnt"
cleanup() {
	mountpoint -q "$mnt" 2>/dev/null && { fusermount -u "$mnt" 2>/dev/null || umount "$mnt"; }
	cd / && rm -rf --one-file-system "$t_top"
}
trap cleanup EXIT

t_begin "make and mount an NTFS image"
truncate -s 256M "$img" && mkntfs -F -Q -q -L OFFMIGTEST "$img" >mkntfs.out 2>&1 ||
    t_bad "mkntfs failed: $(cat mkntfs.out)"
if ! ntfs-3g "$img" "$mnt" >mount.out 2>&1; then
	t_bad "ntfs-3g failed: $(cat mount.out)"
	t_end
	t_begin "NTFS inventory"
	t_skip "the image could not be mounted"
	t_summary
fi
t_end

t_begin "build a Windows 10 layout on NTFS"
"$OFFMIG_MKWINVOL" "$OFFMIG_SRCDIR/fixtures/win10.vol" "$mnt" >mk.out 2>&1 ||
    t_bad "mkwinvol failed: $(cat mk.out)"
[ -L "$mnt/Users/alice/Application Data" ] || t_bad "junction not a symlink on NTFS"
t_end

t_begin "inventory on a read-write NTFS mount"
t_run "$OFFMIG" inspect --json "$mnt" >out 2>err
t_expect_status 0
t_expect_json out '.os.product_name' 'Windows 10 Pro'
t_expect_json out '.os.computer_name' 'DESKTOP-OFFMIG'
t_expect_json out '.profiles[] | select(.user == "alice") | .status' ok
t_expect_json out '.profiles[] | select((.key // "") | endswith(".bak")) | .status' bak
t_expect_json out '.apps | length' 8
t_end

t_begin "case-insensitive lookups on NTFS"
mv "$mnt/Windows/System32/config/SOFTWARE" "$mnt/Windows/System32/config/software"
mv "$mnt/Users/alice" "$mnt/Users/ALICE"
t_run "$OFFMIG" profiles --json "$mnt" >out 2>err
t_expect_json out '.profiles[] | select(.user == "alice") | .host_path' 'Users/ALICE'
t_expect_json out '.profiles[] | select(.user == "alice") | .status' ok
t_end

fusermount -u "$mnt" 2>/dev/null || umount "$mnt"
before=$(sha256sum "$img" | cut -d' ' -f1)

t_begin "inventory on a read-only NTFS mount leaves the image unchanged"
if ! ntfs-3g -o ro "$img" "$mnt" >mount.out 2>&1; then
	t_bad "read-only mount failed: $(cat mount.out)"
else
	t_run "$OFFMIG" inspect "$mnt" >out 2>err
	t_expect_status 0
	t_expect_output out '^== Attention'
	for c in os profiles apps folders; do
		"$OFFMIG" "$c" --json "$mnt" >/dev/null 2>&1 || [ $? -lt 2 ] ||
		    t_bad "$c failed on the read-only mount"
	done
	fusermount -u "$mnt" 2>/dev/null || umount "$mnt"
fi
after=$(sha256sum "$img" | cut -d' ' -f1)
[ "$before" = "$after" ] || t_bad "image changed: $before -> $after"
t_end

t_summary
