// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The BPF backend: the tracepoint and fentry tiers of bpf/nstrace.bpf.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpf_features.h"
#include "kernel_funcs.h"
#include "privs.h"
#include "procparse.h"
#include "tracer_int.h"
#include "nstrace.skel.h"
#include "nstrace_cast.skel.h"

/* 4 MiB: the kernel maps the data twice, so this is 8 MiB of RSS */
#define DEFAULT_RINGBUF (4U << 20)
#define KERNEL_BTF "/sys/kernel/btf/vmlinux"
/*
 * Calls in flight at once, on kernels without task storage (before 5.11),
 * where pending is a hash by thread id: entries are allocated as used.
 */
#define PENDING_BY_TID 16384

struct nst_bpf {
	struct nstrace_bpf *skel;
	struct ring_buffer *rb;
	int wake_fd; /* epoll, edge-triggered: woken by the producers' forced wakeups only */
	int ncpus;
	struct nst_kernel_funcs *funcs; /* while opening: which kernel functions exist */
	bool funcs_from_kernel; /* the kernel answered (else its BTF, parsed here) */
	struct nst_bpf_features feat;
};

static struct nstrace_bpf *skel_of(struct nst_tracer *t)
{
	return ((struct nst_bpf *)t->impl)->skel;
}

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	if (size < sizeof(struct nst_event))
		return 0;
	return nst_tracer_deliver(ctx, data);
}

/*
 * The syscall wrappers of this architecture, resolved as libbpf's ksyscall
 * programs resolve them: __x64_sys_clone and its kind take the user's
 * registers as their one argument, which is what the fe_enter_ and fe_exit_
 * programs read. Elsewhere a syscall is a plain sys_clone taking its
 * arguments themselves, which those programs cannot read: there the raw
 * syscall tracepoints serve, as on a kernel lacking a wrapper.
 */
#if defined(__x86_64__)
#define SYSCALL_WRAPPER "__x64_sys_"
#elif defined(__aarch64__)
#define SYSCALL_WRAPPER "__arm64_sys_"
#elif defined(__s390x__)
#define SYSCALL_WRAPPER "__s390x_sys_"
#elif defined(__riscv)
#define SYSCALL_WRAPPER "__riscv_sys_"
#endif

#ifdef SYSCALL_WRAPPER
#define SYSCALL_PREFIX SYSCALL_WRAPPER
#define SYSCALLS_WRAPPED true
#else
#define SYSCALL_PREFIX "sys_"
#define SYSCALLS_WRAPPED false
#endif

#define TARGET_LEN 64

/* fentry and fexit programs; their section may name no function (syscalls) */
static bool is_fentry_prog(struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	return !strncmp(sec, "fentry", 6) || !strncmp(sec, "fexit", 5);
}

/*
 * Each syscall hook exists as tp_X and fe_X; the fentry tier uses fe_X
 * when the kernel has the function. fentry-only programs (switches, cost,
 * frees) load where their function exists and are reported otherwise.
 */
static bool is_syscall_fentry(struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);

	return is_fentry_prog(prog) &&
	       (!strncmp(name, "fe_enter_", 9) || !strncmp(name, "fe_exit_", 8));
}

/*
 * The kernel function prog attaches to: for fe_enter_clone and
 * fe_exit_clone the wrapper of clone, for the others what the section names.
 */
static const char *prog_target(struct bpf_program *prog, char *buf, size_t len)
{
	const char *name = bpf_program__name(prog);

	if (!is_syscall_fentry(prog))
		return strchr(bpf_program__section_name(prog), '/') + 1;
	/* the syscall follows the second '_' */
	snprintf(buf, len, "%s%s", SYSCALL_PREFIX, strchr(name + 3, '_') + 1);
	return buf;
}

static bool prog_target_exists(struct nst_kernel_funcs *funcs, struct bpf_program *prog)
{
	char buf[TARGET_LEN];

	if (is_syscall_fentry(prog) && !SYSCALLS_WRAPPED)
		return false;
	return nst_kernel_has_func(funcs, prog_target(prog, buf, sizeof(buf)));
}

