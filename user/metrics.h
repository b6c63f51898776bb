/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The exporter's state: namespace operations, creation latency, live
 * namespaces and their members, rendered in the Prometheus text format.
 */
#ifndef NSTRACE_METRICS_H
#define NSTRACE_METRICS_H

#include <stdio.h>
#include "nsreg.h"
#include "runtime.h"

#define NST_LAT_BUCKETS 14

struct nst_metrics;

/* What a labels function knows of a cgroup. */
enum nst_label_state {
	NST_LABELS_FINAL, /* the labels ("" and "" for the host) */
	NST_LABELS_PROVISIONAL, /* a container's id, its name not known yet */
	NST_LABELS_NOT_YET, /* nothing yet */
};

/*
 * The container and pod labels of a cgroup (serve: from the resolver).
 * Called under the metrics' lock on the event path: it must not block.
 */
typedef enum nst_label_state (*nst_metrics_labels_fn)(void *ctx, __u64 cgroup_id, char *ctr,
						      size_t ctr_len, char *pod, size_t pod_len);

/*
 * max_label_values: the distinct container label values the operation
 * metrics carry; the events of any further container count as other.
 */
struct nst_metrics *nst_metrics_new(int top_n, unsigned int max_label_values);
/* Labels from fn from now on; without one every event is the host's. */
void nst_metrics_set_labels(struct nst_metrics *m, nst_metrics_labels_fn fn, void *ctx);
/*
 * Once in a while (serve: every poll): cgroups whose labels were not known
 * at their first event are asked again; after PENDING_MS (10 s) one with
 * an id and no name is counted by its id, one with nothing as other.
 */
void nst_metrics_tick(struct nst_metrics *m, long long now_ms);
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
