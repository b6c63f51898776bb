// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace report: the containers of a recording. A first pass over the
 * file reads its identity blocks (docs/recording.md) into one table; a
 * later entry for a key replaces an earlier one, so an event recorded
 * before its container had a name is reported with the name. The table
 * answers the event formatter's ctr_of as the live resolver does.
 */
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "json.h"
#include "report.h"

static int load_identity(void *ctx, const struct nst_id_entry *e)
{
	struct rec_idents *ids = ctx;
	struct nshash *h = e->key_kind == NST_IDK_CGROUP ? &ids->cgroups : &ids->nss;
	ssize_t i = nshash_get(h, e->key);

	if (i >= 0) {
		ids->v[i] = *e;
		return 0;
	}
	if (nst_grow((void **)&ids->v, &ids->cap, ids->n + 1, sizeof(*ids->v), 64) ||
	    nshash_put(h, e->key, ids->n)) {
		ids->failed = true;
		return 1;
	}
	ids->v[ids->n++] = *e;
	ids->containers |= e->container;
	return 0;
}

static int idents_meta(void *ctx, const struct nst_rec_meta *m)
{
	struct rec_idents *ids = ctx;

	ids->version = m->version;
	/* format 3 had no identity blocks: nothing to read */
	return m->version < 4;
}

int rec_idents_load(struct rec_idents *ids, const char *path, char *err, size_t errlen)
{
	struct nst_rec_reader_ops ops = { .meta = idents_meta, .identity = load_identity };
	struct nst_rec_status st;

	memset(ids, 0, sizeof(*ids));
	if (nst_rec_read_file(path, &ops, ids, &st, err, errlen))
		return -1;
	if (ids->failed) {
		snprintf(err, errlen, "failed to read the containers of %s: out of memory", path);
		return -1;
	}
	return 0;
}

void rec_idents_free(struct rec_idents *ids)
{
	nshash_free(&ids->cgroups);
	nshash_free(&ids->nss);
	free(ids->v);
	memset(ids, 0, sizeof(*ids));
}

const struct nst_id_entry *rec_idents_cgroup(const struct rec_idents *ids, __u64 cgroup_id)
{
	ssize_t i = nshash_get(&ids->cgroups, cgroup_id);

	return i < 0 ? NULL : &ids->v[i];
}

/* As the live resolver: a cgroup nobody named is "not known", a namespace nobody named the host's. */
static enum nst_ctr_state state_of(const struct nst_id_entry *x, struct nst_ctr_info *out)
{
	if (!x || !x->container) {
		memset(out, 0, sizeof(*out));
		return x ? NST_CTR_HOST : NST_CTR_NOT_YET;
	}
	*out = x->info;
	return NST_CTR_FOUND;
}

static enum nst_ctr_state target_of(const struct rec_idents *ids, const struct nst_event *e,
				    struct nst_ctr_info *out)
{
	for (int i = 0; i < NST_NS_COUNT; i++) {
		ssize_t k = e->target[i] ? nshash_get(&ids->nss, e->target[i]) : -1;

		if (k >= 0 && ids->v[k].container)
			return state_of(&ids->v[k], out);
	}
	memset(out, 0, sizeof(*out));
	return NST_CTR_HOST;
}

const struct nst_event_ctr *rec_idents_event(void *ctx, const struct nst_event *e)
{
	struct rec_idents *ids = ctx;
	struct nst_event_ctr *m = &ids->memo;

	if (ids->memo_valid && ids->memo_ts == e->ts_ns && ids->memo_tid == e->tid)
		return m;
	m->state = state_of(rec_idents_cgroup(ids, e->cgroup_id), &m->ctr);
	if (e->kind == NST_K_SETNS)
		m->target_state = target_of(ids, e, &m->target);
	else
		m->target_state = NST_CTR_HOST;
	ids->memo_ts = e->ts_ns;
	ids->memo_tid = e->tid;
	ids->memo_valid = true;
	return m;
}

