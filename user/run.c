// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace run: start a command in new or joined namespaces through the
 * runtime core, optionally tracing its own creation from birth.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include "cmds.h"
#include "event.h"
#include "filters.h"
#include "nsrt.h"
#include "parse.h"
#include "privs.h"
#include "tracer.h"

struct run_opts {
	struct nsrt_spec spec;
	bool trace;
	bool json;
	const char *out_path;
	struct nst_tracer_opts tracer; /* --backend, --tier, --verbose */
};

struct run_trace {
	FILE *out;
	bool json;
	struct nst_colset cols;
	struct nst_fmt fmt;
};

static volatile pid_t run_child;

/* The command gets what we get: forwarding keeps Ctrl-C and kill meaningful. */
static void forward_signal(int sig)
{
	if (run_child > 0)
		kill(run_child, sig);
}

static void install_forwarding(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static const char run_usage[] =
	"Usage: nstrace run [OPTIONS] -- COMMAND [ARG...]\n"
	"Start COMMAND in new and/or joined namespaces (clone3, setns by pidfd).\n"
	"\n"
	"  -n, --ns TYPES         new namespaces: mnt,uts,ipc,pid,net,user,cgroup,time\n"
	"  -j, --join PID:TYPES   join these namespaces of PID (like --network=container:)\n"
	"  -r, --map-root         map the caller to uid/gid 0 in a new user namespace\n"
	"  -p, --mount-proc       mount a fresh /proc (needs new pid and mnt)\n"
	"  -H, --hostname NAME    set the hostname (needs new uts)\n"
	"  -t, --trace            print the namespace events of the command's creation\n"
	"  -J, --json             ... as JSON Lines (implies --trace)\n"
	"  -o, --output FILE      write those events to FILE instead of stderr\n" NST_BACKEND_HELP
	"  -v, --verbose          libbpf debug output\n"
	"  -h, --help             this help\n"
	"\n"
	"The exit status is the command's (128+N when killed by signal N).\n"
	"Examples:\n"
	"  nstrace run --ns net,pid,mnt,uts,ipc --hostname web1 -- python3 app.py 8000\n"
	"  nstrace run --join 4242:net,uts -- python3 app.py 8001\n"
	"  nstrace run --ns user,mnt --map-root -- id\n";

static int check_spec(const struct nsrt_spec *s, char *err, size_t errlen)
{
	if (s->mount_proc &&
	    (s->new_ns & (CLONE_NEWPID | CLONE_NEWNS)) != (CLONE_NEWPID | CLONE_NEWNS)) {
		snprintf(err, errlen,
			 "--mount-proc needs new pid and mnt namespaces (add --ns pid,mnt)");
		return -1;
	}
	if (s->hostname && !(s->new_ns & CLONE_NEWUTS) && !(s->join_ns & CLONE_NEWUTS)) {
		snprintf(err, errlen, "--hostname needs a new uts namespace (add --ns uts)");
		return -1;
	}
	if (s->map_root && !(s->new_ns & CLONE_NEWUSER)) {
		snprintf(err, errlen, "--map-root needs a new user namespace (add --ns user)");
		return -1;
	}
	if (s->join_pid && kill(s->join_pid, 0) && errno == ESRCH) {
		snprintf(err, errlen, "failed to join pid %d: no such process", s->join_pid);
		return -1;
	}
	return 0;
}

static int parse_run_args(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = { { "ns", required_argument, NULL, 'n' },
						  { "join", required_argument, NULL, 'j' },
						  { "map-root", no_argument, NULL, 'r' },
						  { "mount-proc", no_argument, NULL, 'p' },
						  { "hostname", required_argument, NULL, 'H' },
						  { "trace", no_argument, NULL, 't' },
						  { "json", no_argument, NULL, 'J' },
						  { "output", required_argument, NULL, 'o' },
						  { "verbose", no_argument, NULL, 'v' },
						  { "help", no_argument, NULL, 'h' },
						  NST_BACKEND_LONGOPTS,
						  {} };
	char err[256] = "";
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+n:j:rpH:tJo:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (nst_parse_types(optarg, &o->spec.new_ns, err, sizeof(err)))
				goto bad;
			break;
		case 'j':
			if (nsrt_parse_join(optarg, &o->spec.join_pid, &o->spec.join_ns, err,
					    sizeof(err)))
				goto bad;
			break;
		case 'r':
			o->spec.map_root = true;
			break;
		case 'p':
			o->spec.mount_proc = true;
			break;
		case 'H':
			o->spec.hostname = optarg;
			break;
		case 'J':
			o->json = true;
			/* fall through */
		case 't':
			o->trace = true;
			break;
		case 'o':
			o->out_path = optarg;
			o->trace = true;
			break;
		case 'v':
			o->tracer.verbose = true;
			break;
		case NST_OPT_BACKEND:
		case NST_OPT_TIER:
			if (nst_backend_opt(c, optarg, &o->tracer, err, sizeof(err)) < 0)
				goto bad;
			break;
		case 'h':
			fputs(run_usage, stdout);
			return NST_EXIT_OK;
		default:
			fputs(run_usage, stderr);
			return NST_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		snprintf(err, sizeof(err),
			 "no command given (usage: nstrace run [OPTIONS] -- COMMAND)");
		goto bad;
	}
	o->spec.argv = argv + optind;
	if (check_spec(&o->spec, err, sizeof(err)))
		goto bad;
	return -1;
bad:
	nst_errorf("%s", err);
	return NST_EXIT_USAGE;
}

