/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --ns-of, --container and --pod: what to follow, found before the tracer
 * attaches (container names through the runtimes, ids and pods from cgroup
 * paths), then set in the tracer's follow maps, with --wait's wait for a
 * container that has not started yet in between (docs/containers.md).
 */
#ifndef NSTRACE_FOLLOW_H
#define NSTRACE_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "parse.h"
#include "tracer.h"

struct nst_follow_opts {
	pid_t ns_of[NST_MAX_PIDS]; /* --ns-of */
	int nns_of;
	const char *containers; /* --container NAME|ID[,...], as typed */
	const char *pods; /* --pod NAME|NAMESPACE/NAME|UID[,...] */
	bool wait; /* --wait: for containers and pods that have not started */
};

/* Is anything to be followed? */
bool nst_follow_wanted(const struct nst_follow_opts *o);

struct nst_follow;

/*
 * Resolve every target: 0, or -errno with a message for the user in err
 * (bad input, no such container: exit status 2). ns_slots is --ns: only
 * namespaces of those types are followed (0: every type).
 */
int nst_follow_prepare(const struct nst_follow_opts *o, __u32 ns_slots, bool verbose,
		       struct nst_follow **out, char *err, size_t errlen);

/*
 * Set the targets in t's maps (t opened with opts.follow) and add the
 * tasks already there; with --wait, first wait for each target that has not
 * started (Ctrl-C ends the wait: -EINTR). 0, or -errno with a message.
 */
int nst_follow_attach(struct nst_follow *f, struct nst_tracer *t, char *err, size_t errlen);

void nst_follow_free(struct nst_follow *f);

/*
 * The initial namespaces as the kernel has them, by enum nst_type (0 for a
 * type the kernel lacks): a kernel thread's, which are init_nsproxy's and
 * stay readable where /proc/1/ns is closed even to root. 0, or -errno.
 */
int nst_initial_ns(__u32 *ino_by_type, char *err, size_t errlen);

#endif /* NSTRACE_FOLLOW_H */
