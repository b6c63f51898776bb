// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Which kernel functions this kernel has (kernel_funcs.h says how it finds out). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel_funcs.h"
#include "kernel_funcs.skel.h"

struct nst_kernel_funcs {
	struct kernel_funcs_bpf *skel; /* the kernel answers */
	struct btf *vmlinux; /* or its BTF, parsed here */
};

struct nst_kernel_funcs *nst_kernel_funcs_open(void)
{
	struct nst_kernel_funcs *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->skel = kernel_funcs_bpf__open_and_load();
	if (!k->skel)
		k->vmlinux = btf__load_vmlinux_btf();
	if (!k->skel && !k->vmlinux) {
		free(k);
		return NULL;
	}
	return k;
}

static long long ask_kernel(struct kernel_funcs_bpf *skel, const char *name)
{
	size_t len = strlen(name) + 1;
	LIBBPF_OPTS(bpf_test_run_opts, run);

	if (len > sizeof(skel->bss->name))
		return -ENAMETOOLONG;
	memcpy(skel->bss->name, name, len);
	skel->bss->name_len = len;
	skel->bss->id = -ENOENT;
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.find_func), &run))
		return -errno;
	if (skel->bss->id <= 0)
		return skel->bss->id;
	/* a module's function comes with an fd of the module's BTF in the upper half */
	if (skel->bss->id >> 32)
		close((int)(skel->bss->id >> 32));
	return skel->bss->id & 0xffffffffLL;
}

long long nst_kernel_func_id(struct nst_kernel_funcs *k, const char *name)
{
	if (!k)
		return -EINVAL;
	if (k->skel)
		return ask_kernel(k->skel, name);
	return btf__find_by_name_kind(k->vmlinux, name, BTF_KIND_FUNC);
}

bool nst_kernel_has_func(struct nst_kernel_funcs *k, const char *name)
{
	return nst_kernel_func_id(k, name) > 0;
}

bool nst_kernel_funcs_asks_kernel(const struct nst_kernel_funcs *k)
{
	return k && k->skel;
}

void nst_kernel_funcs_close(struct nst_kernel_funcs *k)
{
	if (!k)
		return;
	kernel_funcs_bpf__destroy(k->skel);
	btf__free(k->vmlinux);
	free(k);
}
