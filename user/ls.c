// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace ls: every namespace on the machine, like lsns, plus the ones only
 * a bind mount or an fd keeps alive, their parent and owner, and the
 * container and pod they belong to. One column table drives -o, -J and help.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libsmartcols/libsmartcols.h>
#include "cli.h"
#include "cmds.h"
#include "columns.h"
#include "event.h"
#include "recfile.h"
#include "inventory.h"
#include "ls_ctr.h"
#include "ls_views.h"
#include "nsreg.h"
#include "parse.h"
#include "nsrt.h"
#include "privs.h"

/* What a column's value comes from. */
struct ls_ctx {
	struct inventory *inv;
	struct ls_ctrs *ctrs; /* NULL when no chosen column needs them */
};

struct ls_col {
	const char *name;
	const char *help;
	int json_type; /* SCOLS_JSON_* */
	int width;
	void (*get)(struct ls_ctx *x, struct inv_ns *n, char *buf, size_t len);
	bool ctr; /* needs the containers (ls_ctr.c) */
};

static void g_ns(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%u", n->ino);
}

static void g_type(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%s", nst_type_name(n->type));
}

static void g_nprocs(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%d", n->nprocs);
}

/* lsns leaves PID and friends empty for a namespace without processes */
static void g_pid(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	if (n->pid)
		snprintf(b, l, "%u", n->pid);
}

static void g_ppid(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	if (n->pid)
		snprintf(b, l, "%u", n->ppid);
}

/* getpwuid reads the passwd database each time: remember the last answer */
static void g_user(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	static char name[64];
	static __u32 uid = (__u32)-1;
	struct passwd *pw;

	if (!n->pid)
		return;
	if (n->uid != uid) {
		pw = getpwuid(n->uid);
		if (pw)
			snprintf(name, sizeof(name), "%s", pw->pw_name);
		else
			snprintf(name, sizeof(name), "%u", n->uid);
		uid = n->uid;
	}
	snprintf(b, l, "%s", name);
}

static void g_command(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%s", inv_command(x->inv, n));
}

static void g_holders(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	if (n->holders[0])
		snprintf(b, l, "%s", n->holders);
	else if (n->nprocs)
		snprintf(b, l, "processes");
}

static void g_parent(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	if (n->parent)
		snprintf(b, l, "%u", n->parent);
}

static void g_owner(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	if (n->owner)
		snprintf(b, l, "%u", n->owner);
}

/* the name, else the id's first 12 characters */
static void g_container(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	const struct ls_ctr *c = ls_ctrs_of_ns(x->ctrs, x->inv, n);

	if (c)
		snprintf(b, l, "%s", c->label);
}

static void g_containers(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	ls_ctrs_members(x->ctrs, (size_t)(n - x->inv->ns), b, l);
}

static void g_pod(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	char pod[NST_CTR_NAME_LEN + 64];

	snprintf(b, l, "%s", ls_ctrs_pod_of_ns(x->ctrs, x->inv, n, pod, sizeof(pod)));
}

static void g_fds(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%d", n->open_fds);
}

static void g_created(struct ls_ctx *x, struct inv_ns *n, char *b, size_t l)
{
	struct nst_fmt f = { 0 };

	if (n->created_wall_ns)
		nst_wall_str(&f, n->created_wall_ns, b, l);
}

