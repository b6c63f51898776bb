// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Container and pod ids from cgroup paths, one variant per runtime layout. */
#include "kselftest_harness.h"
#include "cgpath.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

FIXTURE(cgpath){};
FIXTURE_SETUP(cgpath)
{
}
FIXTURE_TEARDOWN(cgpath)
{
}

FIXTURE_VARIANT(cgpath)
{
	const char *path, *container, *pod;
};

FIXTURE_VARIANT_ADD(cgpath, docker){ "/system.slice/docker-" ID64 ".scope", ID64, "" };
FIXTURE_VARIANT_ADD(cgpath, podman){ "/machine.slice/libpod-" ID64 ".scope", ID64, "" };
FIXTURE_VARIANT_ADD(cgpath, containerd_pod){
	"/kubepods.slice/kubepods-burstable.slice/"
	"kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice/"
	"cri-containerd-" ID64 ".scope",
	ID64, "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901"
};
FIXTURE_VARIANT_ADD(cgpath, crio_pod){
	"/kubepods.slice/kubepods-podaaaabbbb_cccc_dddd_eeee_ffff00001111.slice/crio-" ID64
	".scope",
	ID64, "aaaabbbb-cccc-dddd-eeee-ffff00001111"
};
FIXTURE_VARIANT_ADD(cgpath, cgroupfs_pod){
	"/kubepods/besteffort/pod0000aaaa-1111-2222-3333-444455556666/" ID64, ID64,
	"0000aaaa-1111-2222-3333-444455556666"
};
FIXTURE_VARIANT_ADD(cgpath, docker_cgroupfs){ "/docker/" ID64, ID64, "" };
/* CRI-O's conmon scope is the monitor, not the container */
FIXTURE_VARIANT_ADD(cgpath, crio_conmon){
	"/kubepods.slice/kubepods-podaaaabbbb_cccc_dddd_eeee_ffff00001111.slice/"
	"crio-conmon-" ID64 ".scope",
	"", "aaaabbbb-cccc-dddd-eeee-ffff00001111"
};
FIXTURE_VARIANT_ADD(cgpath, qos_slice_only){ "/kubepods.slice/kubepods-besteffort.slice", "", "" };
FIXTURE_VARIANT_ADD(cgpath, plain_service){ "/system.slice/ssh.service", "", "" };
FIXTURE_VARIANT_ADD(cgpath, root){ "/", "", "" };
FIXTURE_VARIANT_ADD(cgpath, not_hex){ "/system.slice/docker-xyz.scope", "", "" };

TEST_F(cgpath, parse)
{
	char c[80], p[64];

	nst_cgpath_parse(variant->path, c, sizeof(c), p, sizeof(p));
	EXPECT_STREQ(variant->container, c) TH_LOG("container from %s", variant->path);
	EXPECT_STREQ(variant->pod, p) TH_LOG("pod from %s", variant->path);
}

TEST_HARNESS_MAIN
