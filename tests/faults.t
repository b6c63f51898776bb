#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Faults survived, nothing lost: signals to the recorder, kill -9, a traced
# tree that dies mid-stream, outputs that go away, two tracers at once, no
# BPF objects left behind however nstrace exits, memlock and ring-buffer limits.
. "$(dirname "$0")/lib.sh"
needs test
need_root

# A workload that waits for orders on a fifo: each line N is N unshare calls;
# closing the fifo ends it. Deterministic counts, whatever else runs here.
start_workload() {
	rm -f "$TMP/orders"
	mkfifo "$TMP/orders"
	sh -c 'while read n; do i=0; while [ $i -lt $n ]; do unshare -u true; i=$((i + 1)); done;
		echo done >>"$1"; done <"$2"' sh "$TMP/acks" "$TMP/orders" &
	WL=$!
	# the only writer: whatever starts later gets 3>&-, or the workload never sees EOF
	exec 3>"$TMP/orders"
	: >"$TMP/acks"
}
order() {
	local before
	before=$(wc -l <"$TMP/acks")
	echo "$1" >&3
	for _ in $(seq 1 200); do
		[ "$(wc -l <"$TMP/acks")" -gt "$before" ] && return 0
		sleep 0.05
	done
	return 1
}
stop_workload() {
	exec 3>&-
	wait "$WL" 2>/dev/null
}
unshares() { jq -c 'select(.syscall == "unshare")' "$@" 2>/dev/null | wc -l; }

# The BPF objects a process holds, as "prog 12" "map 7" "link 3" lines.
bpf_held() {
	for f in /proc/"$1"/fdinfo/*; do
		sed -n 's/^\(prog\|map\|link\)_id:[[:space:]]*\([0-9]*\)/\1 \2/p' "$f" 2>/dev/null
	done | sort -u
}
# Which of those still exist, after giving the kernel up to 5 s to free them.
bpf_remaining() {
	local left
	for _ in $(seq 1 50); do
		left=$(while read -r kind id; do
			bpftool "$kind" show id "$id" >/dev/null 2>&1 && echo "$kind $id"
		done <"$1")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "$left" | tr '\n' ' '
}

# ---- signals to the recorder: the last events are flushed, the file is complete
for sig in INT TERM HUP; do
	start_workload
	"$NSTRACE" record -o "$TMP/$sig.nst" --pid $WL 2>"$TMP/$sig.err" 3>&- &
	rec=$!
	wait_for "$TMP/$sig.err" '^Recording'
	order 5
	kill -$sig $rec
	wait $rec
	st=$?
	stop_workload
	"$NSTRACE" report "$TMP/$sig.nst" --format json >"$TMP/$sig.json" 2>"$TMP/$sig.rep"
	n=$(unshares "$TMP/$sig.json")
	said=$(sed -n 's/^Recorded \([0-9]*\) events.*/\1/p' "$TMP/$sig.err")
	check "SIG$sig: record exits 0 (exit $st)" [ "$st" -eq 0 ]
	check "SIG$sig: the 5 unshare calls made just before are in the file ($n)" [ "$n" -eq 5 ]
	check "SIG$sig: complete file, no warning ($(cat "$TMP/$sig.rep"))" [ ! -s "$TMP/$sig.rep" ]
	check "SIG$sig: as many events in the file as recorded (${said:-?})" \
		[ "$(jq -c 'select(has("syscall"))' "$TMP/$sig.json" | wc -l)" = "${said:-x}" ]
done

# ---- kill -9 loses at most the last second: events older than that are all there
start_workload
"$NSTRACE" record -o "$TMP/k.nst" --pid $WL 2>"$TMP/k.err" 3>&- &
rec=$!
wait_for "$TMP/k.err" '^Recording'
order 20
sleep 2.5 # more than the 1 s between flushes
kill -KILL $rec
wait $rec 2>/dev/null
stop_workload
"$NSTRACE" report "$TMP/k.nst" --format json >"$TMP/k.json" 2>"$TMP/k.rep"
check "kill -9: the 20 calls made 2.5 s before are all in the file ($(unshares "$TMP/k.json"))" \
	[ "$(unshares "$TMP/k.json")" -eq 20 ]
check "kill -9: the report says the file has no end marker" grep -q 'no end marker' "$TMP/k.rep"

# ---- the traced tree dies mid-stream: a clean finish with the summary
for cmd in trace record; do
	sh -c 'while :; do unshare -u true; done' &
	gen=$!
	case $cmd in
	trace) args="--pid $gen" ;;
	record) args="-o $TMP/mid.nst --pid $gen" ;;
	esac
	timeout 60 "$NSTRACE" $cmd $args >"$TMP/mid.out" 2>"$TMP/mid.err" &
	tr=$!
	wait_for "$TMP/mid.err" '^\(Tracing\|Recording\)'
	sleep 1
	kill -KILL $gen
	wait $gen 2>/dev/null
	wait $tr
	st=$?
	check "$cmd: the traced tree killed mid-stream: exit 0 (exit $st)" [ "$st" -eq 0 ]
	if [ $cmd = trace ]; then
		check "trace: events, then the summary" sh -c "grep -q unshare '$TMP/mid.out' &&
			grep -q '^Summary' '$TMP/mid.out'"
	else
		check "record: the file is complete" sh -c "'$NSTRACE' report '$TMP/mid.nst' \
			>/dev/null 2>'$TMP/mid.rep' && [ ! -s '$TMP/mid.rep' ]"
	fi
