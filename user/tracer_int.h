/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Inside the collector core: what a backend implements. tracer.c checks
 * the options, picks a backend, forwards every call and applies what holds
 * for every backend (the filter of namespace frees); tracer_bpf.c and
 * tracer_kmod.c are the two implementations.
 */
#ifndef NSTRACE_TRACER_INT_H
#define NSTRACE_TRACER_INT_H

#include "tracer.h"

struct nst_tracer_ops {
	int (*poll)(struct nst_tracer *t, int timeout_ms);
	int (*add_pid)(struct nst_tracer *t, pid_t pid);
	int (*live_pids)(struct nst_tracer *t);
	__u64 (*lost)(struct nst_tracer *t);
	/* NULL where the backend cannot follow (kmod) */
	int (*follow_cgroup)(struct nst_tracer *t, __u64 cgid, int level);
	int (*follow_ns)(struct nst_tracer *t, __u32 type, __u32 ino);
	int (*await_cgroup)(struct nst_tracer *t, const char *id);
	void (*close)(struct nst_tracer *t); /* frees impl */
};

struct nsreg;

struct nst_tracer {
	const struct nst_tracer_ops *ops;
	void *impl; /* the backend's state */
	nst_event_fn fn;
	void *ctx;
	bool pid_filter;
	int cgroup_fd; /* the --cgroup directory, open while the backend attaches; else -1 */
	struct nsreg *seen; /* with a task filter: namespaces traced tasks were in */
	enum nst_backend backend;
	enum nst_tier tier;
	char missing[512]; /* hook targets this kernel lacks */
	unsigned long long caps_kept; /* what reading the backend needs once attached */
	char describe[64];
};

/*
 * Attach a backend to t (fn, ctx, pid_filter and cgroup_fd are set, and
 * the options checked). On failure returns -errno with a message in err,
 * and leaves t->impl NULL.
 */
int nst_bpf_open(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err, size_t errlen);
int nst_kmod_open(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err, size_t errlen);

/* A backend hands every event it reads to this; non-zero stops its poll. */
int nst_tracer_deliver(struct nst_tracer *t, const struct nst_event *e);

/* The message for a cgroup filter the kernel refused (e: a negative errno). */
void nst_cgroup_refused(const char *path, int e, char *err, size_t errlen);

/* Is the module loaded, or loadable with modprobe? Loads it when it can. */
bool nst_kmod_available(void);
/* Whether the module's device is there now (nothing is loaded). */
bool nst_kmod_loaded(void);

#endif /* NSTRACE_TRACER_INT_H */
