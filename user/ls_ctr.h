/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The containers of `nstrace ls`: those the runtime lists (name, pid, pod
 * labels, namespace modes) and those only a cgroup path tells of (an id),
 * the namespaces of each, and for every namespace of the inventory the
 * containers with a process in it or a hold on it (an open fd, a
 * *_for_children namespace).
 */
#ifndef NSTRACE_LS_CTR_H
#define NSTRACE_LS_CTR_H

#include <stdbool.h>
#include <stddef.h>
#include "inventory.h"
#include "runtime.h"

/* How long ls waits for the runtime's names: they are left out, not waited for */
#define LS_RUNTIME_WAIT_MS 300

struct ls_ctr {
	char id[NST_CONTAINER_LEN]; /* the full id, or an nspawn/LXC name */
	char label[NST_CTR_NAME_LEN]; /* the name, else the id's first 12 characters */
	char runtime[16];
	char pod[NST_CTR_NAME_LEN + 64]; /* "namespace/name", else the uid, else "" */
	pid_t pid; /* State.Pid, else its lowest pid */
	unsigned long long start; /* pid's start time in clock ticks: who came first */
	__u32 ns[NST_T_COUNT]; /* pid's namespaces; 0 where unknown */
	struct nst_container rt; /* what the runtime said; rt.id "" when it did not */
};

struct ls_ctrs {
	struct ls_ctr *c; /* by label */
	size_t n;
	int *of_ident; /* inventory.ids index -> c[] index, or -1 */
	size_t nids; /* of them */
	size_t *first; /* inventory.ns index i: its containers are member[first[i]..first[i+1]) */
	int *member;
	bool named; /* a runtime answered */
};

/*
 * Find the containers of the inventory. rt: a runtime handle to ask (serve
 * keeps one); NULL: open one, wait LS_RUNTIME_WAIT_MS for its names, close
 * it. notes: the runtime's notes (-v), or NULL. 0, or -ENOMEM.
 */
int ls_ctrs_load(struct ls_ctrs *cs, struct inventory *inv, struct nst_runtimes *rt, FILE *notes);
void ls_ctrs_free(struct ls_ctrs *cs);

/* The container of a namespace's PID, or NULL. */
const struct ls_ctr *ls_ctrs_of_ns(const struct ls_ctrs *cs, struct inventory *inv,
				   struct inv_ns *n);
/* The pod of a namespace's PID ("namespace/name", else the uid), or "". */
const char *ls_ctrs_pod_of_ns(const struct ls_ctrs *cs, struct inventory *inv, struct inv_ns *n,
			      char *buf, size_t len);
/* The labels of every container in or holding inv->ns[i], comma-separated. */
void ls_ctrs_members(const struct ls_ctrs *cs, size_t i, char *buf, size_t len);
/* Set sel[i] for every inv->ns[i] that a process of c[ci] is in (holds aside). */
void ls_ctrs_mark(const struct ls_ctrs *cs, struct inventory *inv, int ci, bool *sel);

/*
 * The container a user named: a name, else an id or a prefix of one.
 * Its index, or -1 with "failed to find container 'KEY': REASON" in err.
 */
int ls_ctrs_find(const struct ls_ctrs *cs, const char *key, char *err, size_t errlen);

/*
 * The sharing view's word for c's namespace of type t: "own", "host", the
 * label of the container it shares it with, or "" when it is not known.
 */
const char *ls_ctrs_sharing(const struct ls_ctrs *cs, const struct inventory *inv,
			    const struct ls_ctr *c, enum nst_type t);

/* A process's namespace of type t: the inventory's record, else /proc; 0 if none. */
__u32 ls_task_ns(const struct inventory *inv, pid_t pid, enum nst_type t);

#endif /* NSTRACE_LS_CTR_H */
