// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace record: write every event to a recording file until Ctrl-C, the
 * end of the traced tree, or the end of the command it started.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "cli.h"
#include "cmds.h"
#include "event.h"
#include "filters.h"
#include "grow.h"
#include "nshash.h"
#include "nsrt.h"
#include "privs.h"
#include "recfile.h"

/* a container without a name is asked again once a second for this many seconds */
#define NAME_TRIES 60

/* What the recording says of one cgroup or namespace so far. */
enum ident_state {
	ID_PENDING, /* the resolver has not seen it yet: nothing written */
	ID_NAMELESS, /* written with the id only: the runtime may name it later */
	ID_DONE, /* written in full, or the host's */
};

struct ident {
	__u64 key;
	enum nst_id_key kind;
	enum ident_state state;
	unsigned int tries;
};

/*
 * The containers of the recorded events, written to the file as they become
 * known (docs/recording.md): looked up once per cgroup id and setns target,
 * never waited for on the event path; what the resolver does not know yet
 * is asked again once a second.
 */
struct idents {
	struct nst_names names;
	struct nshash cgroups, nss; /* key -> index in v */
	struct ident *v;
	size_t n, cap;
};

struct record {
	struct nst_rec_writer *w;
	struct idents ids;
	struct nst_tracer *t;
	struct nst_loop loop;
	bool json; /* also print the events live, as trace --json does */
	struct nst_printer pr;
	char err[512];
	bool failed;
	__u64 lost_written;
};

static const char record_usage[] =
	"Usage: nstrace record -o FILE [FILTERS] [-- COMMAND [ARG...]]\n"
	"Record namespace events to FILE (docs/recording.md) until Ctrl-C, the end\n"
	"of the traced tree, or the end of COMMAND, which is started traced from birth.\n"
	"\n"
	"  -o, --output FILE      the recording to write (required)\n"
	"  -J, --json             also print the events live as JSON Lines\n" NST_FILTER_HELP
	"  -d, --duration TIME    stop after TIME (10s, 500ms, 2m)\n"
	"  -h, --help             this help\n"
	"\n"
	"Examples:\n"
	"  nstrace record -o web.nst --pid 22763\n"
	"  nstrace record -o boot.nst -- nstrace run --ns net,pid,mnt -- ./start.sh\n"
	"  nstrace report web.nst\n";

/* Write what the resolver knows of x; the state says whether to ask again. */
static int ident_resolve(struct record *r, struct ident *x)
{
	struct nst_id_entry e = { .key_kind = x->kind, .key = x->key };
	enum nst_ctr_state st;

	if (x->kind == NST_IDK_CGROUP)
		st = nst_containers_by_cgroup(r->ids.names.ctr, x->key, &e.info);
	else
		st = nst_containers_by_ns(r->ids.names.ctr, x->key, &e.info);
	x->tries++;
	/* still unknown after a minute: gone before a walk saw it; the events keep its id */
	if (st == NST_CTR_NOT_YET) {
		if (x->tries > NAME_TRIES)
			x->state = ID_DONE;
		return 0;
	}
	/* a namespace of the host's names nobody: a missing entry says as much */
	if (st == NST_CTR_HOST && x->kind == NST_IDK_NS) {
		x->state = ID_DONE;
		return 0;
	}
	e.container = st == NST_CTR_FOUND;
	if (x->state == ID_NAMELESS && e.container && !e.info.name[0]) {
		if (x->tries > NAME_TRIES)
			x->state = ID_DONE;
		return 0; /* nothing new */
	}
	/* an id stands in for the name until the runtime has listed the container */
	x->state = e.container && !e.info.name[0] && x->tries <= NAME_TRIES ? ID_NAMELESS : ID_DONE;
	return nst_rec_identity(r->w, &e, r->err, sizeof(r->err));
}

/* The first event of a cgroup or setns target: look it up. */
static int ident_note(struct record *r, enum nst_id_key kind, __u64 key)
{
	struct idents *ids = &r->ids;
	struct nshash *h = kind == NST_IDK_CGROUP ? &ids->cgroups : &ids->nss;
	bool added;
	ssize_t i;

	if (!ids->names.ctr)
		return 0;
	i = nshash_get_or_add(h, key, ids->n, &added);
	if (i < 0 ||
	    (added && nst_grow((void **)&ids->v, &ids->cap, ids->n + 1, sizeof(*ids->v), 256))) {
		if (i >= 0)
			nshash_del(h, key);
		return 0; /* without memory the events go on, unnamed */
	}
	if (!added)
		return 0;
	ids->v[ids->n] = (struct ident){ .key = key, .kind = kind, .state = ID_PENDING };
	return ident_resolve(r, &ids->v[ids->n++]);
}

static int ident_event(struct record *r, const struct nst_event *e)
{
	if (ident_note(r, NST_IDK_CGROUP, e->cgroup_id))
		return -1;
	if (e->kind != NST_K_SETNS)
		return 0;
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (e->target[i] && ident_note(r, NST_IDK_NS, e->target[i]))
			return -1;
	return 0;
}

