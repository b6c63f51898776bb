/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The exporter's state: namespace operations, creation latency, live
 * namespaces and their members, rendered in the Prometheus text format.
 */
#ifndef NSTRACE_METRICS_H
#define NSTRACE_METRICS_H

#include <stdio.h>
#include "nsreg.h"

#define NST_LAT_BUCKETS 14

struct nst_metrics;

struct nst_metrics *nst_metrics_new(int top_n);
void nst_metrics_free(struct nst_metrics *m);
/* Seed the live namespaces and their members from the inventory at start. */
void nst_metrics_seed(struct nst_metrics *m, enum nst_type type, __u32 ino, int members);
void nst_metrics_event(struct nst_metrics *m, const struct nst_event *e);
void nst_metrics_set_lost(struct nst_metrics *m, __u64 lost);
/* Render everything; the caller holds no lock, the metrics take their own. */
void nst_metrics_render(struct nst_metrics *m, FILE *out, const char *version, const char *backend,
			const char *tier);
/* When the namespace was seen created (boot-time ns), or 0 if before we started. */
__u64 nst_metrics_created_ns(struct nst_metrics *m, enum nst_type type, __u32 ino);

#endif /* NSTRACE_METRICS_H */
