/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the resolver's lookups (containers.c) and its walk (containers_walk.c) share. */
#ifndef NSTRACE_CONTAINERS_INT_H
#define NSTRACE_CONTAINERS_INT_H

#include <pthread.h>
#include "containers.h"
#include "nshash.h"
#include "nstypes.h"

/* One cgroup directory, as the walk found it. */
struct cg_entry {
	__u64 id; /* the directory's inode: the cgroup id of events */
	char *path; /* relative to the hierarchy's root, "/" for the root */
	struct nst_identity ident;
	char pod_name[NST_CTR_NAME_LEN]; /* from the kubelet's pod directories */
	char pod_namespace[64];
};

/*
 * Why a namespace is said to be a container's: the runtime says the
 * container made it, a task in the container's cgroup is in it, or the
 * runtime says the container joined it (--network=container:X). The
 * strongest reason wins when containers share one.
 */
enum ns_rank {
	NS_JOINED,
	NS_MEMBER,
	NS_OWNER,
};

struct ns_entry {
	__u64 ino;
	enum ns_rank rank;
	/* at equal rank the task that started first wins: a joiner comes after the maker */
	unsigned long long start;
	struct nst_identity ident;
};

/* One walk's result; replaced whole, never changed once published. */
struct ctr_table {
	struct cg_entry *cg;
	size_t ncg, cgcap;
	struct nshash cgh;
	struct ns_entry *ns;
	size_t nns, nscap;
	struct nshash nsh;
	size_t ncontainers; /* cgroup directories that name a container */
};

/* A lookup that missed, and the walk it waits for. */
struct ctr_ask {
	__u64 key;
	bool ns; /* a namespace inode, else a cgroup id */
	unsigned long seq; /* walks started when it was asked */
};

#define NST_MAX_ASKS 256

struct nst_containers {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a walk is asked for or done, or stopping */
	pthread_t thread;
	bool started, stopping, want_walk;
	bool rt_new; /* runtimes just set: let them list before the next walk */
	unsigned long walks_started, walks_done;
	long long last_walk_ms;
	struct ctr_table *cur; /* under the lock */
	struct ctr_ask asks[NST_MAX_ASKS];
	size_t nasks;
	struct nshash missed_cg; /* ids a walk did not find: cgroup ids are not reused */
	struct nshash missed_ns; /* forgotten when a walk finds a new container */
	__u32 host_ns[NST_T_COUNT]; /* nstrace's own: never a container's */
	char root[4096];
	char *pods_dir;
	struct nst_runtimes *rt;
	FILE *notes;
	int min_walk_ms;
	bool drop_caps;
	/* the event path's memo (one thread: the one that prints) */
	struct nst_event_ctr *memo;
	__u64 memo_ts;
	__u32 memo_tid;
	bool memo_valid;
};

/* Walk the hierarchy and ask the runtime: a new table (NULL without memory). */
struct ctr_table *ctr_walk(struct nst_containers *c, struct nst_runtimes *rt);
void ctr_table_free(struct ctr_table *t);
const struct cg_entry *ctr_table_cg(const struct ctr_table *t, __u64 id);
const struct ns_entry *ctr_table_ns(const struct ctr_table *t, __u64 ino);
/* Fill the namespace inodes of pid, 0 for those it cannot stat. */
void ctr_task_ns(pid_t pid, __u32 ino[NST_T_COUNT]);
/* One of nstrace's own namespaces, which no container owns. */
bool ctr_is_host_ns(const struct nst_containers *c, __u32 ino);

#endif /* NSTRACE_CONTAINERS_INT_H */
