// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The collector core's front: picks the backend (bpf, else the kernel
 * module) and forwards every call to it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tracer_int.h"

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
 * modprobe can load it. Errors in the user's input (a pid that does not
 * exist, a bad size) are not the backend's fault: they end the search.
 */
static int open_auto(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err,
		     size_t errlen)
{
	char why[512];
	int ret = nst_bpf_open(t, o, err, errlen);

	if (!ret || ret == -ESRCH || ret == -EINVAL || !nst_kmod_available())
		return ret;
	if (o->verbose)
		fprintf(stderr, "nstrace: bpf backend unavailable (%s); trying the kernel module\n",
			err);
	ret = nst_kmod_open(t, o, why, sizeof(why));
	if (ret)
		snprintf(err + strlen(err), errlen - strlen(err), "; kmod backend: %s", why);
	return ret;
}

struct nst_tracer *nst_tracer_open(const struct nst_tracer_opts *o, nst_event_fn fn, void *ctx,
				   char *err, size_t errlen)
{
	enum nst_backend backend;
	struct nst_tracer *t;
	int ret;

	if ((ret = resolve_backend(o, &backend, err, errlen))) {
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
	if (backend == NST_BACKEND_BPF)
		ret = nst_bpf_open(t, o, err, errlen);
	else if (backend == NST_BACKEND_KMOD)
		ret = nst_kmod_open(t, o, err, errlen);
	else
		ret = open_auto(t, o, err, errlen);
	if (ret) {
		free(t);
		errno = -ret;
		return NULL;
	}
	snprintf(t->describe, sizeof(t->describe), "backend %s, tier %s",
		 nst_backend_name(t->backend), nst_tier_name(t->tier));
	return t;
}

int nst_tracer_poll(struct nst_tracer *t, int timeout_ms)
{
	return t->ops->poll(t, timeout_ms);
}

int nst_tracer_add_pid(struct nst_tracer *t, pid_t pid)
{
	return t->ops->add_pid(t, pid);
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
	free(t);
}
