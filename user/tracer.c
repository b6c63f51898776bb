// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The collector core's front: checks the options, picks the backend (bpf,
 * else the kernel module) and forwards every call to it. What holds for
 * every backend is here: the option and buffer checks, the cgroup
 * directory, and the filter of namespace frees.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "nsreg.h"
#include "tracer_int.h"

/* a page at least; the BPF map size is 32 bits, and the kernel maps the data twice */
#define MIN_RINGBUF 4096UL
#define MAX_RINGBUF (1UL << 30)
/* the module needs room for two records: one being read, one being written */
_Static_assert(MIN_RINGBUF >= 2 * sizeof(struct nst_event), "a buffer holds two records");

const char *nst_backend_name(enum nst_backend backend)
{
	switch (backend) {
	case NST_BACKEND_BPF:
		return "bpf";
	case NST_BACKEND_KMOD:
		return "kmod";
	default:
		return "auto";
	}
}

const char *nst_tier_name(enum nst_tier tier)
{
	switch (tier) {
	case NST_TIER_TRACEPOINT:
		return "tracepoint";
	case NST_TIER_FENTRY:
		return "fentry";
	case NST_TIER_KPROBE:
		return "kprobe";
	default:
		return "auto";
	}
}

__s64 nst_boot_to_wall_ns(void)
{
	struct timespec wall, boot;

	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (wall.tv_sec - boot.tv_sec) * 1000000000LL + (wall.tv_nsec - boot.tv_nsec);
}

int nst_check_ringbuf(size_t bytes, char *err, size_t errlen)
{
	if (bytes >= MIN_RINGBUF && bytes <= MAX_RINGBUF && !(bytes & (bytes - 1)))
		return 0;
	snprintf(err, errlen,
		 "invalid ring buffer size %zu: use a power of two from 4K to 1G "
		 "(such as 4M; a bigger one loses fewer events under load)",
		 bytes);
	return -1;
}

/* What no backend takes, refused the same way whichever was asked for. */
static int check_opts(const struct nst_tracer_opts *o, char *err, size_t errlen)
{
	if (o->ringbuf_bytes && nst_check_ringbuf(o->ringbuf_bytes, err, errlen))
		return -EINVAL;
	if (o->comm && strlen(o->comm) >= NST_COMM_LEN) {
		snprintf(err, errlen, "invalid --comm '%s': the kernel keeps at most %d characters",
			 o->comm, NST_COMM_LEN - 1);
		return -EINVAL;
	}
	if (o->follow && o->npids) {
		snprintf(err, errlen,
			 "--pid cannot be combined with --ns-of, --container or --pod "
			 "(use one of them)");
		return -EINVAL;
	}
	for (int i = 0; i < o->npids; i++) {
		if (kill(o->pids[i], 0) && errno == ESRCH) {
			snprintf(err, errlen, "failed to trace pid %d: no such process",
				 o->pids[i]);
			return -ESRCH;
		}
	}
	return 0;
}

static int open_cgroup(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		snprintf(err, errlen,
			 "failed to open cgroup '%s': %s (give a cgroup v2 directory, "
			 "such as /sys/fs/cgroup/system.slice)",
			 path, strerror(errno));
	return fd < 0 ? -errno : fd;
}

void nst_cgroup_refused(const char *path, int e, char *err, size_t errlen)
{
	snprintf(err, errlen, "failed to set cgroup filter '%s': %s (not a cgroup v2 directory?)",
		 path, strerror(-e));
}

