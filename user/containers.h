/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one container resolver the commands share (docs/containers.md): an
 * event's cgroup id to its cgroup path, identity (identity.c) and names
 * (runtime.c, the kubelet's pod directories); a pid to the same; and a
 * namespace inode to the container it belongs to, for setns targets.
 *
 * A thread of its own walks the cgroup v2 hierarchy (at start, and again
 * when a lookup misses, at most once a second) and builds the tables; a
 * lookup only copies out of them under a lock, so the event path never
 * waits for I/O: what the last walk has not seen is "not known yet".
 */
#ifndef NSTRACE_CONTAINERS_H
#define NSTRACE_CONTAINERS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "identity.h"
#include "nstrace.h"
#include "runtime.h"

struct nst_containers_opts {
	/* the cgroup v2 hierarchy; NULL: the cgroup2 mount in /proc/self/mountinfo */
	const char *cgroup_root;
	struct nst_runtimes *runtimes; /* names; NULL: ids only (not owned) */
	const char *pods_dir; /* NULL: as nst_k8s_pod_by_uid() decides */
	FILE *notes; /* one line when there is no cgroup v2 hierarchy (-v); NULL: silent */
	int min_walk_ms; /* the least time between two walks; 0: 1000 */
	/*
	 * The walking thread keeps only CAP_SYS_PTRACE (to read the namespaces
	 * of container tasks in /proc), whatever the command keeps.
	 */
	bool drop_caps;
};

/* What is known of one container: "" for what is not (yet). */
struct nst_ctr_info {
	enum nst_runtime_kind kind; /* from the cgroup path */
	char id[NST_CONTAINER_LEN]; /* 64 hex; nspawn and LXC: the name */
	char name[NST_CTR_NAME_LEN];
	char image[NST_CTR_NAME_LEN];
	char runtime[16]; /* the runtime's own word ("podman"), else the path's */
	char pod_uid[NST_POD_UID_LEN];
	char pod_name[NST_CTR_NAME_LEN];
	char pod_namespace[64];
};

/* Lookup results: a container (or a pod), none (the host), or not known yet. */
enum nst_ctr_state {
	NST_CTR_HOST,
	NST_CTR_FOUND,
	NST_CTR_NOT_YET,
};

struct nst_containers;

/* Start the walking thread; NULL only without memory (errno set). */
struct nst_containers *nst_containers_open(const struct nst_containers_opts *opts);
void nst_containers_close(struct nst_containers *c);

/*
 * Names from rt from now on (NULL: none); for commands that ask the
 * runtimes only once their capabilities are gone. Not owned.
 */
void nst_containers_set_runtimes(struct nst_containers *c, struct nst_runtimes *rt);

/* Wait up to timeout_ms for the first walk; true when it is done. */
bool nst_containers_wait(struct nst_containers *c, int timeout_ms);
/* True when the last walk found a container's cgroup. */
bool nst_containers_any(struct nst_containers *c);
/* How many walks have finished (tests). */
unsigned long nst_containers_walks(struct nst_containers *c);

/* Never blocks; a miss asks for a walk. */
enum nst_ctr_state nst_containers_by_cgroup(struct nst_containers *c, __u64 cgroup_id,
					    struct nst_ctr_info *out);
/* The cgroup path (relative to the hierarchy, "/" for its root); never blocks. */
enum nst_ctr_state nst_containers_cgroup_path(struct nst_containers *c, __u64 cgroup_id, char *path,
					      size_t len);
/* The container whose task is in namespace ino (not the host's); never blocks. */
enum nst_ctr_state nst_containers_by_ns(struct nst_containers *c, __u32 ino,
					struct nst_ctr_info *out);
/* From /proc/PID/cgroup: reads procfs, so not for the event path. */
enum nst_ctr_state nst_containers_by_pid(struct nst_containers *c, pid_t pid,
					 struct nst_ctr_info *out);

/* What the container columns of one event show (event.c reads it). */
struct nst_event_ctr {
	enum nst_ctr_state state; /* of the event's cgroup */
	struct nst_ctr_info ctr;
	enum nst_ctr_state target_state; /* setns: of the namespaces it enters */
	struct nst_ctr_info target;
};

/*
 * The event's container and its setns target's, for struct nst_fmt's
 * ctr_of (ctx: the resolver). Valid until the next call; from one thread.
 */
const struct nst_event_ctr *nst_containers_event(void *ctx, const struct nst_event *e);

/*
 * The short form a column shows: the name, else the first 12 characters of
 * the id. Inline: event.c uses it without linking the resolver (fuzz targets).
 */
static inline const char *nst_ctr_label(const struct nst_ctr_info *i, char *buf, size_t len)
{
	if (i->name[0])
		snprintf(buf, len, "%s", i->name);
	else
		snprintf(buf, len, "%.12s", i->id);
	return buf;
}

/* The POD column: "namespace/name", else the uid; "" outside a pod. */
static inline const char *nst_pod_label(const struct nst_ctr_info *i, char *buf, size_t len)
{
	if (i->pod_name[0] && i->pod_namespace[0])
		snprintf(buf, len, "%s/%s", i->pod_namespace, i->pod_name);
	else
		snprintf(buf, len, "%s", i->pod_uid);
	return buf;
}

#endif /* NSTRACE_CONTAINERS_H */
