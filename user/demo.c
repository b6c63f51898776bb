// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace demo: the pod scenario, traced live. An infra process A gets new
 * net, uts, ipc, mnt and pid namespaces, the way a pod sandbox does; B and
 * C join A's net and uts (as docker run --network=container:A does) with
 * mnt and pid of their own. One deliberately wrong setns shows a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "cmds.h"
#include "event.h"
#include "filters.h"
#include "nsreg.h"
#include "nsrt.h"
#include "tracer.h"

struct demo {
	struct nst_tracer *t;
	struct nst_loop loop;
	struct nsreg *reg;
	struct nst_printer pr;
};

static int demo_event(void *ctx, const struct nst_event *e)
{
	struct demo *d = ctx;

	nsreg_account(d->reg, e);
	nst_printer_event(&d->pr, e);
	return 0;
}

static int container(void *arg)
{
	usleep(20000);
	return 0;
}

/* Print what the last step did before the next one starts. */
static void drain(struct demo *d)
{
	nst_loop_round(&d->loop, 50);
}

/* setns with the wrong nstype for the fd must fail with EINVAL. */
static void failing_setns(struct demo *d)
{
	int fd = nsrt_open_ns(0, "net");

	if (fd < 0)
		return;
	if (setns(fd, CLONE_NEWUTS) == 0)
		nst_errorf("setns(net fd, CLONE_NEWUTS) unexpectedly succeeded");
	close(fd);
	drain(d);
}

static int spawn(struct demo *d, struct nsrt_spec *spec, struct nsrt_child *c, const char *what)
{
	char err[256];

	if (nsrt_spawn(spec, c, err, sizeof(err))) {
		nst_errorf("failed to start %s: %s", what, err);
		return -1;
	}
	drain(d);
	return 0;
}

static int run_pod(struct demo *d)
{
	struct nsrt_child a, b, c;
	int hold[2], ret = NST_EXIT_FAIL;
	struct nsrt_spec sa = {
		.new_ns = CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWPID,
		.hostname = "pod-a",
		.fn = nsrt_hold_until_eof,
		.arg = hold,
	};
	struct nsrt_spec sb = { .new_ns = CLONE_NEWNS | CLONE_NEWPID, .fn = container };

	if (pipe2(hold, O_CLOEXEC)) {
		nst_errorf("failed to create pipe: %s", strerror(errno));
		return NST_EXIT_FAIL;
	}
	if (spawn(d, &sa, &a, "pod infra A"))
		goto out;
	sb.join_pid = a.pid;
	sb.join_ns = CLONE_NEWNET | CLONE_NEWUTS;
	if (spawn(d, &sb, &b, "container B")) {
		close(hold[1]);
		nsrt_wait(&a);
		goto out;
	}
	sb.join_ns |= CLONE_NEWIPC;
	if (!spawn(d, &sb, &c, "container C"))
		nsrt_wait(&c);
	nsrt_wait(&b);
	failing_setns(d);
	close(hold[1]);
	hold[1] = -1;
	ret = nsrt_wait(&a) == 0 ? NST_EXIT_OK : NST_EXIT_FAIL;
out:
	if (hold[1] >= 0)
		close(hold[1]);
	close(hold[0]);
	drain(d);
	return ret;
}

static const char demo_usage[] =
	"Usage: nstrace demo [-J] [-T] [-v] [--backend NAME] [--tier TIER]\n"
	"Trace the built-in pod scenario live, then print the summary:\n"
	"  A: new net,uts,ipc,mnt,pid (a pod sandbox)\n"
	"  B: joins A's net,uts; new mnt,pid (like docker run --network=container:A)\n"
	"  C: joins A's net,uts,ipc; new mnt,pid\n"
	"  then a setns with the wrong nstype, which fails with EINVAL\n\n"
	"  -J, --json             JSON Lines: one object per event (docs/events.md)\n"
	"  -T, --timestamp        add a wall-clock TIME column\n" NST_BACKEND_HELP
	"  -v, --verbose          libbpf debug output\n"
	"  -h, --help             this help\n";

int cmd_demo(int argc, char **argv)
{
	static const struct option longopts[] = { { "json", no_argument, NULL, 'J' },
						  { "timestamp", no_argument, NULL, 'T' },
						  { "verbose", no_argument, NULL, 'v' },
						  { "help", no_argument, NULL, 'h' },
						  NST_BACKEND_LONGOPTS,
						  {} };
	struct demo d = {};
	struct nst_tracer_opts o = {};
	bool json = false, ts = false;
	pid_t self = getpid();
	char err[512];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "JTvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			nst_set_json_errors(true);
			break;
		case 'T':
			ts = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case NST_OPT_BACKEND:
		case NST_OPT_TIER:
			if (nst_backend_opt(c, optarg, &o, err, sizeof(err)) < 0) {
				nst_errorf("%s", err);
				return NST_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(demo_usage, stdout);
			return NST_EXIT_OK;
		default:
			fputs(demo_usage, stderr);
			return NST_EXIT_USAGE;
		}
	}
	nst_printer_init(&d.pr, stdout, json, ts, NULL);
	/* trace ourselves: every child is then traced from birth */
	o.pids = &self;
	o.npids = 1;
	d.reg = nsreg_new();
	d.t = nst_tracer_open(&o, demo_event, &d, err, sizeof(err));
	if (!d.t) {
		nst_errorf("%s", err);
		nsreg_free(d.reg);
		return NST_EXIT_USAGE;
	}
	nst_loop_init(&d.loop, d.t, stdout);
	fprintf(stderr, "nstrace demo: the pod scenario (%s)\n", nst_tracer_describe(d.t));
	nst_printer_header(&d.pr);
	ret = run_pod(&d);
	nsreg_print_summary(d.reg, json ? stderr : stdout, nst_tracer_lost(d.t),
			    nst_backend_name(nst_tracer_backend(d.t)),
			    nst_tier_name(nst_tracer_tier(d.t)));
	nst_tracer_close(d.t);
	nsreg_free(d.reg);
	return ret;
}
