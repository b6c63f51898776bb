// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What this kernel's BPF can do (bpf_features.h says what is asked). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_features.h"
#include "kernel_funcs.h"
#include "privs.h"

/*
 * A socket filter that ORs into its stack with a BPF_ATOMIC instruction:
 * 5.12 made BPF_XADD's reserved imm field the operation, and before that
 * the verifier refuses any imm but 0 (add).
 */
static bool probe_atomic_or(void)
{
	struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 0 },
		{ .code = BPF_STX | BPF_MEM | BPF_DW,
		  .dst_reg = BPF_REG_10,
		  .src_reg = BPF_REG_1,
		  .off = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1 },
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW,
		  .dst_reg = BPF_REG_10,
		  .src_reg = BPF_REG_1,
		  .off = -8,
		  .imm = BPF_OR },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", prog,
			       sizeof(prog) / sizeof(prog[0]), NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Asked by a map read with CAP_BPF and CAP_SYS_ADMIN lowered for a moment. */
bool nst_bpf_fd_ops_need_cap(int map_fd)
{
	unsigned long long eff = nst_caps_effective();
	__u64 key;
	bool refused;

	if (nst_caps_set_effective(eff & ~(NST_CAP(CAP_BPF) | NST_CAP(CAP_SYS_ADMIN))))
		return true;
	refused = bpf_map_get_next_key(map_fd, NULL, &key) && errno == EPERM;
	nst_caps_set_effective(eff);
	return refused;
}

/* NSTRACE_BPF_LACK: the features named there are taken as absent. */
static int apply_lack(struct nst_bpf_features *f, const char *list, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
	} names[] = {
		{ "task_storage", offsetof(struct nst_bpf_features, task_storage) },
		{ "task_btf", offsetof(struct nst_bpf_features, task_btf) },
		{ "atomic_or", offsetof(struct nst_bpf_features, atomic_or) },
		{ "ancestor_cgroup", offsetof(struct nst_bpf_features, ancestor_cgroup) },
		{ "rdonly_cast", offsetof(struct nst_bpf_features, rdonly_cast) },
	};
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		size_t i = 0;

		while (i < sizeof(names) / sizeof(names[0]) && strcmp(names[i].name, name))
			i++;
		if (i == sizeof(names) / sizeof(names[0])) {
			snprintf(err, errlen,
				 "failed to parse NSTRACE_BPF_LACK: unknown feature '%s' (known: "
				 "task_storage, task_btf, atomic_or, ancestor_cgroup, rdonly_cast)",
				 name);
			return -EINVAL;
		}
		*(bool *)((char *)f + names[i].off) = false;
	}
	return 0;
}

int nst_bpf_features_probe(struct nst_bpf_features *f, struct nst_kernel_funcs *funcs, char *err,
			   size_t errlen)
{
	const char *lack = getenv("NSTRACE_BPF_LACK");

	f->task_storage = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1;
	/* a tracepoint program: libbpf cannot probe the tracing type itself */
	f->task_btf = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT,
					      BPF_FUNC_get_current_task_btf, NULL) == 1;
	f->atomic_or = probe_atomic_or();
	f->ancestor_cgroup =
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT,
					BPF_FUNC_get_current_ancestor_cgroup_id, NULL) == 1;
	f->rdonly_cast = nst_kernel_has_func(funcs, "bpf_rdonly_cast");
	return lack && *lack ? apply_lack(f, lack, err, errlen) : 0;
}