static const struct ls_col cols[] = {
	{ "NS", "namespace identifier (inode number)", SCOLS_JSON_NUMBER, 10, g_ns, false },
	{ "TYPE", "kind of namespace", SCOLS_JSON_STRING, 5, g_type, false },
	{ "NPROCS", "number of processes in the namespace", SCOLS_JSON_NUMBER, 5, g_nprocs, false },
	{ "PID", "lowest PID in the namespace", SCOLS_JSON_NUMBER, 5, g_pid, false },
	{ "PPID", "PPID of the PID", SCOLS_JSON_NUMBER, 5, g_ppid, false },
	{ "USER", "username of the PID", SCOLS_JSON_STRING, 0, g_user, false },
	{ "COMMAND", "command line of the PID", SCOLS_JSON_STRING, 0, g_command, false },
	{ "HOLDERS", "what keeps it alive: processes, mount:PATH, fd:PID/FD, TYPE_for_children:PID",
	  SCOLS_JSON_STRING, 0, g_holders, false },
	{ "FDS", "open namespace fds referring to it", SCOLS_JSON_NUMBER, 3, g_fds, false },
	{ "PARENT", "parent namespace (pid and user namespaces)", SCOLS_JSON_NUMBER, 10, g_parent,
	  false },
	{ "OWNER", "owning user namespace", SCOLS_JSON_NUMBER, 10, g_owner, false },
	{ "CONTAINER", "container of the PID: its name, else its id (12 characters)",
	  SCOLS_JSON_STRING, 12, g_container, true },
	{ "CONTAINERS", "every container with a process in it or a hold on it", SCOLS_JSON_STRING,
	  0, g_containers, true },
	{ "POD", "Kubernetes pod of the PID: namespace/name, else its uid", SCOLS_JSON_STRING, 0,
	  g_pod, true },
	{ "CREATED", "when it was created, if --from RECORDING (or serve) saw it",
	  SCOLS_JSON_STRING, 0, g_created, false },
};
#define NCOLS ((int)(sizeof(cols) / sizeof(cols[0])))

struct ls_opts {
	int sel[NCOLS * 2];
	int nsel;
	int type; /* -1: all */
	pid_t task;
	const char *container; /* --container: only its namespaces */
	bool containers, list_columns; /* --containers: the sharing view */
	const char *compare; /* --compare A B: A; B is the argument left over */
	struct ls_view_opts view; /* -J, -r, -n, -o, --proc, -v: for every view */
	bool tree;
	const char *from; /* a recording that may have seen the creations */
	const struct inv_created_src *created;
	struct nst_runtimes *rt; /* serve's; NULL: ls opens one when a column needs names */
};

static const char *col_name(int i)
{
	return cols[i].name;
}

static void col_help(FILE *out, int i)
{
	fprintf(out, "%10s  %s\n", cols[i].name, cols[i].help);
}

static const struct col_table col_table = {
	.ncols = NCOLS,
	.name = col_name,
	.help = col_help,
	.unknown_hint = "",
	.drop_extra = true,
};

static int parse_cols(struct ls_opts *o, const char *list)
{
	struct col_choice c = { o->sel, o->nsel, NCOLS * 2 };
	char err[4096]; /* room for an unknown name given in full */
	int ret = col_parse(&col_table, &c, list, err, sizeof(err));

	o->nsel = c.n;
	if (ret)
		nst_errorf("%s", err);
	return ret;
}

static void choose_all(struct ls_opts *o)
{
	struct col_choice c = { o->sel, 0, NCOLS * 2 };

	col_choose_all(&col_table, &c);
	o->nsel = c.n;
}

/* The default columns, then each -o and --output-all in the order given. */
static int choose_cols(struct ls_opts *o)
{
	const struct ls_view_opts *v = &o->view;

	if (parse_cols(o, "NS,TYPE,NPROCS,PID,USER,COMMAND"))
		return -1;
	for (int i = 0; i < v->nouts; i++) {
		if (v->outs[i] == ls_output_all)
			choose_all(o);
		else if (parse_cols(o, v->outs[i]))
			return -1;
	}
	return 0;
}

/* --task: only the namespaces of that process */
static bool in_task(pid_t pid, const struct inv_ns *n)
{
	return nsrt_ns_ino(pid, nst_type_name(n->type)) == n->ino;
}

static struct libscols_line *add_line(struct libscols_table *tb, const struct ls_opts *o,
				      struct ls_ctx *x, struct inv_ns *n,
				      struct libscols_line *parent)
{
	struct libscols_line *ln = scols_table_new_line(tb, parent);
	char buf[8192];

