// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace run: start a command in new or joined namespaces through the
 * runtime core, optionally tracing its own creation from birth.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include "cli.h"
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
			nst_set_json_errors(true);
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
	nst_printer_event(ctx, e);
	return 0;
}

/*
 * Deliver events while the command runs; return when it has exited, or
 * the events can no longer be written (*out_error) or read (said here).
 */
static void pump_events(struct nst_tracer *t, const struct nsrt_child *c, FILE *out, int *out_error)
{
	struct nst_loop l;

	nst_loop_init(&l, t, out);
	l.until_exit_fd = c->pidfd;
	if (nst_loop_run(&l) && !l.out_error)
		nst_errorf("%s", l.err);
	*out_error = l.out_error;
}

static struct nst_tracer *start_tracing(struct run_opts *o, struct nst_printer *pr)
{
	pid_t self = getpid();
	struct nst_tracer_opts to = o->tracer;
	struct nst_tracer *t;
	FILE *out = stderr;
	char err[512];

	to.pids = &self;
	to.npids = 1;
	if (o->out_path) {
		out = fopen(o->out_path, "we");
		if (!out) {
			nst_errorf("failed to open %s: %s", o->out_path, strerror(errno));
			return NULL;
		}
	}
	nst_printer_init(pr, out, o->json, false, NULL);
	t = nst_tracer_open(&to, run_event, pr, err, sizeof(err));
	if (!t) {
		nst_errorf("%s", err);
		return NULL;
	}
	fprintf(stderr, "nstrace run: tracing its creation (tier %s)\n",
		nst_tier_name(nst_tracer_tier(t)));
	nst_printer_header(pr);
	return t;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {};
	struct nst_printer pr = {};
	struct nst_tracer *t = NULL;
	struct nsrt_child c;
	char err[512];
	int ret, err_no = 0;

	ret = parse_run_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.trace && !(t = start_tracing(&o, &pr)))
		return NST_EXIT_USAGE;
	install_forwarding();
	if (nsrt_spawn(&o.spec, &c, err, sizeof(err))) {
		nst_errorf("%s", err);
		ret = NST_EXIT_FAIL;
		goto out;
	}
	run_child = c.pid;
	/* the command has the caller's capabilities; we only wait and relay */
	nst_caps_keep(nst_tracer_caps_after_attach(t));
	if (t)
		pump_events(t, &c, pr.out, &err_no);
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
	if (pr.out && (err_no || (err_no = nst_stream_error(pr.out))))
		nst_errorf("failed to write the events to %s: %s",
			   o.out_path ? o.out_path : "stderr", strerror(err_no));
	if (pr.out && pr.out != stderr)
		fclose(pr.out);
	return ret;
}
