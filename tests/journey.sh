# journey.sh - sourced (after lib.sh) by the store journey tests,
# tests/cli-store-journey.sh and tests/ntfs-store.sh: lists of the files a
# store holds, snapshots of their size, mtime, mode, SHA-256 and NTFS
# attributes, free space and the store's own metadata.  Paths are relative
# to the volume root, one a line, sorted with LC_ALL=C (the fixtures have no
# newline or backslash in their names).

j_tab=$(printf '\t')

# j_unescape: decodes the manifest's %XX escapes of each line on stdin.
j_unescape() {
	while IFS= read -r j_l; do
		case $j_l in
		*%*) printf '%b\n' "$(printf '%s' "$j_l" |
		    sed 's/%\([0-9A-F][0-9A-F]\)/\\x\1/g')" ;;
		*) printf '%s\n' "$j_l" ;;
		esac
	done
}

# j_manifest_files STORE: the host paths of the store's file records.
j_manifest_files() {
	awk -F'\t' '$1 == "O" && $3 == "f" { print $5 }' "$1/manifest" |
	    j_unescape | LC_ALL=C sort
}

# j_manifest_dirs STORE: the host paths of its empty-folder records.
j_manifest_dirs() {
	awk -F'\t' '$1 == "O" && $3 == "d" { print $5 }' "$1/manifest" |
	    j_unescape | LC_ALL=C sort
}

# j_plan_files JSON: the host paths of the files a plan --json selected.
j_plan_files() {
	jq -r '.objects[] | select(.type == "file") | .host_path' "$1" |
	    LC_ALL=C sort
}

# j_plan_dirs JSON: the host paths of the empty folders a plan selected.
j_plan_dirs() {
	jq -r '.objects[] | select(.type == "folder") | .host_path' "$1" |
	    LC_ALL=C sort
}

# j_dir_snapshot ROOT LIST OUT [attrs]: for each folder of LIST, a line
# "path TAB mtime(ns) TAB mode TAB entries [TAB ntfs-attributes]".
j_dir_snapshot() {
	: >"$3"
	while IFS= read -r j_d; do
		[ -d "$1/$j_d" ] || { echo "$j_d: missing" >>"$3.err"; continue; }
		j_a=
		[ "${4:-}" = attrs ] && j_a=$j_tab$(getfattr --only-values -e hex \
		    -n system.ntfs_attrib_be "$1/$j_d" 2>/dev/null | od -An -tx1 | tr -d ' \n')
		printf '%s\t%s\t%s\t%s%s\n' "$j_d" "$(stat -c %.9Y "$1/$j_d")" \
		    "$(stat -c %a "$1/$j_d")" "$(ls -A "$1/$j_d" | wc -l)" "$j_a" >>"$3"
	done <"$2"
}

# j_all_files ROOT [PRUNE]: every regular file below ROOT (not in PRUNE).
j_all_files() {
	if [ -n "${2:-}" ]; then
		(cd "$1" && find . -path "./$2" -prune -o -type f -printf '%P\n')
	else
		(cd "$1" && find . -type f -printf '%P\n')
	fi | LC_ALL=C sort
}

