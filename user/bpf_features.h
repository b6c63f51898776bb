/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NSTRACE_BPF_FEATURES_H
#define NSTRACE_BPF_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * What this kernel's BPF can do, where the tracer has an older path for a
 * kernel without it (bpf/nstrace.bpf.c, have_*). Each is asked of the
 * kernel: a map created or a program loaded, never a version compared.
 */
struct nst_bpf_features {
	bool task_storage; /* BPF_MAP_TYPE_TASK_STORAGE, 5.11 */
	bool task_btf; /* bpf_get_current_task_btf, 5.11 */
	bool atomic_or; /* BPF atomics besides add (BPF_OR), 5.12 */
	bool ancestor_cgroup; /* bpf_get_current_ancestor_cgroup_id in tracing, 5.16 */
	bool rdonly_cast; /* the bpf_rdonly_cast kfunc, 6.2 */
};

struct nst_kernel_funcs;

/*
 * Fill f for the running kernel (funcs: which kernel functions it has).
 * NSTRACE_BPF_LACK=task_storage,task_btf,atomic_or,ancestor_cgroup,rdonly_cast (any of
 * them) treats those as absent, so that a run on a new kernel covers the
 * older paths too; an unknown name is an error. Returns 0 or -EINVAL with
 * a message in err.
 */
int nst_bpf_features_probe(struct nst_bpf_features *f, struct nst_kernel_funcs *funcs, char *err,
			   size_t errlen);

/*
 * Does this kernel refuse every bpf() command, even on an fd the process
 * holds (map_fd, a hash map), to a process without CAP_BPF, as
 * kernel.unprivileged_bpf_disabled did before 5.19?
 */
bool nst_bpf_fd_ops_need_cap(int map_fd);

#endif
