/* SPDX-License-Identifier: GPL-2.0 */
/* BPF-only helpers: reading a task's namespace inodes with CO-RE. */
#ifndef NSTRACE_BPF_H
#define NSTRACE_BPF_H

#include <bpf/bpf_core_read.h>
#include "nstrace.h"

/* A ring buffer record of an nst_event: the event and the 8-byte header. */
#define NST_RB_RECORD (sizeof(struct nst_event) + 8)

/*
 * How to submit a record to the ring buffer rb. Below wakeup_bytes of
 * backlog, no wakeup: the collector's short poll timer delivers. Above it,
 * one wakeup each time the backlog grows past a multiple of wakeup_bytes,
 * not one per record: a forced wakeup is an interrupt to the CPU, which
 * costs microseconds in a VM, and a collector busy draining needs none.
 * wakeup_bytes 0 wakes for every record.
 */
static __always_inline __u64 nst_wakeup_flags(void *rb, __u64 wakeup_bytes)
{
	__u64 avail;

	if (!wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	avail = bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA);
	/* two records of slack: another CPU's record may have crossed with ours */
	return avail >= wakeup_bytes && avail % wakeup_bytes < 2 * NST_RB_RECORD
		       ? BPF_RB_FORCE_WAKEUP
		       : BPF_RB_NO_WAKEUP;
}

/* The syscall number a sys_exit tracepoint's registers still carry. */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) ((regs)->syscallno)
#else
#error "nstrace: add this architecture's syscall-number register to SYSCALL_NR"
#endif

#define NSFS_MAGIC 0x6e736673
#define PID_FS_MAGIC 0x50494446
#define ANON_INODE_FS_MAGIC 0x09041934

/* Before 6.18 the CLONE_NEW* type lived in the ns operations, not ns_common. */
struct proc_ns_operations___old {
	int type;
} __attribute__((preserve_access_index));

struct ns_common___new {
	u32 ns_type;
} __attribute__((preserve_access_index));

static __always_inline __u32 ns_common_type(struct ns_common *ns)
{
	struct proc_ns_operations___old *ops;

	if (bpf_core_field_exists(struct ns_common___new, ns_type))
		return BPF_CORE_READ((struct ns_common___new *)ns, ns_type);
	ops = (void *)BPF_CORE_READ(ns, ops);
	return BPF_CORE_READ(ops, type);
}

/*
 * The pid namespace the task lives in: the one at its struct pid's level.
 * The level indexes a flexible array, which the verifier lets no direct
 * load reach, so this one is read with the probe helpers.
 */
static __always_inline struct pid_namespace *task_pid_ns(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	unsigned int level;
	struct upid *up;

	if (!pid)
		return NULL;
	level = BPF_CORE_READ(pid, level);
	up = (void *)pid + bpf_core_field_offset(struct pid, numbers) +
	     (__u64)level * bpf_core_type_size(struct upid);
	return BPF_CORE_READ(up, ns);
}

static __always_inline __u32 task_pid_ns_ino_probed(struct task_struct *t)
{
	struct pid_namespace *ns = task_pid_ns(t);

	return ns ? BPF_CORE_READ(ns, ns.inum) : 0;
}

#ifdef NST_RDONLY_CAST
/*
 * The build for kernels with bpf_rdonly_cast (6.2+): kernel memory that no
 * typed load reaches (an array indexed at run time, a void pointer) becomes
 * a typed pointer again, read with direct loads (fault-safe, as probe reads
 * are) instead of a helper call each, the traced call's largest cost.
 */
extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;
#define NST_CAST(type, p) ((type *)bpf_rdonly_cast((void *)(p), bpf_core_type_id_kernel(type)))

static __always_inline __u32 task_pid_ns_ino(struct task_struct *t)
{
	struct pid *pid = t->thread_pid;
	struct pid_namespace *ns;
	struct upid *up;

	if (!pid)
		return 0;
	up = NST_CAST(struct upid, (void *)pid + bpf_core_field_offset(struct pid, numbers) +
					   (__u64)pid->level * bpf_core_type_size(struct upid));
	ns = up->ns;
	return ns ? ns->ns.inum : 0;
}
#else
/* The pid namespace of a task pointer the verifier knows (see task_nsproxy_inos). */
static __always_inline __u32 task_pid_ns_ino(struct task_struct *t)
{
	return task_pid_ns_ino_probed(t);
}
#endif