# j_snapshot ROOT LIST OUT [attrs]: for each path of LIST, a line
# "path TAB size TAB mtime(ns) TAB mode TAB sha256 [TAB ntfs-attributes]";
# a file that is missing has no line (OUT.err says why).
j_snapshot() {
	j_root=$1 j_list=$2 j_out=$3
	: >"$j_out.err"
	(cd "$j_root" && tr '\n' '\0' <"$j_list" |
	    xargs -0 -r stat -c "%n$j_tab%s$j_tab%.9Y$j_tab%a") \
	    2>>"$j_out.err" | LC_ALL=C sort -t "$j_tab" -k1,1 >"$j_out.stat"
	(cd "$j_root" && tr '\n' '\0' <"$j_list" | xargs -0 -r sha256sum) \
	    2>>"$j_out.err" |
	    sed -n "s/^\([0-9a-f]\{64\}\)  \(.*\)\$/\2$j_tab\1/p" |
	    LC_ALL=C sort -t "$j_tab" -k1,1 >"$j_out.sha"
	LC_ALL=C join -t "$j_tab" "$j_out.stat" "$j_out.sha" >"$j_out"
	if [ "${4:-}" = attrs ]; then
		(cd "$j_root" && tr '\n' '\0' <"$j_list" |
		    xargs -0 -r getfattr -e hex -n system.ntfs_attrib_be) \
		    2>>"$j_out.err" | awk -v t="$j_tab" '
		    /^# file: / { f = substr($0, 9); next }
		    /^system.ntfs_attrib_be=/ { print f t substr($0, 23) }' |
		    LC_ALL=C sort -t "$j_tab" -k1,1 >"$j_out.attr"
		LC_ALL=C join -t "$j_tab" "$j_out" "$j_out.attr" >"$j_out.tmp"
		mv "$j_out.tmp" "$j_out"
	fi
}

# j_same WHAT EXPECTED GOT: t_bad with the first differences unless equal.
j_same() {
	if ! cmp -s "$2" "$3"; then
		t_bad "$1: $(diff "$2" "$3" | grep -c '^[<>]') lines differ; first: $(diff "$2" "$3" | grep '^[<>]' | head -n 6 | tr '\t\n' ' |')"
		return 1
	fi
}

# j_remap_xp: maps XP profile paths on stdin to where Windows 10 keeps them.
j_remap_xp() {
	sed -e 's|^Documents and Settings/\([^/]*\)/My Documents/My Pictures/|Users/\1/Pictures/|' \
	    -e 's|^Documents and Settings/\([^/]*\)/My Documents/My Music/|Users/\1/Music/|' \
	    -e 's|^Documents and Settings/\([^/]*\)/My Documents/My Videos/|Users/\1/Videos/|' \
	    -e 's|^Documents and Settings/\([^/]*\)/My Documents/|Users/\1/Documents/|' \
	    -e 's|^Documents and Settings/\([^/]*\)/Local Settings/Application Data/|Users/\1/AppData/Local/|' \
	    -e 's|^Documents and Settings/\([^/]*\)/Application Data/|Users/\1/AppData/Roaming/|' \
	    -e 's|^Documents and Settings/\([^/]*\)/|Users/\1/|'
}

# j_free DIR: free bytes of DIR's filesystem, after a sync.
j_free() {
	sync
	stat -f -c '%a %S' "$1" | awk '{ printf "%.0f\n", $1 * $2 }'
}

# j_used ROOT: bytes allocated below ROOT, each inode counted once.
j_used() {
	find "$1" -printf '%i %b\n' | sort -u -n -k1,1 |
	    awk '{ s += $2 } END { printf "%.0f\n", s * 512 }'
}

# j_store_meta STORE: bytes allocated to the store's own parts: its folders
# and the files with one link (header, manifest, journal, registry
# exports); the other files are links to the volume's data.
j_store_meta() {
	find "$1" \( -type d -o \( -type f -links 1 \) \) -printf '%b\n' |
	    awk '{ s += $1 } END { printf "%.0f\n", s * 512 }'
}

# j_count STORE TYPE [links]: folders (d) or single-link files (f) of it.
j_count() {
	if [ "$2" = d ]; then
		find "$1" -type d | wc -l
	else
		find "$1" -type f -links 1 | wc -l
	fi
}

# j_skeleton_only VOL STORE_REL: files outside the store that are not what
# a fresh Windows skeleton holds (machine hives and folders, new profiles
# with their NTUSER.DAT and UsrClass.dat); prints them.
j_skeleton_only() {
	j_all_files "$1" "$2" | grep -a -v -E \
	    '^(Windows/.*|ProgramData/.*|Program Files( \(x86\))?/.*|Users/(Default|Public)/.*|Users/[^/]+/(NTUSER\.DAT|ntuser\.dat)(\.LOG[12]?|\.ini)?|Users/[^/]+/AppData/Local/Microsoft/Windows/(UsrClass\.dat|usrclass\.dat)(\.LOG[12]?)?|Users/desktop\.ini|bootmgr|pagefile\.sys)$' ||
	    true
}

