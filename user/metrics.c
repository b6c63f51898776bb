// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "grow.h"
#include "metrics.h"
#include "nshash.h"

/* Seconds; covers a 1 µs uts unshare to a multi-second net teardown under churn. */
static const double lat_le[NST_LAT_BUCKETS] = { 1e-6, 5e-6, 1e-5,   2.5e-5, 5e-5, 1e-4, 2.5e-4,
						5e-4, 1e-3, 2.5e-3, 1e-2,   0.1,  1,	10 };

enum { OP_CLONE, OP_CLONE3, OP_UNSHARE, OP_SETNS, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "clone", "clone3", "unshare", "setns" };

struct live_ns {
	__u32 ino;
	__u8 type;
	int members;
	__u64 created_ns; /* boot-time ns when we saw it created; 0: before us */
	__u64 seq; /* when it began to be tracked: ties in the top gauge */
};

struct nst_metrics {
	pthread_mutex_t lock;
	int top_n;
	__u64 ops[NST_T_COUNT][OP_COUNT][2]; /* [type][syscall][failed] */
	__u64 created[NST_T_COUNT];
	__u64 lat_count[NST_T_COUNT][NST_LAT_BUCKETS + 1];
	double lat_sum[NST_T_COUNT];
	long live[NST_T_COUNT];
	__u64 lost;
	struct live_ns *ns; /* the namespaces with members, in no order */
	size_t tracked, cap;
	struct nshash index; /* (type, ino) -> its entry in ns[] */
	__u64 seq;
};

struct nst_metrics *nst_metrics_new(int top_n)
{
	struct nst_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	m->top_n = top_n;
	return m;
}

