// SPDX-License-Identifier: GPL-2.0
/*
 * The probes: kretprobes on the four namespace syscalls' entry points
 * (SYSCALL_PREFIX: __x64_sys_* on x86-64), kprobes/kretprobes on the kernel
 * functions the fentry tier hooks, and the sched fork/exec/exit
 * tracepoints. Each handler builds the same struct nst_event as its BPF
 * twin in bpf/nstrace.bpf.c.
 *
 * Why kretprobes for the syscalls and not sys_enter/sys_exit: the raw
 * syscall tracepoints are not exported to modules (register_trace_sys_enter
 * needs __tracepoint_sys_enter, absent from Module.symvers), and reached
 * through for_each_kernel_tracepoint they would run for every syscall of
 * every task. A kretprobe costs only the four calls, and its instance
 * carries the entry state to the return: no per-task side table.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/kprobes.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched/task.h>
#include <linux/time_namespace.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <linux/version.h>
#include <net/net_namespace.h>
#include "nst_kmod.h"

/* Syscalls in flight at once, per syscall, before a call goes unseen (missed). */
#define NST_MAXACTIVE_MIN 1024

static inline bool failed_only(void)
{
	return nst_filter.flags & NST_KF_FAILED_ONLY;
}

static unsigned long arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

/* ---- the four syscalls ---- */

struct sys_call {
	struct nst_event ev;
	struct hlist_node inflight;	/* clone: found here by the fork tracepoint */
	struct task_struct *task;
	bool linked;
};

/*
 * A clone's "after" comes from the child at sched_process_fork, like in
 * the BPF programs. The tracepoint finds the call through this table.
 */
static DEFINE_HASHTABLE(inflight, 8);
static DEFINE_SPINLOCK(inflight_lock);

static void inflight_add(struct sys_call *c)
{
	c->task = current;
	spin_lock(&inflight_lock);
	hash_add(inflight, &c->inflight, (unsigned long)current);
	c->linked = true;
	spin_unlock(&inflight_lock);
}

static void inflight_del(struct sys_call *c)
{
	spin_lock(&inflight_lock);
	hash_del(&c->inflight);
	spin_unlock(&inflight_lock);
}

static struct sys_call *inflight_find(struct task_struct *t)
{
	struct sys_call *c;

	hash_for_each_possible(inflight, c, inflight, (unsigned long)t)
		if (c->task == t)
			return c;
	return NULL;
}

/* Syscall entry: remember the namespaces the caller starts from. */
static int sys_enter(struct kretprobe_instance *ri, u16 kind, u64 flags, int fd)
{
	struct sys_call *c = (struct sys_call *)ri->data;

	if (!nst_started() || !nst_current_wanted())
		return 1;	/* no return probe for this call */
	memset(c, 0, sizeof(*c));
	c->ev.kind = kind;
	c->ev.flags = flags;
	c->ev.ts_ns = ktime_get_boot_fast_ns();
	nst_task_ns_inos(current, c->ev.before);
	if (kind == NST_K_SETNS)
		nst_setns_target(fd, flags, &c->ev);
	if (kind == NST_K_CLONE || kind == NST_K_CLONE3)
		inflight_add(c);
	return 0;
}

/* Syscall exit: where the caller (or, for clone, the child) ended up. */
static int sys_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sys_call *c = (struct sys_call *)ri->data;
	long ret = regs_return_value(regs);
	u64 now;

	if (c->linked)
		inflight_del(c);
	if (failed_only() && ret >= 0)
		return 0;
	if (!c->ev.child_pid)
		nst_task_ns_inos(current, c->ev.after);
	if (!nst_slots_wanted(&c->ev))
		return 0;
	now = ktime_get_boot_fast_ns();
	c->ev.lat_ns = now - c->ev.ts_ns;
	c->ev.ts_ns = now;
	c->ev.ret = ret;
	nst_fill_task(&c->ev, current);
	nst_emit(&c->ev);
	return 0;
}

