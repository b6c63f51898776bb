// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The shared hash table: keys find what was stored, replacing and deleting
 * keep every other key findable (deletion shifts probe runs back), and the
 * pid map numbers pids in order of appearance.
 */
#include "kselftest_harness.h"
#include "nshash.h"
#include "pidmap.h"
#include "nstypes.h"

TEST(ns_keys_of_other_types_do_not_meet)
{
	struct nshash h = { 0 };
	bool added;

	EXPECT_EQ(-1, nshash_get(&h, nshash_ns_key(NST_T_NET, 4026531840)));
	ASSERT_EQ(0, nshash_get_or_add(&h, nshash_ns_key(NST_T_NET, 4026531840), 0, &added));
	EXPECT_TRUE(added);
	ASSERT_EQ(1, nshash_get_or_add(&h, nshash_ns_key(NST_T_UTS, 4026531840), 1, &added));
	EXPECT_TRUE(added);
	EXPECT_EQ(0, nshash_get_or_add(&h, nshash_ns_key(NST_T_NET, 4026531840), 7, &added));
	EXPECT_FALSE(added);
	ASSERT_EQ(0, nshash_put(&h, nshash_ns_key(NST_T_NET, 4026531840), 9));
	EXPECT_EQ(9, nshash_get(&h, nshash_ns_key(NST_T_NET, 4026531840)));
	EXPECT_EQ(1, nshash_get(&h, nshash_ns_key(NST_T_UTS, 4026531840)));
	EXPECT_EQ(2, h.n);
	nshash_free(&h);
}

/* Many keys through several resizes, then every other one deleted. */
TEST(delete_keeps_the_others_findable)
{
	struct nshash h = { 0 };
	const size_t n = 5000;

	for (size_t i = 0; i < n; i++)
		ASSERT_EQ(0, nshash_put(&h, nshash_ns_key(i % NST_T_COUNT, 4026531000 + i), i));
	EXPECT_EQ(n, h.n);
	EXPECT_LE(2 * h.n, h.cap);
	for (size_t i = 0; i < n; i += 2)
		nshash_del(&h, nshash_ns_key(i % NST_T_COUNT, 4026531000 + i));
	nshash_del(&h, nshash_ns_key(0, 1)); /* not there: nothing happens */
	EXPECT_EQ(n / 2, h.n);
	for (size_t i = 0; i < n; i++)
		EXPECT_EQ(i % 2 ? (ssize_t)i : -1,
			  nshash_get(&h, nshash_ns_key(i % NST_T_COUNT, 4026531000 + i)));
	nshash_free(&h);
}

TEST(pids_are_numbered_in_order_of_appearance)
{
	static const __u32 pids[] = { 4242, 0, 1, 4242, 77, 0 };
	static const ssize_t want[] = { 0, 1, 2, 0, 3, 1 };
	static const bool new[] = { true, true, true, false, true, false };
	struct pidmap m;
	bool added;

	ASSERT_EQ(0, pidmap_init(&m, 0));
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		EXPECT_EQ(want[i], pidmap_get(&m, pids[i], &added));
		EXPECT_EQ(new[i], added);
	}
	EXPECT_EQ(4, pidmap_count(&m));
	pidmap_free(&m);
}

TEST_HARNESS_MAIN
