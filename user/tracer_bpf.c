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
#include <sys/mount.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "tracer_int.h"
#include "nstrace.skel.h"

/* 4 MiB: the kernel maps the data twice, so this is 8 MiB of RSS */
#define DEFAULT_RINGBUF (4U << 20)
#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

struct nst_bpf {
	struct nstrace_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;
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

static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

/* Name what is missing before libbpf fails with a bare EPERM. */
static int check_privileges(char *err, size_t errlen)
{
	if (has_cap(CAP_SYS_ADMIN) || (has_cap(CAP_BPF) && has_cap(CAP_PERFMON)))
		return 0;
	snprintf(err, errlen,
		 "failed to load BPF programs: missing CAP_BPF and CAP_PERFMON "
		 "(run as root, or grant them: setcap cap_bpf,cap_perfmon,cap_sys_resource+ep nstrace)");
	return -EPERM;
}

/* Tracepoint attachment needs tracefs; mount it when nobody has. */
static void ensure_tracefs(void)
{
	if (!access("/sys/kernel/tracing/events", F_OK) ||
	    !access("/sys/kernel/debug/tracing/events", F_OK))
		return;
	mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct nst_tracer *t = ctx;

	if (size < sizeof(struct nst_event))
		return 0;
	return t->fn(t->ctx, data);
}

static bool is_fentry_prog(struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	return !strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6);
}

static bool kernel_has_func(const struct btf *vmlinux, struct bpf_program *prog)
{
	const char *target = strchr(bpf_program__section_name(prog), '/') + 1;

	return vmlinux && btf__find_by_name_kind(vmlinux, target, BTF_KIND_FUNC) > 0;
}

static void note_missing(struct nst_tracer *t, struct bpf_program *prog)
{
	const char *target = strchr(bpf_program__section_name(prog), '/') + 1;
	size_t off = strlen(t->missing);

	/* fentry and fexit of one function: name it once */
	if (strstr(t->missing, target))
		return;
	snprintf(t->missing + off, sizeof(t->missing) - off, "%s%s", off ? " " : "", target);
}

/*
 * Each syscall hook exists as tp_X and fe_X; the fentry tier uses fe_X
 * when the kernel has the function. fentry-only programs (switches, cost,
 * frees) load where their function exists and are reported otherwise.
 */
static void select_programs(struct nst_tracer *t, enum nst_tier tier, const struct btf *vmlinux)
{
	struct bpf_object *obj = skel_of(t)->obj;
	struct bpf_program *prog;

	t->missing[0] = '\0';
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		struct bpf_program *twin;
		char twin_name[64];

		if (tier == NST_TIER_TRACEPOINT) {
			bpf_program__set_autoload(prog, !is_fentry_prog(prog));
			continue;
		}
		if (!is_fentry_prog(prog)) {
			snprintf(twin_name, sizeof(twin_name), "fe_%s", name + 3);
			twin = bpf_object__find_program_by_name(obj, twin_name);
			bpf_program__set_autoload(prog, !twin || !kernel_has_func(vmlinux, twin));
			continue;
		}
		bpf_program__set_autoload(prog, kernel_has_func(vmlinux, prog));
		if (!kernel_has_func(vmlinux, prog))
			note_missing(t, prog);
	}
}

static int set_filters(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err,
		       size_t errlen)
{
	struct nstrace_bpf *s = skel_of(t);
	size_t rb = o->ringbuf_bytes ? o->ringbuf_bytes : DEFAULT_RINGBUF;

	if (rb < 4096 || (rb & (rb - 1))) {
		snprintf(err, errlen,
			 "invalid ring buffer size %zu: use a power of two of at least 4096", rb);
		return -EINVAL;
	}
	bpf_map__set_max_entries(s->maps.events, rb);
	/* batch wakeups: an eighth of the buffer, or every event for a tiny one */
	s->rodata->wakeup_bytes = rb >= (1U << 20) ? rb / 8 : 0;
	s->rodata->event_source = t->tier == NST_TIER_FENTRY ? NST_SRC_FENTRY : NST_SRC_TRACEPOINT;
	s->rodata->filter_tgid = o->npids > 0;
	s->rodata->ns_slots = o->ns_slots;
	s->rodata->failed_only = o->failed_only;
	s->rodata->filter_cgroup = o->cgroup != NULL;
	if (o->comm) {
		if (strlen(o->comm) >= NST_COMM_LEN) {
			snprintf(err, errlen,
				 "invalid --comm '%s': the kernel keeps at most %d characters",
				 o->comm, NST_COMM_LEN - 1);
			return -EINVAL;
		}
		s->rodata->filter_comm = true;
		strncpy((char *)s->rodata->targ_comm, o->comm, NST_COMM_LEN - 1);
	}
	return 0;
}

static int seed_cgroup(struct nst_tracer *t, const char *path, char *err, size_t errlen)
{
	__u32 zero = 0;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "failed to open cgroup '%s': %s (give a cgroup v2 directory, "
			 "such as /sys/fs/cgroup/system.slice)", path, strerror(errno));
		return -errno;
	}
	if (bpf_map_update_elem(bpf_map__fd(skel_of(t)->maps.cgroup_map), &zero, &fd, BPF_ANY)) {
		int e = -errno;

		snprintf(err, errlen, "failed to set cgroup filter '%s': %s (not a cgroup v2 "
			 "directory?)", path, strerror(-e));
		close(fd);
		return e;
	}
	close(fd);
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

