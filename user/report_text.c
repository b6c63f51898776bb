// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace report, text: per-namespace lifecycles, then per-process
 * timelines, without holding the events: a first pass over the file builds
 * the lifecycles and counts each process's events; then each further pass
 * writes the timelines of a group of processes, in pid order. The first
 * process of a group goes straight to the output, the others are buffered
 * as text, at most GROUP_EVENTS lines. One process with ten million events
 * takes two passes and no buffer at all; fresh memory is what costs most
 * (a page fault per 4 KiB), reading the file again costs less.
 */
#include <stdlib.h>
#include <string.h>
#include "nsreg.h"
#include "pidmap.h"
#include "report.h"
#include "strbuf.h"

#define SHOW_MAX 20

struct visit {
	__u32 pid;
	char comm[NST_COMM_LEN];
	__u64 ts;
	__u32 other; /* join: where from; leave: where to (0: exit) */
	__u16 kind;
};

/* What the report knows about one namespace (one generation of an inode). */
struct life {
	__u32 parent; /* the namespace it was created from */
	struct visit joins[SHOW_MAX], leaves[SHOW_MAX]; /* the first ones: all that is shown */
	size_t njoins, nleaves;
	long members, max_members;
};

static struct life *life_of(struct nsreg *reg, enum nst_type type, __u32 ino)
{
	struct nsreg_ns *n = (struct nsreg_ns *)nsreg_lookup(reg, type, ino);

	if (!n)
		return NULL;
	if (!n->priv)
		n->priv = calloc(1, sizeof(struct life));
	return n->priv;
}

static void add_visit(struct visit *v, size_t *n, const struct nst_event *e, __u32 other)
{
	if (*n < SHOW_MAX) {
		v[*n] = (struct visit){
			.pid = e->pid, .ts = e->ts_ns, .other = other, .kind = e->kind
		};
		memcpy(v[*n].comm, e->comm, NST_COMM_LEN);
	}
	(*n)++;
}

static void member_delta(struct life *l, long d)
{
	if (!l)
		return;
	l->members += d;
	if (l->members > l->max_members)
		l->max_members = l->members;
}

/* One event's effect on the lifecycles of the namespaces it touches. */
static void track(struct nsreg *reg, const struct nst_event *e)
{
	__u32 changed = nst_changed_slots(e);
	bool creates = e->kind == NST_K_CLONE || e->kind == NST_K_CLONE3 ||
		       e->kind == NST_K_UNSHARE || e->kind == NST_K_FORK;

	/* where tasks live: *_for_children slots duplicate pid and time for membership */
	for (int type = 0; type < NST_T_COUNT; type++) {
		int i = nst_types[type].slot;
		struct life *to, *from;

		if (!(changed & (1U << i)))
			continue;
		to = e->after[i] ? life_of(reg, type, e->after[i]) : NULL;
		from = e->before[i] ? life_of(reg, type, e->before[i]) : NULL;
		if (to && creates && (nst_flags_to_slots(e->flags) & (1U << i)) && !to->parent)
			to->parent = e->before[i];
		if (to && e->kind == NST_K_SETNS)
			add_visit(to->joins, &to->njoins, e, e->before[i]);
		member_delta(to, 1);
		/* a clone's "before" is the parent's, who stays where it was */
		if (from && e->kind != NST_K_CLONE && e->kind != NST_K_CLONE3 &&
		    e->kind != NST_K_FORK) {
			add_visit(from->leaves, &from->nleaves, e, e->after[i]);
			member_delta(from, -1);
		}
	}
}

#define GROUP_EVENTS (256ULL * 1024)

struct proc {
	__u32 pid, ppid;
	__u64 cgroup_id; /* its first container's cgroup, else its first event's */
	size_t ctr_group; /* --group-by: its group's index */
	char comm[NST_COMM_LEN];
	__u64 events;
	size_t group;
	bool streams; /* the first of its group: written, not buffered */
	char *text; /* the buffered timeline */
	size_t len, cap;
};

struct text_report {
	FILE *out;
	struct nst_rec_meta meta;
	struct nst_fmt fmt;
	struct nsreg *reg;
	__u64 events, lost;
	struct lost_mark *lost_at; /* at most one a second */
	size_t nlost, lost_cap;
	struct pidmap pids; /* pid -> index in procs, by first appearance */
	struct proc *procs;
	size_t nprocs, cap;
	size_t group; /* the group the current pass writes */
	bool failed; /* out of memory */
	struct rec_idents ids;
	struct rec_groups groups; /* by container (or pod) */
	enum rec_group_by by; /* the process timelines too, when given */
	size_t heading; /* the group whose heading was printed last, + 1 */
};

