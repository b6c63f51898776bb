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
#include "nsreg.h"
#include "parse.h"
#include "nsrt.h"
#include "privs.h"

struct ls_col {
	const char *name;
	const char *help;
	int json_type; /* SCOLS_JSON_* */
	double width;
	void (*get)(struct inventory *inv, const struct inv_ns *n, char *buf, size_t len);
};

static void g_ns(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%u", n->ino);
}

static void g_type(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%s", nst_type_name(n->type));
}

static void g_nprocs(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%d", n->nprocs);
}

/* lsns leaves PID and friends empty for a namespace without processes */
static void g_pid(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	if (n->pid)
		snprintf(b, l, "%u", n->pid);
}

static void g_ppid(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	if (n->pid)
		snprintf(b, l, "%u", n->ppid);
}

/* getpwuid reads the passwd database each time: remember the last answer */
static void g_user(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
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

static void g_command(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%s", inv_command(inv, n));
}

static void g_holders(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	if (n->holders[0])
		snprintf(b, l, "%s", n->holders);
	else if (n->nprocs)
		snprintf(b, l, "processes");
}

static void g_parent(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	if (n->parent)
		snprintf(b, l, "%u", n->parent);
}

static void g_owner(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	if (n->owner)
		snprintf(b, l, "%u", n->owner);
}

static void g_container(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%.12s", n->container);
}

static void g_pod(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%s", n->pod);
}

static void g_fds(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	snprintf(b, l, "%d", n->open_fds);
}

static void g_created(struct inventory *inv, const struct inv_ns *n, char *b, size_t l)
{
	struct nst_fmt f = { 0 };

	if (n->created_wall_ns)
		nst_wall_str(&f, n->created_wall_ns, b, l);
}

static const struct ls_col cols[] = {
	{ "NS", "namespace identifier (inode number)", SCOLS_JSON_NUMBER, 10, g_ns },
	{ "TYPE", "kind of namespace", SCOLS_JSON_STRING, 5, g_type },
	{ "NPROCS", "number of processes in the namespace", SCOLS_JSON_NUMBER, 5, g_nprocs },
	{ "PID", "lowest PID in the namespace", SCOLS_JSON_NUMBER, 5, g_pid },
	{ "PPID", "PPID of the PID", SCOLS_JSON_NUMBER, 5, g_ppid },
	{ "USER", "username of the PID", SCOLS_JSON_STRING, 0, g_user },
	{ "COMMAND", "command line of the PID", SCOLS_JSON_STRING, 0, g_command },
	{ "HOLDERS", "what keeps it alive: processes, mount:PATH, fd:PID/FD, TYPE_for_children:PID",
	  SCOLS_JSON_STRING, 0, g_holders },
	{ "FDS", "open namespace fds referring to it", SCOLS_JSON_NUMBER, 3, g_fds },
	{ "PARENT", "parent namespace (pid and user namespaces)", SCOLS_JSON_NUMBER, 10, g_parent },
	{ "OWNER", "owning user namespace", SCOLS_JSON_NUMBER, 10, g_owner },
	{ "CONTAINER", "container id from the cgroup path (first 12 characters)", SCOLS_JSON_STRING,
	  12, g_container },
	{ "POD", "Kubernetes pod uid from the cgroup path", SCOLS_JSON_STRING, 0, g_pod },
	{ "CREATED", "when it was created, if --from RECORDING (or serve) saw it",
	  SCOLS_JSON_STRING, 0, g_created },
};
#define NCOLS ((int)(sizeof(cols) / sizeof(cols[0])))

struct ls_opts {
	int sel[NCOLS * 2];
	int nsel;
	int type; /* -1: all */
	pid_t task;
	bool json, raw, noheadings, tree, force_proc, verbose;
	const char *from; /* a recording that may have seen the creations */
	const struct inv_created_src *created;
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

/* --task: only the namespaces of that process */
static bool in_task(pid_t pid, const struct inv_ns *n)
{
	return nsrt_ns_ino(pid, nst_type_name(n->type)) == n->ino;
}

static struct libscols_line *add_line(struct libscols_table *tb, const struct ls_opts *o,
				      struct inventory *inv, const struct inv_ns *n,
				      struct libscols_line *parent)
{
	struct libscols_line *ln = scols_table_new_line(tb, parent);
	char buf[8192];

	for (int c = 0; ln && c < o->nsel; c++) {
		buf[0] = '\0';
		cols[o->sel[c]].get(inv, n, buf, sizeof(buf));
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

static bool selected(const struct ls_opts *o, const struct inv_ns *n)
{
	if (o->type >= 0 && (int)n->type != o->type)
		return false;
	return !o->task || in_task(o->task, n);
}

static int add_lines(struct libscols_table *tb, const struct ls_opts *o, struct inventory *inv)
{
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

			if (lines[i] || !selected(o, &inv->ns[i]))
				continue;
			/* a parent that is listed comes first; one filtered out puts us at the top */
			if (p >= 0 && selected(o, &inv->ns[p]) && !lines[p])
				continue;
			lines[i] = add_line(tb, o, inv, &inv->ns[i], p >= 0 ? lines[p] : NULL);
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
	scols_table_enable_json(tb, o->json);
	scols_table_set_name(tb, "namespaces");
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
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
	struct nst_rec_reader_ops ops = { rec_created_meta, rec_created_event, NULL };
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

static int ls_print(FILE *out, const struct ls_opts *o, char *err, size_t errlen)
{
	struct inventory inv;
	struct libscols_table *tb;
	int ret;

	if ((ret = inv_collect(&inv, o->force_proc, o->verbose, err, errlen)))
		return ret;
	if (o->created)
		fill_created(&inv, o->created);
	tb = make_table(o);
	if (!tb || add_lines(tb, o, &inv)) {
		snprintf(err, errlen, "failed to build the table");
		ret = -ENOMEM;
	} else {
		scols_table_set_stream(tb, out);
		scols_print_table(tb);
	}
	scols_unref_table(tb);
	inv_free(&inv);
	return ret;
}

int nst_inventory_write_json(FILE *out, const struct inv_created_src *created, char *err,
			     size_t errlen)
{
	struct ls_opts o = { .type = -1, .json = true, .created = created };

	choose_all(&o);
	return ls_print(out, &o, err, errlen);
}

static int ls_run(struct ls_opts *o)
{
	struct rec_created rc = {};
	struct inv_created_src src = { rec_created_wall_ns, &rc };
	char err[512];
	int ret = NST_EXIT_OK;

	if (o->from) {
		if (load_rec_created(&rc, o->from, err, sizeof(err))) {
			nst_errorf("%s", err);
			return NST_EXIT_FAIL;
		}
		o->created = &src;
	}
	if (ls_print(stdout, o, err, sizeof(err))) {
		nst_errorf("%s", err);
		ret = NST_EXIT_FAIL;
	} else {
		ret = nst_finish_stdout();
	}
	nsreg_free(rc.reg);
	o->created = NULL; /* src ends here */
	return ret;
}

static const char ls_usage[] =
	"Usage: nstrace ls [OPTIONS]\n"
	"List every namespace, like lsns, plus those held only by a bind mount or an fd.\n"
	"\n"
	"  -t, --type TYPE        only this type: mnt, uts, ipc, pid, net, user, cgroup, time\n"
	"  -p, --task PID         only the namespaces of this process\n"
	"  -o, --output COLS      columns to show (+COLS adds to the default)\n"
	"      --output-all       every column\n"
	"  -J, --json             JSON, typed like lsns -J\n"
	"  -l, --list             a list, not a tree (the default)\n"
	"      --tree             user-namespace ownership and pid-namespace nesting\n"
	"  -r, --raw              raw output\n"
	"  -n, --noheadings       no header line\n"
	"      --list-columns     the columns and what they mean\n"
	"      --proc             walk /proc instead of using BPF iterators\n"
	"      --from FILE        fill CREATED from a recording (nstrace record); serve's\n"
	"                         /api/namespaces fills it from what serve has seen\n"
	"  -v, --verbose          say why the BPF iterators were not used\n"
	"  -h, --help             this help\n"
	"\nDefault columns: NS,TYPE,NPROCS,PID,USER,COMMAND\n";

enum { OPT_ALL = 256, OPT_TREE, OPT_LISTCOLS, OPT_PROC, OPT_FROM };

static int parse_ls_opt(int c, struct ls_opts *o)
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
	case 'o':
		return parse_cols(o, optarg);
	case OPT_ALL:
		choose_all(o);
		return 0;
	case 'J':
		o->json = true;
		nst_set_json_errors(true);
		return 0;
	case 'l':
		o->tree = false;
		return 0;
	case OPT_TREE:
		o->tree = true;
		return 0;
	case 'r':
		o->raw = true;
		return 0;
	case 'n':
		o->noheadings = true;
		return 0;
	case OPT_PROC:
		o->force_proc = true;
		return 0;
	case OPT_FROM:
		o->from = optarg;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	}
	fputs(ls_usage, stderr);
	return -1;
}

int cmd_ls(int argc, char **argv)
{
	static const struct option longopts[] = { { "type", required_argument, NULL, 't' },
						  { "task", required_argument, NULL, 'p' },
						  { "output", required_argument, NULL, 'o' },
						  { "output-all", no_argument, NULL, OPT_ALL },
						  { "json", no_argument, NULL, 'J' },
						  { "list", no_argument, NULL, 'l' },
						  { "tree", no_argument, NULL, OPT_TREE },
						  { "raw", no_argument, NULL, 'r' },
						  { "noheadings", no_argument, NULL, 'n' },
						  { "list-columns", no_argument, NULL,
						    OPT_LISTCOLS },
						  { "proc", no_argument, NULL, OPT_PROC },
						  { "from", required_argument, NULL, OPT_FROM },
						  { "verbose", no_argument, NULL, 'v' },
						  { "help", no_argument, NULL, 'h' },
						  {} };
	struct ls_opts o = { .type = -1 };
	int c;

	/* a one-shot reader: what the inventory needs, nothing that changes anything */
	nst_caps_keep(NST_CAPS_INVENTORY);
	parse_cols(&o, "NS,TYPE,NPROCS,PID,USER,COMMAND");
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:p:o:Jlrnvh", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(ls_usage, stdout);
			return NST_EXIT_OK;
		}
		if (c == OPT_LISTCOLS) {
			col_print_help(&col_table, stdout);
			return NST_EXIT_OK;
		}
		if (parse_ls_opt(c, &o))
			return NST_EXIT_USAGE;
	}
	if (optind < argc) {
		nst_errorf("unexpected argument '%s' (see 'nstrace ls --help')", argv[optind]);
		return NST_EXIT_USAGE;
	}
	return ls_run(&o);
}