/* Once a second: ask again for what was not known, or not named. */
static int ident_retry(struct record *r)
{
	for (size_t i = 0; i < r->ids.n; i++)
		if (r->ids.v[i].state != ID_DONE && ident_resolve(r, &r->ids.v[i]))
			return -1;
	return 0;
}

static size_t ident_open(const struct idents *ids)
{
	size_t n = 0;

	for (size_t i = 0; i < ids->n; i++)
		n += ids->v[i].state == ID_PENDING;
	return n;
}

/*
 * At the end: a container that started a moment ago is not in the last
 * walk; wait for one more (it was asked for) before the file closes.
 */
static void ident_last_try(struct record *r)
{
	struct nst_containers *c = r->ids.names.ctr;
	unsigned long walks;

	if (!c || r->failed || !ident_open(&r->ids))
		return;
	walks = nst_containers_walks(c);
	for (int ms = 0; ms < 1500 && nst_containers_walks(c) == walks; ms += 50)
		usleep(50 * 1000);
	ident_retry(r);
}

static void idents_free(struct idents *ids)
{
	nst_names_close(&ids->names);
	nshash_free(&ids->cgroups);
	nshash_free(&ids->nss);
	free(ids->v);
}

static int rec_event(void *ctx, const struct nst_event *e)
{
	struct record *r = ctx;

	if (r->failed)
		return 1;
	if (ident_event(r, e) || nst_rec_add(r->w, e, r->err, sizeof(r->err))) {
		r->failed = true;
		r->loop.stop = true;
		return 1;
	}
	if (r->json)
		nst_printer_event(&r->pr, e);
	return 0;
}

static __u64 boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Once a second and at the end (the poll loop's tick): at least one block
 * a second, so a kill -9 loses at most the last second.
 */
static int record_tick(void *ctx)
{
	struct record *r = ctx;
	__u64 lost = nst_tracer_lost(r->t);
	int e;

	if (!r->failed && lost != r->lost_written) {
		if (nst_rec_lost(r->w, boot_ns(), lost, r->err, sizeof(r->err)))
			r->failed = true;
		else
			nst_warnf("lost %llu events (ring buffer full; recorded in the file)",
				  (unsigned long long)(lost - r->lost_written));
		r->lost_written = lost;
	}
	if (!r->failed && (ident_retry(r) || nst_rec_flush(r->w, r->err, sizeof(r->err))))
		r->failed = true;
	if (r->json && !r->failed && (e = nst_stream_error(stdout))) {
		snprintf(r->err, sizeof(r->err),
			 "failed to write the live events: %s; recording "
			 "stopped (the file is complete up to here)",
			 strerror(e));
		r->failed = true;
	}
	return r->failed ? -1 : 0;
}

/* Record until a signal, the deadline, or the end of the tree or command. */
static void record_loop(struct record *r, bool by_pid, const struct nsrt_child *cmd,
			long long duration_ms)
{
	struct nst_loop *l = &r->loop;

	nst_loop_init(l, r->t, NULL);
	l->duration_ms = duration_ms;
	l->until_tree_ends = by_pid;
	l->until_exit_fd = cmd->pidfd;
	/* the file should hold every event the kernel handed over */
	l->drain_at_end = true;
	l->tick = record_tick;
	l->tick_ctx = r;
	if (nst_loop_run(l) && l->err[0]) {
		snprintf(r->err, sizeof(r->err), "%s", l->err);
		r->failed = true;
	}
}

static void fill_meta(struct nst_rec_meta *m, const struct nst_filters *f,
		      const struct nst_tracer *t)
{
	struct utsname u;

	memset(m, 0, sizeof(*m));
	if (!uname(&u)) {
		snprintf(m->host, sizeof(m->host), "%.*s", (int)sizeof(m->host) - 1, u.nodename);
		snprintf(m->kernel, sizeof(m->kernel), "%.*s", (int)sizeof(m->kernel) - 1,
			 u.release);
	}
	m->boot_to_wall_ns = nst_boot_to_wall_ns();
	snprintf(m->backend, sizeof(m->backend), "%s", nst_backend_name(nst_tracer_backend(t)));
	snprintf(m->tier, sizeof(m->tier), "%s", nst_tier_name(nst_tracer_tier(t)));
	nst_filters_describe(f, m->filters, sizeof(m->filters));
	m->event_size = sizeof(struct nst_event);
}

struct record_opts {
	struct nst_filters f;
	bool json;
	const char *path;
	long long duration_ms;
	char **cmd;
};

static int parse_record_args(int argc, char **argv, struct record_opts *o)
{
	static const struct option longopts[] = { NST_FILTER_LONGOPTS,
						  { "output", required_argument, NULL, 'o' },
						  { "json", no_argument, NULL, 'J' },
						  { "duration", required_argument, NULL, 'd' },
						  { "help", no_argument, NULL, 'h' },
						  {} };
	char err[256] = "";
	int c, f;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+" NST_FILTER_SHORTOPTS "o:d:Jh", longopts, NULL)) !=
	       -1) {
		f = nst_filter_opt(c, optarg, &o->f, err, sizeof(err));
		if (f < 0)
			goto bad;
		if (f)
			continue;
		switch (c) {
		case 'o':
			o->path = optarg;
			break;
		case 'J':
			o->json = true;
			nst_set_json_errors(true);
			break;
		case 'd':
			if (nst_parse_duration_ms(optarg, &o->duration_ms, err, sizeof(err)))
				goto bad;
			break;
		case 'h':
			fputs(record_usage, stdout);
			return NST_EXIT_OK;
		default:
			fputs(record_usage, stderr);
			return NST_EXIT_USAGE;
		}
	}
	if (!o->path) {
		snprintf(err, sizeof(err), "no output file: give one with -o FILE");
		goto bad;
	}
	if (optind < argc && o->f.t.npids) {
		snprintf(err, sizeof(err), "give either --pid or a command, not both");
		goto bad;
	}
	o->cmd = optind < argc ? argv + optind : NULL;
	return -1;
bad:
	nst_errorf("%s", err);
	return NST_EXIT_USAGE;
}