# j_status_in STATUSES: t_bad unless $t_status is one of them.
j_status_in() {
	for j_s in "$@"; do
		[ "$t_status" = "$j_s" ] && return 0
	done
	t_bad "exit status $t_status, expected one of $*"
}

# j_nlinks ROOT LIST: the link count of each file of LIST, one a line.
j_nlinks() {
	(cd "$1" && tr '\n' '\0' <"$2" | xargs -0 -r stat -c '%h') 2>/dev/null |
	    sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 } END { print "" }'
}

# j_inodes ROOT PREFIX LIST: "path TAB inode" of PREFIX/path for each path.
j_inodes() {
	(cd "$1" && sed "s|^|$2|" "$3" | tr '\n' '\0' |
	    xargs -0 -r stat -c "%n$j_tab%i") 2>/dev/null |
	    sed "s|^$2||" | LC_ALL=C sort -t "$j_tab" -k1,1
}

# j_journey VOL MODE: the whole journey of store10.vol on VOL (an empty
# folder: a plain directory, a private tmpfs or an ntfs-3g mount; MODE is
# plain, tmpfs or ntfs), in test cases.  J (a folder outside VOL that
# outlives the cases) keeps the lists and snapshots.
j_journey() {
	jv=$1 jmode=$2
	js=$jv/MigStore
	jattrs=
	[ "$jmode" = ntfs ] && [ -n "${j_have_attr:-}" ] && jattrs=attrs

	t_begin "$jmode: build store10.vol (3 users, 20,000 files)"
	j_t0=$(date +%s)
	"$OFFMIG_MKWINVOL" "$OFFMIG_SRCDIR/fixtures/store10.vol" "$jv" >mk.out 2>&1 ||
	    t_bad "mkwinvol failed: $(head -c 400 mk.out)"
	if [ -n "$jattrs" ]; then
		# Read-only (0x01) where the fixture says mode=0444, hidden
		# (0x02) on the dot file, system (0x04) + hidden on one more,
		# not-content-indexed (0x2000) on the large files.
		for f in "Users/alice/Documents/Taxes/2023 return (signed).pdf" \
		    "Users/bob/Desktop/do not edit.txt" \
		    "Users/carol/Documents/Contracts/lease.pdf"; do
			setfattr -n system.ntfs_attrib_be -v 0x00000021 "$jv/$f" ||
			    t_bad "setfattr on $f failed"
		done
		setfattr -n system.ntfs_attrib_be -v 0x00000022 \
		    "$jv/Users/bob/Documents/.hidden-dotfile" || t_bad "setfattr failed"
		setfattr -n system.ntfs_attrib_be -v 0x00000026 \
		    "$jv/Users/carol/Desktop/ends with dots...txt" || t_bad "setfattr failed"
		setfattr -n system.ntfs_attrib_be -v 0x00002020 \
		    "$jv/Users/alice/Videos/Holiday 2023/beach.mp4" || t_bad "setfattr failed"
	fi
	# The empty folders' own times (mkwinvol leaves the time it made them).
	touch -d '2021-03-04 05:06:07.123456789 UTC' "$jv/Users/carol/Documents/Empty folder" &&
	    touch -d '2025-01-02 03:04:05.5 UTC' "$jv/Users/alice/Pictures/Albums/2025/To sort" &&
	    touch -d '2019-12-31 23:59:59 UTC' "$jv/Users/bob/Desktop/New folder" ||
	    t_bad "touch of the empty folders failed"
	[ -n "$jattrs" ] && { setfattr -n system.ntfs_attrib_be -v 0x00000012 \
	    "$jv/Users/bob/Desktop/New folder" || t_bad "setfattr on a folder failed"; }
	n=$(find "$jv/Users" -type f | wc -l)
	[ "$n" -ge 20000 ] || t_bad "only $n files under Users"
	echo "  built in $(($(date +%s) - j_t0)) s: $n files under Users"
	t_end

	t_begin "$jmode: inspect and plan see three users and 20,018 files"
	t_run "$OFFMIG" inspect --json "$jv" >"$J/inspect.json" 2>err
	t_expect_status 0
	t_expect_json "$J/inspect.json" '[.profiles[] | select(.status == "ok") | .user] | sort | join(",")' 'alice,bob,carol'
	rm -rf "$J/xml"
	t_run "$OFFMIG" xml -o "$J/xml" "$jv" >out 2>err
	t_expect_status 0
	t_run "$OFFMIG" plan --json -i "$J/xml/offmig-user.xml" -i "$J/xml/offmig-apps.xml" \
	    --config "$J/xml/config.xml" "$jv" >"$J/plan.json" 2>err
	t_expect_status 0
	j_plan_files "$J/plan.json" >"$J/plan.list"
	n=$(wc -l <"$J/plan.list")
	[ "$n" = 20018 ] || t_bad "plan selected $n files, expected 20018"
	grep -q -x 'Users/alice/AppData/Roaming/SomeApp/settings.ini' "$J/plan.list" &&
	    t_bad "plan selected AppData/Roaming/SomeApp, which no rule takes"
	# The empty folders inside known folders, not the one in AppData.
	j_plan_dirs "$J/plan.json" >"$J/plan.dirs"
	printf '%s\n' 'Users/alice/Pictures/Albums/2025/To sort' \
	    'Users/bob/Desktop/New folder' 'Users/carol/Documents/Empty folder' |
	    LC_ALL=C sort >"$J/want.dirs"
	j_same "plan's empty folders" "$J/want.dirs" "$J/plan.dirs"
	t_end

	t_begin "$jmode: snapshot: SHA-256, size, mtime, mode${jattrs:+, NTFS attributes} of every selected file"
	j_snapshot "$jv" "$J/plan.list" "$J/orig.snap" $jattrs
	n=$(wc -l <"$J/orig.snap")
	[ "$n" = 20018 ] || t_bad "snapshot of $n files: $(head -c 300 "$J/orig.snap.err")"
	if [ -n "$jattrs" ]; then
		grep -q "^Users/bob/Desktop/do not edit.txt$j_tab.*${j_tab}0x00000021\$" "$J/orig.snap" ||
		    t_bad "the read-only attribute was not read back"
	fi
	j_dir_snapshot "$jv" "$J/plan.dirs" "$J/orig.dsnap" $jattrs
	j_all_files "$jv" >"$J/all-before.list"
	j_free0=$(j_free "$jv")
	j_used0=$(j_used "$jv")
	t_end

	t_begin "$jmode: store create links every selected file, costing only its metadata"
	t_run "$OFFMIG" store create "$jv" "$js" >"$J/create.out" 2>"$J/create.err"
	t_expect_status 0
	tail -n 1 "$js/manifest" | grep -q '^S	objects=' || t_bad "the manifest is not sealed"
	j_manifest_files "$js" >"$J/store.list"
	j_same "stored files = planned files" "$J/plan.list" "$J/store.list"
	j_manifest_dirs "$js" >"$J/store.dirs"
	j_same "stored empty folders = planned ones" "$J/plan.dirs" "$J/store.dirs"
	j_inodes "$jv" "" "$J/store.list" >"$J/ino.vol"
	j_inodes "$js" "files/C/" "$J/store.list" >"$J/ino.store"
	j_same "store files are the volume's inodes" "$J/ino.vol" "$J/ino.store"
	[ -d "$js/rules" ] && [ -n "$(ls "$js/rules")" ] ||
	    t_bad "the store does not keep the rules it was made with (STORE/rules)"
	j_free1=$(j_free "$jv")
	j_used1=$(j_used "$jv")
	meta=$(j_store_meta "$js")
	ndirs=$(j_count "$js" d)
	nown=$(j_count "$js" f)
	dfree=$((j_free0 - j_free1))
	dused=$((j_used1 - j_used0))
	echo "  free space: $dfree bytes less; allocated: +$dused; the store's metadata: $meta bytes ($ndirs folders, $nown own files); data: $(awk -F'\t' '{ s += $2 } END { print s }' "$J/orig.snap") bytes"
	# Hard links allocate nothing: what the volume holds grew by exactly
	# the store's own folders and files (each inode counted once).
	case $jmode in
	ntfs)
		# ntfs-3g moves a small file's data out of its 1 KiB MFT
		# record when the second name no longer fits there: allow
		# one cluster for each file small enough to live in its
		# record (1 KiB or less).
		small=$(awk -F'\t' '$2 <= 1024' "$J/orig.snap" | wc -l)
		bound=$((meta + 4096 * small))
		[ "$dused" -le "$bound" ] ||
		    t_bad "allocated space grew by $dused, more than $bound" ;;
	*)
		[ "$dused" = "$meta" ] ||
		    t_bad "allocated space grew by $dused, the store's metadata is $meta" ;;
	esac
	case $jmode in
	plain) ;;	# a shared filesystem: its free space moves with others' work
	tmpfs)
		[ "$dfree" -le $((meta + 65536)) ] ||
		    t_bad "free space fell by $dfree, more than the metadata $meta + 64 KiB" ;;
	ntfs)
		# NTFS: beyond the allocated blocks, each new folder and
		# file takes a 1 KiB MFT record, each extra name up to 512
		# bytes of MFT records (a \$FILE_NAME attribute, an
		# attribute list when the record overflows), and the MFT and
		# its bitmap grow by whole extents (2 MiB allowed).
		bound=$((dused + 1024 * (ndirs + nown) + 512 * $(wc -l <"$J/store.list") + 2097152))
		[ "$dfree" -le "$bound" ] ||
		    t_bad "free space fell by $dfree, more than the bound $bound" ;;
	esac
	t_end

	t_begin "$jmode: store verify --hash"
	t_run "$OFFMIG" store verify --hash "$js" >out 2>err
	t_expect_status 0
	t_run "$OFFMIG" store verify --json "$js" >out.json 2>err
	t_expect_status 0
	t_expect_json out.json '.verify.complete' true
	t_expect_json out.json '.verify.ok' true
	t_end

	t_begin "$jmode: store list"
	t_run "$OFFMIG" store list --users --csv "$js" >out 2>err
	t_expect_status 0
	for u in alice bob carol; do
		t_expect_output out ",$u,"
	done
	t_end

	t_begin "$jmode: wipe-except refuses without --yes"
	t_run "$OFFMIG" store wipe-except "$js" "$jv" >out 2>err
	j_status_in 2 5
	t_expect_output err 'yes'
	[ -f "$jv/Users/alice/AppData/Roaming/SomeApp/settings.ini" ] ||
	    t_bad "the volume was touched"
	t_end

	t_begin "$jmode: wipe-except leaves only the store and a Windows 10 skeleton"
	t_run "$OFFMIG" store wipe-except --yes "$js" "$jv" >out 2>err
	t_expect_status 0
	left=$( (cd "$jv" && tr '\n' '\0' <"$J/all-before.list" |
	    xargs -0 -r ls -d 2>/dev/null) | grep -a -v -E '(NTUSER\.DAT|UsrClass\.dat|^Windows/)' | head -n 5)
	[ -z "$left" ] || t_bad "left on the volume: $left"
	extra=$(j_skeleton_only "$jv" MigStore | head -n 5)
	[ -z "$extra" ] || t_bad "not skeleton: $extra"
	[ ! -e "$jv/Users/alice/AppData/Roaming/SomeApp/settings.ini" ] &&
	    [ ! -e "$jv/Windows/Temp/setup.log" ] || t_bad "unselected files survived"
	n=$(find "$js/files" -type f | wc -l)
	[ "$n" = 20018 ] || t_bad "the store holds $n files, not 20018"
	t_run "$OFFMIG" profiles --json "$jv" >out.json 2>err
	t_expect_json out.json '[.profiles[] | select(.status == "ok") | .user] | sort | join(",")' 'alice,bob,carol'
	t_run "$OFFMIG" store verify "$js" >out 2>err
	t_expect_status 0
	t_end

	t_begin "$jmode: store restore puts every file back, unchanged"
	t_run "$OFFMIG" store restore "$js" "$jv" >"$J/restore.out" 2>"$J/restore.err"
	t_expect_status 0
	j_snapshot "$jv" "$J/plan.list" "$J/restored.snap" $jattrs
	j_same "restored files (path, size, mtime, mode, SHA-256${jattrs:+, attributes})" \
	    "$J/orig.snap" "$J/restored.snap"
	[ ! -e "$jv/Users/alice/AppData/Roaming/SomeApp/settings.ini" ] ||
	    t_bad "an unselected file came back"
	grep -q '^S	objects=' "$js/restored" || t_bad "STORE/restored has no completion line"
	n=$(find "$js/files" -type f -links 1 | wc -l)
	[ "$n" = 0 ] || t_bad "$n store files are not linked back on the volume"
	j_dir_snapshot "$jv" "$J/plan.dirs" "$J/restored.dsnap" $jattrs
	j_same "restored empty folders (path, mtime, mode, entries${jattrs:+, attributes})" \
	    "$J/orig.dsnap" "$J/restored.dsnap"
	[ ! -e "$jv/Users/alice/AppData/Roaming/SomeApp/Cache" ] ||
	    t_bad "an empty folder no rule takes came back"
	t_end

	t_begin "$jmode: restore merged alice's and bob's settings into their new hives"
	grep -q -E '^alice .* merged *$' "$J/restore.out" ||
	    t_bad "alice's registry not merged: $(grep -a '^alice' "$J/restore.out")"
	t_run "$OFFMIG" hive get "$jv/Users/alice/NTUSER.DAT" 'Software\7-Zip\FM' >out 2>err
	t_expect_status 0
	t_expect_output out '"ShowDots" REG_DWORD 1'
	t_expect_output out '"FolderHistory" REG_BINARY hex:43003a005c000000'
	t_run "$OFFMIG" hive get "$jv/Users/bob/NTUSER.DAT" 'Software\7-Zip' Lang >out 2>err
	t_expect_status 0
	t_expect_output out 'de'
	t_end

	t_begin "$jmode: store verify after the restore"
	t_run "$OFFMIG" store verify "$js" >out 2>err
	t_expect_status 0
	t_end

	t_begin "$jmode: store remove: the store is gone, the files stay"
	t_run "$OFFMIG" store remove "$js" >out 2>err
	t_expect_status 0
	[ ! -e "$js" ] || t_bad "$js is still there: $(find "$js" | head -n 5 | tr '\n' ' ')"
	j_snapshot "$jv" "$J/plan.list" "$J/removed.snap" $jattrs
	j_same "files after remove" "$J/orig.snap" "$J/removed.snap"
	links=$(j_nlinks "$jv" "$J/plan.list")
	[ "$links" = "1:20018 " ] || t_bad "link counts after remove: $links"
	t_end
}

