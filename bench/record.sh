#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Recording performance, side by side in one run:
#  1. a setns storm untraced and under `nstrace record` (ROUNDS rounds each,
#     alternating): cost per call, the ratio, events/s recorded, events lost;
#  2. `nstrace report` of a 10-million-event recording: seconds per format;
#  3. bytes per event in the pod scenario's steady state (a pod churn loop).
# usage: sudo bench/record.sh [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
make -s .output/nstrace .output/bench/setns_storm
NST=$PWD/.output/nstrace
STORM=$PWD/.output/bench/setns_storm
TMP=$(mktemp -d /tmp/nstrace-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ns_per_call() { awk '{ for (i = 1; i < NF; i++) if ($i == "ns_per_call") print $(i + 1) }'; }

echo "# $(uname -r), $(nproc) CPUs; $ROUNDS rounds; medians"
for threads in 1 2; do
	calls=$((2000000 / threads))
	for r in $(seq 1 "$ROUNDS"); do
		"$STORM" "$calls" "$threads" | ns_per_call >>"$TMP/plain.$threads"
		"$NST" record -o "$TMP/s.nst" --comm setns_storm -- "$STORM" "$calls" "$threads" \
			2>"$TMP/rec.err" | ns_per_call >>"$TMP/rec.$threads"
		sed -n 's/^Recorded \([0-9]*\) events (\([0-9]*\) lost.*/\1 \2/p' "$TMP/rec.err" \
			>>"$TMP/counts.$threads"
	done
	p=$(median <"$TMP/plain.$threads")
	q=$(median <"$TMP/rec.$threads")
	lost=$(awk '{ s += $2 } END { print s }' "$TMP/counts.$threads")
	ev=$(awk '{ s += $1 } END { print s }' "$TMP/counts.$threads")
	printf "storm, %d thread(s): untraced %s ns/call, recorded %s ns/call, ratio %.2f, " \
		"$threads" "$p" "$q" "$(echo "$q / $p" | bc -l)"
	printf "%.0f events/s recorded, %s events, %s lost\n" \
		"$(echo "$threads * 1000000000 / $q" | bc -l)" "$ev" "$lost"
done

"$NST" record -o "$TMP/big.nst" --comm setns_storm -- "$STORM" 5000000 2 >/dev/null 2>"$TMP/big.err"
echo "10M file: $(grep -o 'Recorded.*' "$TMP/big.err"), $(stat -c %s "$TMP/big.nst") bytes"
for f in text json csv; do
	s=$( { /usr/bin/time -f %e "$NST" report "$TMP/big.nst" --format $f >/dev/null; } 2>&1 | tail -1)
	echo "report --format $f of the 10M-event file: $s s"
done

# pod churn: A holds net,uts,ipc,mnt,pid; B joins A's net,uts with mnt,pid of its own
churn() {
	for i in $(seq 1 "$1"); do
		unshare -n -u -i -m -p -f sleep 0.2 &
		a=$!
		sleep 0.02
		"$NST" run --join "$a:net,uts" --ns mnt,pid -- true
		wait $a
	done
}
export -f churn
export NST
"$NST" record -o "$TMP/pod.nst" -- bash -c "churn 100" 2>"$TMP/pod.err"
n=$(sed -n 's/^Recorded \([0-9]*\) events.*/\1/p' "$TMP/pod.err")
echo "pod churn: $n events in $(stat -c %s "$TMP/pod.nst") bytes: $(echo "$(stat -c %s "$TMP/pod.nst") / $n" | bc -l | cut -c1-5) bytes/event"
