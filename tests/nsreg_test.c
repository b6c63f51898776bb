// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The namespace registry: inode reuse starts a new generation, and the
 * created/joined/left counts follow the events.
 */
#include "kselftest_harness.h"
#include "nsreg.h"

static struct nst_event ev(int kind, __u64 flags, __u64 ts, __u32 net_before, __u32 net_after)
{
	struct nst_event e = { .kind = kind, .flags = flags, .ts_ns = ts, .pid = 42 };

	for (int i = 0; i < NST_NS_COUNT; i++)
		e.before[i] = e.after[i] = 4026531830 + i;
	e.before[NST_NS_NET] = net_before;
	e.after[NST_NS_NET] = net_after;
	return e;
}

TEST(reused_inode_is_a_new_namespace)
{
	struct nsreg *r = nsreg_new();
	struct nst_event a = ev(NST_K_UNSHARE, NST_CLONE_NEWNET, 100, 4026531833, 4026532300);
	struct nst_event b = ev(NST_K_UNSHARE, NST_CLONE_NEWNET, 900, 4026531833, 4026532300);
	const struct nsreg_ns *n;

	ASSERT_NE(NULL, r);
	nsreg_account(r, &a);
	n = nsreg_lookup(r, NST_T_NET, 4026532300);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(0, n->gen);
	EXPECT_EQ(100, n->first_seen_ns);
	/* the first namespace is gone; the kernel hands its inode to a new one */
	nsreg_account(r, &b);
	n = nsreg_lookup(r, NST_T_NET, 4026532300);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(1, n->gen) TH_LOG("a reused inode must start a new generation");
	EXPECT_EQ(900, n->first_seen_ns) TH_LOG("the new namespace has its own first-seen time");
	EXPECT_EQ(2, nsreg_stats(r)->created[NST_T_NET]);
	EXPECT_EQ(1, nsreg_stats(r)->reused[NST_T_NET]);
	nsreg_free(r);
}

TEST(counts_follow_events)
{
	struct nsreg *r = nsreg_new();
	struct nst_event join = ev(NST_K_SETNS, NST_CLONE_NEWNET, 1, 4026531833, 4026532400);
	struct nst_event fail = ev(NST_K_SETNS, NST_CLONE_NEWNET, 2, 4026531833, 4026531833);
	struct nst_event clone = ev(NST_K_CLONE3, NST_CLONE_NEWPID, 3, 4026531833, 4026531833);
	const struct nsreg_stats *s;

	fail.ret = -22;
	clone.after[NST_NS_PID] = clone.after[NST_NS_PID_FC] = 4026532500;
	nsreg_account(r, &join);
	nsreg_account(r, &fail);
	nsreg_account(r, &clone);
	s = nsreg_stats(r);
	EXPECT_EQ(1, s->joined[NST_T_NET]);
	EXPECT_EQ(1, s->left[NST_T_NET]);
	EXPECT_EQ(1, s->failed);
	/* pid and pid_for_children are one new pid namespace, counted once */
	EXPECT_EQ(1, s->created[NST_T_PID]);
	EXPECT_EQ(0, s->created[NST_T_NET]);
	EXPECT_EQ(2, s->events[NST_K_SETNS]);
	nsreg_free(r);
}

TEST_HARNESS_MAIN
