#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The trace command end to end: JSON schema, bad input, pipes.
. "$(dirname "$0")/lib.sh"
needs test
need_root


expect_usage "pid that is not a number" "invalid pid 'abc'" "$NSTRACE" --pid abc
expect_usage "pid that does not exist" "failed to trace pid 999999999: no such process" \
	"$NSTRACE" --pid 999999999
expect_usage "unknown namespace type lists the valid ones" \
	"unknown namespace type 'foo' \(valid: mnt, uts, ipc, pid, net, user, cgroup, time" \
	"$NSTRACE" --ns net,foo
expect_usage "unknown column" "unknown column: NOPE" "$NSTRACE" -o PID,NOPE
expect_usage "bad duration" "invalid duration 'soon'" "$NSTRACE" -d soon
expect_usage "unknown command" "unknown or ambiguous command 'frobnicate'" "$NSTRACE" frobnicate

# without privileges: the message names the missing capabilities
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	"$NSTRACE" --duration 1 >"$TMP/o" 2>"$TMP/e"
st=$?
if [ $st -eq 2 ] && grep -q 'missing CAP_BPF and CAP_PERFMON' "$TMP/e"; then
	ok "unprivileged run names CAP_BPF and CAP_PERFMON"
else
	not_ok "unprivileged run names CAP_BPF and CAP_PERFMON" "exit $st: $(cat "$TMP/e")"
fi

# a kernel without BTF, simulated by hiding /sys/kernel/btf in a private mount ns
unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf && exec '$NSTRACE' --duration 1" \
	>"$TMP/o" 2>"$TMP/e"
st=$?
if [ $st -eq 2 ] && grep -q 'CONFIG_DEBUG_INFO_BTF' "$TMP/e"; then
	ok "missing kernel BTF is a clear error"
else
	not_ok "missing kernel BTF is a clear error" "exit $st: $(cat "$TMP/e")"
fi

# a traced process that is already gone
sh -c 'exit 0' &
gone=$!
wait $gone
expect_usage "traced process that exited at once" "failed to trace pid $gone" "$NSTRACE" --pid $gone

# --json: every line parses and carries every documented key
mkfifo "$TMP/go"
sh -c "read x <'$TMP/go'; unshare -u -n true" &
wl=$!
if start_tracer "$TMP/json" "$TMP/jerr" --json --pid $wl; then
	echo go >"$TMP/go"
	wait $TRACER
	keys='["time","ts_ns","pid","tid","ppid","comm","cgroup_id","container","pod","syscall","flags","flags_raw","ret","errno","latency_ns","child_pid","target","before","after","changed","source"]'
	slots='["mnt","pid","pid_for_children","net","uts","ipc","user","cgroup","time","time_for_children"]'
	if [ -s "$TMP/json" ] && jq -e --argjson k "$keys" --argjson s "$slots" \
		'(keys_unsorted == $k) and ((.before | keys_unsorted) == $s) and ((.after | keys_unsorted) == $s)' \
		"$TMP/json" >/dev/null; then
		ok "--json: one object per line with every documented key"
	else
		not_ok "--json: one object per line with every documented key" "$(head -c 600 "$TMP/json")"
	fi
	n=$(jq -c 'select(.syscall == "unshare" and .flags == "CLONE_NEWUTS|CLONE_NEWNET")' "$TMP/json" | wc -l)
	check "--json: the workload's unshare is there once" [ "$n" -eq 1 ]
	check "summary goes to stderr in --json mode" grep -q '^Summary' "$TMP/jerr"
else
	not_ok "tracer started" "$(cat "$TMP/jerr")"
fi

# nstrace | head must end quietly (EPIPE/SIGPIPE handled)
( while :; do unshare -u true; done ) &
gen=$!
"$NSTRACE" --comm unshare --duration 10 2>"$TMP/perr" | head -n 2 >/dev/null
st=${PIPESTATUS[0]}
kill $gen
wait $gen 2>/dev/null
if [ "$st" -eq 0 ] && ! grep -q 'failed' "$TMP/perr"; then
	ok "nstrace | head ends quietly"
else
	not_ok "nstrace | head ends quietly" "exit $st: $(cat "$TMP/perr")"
fi

done_testing