static void note_missing(struct nst_tracer *t, struct bpf_program *prog)
{
	char buf[TARGET_LEN];
	const char *target = prog_target(prog, buf, sizeof(buf));
	size_t off = strlen(t->missing);

	/* fentry and fexit of one function: name it once */
	if (strstr(t->missing, target))
		return;
	snprintf(t->missing + off, sizeof(t->missing) - off, "%s%s", off ? " " : "", target);
}

/*
 * One event from whichever of these functions the kernel has: the first
 * present is loaded, so that a wrapper and what it wraps never both fire.
 */
static const char *const alternatives[][4] = {
	{ "fe_free_ipc_free_ipc_ns", "fe_free_ipc_shm_exit_ns" },
	{ "fe_free_mnt_free_mnt_ns", "fe_free_mnt_mnt_ns_release" },
	{ "fe_free_net_net_passive_dec", "fe_free_net_net_free", "fe_free_net_net_drop_ns" },
};

/* The alternatives group of prog, or NULL. */
static const char *const *alternatives_of(struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);

	for (size_t g = 0; g < sizeof(alternatives) / sizeof(alternatives[0]); g++)
		for (int i = 0; i < 4 && alternatives[g][i]; i++)
			if (!strcmp(alternatives[g][i], name))
				return alternatives[g];
	return NULL;
}

/* Load prog when its function exists; a group's first present member only. */
static void select_fentry_prog(struct nst_tracer *t, struct bpf_program *prog,
			       struct nst_kernel_funcs *funcs)
{
	const char *const *group = alternatives_of(prog);
	struct bpf_program *first = NULL;

	if (!group) {
		bpf_program__set_autoload(prog, prog_target_exists(funcs, prog));
		/* without its function, the exit switch comes from sched_process_exit */
		if (!prog_target_exists(funcs, prog) && prog != skel_of(t)->progs.fe_switch_at_exit)
			note_missing(t, prog);
		return;
	}
	for (int i = 0; i < 4 && group[i] && !first; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(skel_of(t)->obj, group[i]);

		if (p && prog_target_exists(funcs, p))
			first = p;
	}
	bpf_program__set_autoload(prog, prog == first);
	/* none of the group: name them all, once, when at the first */
	if (!first && !strcmp(bpf_program__name(prog), group[0]))
		for (int i = 0; i < 4 && group[i]; i++)
			note_missing(t,
				     bpf_object__find_program_by_name(skel_of(t)->obj, group[i]));
}

/* Can the fentry tier hook all four syscalls? Half a set would miss calls. */
static bool syscall_fentry_complete(struct bpf_object *obj, struct nst_kernel_funcs *funcs)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) if (is_syscall_fentry(prog) &&
						    !prog_target_exists(funcs, prog)) return false;
	return true;
}

/*
 * The fentry tier: every fentry program whose function exists, the syscall
 * fentry set only if complete (else the raw syscall tracepoints instead), and
 * a tracepoint program only where its fe_ twin can't load.
 */
static void select_programs(struct nst_tracer *t, enum nst_tier tier,
			    struct nst_kernel_funcs *funcs)
{
	struct bpf_object *obj = skel_of(t)->obj;
	bool fe_syscalls = tier == NST_TIER_FENTRY && syscall_fentry_complete(obj, funcs);
	struct bpf_program *prog;

	t->missing[0] = '\0';
	bpf_object__for_each_program(prog, obj)
	{
		const char *name = bpf_program__name(prog);
		struct bpf_program *twin;
		char twin_name[64];
		bool load;

		if (tier == NST_TIER_TRACEPOINT) {
			load = !is_fentry_prog(prog);
		} else if (!strncmp(name, "tp_sys_", 7)) {
			load = !fe_syscalls;
		} else if (is_syscall_fentry(prog)) {
			load = fe_syscalls;
		} else if (!is_fentry_prog(prog)) {
			snprintf(twin_name, sizeof(twin_name), "fe_%s", name + 3);
			twin = bpf_object__find_program_by_name(obj, twin_name);
			load = !twin || !prog_target_exists(funcs, twin);
		} else {
			select_fentry_prog(t, prog, funcs);
			continue;
		}
		if (tier == NST_TIER_FENTRY && is_syscall_fentry(prog) &&
		    !prog_target_exists(funcs, prog))
			note_missing(t, prog);
		bpf_program__set_autoload(prog, load);
	}
}

