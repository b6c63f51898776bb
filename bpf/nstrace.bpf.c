// SPDX-License-Identifier: GPL-2.0
/*
 * nstrace: namespace transitions (clone, clone3, unshare, setns, fork, exec,
 * exit) with every namespace inode before and after, filtered in the kernel
 * and streamed through a ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "nstrace.bpf.h"

#define PF_KTHREAD 0x00200000

/* Settings, written by the collector before load. */
const volatile bool filter_tgid = false;
const volatile bool filter_comm = false;
const volatile char targ_comm[NST_COMM_LEN] = {};
const volatile bool filter_cgroup = false;
const volatile __u32 ns_slots = 0; /* 1 << enum nst_ns; 0 means every type */
const volatile bool failed_only = false;
const volatile __u16 event_source = NST_SRC_TRACEPOINT; /* the tier that was loaded */
/*
 * sched_process_exit fires before exit_task_namespaces: when
 * fe_switch_at_exit is loaded, a process stays traced until its exit
 * switch has been seen.
 */
const volatile bool untrace_at_exit_switch = false;
/*
 * The fentry tier on a kernel without exit_task_namespaces to hook: the
 * switch at exit is reported at sched_process_exit (tp_exit), just before.
 */
const volatile bool exit_switch_at_tp = false;
/*
 * What this kernel's BPF has, probed by the collector before load
 * (user/bpf_features.c). Once these are constants, the verifier never
 * walks the path of a feature the kernel lacks, so one object loads from
 * 5.10 on (atomics, which 5.10 refuses even unreached, are a program of
 * their own: tp_cgroup_mkdir). The build for 6.2+ (NST_RDONLY_CAST) has
 * them all and compiles the older paths out.
 */
const volatile bool have_task_storage = true; /* 5.11: pending is task storage */
const volatile bool have_task_btf = true; /* 5.11: bpf_get_current_task_btf */
/* 5.16: bpf_get_current_ancestor_cgroup_id in tracing programs */
const volatile bool have_ancestor_cgroup = true;

#ifdef NST_RDONLY_CAST
#define HAVE(feature) true
#else
#define HAVE(feature) (feature)
#endif
/*
 * Wake the collector only once this much is waiting (nst_wakeup_flags): a
 * wakeup per event costs the traced task more than the event itself. The
 * collector also polls on a short timer, so a quiet stream is still
 * delivered promptly.
 */
const volatile __u64 wakeup_bytes = 0;
/*
 * --ns-of, --container, --pod: the traced set also grows by membership. An
 * untraced task is checked only at its namespace syscalls (and switches):
 * one in a followed cgroup or namespace joins the set, and so does one whose
 * setns enters a followed namespace. Implies filter_tgid.
 */
const volatile bool follow = false;

/*
 * Bench only (bench/cost_parts.c builds this file with -DNST_BENCH_PARTS):
 * a traced call skips every part from bench_skip_from on, so that each
 * part's cost is the difference between two builds' runs. nstrace itself
 * is built without it: BENCH_SKIPS is then false and compiles away.
 */
enum bench_part {
	BENCH_ENTER_STATE = 1, /* the entry's task storage and timestamp */
	BENCH_ENTER_INOS, /* the entry's namespace reads */
	BENCH_SETNS_TARGET, /* the setns fd's target */
	BENCH_EXIT, /* everything the exit does before the ring buffer */
	BENCH_EMIT, /* reserve, copy, submit */
};
#ifdef NST_BENCH_PARTS
const volatile __u32 bench_skip_from = 0;
#define BENCH_SKIPS(part) (bench_skip_from && (part) >= bench_skip_from)
#else
#define BENCH_SKIPS(part) false
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by the collector */
} events SEC(".maps");

/* tgids whose events are wanted: seeded from --pid, extended at fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/*
 * The syscall a task has in flight: entry state waiting for the exit, in
 * place (kind != 0 while in flight). Task storage is created once per task
 * and reused; a tid-keyed hash paid an insert, a 216-byte copy and a delete
 * per call, and capped how many calls could be in flight at once. Before
 * 5.11, which has no task storage, the collector makes this that hash
 * (keyed by tid, see start_call and end_call).
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct nst_event);
} pending SEC(".maps");

/* The call thread tid has in flight; t is that thread (task storage's key). */
static __always_inline struct nst_event *call_in_flight(struct task_struct *t, __u32 tid)
{
	struct nst_event *p;

	if (HAVE(have_task_storage))
		p = bpf_task_storage_get(&pending, t, NULL, 0);
	else
		p = bpf_map_lookup_elem(&pending, &tid);
	return p && p->kind ? p : NULL;
}

/* Events that found the ring buffer full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* An nst_event is too large for the 512-byte BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nst_event);
} scratch SEC(".maps");

/* A namespace to follow: its CLONE_NEW* type and inode. */
struct ns_key {
	__u32 type;
	__u32 ino;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ns_key);
	__type(value, __u8);
} follow_ns SEC(".maps");

/* cgroup v2 ids to follow, with everything below them */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} follow_cgroups SEC(".maps");

/*
 * The levels (1 << level; the root is 0) at which follow_cgroups has ids:
 * a task is followed when its ancestor at one of them is in the map. Set by
 * the collector at run time (--wait adds containers after attaching).
 */
__u64 follow_cg_levels = 0;