	for (int c = 0; ln && c < o->nsel; c++) {
		buf[0] = '\0';
		cols[o->sel[c]].get(x, n, buf, sizeof(buf));
		if (buf[0])
			scols_line_set_data(ln, c, buf);
	}
	return ln;
}

/*
 * --tree: user namespaces nest by parent, pid namespaces by parent, the
 * others hang off their owning user namespace. Returns the index of the
 * parent in the inventory, or -1.
 */
static long tree_parent(const struct inventory *inv, size_t i)
{
	const struct inv_ns *n = &inv->ns[i], *p;
	enum nst_type want = n->type == NST_T_PID && n->parent ? NST_T_PID : NST_T_USER;
	__u32 up = n->type == NST_T_USER || n->type == NST_T_PID ? n->parent : 0;

	if (!up && n->type != NST_T_USER)
		up = n->owner;
	p = up ? inv_lookup(inv, want, up) : NULL;
	return p && p != n ? p - inv->ns : -1;
}

/* only: the namespaces of --container, or NULL */
static bool selected(const struct ls_opts *o, const struct inv_ns *n, size_t i, const bool *only)
{
	if (o->type >= 0 && (int)n->type != o->type)
		return false;
	if (only && !only[i])
		return false;
	return !o->task || in_task(o->task, n);
}

static int add_lines(struct libscols_table *tb, const struct ls_opts *o, struct ls_ctx *x,
		     const bool *only)
{
	struct inventory *inv = x->inv;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): clang-tidy 14 on an array of pointers */
	struct libscols_line **lines = calloc(inv->n ? inv->n : 1, sizeof(*lines));
	bool progress = true;

	if (!lines)
		return -1;
	/* a child needs its parent's line: repeat until every selected line is placed */
	while (progress) {
		progress = false;
		for (size_t i = 0; i < inv->n; i++) {
			long p = o->tree ? tree_parent(inv, i) : -1;

			if (lines[i] || !selected(o, &inv->ns[i], i, only))
				continue;
			/* a parent that is listed comes first; one filtered out puts us at the top */
			if (p >= 0 && selected(o, &inv->ns[p], (size_t)p, only) && !lines[p])
				continue;
			lines[i] = add_line(tb, o, x, &inv->ns[i], p >= 0 ? lines[p] : NULL);
			progress = true;
		}
	}
	free(lines);
	return 0;
}

static struct libscols_table *make_table(const struct ls_opts *o)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_table_enable_json(tb, o->view.json);
	scols_table_set_name(tb, "namespaces");
	scols_table_enable_raw(tb, o->view.raw);
	scols_table_enable_noheadings(tb, o->view.noheadings);
	for (int c = 0; c < o->nsel; c++) {
		const struct ls_col *col = &cols[o->sel[c]];
		int flags = col->json_type == SCOLS_JSON_NUMBER ? SCOLS_FL_RIGHT : 0;
		struct libscols_column *cl;

		if (o->tree && c == 0)
			flags = SCOLS_FL_TREE;
		cl = scols_table_new_column(tb, col->name, col->width, flags);
		if (cl)
			scols_column_set_json_type(cl, col->json_type);
	}
	return tb;
}
struct rec_created {
	struct nsreg *reg;
	__s64 boot_to_wall;
};

static int rec_created_meta(void *ctx, const struct nst_rec_meta *m)
{
	((struct rec_created *)ctx)->boot_to_wall = m->boot_to_wall_ns;
	return 0;
}

static int rec_created_event(void *ctx, const struct nst_event *e)
{
	nsreg_account(((struct rec_created *)ctx)->reg, e);
	return 0;
}