/* The syscall programs' sections name no function: set their wrapper's before load. */
static int set_syscall_targets(struct bpf_object *obj, char *err, size_t errlen)
{
	struct bpf_program *prog;
	char target[TARGET_LEN];
	int ret;

	bpf_object__for_each_program(prog, obj)
	{
		if (!is_syscall_fentry(prog) || !bpf_program__autoload(prog))
			continue;
		ret = bpf_program__set_attach_target(prog, 0,
						     prog_target(prog, target, sizeof(target)));
		if (ret) {
			snprintf(err, errlen, "failed to find %s for %s: %s", target,
				 bpf_program__name(prog), strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * The older paths for what the kernel lacks (bpf/nstrace.bpf.c, have_*):
 * pending, task storage, becomes a hash by thread id. The task storage
 * path hands the helper the pointer bpf_get_current_task_btf gives: it
 * needs both.
 */
static void choose_paths(struct nst_tracer *t)
{
	const struct nst_bpf_features *f = &((struct nst_bpf *)t->impl)->feat;
	struct nstrace_bpf *s = skel_of(t);
	bool storage = f->task_storage && f->task_btf;

	s->rodata->have_task_storage = storage;
	s->rodata->have_task_btf = f->task_btf;
	s->rodata->have_ancestor_cgroup = f->ancestor_cgroup;
	if (!storage) {
		bpf_map__set_type(s->maps.pending, BPF_MAP_TYPE_HASH);
		bpf_map__set_max_entries(s->maps.pending, PENDING_BY_TID);
	}
}

/* -v: which of the paths above this kernel got, and why. */
static void print_paths(struct nst_tracer *t)
{
	struct nst_bpf *b = t->impl;
	const struct nstrace_bpf *s = b->skel;

	fprintf(stderr, "nstrace: kernel functions: %s\n",
		b->funcs_from_kernel ? "asked of the kernel (BPF syscall program)"
				     : "looked up in " KERNEL_BTF " (no BPF syscall programs "
				       "before 5.14)");
	fprintf(stderr, "nstrace: calls in flight: %s\n",
		s->rodata->have_task_storage ? "task storage"
					     : "a hash by thread id (no task storage before 5.11)");
	fprintf(stderr, "nstrace: current task: %s\n",
		b->feat.task_btf ? "plain loads (bpf_get_current_task_btf)"
				 : "probe reads (no bpf_get_current_task_btf before 5.11)");
	if (t->caps_kept)
		fprintf(stderr, "nstrace: after attaching: CAP_BPF kept (this kernel refuses "
				"bpf() on its maps without it: unprivileged_bpf_disabled)\n");
	fprintf(stderr, "nstrace: hot path reads: %s\n",
		b->feat.rdonly_cast ? "plain loads (bpf_rdonly_cast)"
				    : "probe reads (no bpf_rdonly_cast before 6.2)");
	if (s->rodata->follow) {
		fprintf(stderr, "nstrace: cgroup ancestors: %s\n",
			b->feat.ancestor_cgroup
				? "bpf_get_current_ancestor_cgroup_id"
				: "read from the cgroup (no bpf_get_current_ancestor_cgroup_id in "
				  "tracing programs before 5.16)");
		fprintf(stderr, "nstrace: --wait: %s\n",
			b->feat.atomic_or ? "the new cgroup's level is marked atomically"
					  : "every cgroup level is checked (no BPF atomic OR "
					    "before 5.12)");
	}
	if (t->tier == NST_TIER_FENTRY)
		fprintf(stderr, "nstrace: switch at exit: %s\n",
			s->rodata->exit_switch_at_tp
				? "at sched_process_exit (no exit_task_namespaces to hook)"
				: "fentry on exit_task_namespaces");
}

/* The options are checked (tracer.c): they only need setting. */
static void set_filters(struct nst_tracer *t, const struct nst_tracer_opts *o)
{
	const struct nst_bpf *b = t->impl;
	struct nstrace_bpf *s = b->skel;
	size_t rb = o->ringbuf_bytes ? o->ringbuf_bytes : DEFAULT_RINGBUF;

	bpf_map__set_max_entries(s->maps.events, rb);
	/* batch wakeups: an eighth of the buffer, or every event for a tiny one */
	s->rodata->wakeup_bytes = rb >= (1U << 20) ? rb / 8 : 0;
	s->rodata->event_source = t->tier == NST_TIER_FENTRY ? NST_SRC_FENTRY : NST_SRC_TRACEPOINT;
	s->rodata->untrace_at_exit_switch = bpf_program__autoload(s->progs.fe_switch_at_exit);
	s->rodata->exit_switch_at_tp =
		t->tier == NST_TIER_FENTRY && !bpf_program__autoload(s->progs.fe_switch_at_exit);
	s->rodata->filter_tgid = o->npids > 0 || o->follow;
	s->rodata->follow = o->follow;
	/* --wait: the cgroup_mkdir program that marks the level needs atomic OR (5.12) */
	bpf_program__set_autoload(s->progs.tp_cgroup_mkdir, o->follow && b->feat.atomic_or);
	bpf_program__set_autoload(s->progs.tp_cgroup_mkdir_any_level,
				  o->follow && !b->feat.atomic_or);
	s->rodata->nr_clone = SYS_clone;
	s->rodata->nr_clone3 = SYS_clone3;
	s->rodata->nr_unshare = SYS_unshare;
	s->rodata->nr_setns = SYS_setns;
	s->rodata->ns_slots = o->ns_slots;
	s->rodata->failed_only = o->failed_only;
	s->rodata->filter_cgroup = o->cgroup != NULL;
	if (o->comm) {
		s->rodata->filter_comm = true;
		strncpy((char *)s->rodata->targ_comm, o->comm, NST_COMM_LEN - 1);
	}
}

static int seed_cgroup(struct nst_tracer *t, const char *path, char *err, size_t errlen)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(skel_of(t)->maps.cgroup_map), &zero, &t->cgroup_fd,
				BPF_ANY)) {
		int e = -errno;

		nst_cgroup_refused(path, e, err, errlen);
		return e;
	}
	return 0;
}

static int bpf_add_pid(struct nst_tracer *t, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(skel_of(t)->maps.traced), &key, &one, BPF_ANY))
		return -errno;
	return 0;
}

