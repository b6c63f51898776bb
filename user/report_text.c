// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* nstrace report, text: per-namespace lifecycles, then per-process timelines. */
#include <stdlib.h>
#include <string.h>
#include "nsreg.h"
#include "report.h"

#define SHOW_MAX 20

struct visit {
	__u32 pid;
	char comm[NST_COMM_LEN];
	__u64 ts;
	__u32 other;		/* join: where from; leave: where to (0: exit) */
	__u16 kind;
};

/* What the report knows about one namespace (one generation of an inode). */
struct life {
	__u32 parent;		/* the namespace it was created from */
	struct visit *joins, *leaves;
	size_t njoins, nleaves, cap_j, cap_l;
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

static void add_visit(struct visit **v, size_t *n, size_t *cap, const struct nst_event *e,
		      __u32 other)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct visit *nv = realloc(*v, nc * sizeof(**v));

		if (!nv)
			return;
		*v = nv;
		*cap = nc;
	}
	(*v)[*n] = (struct visit){ .pid = e->pid, .ts = e->ts_ns, .other = other, .kind = e->kind };
	memcpy((*v)[*n].comm, e->comm, NST_COMM_LEN);
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

	for (int i = 0; i < NST_NS_COUNT; i++) {
		enum nst_type type = nst_slot_type(i);
		struct life *to, *from;

		/* *_for_children slots duplicate pid and time for membership */
		if (i == NST_NS_PID_FC || i == NST_NS_TIME_FC || !(changed & (1U << i)))
			continue;
		to = e->after[i] ? life_of(reg, type, e->after[i]) : NULL;
		from = e->before[i] ? life_of(reg, type, e->before[i]) : NULL;
		if (to && creates && (nst_flags_to_slots(e->flags) & (1U << i)) && !to->parent)
			to->parent = e->before[i];
		if (to && e->kind == NST_K_SETNS)
			add_visit(&to->joins, &to->njoins, &to->cap_j, e, e->before[i]);
		member_delta(to, 1);
		/* a clone's "before" is the parent's, who stays where it was */
		if (from && e->kind != NST_K_CLONE && e->kind != NST_K_CLONE3 &&
		    e->kind != NST_K_FORK) {
			add_visit(&from->leaves, &from->nleaves, &from->cap_l, e, e->after[i]);
			member_delta(from, -1);
		}
	}
}

struct print_ctx {
	FILE *out;
	const struct recording *rec;
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
	struct print_ctx *pc = ctx;
	struct life *l = n->priv;
	const char *type = nst_type_name(n->type);
	char wall[48];

	if (!n->creator_pid && (!l || (!l->njoins && !l->nleaves)))
		return;	/* only seen, never used: not worth a lifecycle */
	fprintf(pc->out, "  %s:[%u]%s\n", type, n->ino, n->gen ? " (inode reused)" : "");
	nst_wall_str(&pc->rec->fmt, n->first_seen_ns, wall, sizeof(wall));
	if (n->creator_pid)
		fprintf(pc->out, "    created %s by pid %u via %s, from %s:[%u]\n", wall + 11,
			n->creator_pid, nst_kind_name(n->kind), type, l ? l->parent : 0);
	else
		fprintf(pc->out, "    existed before the recording (first seen %s)\n", wall + 11);
	if (!l)
		return;
	print_visits(pc->out, "joined", l->joins, l->njoins, &pc->rec->fmt, type);
	print_visits(pc->out, "left", l->leaves, l->nleaves, &pc->rec->fmt, type);
	fprintf(pc->out, "    members: at most %ld at once, %ld at the end of the recording\n",
		l->max_members, l->members < 0 ? 0 : l->members);
}

static void free_life(void *ctx, struct nsreg_ns *n)
{
	struct life *l = n->priv;

	if (!l)
		return;
	free(l->joins);
	free(l->leaves);
	free(l);
	n->priv = NULL;
}

static const struct recording *sort_rec;

static int by_pid(const void *a, const void *b)
{
	const struct nst_event *x = &sort_rec->ev[*(const size_t *)a];
	const struct nst_event *y = &sort_rec->ev[*(const size_t *)b];

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static void print_processes(const struct recording *rec, FILE *out)
{
	size_t *idx = malloc(sizeof(size_t) * (rec->n ? rec->n : 1));
	char wall[48], detail[1024];
	__u32 cur = 0;

	if (!idx)
		return;
	for (size_t i = 0; i < rec->n; i++)
		idx[i] = i;
	sort_rec = rec;
	qsort(idx, rec->n, sizeof(size_t), by_pid);
	fprintf(out, "\nProcesses (namespace transitions, with syscall latency)\n");
	for (size_t k = 0; k < rec->n; k++) {
		const struct nst_event *e = &rec->ev[idx[k]];

		if (e->pid != cur || k == 0) {
			cur = e->pid;
			fprintf(out, "  pid %u (%.*s), ppid %u\n", e->pid, NST_COMM_LEN, e->comm,
				e->ppid);
		}
		nst_wall_str(&rec->fmt, e->ts_ns, wall, sizeof(wall));
		nst_event_detail(e, &rec->fmt, detail, sizeof(detail));
		fprintf(out, "    %s %-7s %8.1f us  ret %-6lld %s\n", wall + 11, nst_kind_name(e->kind),
			e->lat_ns / 1000.0, (long long)e->ret, detail);
	}
	free(idx);
}

int report_text(const struct recording *rec, FILE *out)
{
	struct nsreg *reg = nsreg_new();
	struct print_ctx pc = { out, rec };
	char wall[48];

	if (!reg)
		return -1;
	fprintf(out, "Recording: host %s, kernel %s, backend %s, tier %s\n  filters: %s\n"
		"  %zu events", rec->meta.host, rec->meta.kernel, rec->meta.backend, rec->meta.tier,
		rec->meta.filters, rec->n);
	fprintf(out, ", %llu lost in the kernel\n",
		rec->nlost ? (unsigned long long)rec->lost[rec->nlost - 1].total : 0ULL);
	for (size_t i = 0; i < rec->nlost; i++)
		fprintf(out, "  LOST: %llu events in total by %s\n",
			(unsigned long long)rec->lost[i].total,
			nst_wall_str(&rec->fmt, rec->lost[i].ts_ns, wall, sizeof(wall)));
	for (size_t i = 0; i < rec->n; i++) {
		nsreg_account(reg, &rec->ev[i]);
		if (rec->ev[i].ret >= 0 || rec->ev[i].kind == NST_K_EXIT)
			track(reg, &rec->ev[i]);
	}
	fprintf(out, "\nNamespaces (created, joined, left, members)\n");
	nsreg_for_each(reg, print_ns, &pc);
	print_processes(rec, out);
	nsreg_print_summary(reg, out, rec->nlost ? rec->lost[rec->nlost - 1].total : 0,
			    rec->meta.backend, rec->meta.tier);
	nsreg_for_each(reg, free_life, NULL);
	nsreg_free(reg);
	return 0;
}