void rec_idents_fmt(struct rec_idents *ids, struct nst_fmt *f)
{
	if (ids->version < 4)
		return; /* format 3: no container columns rather than empty ones */
	f->ctr_of = rec_idents_event;
	f->ctr_ctx = ids;
}

/* ---- grouping events by container or pod ---- */

/* The group of an identity entry; e NULL: a cgroup the recording never named. */
static void group_key(enum rec_group_by by, const struct nst_id_entry *e, char *key, size_t len)
{
	/* by pod, the host and containers of no pod are one group: "(no pod)" */
	if (!e)
		snprintf(key, len, "?");
	else if (!e->container || (by == REC_BY_POD && !e->info.pod_uid[0]))
		snprintf(key, len, "-");
	else if (by == REC_BY_POD)
		snprintf(key, len, "p%s", e->info.pod_uid);
	else
		snprintf(key, len, "c%s", e->info.id);
}

static ssize_t group_add(struct rec_groups *g, const char *key, const struct nst_id_entry *e)
{
	struct rec_group *x;

	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->v[i].key, key))
			return i;
	if (nst_grow((void **)&g->v, &g->cap, g->n + 1, sizeof(*g->v), 16))
		return -1;
	x = &g->v[g->n];
	memset(x, 0, sizeof(*x));
	snprintf(x->key, sizeof(x->key), "%s", key);
	x->resolved = e != NULL;
	if (e && e->container)
		x->info = e->info;
	/* grouped by pod, a container of no pod is in no group but the host's */
	if (g->by == REC_BY_POD && !x->info.pod_uid[0])
		memset(&x->info, 0, sizeof(x->info));
	return g->n++;
}

ssize_t rec_group_of(struct rec_groups *g, __u64 cgroup_id)
{
	ssize_t i = nshash_get(&g->by_cgroup, cgroup_id);
	const struct nst_id_entry *e;
	char key[NST_CONTAINER_LEN + 2];

	if (i >= 0)
		return i;
	e = rec_idents_cgroup(g->ids, cgroup_id);
	group_key(g->by, e, key, sizeof(key));
	i = group_add(g, key, e);
	if (i < 0 || nshash_put(&g->by_cgroup, cgroup_id, i))
		return -1;
	return i;
}

int rec_groups_init(struct rec_groups *g, const struct rec_idents *ids, enum rec_group_by by)
{
	memset(g, 0, sizeof(*g));
	g->ids = ids;
	g->by = by;
	return 0;
}

void rec_groups_free(struct rec_groups *g)
{
	nshash_free(&g->by_cgroup);
	nshash_free(&g->procs);
	free(g->v);
}

static bool is_call(unsigned int kind)
{
	return kind == NST_K_CLONE || kind == NST_K_CLONE3 || kind == NST_K_UNSHARE ||
	       kind == NST_K_SETNS;
}

int rec_groups_event(struct rec_groups *g, const struct nst_event *e)
{
	ssize_t i = rec_group_of(g, e->cgroup_id);
	struct rec_group *x;
	__u32 types;
	bool added;

	if (i < 0 || nshash_get_or_add(&g->procs, (__u64)i << 32 | e->pid, 0, &added) < 0)
		return -1;
	x = &g->v[i];
	x->events++;
	x->procs += added;
	if (!is_call(e->kind))
		return 0;
	if (e->ret < 0) {
		x->failed++;
		return 0;
	}
	if (e->kind == NST_K_SETNS) {
		x->setns++;
		return 0;
	}
	types = nst_slots_to_types(nst_flags_to_slots(e->flags & NST_CLONE_NEWALL));
	for (int t = 0; t < NST_T_COUNT; t++)
		if (types & (1U << t))
			x->created[t]++;
	return 0;
}