/*
 * --wait: container ids whose cgroup does not exist yet. Its directory is
 * followed from its mkdir, before the runtime can move a task into it, so
 * the container's very first namespace calls are seen.
 */
#define CTR_ID_LEN 64

struct ctr_id {
	char id[CTR_ID_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct ctr_id);
	__type(value, __u8);
} await_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_map SEC(".maps");

static __always_inline bool comm_matches(void)
{
	char comm[NST_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < NST_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* --comm and --cgroup, which narrow every other filter. */
static __always_inline bool narrowing_wanted(void)
{
	if (filter_comm && !comm_matches())
		return false;
	if (filter_cgroup && !bpf_current_task_under_cgroup(&cgroup_map, 0))
		return false;
	return true;
}

/* The cheapest test first: untraced tasks pay one hash lookup. */
static __always_inline bool current_wanted(__u32 tgid)
{
	if (filter_tgid && !bpf_map_lookup_elem(&traced, &tgid))
		return false;
	return narrowing_wanted();
}

static __always_inline bool is_traced(__u32 tgid)
{
	return bpf_map_lookup_elem(&traced, &tgid) != NULL;
}

static __always_inline void start_tracing(__u32 tgid)
{
	__u8 one = 1;

	bpf_map_update_elem(&traced, &tgid, &one, BPF_ANY);
}

/* The namespace of one slot of ino[] in follow_ns? */
static __always_inline bool ns_slot_followed(const __u32 *ino, int slot, __u32 type)
{
	struct ns_key k = { .type = type, .ino = ino[slot] };

	return k.ino && bpf_map_lookup_elem(&follow_ns, &k);
}

/* Is any namespace in ino[] (a task's, or a setns target) followed? */
static __always_inline bool ns_followed(const __u32 *ino)
{
	return ns_slot_followed(ino, NST_NS_MNT, NST_CLONE_NEWNS) ||
	       ns_slot_followed(ino, NST_NS_PID, NST_CLONE_NEWPID) ||
	       ns_slot_followed(ino, NST_NS_PID_FC, NST_CLONE_NEWPID) ||
	       ns_slot_followed(ino, NST_NS_NET, NST_CLONE_NEWNET) ||
	       ns_slot_followed(ino, NST_NS_UTS, NST_CLONE_NEWUTS) ||
	       ns_slot_followed(ino, NST_NS_IPC, NST_CLONE_NEWIPC) ||
	       ns_slot_followed(ino, NST_NS_USER, NST_CLONE_NEWUSER) ||
	       ns_slot_followed(ino, NST_NS_CGROUP, NST_CLONE_NEWCGROUP) ||
	       ns_slot_followed(ino, NST_NS_TIME, NST_CLONE_NEWTIME) ||
	       ns_slot_followed(ino, NST_NS_TIME_FC, NST_CLONE_NEWTIME);
}

#define CG_MAX_LEVELS 32

/* struct cgroup before 6.0 kept the ids of its ancestors by level, later their pointers */
struct cgroup___ancestor_ids {
	int level;
	u64 ancestor_ids[];
} __attribute__((preserve_access_index));

struct cgroup___ancestors {
	int level;
	struct cgroup *ancestors[];
} __attribute__((preserve_access_index));

/*
 * The id of the current task's cgroup v2 ancestor at level (its own at its
 * level), 0 if it is not that deep. Where tracing programs lack the helper
 * (before 5.16), it is read from the cgroup as the helper would.
 */
static __always_inline __u64 current_ancestor_cgroup_id(int level)
{
	struct task_struct *t;
	struct cgroup___ancestors *cg;
	struct cgroup *anc = NULL;
	__u64 id = 0;

	if (HAVE(have_ancestor_cgroup))
		return bpf_get_current_ancestor_cgroup_id(level);
	t = (void *)bpf_get_current_task();
	cg = (void *)BPF_CORE_READ(t, cgroups, dfl_cgrp);
	if (!cg || BPF_CORE_READ(cg, level) < level)
		return 0;
	if (bpf_core_field_exists(struct cgroup___ancestor_ids, ancestor_ids)) {
		bpf_core_read(
			&id, sizeof(id),
			(void *)cg +
				bpf_core_field_offset(struct cgroup___ancestor_ids, ancestor_ids) +
				(__u64)level * sizeof(id));
		return id;
	}
	bpf_core_read(&anc, sizeof(anc),
		      (void *)cg + bpf_core_field_offset(struct cgroup___ancestors, ancestors) +
			      (__u64)level * sizeof(anc));
	return anc ? BPF_CORE_READ(anc, kn, id) : 0;
}

/* Is the current task in a followed cgroup, or below one? */
static __always_inline bool cgroup_followed(void)
{
	__u64 levels = follow_cg_levels;

	for (int l = 0; l < CG_MAX_LEVELS && levels >> l; l++) {
		__u64 id;

		if (!(levels & (1ULL << l)))
			continue;
		id = current_ancestor_cgroup_id(l);
		if (id && bpf_map_lookup_elem(&follow_cgroups, &id))
			return true;
	}
	return false;
}

/* Does the event touch a namespace type selected with --ns? */
static __always_inline bool slots_wanted(const struct nst_event *e)
{
	return !ns_slots || (nst_event_slots(e) & ns_slots);
}

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;
}

/*
 * Who did it. btf: the verifier knows t as a task (program arguments,
 * bpf_get_current_task_btf), read with plain loads; else t is the current
 * task as a plain address (before 5.11), read with probe reads.
 */
static __always_inline void fill_task_as(struct nst_event *e, struct task_struct *t, bool btf)
{
	if (btf) {
		e->pid = t->tgid;
		e->tid = t->pid;
		e->ppid = t->real_parent->tgid;
	} else {
		__u64 id = bpf_get_current_pid_tgid();

		e->pid = id >> 32;
		e->tid = (__u32)id;
		e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	}
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->source = event_source;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline void fill_task(struct nst_event *e, struct task_struct *t)
{
	fill_task_as(e, t, true);
}

static __always_inline void fill_current(struct nst_event *e)
{
	if (HAVE(have_task_btf))
		fill_task_as(e, bpf_get_current_task_btf(), true);
	else
		fill_task_as(e, (void *)bpf_get_current_task(), false);
}

/* t's namespaces, read as fill_task_as says. */
static __always_inline void task_ns_inos_as(struct task_struct *t, bool btf, __u32 *ino)
{
	if (btf)
		task_ns_inos(t, ino);
	else
		task_ns_inos_probed(t, ino);
}

static __always_inline void current_ns_inos(__u32 *ino)
{
	if (HAVE(have_task_btf))
		task_ns_inos(bpf_get_current_task_btf(), ino);
	else
		task_ns_inos_probed((void *)bpf_get_current_task(), ino);
}

/* Copy a finished event into the ring buffer; a full buffer is counted. */
static __always_inline void emit(const struct nst_event *src)
{
	struct nst_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count_lost();
		return;
	}
	__builtin_memcpy(e, src, sizeof(*e));
	bpf_ringbuf_submit(e, nst_wakeup_flags(&events, wakeup_bytes));
}

static __always_inline struct nst_event *scratch_event(void)
{
	__u32 zero = 0;
	struct nst_event *e = bpf_map_lookup_elem(&scratch, &zero);

	if (e)
		__builtin_memset(e, 0, sizeof(*e));
	return e;
}

/*
 * A zeroed record for the call thread tid (t, the current task) starts:
 * its task storage, or an entry of the tid hash. A full hash loses the
 * call's event: it is counted.
 */
static __always_inline struct nst_event *start_call(struct task_struct *t, __u32 tid)
{
	struct nst_event *e;

	if (HAVE(have_task_storage)) {
		e = bpf_task_storage_get(&pending, t, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	} else {
		e = scratch_event();
		if (e && !bpf_map_update_elem(&pending, &tid, e, BPF_ANY))
			e = bpf_map_lookup_elem(&pending, &tid);
		else
			e = NULL;
		if (!e)
			count_lost();
	}
	if (e)
		__builtin_memset(e, 0, sizeof(*e));
	return e;
}

/* The call is over: its task storage is kept for the next, a hash entry freed. */
static __always_inline void end_call(struct nst_event *p, __u32 tid)
{
	if (HAVE(have_task_storage))
		p->kind = 0;
	else
		bpf_map_delete_elem(&pending, &tid);
}

enum follow_verdict {
	FOLLOW_NO, /* not wanted */
	FOLLOW_YES, /* wanted (traced now, if it was not) */
	FOLLOW_IF_TARGET, /* a setns: wanted if it enters a followed namespace */
};

/*
 * An untraced task at a namespace syscall, under follow: in a followed
 * cgroup or namespace, it is traced from now on (it got there by a
 * migration, or before tracing began). This is the only place an untraced
 * task pays more than the traced lookup.
 */
static __always_inline enum follow_verdict follow_untraced(struct task_struct *t, bool btf,
							   __u32 tgid, __u16 kind)
{
	__u32 ino[NST_NS_COUNT];

	if (!follow || is_traced(tgid) || !narrowing_wanted())
		return FOLLOW_NO;
	task_ns_inos_as(t, btf, ino);
	if (cgroup_followed() || ns_followed(ino)) {
		start_tracing(tgid);
		return FOLLOW_YES;
	}
	return kind == NST_K_SETNS ? FOLLOW_IF_TARGET : FOLLOW_NO;
}

/*
 * Syscall entry: remember the namespaces the caller starts from. t is the
 * current task, read as fill_task_as says (btf).
 */
static __always_inline int call_enter(struct task_struct *t, bool btf, __u16 kind, __u64 flags,
				      int fd)
{
	__u64 id = bpf_get_current_pid_tgid();
	enum follow_verdict v = FOLLOW_YES;
	struct nst_event *e;

	if (!current_wanted(id >> 32))
		v = follow_untraced(t, btf, id >> 32, kind);
	if (v == FOLLOW_NO || BENCH_SKIPS(BENCH_ENTER_STATE))
		return 0;
	e = start_call(t, (__u32)id);
	if (!e)
		return 0;
	e->kind = kind;
	e->flags = flags;
	e->ts_ns = bpf_ktime_get_boot_ns();
	if (BENCH_SKIPS(BENCH_ENTER_INOS))
		return 0;
	task_ns_inos_as(t, btf, e->before);
	if (kind == NST_K_SETNS && !BENCH_SKIPS(BENCH_SETNS_TARGET))
		setns_target(t, fd, flags, e);
	/* a setns elsewhere by an untraced task: forget it */
	if (v == FOLLOW_IF_TARGET && !ns_followed(e->target))
		end_call(e, (__u32)id);
	return 0;
}

static __always_inline int ns_call_enter(__u16 kind, __u64 flags, int fd)
{
	if (HAVE(have_task_btf))
		return call_enter(bpf_get_current_task_btf(), true, kind, flags, fd);
	return call_enter((void *)bpf_get_current_task(), false, kind, flags, fd);
}

/* Syscall exit: where the caller (or, for clone, the child) ended up. */
static __always_inline int call_exit(struct task_struct *t, bool btf, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct nst_event *p = call_in_flight(t, tid);
	__u64 now;

	if (!p)
		return 0;
	if (BENCH_SKIPS(BENCH_EXIT))
		goto out;
	/* a setns into a followed namespace succeeded: its caller joins the traced set */
	if (follow && p->kind == NST_K_SETNS && ret == 0)
		start_tracing(bpf_get_current_pid_tgid() >> 32);
	if (failed_only && ret >= 0)
		goto out;
	/*
	 * A clone's "after" was taken from the child at sched_process_fork. No
	 * syscall moves its caller to another pid namespace (only its children),
	 * and none changes a slot its flags (or setns target) do not name: only
	 * those are read again.
	 */
	if (!p->child_pid) {
		__u32 mask = nst_flags_to_slots(p->flags | p->target_type);

		__builtin_memcpy(p->after, p->before, sizeof(p->after));
		if (btf)
			task_slots_reread(t, mask, p->after);
		else
			task_slots_reread_probed(t, mask, p->after);
	}
	if (!slots_wanted(p))
		goto out;
	now = bpf_ktime_get_boot_ns();
	p->lat_ns = now - p->ts_ns;
	p->ts_ns = now;
	p->ret = ret;
	fill_task_as(p, t, btf);
	if (!BENCH_SKIPS(BENCH_EMIT))
		emit(p);
out:
	end_call(p, tid);
	return 0;
}

static __always_inline int ns_call_exit(long ret)
{
	if (HAVE(have_task_btf))
		return call_exit(bpf_get_current_task_btf(), true, ret);
	return call_exit((void *)bpf_get_current_task(), false, ret);
}

/*
 * The tracepoint tier hooks the raw syscall tracepoints and picks its four
 * syscalls by number. The per-syscall perf tracepoints (syscalls:sys_enter_*)
 * cost every call into them, traced or not, a perf record built and copied
 * before the program even runs: on this tool's setns storm that made a
 * process outside --pid 1.2x slower. Here such a process pays one compare
 * per syscall. The numbers come from the collector, compiled for the arch.
 */
const volatile long nr_clone = -1, nr_clone3 = -1, nr_unshare = -1, nr_setns = -1;

static __always_inline bool ns_syscall(long id)
{
	return id == nr_setns || id == nr_unshare || id == nr_clone || id == nr_clone3;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tp_sys_enter, struct pt_regs *regs, long id)
{
	if (id == nr_setns)
		return ns_call_enter(NST_K_SETNS, (__u32)PT_REGS_PARM2_SYSCALL(regs),
				     (int)PT_REGS_PARM1_SYSCALL(regs));
	if (id == nr_unshare)
		return ns_call_enter(NST_K_UNSHARE, PT_REGS_PARM1_SYSCALL(regs), -1);
	if (id == nr_clone)
		return ns_call_enter(NST_K_CLONE, PT_REGS_PARM1_SYSCALL(regs), -1);
	if (id == nr_clone3) {
		struct clone_args *uargs = (void *)PT_REGS_PARM1_SYSCALL(regs);
		__u64 flags = 0;

		bpf_probe_read_user(&flags, sizeof(flags), &uargs->flags);
		return ns_call_enter(NST_K_CLONE3, flags, -1);
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_sys_exit, struct pt_regs *regs, long ret)
{
	if (!ns_syscall(SYSCALL_NR(regs)))
		return 0;
	return ns_call_exit(ret);
}

/*
 * A new task. Descendants of traced tasks become traced. A clone in flight
 * takes the child's namespaces as its "after"; any other fork (fork(),
 * vfork(), a task whose clone entry was not seen) is reported on its own.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct nst_event *p, *e;
	__u8 one = 1;

	if (filter_tgid) {
		if (!bpf_map_lookup_elem(&traced, &ptgid))
			return 0;
		if (ctgid != ptgid)
			bpf_map_update_elem(&traced, &ctgid, &one, BPF_ANY);
	}
	p = call_in_flight(parent, parent->pid);
	if (p) {
		task_ns_inos(child, p->after);
		p->child_pid = child->pid;
		return 0;
	}
	if (failed_only || (child->flags & PF_KTHREAD) || !current_wanted(ptgid))
		return 0;
	e = scratch_event();
	if (!e)
		return 0;
	e->kind = NST_K_FORK;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->child_pid = child->pid;
	e->ret = child->pid;
	task_ns_inos(parent, e->before);
	task_ns_inos(child, e->after);
	if (!slots_wanted(e))
		return 0;
	fill_task(e, parent);
	emit(e);
	return 0;
}

/* exec switches to time_for_children; otherwise it shows membership. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct nst_event *e;

	if (failed_only || ns_slots || !current_wanted(p->tgid))
		return 0;
	e = scratch_event();
	if (!e)
		return 0;
	e->kind = NST_K_EXEC;
	e->ts_ns = bpf_ktime_get_boot_ns();
	task_ns_inos(p, e->after);
	__builtin_memcpy(e->before, e->after, sizeof(e->before));
	fill_task(e, p);
	emit(e);
	return 0;
}

/* The namespaces nsproxy nsp holds; 0 for none (a task at exit). */
static __always_inline void nsproxy_inos(struct nsproxy *nsp, __u32 *ino)
{
	ino[NST_NS_MNT] = nsp ? BPF_CORE_READ(nsp, mnt_ns, ns.inum) : 0;
	ino[NST_NS_PID_FC] = nsp ? BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum) : 0;
	ino[NST_NS_NET] = nsp ? BPF_CORE_READ(nsp, net_ns, ns.inum) : 0;
	ino[NST_NS_UTS] = nsp ? BPF_CORE_READ(nsp, uts_ns, ns.inum) : 0;
	ino[NST_NS_IPC] = nsp ? BPF_CORE_READ(nsp, ipc_ns, ns.inum) : 0;
	ino[NST_NS_CGROUP] = nsp ? BPF_CORE_READ(nsp, cgroup_ns, ns.inum) : 0;
	ino[NST_NS_TIME] = nsp ? BPF_CORE_READ(nsp, time_ns, ns.inum) : 0;
	ino[NST_NS_TIME_FC] = nsp ? BPF_CORE_READ(nsp, time_ns_for_children, ns.inum) : 0;
}

/* The fentry tier's switch of t to nsproxy to (NULL at exit). */
static __always_inline int emit_switch(struct task_struct *t, struct nsproxy *to, __u64 flags)
{
	struct nst_event *e;

	if (failed_only || !current_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	e = scratch_event();
	if (!e)
		return 0;
	e->kind = NST_K_SWITCH;
	e->flags = flags;
	e->ts_ns = bpf_ktime_get_boot_ns();
	task_ns_inos(t, e->before);
	__builtin_memcpy(e->after, e->before, sizeof(e->after));
	nsproxy_inos(to, e->after);
	if (!slots_wanted(e))
		return 0;
	fill_task(e, t);
	emit(e);
	return 0;
}

static __always_inline void report_exit(struct task_struct *p)
{
	struct nst_event *e;

	if (failed_only || ns_slots || !current_wanted(p->tgid))
		return;
	e = scratch_event();
	if (!e)
		return;
	e->kind = NST_K_EXIT;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->ret = p->exit_code;
	task_ns_inos(p, e->before);
	fill_task(e, p);
	emit(e);
}

/* A process leaves all its namespaces; its tgid stops being traced. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_exit, struct task_struct *p)
{
	__u32 tid = p->pid, tgid = p->tgid;

	/* a thread's call record (the tid hash): none outlives the thread */
	if (!HAVE(have_task_storage))
		bpf_map_delete_elem(&pending, &tid);
	if (tid == tgid && !(p->flags & PF_KTHREAD))
		report_exit(p);
	/* every task, as fe_switch_at_exit sees them */
	if (exit_switch_at_tp)
		emit_switch(p, NULL, 0);
	if (tid == tgid && filter_tgid && !untrace_at_exit_switch)
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

#define CG_NAME_LEN 128
#define SCOPE_SUFFIX_LEN 6 /* ".scope" */

/* Are the 64 characters at kname + off (kernel memory) an awaited id? */
static __always_inline bool awaited_at(const char *kname, long off)
{
	struct ctr_id key;

	if (off < 0 || off > CG_NAME_LEN)
		return false;
	if (bpf_probe_read_kernel(key.id, sizeof(key.id), kname + off))
		return false;
	return bpf_map_lookup_elem(&await_ids, &key) != NULL;
}

/*
 * A cgroup v2 directory named after an awaited container: <id>,
 * <runtime>-<id> (cgroupfs drivers) or <runtime>-<id>.scope (systemd:
 * docker-, cri-containerd-, crio-, libpod-): the id ends the name, or
 * comes before ".scope". Follow it from its mkdir: the runtime moves the
 * container's first task in only afterwards. Loaded only under follow.
 */
static __always_inline int follow_new_cgroup(struct cgroup *cgrp, bool mark_level)
{
	const char *kname = BPF_CORE_READ(cgrp, kn, name);
	char name[CG_NAME_LEN];
	long len;
	__u64 id;
	__u8 one = 1;
	int level;

	/* the default hierarchy is hierarchy 0: the ids the task filter sees */
	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	len = bpf_probe_read_kernel_str(name, sizeof(name), kname) - 1;
	if (len < CTR_ID_LEN || (!awaited_at(kname, len - CTR_ID_LEN) &&
				 !awaited_at(kname, len - CTR_ID_LEN - SCOPE_SUFFIX_LEN)))
		return 0;
	id = BPF_CORE_READ(cgrp, kn, id);
	level = BPF_CORE_READ(cgrp, level);
	if (level < 0 || level >= CG_MAX_LEVELS)
		return 0;
	bpf_map_update_elem(&follow_cgroups, &id, &one, BPF_ANY);
	if (mark_level)
		__sync_fetch_and_or(&follow_cg_levels, 1ULL << level);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(tp_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return follow_new_cgroup(cgrp, true);
}

/*
 * Before 5.12 there is no atomic OR, and the verifier refuses the
 * instruction even where no path reaches it: this twin leaves the level
 * alone, and the collector has every level checked (bpf_await_cgroup).
 */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(tp_cgroup_mkdir_any_level, struct cgroup *cgrp, const char *path)
{
	return follow_new_cgroup(cgrp, false);
}

/*
 * The fentry tier. Each syscall hook has a tracepoint and an fentry/fexit
 * variant calling the same static function; the collector autoloads one.
 * The fentry/fexit programs attach to the syscall's wrapper, whose name
 * depends on the architecture (__x64_sys_clone, __arm64_sys_clone, ...):
 * the collector sets it before load (tracer_bpf.c, syscall_target). A
 * wrapper takes the user's registers as its one argument.
 */
SEC("fentry")
int BPF_PROG(fe_enter_clone, const struct pt_regs *regs)
{
	return ns_call_enter(NST_K_CLONE, PT_REGS_PARM1_CORE(regs), -1);
}

SEC("fexit")
int BPF_PROG(fe_exit_clone, const struct pt_regs *regs, long ret)
{
	return ns_call_exit(ret);
}

SEC("fentry")
int BPF_PROG(fe_enter_clone3, const struct pt_regs *regs)
{
	struct clone_args *uargs = (void *)PT_REGS_PARM1_CORE(regs);
	__u64 flags = 0;

	bpf_probe_read_user(&flags, sizeof(flags), &uargs->flags);
	return ns_call_enter(NST_K_CLONE3, flags, -1);
}

SEC("fexit")
int BPF_PROG(fe_exit_clone3, const struct pt_regs *regs, long ret)
{
	return ns_call_exit(ret);
}

SEC("fentry")
int BPF_PROG(fe_enter_unshare, const struct pt_regs *regs)
{
	return ns_call_enter(NST_K_UNSHARE, PT_REGS_PARM1_CORE(regs), -1);
}

SEC("fexit")
int BPF_PROG(fe_exit_unshare, const struct pt_regs *regs, long ret)
{
	return ns_call_exit(ret);
}

SEC("fentry")
int BPF_PROG(fe_enter_setns, const struct pt_regs *regs)
{
	return ns_call_enter(NST_K_SETNS, (__u32)PT_REGS_PARM2_CORE(regs),
			     (int)PT_REGS_PARM1_CORE(regs));
}

SEC("fexit")
int BPF_PROG(fe_exit_setns, const struct pt_regs *regs, long ret)
{
	return ns_call_exit(ret);
}

/* ---- fentry-only: exact nsproxy switches ---- */

/*
 * Under follow, a switch into a followed namespace (the fentry tier's view
 * of a setns) makes its task traced before the switch is reported.
 */
static __always_inline void follow_switch(struct task_struct *p, struct nsproxy *to)
{
	__u32 ino[NST_NS_COUNT] = {};

	if (!follow || !to || is_traced(p->tgid))
		return;
	nsproxy_inos(to, ino);
	if (ns_followed(ino))
		start_tracing(p->tgid);
}

/*
 * unshare and setns pass through here, and so does exit (new == NULL),
 * but only where the kernel keeps that call out of line: 6.12 and -rt
 * inline it into exit_task_namespaces, so exits are reported there.
 */
SEC("fentry/switch_task_namespaces")
int BPF_PROG(fe_switch, struct task_struct *p, struct nsproxy *new)
{
	if (!new)
		return 0;
	follow_switch(p, new);
	emit_switch(p, new, 0);
	return 0;
}

/*
 * A task drops its namespaces: every nsproxy slot after is 0. A traced
 * process stops being traced with its leader's switch. Without this
 * function the switch comes from tp_exit (exit_switch_at_tp).
 */
SEC("fentry/exit_task_namespaces")
int BPF_PROG(fe_switch_at_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;

	emit_switch(p, NULL, 0);
	if (untrace_at_exit_switch && filter_tgid && p->pid == tgid)
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

/*
 * clone never calls switch_task_namespaces: copy_namespaces assigns the
 * child's nsproxy directly. The child has no pid yet, so the event names
 * the parent, with child_pid 0 and the clone flags.
 */
SEC("fexit/copy_namespaces")
int BPF_PROG(fx_copy_namespaces, unsigned long flags, struct task_struct *tsk, int ret)
{
	struct nst_event *e;

	if (ret || !(flags & NST_CLONE_NEWALL))
		return 0;
	if (failed_only || !current_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	e = scratch_event();
	if (!e)
		return 0;
	e->kind = NST_K_SWITCH;
	e->flags = flags;
	e->ts_ns = bpf_ktime_get_boot_ns();
	current_ns_inos(e->before);
	__builtin_memcpy(e->after, e->before, sizeof(e->after));
	nsproxy_inos(BPF_CORE_READ(tsk, nsproxy), e->after);
	if (!slots_wanted(e))
		return 0;
	fill_current(e);
	emit(e);
	return 0;
}

/* The user namespace lives in the credentials, not in nsproxy. */
SEC("fentry/commit_creds")
int BPF_PROG(fe_commit_creds, struct cred *new)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 to = BPF_CORE_READ(new, user_ns, ns.inum);
	struct nst_event *e;

	if (to == BPF_CORE_READ(t, real_cred, user_ns, ns.inum))
		return 0;
	if (failed_only || !current_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	e = scratch_event();
	if (!e)
		return 0;
	e->kind = NST_K_SWITCH;
	e->flags = NST_CLONE_NEWUSER;
	e->ts_ns = bpf_ktime_get_boot_ns();
	current_ns_inos(e->before);
	__builtin_memcpy(e->after, e->before, sizeof(e->after));
	e->after[NST_NS_USER] = to;
	if (!slots_wanted(e))
		return 0;
	fill_current(e);
	emit(e);
	return 0;
}

/* ---- fentry-only: per-type creation cost ---- */

/*
 * create_new_namespaces calls the copy_* functions: with one type they
 * share the type, so the whole call gets a key of its own.
 */
struct cost_key {
	__u32 tid;
	__u32 type;
	__u32 whole; /* 1: create_new_namespaces; 0: one copy_* or create_user_ns */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct cost_key);
	__type(value, __u64);
} cost_start SEC(".maps");

static __always_inline int cost_enter(__u64 type, __u64 flags, __u32 whole)
{
	struct cost_key k = { (__u32)bpf_get_current_pid_tgid(), type, whole };
	__u64 now;

	/* copy_* is also called for types that are not new: it then only takes a reference */
	if (!(flags & type & NST_CLONE_NEWALL) || !current_wanted(bpf_get_current_pid_tgid() >> 32))
		return 0;
	now = bpf_ktime_get_boot_ns();
	bpf_map_update_elem(&cost_start, &k, &now, BPF_ANY);
	return 0;
}

static __always_inline int cost_exit(__u64 type, __u32 ino, long ret, __u32 whole)
{
	struct cost_key k = { (__u32)bpf_get_current_pid_tgid(), type, whole };
	__u64 *start = bpf_map_lookup_elem(&cost_start, &k);
	struct nst_event *e;

	if (!start)
		return 0;
	e = scratch_event();
	if (!e)
		goto out;
	e->kind = NST_K_NS_COST;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->lat_ns = e->ts_ns - *start;
	e->flags = type;
	/* which copy_* this was; 0 for the whole of create_new_namespaces */
	e->target_type = whole ? 0 : type;
	e->ret = ret;
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (nst_flags_to_slots(type) & (1U << i))
			e->after[i] = ino;
	fill_current(e);
	emit(e);
out:
	bpf_map_delete_elem(&cost_start, &k);
	return 0;
}

#define IS_ERR_PTR(p) ((unsigned long)(p) >= (unsigned long)-4095)
#define PTR_RET(p) (IS_ERR_PTR(p) ? (long)(p) : 0)
#define PTR_INO(p) (IS_ERR_PTR(p) || !(p) ? 0 : BPF_CORE_READ(p, ns.inum))

/* One fentry/fexit pair per copy_* function: (flags, ...) -> new namespace. */
#define COST_ENTER(fn, type)                            \
	SEC("fentry/" #fn)                              \
	int BPF_PROG(fe_cost_##fn, unsigned long flags) \
	{                                               \
		return cost_enter(type, flags, 0);      \
	}

#define COST_PAIR3(fn, type, rtype)                                                     \
	COST_ENTER(fn, type)                                                            \
	SEC("fexit/" #fn)                                                               \
	int BPF_PROG(fx_cost_##fn, unsigned long flags, void *a1, void *a2, rtype *ret) \
	{                                                                               \
		return cost_exit(type, PTR_INO(ret), PTR_RET(ret), 0);                  \
	}

COST_ENTER(copy_mnt_ns, NST_CLONE_NEWNS)
SEC("fexit/copy_mnt_ns")
int BPF_PROG(fx_cost_copy_mnt_ns, unsigned long flags, void *ns, void *user_ns, void *new_fs,
	     struct mnt_namespace *ret)
{
	return cost_exit(NST_CLONE_NEWNS, PTR_INO(ret), PTR_RET(ret), 0);
}

COST_PAIR3(copy_utsname, NST_CLONE_NEWUTS, struct uts_namespace)
COST_PAIR3(copy_ipcs, NST_CLONE_NEWIPC, struct ipc_namespace)
COST_PAIR3(copy_pid_ns, NST_CLONE_NEWPID, struct pid_namespace)
COST_PAIR3(copy_net_ns, NST_CLONE_NEWNET, struct net)
COST_PAIR3(copy_cgroup_ns, NST_CLONE_NEWCGROUP, struct cgroup_namespace)
COST_PAIR3(copy_time_ns, NST_CLONE_NEWTIME, struct time_namespace)

SEC("fentry/create_user_ns")
int BPF_PROG(fe_cost_create_user_ns, struct cred *new)
{
	return cost_enter(NST_CLONE_NEWUSER, NST_CLONE_NEWUSER, 0);
}

SEC("fexit/create_user_ns")
int BPF_PROG(fx_cost_create_user_ns, struct cred *new, int ret)
{
	return cost_exit(NST_CLONE_NEWUSER, ret ? 0 : BPF_CORE_READ(new, user_ns, ns.inum), ret, 0);
}

/* The whole of create_new_namespaces: the sum the per-type costs split up. */
SEC("fentry/create_new_namespaces")
int BPF_PROG(fe_cost_create_new_namespaces, unsigned long flags)
{
	return cost_enter(flags & NST_CLONE_NEWALL, flags, 1);
}

SEC("fexit/create_new_namespaces")
int BPF_PROG(fx_cost_create_new_namespaces, unsigned long flags, void *tsk, void *user_ns,
	     void *new_fs, struct nsproxy *ret)
{
	return cost_exit(flags & NST_CLONE_NEWALL, 0, PTR_RET(ret), 1);
}

/* ---- fentry-only: namespace destruction ---- */

/*
 * A namespace is freed in a worker, not by a traced task: frees skip the
 * task filters and the collector keeps those of namespaces it knows.
 */
static __always_inline int emit_free(__u64 type, __u32 ino)
{
	struct nst_event *e;

	if (!ino || failed_only)
		return 0;
	e = scratch_event();
	if (!e)
		return 0;
	e->kind = NST_K_NS_FREE;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->flags = type;
	e->target_type = type;
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (nst_flags_to_slots(type) & (1U << i))
			e->target[i] = ino;
	if (!slots_wanted(e))
		return 0;
	fill_current(e);
	emit(e);
	return 0;
}

SEC("fentry/free_uts_ns")
int BPF_PROG(fe_free_uts_ns, struct uts_namespace *ns)
{
	return emit_free(NST_CLONE_NEWUTS, BPF_CORE_READ(ns, ns.inum));
}

SEC("fentry/free_cgroup_ns")
int BPF_PROG(fe_free_cgroup_ns, struct cgroup_namespace *ns)
{
	return emit_free(NST_CLONE_NEWCGROUP, BPF_CORE_READ(ns, ns.inum));
}

SEC("fentry/free_time_ns")
int BPF_PROG(fe_free_time_ns, struct time_namespace *ns)
{
	return emit_free(NST_CLONE_NEWTIME, BPF_CORE_READ(ns, ns.inum));
}

/*
 * Some types have a hook per kernel version, named fe_free_TYPE_FUNCTION:
 * the collector loads the first one the kernel has (tracer_bpf.c, alternatives).
 */
SEC("fentry/free_ipc_ns")
int BPF_PROG(fe_free_ipc_free_ipc_ns, struct ipc_namespace *ns)
{
	return emit_free(NST_CLONE_NEWIPC, BPF_CORE_READ(ns, ns.inum));
}

/* free_ipc_ns is inlined on 6.1 and 6.18; it alone calls shm_exit_ns */
SEC("fentry/shm_exit_ns")
int BPF_PROG(fe_free_ipc_shm_exit_ns, struct ipc_namespace *ns)
{
	return emit_free(NST_CLONE_NEWIPC, BPF_CORE_READ(ns, ns.inum));
}

SEC("fentry/free_mnt_ns")
int BPF_PROG(fe_free_mnt_free_mnt_ns, struct mnt_namespace *ns)
{
	return emit_free(NST_CLONE_NEWNS, BPF_CORE_READ(ns, ns.inum));
}

/* 6.18 keeps a mount namespace for listmount() until its passive count drops */
struct mnt_namespace___passive {
	refcount_t passive;
} __attribute__((preserve_access_index));

SEC("fentry/mnt_ns_release")
int BPF_PROG(fe_free_mnt_mnt_ns_release, struct mnt_namespace *ns)
{
	struct mnt_namespace___passive *p = (void *)ns;

	if (!ns || !bpf_core_field_exists(struct mnt_namespace___passive, passive) ||
	    BPF_CORE_READ(p, passive.refs.counter) != 1)
		return 0;
	return emit_free(NST_CLONE_NEWNS, BPF_CORE_READ(ns, ns.inum));
}

/* RCU callbacks: the namespace is the container of the rcu_head/work */
SEC("fentry/delayed_free_pidns")
int BPF_PROG(fe_free_pid_ns, struct callback_head *p)
{
	struct pid_namespace *ns = (void *)p - bpf_core_field_offset(struct pid_namespace, rcu);

	return emit_free(NST_CLONE_NEWPID, BPF_CORE_READ(ns, ns.inum));
}

SEC("fentry/free_user_ns")
int BPF_PROG(fe_free_user_ns, struct work_struct *work)
{
	struct user_namespace *ns =
		(void *)work - bpf_core_field_offset(struct user_namespace, work);

	return emit_free(NST_CLONE_NEWUSER, BPF_CORE_READ(ns, ns.inum));
}

/*
 * struct net is freed when its passive count drops to zero, after
 * cleanup_net: the moment the teardown backlog shrinks. 6.18 names the
 * drop net_passive_dec, 6.1 net_free (net_drop_ns wraps either, and is
 * the last resort where both are inlined).
 */
static __always_inline int net_passive_drop(struct net *net)
{
	if (!net || BPF_CORE_READ(net, passive.refs.counter) != 1)
		return 0;
	return emit_free(NST_CLONE_NEWNET, BPF_CORE_READ(net, ns.inum));
}

SEC("fentry/net_passive_dec")
int BPF_PROG(fe_free_net_net_passive_dec, struct net *net)
{
	return net_passive_drop(net);
}

SEC("fentry/net_free")
int BPF_PROG(fe_free_net_net_free, struct net *net)
{
	return net_passive_drop(net);
}

SEC("fentry/net_drop_ns")
int BPF_PROG(fe_free_net_net_drop_ns, void *p)
{
	return net_passive_drop(p);
}

char LICENSE[] SEC("license") = "GPL";
