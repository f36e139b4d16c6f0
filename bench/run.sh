#!/usr/bin/env bash
# bench/run.sh - the inventory benchmark of issue 2: offmig inspect on a large
# generated volume against the peers a user would pick, in one run.
#
#   bench/run.sh [BUILDDIR]      (default: build/demo, as made by ./quickstart)
#
# It generates (once, cached in bench/out/) a Windows 10 volume with 200
# profiles and 2,000 applications whose SOFTWARE hive is padded to about
# 100 MB, then times, with hyperfine:
#   - offmig inspect --json (and the table form);
#   - the hivexget baseline: open every hive inspect reads and read one value
#     from each (one hivexget process per hive, as a script would);
#   - RegRipper's profilelist, uninstall and winver plugins on SOFTWARE and
#     compname on SYSTEM;
# measures peak memory with /usr/bin/time, and writes docs/PERFORMANCE.md.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build/demo}" && pwd)
out=$top/bench/out
vol=$out/vol
runs=${BENCH_RUNS:-5}
mkdir -p "$out"

for tool in hyperfine hivexget regripper jq; do
	command -v "$tool" >/dev/null ||
	    { echo "bench: $tool is missing (apt-get install hyperfine libhivex-bin regripper jq)" >&2; exit 4; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 4; }
make -C "$build" -s offmig tests/fixtures/mkwinvol >/dev/null

if [ ! -f "$vol/.complete" ] || [ "${REGEN:-0}" = 1 ]; then
	rm -rf "$vol"
	echo "bench: generating the volume (200 users, 2000 apps, 100 MB SOFTWARE)..."
	gen_start=$(date +%s)
	"$build/tests/fixtures/mkwinvol" --scale users=200,apps=2000,pad-mb=100 "$vol"
	echo "$(( $(date +%s) - gen_start ))" >"$vol/.gen-seconds"
	touch "$vol/.complete"
fi
cfg=$vol/Windows/System32/config

# The hivexget baseline: one value from every hive inspect opens.
cat >"$out/hivexget.sh" <<SH
#!/bin/sh
hivexget "$cfg/SOFTWARE" 'Microsoft\\Windows NT\\CurrentVersion' ProductName >/dev/null
hivexget "$cfg/SYSTEM" 'Select' Current >/dev/null
hivexget "$cfg/SAM" 'SAM\\Domains\\Account' V >/dev/null
for h in "$vol"/Users/user*/NTUSER.DAT; do
	hivexget "\$h" 'Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders' Personal >/dev/null
done
SH
cat >"$out/regripper.sh" <<SH
#!/bin/sh
for p in profilelist uninstall winver; do
	regripper -r "$cfg/SOFTWARE" -p \$p >/dev/null 2>&1
done
regripper -r "$cfg/SYSTEM" -p compname >/dev/null 2>&1
SH
chmod +x "$out/hivexget.sh" "$out/regripper.sh"

# The built offmig is a libtool wrapper script; time the real program.
if [ -x "$build/.libs/offmig" ]; then
	off="$build/.libs/offmig"
	export LD_LIBRARY_PATH="$build/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
	off="$build/offmig"
fi
hyperfine --warmup 1 --runs "$runs" --export-json "$out/times.json" -N \
    --command-name offmig-inspect-json "$off inspect --json $vol" \
    --command-name offmig-inspect-table "$off inspect $vol" \
    --command-name offmig-profiles "$off profiles --json $vol" \
    --command-name offmig-apps "$off apps --json $vol" \
    --command-name hivexget-baseline "$out/hivexget.sh" \
    --command-name regripper "$out/regripper.sh" >"$out/hyperfine.txt"

peak() { /usr/bin/time -f %M "$@" >/dev/null 2>"$out/time.err" || true; tail -n 1 "$out/time.err"; }
mem_inspect=$(peak "$off" inspect --json "$vol")
mem_hivexget=$(peak "$out/hivexget.sh")
mem_regripper=$(peak regripper -r "$cfg/SOFTWARE" -p uninstall)