static void print_visits(FILE *out, const char *what, const struct visit *v, size_t n,
			 const struct nst_fmt *f, const char *type)
{
	char wall[48];

	for (size_t i = 0; i < n && i < SHOW_MAX; i++) {
		nst_wall_str(f, v[i].ts, wall, sizeof(wall));
		fprintf(out, "    %-7s %s by pid %u (%.*s) via %s", what, wall + 11, v[i].pid,
			NST_COMM_LEN, v[i].comm, nst_kind_name(v[i].kind));
		if (v[i].other)
			fprintf(out, ", %s %s:[%u]", !strcmp(what, "joined") ? "from" : "to", type,
				v[i].other);
		fputc('\n', out);
	}
	if (n > SHOW_MAX)
		fprintf(out, "    ... and %zu more %s\n", n - SHOW_MAX, what);
}

static void print_ns(void *ctx, struct nsreg_ns *n)
{
	struct text_report *pc = ctx;
	struct life *l = n->priv;
	const char *type = nst_type_name(n->type);
	char wall[48];

	if (!n->creator_pid && (!l || (!l->njoins && !l->nleaves)))
		return; /* only seen, never used: not worth a lifecycle */
	fprintf(pc->out, "  %s:[%u]%s\n", type, n->ino, n->gen ? " (inode reused)" : "");
	nst_wall_str(&pc->fmt, n->first_seen_ns, wall, sizeof(wall));
	if (n->creator_pid)
		fprintf(pc->out, "    created %s by pid %u via %s, from %s:[%u]\n", wall + 11,
			n->creator_pid, nst_kind_name(n->kind), type, l ? l->parent : 0);
	else
		fprintf(pc->out, "    existed before the recording (first seen %s)\n", wall + 11);
	if (!l)
		return;
	print_visits(pc->out, "joined", l->joins, l->njoins, &pc->fmt, type);
	print_visits(pc->out, "left", l->leaves, l->nleaves, &pc->fmt, type);
	fprintf(pc->out, "    members: at most %ld at once, %ld at the end of the recording\n",
		l->max_members, l->members < 0 ? 0 : l->members);
}

static void free_life(void *ctx, struct nsreg_ns *n)
{
	struct life *l = n->priv;

	if (!l)
		return;
	free(l);
	n->priv = NULL;
}

static bool in_container(const struct text_report *r, __u64 cgroup_id)
{
	const struct nst_id_entry *x = rec_idents_cgroup(&r->ids, cgroup_id);

	return x && x->container;
}

static struct proc *proc_of(struct text_report *r, const struct nst_event *e)
{
	bool added;
	ssize_t i = pidmap_get(&r->pids, e->pid, &added);
	struct proc *p;

	if (i < 0)
		return NULL;
	if (added && r->nprocs == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct proc *np = realloc(r->procs, cap * sizeof(*np));

		if (!np)
			return NULL;
		r->procs = np;
		r->cap = cap;
	}
	p = &r->procs[i];
	if (added) {
		*p = (struct proc){ .pid = e->pid, .ppid = e->ppid, .cgroup_id = e->cgroup_id };
		memcpy(p->comm, e->comm, NST_COMM_LEN);
		r->nprocs++;
	}
	/* a process started on the host and moved into a container (runc init) is the container's */
	if (p->cgroup_id != e->cgroup_id && !in_container(r, p->cgroup_id) &&
	    in_container(r, e->cgroup_id))
		p->cgroup_id = e->cgroup_id;
	return p;
}

#define LINE_MAX_LEN 2048

/* "    HH:MM:SS.nnnnnnnnnZ setns        1.6 us  ret 0      DETAIL" */
static size_t format_line(const struct text_report *r, const struct nst_event *e, char *buf)
{
	char wall[48];
	struct sb s;
	size_t at;

	sb_init(&s, buf, LINE_MAX_LEN);
	sb_str(&s, "    ");
	sb_str(&s, nst_wall_str(&r->fmt, e->ts_ns, wall, sizeof(wall)) + 11);
	sb_chr(&s, ' ');
	at = s.off;
	sb_str(&s, nst_kind_name(e->kind));
	sb_pad(&s, at, -7);
	sb_chr(&s, ' ');
	at = s.off;
	sb_usec(&s, e->lat_ns);
	sb_pad(&s, at, 8);
	sb_str(&s, " us  ret ");
	at = s.off;
	sb_i64(&s, e->ret);
	sb_pad(&s, at, -6);
	sb_chr(&s, ' ');
	nst_event_detail(e, &r->fmt, s.buf + s.off, s.len - s.off - 1);
	s.off += strlen(s.buf + s.off);
	sb_chr(&s, '\n');
	return s.off;
}

