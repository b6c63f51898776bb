// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace report, pictures: Chrome Trace Event JSON (Perfetto, chrome://
 * tracing) and a self-contained SVG timeline with one swimlane per process.
 */
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "nsreg.h"
#include "pidmap.h"
#include "report.h"

static bool is_call(const struct nst_event *e)
{
	return e->kind == NST_K_CLONE || e->kind == NST_K_CLONE3 || e->kind == NST_K_UNSHARE ||
	       e->kind == NST_K_SETNS;
}

static double us(const struct recording *rec, __u64 ts)
{
	return (ts - rec->ev[0].ts_ns) / 1000.0;
}

/* The pid's cgroup that names it: its first container's, else its first. */
static __u64 *proc_cgroups(const struct recording *rec, struct pidmap *pm)
{
	__u64 *cg = calloc(rec->n ? rec->n : 1, sizeof(*cg));

	for (size_t i = 0; cg && i < rec->n; i++) {
		const struct nst_event *e = &rec->ev[i];
		const struct nst_id_entry *now, *was;
		bool added;
		ssize_t k = pidmap_get(pm, e->pid, &added);

		if (k < 0)
			continue;
		now = rec_idents_cgroup(rec->ids, e->cgroup_id);
		was = rec_idents_cgroup(rec->ids, cg[k]);
		if (added || (now && now->container && !(was && was->container)))
			cg[k] = e->cgroup_id;
	}
	return cg;
}

/*
 * Process names: one track per process, named "comm (pid)", and
 * "comm (pid) web1" for a process of container web1.
 */
static void chrome_names(struct jw *w, const struct recording *rec)
{
	const struct nst_id_entry *x;
	char name[64 + NST_CTR_NAME_LEN], label[NST_CTR_NAME_LEN];
	struct pidmap pm, seen;
	__u64 *cg;

	if (pidmap_init(&pm, rec->n))
		return;
	if (pidmap_init(&seen, rec->n)) {
		pidmap_free(&pm);
		return;
	}
	cg = proc_cgroups(rec, &pm);
	for (size_t i = 0; cg && i < rec->n; i++) {
		const struct nst_event *e = &rec->ev[i];
		bool added;
		ssize_t k = pidmap_get(&pm, e->pid, &added);

		pidmap_get(&seen, e->pid, &added);
		if (!added || k < 0)
			continue;
		x = rec_idents_cgroup(rec->ids, cg[k]);
		snprintf(name, sizeof(name), "%.*s (%u)%s%s", NST_COMM_LEN, e->comm, e->pid,
			 x && x->container ? " " : "",
			 x && x->container ? nst_ctr_label(&x->info, label, sizeof(label)) : "");
		jw_obj_open(w, NULL);
		jw_str(w, "ph", "M");
		jw_str(w, "name", "process_name");
		jw_u64(w, "pid", e->pid);
		jw_obj_open(w, "args");
		jw_str(w, "name", name);
		jw_obj_close(w);
		jw_obj_close(w);
	}
	free(cg);
	pidmap_free(&seen);
	pidmap_free(&pm);
}

static void chrome_event(struct jw *w, const struct recording *rec, const struct nst_event *e)
{
	char detail[1024];

	nst_event_detail(e, &rec->fmt, detail, sizeof(detail));
	jw_obj_open(w, NULL);
	jw_str(w, "name", nst_kind_name(e->kind));
	jw_str(w, "cat", "namespace");
	jw_u64(w, "pid", e->pid);
	jw_u64(w, "tid", e->tid);
	if (is_call(e)) {
		/* a duration slice covering the syscall */
		jw_str(w, "ph", "X");
		jw_double(w, "ts", us(rec, e->ts_ns) - e->lat_ns / 1000.0);
		jw_double(w, "dur", e->lat_ns / 1000.0);
	} else {
		jw_str(w, "ph", "i");
		jw_str(w, "s", "t");
		jw_double(w, "ts", us(rec, e->ts_ns));
	}
	jw_obj_open(w, "args");
	jw_str(w, "detail", detail);
	jw_i64(w, "ret", e->ret);
	jw_obj_close(w);
	jw_obj_close(w);
}