/* Which backend auto means: $NSTRACE_BACKEND lets a whole test suite pick one. */
static int resolve_backend(const struct nst_tracer_opts *o, enum nst_backend *b, char *err,
			   size_t errlen)
{
	const char *env = getenv("NSTRACE_BACKEND");

	*b = o->backend;
	if (*b == NST_BACKEND_AUTO && env && *env) {
		if (!strcmp(env, "bpf")) {
			*b = NST_BACKEND_BPF;
		} else if (!strcmp(env, "kmod")) {
			*b = NST_BACKEND_KMOD;
		} else if (strcmp(env, "auto")) {
			snprintf(err, errlen,
				 "invalid NSTRACE_BACKEND '%s' (valid: auto, bpf, kmod)", env);
			return -EINVAL;
		}
	}
	if (*b == NST_BACKEND_KMOD && o->follow) {
		snprintf(err, errlen,
			 "failed to set the container filter: --ns-of, --container and --pod "
			 "need the bpf backend");
		return -EINVAL;
	}
	/* a bpf tier asked for by name means the bpf backend */
	if (*b == NST_BACKEND_AUTO && o->tier != NST_TIER_AUTO)
		*b = o->tier == NST_TIER_KPROBE ? NST_BACKEND_KMOD : NST_BACKEND_BPF;
	if ((*b == NST_BACKEND_KMOD && o->tier != NST_TIER_AUTO && o->tier != NST_TIER_KPROBE) ||
	    (*b == NST_BACKEND_BPF && o->tier == NST_TIER_KPROBE)) {
		snprintf(err, errlen,
			 "tier %s does not exist in the %s backend (the bpf backend "
			 "has fentry and tracepoint, kmod has kprobe)",
			 nst_tier_name(o->tier), nst_backend_name(*b));
		return -EINVAL;
	}
	return 0;
}

/*
 * auto: bpf when it loads; otherwise the module, when it is loaded or
 * modprobe can load it. Errors in the user's input are not the backend's
 * fault: check_opts refuses most before any backend is tried, and an
 * ESRCH or EINVAL from the backend ends the search too.
 */
static int open_auto(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err,
		     size_t errlen)
{
	char why[512];
	int ret = nst_bpf_open(t, o, err, errlen);

	/* the module cannot follow containers: its error would hide bpf's */
	if (!ret || ret == -ESRCH || ret == -EINVAL || o->follow || !nst_kmod_available())
		return ret;
	if (o->verbose)
		fprintf(stderr, "nstrace: bpf backend unavailable (%s); trying the kernel module\n",
			err);
	ret = nst_kmod_open(t, o, why, sizeof(why));
	if (ret)
		snprintf(err + strlen(err), errlen - strlen(err), "; kmod backend: %s", why);
	return ret;
}

static int open_backend(struct nst_tracer *t, enum nst_backend backend,
			const struct nst_tracer_opts *o, char *err, size_t errlen)
{
	int ret;

	if (o->cgroup) {
		t->cgroup_fd = open_cgroup(o->cgroup, err, errlen);
		if (t->cgroup_fd < 0)
			return t->cgroup_fd;
	}
	if (backend == NST_BACKEND_BPF)
		ret = nst_bpf_open(t, o, err, errlen);
	else if (backend == NST_BACKEND_KMOD)
		ret = nst_kmod_open(t, o, err, errlen);
	else
		ret = open_auto(t, o, err, errlen);
	/* both backends hold the cgroup themselves once attached */
	if (t->cgroup_fd >= 0)
		close(t->cgroup_fd);
	t->cgroup_fd = -1;
	return ret;
}

/*
 * Namespaces are freed in kernel workers, outside the task filters: with
 * one, only frees of namespaces a traced task was seen in are delivered.
 * The tracepoint tier sees no frees.
 */
static bool frees_need_filter(const struct nst_tracer *t, const struct nst_tracer_opts *o)
{
	return t->tier != NST_TIER_TRACEPOINT && (o->npids || o->comm || o->cgroup || o->follow);
}

static bool free_is_traced(const struct nsreg *seen, const struct nst_event *e)
{
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (e->target[i] && nsreg_lookup(seen, nst_slot_type(i), e->target[i]))
			return true;
	return false;
}

int nst_tracer_deliver(struct nst_tracer *t, const struct nst_event *e)
{
	if (t->seen) {
		if (e->kind == NST_K_NS_FREE && !free_is_traced(t->seen, e))
			return 0;
		nsreg_account(t->seen, e);
	}
	return t->fn(t->ctx, e);
}