/*
 * The syscalls' entry points on this architecture, as libbpf's ksyscall
 * programs name them: a syscall wrapper, __x64_sys_clone and its kind,
 * takes the user's registers as its one argument; without wrappers the
 * entry point is sys_clone, which takes the arguments themselves.
 */
#if defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER) && defined(CONFIG_X86_64)
#define SYSCALL_PREFIX "__x64_sys_"
#elif defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER) && defined(CONFIG_ARM64)
#define SYSCALL_PREFIX "__arm64_sys_"
#elif defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER) && defined(CONFIG_S390)
#define SYSCALL_PREFIX "__s390x_sys_"
#elif defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER) && defined(CONFIG_RISCV)
#define SYSCALL_PREFIX "__riscv_sys_"
#endif

#ifdef SYSCALL_PREFIX
#define SYSCALLS_WRAPPED true
#else
#define SYSCALL_PREFIX "sys_"
#define SYSCALLS_WRAPPED false
#endif

/* Where a syscall's arguments are: the user's registers, or the entry's own. */
static struct pt_regs *sys_regs(struct pt_regs *regs)
{
	return SYSCALLS_WRAPPED ? (struct pt_regs *)arg(regs, 0) : regs;
}

static int clone_enter(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return sys_enter(ri, NST_K_CLONE, arg(sys_regs(regs), 0), -1);
}

static int clone3_enter(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct clone_args __user *uargs = (void __user *)arg(sys_regs(regs), 0);
	u64 flags = 0;

	/* probes run with preemption off: no faulting in */
	if (copy_from_user_nofault(&flags, &uargs->flags, sizeof(flags)))
		flags = 0;
	return sys_enter(ri, NST_K_CLONE3, flags, -1);
}

static int unshare_enter(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return sys_enter(ri, NST_K_UNSHARE, arg(sys_regs(regs), 0), -1);
}

static int setns_enter(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct pt_regs *u = sys_regs(regs);

	return sys_enter(ri, NST_K_SETNS, (u32)arg(u, 1), (int)arg(u, 0));
}

/* ---- exact nsproxy switches ---- */

static void emit_switch(struct task_struct *t, struct nsproxy *to, u64 flags)
{
	struct nst_event e = {};

	if (!nst_started() || failed_only() || !nst_current_wanted())
		return;
	e.kind = NST_K_SWITCH;
	e.flags = flags;
	e.ts_ns = ktime_get_boot_fast_ns();
	nst_task_ns_inos(t, e.before);
	memcpy(e.after, e.before, sizeof(e.after));
	nst_nsproxy_inos(to, e.after);
	if (!nst_slots_wanted(&e))
		return;
	nst_fill_task(&e, t);
	nst_emit(&e);
}

/*
 * Whether a traced process leaves the traced set at its exit switch rather
 * than at sched_process_exit: exit_task_namespaces runs after that
 * tracepoint, and the fentry tier reports the switch, so this one does too.
 */
static bool untrace_at_exit_switch;

/*
 * Whether exit_task_namespaces is hooked. It is what do_exit (and a fork
 * that fails) calls on every kernel; its switch_task_namespaces(p, NULL)
 * is inlined into it on 6.12 and -rt, where a probe on the latter never
 * sees an exit. Hooked, it reports the exit switch, and the switch probe
 * leaves the NULL switches to it; not hooked, the switch probe reports them.
 */
static bool exit_ns_hooked;

/* The last switch of p: it leaves every namespace of its nsproxy. */
static void exit_switch(struct task_struct *t)
{
	emit_switch(t, NULL, 0);
	if (untrace_at_exit_switch && t->pid == t->tgid && (nst_filter.flags & NST_KF_PIDS))
		nst_pid_del(t->tgid);
}