/* One end of a flow arrow: "s" at the creator, "f" at the joiner. */
static void flow_end(struct jw *w, const char *ph, __u64 id, const struct nsreg_ns *n, __u32 pid,
		     __u32 tid, double ts)
{
	jw_obj_open(w, NULL);
	jw_str(w, "ph", ph);
	if (ph[0] == 'f')
		jw_str(w, "bp", "e");
	jw_str(w, "name", nst_type_name(n->type));
	jw_str(w, "cat", "ns-flow");
	jw_u64(w, "id", id);
	jw_u64(w, "pid", pid);
	jw_u64(w, "tid", tid);
	jw_double(w, "ts", ts);
	jw_obj_close(w);
}

/* Flow arrows: from the call that created a namespace to each setns into it. */
static void chrome_flows(struct jw *w, const struct recording *rec, struct nsreg *reg)
{
	__u64 id = 0;

	for (size_t i = 0; i < rec->n; i++) {
		const struct nst_event *e = &rec->ev[i];
		__u32 changed = nst_changed_slots(e);

		if (e->kind != NST_K_SETNS || e->ret < 0)
			continue;
		for (int s = 0; s < NST_NS_COUNT; s++) {
			const struct nsreg_ns *n;

			if (!(changed & (1U << s)) || s == NST_NS_TIME_FC)
				continue;
			n = nsreg_lookup(reg, nst_slot_type(s), e->after[s]);
			if (!n || !n->creator_pid || n->first_seen_ns > e->ts_ns)
				continue;
			id++;
			flow_end(w, "s", id, n, n->creator_pid, n->creator_pid,
				 us(rec, n->first_seen_ns));
			flow_end(w, "f", id, n, e->pid, e->tid, us(rec, e->ts_ns));
		}
	}
}

/* Counter track: namespaces created during the recording and not yet freed or emptied. */
static void chrome_counters(struct jw *w, const struct recording *rec, struct nsreg *reg, size_t i)
{
	const struct nsreg_stats *st = nsreg_stats(reg);

	jw_obj_open(w, NULL);
	jw_str(w, "ph", "C");
	jw_str(w, "name", "namespaces created");
	jw_u64(w, "pid", 0);
	jw_double(w, "ts", us(rec, rec->ev[i].ts_ns));
	jw_obj_open(w, "args");
	for (int t = 0; t < NST_T_COUNT; t++)
		jw_u64(w, nst_type_name(t), st->created[t]);
	jw_obj_close(w);
	jw_obj_close(w);
}

int report_chrome(const struct recording *rec, FILE *out)
{
	struct nsreg *reg = nsreg_new();
	struct jw w;

	if (!reg)
		return -1;
	jw_init(&w, out);
	jw_obj_open(&w, NULL);
	jw_str(&w, "displayTimeUnit", "ns");
	jw_arr_open(&w, "traceEvents");
	chrome_names(&w, rec);
	for (size_t i = 0; i < rec->n; i++) {
		nsreg_account(reg, &rec->ev[i]);
		chrome_event(&w, rec, &rec->ev[i]);
		if (rec->ev[i].kind != NST_K_EXEC && rec->ev[i].kind != NST_K_EXIT)
			chrome_counters(&w, rec, reg, i);
	}
	chrome_flows(&w, rec, reg);
	jw_arr_close(&w);
	jw_obj_close(&w);
	fputc('\n', out);
	nsreg_free(reg);
	return 0;
}

/* ---- SVG: one swimlane per process ---- */

#define LANE 18
#define LEFT 170
#define WIDTH 1100
#define BANDS 4

static const int band_slot[BANDS] = { NST_NS_MNT, NST_NS_PID, NST_NS_NET, NST_NS_UTS };

/* The same namespace is always the same colour. */
static void ns_colour(__u32 ino, char *buf, size_t len)
{
	snprintf(buf, len, "hsl(%u,65%%,%u%%)", (ino * 2654435761U >> 8) % 360,
		 45 + (ino * 40503U >> 4) % 20);
}

struct lane {
	__u32 pid;
	char comm[NST_COMM_LEN];
	size_t first, last; /* event indices */
};