void nst_metrics_free(struct nst_metrics *m)
{
	if (!m)
		return;
	free(m->ns);
	nshash_free(&m->index);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static struct live_ns *live_find(struct nst_metrics *m, enum nst_type type, __u32 ino)
{
	ssize_t i = nshash_get(&m->index, nshash_ns_key(type, ino));

	return i < 0 ? NULL : &m->ns[i];
}

static struct live_ns *live_add(struct nst_metrics *m, enum nst_type type, __u32 ino)
{
	if (nst_grow((void **)&m->ns, &m->cap, m->tracked + 1, sizeof(*m->ns), 256) ||
	    nshash_put(&m->index, nshash_ns_key(type, ino), m->tracked))
		return NULL;
	m->ns[m->tracked] = (struct live_ns){ .ino = ino, .type = type, .seq = m->seq++ };
	m->live[type]++;
	return &m->ns[m->tracked++];
}

/* The last entry fills the hole, so ns[] stays dense. */
static void live_remove(struct nst_metrics *m, struct live_ns *n)
{
	struct live_ns *last = &m->ns[m->tracked - 1];

	m->live[n->type]--;
	nshash_del(&m->index, nshash_ns_key(n->type, n->ino));
	if (n != last) {
		*n = *last;
		nshash_put(&m->index, nshash_ns_key(n->type, n->ino), n - m->ns);
	}
	m->tracked--;
}

/*
 * Membership: a namespace is live while it has members. Per-namespace
 * state goes away with the last member, so memory follows the machine.
 */
static struct live_ns *member_delta(struct nst_metrics *m, enum nst_type type, __u32 ino, int d)
{
	struct live_ns *n;

	if (!ino)
		return NULL;
	n = live_find(m, type, ino);
	if (!n) {
		if (d <= 0)
			return NULL; /* a member leaving a namespace we never saw */
		n = live_add(m, type, ino);
		if (!n)
			return NULL;
	}
	n->members += d;
	if (n->members <= 0) {
		live_remove(m, n);
		return NULL;
	}
	return n;
}

void nst_metrics_seed(struct nst_metrics *m, enum nst_type type, __u32 ino, int members)
{
	pthread_mutex_lock(&m->lock);
	member_delta(m, type, ino, members > 0 ? members : 1);
	pthread_mutex_unlock(&m->lock);
}

static int op_of(unsigned int kind)
{
	switch (kind) {
	case NST_K_CLONE:
		return OP_CLONE;
	case NST_K_CLONE3:
		return OP_CLONE3;
	case NST_K_UNSHARE:
		return OP_UNSHARE;
	case NST_K_SETNS:
		return OP_SETNS;
	}
	return -1;
}

static void observe_latency(struct nst_metrics *m, enum nst_type t, __u64 ns)
{
	double s = ns / 1e9;
	int b = 0;

	while (b < NST_LAT_BUCKETS && s > lat_le[b])
		b++;
	m->lat_count[t][b]++;
	m->lat_sum[t] += s;
}

/* The types an operation was about: its flags, or what a setns fd points to. */
static __u32 op_types(const struct nst_event *e)
{
	return nst_slots_to_types(
		nst_flags_to_slots((e->flags | e->target_type) & NST_CLONE_NEWALL));
}

static void count_op(struct nst_metrics *m, const struct nst_event *e)
{
	int op = op_of(e->kind);
	__u32 types = op_types(e);
	bool failed = e->ret < 0;

	if (op < 0)
		return;
	for (int t = 0; t < NST_T_COUNT; t++) {
		if (!(types & (1U << t)))
			continue;
		m->ops[t][op][failed]++;
		if (failed || op == OP_SETNS)
			continue;
		m->created[t]++;
		observe_latency(m, t, e->lat_ns);
	}
}

/* A task arrived in a namespace; a successful clone/unshare of its type made it. */
static void arrive(struct nst_metrics *m, const struct nst_event *e, enum nst_type t, __u32 ino)
{
	struct live_ns *n = member_delta(m, t, ino, 1);
	bool creation = e->ret >= 0 && op_of(e->kind) >= 0 && e->kind != NST_K_SETNS &&
			(op_types(e) & (1U << t));

	if (n && creation && !n->created_ns)
		n->created_ns = e->ts_ns;
}

/* Who is where: +1 where a task arrives, -1 where it leaves. */
static void track_members(struct nst_metrics *m, const struct nst_event *e)
{
	bool spawn = e->kind == NST_K_CLONE || e->kind == NST_K_CLONE3 || e->kind == NST_K_FORK;
	__u32 changed = nst_changed_slots(e);

	if (e->ret < 0 && e->kind != NST_K_EXIT)
		return;
	if (spawn && (e->flags & 0x00010000)) /* CLONE_THREAD: members are processes */
		return;
	/* members are counted where they live, not in their *_for_children namespaces */
	for (int t = 0; t < NST_T_COUNT; t++) {
		int i = nst_types[t].slot;

		if (spawn && e->child_pid)
			arrive(m, e, t, e->after[i]);
		else if (!spawn && (changed & (1U << i))) {
			arrive(m, e, t, e->after[i]);
			member_delta(m, t, e->before[i], -1);
		}
	}
}

void nst_metrics_event(struct nst_metrics *m, const struct nst_event *e)
{
	pthread_mutex_lock(&m->lock);
	count_op(m, e);
	track_members(m, e);
	pthread_mutex_unlock(&m->lock);
}

void nst_metrics_set_lost(struct nst_metrics *m, __u64 lost)
{
	pthread_mutex_lock(&m->lock);
	m->lost = lost;
	pthread_mutex_unlock(&m->lock);
}

__u64 nst_metrics_created_ns(struct nst_metrics *m, enum nst_type type, __u32 ino)
{
	struct live_ns *n;
	__u64 ns;

	pthread_mutex_lock(&m->lock);
	n = live_find(m, type, ino);
	ns = n ? n->created_ns : 0;
	pthread_mutex_unlock(&m->lock);
	return ns;
}

static void render_ops(struct nst_metrics *m, FILE *out)
{
	fprintf(out, "# HELP nstrace_namespace_operations_total Namespace syscalls by type, "
		     "syscall and outcome.\n# TYPE nstrace_namespace_operations_total counter\n");
	for (int t = 0; t < NST_T_COUNT; t++)
		for (int op = 0; op < OP_COUNT; op++)
			for (int f = 0; f < 2; f++)
				fprintf(out,
					"nstrace_namespace_operations_total{type=\"%s\","
					"syscall=\"%s\",outcome=\"%s\"} %llu\n",
					nst_type_name(t), op_names[op], f ? "failure" : "success",
					(unsigned long long)m->ops[t][op][f]);
	fprintf(out, "# HELP nstrace_namespaces_created_total Namespaces created by clone, "
		     "clone3 or unshare.\n# TYPE nstrace_namespaces_created_total counter\n");
	for (int t = 0; t < NST_T_COUNT; t++)
		fprintf(out, "nstrace_namespaces_created_total{type=\"%s\"} %llu\n",
			nst_type_name(t), (unsigned long long)m->created[t]);
}

static void render_latency(struct nst_metrics *m, FILE *out)
{
	fprintf(out, "# HELP nstrace_namespace_creation_latency_seconds Latency of the clone, "
		     "clone3 or unshare call that created a namespace.\n"
		     "# TYPE nstrace_namespace_creation_latency_seconds histogram\n");
	for (int t = 0; t < NST_T_COUNT; t++) {
		__u64 cum = 0;

		for (int b = 0; b <= NST_LAT_BUCKETS; b++) {
			cum += m->lat_count[t][b];
			if (b < NST_LAT_BUCKETS)
				fprintf(out,
					"nstrace_namespace_creation_latency_seconds_bucket"
					"{type=\"%s\",le=\"%g\"} %llu\n",
					nst_type_name(t), lat_le[b], (unsigned long long)cum);
			else
				fprintf(out,
					"nstrace_namespace_creation_latency_seconds_bucket"
					"{type=\"%s\",le=\"+Inf\"} %llu\n",
					nst_type_name(t), (unsigned long long)cum);
		}
		fprintf(out, "nstrace_namespace_creation_latency_seconds_sum{type=\"%s\"} %.9f\n",
			nst_type_name(t), m->lat_sum[t]);
		fprintf(out, "nstrace_namespace_creation_latency_seconds_count{type=\"%s\"} %llu\n",
			nst_type_name(t), (unsigned long long)cum);
	}
}

/*
 * Ties go by (ino * 2654435761 ^ type) % 8192, then the one tracked first:
 * arbitrary, but the order this gauge has always listed them in (the
 * bucket order of its first hash table), so a scrape keeps its series.
 */
static bool ranks_before(const struct live_ns *a, const struct live_ns *b)
{
	unsigned int ha = (a->ino * 2654435761U ^ a->type) % 8192;
	unsigned int hb = (b->ino * 2654435761U ^ b->type) % 8192;

	if (a->members != b->members)
		return a->members > b->members;
	return ha != hb ? ha < hb : a->seq < b->seq;
}

/* The top N namespaces by members, for a bounded number of series. */
static void render_top(struct nst_metrics *m, FILE *out)
{
	struct live_ns *top[64] = {};
	int n = m->top_n < 64 ? m->top_n : 64;

	for (size_t i = 0; n && i < m->tracked; i++) {
		struct live_ns *x = &m->ns[i];
		int k = n - 1;

		if (top[k] && !ranks_before(x, top[k]))
			continue;
		while (k > 0 && (!top[k - 1] || ranks_before(x, top[k - 1]))) {
			top[k] = top[k - 1];
			k--;
		}
		top[k] = x;
	}
	fprintf(out,
		"# HELP nstrace_namespace_processes Processes in a namespace (the top %d).\n"
		"# TYPE nstrace_namespace_processes gauge\n",
		n);
	for (int k = 0; k < n && top[k]; k++)
		fprintf(out, "nstrace_namespace_processes{type=\"%s\",ns=\"%u\"} %d\n",
			nst_type_name(top[k]->type), top[k]->ino, top[k]->members);
}

void nst_metrics_render(struct nst_metrics *m, FILE *out, const char *version, const char *backend,
			const char *tier)
{
	pthread_mutex_lock(&m->lock);
	render_ops(m, out);
	render_latency(m, out);
	fprintf(out, "# HELP nstrace_namespaces_live Namespaces with at least one process.\n"
		     "# TYPE nstrace_namespaces_live gauge\n");
	for (int t = 0; t < NST_T_COUNT; t++)
		fprintf(out, "nstrace_namespaces_live{type=\"%s\"} %ld\n", nst_type_name(t),
			m->live[t]);
	render_top(m, out);
	fprintf(out,
		"# HELP nstrace_events_lost_total Events dropped in the kernel: ring buffer "
		"full.\n# TYPE nstrace_events_lost_total counter\nnstrace_events_lost_total %llu\n",
		(unsigned long long)m->lost);
	pthread_mutex_unlock(&m->lock);
	fprintf(out,
		"# HELP nstrace_build_info nstrace version and the backend and tier that "
		"are attached.\n# TYPE nstrace_build_info gauge\n"
		"nstrace_build_info{version=\"%s\",backend=\"%s\",tier=\"%s\"} 1\n",
		version, backend, tier);
}
