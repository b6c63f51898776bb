// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The tier --tier auto picks (tracepoint here, fentry in the VM) against
 * ground truth: every event's inodes are compared with st_ino of
 * /proc/PID/ns/NAME taken by the test itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "nst_test.h"
#include "event.h"
#include "nsrt.h"
#include "tracer.h"

static struct nst_tracer *open_tracer(pid_t *pids, int npids, struct nst_evlog *l)
{
	return nst_open_tracer(pids, npids, NST_TIER_AUTO, l);
}

static void op_unshare(int sock, void *arg)
{
	int flag = *(int *)arg;

	if (unshare(flag))
		_exit(2);
	/*
	 * /proc/PID/ns/pid_for_children cannot be opened until the new pid
	 * namespace has an init: start one, which dies with us.
	 */
	if (flag == CLONE_NEWPID) {
		nst_worker_helper = fork();
		if (nst_worker_helper == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			pause();
			_exit(0);
		}
	}
}

FIXTURE(unshare_type)
{
	struct nst_evlog log;
	struct nst_tracer *t;
	struct nst_worker w;
};

FIXTURE_VARIANT(unshare_type)
{
	const char *proc_name; /* the /proc/PID/ns entry unshare changes */
	int flag;
	int slot;
};

FIXTURE_VARIANT_ADD(unshare_type, mnt){ "mnt", CLONE_NEWNS, NST_NS_MNT };
FIXTURE_VARIANT_ADD(unshare_type, uts){ "uts", CLONE_NEWUTS, NST_NS_UTS };
FIXTURE_VARIANT_ADD(unshare_type, ipc){ "ipc", CLONE_NEWIPC, NST_NS_IPC };
FIXTURE_VARIANT_ADD(unshare_type, net){ "net", CLONE_NEWNET, NST_NS_NET };
FIXTURE_VARIANT_ADD(unshare_type, user){ "user", CLONE_NEWUSER, NST_NS_USER };
FIXTURE_VARIANT_ADD(unshare_type, cgroup){ "cgroup", CLONE_NEWCGROUP, NST_NS_CGROUP };
/* unshare of pid and time changes only the *_for_children namespace */
FIXTURE_VARIANT_ADD(unshare_type, pid){ "pid_for_children", CLONE_NEWPID, NST_NS_PID_FC };
FIXTURE_VARIANT_ADD(unshare_type, time){ "time_for_children", CLONE_NEWTIME, NST_NS_TIME_FC };

FIXTURE_SETUP(unshare_type)
{
	NST_REQUIRE_ROOT(_metadata);
	ASSERT_EQ(0, nst_start_worker(&self->w, op_unshare, (void *)&variant->flag))
	TH_LOG("failed to start worker: %s", strerror(errno));
	self->t = open_tracer(&self->w.pid, 1, &self->log);
	ASSERT_NE(NULL, self->t) TH_LOG("failed to open tracer");
}

FIXTURE_TEARDOWN(unshare_type)
{
	if (self->t) {
		nst_stop_worker(&self->w);
		nst_tracer_close(self->t);
	}
}

TEST_F(unshare_type, after_is_proc_inode_before_is_parents)
{
	const struct nst_event *e;
	__u64 parent = nsrt_ns_ino(0, variant->proc_name), child;

	ASSERT_TRUE(nst_sync_wake(self->w.sock));
	ASSERT_TRUE(nst_sync_wait(self->w.sock)) TH_LOG("worker died: unshare failed?");
	child = nsrt_ns_ino(self->w.pid, variant->proc_name);
	ASSERT_NE(parent, child)
	TH_LOG("unshare(%s) did not change the namespace", variant->proc_name);
	e = nst_wait_event(self->t, &self->log, NST_K_UNSHARE, self->w.pid);
	ASSERT_NE(NULL, e) TH_LOG("no unshare event from pid %d", self->w.pid);
	EXPECT_EQ(0, e->ret);
	EXPECT_EQ((__u64)variant->flag, e->flags);
	EXPECT_EQ(child, e->after[variant->slot])
	TH_LOG("after[%s]=%u, /proc says %lu", variant->proc_name, e->after[variant->slot],
	       (unsigned long)child);
	EXPECT_EQ(parent, e->before[variant->slot])
	TH_LOG("before[%s]=%u, parent is %lu", variant->proc_name, e->before[variant->slot],
	       (unsigned long)parent);
	EXPECT_GT(e->lat_ns, 0);
}