mean() { jq -r ".results[] | select(.command == \"$1\") | .mean" "$out/times.json"; }
sd() { jq -r ".results[] | select(.command == \"$1\") | .stddev" "$out/times.json"; }
t_inspect=$(mean offmig-inspect-json)
t_hivex=$(mean hivexget-baseline)
t_rr=$(mean regripper)
ratio_hivex=$(echo "$t_inspect $t_hivex" | awk '{ printf "%.2f", $1 / $2 }')
ratio_rr=$(echo "$t_rr $t_inspect" | awk '{ printf "%.1f", $1 / $2 }')
pass_hivex=$(echo "$ratio_hivex" | awk '{ print ($1 <= 2.0) ? "PASS" : "FAIL" }')
pass_rr=$(echo "$ratio_rr" | awk '{ print ($1 >= 10.0) ? "PASS" : "FAIL" }')
apps=$("$off" apps --json "$vol" 2>/dev/null | jq '.apps | length')
profiles=$("$off" profiles --json "$vol" 2>/dev/null | jq '.profiles | length')
sw_mb=$(du -m "$cfg/SOFTWARE" | cut -f1)
nt_kb=$(du -k "$vol/Users/user0000/NTUSER.DAT" | cut -f1)

row() {
	printf '| %s | %.3f ± %.3f |\n' "$1" "$(mean "$1")" "$(sd "$1")"
}
marker='<!-- results below are written by bench/run.sh -->'
doc=$top/docs/PERFORMANCE.md
intro=$(sed -n "1,/^$marker\$/p" "$doc" 2>/dev/null | sed '$d')
{
	if [ -n "$intro" ]; then
		printf '%s\n' "$intro"
	else
		echo "# Performance"
		echo
		echo "Measured by \`bench/run.sh\`; tests never assert timings."
		echo
	fi
	echo "$marker"
	echo
	echo "## Inventory (issue 2)"
	echo
	echo "Run on $(date -u +%Y-%m-%d) with \`bench/run.sh\`, $runs runs each after one warm-up (hyperfine)."
	echo
	echo "- Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM"
	echo "- offmig $("$off" --version | cut -d' ' -f2), hivex $(dpkg-query -W -f='${Version}' libhivex-bin), RegRipper $(dpkg-query -W -f='${Version}' regripper)"
	echo "- Volume: \`mkwinvol --scale users=200,apps=2000,pad-mb=100\` (generated in $(cat "$vol/.gen-seconds") s): SOFTWARE $sw_mb MB, $profiles profile entries, $apps applications listed, one NTUSER.DAT per user (${nt_kb} KB each)"
	echo
	echo "| command | mean ± sd (s) |"
	echo "|---|---|"
	for c in offmig-inspect-json offmig-inspect-table offmig-profiles offmig-apps hivexget-baseline regripper; do
		row "$c"
	done
	echo
	echo "| target | measured | result |"
	echo "|---|---|---|"
	echo "| offmig inspect ≤ 2× the hivexget baseline | ${ratio_hivex}× | $pass_hivex |"
	echo "| RegRipper (4 plugins) ≥ 10× offmig inspect | ${ratio_rr}× | $pass_rr |"
	echo
	echo "Peak resident memory (\`/usr/bin/time -f %M\`): offmig inspect $((mem_inspect / 1024)) MB;"
	echo "the hivexget baseline $((mem_hivexget / 1024)) MB (largest single process);"
	echo "RegRipper's uninstall plugin alone $((mem_regripper / 1024)) MB."
	echo
	echo "The hivexget baseline opens SOFTWARE, SYSTEM, SAM and every NTUSER.DAT and reads one value from each,"
	echo "one process per hive ($(ls "$vol"/Users/user*/NTUSER.DAT | wc -l) user hives); offmig inspect opens the same hives"
	echo "once each and produces the whole report."
} >"$doc.tmp"
mv "$doc.tmp" "$doc"
cat "$out/hyperfine.txt"
echo
sed -n "/^$marker\$/,\$p" "$doc"
