// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Parity between tiers. Two workloads, the pod scenario and an
 * unshare/setns sequence, record what each process sees in /proc/self/ns
 * after every step; each event is checked against that ground truth. Each
 * workload also writes a canonical transcript of its events, with pids
 * and inodes replaced by first-seen labels, so that runs on different
 * machines and tiers compare line by line: tests/vm/host/parity.sh diffs
 * the host's tracepoint run with the VM's fentry run.
 *
 * NST_TIER=auto|fentry|tracepoint picks the tier (auto by default; in the
 * VM auto must pick fentry). NST_TRANSCRIPT_DIR (in the VM /tmp/vm-out)
 * receives parity-pod.txt and parity-sequence.txt.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "kselftest_harness.h"
#include "nst_test.h"
#include "event.h"
#include "nsreg.h"

#define MAX_LABELS 64

/* ---- canonical transcript ---- */

struct labels {
	__u32 v[MAX_LABELS];
	int n;
};

/* A new label for v, also when v was seen before (a reused inode). */
static int fresh_label(struct labels *l, __u32 v)
{
	if (l->n == MAX_LABELS)
		return -1;
	l->v[l->n++] = v;
	return l->n;
}

/* 1, 2, ... in first-seen order; 0 stays 0 (no namespace, no pid) */
static int label(struct labels *l, __u32 v)
{
	if (!v)
		return 0;
	/* the newest namespace with this inode */
	for (int i = l->n - 1; i >= 0; i--)
		if (l->v[i] == v)
			return i + 1;
	return fresh_label(l, v);
}

struct canon {
	struct labels pids;
	struct labels ns[NST_T_COUNT];
};

static void print_slots(FILE *f, struct canon *c, const char *what, const __u32 *ino)
{
	fprintf(f, " %s", what);
	for (int i = 0; i < NST_NS_COUNT; i++)
		fprintf(f, "%s%s:%d", i ? "," : "=", nst_slot_name(i),
			label(&c->ns[nst_slot_type(i)], ino[i]));
}

/*
 * When an inode is reused depends on when the old namespace was freed
 * (RCU, workers): a namespace a call created gets a new label, so the
 * labels name namespaces, not inode numbers.
 */
static void relabel_created(struct canon *c, const struct nst_event *e)
{
	__u32 created = nst_changed_slots(e) & nst_flags_to_slots(e->flags), types = 0;

	if (e->ret < 0 ||
	    (e->kind != NST_K_CLONE && e->kind != NST_K_CLONE3 && e->kind != NST_K_UNSHARE))
		return;
	for (int i = 0; i < NST_NS_COUNT; i++) {
		enum nst_type type = nst_slot_type(i);

		/* pid and pid_for_children name one namespace: one label */
		if (!(created & (1U << i)) || (types & (1U << type)))
			continue;
		types |= 1U << type;
		fresh_label(&c->ns[type], e->after[i]);
	}
}

/* One line per event: nothing that differs between machines or tiers. */
static void print_canonical(FILE *f, struct canon *c, const struct nst_event *e)
{
	char flags[256];

	fprintf(f, "%s P%d flags=%s", nst_kind_name(e->kind), label(&c->pids, e->pid),
		nst_flags_str(e->kind, e->flags, flags, sizeof(flags)));
	if ((e->kind == NST_K_CLONE || e->kind == NST_K_CLONE3) && e->ret > 0)
		fprintf(f, " ret=P%d", label(&c->pids, e->ret));
	else if (e->ret < 0)
		fprintf(f, " ret=%s", nst_errno_name(e->ret));
	else
		fprintf(f, " ret=%lld", (long long)e->ret);
	if (e->kind == NST_K_SETNS) {
		fprintf(f, " target=%s", nst_target_name(e->target_kind));
		if (e->target_kind == NST_TGT_PIDFD)
			fprintf(f, ":P%d", label(&c->pids, e->target_pid));
		print_slots(f, c, "into", e->target);
	}
	print_slots(f, c, "before", e->before);
	relabel_created(c, e);
	print_slots(f, c, "after", e->after);
	fputc('\n', f);
}