/* exit_task_namespaces(struct task_struct *p) */
static int exit_ns_pre(struct kprobe *p, struct pt_regs *regs)
{
	exit_switch((struct task_struct *)arg(regs, 0));
	return 0;
}

/* unshare and setns pass through here, and exit where it is not inlined */
static int switch_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct task_struct *t = (struct task_struct *)arg(regs, 0);
	struct nsproxy *to = (struct nsproxy *)arg(regs, 1);

	if (to)
		emit_switch(t, to, 0);
	else if (!READ_ONCE(exit_ns_hooked))
		exit_switch(t);
	return 0;
}

struct copy_ns_call {
	unsigned long flags;
	struct task_struct *child;
};

static int copy_ns_enter(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct copy_ns_call *c = (struct copy_ns_call *)ri->data;

	c->flags = arg(regs, 0);
	c->child = (struct task_struct *)arg(regs, 1);
	if (!nst_started() || !(c->flags & NST_CLONE_NEWALL) || failed_only() ||
	    !nst_current_wanted())
		return 1;
	return 0;
}

/*
 * clone never calls switch_task_namespaces: copy_namespaces assigns the
 * child's nsproxy directly. The child has no pid yet, so the event names
 * the parent, with child_pid 0 and the clone flags.
 */
static int copy_ns_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct copy_ns_call *c = (struct copy_ns_call *)ri->data;
	struct nst_event e = {};

	if (regs_return_value(regs))
		return 0;
	e.kind = NST_K_SWITCH;
	e.flags = c->flags;
	e.ts_ns = ktime_get_boot_fast_ns();
	nst_task_ns_inos(current, e.before);
	memcpy(e.after, e.before, sizeof(e.after));
	nst_nsproxy_inos(c->child->nsproxy, e.after);
	if (!nst_slots_wanted(&e))
		return 0;
	nst_fill_task(&e, current);
	nst_emit(&e);
	return 0;
}

/* The user namespace lives in the credentials, not in nsproxy. */
static int commit_creds_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct cred *new = (const struct cred *)arg(regs, 0);
	struct nst_event e = {};
	u32 to = new->user_ns->ns.inum;

	if (!nst_started() || failed_only() || to == current_user_ns()->ns.inum ||
	    !nst_current_wanted())
		return 0;
	e.kind = NST_K_SWITCH;
	e.flags = NST_CLONE_NEWUSER;
	e.ts_ns = ktime_get_boot_fast_ns();
	nst_task_ns_inos(current, e.before);
	memcpy(e.after, e.before, sizeof(e.after));
	e.after[NST_NS_USER] = to;
	if (!nst_slots_wanted(&e))
		return 0;
	nst_fill_task(&e, current);
	nst_emit(&e);
	return 0;
}

/* ---- namespace inodes by type ---- */

static u32 ns_ino(u64 type, const void *ns)
{
	if (IS_ERR_OR_NULL(ns))
		return 0;
	switch (type) {
	case NST_CLONE_NEWNS:
		return nst_mnt_ns_inum((void *)ns);
	case NST_CLONE_NEWUTS:
		return ((const struct uts_namespace *)ns)->ns.inum;
	case NST_CLONE_NEWIPC:
		return ((const struct ipc_namespace *)ns)->ns.inum;
	case NST_CLONE_NEWPID:
		return ((const struct pid_namespace *)ns)->ns.inum;
	case NST_CLONE_NEWNET:
		return ((const struct net *)ns)->ns.inum;
	case NST_CLONE_NEWCGROUP:
		return ((const struct cgroup_namespace *)ns)->ns.inum;
	case NST_CLONE_NEWUSER:
		return ((const struct user_namespace *)ns)->ns.inum;
#ifdef CONFIG_TIME_NS
	case NST_CLONE_NEWTIME:
		return ((const struct time_namespace *)ns)->ns.inum;
#endif
	}
	return 0;
}

/* ---- per-type creation cost ---- */

