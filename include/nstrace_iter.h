/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Records of the inventory iterators (bpf/nsiter.bpf.c), shared with user/ls.c. */
#ifndef NSTRACE_ITER_H
#define NSTRACE_ITER_H

#include "nstrace.h"

/* One process (thread-group leader), from iter/task. */
struct nst_task_rec {
	__u32 pid;
	__u32 ppid;
	__u32 euid;
	__u32 kthread;
	__u64 cgroup_id;
	__u32 ns[NST_NS_COUNT];
	/*
	 * What NS_GET_USERNS answers for each ns[] slot (0 for the initial user
	 * namespace), and NS_GET_PARENT for the pid and user namespaces: read
	 * here so that ls needs no fd per namespace.
	 */
	__u32 owner[NST_NS_COUNT];
	__u32 pid_parent;
	__u32 user_parent;
	char comm[NST_COMM_LEN];
};

/*
 * One open nsfs fd, from iter/task_file: a namespace held by a file. The
 * iterator fills pid and fd; ino and type come from /proc/PID/fd/FD.
 */
struct nst_fd_rec {
	__u32 pid;
	__u32 fd;
	__u32 ino;
	__u32 type; /* CLONE_NEW* */
};

#endif /* NSTRACE_ITER_H */