/* The namespaces an nsproxy holds, by event slot. */
#define NSPROXY_SLOTS(X)                      \
	X(NST_NS_MNT, mnt_ns)                 \
	X(NST_NS_PID_FC, pid_ns_for_children) \
	X(NST_NS_NET, net_ns)                 \
	X(NST_NS_UTS, uts_ns)                 \
	X(NST_NS_IPC, ipc_ns)                 \
	X(NST_NS_CGROUP, cgroup_ns)           \
	X(NST_NS_TIME, time_ns)               \
	X(NST_NS_TIME_FC, time_ns_for_children)

/*
 * Fill ino[] with the namespaces of t other than its pid namespace, for a
 * pointer the verifier knows as a task_struct (program arguments,
 * bpf_get_current_task_btf(), iterators). Those are plain loads: a
 * probe-read chain per namespace cost the traced task about 0.7 us per
 * syscall. After exit_task_namespaces() the nsproxy is gone and the slots
 * read 0 ("left").
 */
static __always_inline void task_nsproxy_inos(struct task_struct *t, __u32 *ino)
{
	struct nsproxy *nsp = t->nsproxy;

	ino[NST_NS_USER] = t->real_cred->user_ns->ns.inum;
#define NSP_LOAD(slot, field) ino[slot] = nsp ? nsp->field->ns.inum : 0;
	NSPROXY_SLOTS(NSP_LOAD)
#undef NSP_LOAD
}

/*
 * Only the slots in mask read again from t (as task_nsproxy_inos reads
 * them); the others keep what ino[] holds. A namespace syscall changes only
 * the slots its flags and target name, so the exit rereads just those.
 */
static __always_inline void task_slots_reread(struct task_struct *t, __u32 mask, __u32 *ino)
{
	struct nsproxy *nsp = t->nsproxy;

	if (mask & (1U << NST_NS_USER))
		ino[NST_NS_USER] = t->real_cred->user_ns->ns.inum;
#define NSP_RELOAD(slot, field)    \
	if (mask & (1U << (slot))) \
		ino[slot] = nsp ? nsp->field->ns.inum : 0;
	NSPROXY_SLOTS(NSP_RELOAD)
#undef NSP_RELOAD
}

/* Every namespace of t, a task_struct pointer as above. */
static __always_inline void task_ns_inos(struct task_struct *t, __u32 *ino)
{
	ino[NST_NS_PID] = task_pid_ns_ino(t);
	task_nsproxy_inos(t, ino);
}

/*
 * The same with probe reads: for a task pointer computed by hand, which no
 * direct load may follow (and the current task before 5.11, which has no
 * bpf_get_current_task_btf), and for one-shot programs (the ls iterators),
 * where the verifier's extra time for direct loads costs more than they save.
 */
static __always_inline void task_nsproxy_inos_probed(struct task_struct *t, __u32 *ino)
{
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);

	ino[NST_NS_USER] = BPF_CORE_READ(t, real_cred, user_ns, ns.inum);
#define NSP_READ(slot, field) ino[slot] = nsp ? BPF_CORE_READ(nsp, field, ns.inum) : 0;
	NSPROXY_SLOTS(NSP_READ)
#undef NSP_READ
}

/* task_slots_reread with probe reads, for the pointers task_nsproxy_inos_probed takes. */
static __always_inline void task_slots_reread_probed(struct task_struct *t, __u32 mask, __u32 *ino)
{
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);

	if (mask & (1U << NST_NS_USER))
		ino[NST_NS_USER] = BPF_CORE_READ(t, real_cred, user_ns, ns.inum);
#define NSP_REREAD(slot, field)    \
	if (mask & (1U << (slot))) \
		ino[slot] = nsp ? BPF_CORE_READ(nsp, field, ns.inum) : 0;
	NSPROXY_SLOTS(NSP_REREAD)
#undef NSP_REREAD
}

static __always_inline void task_ns_inos_probed(struct task_struct *t, __u32 *ino)
{
	ino[NST_NS_PID] = task_pid_ns_ino_probed(t);
	task_nsproxy_inos_probed(t, ino);
}

/* The task behind a struct pid (its PIDTYPE_PID user), or NULL. */
static __always_inline struct task_struct *pid_task_of(struct pid *pid)
{
	struct hlist_node *first = BPF_CORE_READ(pid, tasks[0].first);

	if (!first)
		return NULL;
	return (void *)first - bpf_core_field_offset(struct task_struct, pid_links);
}

