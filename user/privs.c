// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "privs.h"

static int caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	memset(data, 0, 2 * sizeof(data[0]));
	return syscall(SYS_capget, &hdr, data) ? -errno : 0;
}

unsigned long long nst_caps_effective(void)
{
	struct __user_cap_data_struct data[2];

	if (caps_get(data))
		return 0;
	return data[0].effective | (unsigned long long)data[1].effective << 32;
}

bool nst_has_cap(int cap)
{
	return nst_caps_effective() & NST_CAP(cap);
}

bool nst_memlock_limited(void)
{
	struct rlimit rl;

	return !getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur != RLIM_INFINITY;
}

int nst_check_tracer_caps(char *err, size_t errlen)
{
	bool bpf = nst_has_cap(CAP_BPF), perfmon = nst_has_cap(CAP_PERFMON);

	if (nst_has_cap(CAP_SYS_ADMIN) || (bpf && perfmon))
		return 0;
	snprintf(err, errlen,
		 "failed to load BPF programs: missing %s%s%s (run as root, or grant them: "
		 "setcap cap_bpf,cap_perfmon%s+ep nstrace)",
		 bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "",
		 perfmon ? "" : "CAP_PERFMON", nst_memlock_limited() ? ",cap_sys_resource" : "");
	return -EPERM;
}

int nst_caps_set_effective(unsigned long long eff)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int ret = caps_get(data);

	if (ret)
		return ret;
	for (int i = 0; i < 2; i++)
		data[i].effective = data[i].permitted & (__u32)(eff >> (32 * i));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

int nst_caps_keep(unsigned long long keep)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int ret = caps_get(data);

	if (ret)
		return ret;
	for (int i = 0; i < 2; i++) {
		__u32 k = keep >> (32 * i);

		data[i].permitted &= k;
		data[i].effective &= k;
		data[i].inheritable = 0;
	}
	/* ambient capabilities would survive an exec: there is none to make */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}
