// SPDX-License-Identifier: GPL-2.0
/*
 * Which kernel functions exist, asked of the BTF the kernel already holds.
 * The collector writes a name into .bss and runs this with
 * BPF_PROG_TEST_RUN; the alternative, parsing all of
 * /sys/kernel/btf/vmlinux in user space, took about 80 ms of the 250 ms
 * nstrace needs to be ready, only to choose its programs (libbpf parses
 * it once more for CO-RE, and cannot be handed a parsed copy).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define NAME_MAX_LEN 128

char name[NAME_MAX_LEN]; /* NUL-terminated */
__u32 name_len; /* strlen(name) + 1 */
__s64 id; /* out: the BTF id of the function, or a negative errno */

SEC("syscall")
int find_func(void *ctx)
{
	__u32 len = name_len;

	if (len < 2 || len > NAME_MAX_LEN) {
		id = -22; /* EINVAL */
		return 0;
	}
	id = bpf_btf_find_by_name_kind(name, len, BTF_KIND_FUNC, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