static size_t collect_lanes(const struct recording *rec, struct lane *lanes)
{
	struct pidmap pm;
	size_t n;

	if (pidmap_init(&pm, rec->n))
		return 0;
	for (size_t i = 0; i < rec->n; i++) {
		bool added;
		ssize_t l = pidmap_get(&pm, rec->ev[i].pid, &added);

		if (l < 0)
			break;
		if (added) {
			lanes[l].pid = rec->ev[i].pid;
			memcpy(lanes[l].comm, rec->ev[i].comm, NST_COMM_LEN);
			lanes[l].first = i;
		}
		lanes[l].last = i;
	}
	n = pidmap_count(&pm);
	pidmap_free(&pm);
	return n;
}

static double svg_x(const struct recording *rec, __u64 ts)
{
	__u64 span = rec->ev[rec->n - 1].ts_ns - rec->ev[0].ts_ns;

	return LEFT + (span ? (double)(ts - rec->ev[0].ts_ns) * (WIDTH - LEFT - 20) / span : 0);
}

static void svg_lane(FILE *out, const struct recording *rec, const struct lane *l, int y)
{
	__u32 cur[BANDS] = {};
	double x0[BANDS];
	char col[32];

	fprintf(out, "<text x='4' y='%d' class='l'>%.*s (%u)</text>\n", y + LANE - 5, NST_COMM_LEN,
		l->comm, l->pid);
	for (int b = 0; b < BANDS; b++)
		x0[b] = svg_x(rec, rec->ev[l->first].ts_ns);
	for (size_t i = l->first; i <= l->last; i++) {
		const struct nst_event *e = &rec->ev[i];

		if (e->pid != l->pid)
			continue;
		for (int b = 0; b < BANDS; b++) {
			/* a clone's "after" is the child's: the caller keeps its own */
			__u32 now = (e->kind == NST_K_CLONE || e->kind == NST_K_CLONE3 ||
				     e->kind == NST_K_FORK)
					    ? e->before[band_slot[b]]
					    : e->after[band_slot[b]];
			double x = svg_x(rec, e->ts_ns);

			if (!cur[b])
				cur[b] = e->before[band_slot[b]];
			if (now == cur[b] && i != l->last)
				continue;
			ns_colour(cur[b], col, sizeof(col));
			fprintf(out,
				"<rect x='%.1f' y='%d' width='%.1f' height='3' fill='%s'>"
				"<title>%s:[%u]</title></rect>\n",
				x0[b], y + 2 + 4 * b, x - x0[b] > 1 ? x - x0[b] : 1, col,
				nst_slot_name(band_slot[b]), cur[b]);
			cur[b] = now;
			x0[b] = x;
		}
		if (nst_changed_slots(e) && e->kind != NST_K_EXEC)
			fprintf(out, "<path d='M%.1f %d v%d' class='m'><title>%s</title></path>\n",
				svg_x(rec, e->ts_ns), y, LANE - 2, nst_kind_name(e->kind));
	}
}

int report_svg(const struct recording *rec, FILE *out)
{
	struct lane *lanes = calloc(rec->n ? rec->n : 1, sizeof(*lanes));
	size_t n;

	if (!lanes)
		return -1;
	n = rec->n ? collect_lanes(rec, lanes) : 0;
	fprintf(out,
		"<?xml version='1.0' encoding='UTF-8'?>\n"
		"<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%zu' "
		"font-family='sans-serif' font-size='11'>\n"
		"<style>.l{fill:#222}.m{stroke:#000;stroke-width:1}</style>\n"
		"<rect width='100%%' height='100%%' fill='white'/>\n"
		"<text x='4' y='16' font-weight='bold'>nstrace report: %zu processes, %zu events "
		"(bands per lane: mnt, pid, net, uts; colour = namespace; ticks = transitions)"
		"</text>\n",
		WIDTH, 40 + n * LANE, n, rec->n);
	for (size_t i = 0; i < n; i++)
		svg_lane(out, rec, &lanes[i], 30 + i * LANE);
	fprintf(out, "</svg>\n");
	free(lanes);
	return 0;
}
