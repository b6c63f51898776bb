/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Container and pod identity from a cgroup v2 path. */
#ifndef NSTRACE_CGPATH_H
#define NSTRACE_CGPATH_H

#include <stddef.h>

/*
 * From a path such as /system.slice/docker-<id>.scope or
 * /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/
 * cri-containerd-<id>.scope, fill the container id (docker-, cri-containerd-,
 * crio-, libpod- scopes, or a bare 64-hex cgroupfs directory) and the pod uid
 * (with '_' turned back into '-'). Empty strings when absent.
 */
void nst_cgpath_parse(const char *path, char *container, size_t clen, char *pod, size_t plen);

#endif /* NSTRACE_CGPATH_H */
