// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace ls --containers and --compare (ls_views.h): the questions people
 * bring about containers, "which namespaces does web1 share with web2?",
 * answered in their words, from the same inventory as ls.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libsmartcols/libsmartcols.h>
#include "cli.h"
#include "cmds.h"
#include "columns.h"
#include "ls_ctr.h"
#include "ls_views.h"
#include "parse.h"

const char ls_output_all[] = "(all)";

/* One row of either view. */
struct vrow {
	struct inventory *inv;
	struct ls_ctrs *cs;
	const struct ls_ctr *c; /* --containers */
	enum nst_type t; /* --compare */
	__u32 a, b;
	bool json;
};

struct vcol {
	const char *name;
	const char *help;
	int json_type; /* SCOLS_JSON_* */
	int width;
	void (*get)(const struct vrow *r, enum nst_type t, char *buf, size_t len);
	enum nst_type t; /* the namespace type of a per-type column */
};

static void g_name(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	snprintf(b, l, "%s", r->c->rt.name);
}

/* 12 characters as docker ps shows them; JSON has the whole id */
static void g_id(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	snprintf(b, l, "%.*s", r->json ? (int)l : 12, r->c->id);
}

static void g_pid(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	if (r->c->pid)
		snprintf(b, l, "%d", (int)r->c->pid);
}

static void g_pod(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	snprintf(b, l, "%s", r->c->pod);
}

static void g_runtime(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	snprintf(b, l, "%s", r->c->runtime);
}

static void g_sharing(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	snprintf(b, l, "%s", ls_ctrs_sharing(r->cs, r->inv, r->c, t));
}

static void g_ino(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	if (r->c->ns[t])
		snprintf(b, l, "%u", r->c->ns[t]);
}

#define SHARE_COL(NAME, T)                                                                   \
	{                                                                                    \
		NAME, "its " #T " namespace: own, host, or the container it shares it with", \
			SCOLS_JSON_STRING, 6, g_sharing, NST_T_##T                           \
	}
#define INO_COL(NAME, T)                                                                        \
	{                                                                                       \
		NAME "_INO", "the inode of its " #T " namespace", SCOLS_JSON_NUMBER, 10, g_ino, \
			NST_T_##T                                                               \
	}

static const struct vcol ctr_cols[] = {
	{ "NAME", "container name, as the runtime says (empty when it did not answer)",
	  SCOLS_JSON_STRING, 0, g_name, NST_T_COUNT },
	{ "ID", "container id (12 characters; JSON: all of it)", SCOLS_JSON_STRING, 12, g_id,
	  NST_T_COUNT },
	{ "PID", "its first process (State.Pid), else its lowest", SCOLS_JSON_NUMBER, 5, g_pid,
	  NST_T_COUNT },
	{ "POD", "Kubernetes pod: namespace/name, else its uid", SCOLS_JSON_STRING, 0, g_pod,
	  NST_T_COUNT },
	{ "RUNTIME", "docker, podman, or what its cgroup path says", SCOLS_JSON_STRING, 0,
	  g_runtime, NST_T_COUNT },
	SHARE_COL("MNT", MNT),
	SHARE_COL("UTS", UTS),
	SHARE_COL("IPC", IPC),
	SHARE_COL("PIDNS", PID),
	SHARE_COL("NET", NET),
	SHARE_COL("USER", USER),
	SHARE_COL("CGROUP", CGROUP),
	SHARE_COL("TIME", TIME),
	INO_COL("MNT", MNT),
	INO_COL("UTS", UTS),
	INO_COL("IPC", IPC),
	INO_COL("PIDNS", PID),
	INO_COL("NET", NET),
	INO_COL("USER", USER),
	INO_COL("CGROUP", CGROUP),
	INO_COL("TIME", TIME),
};
#define NCTR_COLS ((int)(sizeof(ctr_cols) / sizeof(ctr_cols[0])))

static void g_type(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	snprintf(b, l, "%s", nst_type_name(r->t));
}

static void g_a(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	if (r->a)
		snprintf(b, l, "%u", r->a);
}

static void g_b(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	if (r->b)
		snprintf(b, l, "%u", r->b);
}

/* empty where either side is not known (a type the kernel lacks) */
static void g_same(const struct vrow *r, enum nst_type t, char *b, size_t l)
{
	if (r->a && r->b)
		snprintf(b, l, "%s", r->a == r->b ? "yes" : "no");
}

static const struct vcol cmp_cols[] = {
	{ "TYPE", "kind of namespace", SCOLS_JSON_STRING, 6, g_type, NST_T_COUNT },
	{ "A", "the first one's namespace (inode number)", SCOLS_JSON_NUMBER, 10, g_a,
	  NST_T_COUNT },
	{ "B", "the second one's namespace (inode number)", SCOLS_JSON_NUMBER, 10, g_b,
	  NST_T_COUNT },
	{ "SAME", "whether they are in the same one: yes or no", SCOLS_JSON_BOOLEAN, 4, g_same,
	  NST_T_COUNT },
};
#define NCMP_COLS ((int)(sizeof(cmp_cols) / sizeof(cmp_cols[0])))

