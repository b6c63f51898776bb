// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Container and pod identity from cgroup paths and /proc/PID/cgroup text,
 * one variant per runtime layout. The samples are the forms each runtime
 * writes (docs/containers.md); ids are made up.
 */
#include <unistd.h>
#include "kselftest_harness.h"
#include "identity.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID_DASH "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901"
#define UID_SYSTEMD "1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901"

FIXTURE(identity){};
FIXTURE_SETUP(identity)
{
}
FIXTURE_TEARDOWN(identity)
{
}

FIXTURE_VARIANT(identity)
{
	const char *path, *container, *pod;
	enum nst_runtime_kind runtime;
	bool file; /* path is the text of a whole /proc/PID/cgroup */
};

#define PATH_CASE(name, path, container, pod, runtime) \
	FIXTURE_VARIANT_ADD(identity, name)            \
	{                                              \
		path, container, pod, runtime, false   \
	}
#define FILE_CASE(name, text, container, pod, runtime) \
	FIXTURE_VARIANT_ADD(identity, name)            \
	{                                              \
		text, container, pod, runtime, true    \
	}

/* Docker */
PATH_CASE(docker_systemd, "/system.slice/docker-" ID64 ".scope", ID64, "", NST_RT_DOCKER);
PATH_CASE(docker_cgroupfs, "/docker/" ID64, ID64, "", NST_RT_DOCKER);
/* a service inside a container that runs systemd: still that container */
PATH_CASE(docker_systemd_inside, "/system.slice/docker-" ID64 ".scope/system.slice/cron.service",
	  ID64, "", NST_RT_DOCKER);
/* docker in docker: the inner container */
PATH_CASE(docker_in_docker,
	  "/docker/ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff/docker/" ID64,
	  ID64, "", NST_RT_DOCKER);
PATH_CASE(docker_short_dir, "/docker/0123456789ab", "", "", NST_RT_NONE);
/* containerd and CRI */
PATH_CASE(containerd_pod_systemd,
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_SYSTEMD ".slice/"
	  "cri-containerd-" ID64 ".scope",
	  ID64, UID_DASH, NST_RT_CONTAINERD);
PATH_CASE(cri_pod_cgroupfs, "/kubepods/besteffort/pod" UID_DASH "/" ID64, ID64, UID_DASH,
	  NST_RT_CRI);
PATH_CASE(cri_guaranteed_cgroupfs, "/kubepods/pod" UID_DASH "/" ID64, ID64, UID_DASH, NST_RT_CRI);
/* a static pod's uid is its manifest's 32-hex hash */
PATH_CASE(static_pod,
	  "/kubepods.slice/kubepods-pod0f1e2d3c4b5a69788796a5b4c3d2e1f0.slice/cri-containerd-" ID64
	  ".scope",
	  ID64, "0f1e2d3c4b5a69788796a5b4c3d2e1f0", NST_RT_CONTAINERD);
PATH_CASE(nerdctl, "/system.slice/nerdctl-" ID64 ".scope", ID64, "", NST_RT_CONTAINERD);
PATH_CASE(containerd_namespace, "/default/" ID64, ID64, "", NST_RT_UNKNOWN);
/* the pod's own slice, no container yet */
PATH_CASE(pod_slice_only,
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_SYSTEMD ".slice",
	  "", UID_DASH, NST_RT_NONE);
PATH_CASE(qos_slice_only, "/kubepods.slice/kubepods-besteffort.slice", "", "", NST_RT_NONE);
/* CRI-O; its conmon scope is the monitor, not the container */
PATH_CASE(crio_systemd,
	  "/kubepods.slice/kubepods-podaaaabbbb_cccc_dddd_eeee_ffff00001111.slice/crio-" ID64
	  ".scope",
	  ID64, "aaaabbbb-cccc-dddd-eeee-ffff00001111", NST_RT_CRIO);