static int bpf_follow_cgroup(struct nst_tracer *t, __u64 cgid, int level)
{
	struct nstrace_bpf *s = skel_of(t);
	__u8 one = 1;

	if (level < 0 || level >= 32)
		return -ERANGE;
	if (bpf_map_update_elem(bpf_map__fd(s->maps.follow_cgroups), &cgid, &one, BPF_ANY))
		return -errno;
	/* after the id: a level without one costs a lookup, an id without its level misses */
	__atomic_or_fetch(&s->bss->follow_cg_levels, 1ULL << level, __ATOMIC_RELEASE);
	return 0;
}

static int bpf_follow_ns(struct nst_tracer *t, __u32 type, __u32 ino)
{
	struct {
		__u32 type;
		__u32 ino;
	} key = { type, ino };
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(skel_of(t)->maps.follow_ns), &key, &one, BPF_ANY))
		return -errno;
	return 0;
}

static int bpf_await_cgroup(struct nst_tracer *t, const char *id)
{
	struct nst_bpf *b = t->impl;
	char key[64];
	__u8 one = 1;

	if (strlen(id) != sizeof(key))
		return -EINVAL;
	memcpy(key, id, sizeof(key));
	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.await_ids), key, &one, BPF_ANY))
		return -errno;
	/*
	 * Before 5.12 (tp_cgroup_mkdir_any_level) the new cgroup's level is
	 * not marked (no atomic OR): any level may be the container's, so
	 * check them all.
	 */
	if (!b->feat.atomic_or)
		__atomic_store_n(&b->skel->bss->follow_cg_levels, ~0ULL, __ATOMIC_RELEASE);
	return 0;
}

static pid_t proc_ppid(pid_t pid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return nst_proc_stat_ppid(buf);
}

/*
 * Children forked before the programs were attached were not seen at fork:
 * add every live descendant of a traced process. Repeat until no new one
 * shows up, since the walk order does not follow the tree.
 */
