// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The fentry tier against ground truth: nsproxy switches (unshare, setns,
 * clone, exit, credentials), the per-type creation cost, and namespace
 * frees. It needs a kernel that allows fentry: these tests skip where the
 * kernel refuses it, and run (and may not skip) in the VM of make check-vm.
 */
#include <sched.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include "kselftest_harness.h"
#include "nst_test.h"
#include "event.h"

#define FREE_WAIT_MS 30000 /* net cleanup waits for RCU grace periods; TCG is slow */

/*
 * No tracer: skip where the kernel refuses fentry, fail in the VM. Not a
 * privilege skip: every caller has checked root (NST_REQUIRE_ROOT) first,
 * and root gets EPERM from such a kernel too; make check, CI=true or not,
 * runs this file again in the VM, where nothing here may skip.
 */
#define REQUIRE_FENTRY(t)                                                                \
	do {                                                                             \
		if (!(t) && !nst_in_vm())                                                \
			SKIP(return, "this kernel refuses fentry programs; "             \
				     "make check-vm runs this test on Debian's kernel"); \
		ASSERT_NE(NULL, t) TH_LOG("failed to open the fentry tier in the VM");   \
	} while (0)

#define OPEN_FENTRY(t, pids, npids, log)                                  \
	do {                                                              \
		(t) = nst_open_tracer(pids, npids, NST_TIER_FENTRY, log); \
		REQUIRE_FENTRY(t);                                        \
	} while (0)

static struct nst_evlog *new_log(void)
{
	return calloc(1, sizeof(struct nst_evlog));
}

TEST(auto_picks_fentry_with_every_hook)
{
	struct nst_evlog *log = new_log();
	pid_t self = getpid();
	struct nst_tracer *t;

	NST_REQUIRE_ROOT(_metadata);
	t = nst_open_tracer(&self, 1, NST_TIER_AUTO, log);
	ASSERT_NE(NULL, t);
	if (nst_tracer_tier(t) != NST_TIER_FENTRY && !nst_in_vm()) {
		const char *picked = nst_tier_name(nst_tracer_tier(t));

		nst_tracer_close(t);
		SKIP(return, "this kernel refuses fentry programs (auto picked %s)", picked);
	}
	EXPECT_EQ(NST_TIER_FENTRY, nst_tracer_tier(t))
	TH_LOG("--tier auto picked %s", nst_tier_name(nst_tracer_tier(t)));
	/* every hook has a function on the VM's kernel, by one name or another */
	EXPECT_STREQ("", nst_tracer_missing(t))
	TH_LOG("this kernel lacks (or inlines): %s", nst_tracer_missing(t));
	nst_tracer_close(t);
	free(log);
}

/* The ns_cost event of pid: one copy_* of type, or (type 0) create_new_namespaces. */
static const struct nst_event *find_cost(const struct nst_evlog *l, pid_t pid, __u32 type)
{
	for (int i = 0; i < l->n; i++)
		if (l->ev[i].kind == NST_K_NS_COST && l->ev[i].pid == (__u32)pid &&
		    l->ev[i].target_type == type)
			return &l->ev[i];
	return NULL;
}

static void op_unshare_net(int sock, void *arg)
{
	if (unshare(CLONE_NEWNET))
		_exit(2);
}