/* "net 2, uts 2"; "-" for none */
static void created_text(const struct rec_group *x, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int t = 0; t < NST_T_COUNT && off < len; t++)
		if (x->created[t])
			off += snprintf(buf + off, len - off, "%s%s %llu", off ? ", " : "",
					nst_type_name(t), (unsigned long long)x->created[t]);
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* What a person calls the group: the container's name (else short id), the pod's. */
const char *rec_group_label(const struct rec_groups *g, const struct rec_group *x, char *buf,
			    size_t len)
{
	const struct nst_ctr_info *i = &x->info;

	if (!x->resolved)
		snprintf(buf, len, "(not resolved)");
	else if (g->by == REC_BY_POD && !i->pod_uid[0])
		snprintf(buf, len, "(no pod)");
	else if (g->by == REC_BY_POD)
		nst_pod_label(i, buf, len);
	else if (i->id[0])
		nst_ctr_label(i, buf, len);
	else
		snprintf(buf, len, "host");
	return buf;
}

static int by_events(const void *a, const void *b)
{
	const struct rec_group *x = a, *y = b;

	return x->events != y->events ? (x->events < y->events ? 1 : -1) : strcmp(x->key, y->key);
}

void rec_groups_sort(struct rec_groups *g)
{
	/* qsort's base may not be NULL, even for no elements (UBSan) */
	if (g->n)
		qsort(g->v, g->n, sizeof(*g->v), by_events);
	/* the indices moved: the cgroup cache is stale */
	nshash_free(&g->by_cgroup);
	nshash_free(&g->procs);
}

void rec_groups_print(const struct rec_groups *g, FILE *out)
{
	char label[NST_CTR_NAME_LEN + 80], created[256], pod[NST_CTR_NAME_LEN + 64];
	bool pods = g->by == REC_BY_POD;

	fprintf(out, "\n%s (events, processes, setns calls, failed calls, namespaces created)\n",
		pods ? "Pods" : "Containers");
	if (pods)
		fprintf(out, "  %-24s %-12s ", "POD", "UID");
	else
		fprintf(out, "  %-24s %-12s %-10s %-20s ", "CONTAINER", "ID", "RUNTIME", "POD");
	fprintf(out, "%-8s %-6s %-6s %-6s %s\n", "EVENTS", "PROCS", "SETNS", "FAILED", "CREATED");
	for (size_t i = 0; i < g->n; i++) {
		const struct rec_group *x = &g->v[i];
		const char *id = pods ? x->info.pod_uid : x->info.id;

		created_text(x, created, sizeof(created));
		fprintf(out, "  %-24s %-12.12s ", rec_group_label(g, x, label, sizeof(label)),
			id[0] ? id : "-");
		if (!pods)
			fprintf(out, "%-10s %-20s ", x->info.runtime[0] ? x->info.runtime : "-",
				x->info.pod_uid[0] ? nst_pod_label(&x->info, pod, sizeof(pod))
						   : "-");
		fprintf(out, "%-8llu %-6llu %-6llu %-6llu %s\n", (unsigned long long)x->events,
			(unsigned long long)x->procs, (unsigned long long)x->setns,
			(unsigned long long)x->failed, created);
	}
}

void rec_groups_json(const struct rec_groups *g, FILE *out)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct rec_group *x = &g->v[i];
		struct jw w;

		jw_init(&w, out);
		jw_obj_open(&w, NULL);
		if (g->by != REC_BY_POD)
			nst_json_ctr(&w, "container", &x->info);
		nst_json_pod(&w, "pod", &x->info);
		/* events of a cgroup the recorder could not name before it was gone */
		jw_bool(&w, "resolved", x->resolved);
		jw_u64(&w, "events", x->events);
		jw_u64(&w, "processes", x->procs);
		jw_u64(&w, "setns", x->setns);
		jw_u64(&w, "failed", x->failed);
		jw_obj_open(&w, "created");
		for (int t = 0; t < NST_T_COUNT; t++)
			if (x->created[t])
				jw_u64(&w, nst_type_name(t), x->created[t]);
		jw_obj_close(&w);
		jw_obj_close(&w);
		fputc('\n', out);
	}
}
