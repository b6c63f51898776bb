/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A task's container and pod, from its cgroup path alone: no runtime is
 * asked. The layouts (docs/containers.md) are one table in identity.c.
 */
#ifndef NSTRACE_IDENTITY_H
#define NSTRACE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum nst_runtime_kind {
	NST_RT_NONE, /* not in a container */
	NST_RT_UNKNOWN, /* a bare 64-hex directory under no known parent */
	NST_RT_DOCKER,
	NST_RT_CONTAINERD,
	NST_RT_CRIO,
	NST_RT_PODMAN,
	NST_RT_NSPAWN,
	NST_RT_LXC,
	NST_RT_CRI, /* a Kubernetes pod's container whose path names no runtime */
};

/* a 64-hex id, or an nspawn/LXC name (at most 255 bytes in either) */
#define NST_CONTAINER_LEN 256
/* a pod uid: a UUID, or the 32-hex config hash of a static pod */
#define NST_POD_UID_LEN 40

struct nst_identity {
	enum nst_runtime_kind runtime;
	char container[NST_CONTAINER_LEN]; /* id (hex) or name; "" on the host */
	char pod_uid[NST_POD_UID_LEN]; /* "" outside a pod */
};

/* "docker", "containerd", ...; "" for NST_RT_NONE */
const char *nst_runtime_kind_name(enum nst_runtime_kind kind);

/*
 * From one cgroup path (a /proc/PID/cgroup line's path, or the path the
 * caller found for an event's cgroup id). True when a container or a pod
 * was found; id is cleared first either way.
 */
bool nst_identity_from_cgpath(const char *path, struct nst_identity *id);

/*
 * From the whole text of /proc/PID/cgroup: the unified "0::" line first,
 * then on v1 and hybrid hosts the name=systemd, other named, pids, memory
 * and cpu hierarchies, in that order; the first that names a container (or
 * a pod) wins. True when one did.
 */
bool nst_identity_from_proc_cgroup(const char *text, struct nst_identity *id);

/* Read /proc/PID/cgroup; 0, or -errno when it cannot be read (id cleared). */
int nst_identity_of_pid(pid_t pid, struct nst_identity *id);

/* True when s is a container id or an unambiguous-looking prefix: 1-64 hex. */
bool nst_is_container_id(const char *s);

#endif /* NSTRACE_IDENTITY_H */