PATH_CASE(crio_conmon,
	  "/kubepods.slice/kubepods-podaaaabbbb_cccc_dddd_eeee_ffff00001111.slice/"
	  "crio-conmon-" ID64 ".scope",
	  "", "aaaabbbb-cccc-dddd-eeee-ffff00001111", NST_RT_NONE);
PATH_CASE(crio_cgroupfs, "/kubepods/burstable/pod" UID_DASH "/crio-" ID64, ID64, UID_DASH,
	  NST_RT_CRIO);
/* podman, root and rootless */
PATH_CASE(podman, "/machine.slice/libpod-" ID64 ".scope", ID64, "", NST_RT_PODMAN);
PATH_CASE(podman_container_child, "/machine.slice/libpod-" ID64 ".scope/container", ID64, "",
	  NST_RT_PODMAN);
PATH_CASE(podman_rootless,
	  "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64 ".scope", ID64,
	  "", NST_RT_PODMAN);
PATH_CASE(podman_cgroupfs, "/libpod_parent/libpod-" ID64, ID64, "", NST_RT_PODMAN);
PATH_CASE(podman_conmon, "/machine.slice/libpod-conmon-" ID64 ".scope", "", "", NST_RT_NONE);
/* systemd-nspawn: the machine name, unescaped */
PATH_CASE(nspawn, "/machine.slice/machine-web\\x2dbox.scope", "web-box", "", NST_RT_NSPAWN);
PATH_CASE(nspawn_payload,
	  "/machine.slice/machine-debian\\x2d12.scope/payload/system.slice/ssh.service",
	  "debian-12", "", NST_RT_NSPAWN);
PATH_CASE(libvirt_vm, "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope", "", "", NST_RT_NONE);
PATH_CASE(nspawn_slash, "/machine.slice/machine-a\\x2fb.scope", "", "", NST_RT_NONE);
/* LXC 4+ and older */
PATH_CASE(lxc_payload, "/lxc.payload.web1", "web1", "", NST_RT_LXC);
PATH_CASE(lxc_payload_inner, "/lxc.payload.web1/init.scope", "web1", "", NST_RT_LXC);
PATH_CASE(lxc_monitor, "/lxc.monitor.web1", "", "", NST_RT_NONE);
PATH_CASE(lxc_old, "/lxc/web1", "web1", "", NST_RT_LXC);
/* not containers */
PATH_CASE(plain_service, "/system.slice/ssh.service", "", "", NST_RT_NONE);
PATH_CASE(user_session, "/user.slice/user-1000.slice/session-2.scope", "", "", NST_RT_NONE);
PATH_CASE(root, "/", "", "", NST_RT_NONE);
PATH_CASE(empty, "", "", "", NST_RT_NONE);
PATH_CASE(not_hex, "/system.slice/docker-xyz.scope", "", "", NST_RT_NONE);
/* this machine's memory hierarchy: 32 hex is no container id */
PATH_CASE(sandbox_32hex, "/process_api/d9655e9b48b7d2fb4ff8399c7bdd9e1e", "", "", NST_RT_NONE);

TEST_F(identity, parse)
{
	struct nst_identity id;
	bool found = variant->file ? nst_identity_from_proc_cgroup(variant->path, &id)
				   : nst_identity_from_cgpath(variant->path, &id);

	EXPECT_STREQ(variant->container, id.container) TH_LOG("container from %s", variant->path);
	EXPECT_STREQ(variant->pod, id.pod_uid) TH_LOG("pod from %s", variant->path);
	EXPECT_EQ(variant->runtime, id.runtime) TH_LOG("runtime from %s", variant->path);
	EXPECT_EQ(variant->container[0] || variant->pod[0], found);
}