# j_journey_xp VOL MODE: XP source, Windows 10 skeleton, known-folder remap.
j_journey_xp() {
	jv=$1 jmode=$2
	js=$jv/MigStore

	t_begin "$jmode: XP to Windows 10: capture the XP volume"
	"$OFFMIG_MKWINVOL" "$OFFMIG_SRCDIR/fixtures/storexp.vol" "$jv" >mk.out 2>&1 ||
	    t_bad "mkwinvol failed: $(head -c 400 mk.out)"
	rm -rf "$J/xpxml"
	"$OFFMIG" xml -o "$J/xpxml" "$jv" >/dev/null 2>err || t_bad "offmig xml failed: $(head -c 300 err)"
	"$OFFMIG" plan --json -i "$J/xpxml/offmig-user.xml" -i "$J/xpxml/offmig-apps.xml" \
	    --config "$J/xpxml/config.xml" "$jv" >"$J/xpplan.json" 2>err ||
	    t_bad "plan failed: $(head -c 300 err)"
	j_plan_files "$J/xpplan.json" >"$J/xp.list"
	n=$(wc -l <"$J/xp.list")
	[ "$n" -ge 610 ] || t_bad "plan selected $n files"
	j_snapshot "$jv" "$J/xp.list" "$J/xp.snap"
	t_run "$OFFMIG" store create "$jv" "$js" >out 2>err
	t_expect_status 0
	j_manifest_files "$js" >"$J/xpstore.list"
	j_same "stored files = planned files" "$J/xp.list" "$J/xpstore.list"
	t_end

	t_begin "$jmode: XP to Windows 10: wipe-except lays down Windows 10"
	t_run "$OFFMIG" store wipe-except --yes "$js" "$jv" >out 2>err
	t_expect_status 0
	[ ! -e "$jv/Documents and Settings/kate/My Documents" ] ||
	    t_bad "the XP profile folders survived"
	[ -d "$jv/Users/kate" ] && [ -d "$jv/Users/leo" ] || t_bad "no Users\\kate, Users\\leo"
	t_run "$OFFMIG" os --json "$jv" >out.json 2>err
	t_expect_json out.json '.product_name | test("Windows 1[01]")' true
	t_end

	t_begin "$jmode: XP to Windows 10: restore maps the known folders"
	t_run "$OFFMIG" store restore "$js" "$jv" >out 2>err
	t_expect_status 0
	j_remap_xp <"$J/xp.list" | LC_ALL=C sort >"$J/xp10.list"
	grep -q -x 'Users/kate/Documents/Letters/Lettre à Noël.doc' "$J/xp10.list" ||
	    t_bad "the remapped list lacks kate's letter"
	j_snapshot "$jv" "$J/xp10.list" "$J/xp10.snap"
	j_remap_xp <"$J/xp.snap" | LC_ALL=C sort -t "$j_tab" -k1,1 >"$J/xp.mapped"
	j_same "XP files at their Windows 10 places" "$J/xp.mapped" "$J/xp10.snap"
	[ ! -e "$jv/Documents and Settings/kate" ] ||
	    t_bad "restore recreated Documents and Settings\\kate"
	t_end

	t_begin "$jmode: XP to Windows 10: remove"
	t_run "$OFFMIG" store remove "$js" >out 2>err
	t_expect_status 0
	[ ! -e "$js" ] || t_bad "the store is still there"
	j_snapshot "$jv" "$J/xp10.list" "$J/xp10b.snap"
	j_same "files after remove" "$J/xp.mapped" "$J/xp10b.snap"
	t_end
}

# j_reseal MANIFEST: recomputes the seal after an edit (counts kept), so
# that only the edited record is wrong.
j_reseal() {
	j_seal=$(tail -n 1 "$1")
	head -n -1 "$1" >"$1.body"
	j_sum=$(sha256sum <"$1.body" | cut -d' ' -f1)
	printf '%s\tsha256=%s\n' "$(printf '%s' "$j_seal" | cut -f1-3)" "$j_sum" >>"$1.body"
	chmod u+w "$1" 2>/dev/null
	cat "$1.body" >"$1" && rm -f "$1.body"
}

# j_edit_first STORE FIELD VALUE: sets FIELD (5 host_path, 6 store_path,
# 4 winpath) of the first file record, then reseals the manifest.
j_edit_first() {
	# ENVIRON, not -v: awk would read the backslashes of a winpath.
	J_F=$2 J_V=$3 awk -F'\t' -v OFS='\t' '
	    !done && $1 == "O" && $3 == "f" { $ENVIRON["J_F"] = ENVIRON["J_V"]; done = 1 }
	    { print }' "$1/manifest" >"$1/manifest.new" &&
	    cat "$1/manifest.new" >"$1/manifest" && rm -f "$1/manifest.new"
	j_reseal "$1/manifest"
}
