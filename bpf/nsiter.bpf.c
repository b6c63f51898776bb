// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace inventory in one pass: every process with its namespaces
 * (iter/task) and every open namespace fd (iter/task_file).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "nstrace.bpf.h"
#include "nstrace_iter.h"

#define PF_KTHREAD 0x00200000

SEC("iter/task")
int ns_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct nst_task_rec r = {};

	/* threads share their leader's namespaces but for pid_for_children: lsns counts processes */
	if (!t || t->pid != t->tgid)
		return 0;
	r.pid = t->tgid;
	r.ppid = BPF_CORE_READ(t, real_parent, tgid);
	r.euid = BPF_CORE_READ(t, cred, euid.val);
	r.kthread = !!(t->flags & PF_KTHREAD);
	r.cgroup_id = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
	task_ns_inos(t, r.ns);
	bpf_probe_read_kernel_str(r.comm, sizeof(r.comm), t->comm);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

SEC("iter/task_file")
int ns_fds(struct bpf_iter__task_file *ctx)
{
	struct task_struct *t = ctx->task;
	struct file *f = ctx->file;
	struct nst_fd_rec r = {};
	struct inode *inode;

	if (!t || !f || t->pid != t->tgid)
		return 0;
	inode = BPF_CORE_READ(f, f_inode);
	if (BPF_CORE_READ(inode, i_sb, s_magic) != NSFS_MAGIC)
		return 0;
	r.pid = t->tgid;
	r.fd = ctx->fd;
	r.ino = BPF_CORE_READ(inode, i_ino);
	r.type = ns_common_type(BPF_CORE_READ(inode, i_private));
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
