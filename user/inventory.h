/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The namespace inventory behind `nstrace ls` and serve's /api/namespaces:
 * every namespace on the machine, with its processes and holders. The
 * table is inventory.c's; its records come from the BPF iterators
 * (inventory_iter.c) or, failing those, from /proc (inventory_proc.c).
 */
#ifndef NSTRACE_INVENTORY_H
#define NSTRACE_INVENTORY_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <linux/types.h>
#include "identity.h"
#include "nshash.h"
#include "nstypes.h"

/* inv_ns.ident and inv_task.ident before inv_identity() has read the cgroup */
#define INV_IDENT_UNREAD (-2)
#define INV_IDENT_NONE (-1)

struct inv_ns {
	enum nst_type type;
	__u32 ino;
	int nprocs;
	__u32 pid; /* the lowest pid in it, as lsns shows; 0 if none */
	__u32 ppid;
	__u32 uid;
	bool kthread;
	char comm[16];
	char holders[160]; /* "mount:/run/netns/x fd:1234/5" for process-less holds */
	__u32 parent; /* NS_GET_PARENT (pid, user), else 0 */
	__u32 owner; /* NS_GET_USERNS: the owning user namespace */
	int ident; /* the PID's container: an index in inventory.ids, or INV_IDENT_* */
	int open_fds; /* nsfs fds that hold it */
	__s64 created_wall_ns; /* when a recording saw it created; 0: unknown */
	__u64 cgroup_id; /* the PID's cgroup (BPF only; 0: unknown) */
	__u32 fc_pid; /* a process whose pid/time_for_children it is */
	bool related; /* parent and owner are filled (from the iterator) */
};

/* One process, as a collector saw it: ls --containers and CONTAINERS need each one. */
struct inv_task {
	__u32 pid;
	int ident; /* as inv_ns.ident */
	__u64 cgroup_id;
	__u32 ns[NST_NS_COUNT]; /* by enum nst_ns, *_for_children included */
};

/* An open nsfs fd: a process's hold on a namespace it may not be in. */
struct inv_fd {
	__u32 pid;
	enum nst_type type;
	__u32 ino;
};

struct inventory {
	struct inv_ns *ns; /* by inode once collected, as lsns lists them */
	size_t n, cap;
	struct nshash index; /* (type, ino) -> its entry in ns[] */
	size_t last[NST_T_COUNT]; /* the entry each type last hit, while collecting */
	char **cmds; /* command lines, read once however many namespaces share a PID */
	size_t ncmds, cmds_cap;
	struct nshash cmd_index; /* pid -> its entry in cmds[] */
	struct inv_task *tasks; /* by pid once collected */
	size_t ntasks, tasks_cap;
	struct inv_fd *fds;
	size_t nfds, fds_cap;
	struct nst_identity *ids; /* distinct containers and pods, read from cgroups */
	size_t nids, ids_cap;
	struct nshash ident_index; /* cgroup id, or pid << 32 -> ids[] index */
	__u32 host[NST_T_COUNT]; /* the initial namespaces; 0 where not known */
	__u32 host_kthread; /* the kernel thread they were read from; 0 if none */
	bool via_bpf;
};

/* Collect every namespace; force_proc skips the BPF iterators. */
int inv_collect(struct inventory *inv, bool force_proc, bool verbose, char *err, size_t errlen);
void inv_free(struct inventory *inv);
/* The entry of (type, ino), or NULL. */
const struct inv_ns *inv_lookup(const struct inventory *inv, enum nst_type type, __u32 ino);
/*
 * The command line of the namespace's PID, or its name for kernel threads;
 * "" without a PID. Valid until inv_free.
 */
const char *inv_command(struct inventory *inv, const struct inv_ns *n);
/* The task of pid, or NULL. */
const struct inv_task *inv_task_of(const struct inventory *inv, __u32 pid);

/*
 * The container and pod of the namespace's PID, or of a task, as an index
 * in inv->ids (INV_IDENT_NONE outside any container and pod): read from
 * /proc/PID/cgroup on first use, once per cgroup (inventory_ident.c).
 */
int inv_ns_ident(struct inventory *inv, struct inv_ns *n);
int inv_task_ident(struct inventory *inv, struct inv_task *t);
/* Fill inv->host: called by inv_collect. */
void inv_find_host(struct inventory *inv);

/*
 * Where CREATED comes from: the wall-clock ns when the namespace was seen
 * created, or 0 when that is not known.
 */
struct inv_created_src {
	__s64 (*created_wall_ns)(void *ctx, enum nst_type type, __u32 ino);
	void *ctx;
};

struct nst_runtimes;

/*
 * Write the inventory as one JSON document, typed like `lsns -J`
 * ({"namespaces": [...]}) with nstrace's extra columns (ls.c); container
 * names from rt as far as it knows them (NULL: no names, ids only).
 * Returns 0, or -errno with "failed to X: reason" in err.
 */
int nst_inventory_write_json(FILE *out, const struct inv_created_src *created,
			     struct nst_runtimes *rt, char *err, size_t errlen);

#endif /* NSTRACE_INVENTORY_H */