/* A child holding a new net namespace, for others to setns into. */
static int hold_forever(void *arg)
{
	/* never outlive the test, even when an assertion ends it early */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pause();
	return 0;
}

struct setns_arg {
	pid_t holder;
	int nstype;
	int fd; /* -1: open the holder's net ns */
	int ret, err;
};

static void op_setns(int sock, void *arg)
{
	struct setns_arg *a = arg;
	int fd = a->fd >= 0 ? a->fd : nsrt_open_ns(a->holder, "net");

	a->ret = setns(fd, a->nstype);
	a->err = errno;
}

FIXTURE(setns_target)
{
	struct nst_evlog log;
	struct nst_tracer *t;
	struct nsrt_child holder;
	struct nst_worker w;
	struct setns_arg a;
};

FIXTURE_VARIANT(setns_target)
{
	int nstype;
	bool bad_fd;
	int want_errno;
	int want_target;
};

FIXTURE_VARIANT_ADD(setns_target, net_ok){ CLONE_NEWNET, false, 0, NST_TGT_NSFS };
FIXTURE_VARIANT_ADD(setns_target, any_type_ok){ 0, false, 0, NST_TGT_NSFS };
FIXTURE_VARIANT_ADD(setns_target, wrong_nstype){ CLONE_NEWUTS, false, EINVAL, NST_TGT_NSFS };
FIXTURE_VARIANT_ADD(setns_target, bad_fd){ CLONE_NEWNET, true, EBADF, NST_TGT_BADFD };

FIXTURE_SETUP(setns_target)
{
	struct nsrt_spec spec = { .new_ns = CLONE_NEWNET, .fn = hold_forever };
	char err[256];

	NST_REQUIRE_ROOT(_metadata);
	ASSERT_EQ(0, nsrt_spawn(&spec, &self->holder, err, sizeof(err))) TH_LOG("%s", err);
	self->a.holder = self->holder.pid;
	self->a.nstype = variant->nstype;
	self->a.fd = variant->bad_fd ? 1000 : -1;
	ASSERT_EQ(0, nst_start_worker(&self->w, op_setns, &self->a));
	self->t = open_tracer(&self->w.pid, 1, &self->log);
	ASSERT_NE(NULL, self->t);
}

FIXTURE_TEARDOWN(setns_target)
{
	if (self->t) {
		nst_stop_worker(&self->w);
		nst_tracer_close(self->t);
	}
	if (self->holder.pid > 0) {
		kill(self->holder.pid, SIGKILL);
		nsrt_wait(&self->holder);
	}
}

TEST_F(setns_target, target_inode_and_errno)
{
	__u64 target = nsrt_ns_ino(self->holder.pid, "net");
	const struct nst_event *e;

	ASSERT_NE(0, target);
	ASSERT_TRUE(nst_sync_wake(self->w.sock));
	ASSERT_TRUE(nst_sync_wait(self->w.sock));
	e = nst_wait_event(self->t, &self->log, NST_K_SETNS, self->w.pid);
	ASSERT_NE(NULL, e) TH_LOG("no setns event from pid %d", self->w.pid);
	EXPECT_EQ(variant->want_target, e->target_kind);
	EXPECT_EQ(variant->want_errno ? -variant->want_errno : 0, e->ret)
	TH_LOG("ret=%lld", (long long)e->ret);
	if (variant->want_target == NST_TGT_NSFS) {
		EXPECT_EQ(target, e->target[NST_NS_NET])
		TH_LOG("target[net]=%u, holder's net is %lu", e->target[NST_NS_NET],
		       (unsigned long)target);
		EXPECT_EQ(CLONE_NEWNET, e->target_type);
	}
	if (!variant->want_errno) {
		EXPECT_EQ(target, e->after[NST_NS_NET]);
	} else {
		EXPECT_EQ(e->before[NST_NS_NET], e->after[NST_NS_NET]);
	}
}

/*
 * --pid follows the tree: a grandchild forked after tracing began is
 * traced; an unrelated process doing the same thing at the same time is not.
 */
static void op_fork_unshare(int sock, void *arg)
{
	pid_t g = fork();
	int status;

	if (g == 0) {
		unshare(CLONE_NEWUTS);
		_exit(0);
	}
	waitpid(g, &status, 0);
	if (write(sock, &g, sizeof(g)) != sizeof(g))
		_exit(3);
}

