// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* nstrace trace: stream namespace transitions as they happen. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "cmds.h"
#include "containers.h"
#include "event.h"
#include "nsreg.h"
#include "filters.h"
#include "parse.h"
#include "privs.h"
#include "tracer.h"

struct trace_opts {
	struct nst_filters f;
	struct nst_colset cols;
	bool json;
	bool timestamps;
	bool cols_set;
	bool no_summary;
	long long duration_ms;
};

struct trace_state {
	const struct trace_opts *o;
	struct nst_printer pr;
	struct nsreg *reg;
	struct nst_names names;
};

/* How long the start waits for the first cgroup walk (the default columns depend on it). */
#define FIRST_WALK_MS 500

static const char trace_usage[] =
	"Usage: nstrace [trace] [OPTIONS]\n"
	"Stream every namespace transition (clone, clone3, unshare, setns, fork, exec,\n"
	"exit) with the namespaces before and after, filtered in the kernel.\n"
	"\n" NST_FILTER_HELP "  -T, --timestamp        add a wall-clock TIME column\n"
	"  -J, --json             JSON Lines: one object per event (docs/events.md)\n"
	"  -o, --output COLS      columns to show, such as PID,COMM,CHANGES (+COLS adds)\n"
	"      --list-columns     list the columns and their JSON keys\n"
	"  -d, --duration TIME    stop after TIME (10s, 500ms, 2m)\n"
	"      --no-summary       do not print the summary at the end\n"
	"  -h, --help             this help\n"
	"\n"
	"Examples:\n"
	"  nstrace --pid 22763                 that process and its descendants\n"
	"  nstrace --comm python --ns net,uts --json\n"
	"  nstrace -T -x                       failed namespace calls, with times\n";

enum { OPT_LIST_COLUMNS = 256, OPT_NO_SUMMARY };

static const struct option trace_longopts[] = { NST_FILTER_LONGOPTS,
						{ "timestamp", no_argument, NULL, 'T' },
						{ "json", no_argument, NULL, 'J' },
						{ "output", required_argument, NULL, 'o' },
						{ "list-columns", no_argument, NULL,
						  OPT_LIST_COLUMNS },
						{ "duration", required_argument, NULL, 'd' },
						{ "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
						{ "help", no_argument, NULL, 'h' },
						{} };

/* Returns -1 to continue, or an exit status. */
static int parse_trace_opt(int c, struct trace_opts *o, char *err, size_t errlen)
{
	int f = nst_filter_opt(c, optarg, &o->f, err, errlen);

	if (f)
		return f < 0 ? NST_EXIT_USAGE : -1;
	switch (c) {
	case 'T':
		o->timestamps = true;
		return -1;
	case 'J':
		o->json = true;
		nst_set_json_errors(true);
		return -1;
	case 'o':
		o->cols_set = true;
		return nst_colset_parse(&o->cols, optarg, err, errlen) ? NST_EXIT_USAGE : -1;
	case OPT_LIST_COLUMNS:
		nst_print_col_help(stdout);
		return NST_EXIT_OK;
	case 'd':
		return nst_parse_duration_ms(optarg, &o->duration_ms, err, errlen) ? NST_EXIT_USAGE
										   : -1;
	case OPT_NO_SUMMARY:
		o->no_summary = true;
		return -1;
	case 'h':
		fputs(trace_usage, stdout);
		return NST_EXIT_OK;
	default:
		snprintf(err, errlen, "invalid option (see 'nstrace trace --help')");
		return NST_EXIT_USAGE;
	}
}

static int parse_trace_args(int argc, char **argv, struct trace_opts *o)
{
	char err[256] = "";
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, NST_FILTER_SHORTOPTS "TJo:d:h", trace_longopts,
				NULL)) != -1) {
		ret = parse_trace_opt(c, o, err, sizeof(err));
		if (ret >= 0) {
			if (err[0])
				nst_errorf("%s", err);
			return ret;
		}
	}
	if (optind < argc) {
		nst_errorf("unexpected argument '%s' (see 'nstrace trace --help')", argv[optind]);
		return NST_EXIT_USAGE;
	}
	return -1;
}

/* Names from the runtimes, asked once the capabilities are gone (cli.h). */
static void name_containers(struct trace_state *st)
{
	nst_names_runtimes(&st->names, st->o->f.t.verbose, FIRST_WALK_MS);
	if (st->names.ctr)
		nst_printer_containers(&st->pr, st->names.ctr, nst_containers_any(st->names.ctr));
}

static int on_event(void *ctx, const struct nst_event *e)
{
	struct trace_state *st = ctx;

	nsreg_account(st->reg, e);
	nst_printer_event(&st->pr, e);
	return 0;
}

/* Stream until the end; NST_EXIT_FAIL when the poll or the output failed. */
static int trace_loop(struct trace_state *st, struct nst_tracer *t, bool *out_failed)
{
	struct nst_loop l;

	nst_loop_init(&l, t, st->pr.out);
	l.duration_ms = st->o->duration_ms;
	l.until_tree_ends = st->o->f.t.npids > 0;
	l.report_lost = true;
	if (!nst_loop_run(&l))
		return NST_EXIT_OK;
	*out_failed = l.out_error != 0;
	/* a closed pipe ends the trace quietly, like any filter before `head` */
	if (l.out_error == EPIPE)
		return NST_EXIT_OK;
	if (l.out_error)
		nst_errorf("failed to write output: %s", strerror(l.out_error));
	else
		nst_errorf("%s", l.err);
	return NST_EXIT_FAIL;
}

int cmd_trace(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct trace_opts o = {};
	struct trace_state st = { .o = &o };
	bool out_failed = false;
	struct nst_tracer *t;
	char err[512];
	int ret;

	ret = parse_trace_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	nst_install_signals();
	nst_printer_init(&st.pr, stdout, o.json, o.timestamps, o.cols_set ? &o.cols : NULL);
	st.reg = nsreg_new();
	nst_names_open(&st.names, o.f.t.verbose);
	t = nst_filters_open(&o.f, on_event, &st, err, sizeof(err));
	if (!t) {
		nst_errorf("%s", err);
		nst_names_close(&st.names);
		nsreg_free(st.reg);
		return NST_EXIT_USAGE;
	}
	if (o.f.t.npids && nst_tracer_live_pids(t) == 0) {
		nst_errorf("failed to trace pid %d: it exited before tracing started", o.f.pids[0]);
		ret = NST_EXIT_USAGE;
		goto out;
	}
	/* attached: reading the ring buffer and the maps needs no capability (but on 5.10) */
	nst_caps_keep(nst_tracer_caps_after_attach(t));
	name_containers(&st);
	fprintf(stderr, "Tracing namespace transitions (%s)... Hit Ctrl-C to end.\n",
		nst_tracer_describe(t));
	if (*nst_tracer_missing(t))
		fprintf(stderr, "note: this kernel lacks (or inlines) %s: those hooks are off\n",
			nst_tracer_missing(t));
	if (!o.json && isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	else
		/* the loop flushes every round: one write per round, not per 4 KiB */
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	nst_printer_header(&st.pr);
	ret = trace_loop(&st, t, &out_failed);
	if (!o.no_summary && !out_failed)
		nsreg_print_summary(st.reg, o.json ? stderr : stdout, nst_tracer_lost(t),
				    nst_backend_name(nst_tracer_backend(t)),
				    nst_tier_name(nst_tracer_tier(t)));
out:
	fflush(stdout);
	nst_tracer_close(t);
	nst_names_close(&st.names);
	nsreg_free(st.reg);
	return ret;
}
