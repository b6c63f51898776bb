/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NSTRACE_KERNEL_FUNCS_H
#define NSTRACE_KERNEL_FUNCS_H

#include <stdbool.h>

/*
 * Which kernel functions exist: asked of the running kernel through a tiny
 * BPF syscall program, or, where that cannot load (kernels before 5.14),
 * looked up in /sys/kernel/btf/vmlinux parsed in user space.
 */
struct nst_kernel_funcs;

struct nst_kernel_funcs *nst_kernel_funcs_open(void);
/* The BTF id of function name in the running kernel, or <= 0 if it has none. */
long long nst_kernel_func_id(struct nst_kernel_funcs *k, const char *name);
bool nst_kernel_has_func(struct nst_kernel_funcs *k, const char *name);
/* Whether the kernel answers (else the parsed BTF file does). */
bool nst_kernel_funcs_asks_kernel(const struct nst_kernel_funcs *k);
void nst_kernel_funcs_close(struct nst_kernel_funcs *k);

#endif