/* The newest generation of the inode, if the recording saw its creation. */
static __s64 rec_created_wall_ns(void *ctx, enum nst_type type, __u32 ino)
{
	struct rec_created *c = ctx;
	const struct nsreg_ns *n = nsreg_lookup(c->reg, type, ino);

	return n && n->creator_pid ? n->first_seen_ns + c->boot_to_wall : 0;
}

static void fill_created(struct inventory *inv, const struct inv_created_src *src)
{
	for (size_t i = 0; i < inv->n; i++)
		inv->ns[i].created_wall_ns =
			src->created_wall_ns(src->ctx, inv->ns[i].type, inv->ns[i].ino);
}

/* Read the whole recording into a registry for rec_created_wall_ns(). */
static int load_rec_created(struct rec_created *c, const char *path, char *err, size_t errlen)
{
	struct nst_rec_reader_ops ops = { .meta = rec_created_meta, .event = rec_created_event };
	struct nst_rec_status st;

	c->reg = nsreg_new();
	if (!c->reg) {
		snprintf(err, errlen, "failed to read %s: out of memory", path);
		return -ENOMEM;
	}
	if (nst_rec_read_file(path, &ops, c, &st, err, errlen)) {
		nsreg_free(c->reg);
		return -1;
	}
	if (st.damaged)
		nst_warnf("warning: %s", st.warning);
	return 0;
}

static bool needs_ctrs(const struct ls_opts *o)
{
	for (int c = 0; c < o->nsel; c++)
		if (cols[o->sel[c]].ctr)
			return true;
	return o->container != NULL;
}

/* --container: the namespaces its processes are in; -EINVAL when it names none */
static int container_only(const struct ls_opts *o, struct ls_ctx *x, bool **only, char *err,
			  size_t errlen)
{
	int ci = ls_ctrs_find(x->ctrs, o->container, err, errlen);

	if (ci < 0)
		return -EINVAL;
	*only = calloc(x->inv->n ? x->inv->n : 1, sizeof(**only));
	if (!*only) {
		snprintf(err, errlen, "failed to list the namespaces: out of memory");
		return -ENOMEM;
	}
	ls_ctrs_mark(x->ctrs, x->inv, ci, *only);
	return 0;
}

static int print_table(FILE *out, const struct ls_opts *o, struct ls_ctx *x, const bool *only,
		       char *err, size_t errlen)
{
	struct libscols_table *tb = make_table(o);
	int ret = 0;

	if (!tb || add_lines(tb, o, x, only)) {
		snprintf(err, errlen, "failed to build the table");
		ret = -ENOMEM;
	} else {
		scols_table_set_stream(tb, out);
		scols_print_table(tb);
	}
	scols_unref_table(tb);
	return ret;
}

static int ls_print(FILE *out, const struct ls_opts *o, char *err, size_t errlen)
{
	struct inventory inv;
	struct ls_ctrs ctrs = { 0 };
	struct ls_ctx x = { &inv, NULL };
	bool *only = NULL;
	int ret;

	if ((ret = inv_collect(&inv, o->view.force_proc, o->view.verbose, err, errlen)))
		return ret;
	if (o->created)
		fill_created(&inv, o->created);
	if (needs_ctrs(o)) {
		ret = ls_ctrs_load(&ctrs, &inv, o->rt, o->view.verbose ? stderr : NULL);
		if (ret)
			snprintf(err, errlen, "failed to list the containers: %s", strerror(-ret));
		x.ctrs = &ctrs;
	}
	if (!ret && o->container)
		ret = container_only(o, &x, &only, err, errlen);
	if (!ret)
		ret = print_table(out, o, &x, only, err, errlen);
	free(only);
	ls_ctrs_free(&ctrs);
	inv_free(&inv);
	return ret;
}

int nst_inventory_write_json(FILE *out, const struct inv_created_src *created,
			     struct nst_runtimes *rt, char *err, size_t errlen)
{
	struct ls_opts o = { .type = -1, .created = created, .rt = rt };

	o.view.json = true;
	choose_all(&o);
	return ls_print(out, &o, err, errlen);
}

