#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The collector's own CPU per event (user + system time from /proc, over a
# setns storm of CALLS calls), for one or more nstrace builds side by side,
# alternating, ROUNDS rounds: live text to /dev/null, live text through a
# pipe, recording. This is the CPU the consumer takes from a 2-CPU machine
# the traced workload runs on; it depends little on the machine's load.
# usage: sudo bench/consumer-cpu.sh ROUNDS CALLS NSTRACE...
set -u
cd "$(dirname "$0")/.."
ROUNDS=$1
CALLS=$2
shift 2
make -s .output/bench/setns_storm
STORM=$PWD/.output/bench/setns_storm
TMP=$(mktemp -d /tmp/nstrace-ccpu.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
TICK=$(getconf CLK_TCK)

# cpu_per_event NST MODE: ns of collector CPU per storm call
cpu_per_event() {
	local nst=$1 mode=$2 pid
	case $mode in
	devnull) "$nst" --no-summary >/dev/null 2>"$TMP/err" & ;;
	pipe) "$nst" --no-summary 2>"$TMP/err" | cat >/dev/null & ;;
	record) "$nst" record -o "$TMP/o.nst" >/dev/null 2>"$TMP/err" & ;;
	esac
	sleep 0.1
	pid=$(pgrep -n -f "^$nst ")
	for _ in $(seq 1 200); do
		grep -qE '^(Tracing|Recording)' "$TMP/err" && break
		sleep 0.05
	done
	read -r u0 s0 < <(awk '{ print $14, $15 }' /proc/$pid/stat)
	"$STORM" "$CALLS" >/dev/null
	sleep 0.1 # the last round's drain
	read -r u1 s1 < <(awk '{ print $14, $15 }' /proc/$pid/stat)
	kill -INT "$pid"
	wait 2>/dev/null
	echo "$u0 $s0 $u1 $s1" | awk -v t="$TICK" -v n="$CALLS" \
		'{ printf "%.0f %.0f\n", ($3 - $1) * 1e9 / t / n, ($4 - $2) * 1e9 / t / n }'
}

for r in $(seq 1 "$ROUNDS"); do
	i=0
	for nst in "$@"; do
		i=$((i + 1))
		for mode in devnull pipe record; do
			cpu_per_event "$(realpath "$nst")" $mode >>"$TMP/$i.$mode"
		done
	done
done
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "# $(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, $ROUNDS rounds of $CALLS setns; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# collector CPU per event, ns, median of rounds: user / system"
i=0
for nst in "$@"; do
	i=$((i + 1))
	printf "%s (%s)\n" "$nst" "$("$nst" --version | head -n 1)"
	for mode in devnull pipe record; do
		printf "  %-8s %6s / %s\n" $mode "$(cut -d' ' -f1 "$TMP/$i.$mode" | median)" \
			"$(cut -d' ' -f2 "$TMP/$i.$mode" | median)"
	done
done
