// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "grow.h"
#include "metrics.h"
#include "clock.h"
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

/* The counters of one (container, pod) label pair. */
struct op_stats {
	__u64 ops[NST_T_COUNT][OP_COUNT][2]; /* [type][syscall][failed] */
	__u64 created[NST_T_COUNT];
	__u64 lat_count[NST_T_COUNT][NST_LAT_BUCKETS + 1];
	double lat_sum[NST_T_COUNT];
};

/* A label pair and its counters; a pair, once made, stays. */
struct label_set {
	char container[NST_CTR_NAME_LEN];
	char pod[NST_CTR_NAME_LEN + 64];
	struct op_stats st;
};

/*
 * A cgroup waiting for its labels: its events are counted aside and join
 * their pair once the resolver names it, so no series counts a container's
 * first events under the id it has before its name is known.
 */
struct pending {
	__u64 cgroup_id;
	long long since_ms;
	struct op_stats st;
};

/* how long a cgroup may wait for a name before it is counted by id, or as other */
#define PENDING_MS 10000
/* the cgroups whose set is remembered; memory follows the machine, not its history */
#define MAX_CGROUPS 65536
#define SET_HOST 0
#define SET_OTHER 1

struct nst_metrics {
	pthread_mutex_t lock;
	int top_n;
	unsigned int max_labels; /* distinct container label values, besides "" and other */
	unsigned int nlabels;
	struct label_set *sets; /* [0] the host, [1] other, then the pairs */
	size_t nsets, sets_cap;
	struct nshash by_cgroup; /* cgroup id -> its set */
	struct pending *pend;
	size_t npend, pend_cap;
	struct nshash pending; /* cgroup id -> its entry in pend */
	nst_metrics_labels_fn labels;
	void *labels_ctx;
	long live[NST_T_COUNT];
	__u64 lost;
	struct live_ns *ns; /* the namespaces with members, in no order */
	size_t tracked, cap;
	struct nshash index; /* (type, ino) -> its entry in ns[] */
	__u64 seq;
};

struct nst_metrics *nst_metrics_new(int top_n, unsigned int max_label_values)
{
	struct nst_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->sets = calloc(2, sizeof(*m->sets));
	if (!m->sets) {
		free(m);
		return NULL;
	}
	m->nsets = m->sets_cap = 2;
	snprintf(m->sets[SET_OTHER].container, sizeof(m->sets[SET_OTHER].container), "other");
	snprintf(m->sets[SET_OTHER].pod, sizeof(m->sets[SET_OTHER].pod), "other");
	pthread_mutex_init(&m->lock, NULL);
	m->top_n = top_n;
	m->max_labels = max_label_values;
	return m;
}

void nst_metrics_set_labels(struct nst_metrics *m, nst_metrics_labels_fn fn, void *ctx)
{
	pthread_mutex_lock(&m->lock);
	m->labels = fn;
	m->labels_ctx = ctx;
	pthread_mutex_unlock(&m->lock);
}

