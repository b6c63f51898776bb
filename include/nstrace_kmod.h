/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel-module backend's device ABI, shared by kmod/ and user/.
 *
 * /dev/nstrace serves one reader at a time (a second open fails with
 * EBUSY). The reader configures the session, optionally adds pids, starts
 * it, then read()s whole struct nst_event records (include/nstrace.h).
 * Closing the device ends the session and detaches every probe.
 */
#ifndef NSTRACE_KMOD_H
#define NSTRACE_KMOD_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include "nstrace.h"

#define NST_KMOD_NAME "nstrace"
#define NST_KMOD_DEVICE "/dev/nstrace"

/* struct nst_kmod_config.flags */
#define NST_KF_FAILED_ONLY (1U << 0) /* only calls that returned an error */
#define NST_KF_COMM (1U << 1) /* only tasks whose comm is .comm */
#define NST_KF_PIDS (1U << 2) /* only tgids added with NST_IOC_ADD_PID, and descendants */
#define NST_KF_CGROUP (1U << 3) /* only tasks in the cgroup v2 .cgroup_fd and below */
#define NST_KF_ALL (NST_KF_FAILED_ONLY | NST_KF_COMM | NST_KF_PIDS | NST_KF_CGROUP)

struct nst_kmod_config {
	__u32 abi_version; /* NST_ABI_VERSION the reader decodes; others get EPROTO */
	__u32 flags; /* NST_KF_* */
	__u32 ns_slots; /* 1 << enum nst_ns; 0 means every type */
	__s32 cgroup_fd; /* an open cgroup v2 directory, with NST_KF_CGROUP */
	__u32 buffer_events; /* buffer capacity in records; 0: the module's default */
	__u32 reserved; /* must be 0 */
	char comm[NST_COMM_LEN]; /* with NST_KF_COMM, NUL-terminated */
};

struct nst_kmod_stats {
	__u64 queued; /* records that entered the buffer */
	__u64 dropped; /* records that found the buffer full */
	__u64 read; /* records copied to the reader */
	__u64 missed; /* probe hits the kernel skipped (see docs/kmod.md) */
	__u32 traced_pids; /* tgids in the pid filter's set */
	__u32 buffer_events; /* the buffer's capacity in records */
};

struct nst_kmod_info {
	__u32 abi_version; /* NST_ABI_VERSION of the module */
	__u32 record_size; /* sizeof(struct nst_event) */
	char missing[512]; /* probe targets this kernel lacks, space-separated */
};

#define NST_IOC_MAGIC 0xB8
/* Set the filters and buffer size and attach the probes: once per open. */
#define NST_IOC_CONFIGURE _IOW(NST_IOC_MAGIC, 0x40, struct nst_kmod_config)
/* Trace a tgid and every descendant alive now or forked later (NST_KF_PIDS). */
#define NST_IOC_ADD_PID _IOW(NST_IOC_MAGIC, 0x41, __u32)
/* Start queueing records; before this the probes only follow forks. */
#define NST_IOC_START _IO(NST_IOC_MAGIC, 0x42)
#define NST_IOC_STATS _IOR(NST_IOC_MAGIC, 0x43, struct nst_kmod_stats)
#define NST_IOC_INFO _IOR(NST_IOC_MAGIC, 0x44, struct nst_kmod_info)

#endif /* NSTRACE_KMOD_H */
