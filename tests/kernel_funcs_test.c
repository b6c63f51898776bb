// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Which kernel functions exist: the kernel's answer (a BPF syscall program
 * over the BTF it holds, user/kernel_funcs.c) must be the one libbpf finds by
 * parsing /sys/kernel/btf/vmlinux, id for id, for present and absent names.
 * Before 5.14 (no syscall programs) the lookup must fall back to parsing.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kselftest_harness.h"
#include "nst_test.h"
#include "kernel_funcs.h"

/*
 * Can the kernel answer? tests/vm/kernels.conf says so per kernel
 * (NST_EXPECT_BPF_KERNEL_FUNCS: kernel or btf); elsewhere libbpf's probe.
 */
static bool kernel_has_syscall_progs(void)
{
	const char *want = getenv("NST_EXPECT_BPF_KERNEL_FUNCS");

	if (want && *want)
		return !strcmp(want, "kernel");
	return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SYSCALL, NULL) == 1;
}

FIXTURE(kernel_funcs)
{
	struct nst_kernel_funcs *k;
	struct btf *vmlinux;
};

FIXTURE_SETUP(kernel_funcs)
{
	self->k = NULL;
	self->vmlinux = NULL;
	NST_REQUIRE_ROOT(_metadata);
	self->vmlinux = btf__load_vmlinux_btf();
	ASSERT_NE(NULL, self->vmlinux) TH_LOG("failed to parse the kernel's BTF");
	self->k = nst_kernel_funcs_open();
	ASSERT_NE(NULL, self->k) TH_LOG("failed to open the kernel function lookup");
	/* 5.14 and later have syscall programs: there the file must not be what answers */
	if (kernel_has_syscall_progs()) {
		ASSERT_TRUE(nst_kernel_funcs_asks_kernel(self->k))
		TH_LOG("the BPF syscall program did not load; the lookup fell back to parsing");
	} else {
		ASSERT_FALSE(nst_kernel_funcs_asks_kernel(self->k))
		TH_LOG("a kernel without BPF syscall programs answered");
	}
}

FIXTURE_TEARDOWN(kernel_funcs)
{
	nst_kernel_funcs_close(self->k);
	btf__free(self->vmlinux);
}

static const char *const names[] = {
	"switch_task_namespaces",
	"copy_namespaces",
	"create_new_namespaces",
	"copy_net_ns",
	"commit_creds",
	"free_nsproxy",
	"__x64_sys_setns",
	"shm_exit_ns",
	"net_passive_dec",
	"nstrace_no_such_function",
	"task_struct",
	"x",
};

TEST_F(kernel_funcs, same_ids_as_the_parsed_btf)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int want = btf__find_by_name_kind(self->vmlinux, names[i], BTF_KIND_FUNC);
		long long got = nst_kernel_func_id(self->k, names[i]);

		if (want > 0) {
			EXPECT_EQ(want, got)
			TH_LOG("%s: the kernel said %lld, the BTF file %d", names[i], got, want);
		} else {
			EXPECT_GE(0, got)
			TH_LOG("%s is no function here, but the kernel said %lld", names[i], got);
		}
		EXPECT_EQ(want > 0, nst_kernel_has_func(self->k, names[i])) TH_LOG("%s", names[i]);
	}
}

TEST_F(kernel_funcs, a_name_too_long_is_absent)
{
	char name[300];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	EXPECT_GE(0, nst_kernel_func_id(self->k, name));
	EXPECT_FALSE(nst_kernel_has_func(self->k, name));
}

TEST_HARNESS_MAIN
