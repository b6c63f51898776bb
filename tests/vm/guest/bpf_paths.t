#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# In the VM (busybox sh): the BPF backend takes, on this kernel, the paths
# tests/vm/kernels.conf expects (NST_EXPECT_BPF_*, NST_EXPECT_LS_COLLECTOR)
# and says so under -v; ls lists this shell's namespaces whichever
# collector it has; and the older paths (NSTRACE_BPF_LACK) pass the fentry
# and parity tests on a kernel that does not need them.
. "$(dirname "$0")/../../lib.sh"
need_root
missing="tests/vm/kernels.conf has no expectation for this kernel"
funcs=${NST_EXPECT_BPF_KERNEL_FUNCS:?$missing: bpf_kernel_funcs}
in_flight=${NST_EXPECT_BPF_IN_FLIGHT:?$missing: bpf_in_flight}
current=${NST_EXPECT_BPF_CURRENT:?$missing: bpf_current}
atomic_or=${NST_EXPECT_BPF_ATOMIC_OR:?$missing: bpf_atomic_or}
ancestors=${NST_EXPECT_BPF_CGROUP_ANCESTORS:?$missing: bpf_cgroup_ancestors}
exit_switch=${NST_EXPECT_BPF_EXIT_SWITCH:?$missing: bpf_exit_switch}
keep_cap=${NST_EXPECT_BPF_KEEP_CAP_BPF:?$missing: bpf_keep_cap_bpf}
collector=${NST_EXPECT_LS_COLLECTOR:?$missing: ls_collector}
OLD=task_storage,task_btf,atomic_or,ancestor_cgroup,rdonly_cast

# the -v lines of a trace that sees nothing (a comm no task has)
paths() {
	"$NSTRACE" trace -v --duration 1s --comm nstrace-none 2>&1 >/dev/null |
		grep '^nstrace: '
}

paths >"$TMP/v"
case $funcs in
kernel) want='asked of the kernel' ;;
*) want='looked up in /sys/kernel/btf/vmlinux' ;;
esac
check "kernel functions: $funcs" grep -q "^nstrace: kernel functions: $want" "$TMP/v"
case $in_flight in
task_storage) want='task storage' ;;
*) want='a hash by thread id' ;;
esac
check "calls in flight: $in_flight" grep -q "^nstrace: calls in flight: $want" "$TMP/v"
case $current in
btf) want='plain loads' ;;
*) want='probe reads' ;;
esac
check "current task: $current" grep -q "^nstrace: current task: $want" "$TMP/v"
if [ "$keep_cap" = yes ]; then
	check "CAP_BPF kept after attaching" grep -q '^nstrace: after attaching: CAP_BPF kept' "$TMP/v"
else
	check "no capability kept after attaching" sh -c "! grep -q 'after attaching' '$TMP/v'"
fi
case $exit_switch in
exit_task_namespaces) want='fentry on exit_task_namespaces' ;;
*) want='at sched_process_exit' ;;
esac
check "switch at exit: $exit_switch" grep -q "^nstrace: switch at exit: $want" "$TMP/v"
case $atomic_or in
yes) want='marked atomically' ;;
*) want='every cgroup level is checked' ;;
esac
# --wait loads the cgroup_mkdir program; the id is one no container has,
# so it waits until killed, after the -v lines (up to 3 minutes: -v has
# libbpf log all it does, and TCG is slow)
"$NSTRACE" trace -v --comm nstrace-none --container "$(printf '%064d' 0)" --wait \
	>/dev/null 2>"$TMP/w" &
waiter=$!
for _ in $(seq 1 1800); do
	grep -q '^Waiting for container' "$TMP/w" && break
	kill -0 $waiter 2>/dev/null || break
	sleep 0.1
done
kill $waiter 2>/dev/null
wait $waiter 2>/dev/null
# check_w NAME PATTERN: the --wait run's -v lines say PATTERN; else show them
check_w() {
	if grep -q "$2" "$TMP/w"; then
		ok "$1"
	else
		not_ok "$1" "$({
			grep -v '^libbpf' "$TMP/w"
			grep -E '^libbpf: .*(fail|error|invalid|unknown|refus)' "$TMP/w"
		} | head -n 20 | sed 's/^/# /')"
	fi
}
check_w "--wait: atomic OR $atomic_or" "^nstrace: --wait: .*$want"
case $ancestors in
helper) want='bpf_get_current_ancestor_cgroup_id' ;;
*) want='read from the cgroup' ;;
esac
check_w "cgroup ancestors: $ancestors" "^nstrace: cgroup ancestors: $want"

# ls: the collector this kernel has, and this shell's namespaces listed
"$NSTRACE" ls -v >"$TMP/ls" 2>"$TMP/ls.err"
check "ls exits 0" [ $? -eq 0 ]
if [ "$collector" = proc ]; then
	check "ls: walks /proc, and says why" grep -q 'walking /proc instead' "$TMP/ls.err"
else
	check "ls: the BPF iterators ran" sh -c "! grep -q 'walking /proc' '$TMP/ls.err'"
fi
for type in net uts mnt; do
	ino=$(readlink /proc/self/ns/$type | tr -dc 0-9)
	check "ls lists this shell's $type namespace $ino" \
		awk -v i="$ino" -v t="$type" '$1 == i && $2 == t { f = 1 } END { exit !f }' "$TMP/ls"
done

# the older paths, taken on purpose: -v names them, and the tests pass
NSTRACE_BPF_LACK=$OLD paths >"$TMP/old"
check "NSTRACE_BPF_LACK: a hash by thread id" \
	grep -q '^nstrace: calls in flight: a hash by thread id' "$TMP/old"
check "NSTRACE_BPF_LACK: probe reads" grep -q '^nstrace: current task: probe reads' "$TMP/old"
for t in fentry_test parity_test; do
	NSTRACE_BPF_LACK=$OLD "$OUTPUT/tests/$t" >"$TMP/$t.tap" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && ! grep -q '^not ok' "$TMP/$t.tap"; then
		ok "$t passes on the older paths ($(grep -c '^ok' "$TMP/$t.tap") tests)"
	else
		not_ok "$t passes on the older paths" "exit $rc" \
			"$(grep -v '^ok\|^libbpf' "$TMP/$t.tap" | head -n 30)"
	fi
done

done_testing
