#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# What watching namespaces costs the watched, side by side in one run: the
# same workloads under no tracer, nstrace (live to /dev/null, live text to a
# pipe, recording, and with a --pid or a --container filter that excludes
# the workload), an
# equivalent bpftrace script, perf trace and strace. ROUNDS rounds,
# alternating tracers; min/median/max of the ratio to untraced.
# "floor" is an empty program pair on the raw syscall tracepoints
# (bench/tp_floor.c hold): the part of any setns tracer's cost that no
# tracer can take out on this kernel.
# Workloads: a setns storm (ns per call), a fork+unshare loop (iterations/s)
# and a container churn (nstrace run pods per second).
# Then: nstrace's peak RSS through 10 million events, and its time to ready.
# usage: sudo bench/overhead.sh [ROUNDS]; RESOURCES_ONLY=1 for the last part only;
# WORKLOADS="storm" and TRACERS="untraced nstrace-record ..." pick a subset
set -u
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
STORM_N=${STORM_N:-1000000}
FORK_N=${FORK_N:-3000}
PODS=${PODS:-40}
scripts/deps.sh bench >/dev/null
make -s .output/nstrace .output/bench/setns_storm .output/bench/fork_unshare .output/bench/tp_floor
NST=$PWD/.output/nstrace
FLOOR=$PWD/.output/bench/tp_floor
STORM=$PWD/.output/bench/setns_storm
FORKU=$PWD/.output/bench/fork_unshare
TMP=$(mktemp -d /tmp/nstrace-overhead.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT

# the bpftrace equivalent: a printf per enter/exit pair of the same syscalls
cat >"$TMP/ns.bt" <<'BT'
tracepoint:syscalls:sys_enter_setns, tracepoint:syscalls:sys_enter_unshare,
tracepoint:syscalls:sys_enter_clone, tracepoint:syscalls:sys_enter_clone3
{ @start[tid] = nsecs; }
tracepoint:syscalls:sys_exit_setns, tracepoint:syscalls:sys_exit_unshare,
tracepoint:syscalls:sys_exit_clone, tracepoint:syscalls:sys_exit_clone3
/@start[tid]/
{ printf("%d %s %s %d %d\n", pid, comm, probe, args->ret, nsecs - @start[tid]); delete(@start[tid]); }
BT

# start_bg NAME CMD...: a system-wide tracer in the background, until ready;
# its output goes to $OUT (default /dev/null)
start_bg() {
	name=$1
	shift
	"$@" >"${OUT:-/dev/null}" 2>"$TMP/$name.err" &
	BG=$!
	for _ in $(seq 1 200); do
		grep -qE '^(Tracing|Recording|Attaching)' "$TMP/$name.err" && { sleep 0.2; return; }
		sleep 0.05
	done
	sleep 2 # perf trace says nothing when ready
}

stop_bg() {
	kill -INT "$BG" 2>/dev/null
	wait "$BG" 2>/dev/null
}

# measure TRACER WORKLOAD: one number (ns/call, iterations/s or pods/s)
measure() {
	local tracer=$1 wl=$2 cmd
	case $wl in
	storm) cmd=("$STORM" "$STORM_N") ;;
	fork) cmd=("$FORKU" "$FORK_N") ;;
	churn) cmd=(bash -c "s=\$(date +%s%N); for i in \$(seq $PODS); do
		$NST run --ns net,uts,ipc,mnt,pid -- true; done;
		echo per_sec \$(echo \"$PODS * 1000000000 / (\$(date +%s%N) - \$s)\" | bc -l)") ;;
	esac
	case $tracer in
	untraced) "${cmd[@]}" ;;
	floor) # the empty tracepoint pair (bench/tp_floor.c): what any tracer of setns pays here
		start_bg f "$FLOOR" hold; "${cmd[@]}"; stop_bg ;;
	nstrace) start_bg n "$NST" --no-summary; "${cmd[@]}"; stop_bg ;;
	nstrace-pipe) # live text through a pipe to a reader
		rm -f "$TMP/fifo"; mkfifo "$TMP/fifo"; cat "$TMP/fifo" >/dev/null &
		OUT=$TMP/fifo start_bg n "$NST" --no-summary; "${cmd[@]}"; stop_bg ;;
	nstrace-record) start_bg n "$NST" record -o "$TMP/o.nst"; "${cmd[@]}"; stop_bg ;;
	nstrace-otherpid) sleep 1000 & other=$!
		start_bg n "$NST" --no-summary --pid $other; "${cmd[@]}"; stop_bg; kill $other ;;
	nstrace-container) # a container the workload is not in (make_container)
		start_bg n "$NST" --no-summary --container "$CTR_ID"; "${cmd[@]}"; stop_bg ;;
	bpftrace) start_bg b bpftrace "$TMP/ns.bt"; "${cmd[@]}"; stop_bg ;;
	perf-trace) start_bg p perf trace -a -e setns,unshare,clone,clone3 -o /dev/null; "${cmd[@]}"; stop_bg ;;
	strace) strace -f -qq -e trace=setns,unshare,clone,clone3 -o /dev/null "${cmd[@]}" ;;
	esac | awk '{ for (i = 1; i < NF; i++) if ($i == "ns_per_call" || $i == "per_sec") print $(i + 1) }'
}

