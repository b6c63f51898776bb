#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# nstrace bench: complete results, sane ordering, nothing left behind, bad input.
. "$(dirname "$0")/lib.sh"
needs test
need_root

QUICK="-n 20 -j 1 -d 100ms --hold 10"

# snapshot NAME: nstrace processes (bench's workers and children are
# forks of it) and our mounts (counts), and the distinct namespaces on the
# machine (a list, in $TMP/NAME.ns)
exe=$(readlink -f "$NSTRACE")
snapshot() {
	procs=$(for e in /proc/[0-9]*/exe; do
		[ "$(readlink "$e")" = "$exe" ] && echo
	done 2>/dev/null | wc -l)
	# what bench could leave: an nsfs bind mount holding a namespace, or a
	# process of its own in one (others' mounts and containers come and go
	# on a shared machine: a debootstrap beside this test failed it)
	mounts=$(grep -c ' - nsfs ' /proc/self/mountinfo)
	for e in /proc/[0-9]*/exe; do
		[ "$(readlink "$e")" = "$exe" ] || continue
		for f in "${e%/exe}"/ns/*; do readlink "$f"; done
	done 2>/dev/null | sort -u >"$TMP/$1.ns"
	echo "$procs $mounts"
}

# Left behind: an nstrace process or a mount more, or a namespace that was not there
# before (one that an earlier test's exiting child still held may go away).
left_behind() {
	local new

	new=$(comm -13 "$TMP/before.ns" "$TMP/after.ns" | tr '\n' ' ')
	[ "$before" = "$after" ] && [ -z "$new" ] && return 0
	echo "# procs mounts: $before -> $after; new namespaces: ${new:-none}" >&2
	return 1
}

before=$(snapshot before)
"$NSTRACE" bench $QUICK --json >"$TMP/b.json" 2>"$TMP/b.err"
check "bench --json exits 0" [ $? -eq 0 ]
types=$(jq -c '[.results[].type]' "$TMP/b.json")
check "JSON has none and all eight types ($types)" \
	[ "$types" = '["none","mnt","uts","ipc","pid","net","user","cgroup","time"]' ]
check "JSON has every field for every type" jq -e 'all(.results[];
	(.latency_us.wall | has("p50") and has("p90") and has("p99") and has("max")) and
	(.latency_us.cpu | has("p50")) and (.latency_us.kernel | has("p50")) and
	(.latency_us | has("kernel_minus_wall_p50")) and (.throughput | length == 1) and
	(.teardown | has("per_sec") and has("backlog_peak") and has("drain_ms")) and
	has("kib_per_namespace") and has("skipped") and has("reason"))' "$TMP/b.json"
check "JSON has the environment header" jq -e '.env | has("kernel") and has("cpu_model") and
	has("hz") and has("preempt") and has("rcu_expedited") and has("mounts") and
	has("net_namespaces") and (.tier | test("^(tracepoint|fentry)$"))' "$TMP/b.json"
# an invariant of the statistics, not a timing: which type costs more is
# the machine's business, and timings stay out of pass/fail tests
check "every type's wall percentiles are positive and ordered" jq -e 'all(.results[];
	.latency_us.wall | .p50 > 0 and .p50 <= .p90 and .p90 <= .p99 and .p99 <= .max)' \
	"$TMP/b.json"
kmatched=$(jq '[.results[] | select(.skipped | not) | .latency_us.kernel_matched] | min' "$TMP/b.json")
check "every type has kernel-side timings for its calls (min matched: $kmatched)" [ "$kmatched" -ge 15 ]
after=$(snapshot after)
check "nothing left behind (procs mounts: $before -> $after)" left_behind

"$NSTRACE" bench $QUICK --no-kernel --ns net,uts --mode clone --csv --svg "$TMP/b.svg" >"$TMP/b.csv"
check "CSV: header and one row per type" [ "$(wc -l <"$TMP/b.csv")" -eq 4 ]
check "SVG is well-formed XML" python3 -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" "$TMP/b.svg"

# Ctrl-C mid-run: everything is still torn down
before=$(snapshot before)
"$NSTRACE" bench -n 100000 --no-kernel -j 1 >/dev/null 2>&1 &
b=$!
sleep 1.5
kill -INT $b
wait $b
st=$?
sleep 0.3
after=$(snapshot after)
check "interrupted bench exits 130" [ $st -eq 130 ]
check "interrupted bench leaves nothing behind ($before -> $after)" left_behind

expect_usage "unknown type" "unknown namespace type 'bogus'" "$NSTRACE" bench --ns bogus
expect_usage "-n 0" "invalid iteration count \(-n\) '0'" "$NSTRACE" bench -n 0
expect_usage "-n -5" "invalid iteration count \(-n\) '-5'" "$NSTRACE" bench -n -5
expect_usage "-j over 1024" "invalid job count '2000': expected a whole number from 1 to 1024" "$NSTRACE" bench -j 1,2000
expect_usage "unknown mode" "unknown mode 'fork'" "$NSTRACE" bench --mode fork

done_testing