static int ls_run(struct ls_opts *o)
{
	struct rec_created rc = {};
	struct inv_created_src src = { rec_created_wall_ns, &rc };
	char err[2048];
	int ret = NST_EXIT_OK;

	if (o->from) {
		if (load_rec_created(&rc, o->from, err, sizeof(err))) {
			nst_errorf("%s", err);
			return NST_EXIT_FAIL;
		}
		o->created = &src;
	}
	ret = ls_print(stdout, o, err, sizeof(err));
	if (ret) {
		nst_errorf("%s", err);
		ret = ret == -EINVAL ? NST_EXIT_USAGE : NST_EXIT_FAIL;
	} else {
		ret = nst_finish_stdout();
	}
	nsreg_free(rc.reg);
	o->created = NULL; /* src ends here */
	return ret;
}

static const char ls_usage[] =
	"Usage: nstrace ls [OPTIONS]\n"
	"       nstrace ls --containers [OPTIONS]\n"
	"       nstrace ls --compare PID|CONTAINER PID|CONTAINER [OPTIONS]\n"
	"List every namespace, like lsns, plus those held only by a bind mount or an fd;\n"
	"or which namespaces the running containers share; or two processes' namespaces.\n"
	"\n"
	"  -t, --type TYPE        only this type: mnt, uts, ipc, pid, net, user, cgroup, time\n"
	"  -p, --task PID         only the namespaces of this process\n"
	"      --container NAME   only the namespaces of this container's processes (name or id)\n"
	"      --containers       one row per running container: which namespaces it shares\n"
	"      --compare A B      one row per type: A's and B's namespace, and whether they are\n"
	"                         the same (A, B: PIDs or container names or ids)\n"
	"  -o, --output COLS      columns to show (+COLS adds to the default)\n"
	"      --output-all       every column\n"
	"  -J, --json             JSON, typed like lsns -J\n"
	"  -l, --list             a list, not a tree (the default)\n"
	"      --tree             user-namespace ownership and pid-namespace nesting\n"
	"  -r, --raw              raw output\n"
	"  -n, --noheadings       no header line\n"
	"      --list-columns     the columns and what they mean (of the view chosen)\n"
	"      --proc             walk /proc instead of using BPF iterators\n"
	"      --from FILE        fill CREATED from a recording (nstrace record); serve's\n"
	"                         /api/namespaces fills it from what serve has seen\n"
	"  -v, --verbose          say why the BPF iterators were not used, and why no\n"
	"                         container runtime answered\n"
	"  -h, --help             this help\n"
	"\nDefault columns: NS,TYPE,NPROCS,PID,USER,COMMAND\n"
	"  --containers: " LS_CONTAINERS_DEFAULT "\n"
	"  --compare: " LS_COMPARE_DEFAULT "\n";

enum {
	OPT_ALL = 256,
	OPT_TREE,
	OPT_LISTCOLS,
	OPT_PROC,
	OPT_FROM,
	OPT_CONTAINER,
	OPT_CONTAINERS,
	OPT_COMPARE,
};

static int add_output(struct ls_opts *o, const char *list)
{
	if (o->view.nouts == LS_MAX_OUTS) {
		nst_errorf("too many -o options (at most %d)", LS_MAX_OUTS);
		return -1;
	}
	o->view.outs[o->view.nouts++] = list;
	return 0;
}

/* the options that choose what is listed */
static int parse_what(int c, struct ls_opts *o)
{
	enum nst_type type;
	char err[4096]; /* room for an unknown type name given in full */
	long v;

	switch (c) {
	case 't':
		if (nst_parse_type(optarg, &type, err, sizeof(err))) {
			nst_errorf("%s", err);
			return -1;
		}
		o->type = type;
		return 0;
	case 'p':
		if (nst_parse_long(optarg, 1, 0x7fffffff, "pid", &v, err, sizeof(err))) {
			nst_errorf("%s", err);
			return -1;
		}
		o->task = v;
		return 0;
	case OPT_CONTAINER:
		o->container = optarg;
		return 0;
	case OPT_CONTAINERS:
		o->containers = true;
		return 0;
	case OPT_COMPARE:
		o->compare = optarg;
		return 0;
	case OPT_FROM:
		o->from = optarg;
		return 0;
	}
	return 1;
}

