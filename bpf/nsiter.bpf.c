// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace inventory in one pass: every process with its namespaces
 * (iter/task) and every open namespace fd (iter/task_file).
 *
 * The light skeleton's loader applies the CO-RE relocations in the kernel,
 * which looks each relocated type up by name in a 31-slot cache and, on a
 * miss, searches all of vmlinux's BTF (~0.4 ms here). Names that share a
 * slot evict each other, so every relocated type costs each run of
 * `nstrace ls` a search if it shares a slot, and one per switch if the
 * relocations of slot-sharing types interleave. Hence: iterator contexts
 * without CO-RE, no inode or ns_common in the fd pass, and the reads of
 * slot-sharing types (pid and pid_namespace, mnt_namespace and
 * ipc_namespace, cgroup_namespace and time_namespace) kept together.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "nstrace.bpf.h"
#include "nstrace_iter.h"

#define PF_KTHREAD 0x00200000

/*
 * The iterators' arguments as DEFINE_BPF_ITER_FUNC lays them out, a
 * calling convention fixed since 5.8: no relocation needed.
 */
struct nst_iter_meta {
	struct seq_file *seq;
};

struct nst_iter_task {
	struct nst_iter_meta *meta;
	struct task_struct *task;
};

struct nst_iter_task_file {
	struct nst_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
};

/* The nsproxy half of a task record: shared by every task of that nsproxy. */
struct nsproxy_half {
	__u32 ns[NST_NS_COUNT];
	__u32 owner[NST_NS_COUNT];
};

/*
 * Most processes share their nsproxy with many others (every fork without
 * CLONE_NEW* does), so its thirteen read chains are done once per nsproxy
 * (past 8192 of them, per task again). An nsproxy freed and reallocated
 * during the walk could be misread: the kind of race lsns has too, reading
 * /proc one process after another.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct nsproxy_half);
} nsproxies SEC(".maps");

/* The fd pass: first the file of our own fd self_fd, to learn nsfs's f_op. */
const volatile __u32 self_tgid;
const volatile __u32 self_fd;
__u64 nsfs_fops;

static __always_inline void read_nsproxy(struct nsproxy *nsp, __u32 *ns, __u32 *owner)
{
	ns[NST_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	owner[NST_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, user_ns, ns.inum);
	ns[NST_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	owner[NST_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, user_ns, ns.inum);
	ns[NST_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	owner[NST_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, user_ns, ns.inum);
	ns[NST_NS_TIME] = BPF_CORE_READ(nsp, time_ns, ns.inum);
	owner[NST_NS_TIME] = BPF_CORE_READ(nsp, time_ns, user_ns, ns.inum);
	ns[NST_NS_TIME_FC] = BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
	ns[NST_NS_NET] = BPF_CORE_READ(nsp, net_ns, ns.inum);
	owner[NST_NS_NET] = BPF_CORE_READ(nsp, net_ns, user_ns, ns.inum);
	ns[NST_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	owner[NST_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, user_ns, ns.inum);
}

static __always_inline void copy_half(struct nst_task_rec *r, const struct nsproxy_half *h)
{
	__builtin_memcpy(r->ns, h->ns, sizeof(r->ns));
	__builtin_memcpy(r->owner, h->owner, sizeof(r->owner));
}

/* After exit_task_namespaces() a task has no nsproxy: its slots stay 0. */
static __always_inline void task_nsproxy_half(struct nsproxy *nsp, struct nst_task_rec *r)
{
	struct nsproxy_half fresh = {}, *h;
	__u64 key = (__u64)nsp;

	if (!nsp)
		return;
	h = bpf_map_lookup_elem(&nsproxies, &key);
	if (h) {
		copy_half(r, h);
		return;
	}
	read_nsproxy(nsp, fresh.ns, fresh.owner);
	bpf_map_update_elem(&nsproxies, &key, &fresh, BPF_NOEXIST);
	copy_half(r, &fresh);
}

/*
 * The task's own pid namespace (at its struct pid's level), its owner and
 * parent, and pid_for_children, which is a pid_namespace too.
 */
static __always_inline void task_pid_half(struct task_struct *t, struct nsproxy *nsp,
					  struct nst_task_rec *r)
{
	struct pid_namespace *pidns = task_pid_ns(t);

	if (pidns) {
		r->ns[NST_NS_PID] = BPF_CORE_READ(pidns, ns.inum);
		r->owner[NST_NS_PID] = BPF_CORE_READ(pidns, user_ns, ns.inum);
		r->pid_parent = BPF_CORE_READ(pidns, parent, ns.inum);
	}
	if (nsp)
		r->ns[NST_NS_PID_FC] = BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
}

/* The initial user namespace's NULL parent reads as 0. */
static __always_inline void task_user_half(struct task_struct *t, struct nst_task_rec *r)
{
	struct user_namespace *userns = BPF_CORE_READ(t, real_cred, user_ns);

	r->ns[NST_NS_USER] = BPF_CORE_READ(userns, ns.inum);
	r->user_parent = BPF_CORE_READ(userns, parent, ns.inum);
	r->owner[NST_NS_USER] = r->user_parent;
}

SEC("iter/task")
int ns_tasks(struct nst_iter_task *ctx)
{
	struct task_struct *t = ctx->task;
	struct nst_task_rec r = {};
	struct nsproxy *nsp;

	/* threads share their leader's namespaces but for pid_for_children: lsns counts processes */
	if (!t || t->pid != t->tgid)
		return 0;
	r.pid = t->tgid;
	r.ppid = BPF_CORE_READ(t, real_parent, tgid);
	r.euid = BPF_CORE_READ(t, cred, euid.val);
	r.kthread = !!(t->flags & PF_KTHREAD);
	r.cgroup_id = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
	nsp = BPF_CORE_READ(t, nsproxy);
	task_nsproxy_half(nsp, &r);
	task_pid_half(t, nsp, &r);
	task_user_half(t, &r);
	bpf_probe_read_kernel_str(r.comm, sizeof(r.comm), t->comm);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

/*
 * nsfs files are told by their f_op, learned from our own fd self_fd in a
 * first pass over our own process (whose fds are not listed); user space
 * reads the type and inode from /proc/PID/fd, for the few fds found.
 */
SEC("iter/task_file")
int ns_fds(struct nst_iter_task_file *ctx)
{
	struct task_struct *t = ctx->task;
	struct file *f = ctx->file;
	struct nst_fd_rec r = {};
	__u64 fops;

	if (!t || !f || t->pid != t->tgid)
		return 0;
	fops = (__u64)f->f_op;
	if (!nsfs_fops) {
		if (t->tgid == self_tgid && ctx->fd == self_fd)
			nsfs_fops = fops;
		return 0;
	}
	if (fops != nsfs_fops || t->tgid == self_tgid)
		return 0;
	r.pid = t->tgid;
	r.fd = ctx->fd;
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
