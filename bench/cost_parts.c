// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Where a traced setns call's time goes, part by part, in one process:
 * rounds of setns(fd, CLONE_NEWUTS) storms, each round under every
 * configuration in turn (the order rotates from round to round):
 *
 *   untraced; the empty tracepoint pair (bench/tp_floor.bpf.c); then
 *   nstrace's own pair from a bench build of bpf/nstrace.bpf.c
 *   (-DNST_BENCH_PARTS) that skips every part of the traced call from one
 *   on, adding one part per configuration: the filter, the entry's task
 *   storage, its namespace reads, the setns target, the exit's reads,
 *   the ring buffer (never waking the consumer), the wakeups nstrace
 *   uses; one forced wakeup per event beside it; and then real commands
 *   given on the command line (NAME=SHELL COMMAND, e.g. nstrace live to
 *   /dev/null), which add the consumer's decoding, formatting and writing.
 *
 * For the configurations with a ring buffer, a thread of this process
 * consumes it as nstrace does (a 20 ms poll timeout) and only counts.
 * Prints per configuration the median ns per call, the median per-round
 * ratio to untraced, and the median per-round difference to the previous
 * configuration in the chain: that difference is the part's cost.
 *
 * usage: cost_parts [ROUNDS [CALLS_PER_ROUND [NAME=COMMAND...]]]
 * A command is started with sh -c in a process group of its own; it is
 * ready when its standard error shows a line starting with "Tracing" or
 * "Recording", and it is stopped with SIGINT to the group.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "nstrace_parts.skel.h"
#include "tp_floor.skel.h"
#include "storm_rounds.h"

#define RINGBUF_BYTES (4U << 20) /* nstrace's default -b */
#define FLUSH_MS 20 /* nstrace's poll timeout (user/tracer_bpf.c) */
#define NEVER_WAKE (~0ULL >> 1)
#define MAX_CONF 24
#define MAX_ROUNDS 1000

/* bench_skip_from values: enum bench_part in bpf/nstrace.bpf.c */
enum { SKIP_NONE, SKIP_ENTER_STATE, SKIP_ENTER_INOS, SKIP_SETNS_TARGET, SKIP_EXIT, SKIP_EMIT };

enum conf_kind { UNTRACED, FLOOR, PARTS, COMMAND };

struct conf {
	const char *name;
	enum conf_kind kind;
	__u32 skip_from; /* PARTS */
	__u64 wakeup_bytes; /* PARTS */
	bool in_chain; /* its difference to the previous chain entry is a part */
	const char *cmd; /* COMMAND */
	struct nstrace_parts_bpf *skel;
	struct ring_buffer *rb;
	unsigned long long events, lost;
	/* kernel.bpf_stats: the programs' own run time and run count, summed over rounds */
	unsigned long long run_ns, runs, calls;
};

static struct conf confs[MAX_CONF] = {
	{ .name = "untraced", .kind = UNTRACED, .in_chain = true },
	{ .name = "empty tracepoint pair (the floor)", .kind = FLOOR, .in_chain = true },
	{ .name = "+ nstrace's filter, call wanted",
	  .kind = PARTS,
	  .skip_from = SKIP_ENTER_STATE,
	  .wakeup_bytes = 0,
	  .in_chain = true },
	{ .name = "+ entry: task storage, timestamp",
	  .kind = PARTS,
	  .skip_from = SKIP_ENTER_INOS,
	  .wakeup_bytes = 0,
	  .in_chain = true },
	{ .name = "+ entry: namespace inode reads",
	  .kind = PARTS,
	  .skip_from = SKIP_SETNS_TARGET,
	  .wakeup_bytes = 0,
	  .in_chain = true },
	{ .name = "+ entry: setns target read",
	  .kind = PARTS,
	  .skip_from = SKIP_EXIT,
	  .wakeup_bytes = 0,
	  .in_chain = true },
	{ .name = "+ exit: inode reads, task facts",
	  .kind = PARTS,
	  .skip_from = SKIP_EMIT,
	  .wakeup_bytes = 0,
	  .in_chain = true },
	{ .name = "+ ring buffer, never woken",
	  .kind = PARTS,
	  .skip_from = SKIP_NONE,
	  .wakeup_bytes = NEVER_WAKE,
	  .in_chain = true },
	{ .name = "+ wakeups as nstrace's (b/8)",
	  .kind = PARTS,
	  .skip_from = SKIP_NONE,
	  .wakeup_bytes = RINGBUF_BYTES / 8,
	  .in_chain = true },
	{ .name = "  (instead: a wakeup per event)",
	  .kind = PARTS,
	  .skip_from = SKIP_NONE,
	  .wakeup_bytes = 0,
	  .in_chain = false },
};
static int nconf = 10;

