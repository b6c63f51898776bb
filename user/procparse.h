/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Parsers for what /proc hands out: namespace links, status and stat lines,
 * mountinfo and cgroup lines. Pure functions on text, so that a fuzzer can
 * feed them anything; the callers do the reading.
 */
#ifndef NSTRACE_PROCPARSE_H
#define NSTRACE_PROCPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "nstrace_iter.h"

/*
 * A namespace link such as "net:[4026531840]" (readlink of /proc/PID/ns/net
 * or of an nsfs fd): returns 0 and fills the CLONE_NEW* flag of its type
 * and its inode (non-zero, fits 32 bits); -1 for anything else.
 */
int nst_proc_ns_link(const char *link, __u64 *flag, __u32 *ino);

/* One line of /proc/PID/status: fills comm, ppid, euid and kthread when it has them. */
void nst_proc_status_line(const char *line, struct nst_task_rec *r);

/* The parent pid from /proc/PID/stat (comm may hold spaces and ')'), or -1. */
pid_t nst_proc_stat_ppid(const char *stat);

/*
 * One /proc/PID/mountinfo line of an nsfs mount: returns 0 and copies its
 * root ("net:[4026532281]") and its mount point, with the kernel's octal
 * escapes (\040 for a space) undone; -1 for other or malformed lines or
 * when a field does not fit.
 */
int nst_mountinfo_nsfs(const char *line, char *root, size_t rlen, char *mnt, size_t mlen);

/* The path of a /proc/PID/cgroup line of the v2 hierarchy ("0::/path"), or NULL. */
const char *nst_proc_cgroup_v2(const char *line);

/* /proc/PID/cmdline: the NULs between arguments become spaces (len bytes, no trailing NUL). */
void nst_proc_cmdline_join(char *buf, size_t len);

#endif /* NSTRACE_PROCPARSE_H */
