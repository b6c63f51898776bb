/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The collector core: attaches a backend (the BPF programs, or the nstrace
 * kernel module through /dev/nstrace) with the in-kernel filters, and
 * hands every event to a callback. The trace, record and serve commands,
 * the demo and the tests all use it.
 */
#ifndef NSTRACE_TRACER_H
#define NSTRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "nstrace.h"

enum nst_backend {
	NST_BACKEND_AUTO, /* bpf when it loads, else kmod */
	NST_BACKEND_BPF,
	NST_BACKEND_KMOD,
};

enum nst_tier {
	NST_TIER_AUTO,
	NST_TIER_TRACEPOINT, /* bpf */
	NST_TIER_FENTRY, /* bpf */
	NST_TIER_KPROBE, /* kmod: kprobes, kretprobes and sched tracepoints */
};

struct nst_tracer_opts {
	const pid_t *pids; /* trace these tgids and their descendants */
	int npids;
	const char *comm; /* exact comm, at most 15 chars */
	__u32 ns_slots; /* 1 << enum nst_ns; 0 means all */
	const char *cgroup; /* cgroup v2 path: this cgroup and below */
	bool failed_only;
	/*
	 * --ns-of, --container, --pod: trace what nst_tracer_follow_* name, and
	 * every task that joins it (bpf backend only). Not with pids.
	 */
	bool follow;
	bool verbose; /* libbpf debug output */
	enum nst_backend backend; /* auto: $NSTRACE_BACKEND when set */
	enum nst_tier tier;
	size_t ringbuf_bytes; /* 0: default (4 MiB) */
};

/* 0 when bytes is a ring buffer size the tracer takes, else -1 with a message. */
int nst_check_ringbuf(size_t bytes, char *err, size_t errlen);

/* Called for each event; a non-zero return stops nst_tracer_poll. */
typedef int (*nst_event_fn)(void *ctx, const struct nst_event *e);

struct nst_tracer;

/*
 * Load, set filters and attach. On failure returns NULL with a message
 * ("failed to X: reason", plus what to do) in err, and errno set.
 */
struct nst_tracer *nst_tracer_open(const struct nst_tracer_opts *opts, nst_event_fn fn, void *ctx,
				   char *err, size_t errlen);

/* Deliver pending events; returns events handled, or -errno. */
int nst_tracer_poll(struct nst_tracer *t, int timeout_ms);

/* Add a tgid to the traced set (only with a pid filter). */
int nst_tracer_add_pid(struct nst_tracer *t, pid_t pid);

/*
 * With opts.follow: trace every task in the cgroup v2 directory of id cgid
 * (at level, the root being 0) and below it; and every task in, or
 * entering, the namespace of CLONE_NEW* type and inode ino, with what it
 * forks afterwards. 0, or -errno.
 */
int nst_tracer_follow_cgroup(struct nst_tracer *t, __u64 cgid, int level);
int nst_tracer_follow_ns(struct nst_tracer *t, __u32 type, __u32 ino);

/*
 * With opts.follow: follow the cgroup v2 directory named after container
 * id (64 hex: "<id>" or "<runtime>-<id>.scope") from the moment it is made,
 * in the kernel, before a task can be in it. 0, or -errno.
 */
int nst_tracer_await_cgroup(struct nst_tracer *t, const char *id);

/* How many traced tgids are still alive (pid filter only; -1 otherwise). */
int nst_tracer_live_pids(struct nst_tracer *t);

/* Events the kernel dropped (buffer full, or a probe that could not run). */
__u64 nst_tracer_lost(struct nst_tracer *t);

/* Hook targets the kernel lacks (space-separated; "" when none or tracepoint tier). */
const char *nst_tracer_missing(const struct nst_tracer *t);

/*
 * The capabilities (NST_CAP bits) the tracer still needs once attached, to
 * read its ring buffer and maps: none, but CAP_BPF on kernels before 5.19
 * with kernel.unprivileged_bpf_disabled set.
 */
unsigned long long nst_tracer_caps_after_attach(const struct nst_tracer *t);

/* The backend and tier that were attached. */
enum nst_backend nst_tracer_backend(const struct nst_tracer *t);
enum nst_tier nst_tracer_tier(const struct nst_tracer *t);
const char *nst_backend_name(enum nst_backend backend);
const char *nst_tier_name(enum nst_tier tier);
/* "backend bpf, tier fentry": for header and summary lines. */
const char *nst_tracer_describe(const struct nst_tracer *t);

/*
 * Whether this kernel, with the caller's privileges, attaches the tier:
 * the tracer is opened with it, unfiltered, and closed again. 0, or a
 * negative errno with the reason in why. The kprobe tier is tried only when
 * the module is loaded: asking what is allowed must not load a module.
 */
int nst_tracer_try_tier(enum nst_tier tier, char *why, size_t whylen);

/* Add to the boot-time clock to get CLOCK_REALTIME nanoseconds. */
__s64 nst_boot_to_wall_ns(void);

void nst_tracer_close(struct nst_tracer *t);

#endif /* NSTRACE_TRACER_H */
