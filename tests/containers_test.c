// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The container resolver (user/containers.c) on a cgroup tree this test
 * makes itself: plain directories, whose inode numbers stand in for cgroup
 * ids as a cgroup v2 directory's does, and a kubelet-style pod directory.
 * What is expected comes from stat(2) and the names the test chose.
 * As root, a child in a uts namespace of its own, listed in a container
 * directory's cgroup.procs, checks the namespace-to-container lookup.
 */
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include "kselftest_harness.h"
#include "nst_test.h"
#include "containers.h"

#define ID1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define POD "5e1c6b2a-0d4f-4a8e-9b7c-1f2e3d4c5b6a"

static __u64 ino_of(const char *root, const char *rel)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* mkdir -p ROOT/REL: 0, or -errno */
static int mkdirs(const char *root, const char *rel)
{
	char path[4096];
	size_t n = strlen(root);

	snprintf(path, sizeof(path), "%s%s", root, rel);
	/* each parent below root, then the directory itself */
	for (char *p = strchr(path + n + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Poll a cgroup lookup until it leaves "not known yet", up to ms. */
static enum nst_ctr_state settle(struct nst_containers *c, __u64 id, struct nst_ctr_info *out,
				 int ms)
{
	enum nst_ctr_state st = NST_CTR_NOT_YET;

	for (int i = 0; i < ms / 10 && st == NST_CTR_NOT_YET; i++) {
		st = nst_containers_by_cgroup(c, id, out);
		if (st == NST_CTR_NOT_YET)
			usleep(10000);
	}
	return st;
}

FIXTURE(tree)
{
	char root[64];
	struct nst_containers *c;
};

FIXTURE_SETUP(tree)
{
	struct nst_containers_opts o = { .min_walk_ms = 50 };
	char pods[128];

	snprintf(self->root, sizeof(self->root), "/tmp/nst-ctr-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	ASSERT_EQ(0, mkdirs(self->root, "/cg/system.slice/cron.service"));
	ASSERT_EQ(0, mkdirs(self->root, "/cg/docker/" ID1));
	ASSERT_EQ(0, mkdirs(self->root, "/cg/kubepods/besteffort/pod" POD "/" ID2));
	ASSERT_EQ(0, mkdirs(self->root, "/pods/shop_web-0_" POD));
	snprintf(pods, sizeof(pods), "%s/pods", self->root);
	o.pods_dir = pods;
	{
		char cg[128];

		snprintf(cg, sizeof(cg), "%s/cg", self->root);
		o.cgroup_root = cg;
		self->c = nst_containers_open(&o);
	}
	ASSERT_NE(NULL, self->c);
	ASSERT_TRUE(nst_containers_wait(self->c, 5000));
}

FIXTURE_TEARDOWN(tree)
{
	nst_containers_close(self->c);
	EXPECT_EQ(0, nftw(self->root, rm_one, 16, FTW_DEPTH | FTW_PHYS));
}

TEST_F(tree, walk_maps_inodes_to_paths)
{
	char path[4096];

	ASSERT_EQ(NST_CTR_FOUND,
		  nst_containers_cgroup_path(self->c, ino_of(self->root, "/cg/docker/" ID1), path,
					     sizeof(path)));
	EXPECT_STREQ("/docker/" ID1, path);
	ASSERT_EQ(NST_CTR_FOUND, nst_containers_cgroup_path(self->c, ino_of(self->root, "/cg"),
							    path, sizeof(path)));
	EXPECT_STREQ("/", path);
	EXPECT_TRUE(nst_containers_any(self->c));
}

TEST_F(tree, identity_and_pod_names)
{
	struct nst_ctr_info i;
	char label[NST_CTR_NAME_LEN];

	ASSERT_EQ(NST_CTR_FOUND,
		  nst_containers_by_cgroup(self->c, ino_of(self->root, "/cg/docker/" ID1), &i));
	EXPECT_STREQ(ID1, i.id);
	EXPECT_STREQ("docker", i.runtime);
	EXPECT_STREQ("", i.name); /* no runtime asked: the short id stands in */
	EXPECT_STREQ("0123456789ab", nst_ctr_label(&i, label, sizeof(label)));
	EXPECT_STREQ("", i.pod_uid);
	ASSERT_EQ(NST_CTR_FOUND,
		  nst_containers_by_cgroup(
			  self->c, ino_of(self->root, "/cg/kubepods/besteffort/pod" POD "/" ID2),
			  &i));
	EXPECT_STREQ(ID2, i.id);
	EXPECT_STREQ(POD, i.pod_uid);
	EXPECT_STREQ("web-0", i.pod_name);
	EXPECT_STREQ("shop", i.pod_namespace);
	EXPECT_EQ(NST_CTR_HOST,
		  nst_containers_by_cgroup(self->c, ino_of(self->root, "/cg/system.slice"), &i));
	EXPECT_EQ(NST_CTR_HOST, nst_containers_by_cgroup(self->c, ino_of(self->root, "/cg"), &i));
}

TEST_F(tree, a_new_cgroup_is_found_by_a_walk_on_a_miss)
{
	struct nst_ctr_info i;
	__u64 id;

	ASSERT_EQ(0, mkdirs(self->root, "/cg/docker/" ID2));
	id = ino_of(self->root, "/cg/docker/" ID2);
	/* the first lookup never waits: not known yet, and a walk is asked for */
	EXPECT_EQ(NST_CTR_NOT_YET, nst_containers_by_cgroup(self->c, id, &i));
	ASSERT_EQ(NST_CTR_FOUND, settle(self->c, id, &i, 3000));
	EXPECT_STREQ(ID2, i.id);
}

TEST_F(tree, a_missing_id_costs_one_walk)
{
	/* no directory has this inode: bigger than any this file system hands out */
	const __u64 bogus = 0x7ffffffffff0ULL;
	struct nst_ctr_info i;
	unsigned long walks;

	EXPECT_EQ(NST_CTR_NOT_YET, nst_containers_by_cgroup(self->c, bogus, &i));
	walks = nst_containers_walks(self->c);
	for (int t = 0; t < 300 && nst_containers_walks(self->c) == walks; t++)
		usleep(10000);
	ASSERT_LT(walks, nst_containers_walks(self->c));
	walks = nst_containers_walks(self->c);
	for (int t = 0; t < 30; t++) {
		EXPECT_EQ(NST_CTR_NOT_YET, nst_containers_by_cgroup(self->c, bogus, &i));
		usleep(10000);
	}
	/* 300 ms at one walk per 50 ms at most: a walk per lookup would show */
	EXPECT_EQ(walks, nst_containers_walks(self->c));
}

/* A child in a uts namespace of its own; its pid, or -1. */
static pid_t uts_child(int *sync)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		char x;

		close(p[1]);
		if (unshare(CLONE_NEWUTS))
			_exit(1);
		/* stay until the test closes its end */
		_exit(read(p[0], &x, 1) < 0);
	}
	close(p[0]);
	*sync = p[1];
	return pid;
}

static __u32 uts_ino(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
	return stat(path, &st) ? 0 : (__u32)st.st_ino;
}

TEST_F(tree, a_namespace_of_a_container_task)
{
	char procs[256], cg[128];
	struct nst_ctr_info i;
	__u32 ino = 0;
	int sync = -1;
	pid_t pid;
	FILE *f;

	NST_REQUIRE_ROOT(_metadata);
	pid = uts_child(&sync);
	ASSERT_LT(0, pid);
	for (int t = 0; t < 200 && (!ino || ino == uts_ino(getpid())); t++) {
		usleep(10000);
		ino = uts_ino(pid);
	}
	ASSERT_NE(uts_ino(getpid()), ino);
	snprintf(procs, sizeof(procs), "%s/cg/docker/%s/cgroup.procs", self->root, ID1);
	f = fopen(procs, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
	/* a new directory makes a walk that reads it */
	ASSERT_EQ(0, mkdirs(self->root, "/cg/docker/" ID2));
	snprintf(cg, sizeof(cg), "/cg/docker/%s", ID2);
	EXPECT_EQ(NST_CTR_FOUND, settle(self->c, ino_of(self->root, cg), &i, 3000));
	EXPECT_EQ(NST_CTR_FOUND, nst_containers_by_ns(self->c, ino, &i));
	EXPECT_STREQ(ID1, i.id);
	/* our own namespaces are the host's, whoever else is in them */
	EXPECT_EQ(NST_CTR_HOST, nst_containers_by_ns(self->c, uts_ino(getpid()), &i));
	close(sync);
	waitpid(pid, NULL, 0);
}

TEST_HARNESS_MAIN