static int count_event(void *ctx, void *data, size_t size)
{
	((struct conf *)ctx)->events++;
	return 0;
}

/* nstrace's two syscall programs as `nstrace` (no filter) sets them up. */
static struct nstrace_parts_bpf *load_parts(struct conf *c)
{
	struct nstrace_parts_bpf *s = nstrace_parts_bpf__open();
	struct bpf_program *p;

	if (!s)
		return NULL;
	for (p = bpf_object__next_program(s->obj, NULL); p; p = bpf_object__next_program(s->obj, p))
		bpf_program__set_autoload(p,
					  p == s->progs.tp_sys_enter || p == s->progs.tp_sys_exit);
	bpf_map__set_max_entries(s->maps.events, RINGBUF_BYTES);
	s->rodata->bench_skip_from = c->skip_from;
	s->rodata->wakeup_bytes = c->wakeup_bytes;
	s->rodata->event_source = 1;
	s->rodata->nr_clone = SYS_clone;
	s->rodata->nr_clone3 = SYS_clone3;
	s->rodata->nr_unshare = SYS_unshare;
	s->rodata->nr_setns = SYS_setns;
	if (nstrace_parts_bpf__load(s)) {
		nstrace_parts_bpf__destroy(s);
		return NULL;
	}
	c->rb = ring_buffer__new(bpf_map__fd(s->maps.events), count_event, c, NULL);
	if (!c->rb) {
		nstrace_parts_bpf__destroy(s);
		return NULL;
	}
	return s;
}

static unsigned long long lost_of(struct nstrace_parts_bpf *s)
{
	int n = libbpf_num_possible_cpus();
	__u64 v[n > 0 ? n : 1], sum = 0;
	__u32 zero = 0;

	memset(v, 0, sizeof(v));
	if (bpf_map_lookup_elem(bpf_map__fd(s->maps.lost), &zero, v))
		return 0;
	for (int i = 0; i < n; i++)
		sum += v[i];
	return sum;
}

/* The run time and count of a program pair so far (BPF_STATS_RUN_TIME). */
static void prog_stats(struct bpf_program *a, struct bpf_program *b, unsigned long long *ns,
		       unsigned long long *cnt)
{
	struct bpf_program *p[2] = { a, b };

	*ns = *cnt = 0;
	for (int i = 0; i < 2; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(p[i]), &info, &len))
			continue;
		*ns += info.run_time_ns;
		*cnt += info.run_cnt;
	}
}

/* ---- the consumer thread: drains like nstrace, counts only ---- */

static volatile bool consuming;

static void *consume(void *arg)
{
	struct conf *c = arg;

	/* a record submitted without a wakeup is seen only by a consume */
	while (consuming)
		if (ring_buffer__consume(c->rb) <= 0)
			ring_buffer__poll(c->rb, FLUSH_MS);
	ring_buffer__consume(c->rb);
	return NULL;
}

/* ---- commands: a real tracer, started and stopped around the storm ---- */

struct running {
	pid_t pid;
	int err_fd;
};

static bool ready_line(const char *buf)
{
	for (const char *l = buf; l; l = strchr(l, '\n')) {
		l += *l == '\n';
		if (!strncmp(l, "Tracing", 7) || !strncmp(l, "Recording", 9))
			return true;
	}
	return false;
}