static void seed_descendants(struct nst_tracer *t)
{
	int fd = bpf_map__fd(skel_of(t)->maps.traced);
	bool added = true;

	while (added) {
		struct dirent *d;
		DIR *dir = opendir("/proc");

		added = false;
		if (!dir)
			return;
		while ((d = readdir(dir))) {
			__u32 pid = strtoul(d->d_name, NULL, 10), ppid;
			__u8 v;

			if (!pid || !bpf_map_lookup_elem(fd, &pid, &v))
				continue;
			ppid = proc_ppid(pid);
			if (ppid > 0 && !bpf_map_lookup_elem(fd, &ppid, &v)) {
				bpf_add_pid(t, pid);
				added = true;
			}
		}
		closedir(dir);
	}
}

/* They existed a moment ago (tracer.c): one that has exited since is dropped later. */
static void seed_pids(struct nst_tracer *t, const struct nst_tracer_opts *o)
{
	for (int i = 0; i < o->npids; i++)
		bpf_add_pid(t, o->pids[i]);
}

/* What to do about a failed load, as specific as what we can see allows. */
/*
 * Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK; later ones to the
 * memory cgroup. bpf_ktime_get_coarse_ns came with the change: libbpf uses
 * the same probe to decide whether to raise the limit.
 */
static bool memlock_charged(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_ktime_get_coarse_ns,
				       NULL) <= 0;
}

/* What to do about a failed load, as specific as what we can see allows. */
static const char *load_advice(int ret, const struct nst_tracer_opts *o)
{
	if (ret == -EPERM && nst_memlock_limited() && !nst_has_cap(CAP_SYS_RESOURCE) &&
	    memlock_charged())
		return "the memlock limit is too low for BPF maps on this kernel: raise it with "
		       "'ulimit -l unlimited', or grant CAP_SYS_RESOURCE";
	/* the capabilities were checked: the kernel or a security policy said no */
	if (ret == -EPERM)
		return "the kernel refused: lockdown or a security module? see -v";
	if (ret == -ENOMEM || ret == -E2BIG)
		return o->ringbuf_bytes ? "not enough memory for the ring buffer: try a smaller -b"
					: "not enough memory for the BPF maps";
	return "run with -v for the verifier log";
}

static int load_and_attach(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err,
			   size_t errlen)
{
	int ret;

	ret = nstrace_bpf__load(skel_of(t));
	if (ret) {
		snprintf(err, errlen, "failed to load BPF programs: %s (%s)", strerror(-ret),
			 load_advice(ret, o));
		return ret;
	}
	if (o->cgroup && (ret = seed_cgroup(t, o->cgroup, err, errlen)))
		return ret;
	seed_pids(t, o);
	/* every program is tp_btf or fentry: attaching needs no tracefs */
	ret = nstrace_bpf__attach(skel_of(t));
	if (ret) {
		snprintf(err, errlen, "failed to attach BPF programs: %s (run with -v)",
			 strerror(-ret));
		return ret;
	}
	if (o->npids)
		seed_descendants(t);
	return 0;
}

/* The fentry probe and the program choice share one lookup. */
static struct nst_kernel_funcs *funcs_of(struct nst_tracer *t)
{
	struct nst_bpf *b = t->impl;

	if (!b->funcs)
		b->funcs = nst_kernel_funcs_open();
	return b->funcs;
}

/*
 * The tracer's object, or on kernels with bpf_rdonly_cast its build with
 * direct loads on the hot path (bpf/nstrace.bpf.h, NST_RDONLY_CAST), and
 * without the paths for kernels before 5.12. Both come from one source
 * with the same programs, maps and variables, so the one skeleton binds
 * to either.
 */
static struct nstrace_bpf *open_skel(struct nst_tracer *t)
{
	struct nstrace_bpf *s = calloc(1, sizeof(*s));
	int err = s ? nstrace_bpf__create_skeleton(s) : -ENOMEM;
	struct nst_bpf *b = t->impl;

	if (!err && b->feat.rdonly_cast)
		s->skeleton->data = nstrace_cast_bpf__elf_bytes(&s->skeleton->data_sz);
	if (!err)
		err = bpf_object__open_skeleton(s->skeleton, NULL);
	if (err) {
		nstrace_bpf__destroy(s);
		errno = -err;
		return NULL;
	}
	return s;
}

