/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the nstrace module's files. */
#ifndef NST_KMOD_INTERNAL_H
#define NST_KMOD_INTERNAL_H

#include <linux/sched.h>
#include <linux/types.h>
#include "nstrace_kmod.h"

struct nsproxy;

/*
 * The session's filters: written by the ioctls before the probes are
 * attached (or, for the pid set, under its own lock), read by the probes.
 */
struct nst_filter {
	u32 flags;		/* NST_KF_* */
	u32 ns_slots;
	char comm[NST_COMM_LEN];
	struct cgroup *cgrp;
};

extern struct nst_filter nst_filter;

/* filter.c */
bool nst_current_wanted(void);
bool nst_slots_wanted(const struct nst_event *e);
bool nst_pid_traced(u32 tgid);
int nst_pid_add(u32 tgid);
void nst_pid_del(u32 tgid);
int nst_pid_add_tree(u32 tgid);
u32 nst_pid_count(void);
void nst_pid_clear(void);

/* nsinfo.c: what the BPF programs read with CO-RE, read directly */
void nst_task_ns_inos(struct task_struct *t, u32 *ino);
void nst_nsproxy_inos(struct nsproxy *nsp, u32 *ino);
void nst_setns_target(int fd, u64 nstype, struct nst_event *e);
void nst_fill_task(struct nst_event *e, struct task_struct *t);
u32 nst_mnt_ns_inum(void *mnt_ns);
int nst_check_layout(void);

/* dev.c */
void nst_emit(const struct nst_event *e);
bool nst_started(void);

/* probes.c */
int nst_probes_attach(void);
void nst_probes_detach(void);
u64 nst_probes_missed(void);
const char *nst_probes_missing(void);

#endif /* NST_KMOD_INTERNAL_H */
