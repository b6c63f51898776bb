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
#include "nsrt.h"
#include "privs.h"
#include "recfile.h"

struct record {
	struct nst_rec_writer *w;
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

static int rec_event(void *ctx, const struct nst_event *e)
{
	struct record *r = ctx;

	if (r->failed)
		return 1;
	if (nst_rec_add(r->w, e, r->err, sizeof(r->err))) {
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
	if (!r->failed && nst_rec_flush(r->w, r->err, sizeof(r->err)))
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
	__u64 written = nst_rec_events_written(r->w);
	size_t used = strlen(r->err);

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
	t = nst_filters_open(&o.f, rec_event, &r, r.err, sizeof(r.err));
	if (!t) {
		nst_errorf("%s", r.err);
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
		return r.w ? NST_EXIT_FAIL : NST_EXIT_USAGE;
	}
	/* attached, file open, command started: nothing left that needs privileges */
	nst_caps_keep(nst_tracer_caps_after_attach(t));
	fprintf(stderr, "Recording to %s (%s)... Hit Ctrl-C to end.\n", o.path,
		nst_tracer_describe(t));
	record_loop(&r, o.f.t.npids && !o.cmd, &cmd, o.duration_ms);
	ret = finish(&r, t, o.path);
	nst_tracer_close(t);
	if (cmd.pidfd >= 0 && !nst_exiting)
		nsrt_wait(&cmd);
	else if (cmd.pidfd >= 0)
		close(cmd.pidfd);
	return ret;
}
