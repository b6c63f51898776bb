#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# record and report: round trip, damaged files, kill -9, a full disk, loss, formats.
. "$(dirname "$0")/lib.sh"
needs test
need_root

# a workload that waits for "go", then unshares and setns'es a few times
workload() {
	sh -c "read x <'$1'; for i in 1 2 3; do unshare -u -n true; done;
		unshare -u sh -c 'nsenter -t \$\$ -u true'; sleep 0.2" &
}

mkfifo "$TMP/go"
workload "$TMP/go"
wl=$!
"$NSTRACE" record -o "$TMP/a.nst" --json --pid $wl >"$TMP/live.json" 2>"$TMP/rec.err" &
rec=$!
until grep -q '^Recording' "$TMP/rec.err"; do sleep 0.05; done
echo go >"$TMP/go"
wait $rec
check "record exits 0 when the traced tree ends" [ $? -eq 0 ]
"$NSTRACE" report "$TMP/a.nst" --format json >"$TMP/rep.json"
check "report --format json exits 0" [ $? -eq 0 ]
jq -c . "$TMP/live.json" | sort >"$TMP/live.s"
jq -c 'select(has("syscall"))' "$TMP/rep.json" | sort >"$TMP/rep.s"
check "live stream is not empty ($(wc -l <"$TMP/live.s") events)" [ -s "$TMP/live.s" ]
missing=$(comm -23 "$TMP/live.s" "$TMP/rep.s" | wc -l)
check "every live --json event is in the report, field for field ($missing missing)" \
	[ "$missing" -eq 0 ]

# damage: the report is the intact prefix, with a warning naming the offset
"$NSTRACE" report "$TMP/a.nst" --format json >"$TMP/full.json"
size=$(stat -c %s "$TMP/a.nst")
hdr=$(( $(head -c 16 "$TMP/a.nst" | od -An -tu4 -j12 -N4) + 20 ))
bad=""
for off in $(seq "$hdr" 3 "$size"); do
	head -c "$off" "$TMP/a.nst" >"$TMP/t.nst"
	"$NSTRACE" report "$TMP/t.nst" --format json >"$TMP/t.json" 2>"$TMP/t.err" || bad="$bad $off(exit)"
	n=$(wc -l <"$TMP/t.json")
	head -n "$n" "$TMP/full.json" | cmp -s - "$TMP/t.json" || bad="$bad $off(not a prefix)"
	if [ "$off" -lt "$size" ]; then
		grep -q "damaged at byte offset [0-9]*" "$TMP/t.err" || bad="$bad $off(no warning)"
	fi
done
check "truncated at every 3rd byte: intact prefix and a warning$bad" [ -z "$bad" ]
head -c 10 "$TMP/a.nst" >"$TMP/h.nst"
"$NSTRACE" report "$TMP/h.nst" >/dev/null 2>"$TMP/h.err"
st=$?
check "a cut header is an error (exit $st: $(cat "$TMP/h.err"))" [ $st -eq 2 ]
cp "$TMP/a.nst" "$TMP/f.nst"
printf '\xff' | dd of="$TMP/f.nst" bs=1 seek=$((size - 5)) conv=notrunc 2>/dev/null
"$NSTRACE" report "$TMP/f.nst" --format json >"$TMP/f.json" 2>"$TMP/f.err"
check "a flipped byte is reported (CRC or compressed data)" \
	grep -qE "damaged at byte offset [0-9]+ \((CRC mismatch|bad compressed data)\)" "$TMP/f.err"

# the formats
"$NSTRACE" report "$TMP/a.nst" --format chrome >"$TMP/c.json"
check "chrome: valid JSON with trace-event fields" jq -e '.traceEvents | length > 0 and
	all(.[]; has("ph") and has("pid")) and any(.[]; .ph == "X" and has("dur"))
	and any(.[]; .ph == "M")' "$TMP/c.json"
"$NSTRACE" report "$TMP/a.nst" --format svg >"$TMP/r.svg"
check "svg: well-formed XML" python3 -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" "$TMP/r.svg"
"$NSTRACE" report "$TMP/a.nst" --format csv >"$TMP/r.csv"
check "csv: header plus one row per event" \
	[ "$(($(wc -l <"$TMP/r.csv") - 1))" -eq "$(jq -c 'select(has("syscall"))' "$TMP/rep.json" | wc -l)" ]
"$NSTRACE" report "$TMP/a.nst" >"$TMP/r.txt"
check "text: lifecycles name the created uts namespaces" grep -q 'created .* via unshare, from uts:' "$TMP/r.txt"
if command -v chromium >/dev/null; then
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--no-first-run --user-data-dir="$TMP/chr" --screenshot="$TMP/s.png" "file://$TMP/r.svg" >/dev/null 2>&1
	check "svg renders in headless Chromium" [ -s "$TMP/s.png" ]
fi

# kill -9: every block written before the kill is readable
( while :; do unshare -u true; done ) &
gen=$!
# from attached, not from started: loading is slow under a sanitizer
start_tracer /dev/null "$TMP/k.err" record -o "$TMP/k.nst" --comm unshare
rec=$TRACER
sleep 2.5
kill -9 $rec
kill $gen
wait $rec $gen 2>/dev/null
"$NSTRACE" report "$TMP/k.nst" --format json >"$TMP/k.json" 2>/dev/null
check "after kill -9 the flushed blocks are readable ($(wc -l <"$TMP/k.json") events)" \
	[ "$(wc -l <"$TMP/k.json")" -gt 0 ]

# a full disk: a clear error, and the file stays readable
mkdir "$TMP/small"
mount -t tmpfs -o size=64k nstrace-test "$TMP/small"
# a storm fills it within a second even on a loaded machine
STORM=${OUTPUT:-$(dirname "$NSTRACE")}/bench/setns_storm
"$STORM" 1000000000 >/dev/null &
gen=$!
timeout 60 "$NSTRACE" record -o "$TMP/small/full.nst" --comm setns_storm 2>"$TMP/full.err"
st=$?
kill $gen
wait $gen 2>/dev/null
check "ENOSPC stops the recorder with exit 1 (exit $st)" [ $st -eq 1 ]
check "ENOSPC message says so" grep -q 'No space left on device' "$TMP/full.err"
"$NSTRACE" report "$TMP/small/full.nst" --format json >"$TMP/full.json" 2>/dev/null
check "the full-disk recording is readable ($(wc -l <"$TMP/full.json") events)" \
	[ "$(wc -l <"$TMP/full.json")" -gt 0 ]
umount "$TMP/small"

# loss in the kernel is recorded and reported
"$NSTRACE" record -o "$TMP/l.nst" -b 4096 --comm setns_storm -- "$STORM" 200000 2 \
	>/dev/null 2>&1
check "lost events are in the JSON report" jq -e -s 'any(.[]; has("lost_total") and .lost_total > 0)' \
	<("$NSTRACE" report "$TMP/l.nst" --format json)
check "lost events are in the text report" grep -q 'LOST: [0-9]* events' \
	<("$NSTRACE" report "$TMP/l.nst")

done_testing