done

# ---- the output goes away
sh -c 'while :; do unshare -u true; done' &
gen=$!
timeout 60 "$NSTRACE" record -o "$TMP/p.nst" -J --pid $gen 2>"$TMP/p.err" | head -n 1 >/dev/null
st=${PIPESTATUS[0]}
check "record -J | head: ends by itself with exit 1 (exit $st)" [ "$st" -eq 1 ]
check "record -J | head: says why" grep -q 'failed to write the live events: Broken pipe' "$TMP/p.err"
check "record -J | head: the file is complete" sh -c "'$NSTRACE' report '$TMP/p.nst' \
	>/dev/null 2>'$TMP/p.rep' && [ ! -s '$TMP/p.rep' ]"
timeout 60 "$NSTRACE" --pid $gen -d 5 >/dev/full 2>"$TMP/full.err"
st=$?
check "trace >/dev/full: exit 1 with ENOSPC named (exit $st)" \
	sh -c "[ $st -eq 1 ] && grep -q 'failed to write output: No space left' '$TMP/full.err'"
timeout 60 "$NSTRACE" --pid $gen -d 5 >&- 2>"$TMP/closed.err"
st=$?
check "trace with stdout closed: exit 1, an error, nothing written into a BPF fd (exit $st)" \
	sh -c "[ $st -eq 1 ] && grep -q 'failed to write output' '$TMP/closed.err'"
kill $gen
wait $gen 2>/dev/null
timeout 30 "$NSTRACE" report "$TMP/p.nst" >/dev/full 2>"$TMP/rfull.err"
st=$?
check "report >/dev/full: exit 1 with ENOSPC named (exit $st)" \
	sh -c "[ $st -eq 1 ] && grep -q 'No space left' '$TMP/rfull.err'"
timeout 30 "$NSTRACE" ls >/dev/full 2>"$TMP/lfull.err"
st=$?
check "ls >/dev/full: exit 1 with ENOSPC named (exit $st)" \
	sh -c "[ $st -eq 1 ] && grep -q 'No space left' '$TMP/lfull.err'"
timeout 30 "$NSTRACE" run --json -o /dev/full -- true 2>"$TMP/run.err"
check "run -o /dev/full: the write error is named" grep -q 'failed to write .*No space left' "$TMP/run.err"

# ---- two tracers at once: both see everything, stopping one leaves the other
start_workload
"$NSTRACE" --json --pid $WL >"$TMP/a.json" 2>"$TMP/a.err" 3>&- &
A=$!
"$NSTRACE" --json --pid $WL >"$TMP/b.json" 2>"$TMP/b.err" 3>&- &
B=$!
wait_for "$TMP/a.err" '^Tracing' && wait_for "$TMP/b.err" '^Tracing'
bpf_held $B >"$TMP/b.ids"
bpf_held $A >"$TMP/a.ids"
order 3
sleep 0.5
kill -INT $A
wait $A
check "tracer A saw the 3 calls ($(unshares "$TMP/a.json"))" [ "$(unshares "$TMP/a.json")" -eq 3 ]
check "tracer A's BPF objects are gone after it stopped" [ -z "$(bpf_remaining "$TMP/a.ids")" ]
check "tracer B's objects are not A's ($(wc -l <"$TMP/b.ids") held)" \
	sh -c "[ -s '$TMP/b.ids' ] && [ -z \"\$(comm -12 '$TMP/a.ids' '$TMP/b.ids')\" ]"
order 4
stop_workload
wait $B
check "tracer B saw all 7, before and after A stopped ($(unshares "$TMP/b.json"))" \
	[ "$(unshares "$TMP/b.json")" -eq 7 ]

# ---- nothing left behind, however nstrace exits
leftovers() { # leftovers NAME SIGNAL|wait ARGS...: start, note what it holds, end it, look
	local name=$1 how=$2 pid left
	shift 2
	rm -f "$TMP/lo.err"
	"$NSTRACE" "$@" >/dev/null 2>"$TMP/lo.err" &
	pid=$!
	wait_for "$TMP/lo.err" '^\(Tracing\|Recording\|Serving\)'
	sleep 0.3
	bpf_held $pid >"$TMP/lo.ids"
	[ "$how" = wait ] || kill -"$how" $pid
	wait $pid 2>/dev/null
	left=$(bpf_remaining "$TMP/lo.ids")
	check "$name: $(grep -c . "$TMP/lo.ids") BPF objects held, none left after exit ${left:+(left: $left)}" \
		sh -c "[ -s '$TMP/lo.ids' ] && [ -z '$left' ]"
}
leftovers "trace -d 5" wait -d 5 --comm nstrace-none
leftovers "trace, SIGINT" INT --comm nstrace-none
leftovers "trace, SIGTERM" TERM --comm nstrace-none
leftovers "trace, SIGKILL" KILL --comm nstrace-none
leftovers "record, SIGKILL" KILL record -o "$TMP/lo.nst" --comm nstrace-none
leftovers "serve, SIGTERM" TERM serve --listen "127.0.0.1:$(free_port)" --comm nstrace-none
leftovers "serve, SIGKILL" KILL serve --listen "127.0.0.1:$(free_port)" --comm nstrace-none

