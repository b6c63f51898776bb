/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Between the inventory table (inventory.c) and its two collectors: each
 * collector hands the table one record per process and one per open fd
 * that may be on a namespace, and the table does the rest.
 */
#ifndef NSTRACE_INVENTORY_INT_H
#define NSTRACE_INVENTORY_INT_H

#include "inventory.h"
#include "nstrace_iter.h"

/* A process and its namespaces; related: its record has each one's owner and parent. */
void inv_add_task(struct inventory *inv, const struct nst_task_rec *r, bool related);
/* An open fd of pid: counted when /proc/PID/fd/FD is a namespace. */
void inv_add_fd(struct inventory *inv, __u32 pid, __u32 fd);

/* The BPF iterators; 0, or -errno with the reason in err. */
int inv_collect_iter(struct inventory *inv, char *err, size_t errlen);
/* A walk of /proc; 0 or -errno. */
int inv_collect_proc(struct inventory *inv);

#endif /* NSTRACE_INVENTORY_INT_H */