struct nst_tracer *nst_tracer_open(const struct nst_tracer_opts *o, nst_event_fn fn, void *ctx,
				   char *err, size_t errlen)
{
	enum nst_backend backend;
	struct nst_tracer *t;
	int ret;

	if ((ret = resolve_backend(o, &backend, err, errlen)) ||
	    (ret = check_opts(o, err, errlen))) {
		errno = -ret;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "failed to allocate tracer: %s", strerror(errno));
		return NULL;
	}
	t->fn = fn;
	t->ctx = ctx;
	t->pid_filter = o->npids > 0;
	t->cgroup_fd = -1;
	ret = open_backend(t, backend, o, err, errlen);
	if (!ret && frees_need_filter(t, o) && !(t->seen = nsreg_new())) {
		ret = -ENOMEM;
		snprintf(err, errlen, "failed to allocate namespace registry: %s",
			 strerror(ENOMEM));
		t->ops->close(t);
	}
	if (ret) {
		free(t);
		errno = -ret;
		return NULL;
	}
	snprintf(t->describe, sizeof(t->describe), "backend %s, tier %s",
		 nst_backend_name(t->backend), nst_tier_name(t->tier));
	return t;
}

static int ignore_event(void *ctx, const struct nst_event *e)
{
	return 0;
}

int nst_tracer_try_tier(enum nst_tier tier, char *why, size_t whylen)
{
	struct nst_tracer_opts o = {
		.backend = tier == NST_TIER_KPROBE ? NST_BACKEND_KMOD : NST_BACKEND_BPF,
		.tier = tier,
	};
	struct nst_tracer *t;

	if (tier == NST_TIER_KPROBE && !nst_kmod_loaded()) {
		snprintf(why, whylen,
			 "the kernel module is not loaded (modprobe nstrace, or insmod "
			 "nstrace.ko from make -C kmod)");
		return -ENOENT;
	}
	t = nst_tracer_open(&o, ignore_event, NULL, why, whylen);
	if (!t)
		return -errno;
	nst_tracer_close(t);
	return 0;
}

int nst_tracer_poll(struct nst_tracer *t, int timeout_ms)
{
	return t->ops->poll(t, timeout_ms);
}

int nst_tracer_add_pid(struct nst_tracer *t, pid_t pid)
{
	return t->ops->add_pid(t, pid);
}

int nst_tracer_follow_cgroup(struct nst_tracer *t, __u64 cgid, int level)
{
	return t->ops->follow_cgroup ? t->ops->follow_cgroup(t, cgid, level) : -EOPNOTSUPP;
}

int nst_tracer_follow_ns(struct nst_tracer *t, __u32 type, __u32 ino)
{
	return t->ops->follow_ns ? t->ops->follow_ns(t, type, ino) : -EOPNOTSUPP;
}

int nst_tracer_await_cgroup(struct nst_tracer *t, const char *id)
{
	return t->ops->await_cgroup ? t->ops->await_cgroup(t, id) : -EOPNOTSUPP;
}

int nst_tracer_live_pids(struct nst_tracer *t)
{
	return t->pid_filter ? t->ops->live_pids(t) : -1;
}

__u64 nst_tracer_lost(struct nst_tracer *t)
{
	return t->ops->lost(t);
}

const char *nst_tracer_missing(const struct nst_tracer *t)
{
	return t->missing;
}

unsigned long long nst_tracer_caps_after_attach(const struct nst_tracer *t)
{
	return t ? t->caps_kept : 0;
}

enum nst_backend nst_tracer_backend(const struct nst_tracer *t)
{
	return t->backend;
}

enum nst_tier nst_tracer_tier(const struct nst_tracer *t)
{
	return t->tier;
}

const char *nst_tracer_describe(const struct nst_tracer *t)
{
	return t->describe;
}

void nst_tracer_close(struct nst_tracer *t)
{
	if (!t)
		return;
	t->ops->close(t);
	nsreg_free(t->seen);
	free(t);
}