# Short-lived runs cannot be caught holding anything: look instead for objects
# of nstrace's names that appeared since and that no process holds.
bpf_names() { # the function after each SEC("...") line, as the kernel keeps it (15 chars)
	awk '/^SEC\(/ { getline; sub(/BPF_PROG\(/, ""); if (match($0, /[a-z_0-9]+[(,]/))
		print substr($0, RSTART, RLENGTH - 1) }' \
		"$(dirname "$0")"/../bpf/*.bpf.c | cut -c1-15 | sort -u
}
max_id() { bpftool -j "$1" show 2>/dev/null | jq '[.[].id] | max // 0'; }
orphans() { # orphans KIND SINCE: ids above SINCE with our names, held by nobody
	local held
	held=$(cat /proc/[0-9]*/fdinfo/* 2>/dev/null | sed -n "s/^$1_id:[[:space:]]*//p" | sort -u)
	bpftool -j "$1" show 2>/dev/null | jq -r --argjson since "$2" \
		'.[] | select(.id > $since) | "\(.id) \(.name // "")"' |
		while read -r id name; do
			grep -qx "$name" "$TMP/names" || continue
			echo "$held" | grep -qx "$id" || echo "$id"
		done
}
bpf_names >"$TMP/names"
p0=$(max_id prog)
"$NSTRACE" -g /tmp -d 1 >/dev/null 2>"$TMP/cg.err"
check "an error after loading (-g /tmp is no cgroup) is reported" grep -q 'cgroup' "$TMP/cg.err"
"$NSTRACE" ls >/dev/null
"$NSTRACE" run --trace -- true 2>/dev/null
"$NSTRACE" demo >/dev/null 2>&1
left=""
for _ in $(seq 1 50); do
	left=$(orphans prog "$p0")
	[ -z "$left" ] && break
	sleep 0.1
done
check "no orphaned programs after an error, ls, run --trace and demo ($(wc -l <"$TMP/names") names)${left:+: $left}" \
	sh -c "[ -s '$TMP/names' ] && [ -z '$left' ]"

# ---- resource limits: clear advice, never a crash
lim_run() { # lim_run NAME CMD...: exit 0, or 2 with advice naming the memlock limit
	local name=$1
	shift
	"$@" >/dev/null 2>"$TMP/lim.err"
	st=$?
	if [ $st -eq 0 ] || { [ $st -eq 2 ] && grep -qE 'memlock|ulimit -l' "$TMP/lim.err"; }; then
		ok "$name (exit $st)"
	else
		not_ok "$name" "exit $st: $(cat "$TMP/lim.err")"
	fi
}
lim_run "ulimit -l 16, CAP_BPF and CAP_PERFMON only: works, or names the memlock limit" \
	sh -c "ulimit -l 16 && exec setpriv --bounding-set=-all,+bpf,+perfmon '$NSTRACE' -d 1 --comm x"
lim_run "ulimit -l 0 as root: works, or names the memlock limit" \
	sh -c "ulimit -l 0 && exec '$NSTRACE' -d 1 --comm x"
if grep -q "^CapBnd:.*" /proc/self/status && [ $((0x$(sed -n 's/^CapBnd:\t//p' /proc/self/status) >> 24 & 1)) -eq 1 ]; then
	lim_run "ulimit -l 16 with CAP_SYS_RESOURCE: works" \
		sh -c "ulimit -l 16 && exec setpriv --bounding-set=-all,+bpf,+perfmon,+sys_resource '$NSTRACE' -d 1 --comm x"
else
	# No root here can gain CAP_SYS_RESOURCE; what it would be for is a
	# memlock limit, so check that none applies: a kernel that charges BPF
	# to the memory cgroup (5.11+) must work at ulimit -l 0 without it.
	sh -c "ulimit -l 0 && exec setpriv --bounding-set=-all,+bpf,+perfmon '$NSTRACE' -d 1 --comm x" \
		>/dev/null 2>"$TMP/lim.err"
	st=$?
	check "no CAP_SYS_RESOURCE in this machine's bounding set, and none needed: ulimit -l 0 with CAP_BPF and CAP_PERFMON only works (exit $st)" \
		[ $st -eq 0 ]
fi
check "the smallest ring buffer (-b 4K) works" "$NSTRACE" -b 4K -d 1 --comm x
"$NSTRACE" -b 1G -d 1 --comm x >/dev/null 2>"$TMP/big.err"
st=$?
check "the largest ring buffer (-b 1G) works or says to use a smaller one (exit $st)" \
	sh -c "[ $st -eq 0 ] || { [ $st -eq 2 ] && grep -q 'smaller -b' '$TMP/big.err'; }"

done_testing