static int start_command(const char *cmd, struct running *r)
{
	char buf[4096];
	size_t len = 0;
	int fds[2];

	if (pipe(fds))
		return -1;
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		setpgid(0, 0);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(r->pid, r->pid);
	close(fds[1]);
	r->err_fd = fds[0];
	while (len < sizeof(buf) - 1) {
		struct pollfd pfd = { .fd = r->err_fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 10000) <= 0)
			break;
		n = read(r->err_fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += n;
		buf[len] = 0;
		if (ready_line(buf)) {
			usleep(200000); /* as bench/overhead.sh: let it settle */
			return 0;
		}
	}
	fprintf(stderr, "cost_parts: %s did not get ready: %.*s\n", cmd, (int)len, buf);
	return -1;
}

/* Stop it; its last words (a lost count) go to our standard error. */
static void stop_command(struct running *r)
{
	char buf[4096];
	ssize_t n;

	kill(-r->pid, SIGINT);
	waitpid(r->pid, NULL, 0);
	while ((n = read(r->err_fd, buf, sizeof(buf))) > 0)
		if (strstr(buf, "lost"))
			fprintf(stderr, "%.*s", (int)n, buf);
	close(r->err_fd);
}

/* ---- one round of one configuration ---- */

static double round_of(struct conf *c, int fd, long calls, struct tp_floor_bpf *fl)
{
	struct bpf_link *a = NULL, *b = NULL;
	struct running cmd = { .pid = -1, .err_fd = -1 };
	struct bpf_program *enter = NULL, *exit_ = NULL;
	unsigned long long ns0 = 0, cnt0 = 0, ns1, cnt1;
	pthread_t th;
	double ns;

	if (c->kind == FLOOR) {
		enter = fl->progs.floor_enter;
		exit_ = fl->progs.floor_exit;
	} else if (c->kind == PARTS) {
		enter = c->skel->progs.tp_sys_enter;
		exit_ = c->skel->progs.tp_sys_exit;
	}
	if (enter) {
		prog_stats(enter, exit_, &ns0, &cnt0);
		a = attach(enter, exit_, &b);
	}
	if ((c->kind == FLOOR || c->kind == PARTS) && !a) {
		fprintf(stderr, "cost_parts: failed to attach for %s\n", c->name);
		exit(1);
	}
	if (c->kind == COMMAND && start_command(c->cmd, &cmd))
		exit(1);
	consuming = true;
	if (c->kind == PARTS && pthread_create(&th, NULL, consume, c))
		exit(1);
	/* let attaching's deferred work (RCU callbacks, kthreads) finish first */
	usleep(50000);
	ns = storm_ns(fd, calls);
	bpf_link__destroy(b);
	bpf_link__destroy(a);
	if (enter) {
		prog_stats(enter, exit_, &ns1, &cnt1);
		c->run_ns += ns1 - ns0;
		c->runs += cnt1 - cnt0;
		c->calls += calls;
	}
	consuming = false;
	if (c->kind == PARTS) {
		pthread_join(th, NULL);
		c->lost = lost_of(c->skel);
	}
	if (c->kind == COMMAND)
		stop_command(&cmd);
	return ns;
}

static void add_commands(int argc, char **argv)
{
	for (int i = 0; i < argc && nconf < MAX_CONF; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq) {
			fprintf(stderr, "cost_parts: %s: want NAME=COMMAND\n", argv[i]);
			exit(2);
		}
		*eq = 0;
		confs[nconf++] = (struct conf){ .name = argv[i], .kind = COMMAND, .cmd = eq + 1 };
	}
}

/*
 * The programs' time per setns call: every other syscall of the machine
 * runs them too, and costs what one run of the empty pair costs (they
 * return at the syscall number), which is taken out.
 */