static const char *ctr_name(int i)
{
	return ctr_cols[i].name;
}

static void ctr_help(FILE *out, int i)
{
	fprintf(out, "%10s  %s\n", ctr_cols[i].name, ctr_cols[i].help);
}

static const char *cmp_name(int i)
{
	return cmp_cols[i].name;
}

static void cmp_help(FILE *out, int i)
{
	fprintf(out, "%10s  %s\n", cmp_cols[i].name, cmp_cols[i].help);
}

static const struct col_table ctr_table = { NCTR_COLS, ctr_name, ctr_help, "", true };
static const struct col_table cmp_table = { NCMP_COLS, cmp_name, cmp_help, "", true };

/* A view: its columns, and those chosen. */
struct view {
	const char *name; /* the JSON table's */
	const struct vcol *cols;
	const struct col_table *table;
	int sel[NCTR_COLS * 2];
	int nsel;
};

/* The default, then each -o and --output-all in the order given; -1 after an error message. */
static int view_choose(struct view *w, const struct ls_view_opts *v, const char *defaults)
{
	struct col_choice c = { w->sel, 0, NCTR_COLS * 2 };
	char err[4096]; /* room for an unknown name given in full */
	int ret = col_parse(w->table, &c, defaults, err, sizeof(err));

	for (int i = 0; !ret && i < v->nouts; i++) {
		if (v->outs[i] == ls_output_all)
			col_choose_all(w->table, &c);
		else
			ret = col_parse(w->table, &c, v->outs[i], err, sizeof(err));
	}
	w->nsel = c.n;
	if (ret)
		nst_errorf("%s", err);
	return ret;
}

static struct libscols_table *view_table(const struct view *w, const struct ls_view_opts *v)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_table_enable_json(tb, v->json);
	scols_table_set_name(tb, w->name);
	scols_table_enable_raw(tb, v->raw);
	scols_table_enable_noheadings(tb, v->noheadings);
	for (int c = 0; c < w->nsel; c++) {
		const struct vcol *col = &w->cols[w->sel[c]];
		int flags = col->json_type == SCOLS_JSON_NUMBER ? SCOLS_FL_RIGHT : 0;
		struct libscols_column *cl =
			scols_table_new_column(tb, col->name, col->width, flags);

		if (cl)
			scols_column_set_json_type(cl, col->json_type);
	}
	return tb;
}

static void view_line(struct libscols_table *tb, const struct view *w, const struct vrow *r)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	char buf[1024];

	for (int c = 0; ln && c < w->nsel; c++) {
		const struct vcol *col = &w->cols[w->sel[c]];

		buf[0] = '\0';
		col->get(r, col->t, buf, sizeof(buf));
		if (buf[0])
			scols_line_set_data(ln, c, buf);
	}
}

static int view_print(struct libscols_table *tb)
{
	scols_table_set_stream(tb, stdout);
	scols_print_table(tb);
	scols_unref_table(tb);
	return nst_finish_stdout();
}

static int collect(struct inventory *inv, const struct ls_view_opts *v)
{
	char err[512];

	if (!inv_collect(inv, v->force_proc, v->verbose, err, sizeof(err)))
		return 0;
	nst_errorf("%s", err);
	return -1;
}

/*
 * The columns, then the inventory: true to go on; false when done (the
 * columns listed, or an error), with the exit status in *status.
 */
static bool view_begin(struct view *w, const struct ls_view_opts *v, const char *defaults,
		       struct inventory *inv, int *status)
{
	*status = NST_EXIT_USAGE;
	if (view_choose(w, v, defaults))
		return false;
	*status = NST_EXIT_OK;
	if (v->list_columns) {
		col_print_help(w->table, stdout);
		return false;
	}
	*status = NST_EXIT_FAIL;
	return !collect(inv, v);
}

static int load_ctrs(struct ls_ctrs *cs, struct inventory *inv, const struct ls_view_opts *v)
{
	int ret = ls_ctrs_load(cs, inv, NULL, v->verbose ? stderr : NULL);

	if (ret)
		nst_errorf("failed to list the containers: %s", strerror(-ret));
	return ret;
}