/*
 * The command starts once the tracer is attached, so it is traced from
 * birth, and before the recorder gives up its capabilities: it runs with
 * the caller's, environment and all, and no inherited fd (nsrt_spawn).
 */
static int start_command(struct record_opts *o, struct nsrt_child *c, char *err, size_t errlen)
{
	struct nsrt_spec spec = { .argv = o->cmd };

	c->pidfd = -1;
	return o->cmd ? nsrt_spawn(&spec, c, err, errlen) : 0;
}

static int finish(struct record *r, struct nst_tracer *t, const char *path)
{
	__u64 written;
	size_t used;

	ident_last_try(r);
	written = nst_rec_events_written(r->w);
	used = strlen(r->err);

	if (nst_rec_close(r->w, r->err + used, sizeof(r->err) - used) || r->failed) {
		nst_errorf("%s", r->err);
		return NST_EXIT_FAIL;
	}
	fprintf(stderr, "Recorded %llu events (%llu lost in the kernel) to %s\n",
		(unsigned long long)written, (unsigned long long)nst_tracer_lost(t), path);
	return NST_EXIT_OK;
}

int cmd_record(int argc, char **argv)
{
	struct nsrt_child cmd = { .pidfd = -1 };
	struct record_opts o = {};
	struct record r = {};
	struct nst_rec_meta meta;
	struct nst_tracer *t;
	int ret;

	ret = parse_record_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.cmd) {
		o.f.pids[0] = getpid();
		o.f.t.pids = o.f.pids;
		o.f.t.npids = 1;
	}
	nst_install_signals();
	nst_names_open(&r.ids.names, o.f.t.verbose);
	t = nst_filters_open(&o.f, rec_event, &r, r.err, sizeof(r.err));
	if (!t) {
		nst_errorf("%s", r.err);
		idents_free(&r.ids);
		return NST_EXIT_USAGE;
	}
	fill_meta(&meta, &o.f, t);
	r.t = t;
	r.json = o.json;
	nst_printer_init(&r.pr, stdout, true, false, NULL);
	/* the live events' times are the file's */
	r.pr.fmt.boot_to_wall_ns = meta.boot_to_wall_ns;
	r.w = nst_rec_create(o.path, &meta, r.err, sizeof(r.err));
	if (!r.w || start_command(&o, &cmd, r.err, sizeof(r.err))) {
		nst_errorf("%s", r.err);
		if (r.w)
			nst_rec_close(r.w, r.err, sizeof(r.err));
		nst_tracer_close(t);
		idents_free(&r.ids);
		return r.w ? NST_EXIT_FAIL : NST_EXIT_USAGE;
	}
	/* attached, file open, command started: nothing left that needs privileges */
	nst_caps_keep(nst_tracer_caps_after_attach(t));
	/* no wait for the first walk: what it has not seen yet is asked again (ident_retry) */
	nst_names_runtimes(&r.ids.names, o.f.t.verbose, 0);
	/* -J prints the container keys, as trace --json and the report of the file do */
	if (r.ids.names.ctr)
		nst_printer_containers(&r.pr, r.ids.names.ctr, false);
	fprintf(stderr, "Recording to %s (%s)... Hit Ctrl-C to end.\n", o.path,
		nst_tracer_describe(t));
	record_loop(&r, o.f.t.npids && !o.cmd, &cmd, o.duration_ms);
	ret = finish(&r, t, o.path);
	nst_tracer_close(t);
	idents_free(&r.ids);
	if (cmd.pidfd >= 0 && !nst_exiting)
		nsrt_wait(&cmd);
	else if (cmd.pidfd >= 0)
		close(cmd.pidfd);
	return ret;
}
