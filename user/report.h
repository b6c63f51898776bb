/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* nstrace report: a loaded recording and the renderers that read it. */
#ifndef NSTRACE_REPORT_H
#define NSTRACE_REPORT_H

#include <stdio.h>
#include "event.h"
#include "nshash.h"
#include "recfile.h"

struct lost_mark {
	__u64 ts_ns;
	__u64 total;
};

struct recording {
	struct nst_rec_meta meta;
	struct nst_fmt fmt;
	struct nst_event *ev;
	size_t n, cap;
	struct lost_mark *lost;
	size_t nlost, lost_cap;
	struct nst_rec_status st;
	struct rec_idents *ids; /* its containers */
};

/* The containers a recording names (report_ctr.c). */
struct rec_idents {
	__u32 version; /* of the file: before 4, no containers are recorded */
	struct nshash cgroups, nss; /* key -> index in v */
	struct nst_id_entry *v;
	size_t n, cap;
	bool containers; /* at least one entry names a container */
	bool failed;
	struct nst_event_ctr memo; /* the last event's answer */
	__u64 memo_ts;
	__u32 memo_tid;
	bool memo_valid;
};

/* Read the identity blocks of path (a pass of their own). */
int rec_idents_load(struct rec_idents *ids, const char *path, char *err, size_t errlen);
void rec_idents_free(struct rec_idents *ids);
/* The last entry for the cgroup, or NULL (not recorded). */
const struct nst_id_entry *rec_idents_cgroup(const struct rec_idents *ids, __u64 cgroup_id);
/* For struct nst_fmt's ctr_of, ctx the table. */
const struct nst_event_ctr *rec_idents_event(void *ctx, const struct nst_event *e);
/* Point f's container columns at the table (format 4 files). */
void rec_idents_fmt(struct rec_idents *ids, struct nst_fmt *f);

/* What a report groups events by. */
enum rec_group_by {
	REC_BY_NONE,
	REC_BY_CONTAINER,
	REC_BY_POD,
};

/* The events of one container (or pod, or the host's, or of cgroups nobody named). */
struct rec_group {
	char key[NST_CONTAINER_LEN + 2];
	bool resolved; /* false: cgroups without an identity entry */
	struct nst_ctr_info info; /* zero for the host */
	__u64 events, procs, setns, failed;
	__u64 created[NST_T_COUNT];
};

struct rec_groups {
	const struct rec_idents *ids;
	enum rec_group_by by;
	struct rec_group *v;
	size_t n, cap;
	struct nshash by_cgroup; /* cgroup id -> index in v */
	struct nshash procs; /* (group, pid) seen */
};

int rec_groups_init(struct rec_groups *g, const struct rec_idents *ids, enum rec_group_by by);
void rec_groups_free(struct rec_groups *g);
/* The group of a cgroup id (added when new); -1 without memory. */
ssize_t rec_group_of(struct rec_groups *g, __u64 cgroup_id);
int rec_groups_event(struct rec_groups *g, const struct nst_event *e);
/* Most events first; afterwards rec_group_of() and rec_groups_event() start afresh. */
void rec_groups_sort(struct rec_groups *g);
const char *rec_group_label(const struct rec_groups *g, const struct rec_group *x, char *buf,
			    size_t len);
/* The text table, and one JSON object per group (JSON Lines). */
void rec_groups_print(const struct rec_groups *g, FILE *out);
void rec_groups_json(const struct rec_groups *g, FILE *out);

/* The text report streams the file: it never holds all the events. */
int report_text(const char *path, enum rec_group_by by, FILE *out, struct nst_rec_status *st,
		char *err, size_t errlen);
int report_chrome(const struct recording *rec, FILE *out);
int report_svg(const struct recording *rec, FILE *out);

#endif /* NSTRACE_REPORT_H */