int ls_containers_view(const struct ls_view_opts *v)
{
	struct view w = { .name = "containers", .cols = ctr_cols, .table = &ctr_table };
	struct inventory inv;
	struct ls_ctrs cs;
	struct libscols_table *tb;
	int ret;

	if (!view_begin(&w, v, v->json ? LS_CONTAINERS_JSON_DEFAULT : LS_CONTAINERS_DEFAULT, &inv,
			&ret))
		return ret;
	ret = NST_EXIT_FAIL;
	if (!load_ctrs(&cs, &inv, v)) {
		tb = view_table(&w, v);
		for (size_t i = 0; tb && i < cs.n; i++) {
			struct vrow r = { &inv, &cs, &cs.c[i], .json = v->json };

			view_line(tb, &w, &r);
		}
		ret = tb ? view_print(tb) : NST_EXIT_FAIL;
		if (!tb)
			nst_errorf("failed to build the table: out of memory");
		/* an empty table prints nothing at all, as lsns does: say why */
		if (tb && !cs.n && !v->json)
			fprintf(stderr, "nstrace ls: no containers are running\n");
		ls_ctrs_free(&cs);
	}
	inv_free(&inv);
	return ret;
}

/* A side of --compare */
struct side {
	const char *arg;
	pid_t pid;
	char what[NST_CTR_NAME_LEN + 32]; /* "web1 (pid 4242)" */
};

static bool is_pid(const char *s)
{
	return s[0] && strspn(s, "0123456789") == strlen(s);
}

/* Some namespace of the process can be read: from the iterator, or /proc/PID/ns. */
static int readable(const struct inventory *inv, const struct side *s)
{
	for (int t = 0; t < NST_T_COUNT; t++)
		if (ls_task_ns(inv, s->pid, t))
			return NST_EXIT_OK;
	nst_errorf("failed to read the namespaces of %s: not in the inventory, and /proc/%d/ns: %s",
		   s->what, (int)s->pid, strerror(errno ? errno : EACCES));
	return NST_EXIT_FAIL;
}

/*
 * A PID that runs, or a container (the runtime is asked once, for both
 * sides): NST_EXIT_OK, or the exit status after an error message.
 */
static int resolve(struct side *s, struct inventory *inv, struct ls_ctrs *cs, bool *loaded,
		   const struct ls_view_opts *v)
{
	char err[2048];
	long pid;
	int ci;

	if (is_pid(s->arg)) {
		if (nst_parse_long(s->arg, 1, 0x7fffffff, "pid", &pid, err, sizeof(err))) {
			nst_errorf("%s", err);
			return NST_EXIT_USAGE;
		}
		if (!inv_task_of(inv, (__u32)pid) && kill((pid_t)pid, 0) && errno == ESRCH) {
			nst_errorf("failed to find process %ld: no such process", pid);
			return NST_EXIT_USAGE;
		}
		s->pid = (pid_t)pid;
		snprintf(s->what, sizeof(s->what), "pid %ld", pid);
		return readable(inv, s);
	}
	if (!*loaded && load_ctrs(cs, inv, v))
		return NST_EXIT_FAIL;
	*loaded = true;
	ci = ls_ctrs_find(cs, s->arg, err, sizeof(err));
	if (ci < 0) {
		nst_errorf("%s", err);
		return NST_EXIT_USAGE;
	}
	s->pid = cs->c[ci].pid;
	snprintf(s->what, sizeof(s->what), "%s (pid %d)", cs->c[ci].label, (int)s->pid);
	return NST_EXIT_OK;
}

static int compare_print(struct inventory *inv, const struct side *a, const struct side *b,
			 const struct view *w, const struct ls_view_opts *v)
{
	struct libscols_table *tb = view_table(w, v);
	char title[2 * sizeof(a->what) + 16];

	if (!tb) {
		nst_errorf("failed to build the table: out of memory");
		return NST_EXIT_FAIL;
	}
	/* which is A and which is B, where a person reads it */
	if (!v->json && !v->raw && !v->noheadings) {
		snprintf(title, sizeof(title), "A: %s, B: %s", a->what, b->what);
		scols_cell_set_data(scols_table_get_title(tb), title);
	}
	for (int i = 0; i < NST_T_COUNT; i++) {
		enum nst_type t = nst_types_lsns[i];
		struct vrow r = { inv,
				  NULL,
				  NULL,
				  t,
				  ls_task_ns(inv, a->pid, t),
				  ls_task_ns(inv, b->pid, t),
				  v->json };

		view_line(tb, w, &r);
	}
	return view_print(tb);
}

int ls_compare_view(const struct ls_view_opts *v, const char *a, const char *b)
{
	struct view w = { .name = "compare", .cols = cmp_cols, .table = &cmp_table };
	struct side sa = { .arg = a }, sb = { .arg = b };
	struct inventory inv;
	struct ls_ctrs cs = { 0 };
	bool loaded = false;
	int ret;

	if (!view_begin(&w, v, LS_COMPARE_DEFAULT, &inv, &ret))
		return ret;
	ret = resolve(&sa, &inv, &cs, &loaded, v);
	if (ret == NST_EXIT_OK)
		ret = resolve(&sb, &inv, &cs, &loaded, v);
	if (ret == NST_EXIT_OK)
		ret = compare_print(&inv, &sa, &sb, &w, v);
	ls_ctrs_free(&cs);
	inv_free(&inv);
	return ret;
}