struct nst_probe;
static u64 probe_type(struct kretprobe_instance *ri);

struct cost_call {
	u64 start;
	u64 type;
	const struct cred *cred;	/* create_user_ns */
};

/* copy_* is also called for types that are not new: it then only takes a reference */
static int cost_enter(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cost_call *c = (struct cost_call *)ri->data;
	u64 type = probe_type(ri), flags = arg(regs, 0);

	if (type == NST_CLONE_NEWUSER) {	/* create_user_ns(struct cred *new) */
		c->cred = (const struct cred *)flags;
		flags = NST_CLONE_NEWUSER;
	}
	/* create_new_namespaces: the whole, typed by every new type */
	c->type = type ? type : flags & NST_CLONE_NEWALL;
	if (!nst_started() || !(flags & c->type) || !nst_current_wanted())
		return 1;
	c->start = ktime_get_boot_fast_ns();
	return 0;
}

static int cost_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct cost_call *c = (struct cost_call *)ri->data;
	unsigned long rv = regs_return_value(regs);
	struct nst_event e = {};
	u32 ino = 0, slots;
	long ret = 0;

	if (c->cred) {
		ret = (int)rv;
		ino = ret ? 0 : c->cred->user_ns->ns.inum;
	} else {
		ret = IS_ERR_VALUE(rv) ? (long)rv : 0;
		/* a copy_* returns the namespace; create_new_namespaces an nsproxy */
		if (probe_type(ri))
			ino = ns_ino(c->type, (void *)rv);
	}
	e.kind = NST_K_NS_COST;
	e.ts_ns = ktime_get_boot_fast_ns();
	e.lat_ns = e.ts_ns - c->start;
	e.flags = c->type;
	/* as in the BPF tiers: 0 for the whole of create_new_namespaces, else the copy_*'s type */
	e.target_type = probe_type(ri) ? c->type : 0;
	e.ret = ret;
	slots = nst_flags_to_slots(c->type);
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (slots & (1U << i))
			e.after[i] = ino;
	nst_fill_task(&e, current);
	nst_emit(&e);
	return 0;
}

/* ---- namespace destruction ---- */

/*
 * A namespace is freed in a worker, not by a traced task: frees skip the
 * task filters and the collector keeps those of namespaces it knows.
 */
static void emit_free(u64 type, u32 ino)
{
	struct nst_event e = {};
	u32 slots = nst_flags_to_slots(type);

	if (!ino || !nst_started() || failed_only())
		return;
	e.kind = NST_K_NS_FREE;
	e.ts_ns = ktime_get_boot_fast_ns();
	e.flags = type;
	e.target_type = type;
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (slots & (1U << i))
			e.target[i] = ino;
	if (!nst_slots_wanted(&e))
		return;
	nst_fill_task(&e, current);
	nst_emit(&e);
}

/* RCU and work callbacks get a member of the namespace, not the namespace */
static void *free_arg_ns(u64 type, void *p)
{
	if (type == NST_CLONE_NEWPID)	/* delayed_free_pidns(struct rcu_head *) */
		return container_of((struct rcu_head *)p, struct pid_namespace, rcu);
	if (type == NST_CLONE_NEWUSER)	/* free_user_ns(struct work_struct *) */
		return container_of((struct work_struct *)p, struct user_namespace, work);
	return p;
}

static u64 kprobe_type(struct kprobe *p);

static int free_pre(struct kprobe *p, struct pt_regs *regs)
{
	u64 type = kprobe_type(p);
	void *ns = free_arg_ns(type, (void *)arg(regs, 0));

	/* struct net is freed when its passive count drops to zero, after cleanup_net */
	if (type == NST_CLONE_NEWNET && (!ns || refcount_read(&((struct net *)ns)->passive) != 1))
		return 0;
	emit_free(type, ns_ino(type, ns));
	return 0;
}

/* ---- the probe table ---- */