static int buffer_line(struct proc *p, const struct text_report *r, const struct nst_event *e)
{
	if (p->cap - p->len < LINE_MAX_LEN) {
		size_t cap = p->cap ? 2 * p->cap : (size_t)4 * LINE_MAX_LEN;
		char *nt = realloc(p->text, cap);

		if (!nt)
			return -1;
		p->text = nt;
		p->cap = cap;
	}
	p->len += format_line(r, e, p->text + p->len);
	return 0;
}

static void proc_header(struct text_report *r, const struct proc *p)
{
	char label[NST_CTR_NAME_LEN + 80];
	const struct rec_group *g;

	if (r->by != REC_BY_NONE && r->heading != p->ctr_group + 1) {
		r->heading = p->ctr_group + 1;
		g = &r->groups.v[p->ctr_group];
		fprintf(r->out, " %s %s", r->by == REC_BY_POD ? "pod" : "container",
			rec_group_label(&r->groups, g, label, sizeof(label)));
		if (r->by == REC_BY_CONTAINER && g->info.id[0])
			fprintf(r->out, " (%s, id %.12s%s%s)", g->info.runtime, g->info.id,
				g->info.image[0] ? ", image " : "", g->info.image);
		fputc('\n', r->out);
	}
	fprintf(r->out, "  pid %u (%.*s), ppid %u\n", p->pid, NST_COMM_LEN, p->comm, p->ppid);
}

/* A pass over the file for one group of processes. */
static int timeline_event(void *ctx, const struct nst_event *e)
{
	struct text_report *r = ctx;
	bool added;
	ssize_t i = pidmap_get(&r->pids, e->pid, &added);
	struct proc *p = i >= 0 && !added ? &r->procs[i] : NULL;
	char line[LINE_MAX_LEN];

	if (!p || p->group != r->group)
		return 0;
	if (p->streams) {
		size_t n = format_line(r, e, line);

		fwrite(line, 1, n, r->out);
	} else if (buffer_line(p, r, e)) {
		r->failed = true;
		return 1;
	}
	return 0;
}

static const struct proc *sort_procs;

/* By group (the most events first: rec_groups_sort), then pid; ctr_group is 0 ungrouped. */
static int by_pid(const void *a, const void *b)
{
	const struct proc *p = &sort_procs[*(const size_t *)a],
			  *q = &sort_procs[*(const size_t *)b];

	if (p->ctr_group != q->ctr_group)
		return p->ctr_group < q->ctr_group ? -1 : 1;
	return p->pid < q->pid ? -1 : p->pid > q->pid;
}

/* Cut the processes, in pid order, into groups of at most GROUP_EVENTS buffered lines. */
static size_t make_groups(struct text_report *r, size_t *order)
{
	size_t groups = 0, buffered = 0;

	for (size_t i = 0; i < r->nprocs; i++) {
		ssize_t g =
			r->by != REC_BY_NONE ? rec_group_of(&r->groups, r->procs[i].cgroup_id) : 0;

		order[i] = i;
		r->procs[i].ctr_group = g < 0 ? 0 : g;
	}
	sort_procs = r->procs;
	qsort(order, r->nprocs, sizeof(*order), by_pid);
	for (size_t k = 0; k < r->nprocs; k++) {
		struct proc *p = &r->procs[order[k]];

		if (!groups || buffered + p->events > GROUP_EVENTS) {
			groups++;
			buffered = 0;
			p->streams = true;
		} else {
			buffered += p->events;
		}
		p->group = groups - 1;
	}
	return groups;
}

static int print_processes(struct text_report *r, const char *path, char *err, size_t errlen)
{
	struct nst_rec_reader_ops ops = { .event = timeline_event };
	size_t *order = malloc(sizeof(*order) * (r->nprocs ? r->nprocs : 1)), groups, k = 0;
	struct nst_rec_status st;
	int ret = 0;

	if (!order) {
		snprintf(err, errlen, "failed to build the report: out of memory");
		return -1;
	}
	groups = make_groups(r, order);
	fprintf(r->out, "\nProcesses (namespace transitions, with syscall latency)\n");
	for (r->group = 0; r->group < groups && !ret; r->group++) {
		proc_header(r, &r->procs[order[k++]]);
		ret = nst_rec_read_file(path, &ops, r, &st, err, errlen);
		if (!ret && r->failed) {
			snprintf(err, errlen, "failed to build the report: out of memory");
			ret = -1;
		}
		for (; k < r->nprocs && r->procs[order[k]].group == r->group; k++) {
			struct proc *p = &r->procs[order[k]];

			proc_header(r, p);
			fwrite(p->text, 1, p->len, r->out);
			free(p->text);
			p->text = NULL;
		}
	}
	free(order);
	return ret;
}