/* Open, filter, load and attach one tier; on failure the skeleton is gone. */
static int open_tier(struct nst_tracer *t, const struct nst_tracer_opts *o, enum nst_tier tier,
		     char *err, size_t errlen)
{
	struct nst_bpf *b = t->impl;
	int ret;

	t->tier = tier;
	b->skel = open_skel(t);
	if (!b->skel) {
		ret = -errno;
		snprintf(err, errlen, "failed to open BPF object: %s", strerror(errno));
		return ret;
	}
	select_programs(t, tier, tier == NST_TIER_FENTRY ? funcs_of(t) : NULL);
	choose_paths(t);
	set_filters(t, o);
	ret = set_syscall_targets(b->skel->obj, err, errlen);
	if (!ret)
		ret = load_and_attach(t, o, err, errlen);
	if (ret) {
		nstrace_bpf__destroy(b->skel);
		b->skel = NULL;
	}
	return ret;
}

/*
 * Can this kernel load an fentry program at all? A two-instruction probe
 * answers in microseconds; loading the whole object to learn the same
 * (EPERM here) costs as much as the start-up it would delay.
 */
static bool fentry_allowed(struct nst_tracer *t)
{
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	long long id = nst_kernel_func_id(funcs_of(t), "switch_task_namespaces");
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id > 0 ? (__u32)id : 0);
	int fd = id > 0 ? bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", prog, 2, &opts) : -1;

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* auto tries the exact fentry tier first and falls back to tracepoints. */
static int open_best_tier(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err,
			  size_t errlen)
{
	char why[512];
	int ret;

	if (o->tier == NST_TIER_AUTO && !fentry_allowed(t)) {
		if (o->verbose)
			fprintf(stderr, "nstrace: this kernel refuses fentry programs; using "
					"tracepoints\n");
		return open_tier(t, o, NST_TIER_TRACEPOINT, err, errlen);
	}
	if (o->tier != NST_TIER_AUTO) {
		ret = open_tier(t, o, o->tier, err, errlen);
		if (ret && o->tier == NST_TIER_FENTRY)
			snprintf(err + strlen(err), errlen - strlen(err),
				 "; this kernel refuses the fentry tier: use --tier tracepoint or "
				 "auto");
		return ret;
	}
	ret = open_tier(t, o, NST_TIER_FENTRY, why, sizeof(why));
	if (!ret || ret == -ESRCH || ret == -EINVAL)
		return ret ? (snprintf(err, errlen, "%s", why), ret) : 0;
	if (o->verbose)
		fprintf(stderr, "nstrace: fentry tier unavailable (%s); using tracepoints\n", why);
	return open_tier(t, o, NST_TIER_TRACEPOINT, err, errlen);
}

static const struct nst_tracer_ops bpf_ops;

/*
 * libbpf's own wait is level-triggered: it returns at once whenever one
 * record waits, so under a storm the collector woke for every few events
 * and spent its CPU (the traced workload's other CPU) on the rounds
 * around them. Edge-triggered, a wait ends only at a producer's forced
 * wakeup (the backlog passed wakeup_bytes) or at the timeout.
 */
static int open_wake_fd(struct nst_bpf *b)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };

	b->wake_fd = epoll_create1(EPOLL_CLOEXEC);
	if (b->wake_fd < 0)
		return -errno;
	if (epoll_ctl(b->wake_fd, EPOLL_CTL_ADD, bpf_map__fd(b->skel->maps.events), &ev))
		return -errno;
	return 0;
}