/* Whole /proc/PID/cgroup files: which line is believed on v1 and hybrid hosts. */
FILE_CASE(file_unified, "0::/system.slice/docker-" ID64 ".scope\n", ID64, "", NST_RT_DOCKER);
/* Docker 20.10, cgroupfs driver, on a hybrid host like this one */
FILE_CASE(file_hybrid_cgroupfs,
	  "12:pids:/docker/" ID64 "\n9:name=systemd:/docker/" ID64 "\n4:memory:/docker/" ID64
	  "\n1:cpu,cpuacct:/docker/" ID64 "\n0::/docker/" ID64 "\n",
	  ID64, "", NST_RT_DOCKER);
/* the unified line left at the root: the v1 hierarchies tell */
FILE_CASE(file_hybrid_unified_root,
	  "9:name=systemd:/\n8:pids:/docker/" ID64 "\n4:memory:/docker/" ID64 "\n0::/\n", ID64, "",
	  NST_RT_DOCKER);
/* pure v1: no "0::" line at all */
FILE_CASE(file_v1_only,
	  "11:devices:/kubepods/besteffort/pod" UID_DASH "/" ID64
	  "\n5:memory:/kubepods/besteffort/pod" UID_DASH "/" ID64
	  "\n1:name=systemd:/kubepods/besteffort/pod" UID_DASH "/" ID64 "\n",
	  ID64, UID_DASH, NST_RT_CRI);
/* the unified line wins over a v1 line that says something else */
FILE_CASE(file_unified_preferred,
	  "4:memory:/docker/ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"
	  "0::/system.slice/docker-" ID64 ".scope\n",
	  ID64, "", NST_RT_DOCKER);
/* cpuset and devices are never believed: only named, pids, memory, cpu */
FILE_CASE(file_ignored_controllers, "3:cpuset:/docker/" ID64 "\n5:devices:/docker/" ID64 "\n0::/\n",
	  "", "", NST_RT_NONE);
FILE_CASE(file_cpu_in_list, "2:cpuacct,cpu:/lxc.payload.c1\n0::/\n", "c1", "", NST_RT_LXC);
/* this machine: hybrid, and a sandbox's memory cgroup that is no container */
FILE_CASE(file_this_host,
	  "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
	  "4:memory:/process_api/d9655e9b48b7d2fb4ff8399c7bdd9e1e\n3:cpuset:/\n2:cpuacct:/\n"
	  "1:cpu:/\n0::/\n",
	  "", "", NST_RT_NONE);
FILE_CASE(file_no_newline, "0::/lxc.payload.last", "last", "", NST_RT_LXC);
FILE_CASE(file_garbage, "no colons here\n::\n1:\n", "", "", NST_RT_NONE);
FILE_CASE(file_empty, "", "", "", NST_RT_NONE);

TEST(runtime_names)
{
	EXPECT_STREQ("", nst_runtime_kind_name(NST_RT_NONE));
	EXPECT_STREQ("docker", nst_runtime_kind_name(NST_RT_DOCKER));
	EXPECT_STREQ("cri-o", nst_runtime_kind_name(NST_RT_CRIO));
	EXPECT_STREQ("nspawn", nst_runtime_kind_name(NST_RT_NSPAWN));
	EXPECT_STREQ("", nst_runtime_kind_name((enum nst_runtime_kind)99));
}

TEST(container_id_syntax)
{
	EXPECT_TRUE(nst_is_container_id("0123abcdef"));
	EXPECT_TRUE(nst_is_container_id(ID64));
	EXPECT_FALSE(nst_is_container_id(""));
	EXPECT_FALSE(nst_is_container_id("web1"));
	EXPECT_FALSE(nst_is_container_id(ID64 "0"));
}

/* this test's own process: readable, and (outside a container) no identity */
TEST(of_pid)
{
	struct nst_identity id;

	ASSERT_EQ(0, nst_identity_of_pid(getpid(), &id));
	EXPECT_EQ(-ENOENT, nst_identity_of_pid(-1, &id));
	EXPECT_STREQ("", id.container);
}

TEST_HARNESS_MAIN
