/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Capabilities: what the tracer needs, naming what is missing, and giving
 * up what a command no longer needs once its BPF programs are attached.
 * SECURITY.md lists what each command keeps.
 */
#ifndef NSTRACE_PRIVS_H
#define NSTRACE_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/capability.h>

#define NST_CAP(c) (1ULL << (c))

/* What building the namespace inventory needs (ls, serve's /api/namespaces). */
#define NST_CAPS_INVENTORY                                                     \
	(NST_CAP(CAP_BPF) | NST_CAP(CAP_PERFMON) | NST_CAP(CAP_SYS_RESOURCE) | \
	 NST_CAP(CAP_SYS_PTRACE) | NST_CAP(CAP_DAC_READ_SEARCH))

/* Is RLIMIT_MEMLOCK finite (then kernels without memcg accounting of BPF memory need it raised)? */
bool nst_memlock_limited(void);

/* Is cap in the effective set? */
bool nst_has_cap(int cap);

/*
 * Can this process load and attach the tracer? Returns 0, or -EPERM with a
 * message naming the missing capabilities and how to grant them.
 */
int nst_check_tracer_caps(char *err, size_t errlen);

/*
 * Keep only the capabilities in keep (a mask of NST_CAP bits) in the
 * effective and permitted sets, and none inheritable or ambient: what is
 * dropped cannot come back. Returns 0 or -errno.
 */
int nst_caps_keep(unsigned long long keep);

/* Both the effective and the permitted set, as a mask, for tests and messages. */
unsigned long long nst_caps_effective(void);

/*
 * Make eff (within the permitted set) the effective set: a capability
 * lowered this way can be raised again. Returns 0 or -errno.
 */
int nst_caps_set_effective(unsigned long long eff);

#endif /* NSTRACE_PRIVS_H */
