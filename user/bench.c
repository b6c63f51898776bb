// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace bench: what a namespace costs. Each type is created in a loop
 * (fork+unshare, or clone3), timed in user space (wall and CPU) and, for
 * the same calls, in the kernel by the tracer; then throughput with -j
 * workers, the net teardown backlog, and kernel memory per namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "bench.h"
#include "cli.h"
#include "cmds.h"
#include "filters.h"
#include "nsrt.h"
#include "nstypes.h"
#include "parse.h"
#include "tracer.h"

#define MAX_N 1000000

struct bench_opts {
	__u64 types; /* CLONE_NEW* flags; none is always measured */
	int n;
	int warmup;
	bool clone_mode;
	bool json, csv;
	const char *svg;
	bool no_kernel;
	struct nst_tracer_opts tracer; /* --backend, --tier, --verbose */
	double tput_secs;
	struct bench_run run;
};

/* One timed call, written by the child into shared memory. */
struct sample {
	__u64 wall_ns;
	__u64 cpu_ns;
	__u64 kern_ns;
	__s32 pid;
	__s32 err;
};

struct kern_match {
	struct sample *s;
	int n;
	int kind;
};

static volatile sig_atomic_t stop_bench;

static void on_sigint(int sig)
{
	stop_bench = 1;
}

static __u64 clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The kernel's latency for the same call: matched by the pid that made it. */
static int match_event(void *ctx, const struct nst_event *e)
{
	struct kern_match *m = ctx;
	__u32 pid = e->kind == NST_K_CLONE3 ? e->child_pid : e->pid;

	if (e->kind != m->kind || e->ret < 0)
		return 0;
	for (int i = m->n - 1; i >= 0; i--)
		if ((__u32)m->s[i].pid == pid && !m->s[i].kern_ns) {
			m->s[i].kern_ns = e->lat_ns;
			break;
		}
	return 0;
}

/* fork; the child times unshare(flag) on its own thread clock and exits. */
static int one_unshare(__u64 flag, struct sample *s)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		__u64 c0, w0, w1, c1;
		int r;

		/*
		 * Take a fresh child's copy-on-write faults and the lazy binding of
		 * syscall() outside the timed call.
		 */
		s->wall_ns = clock_ns(CLOCK_MONOTONIC) + clock_ns(CLOCK_THREAD_CPUTIME_ID);
		syscall(SYS_getppid);
		c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		w0 = clock_ns(CLOCK_MONOTONIC);
		r = syscall(SYS_unshare, flag);
		w1 = clock_ns(CLOCK_MONOTONIC);
		c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		s->wall_ns = w1 - w0;
		s->cpu_ns = c1 - c0;
		s->err = r ? errno : 0;
		s->pid = getpid();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return s->err ? -s->err : 0;
}

/* clone3 with the flag; the call is timed in the parent, the child just exits. */
static int one_clone(__u64 flag, struct sample *s)
{
	__u64 c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), w0 = clock_ns(CLOCK_MONOTONIC);
	pid_t pid = nsrt_clone3(flag, NULL);
	__u64 w1, c1;
	int status;

	if (pid == 0)
		_exit(0);
	w1 = clock_ns(CLOCK_MONOTONIC);
	c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (pid < 0)
		return -errno;
	s->wall_ns = w1 - w0;
	s->cpu_ns = c1 - c0;
	s->pid = pid;
	waitpid(pid, &status, 0);
	return 0;
}

