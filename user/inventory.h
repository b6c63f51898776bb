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
#include "nshash.h"
#include "nstypes.h"

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
	char container[80];
	char pod[64];
	int open_fds; /* nsfs fds that hold it */
	__s64 created_wall_ns; /* when a recording saw it created; 0: unknown */
	__u64 cgroup_id; /* the PID's cgroup (BPF only; 0: unknown) */
	__u32 fc_pid; /* a process whose pid/time_for_children it is */
	bool related; /* parent and owner are filled (from the iterator) */
};

struct inventory {
	struct inv_ns *ns; /* by inode once collected, as lsns lists them */
	size_t n, cap;
	struct nshash index; /* (type, ino) -> its entry in ns[] */
	size_t last[NST_T_COUNT]; /* the entry each type last hit, while collecting */
	char **cmds; /* command lines, read once however many namespaces share a PID */
	size_t ncmds, cmds_cap;
	struct nshash cmd_index; /* pid -> its entry in cmds[] */
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

/*
 * Where CREATED comes from: the wall-clock ns when the namespace was seen
 * created, or 0 when that is not known.
 */
struct inv_created_src {
	__s64 (*created_wall_ns)(void *ctx, enum nst_type type, __u32 ino);
	void *ctx;
};

/*
 * Write the inventory as one JSON document, typed like `lsns -J`
 * ({"namespaces": [...]}) with nstrace's extra columns (ls.c). Returns 0,
 * or -errno with "failed to X: reason" in err.
 */
int nst_inventory_write_json(FILE *out, const struct inv_created_src *created, char *err,
			     size_t errlen);

#endif /* NSTRACE_INVENTORY_H */