static double prog_ns_per_call(const struct conf *c, const struct conf *floor)
{
	double base = floor->runs ? (double)floor->run_ns / floor->runs : 0;

	if (!c->calls)
		return 0;
	return (c->run_ns - (double)(c->runs - 2 * c->calls) * base) / c->calls;
}

static double ns[MAX_CONF][MAX_ROUNDS], ratio[MAX_CONF][MAX_ROUNDS];

static void print_results(int rounds, long calls)
{
	int prev = 0;
	double prev_prog = 0;

	printf("# %d rounds of %ld setns calls each, every configuration in each round\n", rounds,
	       calls);
	printf("# wall: median ns per call, median per-round ratio to untraced, median per-round\n"
	       "# difference to the line above it in the chain (a command: to the b/8 line);\n"
	       "# in programs: kernel.bpf_stats run time per setns call, and its difference\n");
	printf("%-36s %10s %8s %12s %12s %10s  %s\n", "configuration", "ns/call", "ratio",
	       "part ns/call", "in programs", "part", "events (lost)");
	for (int c = 0; c < nconf; c++) {
		double diff[MAX_ROUNDS] = { 0 };
		char part[32] = "";
		char evs[48] = "";
		/* a command's part is what it adds to the whole BPF side */
		int base = confs[c].kind == COMMAND ? 8 : confs[c].in_chain ? prev : 7;

		if (c > 0) {
			for (int r = 0; r < rounds; r++)
				diff[r] = ns[c][r] - ns[base][r];
			snprintf(part, sizeof(part), "%+.1f", median(diff, rounds));
		}
		char prog[24] = "", prog_part[24] = "";
		double pn = prog_ns_per_call(&confs[c], &confs[1]);

		if (confs[c].kind == PARTS)
			snprintf(evs, sizeof(evs), "%llu (%llu)", confs[c].events, confs[c].lost);
		if (confs[c].calls) {
			snprintf(prog, sizeof(prog), "%.1f", pn);
			snprintf(prog_part, sizeof(prog_part), "%+.1f", pn - prev_prog);
		}
		printf("%-36s %10.1f %7.3fx %12s %12s %10s  %s\n", confs[c].name,
		       median(ns[c], rounds), median(ratio[c], rounds), part, prog, prog_part, evs);
		if (confs[c].in_chain) {
			prev = c;
			if (confs[c].calls)
				prev_prog = pn;
		}
	}
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 11;
	long calls = argc > 2 ? atol(argv[2]) : 200000;
	struct tp_floor_bpf *fl;
	int fd;

	if (rounds < 1 || rounds > MAX_ROUNDS || calls < 1) {
		fprintf(stderr, "usage: cost_parts [ROUNDS [CALLS_PER_ROUND [NAME=COMMAND...]]]\n");
		return 2;
	}
	fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	fl = tp_floor_bpf__open_and_load();
	if (argc > 3)
		add_commands(argc - 3, argv + 3);
	/* the programs' run time is counted while this fd is open */
	if (bpf_enable_stats(BPF_STATS_RUN_TIME) < 0)
		fprintf(stderr,
			"cost_parts: no kernel.bpf_stats: the in-program column is empty\n");
	if (fd < 0 || !fl) {
		fprintf(stderr, "cost_parts: failed to set up (root, and a kernel with BTF)\n");
		return 1;
	}
	for (int c = 0; c < nconf; c++) {
		if (confs[c].kind == PARTS && !(confs[c].skel = load_parts(&confs[c]))) {
			fprintf(stderr, "cost_parts: failed to load the bench build for %s\n",
				confs[c].name);
			return 1;
		}
	}
	storm_ns(fd, calls); /* warm up */
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < nconf; k++) {
			int c = (r + k) % nconf;

			ns[c][r] = round_of(&confs[c], fd, calls, fl);
		}
		for (int c = 0; c < nconf; c++)
			ratio[c][r] = ns[c][r] / ns[0][r];
		fprintf(stderr, "round %d of %d done\n", r + 1, rounds);
	}
	print_results(rounds, calls);
	return 0;
}