static int one_create(const struct bench_opts *o, __u64 flag, struct sample *s)
{
	s->kern_ns = 0;
	return o->clone_mode ? one_clone(flag, s) : one_unshare(flag, s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Percentiles of the field at byte offset off (ns) in microseconds. */
static struct pctl percentiles(const struct sample *s, int n, size_t off, int *count)
{
	double *v = malloc(sizeof(double) * (n ? n : 1));
	struct pctl p = { NAN, NAN, NAN, NAN };
	int k = 0;

	for (int i = 0; v && i < n; i++) {
		__u64 x = *(const __u64 *)((const char *)&s[i] + off);

		if (x)
			v[k++] = x / 1000.0;
	}
	if (k) {
		qsort(v, k, sizeof(double), cmp_double);
		p.p50 = v[(int)(0.50 * (k - 1))];
		p.p90 = v[(int)(0.90 * (k - 1))];
		p.p99 = v[(int)(0.99 * (k - 1))];
		p.max = v[k - 1];
	}
	if (count)
		*count = k;
	free(v);
	return p;
}

static void progress(const char *name, const char *phase, int done, int total)
{
	static const int width = 30;
	int fill = total ? done * width / total : width;

	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%-7s %-10s [%.*s%*s] %3d%%", name, phase, fill,
		"##############################", width - fill, "",
		total ? done * 100 / total : 100);
	if (done == total)
		fprintf(stderr, "\r%*s\r", width + 30, "");
}

static void measure_latency(const struct bench_opts *o, struct bench_result *r, struct sample *s,
			    struct nst_tracer *t, struct kern_match *m)
{
	/*
	 * Warm up into s[0], which the first measured call overwrites: the
	 * forked child of one_unshare() reports through shared memory only.
	 */
	for (int i = 0; i < o->warmup && !stop_bench; i++)
		one_create(o, r->flag, &s[0]);
	if (t)
		nst_tracer_poll(t, 0);
	m->s = s;
	m->n = 0;
	for (int i = 0; i < o->n && !stop_bench; i++) {
		one_create(o, r->flag, &s[i]);
		m->n = i + 1;
		/* drain as we go, so the ring buffer never fills */
		if (t && (i & 63) == 63)
			nst_tracer_poll(t, 0);
		if ((i & 15) == 0)
			progress(r->name, "latency", i, o->n);
	}
	progress(r->name, "latency", o->n, o->n);
	if (t)
		for (int i = 0; i < 5; i++)
			nst_tracer_poll(t, 20);
	r->n = m->n;
	r->wall = percentiles(s, m->n, offsetof(struct sample, wall_ns), NULL);
	r->cpu = percentiles(s, m->n, offsetof(struct sample, cpu_ns), NULL);
	r->kern = percentiles(s, m->n, offsetof(struct sample, kern_ns), &r->nkern);
}

static long slab_active(const char *cache)
{
	char line[512], name[64];
	long active = -1, v;
	FILE *f = fopen("/proc/slabinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &v) == 2 && !strcmp(name, cache))
			active = v;
	fclose(f);
	return active;
}

/* A worker: create and release namespaces until the deadline; returns the count. */
static void throughput_worker(const struct bench_opts *o, __u64 flag, __u64 deadline, long *count)
{
	struct sample s;
	long n = 0;

	while (clock_ns(CLOCK_MONOTONIC) < deadline && !stop_bench)
		if (one_create(o, flag, &s) == 0)
			n++;
	*count = n;
}

static double measure_rate(const struct bench_opts *o, struct bench_result *r, int jobs,
			   long *shared, long *backlog_peak)
{
	__u64 t0 = clock_ns(CLOCK_MONOTONIC), deadline = t0 + o->tput_secs * 1e9;
	pid_t pids[1024];
	long total = 0, base = slab_active("net_namespace");
	int status;

	for (int j = 0; j < jobs; j++) {
		pids[j] = fork();
		if (pids[j] == 0) {
			throughput_worker(o, r->flag, deadline, &shared[j]);
			_exit(0);
		}
	}
	while (clock_ns(CLOCK_MONOTONIC) < deadline && !stop_bench) {
		long now = slab_active("net_namespace");

		if (base >= 0 && now - base > *backlog_peak)
			*backlog_peak = now - base;
		usleep(10000);
	}
	for (int j = 0; j < jobs; j++) {
		if (pids[j] > 0) {
			waitpid(pids[j], &status, 0);
			total += shared[j];
		}
	}
	return total / ((clock_ns(CLOCK_MONOTONIC) - t0) / 1e9);
}

/*
 * How long the net_namespace slab takes to settle after the loop: back to
 * where it started, or unchanged for 300 ms (SLUB counts per-CPU slabs as
 * active, so the count need not return exactly). Returns ms to the last drop.
 */
static double measure_drain(long base, __u64 since)
{
	__u64 limit = since + 20000000000ULL, last_change = since, now;
	long prev = slab_active("net_namespace"), cur;

	while (!stop_bench && prev > base) {
		usleep(5000);
		now = clock_ns(CLOCK_MONOTONIC);
		cur = slab_active("net_namespace");
		if (cur != prev)
			last_change = now;
		prev = cur;
		if (now - last_change > 300000000ULL || now > limit)
			break;
	}
	return (last_change - since) / 1e6;
}

static void measure_throughput(const struct bench_opts *o, struct bench_result *r, long *shared)
{
	long base = slab_active("net_namespace");

	for (int k = 0; k < o->run.njobs && !stop_bench; k++) {
		progress(r->name, "throughput", k, o->run.njobs);
		r->rate[k] = measure_rate(o, r, o->run.jobs[k], shared, &r->backlog_peak);
	}
	progress(r->name, "throughput", o->run.njobs, o->run.njobs);
	if (r->flag == CLONE_NEWNET && base >= 0) {
		__u64 end = clock_ns(CLOCK_MONOTONIC);

		r->drain_ms = measure_drain(base, end);
		/* the single-worker loop's count, over the time until all were freed */
		r->teardown_rate = r->rate[0] * o->tput_secs / (o->tput_secs + r->drain_ms / 1000);
	} else {
		r->teardown_rate = r->rate[0];
	}
}

static long meminfo_kib(void)
{
	static const char *const keys[] = { "Slab:", "KernelStack:", "PageTables:" };
	char line[256], key[64];
	long total = 0, v;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (sscanf(line, "%63s %ld", key, &v) == 2 && !strcmp(key, keys[i]))
				total += v;
	fclose(f);
	return total;
}

static const char *hold_name(__u64 flag)
{
	enum nst_type t = nst_flag_type(flag);

	if (t == NST_T_COUNT)
		return "net";
	return t == NST_T_TIME ? nst_types[t].fc_name : nst_types[t].name;
}

/* Hold `hold` namespaces alive by fd: the kernel memory they keep, per namespace. */
static void measure_memory(const struct bench_opts *o, struct bench_result *r)
{
	int hold = o->run.hold, *fds = calloc(hold, sizeof(int)), held = 0;
	long before, after;

	if (!fds)
		return;
	before = meminfo_kib();
	for (int i = 0; i < hold && !stop_bench; i++) {
		int p[2], st;
		pid_t pid;
		char c;

		if (pipe2(p, O_CLOEXEC))
			break;
		pid = nsrt_clone3(r->flag, NULL);
		if (pid == 0) {
			if (write(p[1], "x", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		close(p[1]);
		if (pid > 0 && read(p[0], &c, 1) == 1)
			fds[held] = nsrt_open_ns(pid, r->flag ? hold_name(r->flag) : "net");
		if (pid > 0 && fds[held] >= 0)
			held++;
		close(p[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
	}
	usleep(200000);
	after = meminfo_kib();
	r->kib_per_ns = held ? (double)(after - before) / held : NAN;
	/*
	 * Each held namespace costs a short-lived process too: "none" runs the
	 * same procedure without a new namespace and is the baseline subtracted.
	 */
	if (r->flag && !isnan(o->run.res[0].kib_per_ns))
		r->kib_per_ns -= o->run.res[0].kib_per_ns;
	for (int i = 0; i < held; i++)
		close(fds[i]);
	free(fds);
}

/* A type the kernel lacks or we may not create is skipped with the reason. */
static bool probe_type(const struct bench_opts *o, struct bench_result *r)
{
	struct sample s = {};
	int ret = one_create(o, r->flag, &s);

	if (!ret)
		return true;
	r->skipped = true;
	snprintf(r->reason, sizeof(r->reason), "%s: %s",
		 ret == -EPERM ? "not permitted" : "not supported by this kernel", strerror(-ret));
	return false;
}

/* The tracer runs only for the latency phase: it would slow the others down. */
static struct nst_tracer *open_kernel_timing(struct bench_opts *o, struct kern_match *m)
{
	static pid_t self;
	struct nst_tracer_opts to = o->tracer;
	struct nst_tracer *t;
	char err[512];

	if (o->no_kernel)
		return NULL;
	self = getpid();
	to.pids = &self;
	to.npids = 1;
	t = nst_tracer_open(&to, match_event, m, err, sizeof(err));
	if (!t)
		nst_warnf("kernel-side timing off: %s", err);
	else
		snprintf(o->run.env.tier, sizeof(o->run.env.tier), "%s",
			 nst_tier_name(nst_tracer_tier(t)));
	return t;
}

static void bench_type(struct bench_opts *o, struct bench_result *r, struct sample *s, long *shared)
{
	struct kern_match m = { .kind = o->clone_mode ? NST_K_CLONE3 : NST_K_UNSHARE };
	struct nst_tracer *t;

	if (!probe_type(o, r))
		return;
	t = open_kernel_timing(o, &m);
	measure_latency(o, r, s, t, &m);
	nst_tracer_close(t);
	if (stop_bench)
		return;
	measure_throughput(o, r, shared);
	if (!stop_bench)
		measure_memory(o, r);
}

static const char bench_usage[] =
	"Usage: nstrace bench [OPTIONS]\n"
	"Measure what creating each namespace type costs, against a \"none\" baseline.\n"
	"\n"
	"  -t, --ns TYPES         types to measure (default: all) plus none\n"
	"  -n, --iterations N     timed creations per type (default 200)\n"
	"  -w, --warmup N         untimed creations first (default n/10)\n"
	"  -j, --jobs LIST        worker counts for the throughput curve (default 1,2)\n"
	"  -m, --mode MODE        unshare (fork+unshare, default) or clone (clone3)\n"
	"  -d, --duration SECS    length of each throughput point (default 0.5)\n"
	"      --hold N           namespaces held for the memory figure (default 200)\n"
	"      --no-kernel        do not time the calls in the kernel (no tracer)\n"
	"  -J, --json             JSON results\n"
	"      --csv              CSV results\n"
	"      --svg FILE         write a picture: latency per type and the scaling "
	"curve\n" NST_BACKEND_HELP "  -v, --verbose          libbpf debug output\n"
	"  -h, --help             this help\n"
	"\n"
	"Examples:\n"
	"  nstrace bench\n"
	"  nstrace bench --ns net,mnt -n 2000 -j 1,2 --json > net-mnt.json\n"
	"  nstrace bench --svg cost.svg\n";

enum { OPT_HOLD = 256, OPT_CSV, OPT_SVG, OPT_NO_KERNEL };

static int parse_bench_opt(int c, struct bench_opts *o, char *err, size_t errlen)
{
	long v;

	switch (c) {
	case 't':
		return nst_parse_types(optarg, &o->types, err, errlen);
	case 'n':
		if (nst_parse_long(optarg, 1, MAX_N, "iteration count (-n)", &v, err, errlen))
			return -1;
		o->n = v;
		return 0;
	case 'w':
		if (nst_parse_long(optarg, 0, MAX_N, "warm-up count", &v, err, errlen))
			return -1;
		o->warmup = v;
		return 0;
	case 'j':
		return nst_parse_int_list(optarg, 1, 1024, "job count", o->run.jobs, BENCH_MAX_JOBS,
					  &o->run.njobs, err, errlen);
	case 'm':
		if (strcmp(optarg, "unshare") && strcmp(optarg, "clone")) {
			snprintf(err, errlen, "unknown mode '%s' (valid: unshare, clone)", optarg);
			return -1;
		}
		o->clone_mode = !strcmp(optarg, "clone");
		return 0;
	case 'd': {
		long long ms;

		if (nst_parse_duration_ms(optarg, &ms, err, errlen))
			return -1;
		o->tput_secs = ms / 1000.0;
		return 0;
	}
	case OPT_HOLD:
		if (nst_parse_long(optarg, 1, 100000, "--hold count", &v, err, errlen))
			return -1;
		o->run.hold = v;
		return 0;
	case 'J':
		o->json = true;
		nst_set_json_errors(true);
		return 0;
	case OPT_CSV:
		o->csv = true;
		return 0;
	case OPT_SVG:
		o->svg = optarg;
		return 0;
	case OPT_NO_KERNEL:
		o->no_kernel = true;
		return 0;
	case 'v':
		o->tracer.verbose = true;
		return 0;
	case NST_OPT_BACKEND:
	case NST_OPT_TIER:
		return nst_backend_opt(c, optarg, &o->tracer, err, errlen) < 0 ? -1 : 0;
	}
	snprintf(err, errlen, "invalid option (see 'nstrace bench --help')");
	return -1;
}

static int parse_bench_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = { { "ns", required_argument, NULL, 't' },
						  { "iterations", required_argument, NULL, 'n' },
						  { "warmup", required_argument, NULL, 'w' },
						  { "jobs", required_argument, NULL, 'j' },
						  { "mode", required_argument, NULL, 'm' },
						  { "duration", required_argument, NULL, 'd' },
						  { "hold", required_argument, NULL, OPT_HOLD },
						  { "json", no_argument, NULL, 'J' },
						  { "csv", no_argument, NULL, OPT_CSV },
						  { "svg", required_argument, NULL, OPT_SVG },
						  { "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
						  { "verbose", no_argument, NULL, 'v' },
						  { "help", no_argument, NULL, 'h' },
						  NST_BACKEND_LONGOPTS,
						  {} };
	char err[256];
	int c;

	o->n = 200;
	o->warmup = -1;
	o->tput_secs = 0.5;
	o->run.hold = 200;
	o->run.jobs[0] = 1;
	o->run.jobs[1] = 2;
	o->run.njobs = 2;
	nst_parse_types("all", &o->types, err, sizeof(err));
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:n:w:j:m:d:Jvh", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(bench_usage, stdout);
			return NST_EXIT_OK;
		}
		if (parse_bench_opt(c, o, err, sizeof(err))) {
			nst_errorf("%s", err);
			return NST_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		nst_errorf("unexpected argument '%s' (see 'nstrace bench --help')", argv[optind]);
		return NST_EXIT_USAGE;
	}
	if (o->warmup < 0)
		o->warmup = o->n / 10 < 5 ? 5 : o->n / 10;
	return -1;
}

static void add_types(struct bench_opts *o)
{
	struct bench_run *run = &o->run;

	run->mode = o->clone_mode ? "clone" : "unshare";
	run->n = o->n;
	run->res[run->nres++] = (struct bench_result){ .name = "none", .flag = 0 };
	for (int i = 0; i < NST_T_COUNT; i++) {
		const struct nst_type_info *t = &nst_types[nst_types_lsns[i]];

		if (o->types & t->flag)
			run->res[run->nres++] =
				(struct bench_result){ .name = t->name, .flag = t->flag };
	}
}

static int emit_results(const struct bench_opts *o)
{
	if (o->svg && bench_write_svg(&o->run, o->svg))
		return NST_EXIT_FAIL;
	if (o->json)
		bench_print_json(&o->run, stdout);
	else if (o->csv)
		bench_print_csv(&o->run, stdout);
	else if (bench_print_table(&o->run, stdout))
		return NST_EXIT_FAIL;
	return nst_finish_stdout();
}

int cmd_bench(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigint };
	struct bench_opts o = {};
	struct sample *s;
	long *shared;
	int ret = parse_bench_args(argc, argv, &o);

	if (ret >= 0)
		return ret;
	/* children write their samples where the parent can read them */
	s = mmap(NULL, sizeof(*s) * o.n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared = mmap(NULL, sizeof(long) * 1024, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (s == MAP_FAILED || shared == MAP_FAILED) {
		nst_errorf("failed to map sample memory: %s", strerror(errno));
		return NST_EXIT_FAIL;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	bench_env_read(&o.run.env);
	add_types(&o);
	for (int i = 0; i < o.run.nres && !stop_bench; i++)
		bench_type(&o, &o.run.res[i], s, shared);
	if (stop_bench)
		nst_warnf("interrupted: results so far");
	ret = emit_results(&o);
	munmap(s, sizeof(*s) * o.n);
	munmap(shared, sizeof(long) * 1024);
	return stop_bench ? 130 : ret;
}