TEST(copy_net_ns_cost_lies_within_the_unshare)
{
	const struct nst_event *call, *cost, *whole;
	struct nst_evlog *log = new_log();
	struct nst_worker w;
	struct nst_tracer *t;
	__u64 net;

	NST_REQUIRE_ROOT(_metadata);
	ASSERT_EQ(0, nst_start_worker(&w, op_unshare_net, NULL));
	OPEN_FENTRY(t, &w.pid, 1, log);
	ASSERT_TRUE(nst_run_worker(&w)) TH_LOG("unshare(CLONE_NEWNET) failed in the worker");
	net = nsrt_ns_ino(w.pid, "net");
	call = nst_wait_event(t, log, NST_K_UNSHARE, w.pid);
	ASSERT_NE(NULL, call) TH_LOG("no unshare event");
	cost = find_cost(log, w.pid, CLONE_NEWNET);
	ASSERT_NE(NULL, cost) TH_LOG("no copy_net_ns cost event");
	EXPECT_EQ(0, cost->ret);
	EXPECT_EQ(net, cost->after[NST_NS_NET])
	TH_LOG("cost names net %u, /proc says %llu", cost->after[NST_NS_NET],
	       (unsigned long long)net);
	EXPECT_GT(cost->lat_ns, 0);
	EXPECT_LT(cost->lat_ns, call->lat_ns)
	TH_LOG("copy_net_ns %llu ns, the whole unshare %llu ns", (unsigned long long)cost->lat_ns,
	       (unsigned long long)call->lat_ns);
	/* the copy ran inside the call */
	EXPECT_GE(cost->ts_ns - cost->lat_ns, call->ts_ns - call->lat_ns);
	EXPECT_LE(cost->ts_ns, call->ts_ns);
	whole = find_cost(log, w.pid, 0);
	ASSERT_NE(NULL, whole) TH_LOG("no create_new_namespaces cost event");
	EXPECT_EQ(CLONE_NEWNET, whole->flags);
	EXPECT_LE(cost->lat_ns, whole->lat_ns);
	EXPECT_LE(whole->lat_ns, call->lat_ns);
	TH_LOG("copy_net_ns %llu ns <= create_new_namespaces %llu ns <= unshare %llu ns",
	       (unsigned long long)cost->lat_ns, (unsigned long long)whole->lat_ns,
	       (unsigned long long)call->lat_ns);
	nst_stop_worker(&w);
	nst_tracer_close(t);
	free(log);
}

/* What the worker saw in /proc/self/ns after each of its steps. */
struct switch_truth {
	__u64 uts_before, uts_new, uts_back, user_new;
};

static void op_switches(int sock, void *arg)
{
	struct switch_truth *tr = arg;
	int back = nsrt_open_ns(0, "uts");

	tr->uts_before = nsrt_ns_ino(0, "uts");
	if (unshare(CLONE_NEWUTS))
		_exit(2);
	tr->uts_new = nsrt_ns_ino(0, "uts");
	if (setns(back, CLONE_NEWUTS))
		_exit(3);
	tr->uts_back = nsrt_ns_ino(0, "uts");
	if (unshare(CLONE_NEWUSER))
		_exit(4);
	tr->user_new = nsrt_ns_ino(0, "user");
}

/* The n-th switch event of pid (0-based), or NULL. */
static const struct nst_event *nth_switch(const struct nst_evlog *l, pid_t pid, int n)
{
	for (int i = 0; i < l->n; i++)
		if (l->ev[i].kind == NST_K_SWITCH && l->ev[i].pid == (__u32)pid && n-- == 0)
			return &l->ev[i];
	return NULL;
}

