/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The nstrace event ABI, shared by bpf/, kmod/ and user/.
 *
 * Every backend (tracepoint tier, fentry tier, kernel module) emits these
 * fixed-size records unchanged, so the collector decodes one format only.
 * Only __u32/__u64-style types are used so the header compiles in BPF,
 * kernel and user space alike.
 */
#ifndef NSTRACE_ABI_H
#define NSTRACE_ABI_H

#ifndef __VMLINUX_H__ /* BPF programs get the types from vmlinux.h */
#include <linux/types.h>
#endif

#define NST_ABI_VERSION 1
#define NST_COMM_LEN 16

/* Index of a namespace slot in before[]/after[]/target[]. */
enum nst_ns {
	NST_NS_MNT,
	NST_NS_PID,
	NST_NS_PID_FC, /* pid_for_children */
	NST_NS_NET,
	NST_NS_UTS,
	NST_NS_IPC,
	NST_NS_USER,
	NST_NS_CGROUP,
	NST_NS_TIME,
	NST_NS_TIME_FC, /* time_for_children */
	NST_NS_COUNT,
};

/* What produced the event. */
enum nst_kind {
	NST_K_NONE,
	NST_K_CLONE,
	NST_K_CLONE3,
	NST_K_UNSHARE,
	NST_K_SETNS,
	NST_K_FORK, /* a task created without a traced clone call */
	NST_K_EXEC, /* membership seen at exec (time ns may switch) */
	NST_K_EXIT, /* thread-group leader leaves every namespace */
	NST_K_SWITCH, /* fentry tier: any nsproxy switch */
	NST_K_NS_FREE, /* fentry tier/kmod: a namespace was freed */
	NST_K_NS_COST, /* fentry tier/kmod: per-type creation cost */
	NST_K_MAX,
};

/* Which backend and tier emitted the event. */
enum nst_source {
	NST_SRC_TRACEPOINT = 1,
	NST_SRC_FENTRY,
	NST_SRC_KMOD,
};

/* What the setns fd referred to, read in the kernel at syscall entry. */
enum nst_target {
	NST_TGT_NONE,
	NST_TGT_NSFS, /* a /proc/PID/ns/TYPE style fd */
	NST_TGT_PIDFD,
	NST_TGT_BADFD, /* not an open fd */
	NST_TGT_OTHER, /* some other kind of file */
};

struct nst_event {
	__u64 ts_ns; /* CLOCK_BOOTTIME when the call returned */
	__u64 lat_ns; /* syscall latency; 0 for fork/exec/exit */
	__u64 cgroup_id;
	__u64 flags; /* clone/unshare flags, setns nstype argument */
	__s64 ret; /* return value, -errno on failure */
	__u32 pid; /* tgid, in the initial pid namespace */
	__u32 tid;
	__u32 ppid;
	__u32 child_pid; /* clone/fork: the new task's tgid */
	__u16 kind; /* enum nst_kind */
	__u16 source; /* enum nst_source */
	__s32 setns_fd;
	__u32 target_kind; /* enum nst_target */
	__u32 target_type; /* nsfs fd: CLONE_NEW* of its namespace; ns_cost: the
				 * type one copy_* created, 0 for create_new_namespaces */
	__u32 target_pid; /* pidfd: the target's pid */
	__u32 before[NST_NS_COUNT];
	__u32 after[NST_NS_COUNT]; /* clone: the child's namespaces */
	__u32 target[NST_NS_COUNT]; /* setns: where it tried to go */
	char comm[NST_COMM_LEN];
};

/* CLONE_NEW* values, for code that cannot include <sched.h>. */
#define NST_CLONE_NEWTIME 0x00000080ULL
#define NST_CLONE_NEWNS 0x00020000ULL
#define NST_CLONE_NEWCGROUP 0x02000000ULL
#define NST_CLONE_NEWUTS 0x04000000ULL
#define NST_CLONE_NEWIPC 0x08000000ULL
#define NST_CLONE_NEWUSER 0x10000000ULL
#define NST_CLONE_NEWPID 0x20000000ULL
#define NST_CLONE_NEWNET 0x40000000ULL
#define NST_CLONE_NEWALL                                                                \
	(NST_CLONE_NEWTIME | NST_CLONE_NEWNS | NST_CLONE_NEWCGROUP | NST_CLONE_NEWUTS | \
	 NST_CLONE_NEWIPC | NST_CLONE_NEWUSER | NST_CLONE_NEWPID | NST_CLONE_NEWNET)

/*
 * The slots a CLONE_NEW* bit (or setns nstype) can change, as a 1 << enum nst_ns
 * mask. pid and time cover their *_for_children slot too, because clone
 * changes the child's own slot while unshare changes only the other.
 */
static inline __u32 nst_flags_to_slots(__u64 flags)
{
	__u32 m = 0;

	if (flags & NST_CLONE_NEWNS)
		m |= 1U << NST_NS_MNT;
	if (flags & NST_CLONE_NEWPID)
		m |= 1U << NST_NS_PID | 1U << NST_NS_PID_FC;
	if (flags & NST_CLONE_NEWNET)
		m |= 1U << NST_NS_NET;
	if (flags & NST_CLONE_NEWUTS)
		m |= 1U << NST_NS_UTS;
	if (flags & NST_CLONE_NEWIPC)
		m |= 1U << NST_NS_IPC;
	if (flags & NST_CLONE_NEWUSER)
		m |= 1U << NST_NS_USER;
	if (flags & NST_CLONE_NEWCGROUP)
		m |= 1U << NST_NS_CGROUP;
	if (flags & NST_CLONE_NEWTIME)
		m |= 1U << NST_NS_TIME | 1U << NST_NS_TIME_FC;
	return m;
}

/*
 * The slots an event touches: those that changed, those its flags or
 * setns target type name, and those it has a target for. The --ns filter
 * keeps an event when this meets the selected slots.
 */
static inline __u32 nst_event_slots(const struct nst_event *e)
{
	__u32 m = nst_flags_to_slots(e->flags | e->target_type);

	for (int i = 0; i < NST_NS_COUNT; i++)
		if (e->before[i] != e->after[i] || e->target[i])
			m |= 1U << i;
	return m;
}

/*
 * setns(pidfd, nstype) enters the target task's own pid and time
 * namespaces: fill target[] for nstype from that task's inos[].
 */
static inline void nst_pidfd_target(__u32 *inos, __u64 nstype, __u32 *target)
{
	__u32 want = nst_flags_to_slots(nstype) & ~(1U << NST_NS_PID);

	inos[NST_NS_PID_FC] = inos[NST_NS_PID];
	inos[NST_NS_TIME_FC] = inos[NST_NS_TIME];
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (want & (1U << i))
			target[i] = inos[i];
}

#endif /* NSTRACE_ABI_H */