static int run_event(void *ctx, const struct nst_event *e)
{
	struct run_trace *rt = ctx;

	if (rt->json)
		nst_print_json(rt->out, &rt->cols, e, &rt->fmt);
	else
		nst_print_text(rt->out, &rt->cols, e, &rt->fmt);
	return 0;
}

/* Deliver events while the command runs; return when it has exited. */
static void pump_events(struct nst_tracer *t, struct nsrt_child *c, FILE *out)
{
	struct pollfd pfd = { .fd = c->pidfd, .events = POLLIN };

	for (;;) {
		nst_tracer_poll(t, 0);
		fflush(out);
		if (poll(&pfd, 1, 100) > 0)
			break;
	}
}

static struct nst_tracer *start_tracing(struct run_opts *o, struct run_trace *rt)
{
	pid_t self = getpid();
	struct nst_tracer_opts to = o->tracer;
	struct nst_tracer *t;
	char err[512];

	to.pids = &self;
	to.npids = 1;
	rt->out = stderr;
	if (o->out_path) {
		rt->out = fopen(o->out_path, "we");
		if (!rt->out) {
			nst_errorf("failed to open %s: %s", o->out_path, strerror(errno));
			return NULL;
		}
	}
	rt->json = o->json;
	rt->fmt.boot_to_wall_ns = nst_boot_to_wall_ns();
	if (o->json)
		nst_colset_all_json(&rt->cols);
	else
		nst_colset_default(&rt->cols, false);
	t = nst_tracer_open(&to, run_event, rt, err, sizeof(err));
	if (!t) {
		nst_errorf("%s", err);
		return NULL;
	}
	fprintf(stderr, "nstrace run: tracing its creation (tier %s)\n",
		nst_tier_name(nst_tracer_tier(t)));
	if (!o->json)
		nst_print_header(rt->out, &rt->cols);
	return t;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {};
	struct run_trace rt = {};
	struct nst_tracer *t = NULL;
	struct nsrt_child c;
	char err[512];
	int ret, err_no;

	ret = parse_run_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.trace && !(t = start_tracing(&o, &rt)))
		return NST_EXIT_USAGE;
	install_forwarding();
	if (nsrt_spawn(&o.spec, &c, err, sizeof(err))) {
		nst_errorf("%s", err);
		ret = NST_EXIT_FAIL;
		goto out;
	}
	run_child = c.pid;
	/* the command has the caller's capabilities; we only wait and relay */
	nst_caps_keep(0);
	if (t)
		pump_events(t, &c, rt.out);
	ret = nsrt_wait(&c);
	run_child = 0;
	if (t)
		nst_tracer_poll(t, 50);
	if (ret < 0) {
		nst_errorf("failed to wait for the command: %s", strerror(-ret));
		ret = NST_EXIT_FAIL;
	}
out:
	if (t)
		nst_tracer_close(t);
	/* the command's status stays the exit status; a lost trace is still said */
	if (rt.out && (err_no = nst_stream_error(rt.out)))
		nst_errorf("failed to write the events to %s: %s",
			   o.out_path ? o.out_path : "stderr", strerror(err_no));
	if (rt.out && rt.out != stderr)
		fclose(rt.out);
	return ret;
}