TEST(pid_filter_follows_descendants_only)
{
	struct nst_worker traced, other;
	struct nst_evlog *log = calloc(1, sizeof(*log));
	struct nst_tracer *t;
	pid_t grandchild = 0;
	int unrelated = 0;

	NST_REQUIRE_ROOT(_metadata);
	ASSERT_EQ(0, nst_start_worker(&traced, op_fork_unshare, NULL));
	ASSERT_EQ(0, nst_start_worker(&other, op_fork_unshare, NULL));
	t = open_tracer(&traced.pid, 1, log);
	ASSERT_NE(NULL, t);
	ASSERT_TRUE(nst_sync_wake(traced.sock));
	ASSERT_TRUE(nst_sync_wake(other.sock));
	ASSERT_EQ(sizeof(grandchild), read(traced.sock, &grandchild, sizeof(grandchild)));
	ASSERT_TRUE(nst_sync_wait(traced.sock));
	ASSERT_EQ(sizeof(pid_t), read(other.sock, &unrelated, sizeof(pid_t)));
	ASSERT_TRUE(nst_sync_wait(other.sock));
	EXPECT_NE(NULL, nst_wait_event(t, log, NST_K_UNSHARE, grandchild))
	TH_LOG("the grandchild %d's unshare was not traced", grandchild);
	nst_tracer_poll(t, 100);
	for (int i = 0; i < log->n; i++) {
		/* frees skip the task filters: the freeing task may be anyone */
		if (log->ev[i].kind == NST_K_NS_FREE)
			continue;
		EXPECT_NE((__u32)unrelated, log->ev[i].pid)
		TH_LOG("event %s from untraced pid %d", nst_kind_name(log->ev[i].kind), unrelated);
	}
	nst_stop_worker(&traced);
	nst_stop_worker(&other);
	nst_tracer_close(t);
	free(log);
}

static int exit_now(void *arg)
{
	return 0;
}

/*
 * The pod scenario: B joins A's net and uts, as docker run
 * --network=container:A does, and keeps mnt and pid of its own.
 */
TEST(pod_scenario_shares_net_and_uts_only)
{
	struct nsrt_spec sa = { .new_ns = CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS |
					  CLONE_NEWPID,
				.fn = hold_forever };
	struct nsrt_spec sb = { .new_ns = CLONE_NEWNS | CLONE_NEWPID,
				.join_ns = CLONE_NEWNET | CLONE_NEWUTS,
				.fn = exit_now };
	struct nst_evlog *log = calloc(1, sizeof(*log));
	const struct nst_event *clone_b = NULL, *exit_b;
	struct nsrt_child a, b;
	pid_t self_pid = getpid();
	struct nst_tracer *t;
	char err[256];

	NST_REQUIRE_ROOT(_metadata);
	t = open_tracer(&self_pid, 1, log);
	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, nsrt_spawn(&sa, &a, err, sizeof(err))) TH_LOG("%s", err);
	sb.join_pid = a.pid;
	ASSERT_EQ(0, nsrt_spawn(&sb, &b, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, nsrt_wait(&b));
	exit_b = nst_wait_event(t, log, NST_K_EXIT, b.pid);
	ASSERT_NE(NULL, exit_b) TH_LOG("no exit event from B (%d)", b.pid);
	for (int i = 0; i < log->n; i++) {
		if (log->ev[i].kind == NST_K_CLONE3 && log->ev[i].child_pid == (__u32)b.pid)
			clone_b = &log->ev[i];
	}
	EXPECT_NE(NULL, clone_b) TH_LOG("no clone3 event that created B");
	EXPECT_EQ(nsrt_ns_ino(a.pid, "net"), exit_b->before[NST_NS_NET])
	TH_LOG("B's net %u is not A's", exit_b->before[NST_NS_NET]);
	EXPECT_EQ(nsrt_ns_ino(a.pid, "uts"), exit_b->before[NST_NS_UTS]);
	EXPECT_NE(nsrt_ns_ino(a.pid, "mnt"), exit_b->before[NST_NS_MNT])
	TH_LOG("B shares A's mnt namespace");
	EXPECT_NE(nsrt_ns_ino(a.pid, "pid"), exit_b->before[NST_NS_PID])
	TH_LOG("B shares A's pid namespace");
	EXPECT_NE(nsrt_ns_ino(0, "mnt"), exit_b->before[NST_NS_MNT]);
	kill(a.pid, SIGKILL);
	nsrt_wait(&a);
	nst_tracer_close(t);
	free(log);
}

TEST_HARNESS_MAIN