struct nst_probe {
	const char *names[3];	/* the function, or its names on other kernels */
	u64 type;		/* CLONE_NEW* of cost and free probes */
	bool required;		/* the session fails without it */
	bool is_ret;
	bool attached;
	union {
		struct kprobe kp;
		struct kretprobe rp;
	};
};

#define SYSCALL_PROBE(fn, enter)                                                        \
	{ .names = { SYSCALL_PREFIX #fn }, .required = true, .is_ret = true,           \
	  .rp = { .entry_handler = enter, .handler = sys_return,                       \
		  .data_size = sizeof(struct sys_call) } }
#define COST_PROBE(fn, t)                                                               \
	{ .names = { #fn }, .type = t, .is_ret = true,                                  \
	  .rp = { .entry_handler = cost_enter, .handler = cost_return,                 \
		  .data_size = sizeof(struct cost_call) } }
#define FREE_PROBE(t, ...) { .names = { __VA_ARGS__ }, .type = t, .kp = { .pre_handler = free_pre } }

static struct nst_probe probes[] = {
	SYSCALL_PROBE(clone, clone_enter),
	SYSCALL_PROBE(clone3, clone3_enter),
	SYSCALL_PROBE(unshare, unshare_enter),
	SYSCALL_PROBE(setns, setns_enter),
	/* before the switch probe, so that an exit is never reported by both */
	{ .names = { "exit_task_namespaces" }, .kp = { .pre_handler = exit_ns_pre } },
	{ .names = { "switch_task_namespaces" }, .kp = { .pre_handler = switch_pre } },
	{ .names = { "copy_namespaces" }, .is_ret = true,
	  .rp = { .entry_handler = copy_ns_enter, .handler = copy_ns_return,
		  .data_size = sizeof(struct copy_ns_call) } },
	{ .names = { "commit_creds" }, .kp = { .pre_handler = commit_creds_pre } },
	COST_PROBE(create_new_namespaces, 0),
	COST_PROBE(copy_mnt_ns, NST_CLONE_NEWNS),
	COST_PROBE(copy_utsname, NST_CLONE_NEWUTS),
	COST_PROBE(copy_ipcs, NST_CLONE_NEWIPC),
	COST_PROBE(copy_pid_ns, NST_CLONE_NEWPID),
	COST_PROBE(copy_net_ns, NST_CLONE_NEWNET),
	COST_PROBE(copy_cgroup_ns, NST_CLONE_NEWCGROUP),
	COST_PROBE(copy_time_ns, NST_CLONE_NEWTIME),
	COST_PROBE(create_user_ns, NST_CLONE_NEWUSER),
	FREE_PROBE(NST_CLONE_NEWUTS, "free_uts_ns"),
	FREE_PROBE(NST_CLONE_NEWCGROUP, "free_cgroup_ns"),
	FREE_PROBE(NST_CLONE_NEWTIME, "free_time_ns"),
	/* free_ipc_ns is inlined on 6.1 and 6.18; it alone calls shm_exit_ns */
	FREE_PROBE(NST_CLONE_NEWIPC, "free_ipc_ns", "shm_exit_ns"),
	FREE_PROBE(NST_CLONE_NEWNS, "free_mnt_ns"),
	FREE_PROBE(NST_CLONE_NEWPID, "delayed_free_pidns"),
	FREE_PROBE(NST_CLONE_NEWUSER, "free_user_ns"),
	/* 6.18 net_passive_dec; 6.1 net_free, or net_drop_ns where that is inlined */
	FREE_PROBE(NST_CLONE_NEWNET, "net_passive_dec", "net_free", "net_drop_ns"),
};

static u64 kprobe_type(struct kprobe *p)
{
	return container_of(p, struct nst_probe, kp)->type;
}

/* an instance's kretprobe: ri->rp until 5.11, get_kretprobe() since */
static struct kretprobe *instance_probe(struct kretprobe_instance *ri)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
	return ri->rp;
#else
	return get_kretprobe(ri);
#endif
}

static u64 probe_type(struct kretprobe_instance *ri)
{
	return container_of(instance_probe(ri), struct nst_probe, rp)->type;
}

static char missing[512];

const char *nst_probes_missing(void)
{
	return missing;
}

static void note_missing(const char *name)
{
	size_t off = strlen(missing);

	snprintf(missing + off, sizeof(missing) - off, "%s%s", off ? " " : "", name);
}

static int attach_probe(struct nst_probe *p)
{
	int ret = -ENOENT;

	for (int i = 0; i < ARRAY_SIZE(p->names) && p->names[i]; i++) {
		if (p->is_ret) {
			memset(&p->rp.kp, 0, sizeof(p->rp.kp));
			p->rp.kp.symbol_name = p->names[i];
			p->rp.maxactive = max_t(int, NST_MAXACTIVE_MIN, 16 * num_possible_cpus());
			p->rp.nmissed = 0;
			ret = register_kretprobe(&p->rp);
		} else {
			kprobe_pre_handler_t pre = p->kp.pre_handler;

			memset(&p->kp, 0, sizeof(p->kp));
			p->kp.symbol_name = p->names[i];
			p->kp.pre_handler = pre;
			ret = register_kprobe(&p->kp);
		}
		if (!ret) {
			p->attached = true;
			if (!p->is_ret && p->kp.pre_handler == exit_ns_pre)
				WRITE_ONCE(exit_ns_hooked, true);
			if (!p->is_ret && (p->kp.pre_handler == switch_pre ||
					   p->kp.pre_handler == exit_ns_pre))
				untrace_at_exit_switch = true;
			return 0;
		}
	}
	note_missing(p->names[0]);
	if (p->required)
		pr_err("nstrace: failed to attach a probe on %s: %d\n", p->names[0], ret);
	return p->required ? ret : 0;
}

static void detach_probes(void)
{
	for (int i = 0; i < ARRAY_SIZE(probes); i++) {
		struct nst_probe *p = &probes[i];

		if (!p->attached)
			continue;
		if (p->is_ret)
			unregister_kretprobe(&p->rp);
		else
			unregister_kprobe(&p->kp);
		p->attached = false;
	}
	untrace_at_exit_switch = false;
	WRITE_ONCE(exit_ns_hooked, false);
}

/*
 * Probe hits that did not run since the last attach, counted before any
 * filter. The counters live in the table, so they outlive the detach.
 */
u64 nst_probes_missed(void)
{
	u64 n = 0;

	for (int i = 0; i < ARRAY_SIZE(probes); i++) {
		struct nst_probe *p = &probes[i];

		n += p->is_ret ? READ_ONCE(p->rp.nmissed) + READ_ONCE(p->rp.kp.nmissed) :
				 READ_ONCE(p->kp.nmissed);
	}
	return n;
}

/* ---- sched tracepoints ---- */

/*
 * A new task. Descendants of traced tasks become traced. A clone in flight
 * takes the child's namespaces as its "after"; any other fork (fork(),
 * vfork(), a task whose clone entry was not seen) is reported on its own.
 */
static void tp_fork(void *data, struct task_struct *parent, struct task_struct *child)
{
	struct nst_event e = {};
	struct sys_call *c;

	if (nst_filter.flags & NST_KF_PIDS) {
		if (!nst_pid_traced(parent->tgid))
			return;
		if (child->tgid != parent->tgid)
			nst_pid_add(child->tgid);
	}
	if (!nst_started())
		return;
	spin_lock(&inflight_lock);
	c = inflight_find(current);
	if (c) {
		nst_task_ns_inos(child, c->ev.after);
		c->ev.child_pid = child->pid;
	}
	spin_unlock(&inflight_lock);
	if (c || failed_only() || (child->flags & PF_KTHREAD) || !nst_current_wanted())
		return;
	e.kind = NST_K_FORK;
	e.ts_ns = ktime_get_boot_fast_ns();
	e.child_pid = child->pid;
	e.ret = child->pid;
	nst_task_ns_inos(parent, e.before);
	nst_task_ns_inos(child, e.after);
	if (!nst_slots_wanted(&e))
		return;
	nst_fill_task(&e, parent);
	nst_emit(&e);
}

/* exec switches to time_for_children; otherwise it shows membership. */
static void tp_exec(void *data, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct nst_event e = {};

	if (!nst_started() || failed_only() || nst_filter.ns_slots || !nst_current_wanted())
		return;
	e.kind = NST_K_EXEC;
	e.ts_ns = ktime_get_boot_fast_ns();
	nst_task_ns_inos(p, e.after);
	memcpy(e.before, e.after, sizeof(e.before));
	nst_fill_task(&e, p);
	nst_emit(&e);
}

/* A process leaves all its namespaces; its tgid stops being traced. */
static void tp_exit(void *data, struct task_struct *p)
{
	struct nst_event e = {};

	if (p->pid != p->tgid || (p->flags & PF_KTHREAD))
		return;
	if (nst_started() && !failed_only() && !nst_filter.ns_slots && nst_current_wanted()) {
		e.kind = NST_K_EXIT;
		e.ts_ns = ktime_get_boot_fast_ns();
		e.ret = p->exit_code;
		nst_task_ns_inos(p, e.before);
		nst_fill_task(&e, p);
		nst_emit(&e);
	}
	if ((nst_filter.flags & NST_KF_PIDS) && !untrace_at_exit_switch)
		nst_pid_del(p->tgid);
}

struct nst_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool attached;
};