/* the options that choose how it is shown */
static int parse_how(int c, struct ls_opts *o)
{
	switch (c) {
	case 'o':
		return add_output(o, optarg);
	case OPT_ALL:
		return add_output(o, ls_output_all);
	case 'J':
		o->view.json = true;
		nst_set_json_errors(true);
		return 0;
	case 'l':
		o->tree = false;
		return 0;
	case OPT_TREE:
		o->tree = true;
		return 0;
	case 'r':
		o->view.raw = true;
		return 0;
	case 'n':
		o->view.noheadings = true;
		return 0;
	case OPT_PROC:
		o->view.force_proc = true;
		return 0;
	case OPT_LISTCOLS:
		o->list_columns = true;
		return 0;
	case 'v':
		o->view.verbose = true;
		return 0;
	}
	fputs(ls_usage, stderr);
	return -1;
}

/* --compare takes two: the second is the one argument getopt leaves over */
static int run_compare(struct ls_opts *o, int argc, char **argv)
{
	if (o->containers || o->container || o->task || o->type >= 0 || o->tree) {
		nst_errorf("--compare shows every type of two processes: no other view or filter");
		return NST_EXIT_USAGE;
	}
	if (o->list_columns) /* the view's columns: A and B are not needed for that */
		return ls_compare_view(&o->view, NULL, NULL);
	if (optind + 1 != argc) {
		nst_errorf("--compare needs two PIDs or containers: --compare A B%s",
			   optind < argc ? " (one too many)" : " (B is missing)");
		return NST_EXIT_USAGE;
	}
	return ls_compare_view(&o->view, o->compare, argv[optind]);
}

static int run_view(struct ls_opts *o, int argc, char **argv)
{
	if (o->compare)
		return run_compare(o, argc, argv);
	if (optind < argc) {
		nst_errorf("unexpected argument '%s' (see 'nstrace ls --help')", argv[optind]);
		return NST_EXIT_USAGE;
	}
	if (o->containers) {
		if (o->container || o->task || o->type >= 0 || o->tree) {
			nst_errorf("--containers lists every running container: no filter or tree");
			return NST_EXIT_USAGE;
		}
		return ls_containers_view(&o->view);
	}
	if (choose_cols(o))
		return NST_EXIT_USAGE;
	if (o->list_columns) {
		col_print_help(&col_table, stdout);
		return NST_EXIT_OK;
	}
	return ls_run(o);
}

int cmd_ls(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "task", required_argument, NULL, 'p' },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "containers", no_argument, NULL, OPT_CONTAINERS },
		{ "compare", required_argument, NULL, OPT_COMPARE },
		{ "output", required_argument, NULL, 'o' },
		{ "output-all", no_argument, NULL, OPT_ALL },
		{ "json", no_argument, NULL, 'J' },
		{ "list", no_argument, NULL, 'l' },
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "list-columns", no_argument, NULL, OPT_LISTCOLS },
		{ "proc", no_argument, NULL, OPT_PROC },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct ls_opts o = { .type = -1 };
	int c, r;

	/* a one-shot reader: what the inventory needs, nothing that changes anything */
	nst_caps_keep(NST_CAPS_INVENTORY);
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:p:o:Jlrnvh", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(ls_usage, stdout);
			return NST_EXIT_OK;
		}
		r = parse_what(c, &o);
		if (r > 0)
			r = parse_how(c, &o);
		if (r)
			return NST_EXIT_USAGE;
	}
	o.view.list_columns = o.list_columns;
	return run_view(&o, argc, argv);
}
