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

/*
 * The owning user namespace of each of t's namespaces, and the parents of its
 * pid and user namespaces; the initial user namespace's NULL parent reads as
 * 0. (Direct loads through the task pointer made each pass faster but the
 * verifier slower by more: helper reads win for a one-shot ls.)
 */
static __always_inline void task_ns_owners(struct task_struct *t, struct nst_task_rec *r)
{
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);
	struct pid_namespace *pidns = task_pid_ns(t);
	struct user_namespace *userns = BPF_CORE_READ(t, real_cred, user_ns);

	r->user_parent = BPF_CORE_READ(userns, parent, ns.inum);
	r->owner[NST_NS_USER] = r->user_parent;
	if (pidns) {
		r->owner[NST_NS_PID] = BPF_CORE_READ(pidns, user_ns, ns.inum);
		r->pid_parent = BPF_CORE_READ(pidns, parent, ns.inum);
	}
	if (!nsp)
		return;
	r->owner[NST_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, user_ns, ns.inum);
	r->owner[NST_NS_NET] = BPF_CORE_READ(nsp, net_ns, user_ns, ns.inum);
	r->owner[NST_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, user_ns, ns.inum);
	r->owner[NST_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, user_ns, ns.inum);
	r->owner[NST_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, user_ns, ns.inum);
	r->owner[NST_NS_TIME] = BPF_CORE_READ(nsp, time_ns, user_ns, ns.inum);
}

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
	task_ns_inos_probed(t, r.ns);
	task_ns_owners(t, &r);
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
	inode = f->f_inode;
	if (inode->i_sb->s_magic != NSFS_MAGIC)
		return 0;
	r.pid = t->tgid;
	r.fd = ctx->fd;
	r.ino = inode->i_ino;
	r.type = ns_common_type(BPF_CORE_READ(inode, i_private));
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