/* The file at fd of t, a task pointer the verifier knows; NULL if none. */
static __always_inline struct file *task_fd_file(struct task_struct *t, int fd)
{
#ifdef NST_RDONLY_CAST
	struct fdtable *fdt = t->files ? t->files->fdt : NULL;
	struct file *f = NULL;

	if (!fdt || fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	/* an array indexed at run time: no typed load reaches it */
	bpf_core_read(&f, sizeof(f), &fdt->fd[fd]);
	return f;
#else
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_core_read(&f, sizeof(f), &fds[fd]);
	return f;
#endif
}

/* pidfds are pidfs inodes since 6.9 and anon inodes named "[pidfd]" before. */
static __always_inline bool file_is_pidfd(struct file *f, unsigned long magic)
{
	const unsigned char *dname;
	char name[8] = {};

	if (magic == PID_FS_MAGIC)
		return true;
	if (magic != ANON_INODE_FS_MAGIC)
		return false;
	dname = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	bpf_probe_read_kernel_str(name, sizeof(name), dname);
	return name[0] == '[' && name[1] == 'p' && name[2] == 'i' && name[3] == 'd' &&
	       name[4] == 'f' && name[5] == 'd' && name[6] == ']';
}

/*
 * Where setns(fd, nstype) is trying to go, read from the fd at entry so a
 * failing call still names its target.
 */
/* An open file as setns_target needs it: its inode, and what the inode says. */
struct nst_file_facts {
	struct inode *inode;
	unsigned long magic;
	__u32 ino;
	__u32 ns_type; /* nsfs only: CLONE_NEW* */
};

#ifdef NST_RDONLY_CAST
static __always_inline void file_facts(struct file *file, struct nst_file_facts *ff)
{
	struct inode *inode = NST_CAST(struct file, file)->f_inode;
	struct ns_common___new *ns;
	struct ns_common *old;

	ff->inode = inode;
	ff->magic = inode->i_sb->s_magic;
	if (ff->magic != NSFS_MAGIC)
		return;
	ff->ino = inode->i_ino;
	if (bpf_core_field_exists(struct ns_common___new, ns_type)) {
		ns = NST_CAST(struct ns_common___new, inode->i_private);
		ff->ns_type = ns->ns_type;
	} else {
		old = NST_CAST(struct ns_common, inode->i_private);
		ff->ns_type = ((struct proc_ns_operations___old *)old->ops)->type;
	}
}
#else
static __always_inline void file_facts(struct file *file, struct nst_file_facts *ff)
{
	/* a local: BPF_CORE_READ would relocate a field path through ff */
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	ff->inode = inode;
	ff->magic = BPF_CORE_READ(inode, i_sb, s_magic);
	if (ff->magic != NSFS_MAGIC)
		return;
	ff->ino = BPF_CORE_READ(inode, i_ino);
	ff->ns_type = ns_common_type(BPF_CORE_READ(inode, i_private));
}
#endif

static __always_inline void setns_target(struct task_struct *t, int fd, __u64 nstype,
					 struct nst_event *e)
{
	struct file *f = task_fd_file(t, fd);
	struct nst_file_facts ff = {};

	e->setns_fd = fd;
	if (!f) {
		e->target_kind = NST_TGT_BADFD;
		return;
	}
	file_facts(f, &ff);
	if (ff.magic == NSFS_MAGIC) {
		__u32 slots = nst_flags_to_slots(ff.ns_type);

		e->target_kind = NST_TGT_NSFS;
		e->target_type = ff.ns_type;
		/* a pid ns fd changes only pid_for_children; a time ns fd both slots */
		slots &= ~(1U << NST_NS_PID);
		for (int i = 0; i < NST_NS_COUNT; i++)
			if (slots & (1U << i))
				e->target[i] = ff.ino;
		return;
	}
	if (file_is_pidfd(f, ff.magic)) {
		struct inode *inode = ff.inode;
		/* pidfs keeps the struct pid in the inode; anon-inode pidfds in the file */
		struct pid *pid = ff.magic == PID_FS_MAGIC ? BPF_CORE_READ(inode, i_private)
							   : BPF_CORE_READ(f, private_data);
		struct task_struct *tt = pid_task_of(pid);
		__u32 inos[NST_NS_COUNT] = {};

		e->target_kind = NST_TGT_PIDFD;
		e->target_pid = BPF_CORE_READ(pid, numbers[0].nr);
		if (!tt)
			return;
		task_ns_inos_probed(tt, inos);
		nst_pidfd_target(inos, nstype, e->target);
		return;
	}
	e->target_kind = NST_TGT_OTHER;
}

#endif /* NSTRACE_BPF_H */
