// SPDX-License-Identifier: GPL-2.0
/*
 * Bench only, never part of nstrace: the floor of the tracepoint tier. An
 * empty pair on the raw syscall tracepoints costs every syscall what having
 * them attached at all costs (the syscall-work slow path and two program
 * runs); whatever nstrace's filter adds for a task outside it is above this.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
