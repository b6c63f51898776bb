/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NSTRACE_KFUNCS_H
#define NSTRACE_KFUNCS_H

#include <stdbool.h>

/*
 * Which kernel functions exist: asked of the running kernel through a tiny
 * BPF syscall program, or, where that cannot load (kernels before 5.14),
 * looked up in /sys/kernel/btf/vmlinux parsed in user space.
 */
struct nst_kfuncs;

struct nst_kfuncs *nst_kfuncs_open(void);
/* The BTF id of function name in the running kernel, or <= 0 if it has none. */
long long nst_kfuncs_id(struct nst_kfuncs *k, const char *name);
bool nst_kfuncs_has(struct nst_kfuncs *k, const char *name);
/* Whether the kernel answers (else the parsed BTF file does). */
bool nst_kfuncs_asks_kernel(const struct nst_kfuncs *k);
void nst_kfuncs_close(struct nst_kfuncs *k);

#endif