static int text_meta(void *ctx, const struct nst_rec_meta *m)
{
	struct text_report *r = ctx;

	r->meta = *m;
	r->fmt.boot_to_wall_ns = m->boot_to_wall_ns;
	rec_idents_fmt(&r->ids, &r->fmt);
	return 0;
}

static int text_event(void *ctx, const struct nst_event *e)
{
	struct text_report *r = ctx;

	struct proc *p = proc_of(r, e);

	if (!p) {
		r->failed = true;
		return 1;
	}
	p->events++;
	r->events++;
	if (r->ids.containers && rec_groups_event(&r->groups, e)) {
		r->failed = true;
		return 1;
	}
	nsreg_account(r->reg, e);
	if (e->ret >= 0 || e->kind == NST_K_EXIT)
		track(r->reg, e);
	return 0;
}

static int text_lost(void *ctx, __u64 ts, __u64 total)
{
	struct text_report *r = ctx;

	if (r->nlost == r->lost_cap) {
		size_t cap = r->lost_cap ? 2 * r->lost_cap : 16;
		struct lost_mark *nl = realloc(r->lost_at, cap * sizeof(*nl));

		if (!nl) {
			r->failed = true;
			return 1;
		}
		r->lost_at = nl;
		r->lost_cap = cap;
	}
	r->lost_at[r->nlost++] = (struct lost_mark){ ts, total };
	r->lost = total;
	return 0;
}

static void print_head(struct text_report *r)
{
	char wall[48];

	fprintf(r->out,
		"Recording: host %s, kernel %s, backend %s, tier %s\n  filters: %s\n"
		"  %llu events",
		r->meta.host, r->meta.kernel, r->meta.backend, r->meta.tier, r->meta.filters,
		(unsigned long long)r->events);
	fprintf(r->out, ", %llu lost in the kernel\n", (unsigned long long)r->lost);
	for (size_t i = 0; i < r->nlost; i++)
		fprintf(r->out, "  LOST: %llu events in total by %s\n",
			(unsigned long long)r->lost_at[i].total,
			nst_wall_str(&r->fmt, r->lost_at[i].ts_ns, wall, sizeof(wall)));
	if (r->ids.containers)
		rec_groups_print(&r->groups, r->out);
	fprintf(r->out, "\nNamespaces (created, joined, left, members)\n");
	nsreg_for_each(r->reg, print_ns, r);
}

int report_text(const char *path, enum rec_group_by by, FILE *out, struct nst_rec_status *st,
		char *err, size_t errlen)
{
	struct text_report r = { .out = out, .reg = nsreg_new() };
	struct nst_rec_reader_ops ops = { .meta = text_meta,
					  .event = text_event,
					  .lost = text_lost };
	int ret = -1;

	if (!r.reg || pidmap_init(&r.pids, 0)) {
		snprintf(err, errlen, "failed to allocate the report: out of memory");
		goto out;
	}
	ret = rec_idents_load(&r.ids, path, err, errlen);
	if (ret)
		goto out;
	/* the containers table is there whenever the recording names one */
	rec_groups_init(&r.groups, &r.ids, by == REC_BY_POD ? REC_BY_POD : REC_BY_CONTAINER);
	r.by = r.ids.containers ? by : REC_BY_NONE;
	ret = nst_rec_read_file(path, &ops, &r, st, err, errlen);
	if (!ret && r.failed) {
		snprintf(err, errlen, "failed to build the report: out of memory");
		ret = -1;
	}
	if (!ret) {
		rec_groups_sort(&r.groups);
		print_head(&r);
		ret = print_processes(&r, path, err, errlen);
	}
	if (!ret)
		nsreg_print_summary(r.reg, out, r.lost, r.meta.backend, r.meta.tier);
out:
	if (r.reg)
		nsreg_for_each(r.reg, free_life, NULL);
	nsreg_free(r.reg);
	pidmap_free(&r.pids);
	for (size_t i = 0; i < r.nprocs; i++)
		free(r.procs[i].text);
	free(r.procs);
	free(r.lost_at);
	rec_groups_free(&r.groups);
	rec_idents_free(&r.ids);
	return ret;
}
