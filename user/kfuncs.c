// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kfuncs.h"
#include "kfuncs.skel.h"

struct nst_kfuncs {
	struct kfuncs_bpf *skel; /* the kernel answers */
	struct btf *vmlinux; /* or its BTF, parsed here */
};

struct nst_kfuncs *nst_kfuncs_open(void)
{
	struct nst_kfuncs *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->skel = kfuncs_bpf__open_and_load();
	if (!k->skel)
		k->vmlinux = btf__load_vmlinux_btf();
	if (!k->skel && !k->vmlinux) {
		free(k);
		return NULL;
	}
	return k;
}

static long long ask_kernel(struct kfuncs_bpf *skel, const char *name)
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

long long nst_kfuncs_id(struct nst_kfuncs *k, const char *name)
{
	if (!k)
		return -EINVAL;
	if (k->skel)
		return ask_kernel(k->skel, name);
	return btf__find_by_name_kind(k->vmlinux, name, BTF_KIND_FUNC);
}

bool nst_kfuncs_has(struct nst_kfuncs *k, const char *name)
{
	return nst_kfuncs_id(k, name) > 0;
}

bool nst_kfuncs_asks_kernel(const struct nst_kfuncs *k)
{
	return k && k->skel;
}

void nst_kfuncs_close(struct nst_kfuncs *k)
{
	if (!k)
		return;
	kfuncs_bpf__destroy(k->skel);
	btf__free(k->vmlinux);
	free(k);
}