int nst_bpf_open(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err, size_t errlen)
{
	struct nst_bpf *b;
	int ret;

	verbose_libbpf = o->verbose;
	libbpf_set_print(libbpf_print);
	if (access(KERNEL_BTF, R_OK)) {
		snprintf(err, errlen,
			 "failed to find kernel BTF at %s: nstrace needs a kernel "
			 "built with CONFIG_DEBUG_INFO_BTF=y",
			 KERNEL_BTF);
		return -ENOENT;
	}
	if ((ret = nst_check_tracer_caps(err, errlen)))
		return ret;
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "failed to allocate tracer: %s", strerror(errno));
		return -ENOMEM;
	}
	b->wake_fd = -1;
	t->impl = b;
	t->ops = &bpf_ops;
	t->backend = NST_BACKEND_BPF;
	b->ncpus = libbpf_num_possible_cpus();
	ret = nst_bpf_features_probe(&b->feat, funcs_of(t), err, errlen);
	if (!ret)
		ret = open_best_tier(t, o, err, errlen);
	b->funcs_from_kernel = nst_kernel_funcs_asks_kernel(b->funcs);
	nst_kernel_funcs_close(b->funcs);
	b->funcs = NULL;
	if (ret)
		goto fail;
	/* 5.10: reading the maps after attach (live pids, lost events, --wait) needs CAP_BPF */
	if (nst_bpf_fd_ops_need_cap(bpf_map__fd(b->skel->maps.traced)))
		t->caps_kept = NST_CAP(CAP_BPF);
	if (o->verbose)
		print_paths(t);
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), handle_event, t, NULL);
	if (!b->rb) {
		ret = -errno;
		snprintf(err, errlen, "failed to create ring buffer: %s", strerror(errno));
		goto fail;
	}
	ret = open_wake_fd(b);
	if (ret) {
		snprintf(err, errlen, "failed to wait on the ring buffer: %s", strerror(-ret));
		goto fail;
	}
	/* CO-RE parsed the kernel's BTF (megabytes) and freed it: give the pages back */
	malloc_trim(0);
	return 0;
fail:
	bpf_ops.close(t);
	return ret;
}

/*
 * Producers wake us only when the buffer is filling (wakeup_bytes), so a
 * wait is capped at FLUSH_MS: that bounds how stale a quiet stream can be
 * (an event reaches the printer at most FLUSH_MS after it was submitted,
 * plus the time to print what came before it).
 */
#define FLUSH_MS 20

/* Drain what is there, wait for a forced wakeup or FLUSH_MS, drain again. */
static int bpf_poll(struct nst_tracer *t, int timeout_ms)
{
	struct nst_bpf *b = t->impl;
	struct epoll_event ev;
	int n = ring_buffer__consume(b->rb), m;

	if (n < 0 || timeout_ms == 0)
		return n == -EINTR ? 0 : n;
	if (epoll_wait(b->wake_fd, &ev, 1, timeout_ms < FLUSH_MS ? timeout_ms : FLUSH_MS) < 0 &&
	    errno != EINTR)
		return -errno;
	m = ring_buffer__consume(b->rb);
	if (m < 0)
		return m == -EINTR ? n : m;
	return n + m;
}

static int bpf_live_pids(struct nst_tracer *t)
{
	int fd = bpf_map__fd(skel_of(t)->maps.traced), live = 0, n = 0;
	__u32 keys[1024], *prev = NULL;

	/* collect first: deleting while walking would restart the walk */
	while (n < 1024 && !bpf_map_get_next_key(fd, prev, &keys[n])) {
		prev = &keys[n];
		n++;
	}
	for (int i = 0; i < n; i++) {
		/* an exit before attach leaves a stale entry: drop it here */
		if (kill(keys[i], 0) && errno == ESRCH)
			bpf_map_delete_elem(fd, &keys[i]);
		else
			live++;
	}
	return live;
}

static __u64 bpf_lost(struct nst_tracer *t)
{
	struct nst_bpf *b = t->impl;
	__u64 vals[b->ncpus > 0 ? b->ncpus : 1], sum = 0;
	__u32 zero = 0;

	/* valgrind's bpf() model marks one CPU's value written, not all */
	memset(vals, 0, sizeof(vals));
	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.lost), &zero, vals))
		return 0;
	for (int i = 0; i < b->ncpus; i++)
		sum += vals[i];
	return sum;
}

static void bpf_close(struct nst_tracer *t)
{
	struct nst_bpf *b = t->impl;

	if (!b)
		return;
	if (b->wake_fd >= 0)
		close(b->wake_fd);
	ring_buffer__free(b->rb);
	nstrace_bpf__destroy(b->skel);
	free(b);
	t->impl = NULL;
}

static const struct nst_tracer_ops bpf_ops = {
	.poll = bpf_poll,
	.add_pid = bpf_add_pid,
	.live_pids = bpf_live_pids,
	.lost = bpf_lost,
	.follow_cgroup = bpf_follow_cgroup,
	.follow_ns = bpf_follow_ns,
	.await_cgroup = bpf_await_cgroup,
	.close = bpf_close,
};
