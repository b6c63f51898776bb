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
const volatile __u32 ns_slots = 0;	/* 1 << enum nst_ns; 0 means every type */
const volatile bool failed_only = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);	/* resized by the collector */
} events SEC(".maps");

/* tgids whose events are wanted: seeded from --pid, extended at fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

/* Syscalls in flight, by tid: entry state waiting for the exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct nst_event);
} pending SEC(".maps");

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

/* The cheapest test first: untraced tasks pay one hash lookup. */
static __always_inline bool current_wanted(__u32 tgid)
{
	if (filter_tgid && !bpf_map_lookup_elem(&traced, &tgid))
		return false;
	if (filter_comm && !comm_matches())
		return false;
	if (filter_cgroup && !bpf_current_task_under_cgroup(&cgroup_map, 0))
		return false;
	return true;
}

static __always_inline __u32 changed_slots(const struct nst_event *e)
{
	__u32 m = 0;

	for (int i = 0; i < NST_NS_COUNT; i++)
		if (e->before[i] != e->after[i])
			m |= 1U << i;
	return m;
}

/* Does the event touch a namespace type selected with --ns? */
static __always_inline bool slots_wanted(const struct nst_event *e)
{
	__u32 m;

	if (!ns_slots)
		return true;
	m = changed_slots(e) | nst_flags_to_slots(e->flags | e->target_type);
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (e->target[i])
			m |= 1U << i;
	return m & ns_slots;
}

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;
}

static __always_inline void fill_task(struct nst_event *e, struct task_struct *t)
{
	e->pid = BPF_CORE_READ(t, tgid);
	e->tid = BPF_CORE_READ(t, pid);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->source = NST_SRC_TRACEPOINT;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
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
	bpf_ringbuf_submit(e, 0);
}

static __always_inline struct nst_event *scratch_event(void)
{
	__u32 zero = 0;
	struct nst_event *e = bpf_map_lookup_elem(&scratch, &zero);

	if (e)
		__builtin_memset(e, 0, sizeof(*e));
	return e;
}

/* Syscall entry: remember the namespaces the caller starts from. */
static __always_inline int ns_call_enter(__u16 kind, __u64 flags, int fd)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct task_struct *t;
	struct nst_event *e;

	if (!current_wanted(id >> 32))
		return 0;
	e = scratch_event();
	if (!e)
		return 0;
	t = (struct task_struct *)bpf_get_current_task();
	e->kind = kind;
	e->flags = flags;
	e->ts_ns = bpf_ktime_get_boot_ns();
	task_ns_inos(t, e->before);
	if (kind == NST_K_SETNS)
		setns_target(t, fd, flags, e);
	bpf_map_update_elem(&pending, &tid, e, BPF_ANY);
	return 0;
}

/* Syscall exit: where the caller (or, for clone, the child) ended up. */
static __always_inline int ns_call_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct nst_event *p = bpf_map_lookup_elem(&pending, &tid);
	struct task_struct *t;
	__u64 now;

	if (!p)
		return 0;
	if (failed_only && ret >= 0)
		goto out;
	t = (struct task_struct *)bpf_get_current_task();
	/* a clone's "after" was taken from the child at sched_process_fork */
	if (!p->child_pid)
		task_ns_inos(t, p->after);
	if (!slots_wanted(p))
		goto out;
	now = bpf_ktime_get_boot_ns();
	p->lat_ns = now - p->ts_ns;
	p->ts_ns = now;
	p->ret = ret;
	fill_task(p, t);
	emit(p);
out:
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone")
int tp_enter_clone(struct trace_event_raw_sys_enter *ctx)
{
	return ns_call_enter(NST_K_CLONE, ctx->args[0], -1);
}

SEC("tracepoint/syscalls/sys_exit_clone")
int tp_exit_clone(struct trace_event_raw_sys_exit *ctx)
{
	return ns_call_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_clone3")
int tp_enter_clone3(struct trace_event_raw_sys_enter *ctx)
{
	struct clone_args *uargs = (void *)ctx->args[0];
	__u64 flags = 0;

	bpf_probe_read_user(&flags, sizeof(flags), &uargs->flags);
	return ns_call_enter(NST_K_CLONE3, flags, -1);
}

SEC("tracepoint/syscalls/sys_exit_clone3")
int tp_exit_clone3(struct trace_event_raw_sys_exit *ctx)
{
	return ns_call_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_unshare")
int tp_enter_unshare(struct trace_event_raw_sys_enter *ctx)
{
	return ns_call_enter(NST_K_UNSHARE, ctx->args[0], -1);
}

SEC("tracepoint/syscalls/sys_exit_unshare")
int tp_exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	return ns_call_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_setns")
int tp_enter_setns(struct trace_event_raw_sys_enter *ctx)
{
	return ns_call_enter(NST_K_SETNS, (__u32)ctx->args[1], (int)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_exit_setns")
int tp_exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	return ns_call_exit(ctx->ret);
}

/*
 * A new task. Descendants of traced tasks become traced. A clone in flight
 * takes the child's namespaces as its "after"; any other fork (fork(),
 * vfork(), a task whose clone entry was not seen) is reported on its own.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid, ptid = parent->pid;
	struct nst_event *p, *e;
	__u8 one = 1;

	if (filter_tgid) {
		if (!bpf_map_lookup_elem(&traced, &ptgid))
			return 0;
		if (ctgid != ptgid)
			bpf_map_update_elem(&traced, &ctgid, &one, BPF_ANY);
	}
	p = bpf_map_lookup_elem(&pending, &ptid);
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

/* A process leaves all its namespaces; its tgid stops being traced. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_exit, struct task_struct *p)
{
	__u32 tid = p->pid, tgid = p->tgid;
	struct nst_event *e;

	bpf_map_delete_elem(&pending, &tid);
	if (tid != tgid || (p->flags & PF_KTHREAD))
		return 0;
	if (failed_only || ns_slots || !current_wanted(tgid))
		goto out;
	e = scratch_event();
	if (!e)
		goto out;
	e->kind = NST_K_EXIT;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->ret = p->exit_code;
	task_ns_inos(p, e->before);
	fill_task(e, p);
	emit(e);
out:
	if (filter_tgid)
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
