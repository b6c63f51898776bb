#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Does nstrace bench measure what a plain C loop measures? Runs both side by
# side, alternating, ROUNDS times, and prints the median p50 of each per type
# and their ratio. Then one full `nstrace bench` table for the record.
#
# usage: sudo bench/ns-cost.sh [ROUNDS] [N]
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
N=${2:-300}
make -s .output/nstrace .output/bench/unshare_loop
NST=.output/nstrace
LOOP=.output/bench/unshare_loop
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

declare -A FLAG=([none]=0 [mnt]=0x20000 [uts]=0x04000000 [ipc]=0x08000000 [pid]=0x20000000
	[net]=0x40000000 [user]=0x10000000 [cgroup]=0x02000000 [time]=0x80)
TYPES="none mnt uts ipc pid net user cgroup time"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for r in $(seq 1 "$ROUNDS"); do
	for t in $TYPES; do
		"$LOOP" "${FLAG[$t]}" "$N" >>"$TMP/plain.$t"
	done
	"$NST" bench --no-kernel -n "$N" -j 1 -d 200ms --hold 10 --json >"$TMP/nst.$r.json"
	for t in $TYPES; do
		jq ".results[] | select(.type == \"$t\") | .latency_us.wall.p50" \
			"$TMP/nst.$r.json" >>"$TMP/nst.$t"
	done
done

echo "# $(uname -r), $(nproc) CPUs, $ROUNDS rounds x $N creations (fork+unshare), p50 in us"
printf "%-7s %12s %14s %7s\n" TYPE "plain loop" "nstrace bench" ratio
for t in $TYPES; do
	a=$(median <"$TMP/plain.$t")
	b=$(median <"$TMP/nst.$t")
	printf "%-7s %12s %14s %7s\n" "$t" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
done
echo
echo "# nstrace bench (defaults), kernel-side timing on"
"$NST" bench