void nst_metrics_free(struct nst_metrics *m)
{
	if (!m)
		return;
	free(m->sets);
	free(m->pend);
	nshash_free(&m->by_cgroup);
	nshash_free(&m->pending);
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

static ssize_t new_set(struct nst_metrics *m)
{
	if (nst_grow((void **)&m->sets, &m->sets_cap, m->nsets + 1, sizeof(*m->sets), 16))
		return -1;
	memset(&m->sets[m->nsets], 0, sizeof(m->sets[0]));
	return m->nsets++;
}

/* The set of a label pair: a new one while under the cap, else other. */
static size_t set_of_labels(struct nst_metrics *m, const char *ctr, const char *pod)
{
	ssize_t i;

	if (!ctr[0] && !pod[0])
		return SET_HOST;
	for (size_t k = SET_OTHER + 1; k < m->nsets; k++)
		if (!strcmp(m->sets[k].container, ctr) && !strcmp(m->sets[k].pod, pod))
			return k;
	if (m->nlabels >= m->max_labels || (i = new_set(m)) < 0)
		return SET_OTHER;
	m->nlabels++;
	snprintf(m->sets[i].container, sizeof(m->sets[i].container), "%s", ctr);
	snprintf(m->sets[i].pod, sizeof(m->sets[i].pod), "%s", pod);
	return i;
}

static void add_stats(struct op_stats *to, const struct op_stats *from)
{
	for (int t = 0; t < NST_T_COUNT; t++) {
		for (int op = 0; op < OP_COUNT; op++)
			for (int f = 0; f < 2; f++)
				to->ops[t][op][f] += from->ops[t][op][f];
		to->created[t] += from->created[t];
		for (int b = 0; b <= NST_LAT_BUCKETS; b++)
			to->lat_count[t][b] += from->lat_count[t][b];
		to->lat_sum[t] += from->lat_sum[t];
	}
}

/*
 * Ask for a cgroup's labels; settle it (and return its set) when they are
 * final, or when it waited long enough (then by id, or as other). -1: wait.
 */
static ssize_t settle(struct nst_metrics *m, __u64 cgroup_id, long long since_ms, long long now_ms)
{
	char ctr[NST_CTR_NAME_LEN] = "", pod[NST_CTR_NAME_LEN + 64] = "";
	enum nst_label_state st =
		m->labels ? m->labels(m->labels_ctx, cgroup_id, ctr, sizeof(ctr), pod, sizeof(pod))
			  : NST_LABELS_FINAL;
	bool late = now_ms - since_ms >= PENDING_MS;

	if (st == NST_LABELS_FINAL || (st == NST_LABELS_PROVISIONAL && late))
		return set_of_labels(m, ctr, pod);
	return late ? SET_OTHER : -1;
}

/* Under the lock: the counters an event of cgroup_id counts in (a pending cgroup's, maybe). */
static struct op_stats *stats_of_cgroup(struct nst_metrics *m, __u64 cgroup_id, long long now_ms)
{
	ssize_t i = nshash_get(&m->by_cgroup, cgroup_id);
	bool added;

	if (i >= 0)
		return &m->sets[i].st;
	i = nshash_get(&m->pending, cgroup_id);
	if (i >= 0)
		return &m->pend[i].st;
	/* cgroups come and go: forget them all now and then, and ask again (one lookup each) */
	if (m->by_cgroup.n >= MAX_CGROUPS)
		nshash_free(&m->by_cgroup);
	i = settle(m, cgroup_id, now_ms, now_ms);
	if (i >= 0)
		return nshash_put(&m->by_cgroup, cgroup_id, i) ? &m->sets[SET_OTHER].st
							       : &m->sets[i].st;
	if (nst_grow((void **)&m->pend, &m->pend_cap, m->npend + 1, sizeof(*m->pend), 16) ||
	    nshash_get_or_add(&m->pending, cgroup_id, m->npend, &added) < 0)
		return &m->sets[SET_OTHER].st;
	memset(&m->pend[m->npend], 0, sizeof(*m->pend));
	m->pend[m->npend].cgroup_id = cgroup_id;
	m->pend[m->npend].since_ms = now_ms;
	return &m->pend[m->npend++].st;
}

/* Under the lock: pend[i] is settled in set `to`; the last entry fills its place. */
static void settle_pending(struct nst_metrics *m, size_t i, size_t to)
{
	struct pending *p = &m->pend[i];

	add_stats(&m->sets[to].st, &p->st);
	nshash_del(&m->pending, p->cgroup_id);
	/* without memory the cgroup is asked again at its next event */
	nshash_put(&m->by_cgroup, p->cgroup_id, to);
	if (i != m->npend - 1) {
		*p = m->pend[m->npend - 1];
		nshash_put(&m->pending, p->cgroup_id, i);
	}
	m->npend--;
}

void nst_metrics_tick(struct nst_metrics *m, long long now_ms)
{
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->npend;) {
		ssize_t to = settle(m, m->pend[i].cgroup_id, m->pend[i].since_ms, now_ms);

		if (to >= 0)
			settle_pending(m, i, to); /* the entry moved into i is looked at next */
		else
			i++;
	}
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

static void observe_latency(struct op_stats *st, enum nst_type t, __u64 ns)
{
	double s = ns / 1e9;
	int b = 0;

	while (b < NST_LAT_BUCKETS && s > lat_le[b])
		b++;
	st->lat_count[t][b]++;
	st->lat_sum[t] += s;
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
	struct op_stats *st;

	if (op < 0 || !types)
		return;
	st = stats_of_cgroup(m, e->cgroup_id, nst_mono_ms());
	for (int t = 0; t < NST_T_COUNT; t++) {
		if (!(types & (1U << t)))
			continue;
		st->ops[t][op][failed]++;
		if (failed || op == OP_SETNS)
			continue;
		st->created[t]++;
		observe_latency(st, t, e->lat_ns);
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

/* A label value in the exposition format: backslash, quote and newline escaped. */
static void put_label(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

/* ',container="web1",pod="shop/web-0"}' */
static void put_ctr_labels(FILE *out, const struct label_set *l)
{
	fputs(",container=\"", out);
	put_label(out, l->container);
	fputs("\",pod=\"", out);
	put_label(out, l->pod);
	fputs("\"}", out);
}

/*
 * The host's series are all there from the start, as before the labels;
 * a container's (and other's) only once they count something, so series
 * follow the containers that did namespace work, not the pairs possible.
 */
static bool shown(size_t set, __u64 v)
{
	return set == SET_HOST || v;
}

static void help_labels(FILE *out, const char *name, const char *help, const char *type,
			unsigned int max)
{
	fprintf(out,
		"# HELP %s %s container and pod: the name (else short id) and namespace/name "
		"(else uid), \"\" on the host; at most %u distinct values, the rest count as "
		"other (--max-label-values).\n# TYPE %s %s\n",
		name, help, max, name, type);
}

static void render_ops(struct nst_metrics *m, FILE *out)
{
	help_labels(out, "nstrace_namespace_operations_total",
		    "Namespace syscalls by type, syscall and outcome.", "counter", m->max_labels);
	for (size_t k = 0; k < m->nsets; k++)
		for (int t = 0; t < NST_T_COUNT; t++)
			for (int op = 0; op < OP_COUNT; op++)
				for (int f = 0; f < 2; f++) {
					__u64 v = m->sets[k].st.ops[t][op][f];

					if (!shown(k, v))
						continue;
					fprintf(out,
						"nstrace_namespace_operations_total{type=\"%s\","
						"syscall=\"%s\",outcome=\"%s\"",
						nst_type_name(t), op_names[op],
						f ? "failure" : "success");
					put_ctr_labels(out, &m->sets[k]);
					fprintf(out, " %llu\n", (unsigned long long)v);
				}
	help_labels(out, "nstrace_namespaces_created_total",
		    "Namespaces created by clone, clone3 or unshare.", "counter", m->max_labels);
	for (size_t k = 0; k < m->nsets; k++)
		for (int t = 0; t < NST_T_COUNT; t++) {
			if (!shown(k, m->sets[k].st.created[t]))
				continue;
			fprintf(out, "nstrace_namespaces_created_total{type=\"%s\"",
				nst_type_name(t));
			put_ctr_labels(out, &m->sets[k]);
			fprintf(out, " %llu\n", (unsigned long long)m->sets[k].st.created[t]);
		}
}

static void render_histogram(FILE *out, const struct label_set *l, enum nst_type t)
{
	const char *name = "nstrace_namespace_creation_latency_seconds";
	__u64 cum = 0;

	for (int b = 0; b <= NST_LAT_BUCKETS; b++) {
		cum += l->st.lat_count[t][b];
		fprintf(out, "%s_bucket{type=\"%s\",le=\"", name, nst_type_name(t));
		if (b < NST_LAT_BUCKETS)
			fprintf(out, "%g\"", lat_le[b]);
		else
			fputs("+Inf\"", out);
		put_ctr_labels(out, l);
		fprintf(out, " %llu\n", (unsigned long long)cum);
	}
	fprintf(out, "%s_sum{type=\"%s\"", name, nst_type_name(t));
	put_ctr_labels(out, l);
	fprintf(out, " %.9f\n%s_count{type=\"%s\"", l->st.lat_sum[t], name, nst_type_name(t));
	put_ctr_labels(out, l);
	fprintf(out, " %llu\n", (unsigned long long)cum);
}

static void render_latency(struct nst_metrics *m, FILE *out)
{
	help_labels(out, "nstrace_namespace_creation_latency_seconds",
		    "Latency of the clone, clone3 or unshare call that created a namespace.",
		    "histogram", m->max_labels);
	for (size_t k = 0; k < m->nsets; k++)
		for (int t = 0; t < NST_T_COUNT; t++)
			if (shown(k, m->sets[k].st.created[t]))
				render_histogram(out, &m->sets[k], t);
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
		"# HELP nstrace_container_label_values Distinct container label values in use "
		"(at most %u: --max-label-values; beyond it, other).\n"
		"# TYPE nstrace_container_label_values gauge\nnstrace_container_label_values %u\n",
		m->max_labels, m->nlabels);
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