static struct nst_tp tps[] = {
	{ "sched_process_fork", tp_fork },
	{ "sched_process_exec", tp_exec },
	{ "sched_process_exit", tp_exit },
};

/* The sched tracepoints are not exported: find them by name. */
static void find_tp(struct tracepoint *tp, void *priv)
{
	for (int i = 0; i < ARRAY_SIZE(tps); i++)
		if (!strcmp(tp->name, tps[i].name))
			tps[i].tp = tp;
}

static int attach_tps(void)
{
	for_each_kernel_tracepoint(find_tp, NULL);
	for (int i = 0; i < ARRAY_SIZE(tps); i++) {
		int ret = tps[i].tp ? tracepoint_probe_register(tps[i].tp, tps[i].probe, NULL) :
				      -ENOENT;

		if (ret) {
			note_missing(tps[i].name);
			pr_err("nstrace: failed to attach tracepoint %s: %d\n", tps[i].name, ret);
			return ret;
		}
		tps[i].attached = true;
	}
	return 0;
}

static void detach_tps(void)
{
	for (int i = 0; i < ARRAY_SIZE(tps); i++) {
		if (tps[i].attached)
			tracepoint_probe_unregister(tps[i].tp, tps[i].probe, NULL);
		tps[i].attached = false;
	}
	tracepoint_synchronize_unregister();
}

/*
 * The kretprobes first: a clone entry is linked in the in-flight table
 * only by them, and the fork tracepoint then finds it.
 */
int nst_probes_attach(void)
{
	int ret = 0;

	missing[0] = '\0';
	hash_init(inflight);
	for (int i = 0; i < ARRAY_SIZE(probes) && !ret; i++)
		ret = attach_probe(&probes[i]);
	if (!ret)
		ret = attach_tps();
	if (ret)
		nst_probes_detach();
	return ret;
}

/*
 * The tracepoints first: once a kretprobe is gone, a call in flight returns
 * without its handler and leaves a stale entry in the in-flight table,
 * which only the fork tracepoint would read. Both unregister calls wait
 * for running handlers, so nothing reads the table or the buffer after.
 */
void nst_probes_detach(void)
{
	detach_tps();
	detach_probes();
}
