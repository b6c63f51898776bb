// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What a task outside nstrace's filter pays, against the floor, in one
 * process: rounds of setns(fd, CLONE_NEWUTS) storms with nothing attached,
 * with an empty program pair on the raw syscall tracepoints (bench/
 * tp_floor.bpf.c), and with nstrace's own tracepoint pair, loaded from its
 * skeleton with a --pid filter that excludes this process. The three run in
 * turn, round after round, so the VM's drift hits all three alike; it prints
 * each one's median cost per call and the medians of the per-round ratios.
 *
 * usage: tp_floor [ROUNDS [CALLS_PER_ROUND]]
 *        tp_floor hold: keep the empty pair attached until SIGINT or SIGTERM
 *        (bench/overhead.sh's "floor" beside the tracers)
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "nstrace.skel.h"
#include "tp_floor.skel.h"
#include "storm_rounds.h"

enum { NONE, FLOOR, NSTRACE, NCONF };
static const char *const conf_name[NCONF] = { "untraced", "empty tracepoint pair",
					      "nstrace, outside --pid" };

/* nstrace's two syscall programs, set up as `nstrace --pid 1` sets them up. */
static struct nstrace_bpf *load_nstrace(void)
{
	struct nstrace_bpf *s = nstrace_bpf__open();
	struct bpf_program *p;
	__u32 init = 1;
	__u8 one = 1;

	if (!s)
		return NULL;
	for (p = bpf_object__next_program(s->obj, NULL); p; p = bpf_object__next_program(s->obj, p))
		bpf_program__set_autoload(p,
					  p == s->progs.tp_sys_enter || p == s->progs.tp_sys_exit);
	bpf_map__set_max_entries(s->maps.events, 4096);
	s->rodata->filter_tgid = true;
	s->rodata->nr_clone = SYS_clone;
	s->rodata->nr_clone3 = SYS_clone3;
	s->rodata->nr_unshare = SYS_unshare;
	s->rodata->nr_setns = SYS_setns;
	if (nstrace_bpf__load(s) ||
	    bpf_map_update_elem(bpf_map__fd(s->maps.traced), &init, &one, BPF_ANY)) {
		nstrace_bpf__destroy(s);
		return NULL;
	}
	return s;
}

static double round_of(int conf, int fd, long calls, struct tp_floor_bpf *fl,
		       struct nstrace_bpf *nst)
{
	struct bpf_link *a = NULL, *b = NULL;
	double ns;

	if (conf == FLOOR)
		a = attach(fl->progs.floor_enter, fl->progs.floor_exit, &b);
	else if (conf == NSTRACE)
		a = attach(nst->progs.tp_sys_enter, nst->progs.tp_sys_exit, &b);
	if (conf != NONE && !a) {
		fprintf(stderr, "tp_floor: failed to attach the %s\n", conf_name[conf]);
		exit(1);
	}
	/* let attaching's deferred work (RCU callbacks, kthreads) finish first */
	usleep(50000);
	ns = storm_ns(fd, calls);
	bpf_link__destroy(b);
	bpf_link__destroy(a);
	return ns;
}

static void on_signal(int sig)
{
}

/* The empty pair, attached until a signal: the floor as a tracer of its own. */
static int hold(void)
{
	struct tp_floor_bpf *fl = tp_floor_bpf__open_and_load();
	struct sigaction sa = { .sa_handler = on_signal };
	struct bpf_link *a, *b = NULL;

	if (!fl || !(a = attach(fl->progs.floor_enter, fl->progs.floor_exit, &b))) {
		fprintf(stderr, "tp_floor: failed to attach the empty pair\n");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "Attaching the empty tracepoint pair: done. Hit Ctrl-C to end.\n");
	pause();
	bpf_link__destroy(b);
	bpf_link__destroy(a);
	tp_floor_bpf__destroy(fl);
	return 0;
}

static int run_rounds(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 21;
	long calls = argc > 2 ? atol(argv[2]) : 100000;
	int fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	struct tp_floor_bpf *fl = tp_floor_bpf__open_and_load();
	struct nstrace_bpf *nst = load_nstrace();
	double *ns[NCONF], *ratio[NCONF];

	if (rounds < 1 || calls < 1) {
		fprintf(stderr, "usage: tp_floor [ROUNDS [CALLS_PER_ROUND]]\n");
		return 2;
	}
	if (fd < 0 || !fl || !nst) {
		fprintf(stderr, "tp_floor: failed to set up (root, and a kernel with BTF)\n");
		return 1;
	}
	for (int c = 0; c < NCONF; c++) {
		ns[c] = calloc(rounds, sizeof(double));
		ratio[c] = calloc(rounds, sizeof(double));
	}
	storm_ns(fd, calls); /* warm up */
	for (int r = 0; r < rounds; r++) {
		/* rotate the order, so no configuration always runs first */
		for (int k = 0; k < NCONF; k++) {
			int c = (r + k) % NCONF;

			ns[c][r] = round_of(c, fd, calls, fl, nst);
		}
		for (int c = 0; c < NCONF; c++)
			ratio[c][r] = ns[c][r] / ns[NONE][r];
	}
	printf("# %d rounds of %ld setns calls each, the three in turn\n", rounds, calls);
	for (int c = 0; c < NCONF; c++) {
		double rmin = ratio[c][0], rmax = ratio[c][0];

		for (int r = 1; r < rounds; r++) {
			rmin = ratio[c][r] < rmin ? ratio[c][r] : rmin;
			rmax = ratio[c][r] > rmax ? ratio[c][r] : rmax;
		}
		printf("%-24s %8.1f ns/call  ratio min/median/max %.3f / %.3f / %.3f\n",
		       conf_name[c], median(ns[c], rounds), rmin, median(ratio[c], rounds), rmax);
	}
	for (int c = 0; c < NCONF; c++) {
		free(ns[c]);
		free(ratio[c]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "hold"))
		return hold();
	return run_rounds(argc, argv);
}
