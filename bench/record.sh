#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Recording performance, side by side in one run:
#  1. a setns storm untraced and under `nstrace record` (ROUNDS rounds each,
#     alternating): cost per call, the ratio, events/s recorded, events lost;
#  2. what the recorder sustains: bench/rb_producer feeds the recorder's own
#     ring buffer synthetic events at 1 and 2 million a second for 10 s, with
#     the default 4 MiB buffer and with -b 64M; events recorded and lost;
#  3. `nstrace report` of two 10-million-event recordings, one made by 2.
#     and one of a real two-thread storm: seconds per format, elapsed and
#     CPU (user+sys), median of ROUNDS;
#  4. bytes per event in the pod scenario's steady state (a pod churn loop).
# usage: sudo bench/record.sh [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
make -s .output/nstrace .output/bench/setns_storm .output/bench/rb_producer
NST=$PWD/.output/nstrace
STORM=$PWD/.output/bench/setns_storm
PRODUCER=$PWD/.output/bench/rb_producer
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

# synthetic: a comm no task has, so only the producer's events are recorded
synthetic() { # BUFFER RATE SECONDS FILE
	"$NST" record -o "$4" -b "$1" --comm nst-nobody -d $(($3 + 3))s 2>"$TMP/syn.err" &
	local rec=$!
	until grep -q '^Recording' "$TMP/syn.err"; do sleep 0.1; done
	"$PRODUCER" $rec "$2" "$3" >"$TMP/syn.out"
	wait $rec
}
for buf in 4M 64M; do
	for rate in 1000000 2000000; do
		for r in $(seq 1 "$ROUNDS"); do
			synthetic $buf $rate 10 "$TMP/syn.nst"
			offered=$(sed -n 's/.*: \([0-9]*\) events\/s;.*/\1/p' "$TMP/syn.out")
			sed -n "s/^Recorded \([0-9]*\) events (\([0-9]*\) lost.*/\1 \2 $offered/p" \
				"$TMP/syn.err" >>"$TMP/syn.$buf.$rate"
		done
		printf "synthetic, -b %s, %s events/s offered for 10 s: recorded %s, lost %s (median of %d; lost per round: %s)\n" \
			$buf "$(cut -d' ' -f3 "$TMP/syn.$buf.$rate" | median)" \
			"$(cut -d' ' -f1 "$TMP/syn.$buf.$rate" | median)" \
			"$(cut -d' ' -f2 "$TMP/syn.$buf.$rate" | median)" "$ROUNDS" \
			"$(cut -d' ' -f2 "$TMP/syn.$buf.$rate" | paste -sd,)"
	done
done

synthetic 64M 1000000 10 "$TMP/big.nst"
echo "10M synthetic file: $(grep -o 'Recorded.*' "$TMP/syn.err"), $(stat -c %s "$TMP/big.nst") bytes"
# a real one: the two-thread storm, whose times, latencies and tids vary as they do
"$NST" record -o "$TMP/storm.nst" --comm setns_storm -- "$STORM" 5000000 2 >/dev/null 2>"$TMP/st.err"
echo "10M storm file: $(grep -o 'Recorded.*' "$TMP/st.err"), $(stat -c %s "$TMP/storm.nst") bytes"
for file in big storm; do
	for f in text json csv; do
		for r in $(seq 1 "$ROUNDS"); do
			/usr/bin/time -f "%e %U %S" -o "$TMP/t" "$NST" report "$TMP/$file.nst" \
				--format $f >/dev/null
			awk '{ print $1, $2 + $3 }' "$TMP/t" >>"$TMP/rep.$file.$f"
		done
		echo "report --format $f of the 10M-event $file file:" \
			"$(cut -d' ' -f1 "$TMP/rep.$file.$f" | median) s elapsed," \
			"$(cut -d' ' -f2 "$TMP/rep.$file.$f" | median) s CPU (median of $ROUNDS)"
	done
done
rm -f "$TMP/big.nst" "$TMP/storm.nst"

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
