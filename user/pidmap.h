/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Pids numbered 0, 1, 2, ... in order of first appearance: the report's
 * per-process timelines and tracks index their arrays with it.
 */
#ifndef NSTRACE_PIDMAP_H
#define NSTRACE_PIDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "nshash.h"

struct pidmap {
	struct nshash h;
};

/* Room for expect pids; 0, or -1 without memory. */
int pidmap_init(struct pidmap *m, size_t expect);
/* The index of pid, adding it when new (*added says which); -1 without memory. */
ssize_t pidmap_get(struct pidmap *m, __u32 pid, bool *added);
/* How many pids it holds. */
size_t pidmap_count(const struct pidmap *m);
void pidmap_free(struct pidmap *m);

#endif /* NSTRACE_PIDMAP_H */
