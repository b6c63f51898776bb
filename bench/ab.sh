#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Two builds of nstrace side by side in one run, for a change that must not
# move the numbers (a refactor): the setns storm untraced, under A and under
# B (live to /dev/null, and recording), alternating, ROUNDS rounds; then
# `ls` of each with hyperfine, and each one's time to ready.
# usage: sudo bench/ab.sh A_NSTRACE B_NSTRACE [ROUNDS]
#   e.g. bench/ab.sh /work/old/.output/nstrace .output/nstrace 7
set -u
cd "$(dirname "$0")/.."
A=$(realpath "$1")
B=$(realpath "$2")
ROUNDS=${3:-5}
STORM_N=${STORM_N:-500000}
scripts/deps.sh bench >/dev/null
make -s .output/bench/setns_storm
STORM=$PWD/.output/bench/setns_storm
TMP=$(mktemp -d /tmp/nstrace-ab.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT

# run_under NST ARGS...: the storm's ns per call while NST ARGS traces
run_under() {
	local nst=$1 pid
	shift
	"$nst" "$@" >/dev/null 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 1 200); do
		grep -qE '^(Tracing|Recording)' "$TMP/err" && break
		sleep 0.05
	done
	storm
	kill -INT $pid
	wait $pid 2>/dev/null
}

storm() {
	"$STORM" "$STORM_N" | awk '{ for (i = 1; i < NF; i++) if ($i == "ns_per_call") print $(i + 1) }'
}

cases="untraced A-live B-live A-record B-record"
for r in $(seq 1 "$ROUNDS"); do
	storm >>"$TMP/untraced"
	for x in A B; do
		nst=$([ $x = A ] && echo "$A" || echo "$B")
		run_under "$nst" --no-summary >>"$TMP/$x-live"
		run_under "$nst" record -o "$TMP/$x.nst" >>"$TMP/$x-record"
	done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "# $(date -u +%F), $(uname -r), $(nproc) CPUs, $ROUNDS rounds, storm of $STORM_N setns"
echo "# A: $A ($("$A" --version | head -n 1))"
echo "# B: $B ($("$B" --version | head -n 1))"
base=$(median <"$TMP/untraced")
printf "%-10s %10s %8s\n" case "ns/call" ratio
for c in $cases; do
	m=$(median <"$TMP/$c")
	printf "%-10s %10.1f %7.2fx\n" "$c" "$m" "$(echo "$m / $base" | bc -l)"
done

echo
hyperfine -N -w 3 -r 20 --export-json "$TMP/ls.json" "$A ls" "$B ls" >/dev/null 2>&1
jq -r '.results[] | "ls median \(.median * 1000 | . * 10 | round / 10) ms: \(.command)"' "$TMP/ls.json"

ready_ms() {
	local s
	s=$(date +%s%N)
	"$1" --duration 100ms --no-summary 2>&1 >/dev/null | while read -r l; do
		case $l in Tracing*) echo $((($(date +%s%N) - s) / 1000000)) ;; esac
	done
}
for i in 1 2 3 4 5; do
	ready_ms "$A" >>"$TMP/ready.A"
	ready_ms "$B" >>"$TMP/ready.B"
done
echo "time to ready, median of 5: A $(median <"$TMP/ready.A") ms, B $(median <"$TMP/ready.B") ms"