TEST(switches_of_unshare_setns_creds_and_exit)
{
	struct switch_truth *tr =
		mmap(NULL, sizeof(*tr), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const struct nst_event *un, *back, *user, *ex;
	struct nst_evlog *log = new_log();
	struct nst_worker w;
	struct nst_tracer *t;

	NST_REQUIRE_ROOT(_metadata);
	ASSERT_NE(MAP_FAILED, tr);
	ASSERT_EQ(0, nst_start_worker(&w, op_switches, tr));
	OPEN_FENTRY(t, &w.pid, 1, log);
	ASSERT_TRUE(nst_run_worker(&w)) TH_LOG("the worker's unshare/setns failed");
	ASSERT_NE(tr->uts_before, tr->uts_new);
	ASSERT_EQ(tr->uts_before, tr->uts_back);
	nst_stop_worker(&w);
	ASSERT_NE(NULL, nst_wait_event(t, log, NST_K_EXIT, w.pid));
	nst_tracer_poll(t, 100);

	un = nth_switch(log, w.pid, 0);
	ASSERT_NE(NULL, un) TH_LOG("no switch for unshare(CLONE_NEWUTS)");
	EXPECT_EQ(tr->uts_before, un->before[NST_NS_UTS]);
	EXPECT_EQ(tr->uts_new, un->after[NST_NS_UTS]);
	back = nth_switch(log, w.pid, 1);
	ASSERT_NE(NULL, back) TH_LOG("no switch for setns back");
	EXPECT_EQ(tr->uts_new, back->before[NST_NS_UTS]);
	EXPECT_EQ(tr->uts_back, back->after[NST_NS_UTS]);
	user = nth_switch(log, w.pid, 2);
	ASSERT_NE(NULL, user) TH_LOG("no switch for unshare(CLONE_NEWUSER) at commit_creds");
	EXPECT_EQ(CLONE_NEWUSER, user->flags);
	EXPECT_EQ(tr->user_new, user->after[NST_NS_USER]);
	EXPECT_NE(user->before[NST_NS_USER], user->after[NST_NS_USER]);
	/* exit drops the nsproxy: every nsproxy slot after is 0 */
	ex = nth_switch(log, w.pid, 3);
	ASSERT_NE(NULL, ex) TH_LOG("no switch at exit (--pid must still see it)");
	EXPECT_EQ(tr->uts_back, ex->before[NST_NS_UTS]);
	EXPECT_EQ(0, ex->after[NST_NS_UTS]);
	EXPECT_EQ(0, ex->after[NST_NS_NET]);
	EXPECT_EQ(0, ex->after[NST_NS_MNT]);
	nst_tracer_close(t);
	free(log);
	munmap(tr, sizeof(*tr));
}

static int hold_forever(void *arg)
{
	/* never outlive the test, even when an assertion ends it early */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pause();
	return 0;
}

/* The fentry tier, tracing this test process and its children. */
FIXTURE(traced_self)
{
	struct nst_evlog *log;
	struct nst_tracer *t;
	pid_t pid;
};

/* a SKIP here would not stop the test body: the tests check root and t */
FIXTURE_SETUP(traced_self)
{
	self->pid = getpid();
	self->log = new_log();
	ASSERT_NE(NULL, self->log);
	if (geteuid() == 0)
		self->t = nst_open_tracer(&self->pid, 1, NST_TIER_FENTRY, self->log);
}

FIXTURE_TEARDOWN(traced_self)
{
	nst_tracer_close(self->t);
	free(self->log);
}

/* clone never passes switch_task_namespaces: copy_namespaces' exit names the child's */
TEST_F(traced_self, clone_switch_names_the_childs_namespaces)
{
	struct nsrt_spec spec = { .new_ns = CLONE_NEWNET | CLONE_NEWUTS, .fn = hold_forever };
	const struct nst_evlog *log = self->log;
	const struct nst_event *sw = NULL;
	struct nsrt_child c;
	char err[256];

	NST_REQUIRE_ROOT(_metadata);
	REQUIRE_FENTRY(self->t);
	ASSERT_EQ(0, nsrt_spawn(&spec, &c, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_NE(NULL, nst_wait_event(self->t, self->log, NST_K_CLONE3, self->pid));
	for (int i = 0; i < log->n && !sw; i++)
		if (log->ev[i].kind == NST_K_SWITCH && log->ev[i].pid == (__u32)self->pid &&
		    (log->ev[i].flags & CLONE_NEWNET))
			sw = &log->ev[i];
	ASSERT_NE(NULL, sw) TH_LOG("no switch event for the clone");
	EXPECT_EQ(nsrt_ns_ino(c.pid, "net"), sw->after[NST_NS_NET]);
	EXPECT_EQ(nsrt_ns_ino(c.pid, "uts"), sw->after[NST_NS_UTS]);
	EXPECT_EQ(nsrt_ns_ino(0, "net"), sw->before[NST_NS_NET]);
	EXPECT_EQ(nsrt_ns_ino(0, "mnt"), sw->after[NST_NS_MNT]);
	kill(c.pid, SIGKILL);
	nsrt_wait(&c);
}

/* Poll until an ns_free of (slot, ino) arrives; NULL after FREE_WAIT_MS. */
static const struct nst_event *wait_free(struct nst_tracer *t, struct nst_evlog *l, int slot,
					 __u32 ino)
{
	for (int waited = 0; waited < FREE_WAIT_MS; waited += 50) {
		for (int i = 0; i < l->n; i++)
			if (l->ev[i].kind == NST_K_NS_FREE && l->ev[i].target[slot] == ino)
				return &l->ev[i];
		nst_tracer_poll(t, 50);
	}
	return NULL;
}

struct ns_slot {
	const char *proc_name;
	int slot;
};

static const struct ns_slot every_type[] = {
	{ "mnt", NST_NS_MNT },	     { "uts", NST_NS_UTS },   { "ipc", NST_NS_IPC },
	{ "pid", NST_NS_PID },	     { "net", NST_NS_NET },   { "user", NST_NS_USER },
	{ "cgroup", NST_NS_CGROUP }, { "time", NST_NS_TIME },
};

/* Each namespace a process alone held is freed after it exits. */
TEST_F(traced_self, every_type_is_freed_after_its_only_holder_exits)
{
	struct nsrt_spec spec = { .new_ns = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
					    CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUSER |
					    CLONE_NEWCGROUP | CLONE_NEWTIME,
				  .fn = hold_forever };
	const struct nst_event *ex;
	struct nsrt_child c;
	char err[256];
	__u64 ino[8];

	NST_REQUIRE_ROOT(_metadata);
	REQUIRE_FENTRY(self->t);
	ASSERT_EQ(0, nsrt_spawn(&spec, &c, err, sizeof(err))) TH_LOG("%s", err);
	for (int i = 0; i < 8; i++) {
		ino[i] = nsrt_ns_ino(c.pid, every_type[i].proc_name);
		ASSERT_NE(nsrt_ns_ino(0, every_type[i].proc_name), ino[i]);
	}
	kill(c.pid, SIGKILL);
	nsrt_wait(&c);
	ex = nst_wait_event(self->t, self->log, NST_K_EXIT, c.pid);
	ASSERT_NE(NULL, ex);
	for (int i = 0; i < 8; i++) {
		const struct nst_event *f =
			wait_free(self->t, self->log, every_type[i].slot, ino[i]);

		EXPECT_NE(NULL, f)
		TH_LOG("no ns_free for %s:[%llu]", every_type[i].proc_name,
		       (unsigned long long)ino[i]);
		if (f)
			EXPECT_GT(f->ts_ns, ex->ts_ns)
		TH_LOG("%s freed before its holder exited", every_type[i].proc_name);
	}
}

/*
 * A net namespace lives while anyone holds it: A creates it, B joins it.
 * A's exit frees nothing; B's exit (the last holder) frees it, and the
 * event comes after B's exit.
 */
TEST_F(traced_self, net_freed_only_after_its_last_holder)
{
	struct nsrt_spec sa = { .new_ns = CLONE_NEWNET, .fn = hold_forever };
	struct nsrt_spec sb = { .join_ns = CLONE_NEWNET, .fn = hold_forever };
	const struct nst_evlog *log = self->log;
	const struct nst_event *exit_b, *f;
	struct nsrt_child a, b;
	char err[256];
	__u64 net;

	NST_REQUIRE_ROOT(_metadata);
	REQUIRE_FENTRY(self->t);
	ASSERT_EQ(0, nsrt_spawn(&sa, &a, err, sizeof(err))) TH_LOG("%s", err);
	sb.join_pid = a.pid;
	ASSERT_EQ(0, nsrt_spawn(&sb, &b, err, sizeof(err))) TH_LOG("%s", err);
	net = nsrt_ns_ino(a.pid, "net");
	ASSERT_EQ(net, nsrt_ns_ino(b.pid, "net"));
	kill(a.pid, SIGKILL);
	nsrt_wait(&a);
	ASSERT_NE(NULL, nst_wait_event(self->t, self->log, NST_K_EXIT, a.pid));
	/* give a wrong free time to show up: cleanup_net would run by then */
	for (int i = 0; i < 40; i++)
		nst_tracer_poll(self->t, 50);
	for (int i = 0; i < log->n; i++)
		EXPECT_FALSE(log->ev[i].kind == NST_K_NS_FREE &&
			     log->ev[i].target[NST_NS_NET] == net)
	TH_LOG("net:[%llu] freed while B still holds it", (unsigned long long)net);
	kill(b.pid, SIGKILL);
	nsrt_wait(&b);
	exit_b = nst_wait_event(self->t, self->log, NST_K_EXIT, b.pid);
	ASSERT_NE(NULL, exit_b);
	f = wait_free(self->t, self->log, NST_NS_NET, net);
	ASSERT_NE(NULL, f)
	TH_LOG("no ns_free for net:[%llu] after its last holder exited", (unsigned long long)net);
	EXPECT_GT(f->ts_ns, exit_b->ts_ns);
	EXPECT_EQ(CLONE_NEWNET, f->flags);
	TH_LOG("net:[%llu] freed %.1f ms after its last holder exited", (unsigned long long)net,
	       (f->ts_ns - exit_b->ts_ns) / 1e6);
}

TEST_HARNESS_MAIN