/* The kinds every tier emits; the fentry tier's extra kinds are its own tests. */
static bool common_kind(int kind)
{
	return kind >= NST_K_CLONE && kind <= NST_K_EXIT;
}

static void write_transcript(const char *name, const struct nst_tracer *t,
			     const struct nst_evlog *l, pid_t self)
{
	const char *dir = getenv("NST_TRANSCRIPT_DIR");
	struct canon *c = calloc(1, sizeof(*c));
	char path[512];
	FILE *f;

	if (!dir && nst_in_vm())
		dir = "/tmp/vm-out";
	if (!dir || !c)
		goto out;
	snprintf(path, sizeof(path), "%s/parity-%s.txt", dir, name);
	f = fopen(path, "we");
	if (!f)
		goto out;
	fprintf(f, "# %s, tier %s\n", name, nst_tier_name(nst_tracer_tier(t)));
	label(&c->pids, self);
	for (int i = 0; i < l->n; i++)
		if (common_kind(l->ev[i].kind))
			print_canonical(f, c, &l->ev[i]);
	fclose(f);
out:
	free(c);
}

/* ---- ground truth ---- */

struct truth {
	__u32 ino[NST_NS_COUNT];
};

/* Every slot of pid (0: self) as /proc names it; 0 where unreadable. */
static void read_truth(pid_t pid, struct truth *tr)
{
	for (int i = 0; i < NST_NS_COUNT; i++)
		tr->ino[i] = nsrt_ns_ino(pid, nst_slot_name(i));
}

/* The event's slots against the truth; unreadable slots are not compared. */
static void check_slots(struct __test_metadata *_metadata, const struct truth *want,
			const __u32 *got, const char *what)
{
	for (int i = 0; i < NST_NS_COUNT; i++) {
		if (!want->ino[i])
			continue;
		EXPECT_EQ(want->ino[i], got[i])
		TH_LOG("%s: %s is %u, /proc says %u", what, nst_slot_name(i), got[i], want->ino[i]);
	}
}

static enum nst_tier wanted_tier(void)
{
	const char *s = getenv("NST_TIER");

	if (s && !strcmp(s, "fentry"))
		return NST_TIER_FENTRY;
	if (s && !strcmp(s, "tracepoint"))
		return NST_TIER_TRACEPOINT;
	return NST_TIER_AUTO;
}

#define OPEN_TRACER(t, self, log)                                          \
	do {                                                               \
		(t) = nst_open_tracer(&(self), 1, wanted_tier(), log);     \
		ASSERT_NE(NULL, t);                                        \
		if (nst_in_vm() && wanted_tier() == NST_TIER_AUTO) {       \
			ASSERT_EQ(NST_TIER_FENTRY, nst_tracer_tier(t))     \
			TH_LOG("in the VM, --tier auto must pick fentry"); \
		}                                                          \
		TH_LOG("tier %s", nst_tier_name(nst_tracer_tier(t)));      \
	} while (0)

/* The i-th event of kind by pid (0-based), or NULL. */
static const struct nst_event *nth_event(const struct nst_evlog *l, int kind, pid_t pid, int n)
{
	for (int i = 0; i < l->n; i++)
		if (l->ev[i].kind == kind && l->ev[i].pid == (__u32)pid && n-- == 0)
			return &l->ev[i];
	return NULL;
}

/* ---- the pod scenario (as nstrace demo runs it) ---- */

/* A container records where it ended up, then exits. */
static int container(void *arg)
{
	read_truth(0, arg);
	return 0;
}

static void check_container(struct __test_metadata *_metadata, const struct nst_evlog *l, pid_t pid,
			    const struct truth *tr, const struct truth *infra, __u64 joined)
{
	const struct nst_event *join = nth_event(l, NST_K_SETNS, pid, 0);
	const struct nst_event *ex = nth_event(l, NST_K_EXIT, pid, 0);

	ASSERT_NE(NULL, join) TH_LOG("no setns from container %d", pid);
	EXPECT_EQ(0, join->ret);
	EXPECT_EQ(NST_TGT_PIDFD, join->target_kind);
	check_slots(_metadata, tr, join->after, "container setns after");
	EXPECT_EQ(infra->ino[NST_NS_NET], join->target[NST_NS_NET]);
	EXPECT_EQ(infra->ino[NST_NS_UTS], join->after[NST_NS_UTS]);
	EXPECT_EQ(!!(joined & CLONE_NEWIPC), infra->ino[NST_NS_IPC] == join->after[NST_NS_IPC]);
	EXPECT_NE(infra->ino[NST_NS_MNT], join->after[NST_NS_MNT]);
	ASSERT_NE(NULL, ex) TH_LOG("no exit from container %d", pid);
	check_slots(_metadata, tr, ex->before, "container exit before");
}