static pid_t proc_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	pid_t ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* comm may hold spaces and parentheses: parse after the last ')' */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %d", &ppid);
	fclose(f);
	return ppid;
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

static int seed_pids(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err,
		     size_t errlen)
{
	for (int i = 0; i < o->npids; i++) {
		if (kill(o->pids[i], 0) && errno == ESRCH) {
			snprintf(err, errlen, "failed to trace pid %d: no such process", o->pids[i]);
			return -ESRCH;
		}
		bpf_add_pid(t, o->pids[i]);
	}
	return 0;
}

static int load_and_attach(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err,
			   size_t errlen)
{
	int ret;

	ret = nstrace_bpf__load(skel_of(t));
	if (ret) {
		snprintf(err, errlen, "failed to load BPF programs: %s%s", strerror(-ret),
			 ret == -EPERM ? " (memlock limit or missing CAP_BPF/CAP_PERFMON; see -v)" :
					 " (run with -v for the verifier log)");
		return ret;
	}
	if (o->cgroup && (ret = seed_cgroup(t, o->cgroup, err, errlen)))
		return ret;
	if ((ret = seed_pids(t, o, err, errlen)))
		return ret;
	ensure_tracefs();
	ret = nstrace_bpf__attach(skel_of(t));
	if (ret) {
		snprintf(err, errlen, "failed to attach BPF programs: %s (is tracefs mounted at "
			 "/sys/kernel/tracing? run with -v)", strerror(-ret));
		return ret;
	}
	if (o->npids)
		seed_descendants(t);
	return 0;
}

/* Open, filter, load and attach one tier; on failure the skeleton is gone. */
static int open_tier(struct nst_tracer *t, const struct nst_tracer_opts *o, enum nst_tier tier,
		     char *err, size_t errlen)
{
	struct nst_bpf *b = t->impl;
	struct btf *vmlinux = NULL;
	int ret;

	t->tier = tier;
	b->skel = nstrace_bpf__open();
	if (!b->skel) {
		ret = -errno;
		snprintf(err, errlen, "failed to open BPF object: %s", strerror(errno));
		return ret;
	}
	if (tier == NST_TIER_FENTRY)
		vmlinux = btf__load_vmlinux_btf();
	select_programs(t, tier, vmlinux);
	btf__free(vmlinux);
	ret = set_filters(t, o, err, errlen);
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
static bool fentry_allowed(void)
{
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int id = vmlinux ? btf__find_by_name_kind(vmlinux, "switch_task_namespaces",
						   BTF_KIND_FUNC) : -1;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id > 0 ? id : 0);
	int fd = id > 0 ? bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", prog, 2, &opts) : -1;

	btf__free(vmlinux);
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

	if (o->tier == NST_TIER_AUTO && !fentry_allowed()) {
		if (o->verbose)
			fprintf(stderr, "nstrace: this kernel refuses fentry programs; using "
				"tracepoints\n");
		return open_tier(t, o, NST_TIER_TRACEPOINT, err, errlen);
	}
	if (o->tier != NST_TIER_AUTO) {
		ret = open_tier(t, o, o->tier, err, errlen);
		if (ret && o->tier == NST_TIER_FENTRY)
			snprintf(err + strlen(err), errlen - strlen(err),
				 "; this kernel refuses the fentry tier: use --tier tracepoint or auto");
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

int nst_bpf_open(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err, size_t errlen)
{
	struct nst_bpf *b;
	int ret;

	verbose_libbpf = o->verbose;
	libbpf_set_print(libbpf_print);
	if (access(KERNEL_BTF, R_OK)) {
		snprintf(err, errlen, "failed to find kernel BTF at %s: nstrace needs a kernel "
			 "built with CONFIG_DEBUG_INFO_BTF=y", KERNEL_BTF);
		return -ENOENT;
	}
	if ((ret = check_privileges(err, errlen)))
		return ret;
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "failed to allocate tracer: %s", strerror(errno));
		return -ENOMEM;
	}
	t->impl = b;
	t->ops = &bpf_ops;
	t->backend = NST_BACKEND_BPF;
	b->ncpus = libbpf_num_possible_cpus();
	if ((ret = open_best_tier(t, o, err, errlen)))
		goto fail;
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), handle_event, t, NULL);
	if (!b->rb) {
		ret = -errno;
		snprintf(err, errlen, "failed to create ring buffer: %s", strerror(errno));
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
 * wait is capped at FLUSH_MS: that bounds how stale a quiet stream can be.
 */
#define FLUSH_MS 20

static int bpf_poll(struct nst_tracer *t, int timeout_ms)
{
	struct ring_buffer *rb = ((struct nst_bpf *)t->impl)->rb;
	int n = ring_buffer__consume(rb);

	if (n > 0 || timeout_ms == 0)
		return n == -EINTR ? 0 : n;
	n = ring_buffer__poll(rb, timeout_ms < FLUSH_MS ? timeout_ms : FLUSH_MS);

	return n == -EINTR ? 0 : n;
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
	.close = bpf_close,
};