# A container of the bench's own for --container, without a runtime: a
# process in namespaces of its own, in a cgroup v2 directory named by a
# 64-hex id, as Docker's cgroupfs driver names one (the id resolves from the
# cgroup paths; an untraced task pays the namespace and cgroup checks)
make_container() {
	local root
	root=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	CTR_ID=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
	CTR_CG=$root/nstrace-bench/$CTR_ID
	mkdir -p "$CTR_CG" || return 1
	# into the cgroup first, so that everything it forks is there too
	sh -c 'echo $$ >"$1/cgroup.procs" && exec unshare -m -u -i -n -p --fork sleep 100000' \
		sh "$CTR_CG" &
	CTR_PID=$!
	sleep 0.3
}

# unshare --fork ignores SIGTERM while it waits: kill everything in the cgroup
drop_container() {
	for _ in $(seq 1 50); do
		xargs -r kill -KILL <"$CTR_CG/cgroup.procs" 2>/dev/null
		rmdir "$CTR_CG" "$(dirname "$CTR_CG")" 2>/dev/null && return
		sleep 0.1
	done
}

TRACERS=${TRACERS:-untraced floor nstrace nstrace-pipe nstrace-record nstrace-otherpid nstrace-container bpftrace perf-trace strace}
case " $TRACERS " in
*" nstrace-container "*)
	make_container || { echo "no cgroup v2 hierarchy to make a container in" >&2; exit 1; }
	trap 'drop_container; kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT ;;
esac
# RESOURCES_ONLY=1: just the collector's RSS and time to ready (a minute)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
WORKLOADS=${WORKLOADS:-storm fork churn}
[ "${RESOURCES_ONLY:-0}" = 1 ] && WORKLOADS=""
for wl in $WORKLOADS; do
	for r in $(seq 1 "$ROUNDS"); do
		for t in $TRACERS; do
			measure "$t" "$wl" >>"$TMP/$wl.$t"
		done
	done
done

stats() { sort -g | awk '{ v[NR] = $1 } END { printf "%s %s %s", v[1], v[int((NR + 1) / 2)], v[NR] }'; }
echo "# $(date -u +%FT%TZ), $(uname -r), $(nproc) CPUs, $ROUNDS rounds; storm $STORM_N setns, fork loop $FORK_N, churn $PODS pods"
echo "# $("$NST" --version | head -n 1); load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
for wl in $WORKLOADS; do
	unit=$([ $wl = storm ] && echo "ns/call" || echo "per s")
	base=$(stats <"$TMP/$wl.untraced" | awk '{ print $2 }')
	printf "\n%-18s %12s  %s\n" "$wl ($unit)" "median" "slowdown min/median/max"
	for t in $TRACERS; do
		read -r lo med hi < <(stats <"$TMP/$wl.$t")
		if [ $wl = storm ]; then
			r=$(awk -v a="$lo" -v b="$med" -v c="$hi" -v u="$base" 'BEGIN { printf "%.2fx %.2fx %.2fx", a/u, b/u, c/u }')
		else # a rate: slowdown is untraced / traced
			r=$(awk -v a="$hi" -v b="$med" -v c="$lo" -v u="$base" 'BEGIN { printf "%.2fx %.2fx %.2fx", u/a, u/b, u/c }')
		fi
		printf "%-18s %12.1f  %s\n" "$t" "$med" "$r"
	done
done

echo
/usr/bin/time -f "%M" -o "$TMP/rss.rec" "$NST" record -o "$TMP/big.nst" --comm setns_storm -- "$STORM" 5000000 2 >/dev/null 2>"$TMP/big.err"
echo "nstrace record peak RSS through $(sed -n 's/^Recorded \([0-9]*\) events.*/\1/p' "$TMP/big.err") events: $(($(cat "$TMP/rss.rec") / 1024)) MiB ($(cat "$TMP/rss.rec") KiB)"
# time to ready, --tier auto (the fentry probe, then the fallback) and
# --tier tracepoint (no probe), alternating
ready_ms() {
	local s
	s=$(date +%s%N)
	"$NST" --tier "$1" --duration 100ms --no-summary 2>&1 >/dev/null | while read -r l; do
		case $l in Tracing*) echo $((($(date +%s%N) - s) / 1000000)) ;; esac
	done
}
for i in 1 2 3 4 5; do
	ready_ms auto >>"$TMP/ready.auto"
	ready_ms tracepoint >>"$TMP/ready.tracepoint"
done
for tier in auto tracepoint; do
	sort -n "$TMP/ready.$tier" | awk -v t=$tier '{ v[NR] = $1 } END { print "time to ready (attached, first event deliverable), --tier " t ": median " v[int((NR + 1) / 2)] " ms of " NR " runs (" v[1] "-" v[NR] ")" }'
done
