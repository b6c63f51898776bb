// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The namespace type table: every slot of the event ABI belongs to one
 * type, the CLONE_NEW* flags agree with include/nstrace.h's slot masks,
 * and the type lists parse and print as the CLI documents them.
 */
#include <string.h>
#include "kselftest_harness.h"
#include "nstypes.h"

TEST(every_slot_has_one_type_and_a_proc_name)
{
	static const char *const proc[NST_NS_COUNT] = {
		[NST_NS_MNT] = "mnt",
		[NST_NS_PID] = "pid",
		[NST_NS_PID_FC] = "pid_for_children",
		[NST_NS_NET] = "net",
		[NST_NS_UTS] = "uts",
		[NST_NS_IPC] = "ipc",
		[NST_NS_USER] = "user",
		[NST_NS_CGROUP] = "cgroup",
		[NST_NS_TIME] = "time",
		[NST_NS_TIME_FC] = "time_for_children",
	};

	for (int i = 0; i < NST_NS_COUNT; i++) {
		enum nst_type t = nst_slot_type(i);

		ASSERT_LT(t, NST_T_COUNT);
		EXPECT_STREQ(proc[i], nst_slot_name(i));
		/* the ABI's flag-to-slot mask names this slot for the type's flag */
		EXPECT_TRUE(nst_flags_to_slots(nst_types[t].flag) & (1U << i));
	}
	EXPECT_EQ(NST_T_COUNT, nst_slot_type(NST_NS_COUNT));
	EXPECT_STREQ("unknown", nst_slot_name(NST_NS_COUNT));
}

TEST(names_and_flags_find_their_type)
{
	for (int t = 0; t < NST_T_COUNT; t++) {
		const char *name = nst_type_name(t);

		EXPECT_EQ(t, nst_type_by_name(name, strlen(name)));
		EXPECT_EQ(t, nst_flag_type(nst_types[t].flag));
		EXPECT_EQ(t, nst_slot_type(nst_types[t].slot));
	}
	EXPECT_EQ(NST_T_COUNT, nst_type_by_name("netx", 4));
	EXPECT_EQ(NST_T_NET, nst_type_by_name("netx", 3));
	EXPECT_EQ(NST_T_COUNT, nst_flag_type(NST_CLONE_NEWNET | NST_CLONE_NEWUTS));
	EXPECT_EQ(1U << NST_T_PID | 1U << NST_T_TIME,
		  nst_slots_to_types(1U << NST_NS_PID_FC | 1U << NST_NS_TIME_FC));
}

TEST(type_lists_parse_and_print_in_lsns_order)
{
	char err[256] = "", buf[128];
	__u64 flags;
	__u32 slots;

	ASSERT_EQ(0, nst_parse_types("uts,net", &flags, err, sizeof(err)));
	EXPECT_EQ(NST_CLONE_NEWUTS | NST_CLONE_NEWNET, flags);
	EXPECT_STREQ("uts,net", nst_format_types(flags, buf, sizeof(buf)));
	ASSERT_EQ(0, nst_parse_types("all", &flags, err, sizeof(err)));
	EXPECT_EQ(NST_CLONE_NEWALL, flags);
	EXPECT_STREQ("mnt,uts,ipc,pid,net,user,cgroup,time",
		     nst_format_types(flags, buf, sizeof(buf)));
	ASSERT_EQ(0, nst_parse_slots("pid", &slots, err, sizeof(err)));
	EXPECT_EQ(1U << NST_NS_PID | 1U << NST_NS_PID_FC, slots);
}

TEST(errors_list_the_valid_names)
{
	char err[256] = "";
	enum nst_type t;
	__u64 flags;

	EXPECT_EQ(-1, nst_parse_types("net,nett", &flags, err, sizeof(err)));
	EXPECT_STREQ("unknown namespace type 'nett' (valid: mnt, uts, ipc, pid, net, user, "
		     "cgroup, time, all)",
		     err);
	EXPECT_EQ(-1, nst_parse_types("", &flags, err, sizeof(err)));
	EXPECT_STREQ("empty namespace type list (valid: mnt, uts, ipc, pid, net, user, cgroup, "
		     "time, all)",
		     err);
	EXPECT_EQ(-1, nst_parse_type("all", &t, err, sizeof(err)));
	EXPECT_STREQ("unknown namespace type 'all' (valid: mnt, uts, ipc, pid, net, user, cgroup, "
		     "time)",
		     err);
	ASSERT_EQ(0, nst_parse_type("cgroup", &t, err, sizeof(err)));
	EXPECT_EQ(NST_T_CGROUP, t);
}

TEST_HARNESS_MAIN