TEST(pod_scenario)
{
	struct truth *tr = mmap(NULL, 3 * sizeof(*tr), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct nsrt_spec sa = { .new_ns = CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS |
					  CLONE_NEWPID,
				.fn = nsrt_hold_until_eof };
	struct nsrt_spec sb = { .new_ns = CLONE_NEWNS | CLONE_NEWPID, .fn = container };
	struct nst_evlog *log = calloc(1, sizeof(*log));
	const struct nst_event *e;
	struct truth self_tr;
	pid_t self = getpid();
	struct nsrt_child a, b, c;
	struct nst_tracer *t;
	int hold[2], fd;
	char err[256];

	NST_REQUIRE_ROOT(_metadata);
	ASSERT_NE(MAP_FAILED, tr);
	ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));
	read_truth(0, &self_tr);
	OPEN_TRACER(t, self, log);
	sa.arg = hold;
	ASSERT_EQ(0, nsrt_spawn(&sa, &a, err, sizeof(err))) TH_LOG("%s", err);
	read_truth(a.pid, &tr[0]);
	sb.join_pid = a.pid;
	sb.join_ns = CLONE_NEWNET | CLONE_NEWUTS;
	sb.arg = &tr[1];
	ASSERT_EQ(0, nsrt_spawn(&sb, &b, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, nsrt_wait(&b));
	sb.join_ns |= CLONE_NEWIPC;
	sb.arg = &tr[2];
	ASSERT_EQ(0, nsrt_spawn(&sb, &c, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, nsrt_wait(&c));
	/* the demo's deliberate failure: a net fd with CLONE_NEWUTS */
	fd = nsrt_open_ns(0, "net");
	ASSERT_NE(0, setns(fd, CLONE_NEWUTS));
	close(fd);
	close(hold[1]);
	ASSERT_EQ(0, nsrt_wait(&a));
	ASSERT_NE(NULL, nst_wait_event(t, log, NST_K_EXIT, a.pid));
	nst_tracer_poll(t, 100);

	e = nth_event(log, NST_K_CLONE3, self, 0);
	ASSERT_NE(NULL, e) TH_LOG("no clone3 for the pod infra");
	EXPECT_EQ(a.pid, e->ret);
	check_slots(_metadata, &tr[0], e->after, "infra clone3 after");
	check_slots(_metadata, &self_tr, e->before, "infra clone3 before");
	e = nth_event(log, NST_K_CLONE3, self, 1);
	ASSERT_NE(NULL, e) TH_LOG("no clone3 for container B");
	EXPECT_EQ(b.pid, e->ret);
	EXPECT_EQ(tr[1].ino[NST_NS_MNT], e->after[NST_NS_MNT]);
	EXPECT_EQ(self_tr.ino[NST_NS_NET], e->after[NST_NS_NET]) TH_LOG("B joins net later");
	check_container(_metadata, log, b.pid, &tr[1], &tr[0], CLONE_NEWNET | CLONE_NEWUTS);
	check_container(_metadata, log, c.pid, &tr[2], &tr[0],
			CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC);
	e = nth_event(log, NST_K_SETNS, self, 0);
	ASSERT_NE(NULL, e) TH_LOG("no failing setns");
	EXPECT_EQ(-EINVAL, e->ret);
	EXPECT_EQ(self_tr.ino[NST_NS_NET], e->target[NST_NS_NET]);
	check_slots(_metadata, &self_tr, e->after, "failed setns after");
	e = nth_event(log, NST_K_EXIT, a.pid, 0);
	check_slots(_metadata, &tr[0], e->before, "infra exit before");
	write_transcript("pod", t, log, self);
	nst_tracer_close(t);
	free(log);
}

/* ---- an unshare/setns sequence ---- */

#define SEQ_STEPS 5

struct seq_arg {
	pid_t holder;
	struct truth after[SEQ_STEPS];
};

static int seq_step(int i, int init_net, int pidfd)
{
	switch (i) {
	case 0:
		return unshare(CLONE_NEWNET | CLONE_NEWUTS);
	case 1:
		return setns(init_net, CLONE_NEWNET); /* back to where it started */
	case 2:
		return unshare(CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWCGROUP);
	case 3:
		return setns(pidfd, CLONE_NEWNET | CLONE_NEWUTS); /* into the holder's */
	default:
		return setns(init_net, CLONE_NEWUTS) ? 0 : -1; /* must fail: EINVAL */
	}
}

static void op_sequence(int sock, void *arg)
{
	struct seq_arg *a = arg;
	int init_net = nsrt_open_ns(0, "net");
	int pidfd = syscall(SYS_pidfd_open, a->holder, 0);

	for (int i = 0; i < SEQ_STEPS; i++) {
		if (seq_step(i, init_net, pidfd))
			_exit(10 + i);
		read_truth(0, &a->after[i]);
	}
}

static int hold_forever(void *arg)
{
	/* never outlive the test, even when an assertion ends it early */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pause();
	return 0;
}

TEST(unshare_setns_sequence)
{
	struct seq_arg *a =
		mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct nsrt_spec sh = { .new_ns = CLONE_NEWNET | CLONE_NEWUTS, .fn = hold_forever };
	struct nst_evlog *log = calloc(1, sizeof(*log));
	const struct nst_event *e;
	struct nsrt_child holder;
	struct nst_worker w;
	pid_t self = getpid();
	struct nst_tracer *t;
	__u64 holder_net;
	char err[256];
	int n = 0;

	NST_REQUIRE_ROOT(_metadata);
	ASSERT_NE(MAP_FAILED, a);
	OPEN_TRACER(t, self, log);
	ASSERT_EQ(0, nsrt_spawn(&sh, &holder, err, sizeof(err))) TH_LOG("%s", err);
	a->holder = holder.pid;
	holder_net = nsrt_ns_ino(holder.pid, "net");
	ASSERT_EQ(0, nst_start_worker(&w, op_sequence, a));
	ASSERT_TRUE(nst_run_worker(&w)) TH_LOG("a step of the sequence failed");
	nst_stop_worker(&w);
	kill(holder.pid, SIGKILL);
	nsrt_wait(&holder);
	ASSERT_NE(NULL, nst_wait_event(t, log, NST_K_EXIT, holder.pid));
	nst_tracer_poll(t, 100);

	for (int i = 0; i < log->n; i++) {
		e = &log->ev[i];
		if (e->pid != (__u32)w.pid || (e->kind != NST_K_UNSHARE && e->kind != NST_K_SETNS))
			continue;
		ASSERT_LT(n, SEQ_STEPS) TH_LOG("more calls traced than the worker made");
		check_slots(_metadata, &a->after[n], e->after, nst_kind_name(e->kind));
		if (n == 3) {
			EXPECT_EQ(holder_net, e->target[NST_NS_NET]);
			EXPECT_EQ(holder_net, a->after[3].ino[NST_NS_NET]);
		}
		if (n == SEQ_STEPS - 1)
			EXPECT_EQ(-EINVAL, e->ret);
		n++;
	}
	EXPECT_EQ(SEQ_STEPS, n) TH_LOG("the worker made %d calls, %d traced", SEQ_STEPS, n);
	e = nth_event(log, NST_K_EXIT, w.pid, 0);
	ASSERT_NE(NULL, e) TH_LOG("no exit from the worker");
	check_slots(_metadata, &a->after[SEQ_STEPS - 1], e->before, "worker exit before");
	write_transcript("sequence", t, log, self);
	nst_tracer_close(t);
	free(log);
}

TEST_HARNESS_MAIN
