/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Building the namespace inventory: BPF iterators, or /proc as a fallback. */
#ifndef NSTRACE_INVENTORY_COLLECT_H
#define NSTRACE_INVENTORY_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "nsreg.h"

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

/* Command lines by pid, read once however many namespaces share a PID. */
struct inv_cmd {
	__u32 pid;
	char *cmd;
};

struct inventory {
	struct inv_ns *ns;
	size_t n, cap;
	int *index; /* open addressing over ns[], by (type, ino) */
	size_t index_cap;
	size_t last[NST_T_COUNT]; /* the entry each type last hit, while collecting */
	struct inv_cmd *cmds;
	size_t cmds_cap;
	bool via_bpf;
};

/* Collect every namespace; force_proc skips the BPF iterators. */
int inv_collect(struct inventory *inv, bool force_proc, bool verbose, char *err, size_t errlen);
void inv_free(struct inventory *inv);
/*
 * The command line of the namespace's PID, or its name for kernel threads;
 * "" without a PID. Valid until inv_free.
 */
const char *inv_command(struct inventory *inv, const struct inv_ns *n);

#endif /* NSTRACE_INVENTORY_COLLECT_H */
