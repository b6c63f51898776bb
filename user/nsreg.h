/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The namespace registry: what the collector knows about each namespace,
 * and the per-type counts that the summary prints.
 *
 * The kernel reuses a namespace's inode number once it is freed, so a
 * namespace is keyed by (type, inode, generation): a creation event for an
 * inode already known starts a new generation with its own first-seen time.
 */
#ifndef NSTRACE_NSREG_H
#define NSTRACE_NSREG_H

#include <stdio.h>
#include "nstypes.h"

struct nsreg_ns {
	enum nst_type type;
	__u32 ino;
	__u32 gen; /* 0 for the first namespace seen with this inode */
	__u64 first_seen_ns; /* CLOCK_BOOTTIME */
	__u32 creator_pid; /* 0 when the creation was not seen */
	__u32 kind; /* enum nst_kind of the creating call */
	void *priv; /* for the registry's user (report's lifecycles) */
};

struct nsreg_stats {
	__u64 events[NST_K_MAX];
	__u64 created[NST_T_COUNT];
	__u64 joined[NST_T_COUNT];
	__u64 left[NST_T_COUNT];
	__u64 reused[NST_T_COUNT]; /* creations that reused a known inode */
	__u64 failed;
};

struct nsreg;

struct nsreg *nsreg_new(void);
void nsreg_free(struct nsreg *r);
/* Count one event and record the namespaces it created. */
void nsreg_account(struct nsreg *r, const struct nst_event *e);
/* The newest generation of (type, ino), or NULL; valid until the next nsreg_account. */
const struct nsreg_ns *nsreg_lookup(const struct nsreg *r, enum nst_type type, __u32 ino);
/* Call fn for every namespace, every generation, in the order reports list them. */
void nsreg_for_each(struct nsreg *r, void (*fn)(void *ctx, struct nsreg_ns *ns), void *ctx);
const struct nsreg_stats *nsreg_stats(const struct nsreg *r);
/* The human summary: events by kind, namespaces created/joined/left by type. */
void nsreg_print_summary(const struct nsreg *r, FILE *out, __u64 lost, const char *backend,
			 const char *tier);

#endif /* NSTRACE_NSREG_H */
