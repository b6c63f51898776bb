/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Container names from the runtimes that made them, found at run time and
 * never required (docs/containers.md). The Docker Engine API on its unix
 * socket (Docker, or podman's Docker-compatible service) is listed and
 * inspected, then followed, on a thread of its own per socket; lookups
 * read a cache and never touch the network, so they may be called from the
 * event path: a container the cache does not hold yet is "not known yet",
 * and the caller shows its id.
 */
#ifndef NSTRACE_RUNTIME_H
#define NSTRACE_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define NST_CTR_ID_LEN 65
#define NST_CTR_NAME_LEN 256
#define NST_CTR_MODE_LEN 80 /* "container:<64 hex>" */

struct nst_container {
	char id[NST_CTR_ID_LEN]; /* 64 hex */
	char name[NST_CTR_NAME_LEN]; /* without Docker's leading '/' */
	char image[NST_CTR_NAME_LEN]; /* as given to run: Config.Image */
	char runtime[16]; /* "docker", "podman" */
	pid_t pid; /* State.Pid, 0 when not running */
	bool running;
	/* HostConfig: "", "host", "none", "private", "container:<id>", ... */
	char network_mode[NST_CTR_MODE_LEN];
	char ipc_mode[NST_CTR_MODE_LEN];
	char pid_mode[NST_CTR_MODE_LEN];
	char uts_mode[NST_CTR_MODE_LEN];
	/* Kubernetes labels (io.kubernetes.pod.*); "" when absent */
	char pod_name[NST_CTR_NAME_LEN];
	char pod_namespace[64];
	char pod_uid[40];
};

struct nst_runtime_opts {
	/*
	 * Unix sockets to ask, NULL-terminated; NULL: DOCKER_HOST when it is
	 * unix://PATH, else /var/run/docker.sock, and /run/podman/podman.sock,
	 * each only if it exists.
	 */
	const char *const *sockets;
	FILE *notes; /* one line per runtime not reached (-v); NULL: silent */
	bool no_follow; /* list once, do not follow the event stream */
	int connect_timeout_ms; /* 0: 200 */
	int request_timeout_ms; /* 0: 1500; the event stream has none */
};

struct nst_runtimes;

/*
 * Start asking the runtimes in the background; never fails for want of a
 * runtime (NULL only when out of memory, errno set). Returns at once: the
 * threads do the connecting.
 */
struct nst_runtimes *nst_runtimes_open(const struct nst_runtime_opts *opts);

/* Stop the threads (at once, also in the middle of a request) and free. */
void nst_runtimes_close(struct nst_runtimes *rt);

/*
 * Wait until every runtime has been listed once, or found absent, or
 * timeout_ms passed. For commands that want names now (ls); the event path
 * never waits. Returns how many runtimes answered.
 */
int nst_runtimes_wait(struct nst_runtimes *rt, int timeout_ms);

/* How many sockets are being asked, and the path of the i-th. */
size_t nst_runtimes_count(const struct nst_runtimes *rt);
const char *nst_runtimes_socket(const struct nst_runtimes *rt, size_t i);

enum nst_lookup {
	NST_LOOKUP_FOUND,
	NST_LOOKUP_UNKNOWN, /* not known (yet) */
	NST_LOOKUP_AMBIGUOUS, /* an id prefix that two containers share */
};

/* By full id or id prefix (as docker accepts); copies the entry to out. */
enum nst_lookup nst_runtimes_by_id(struct nst_runtimes *rt, const char *id,
				   struct nst_container *out);
/* By name, with or without the leading '/'. */
enum nst_lookup nst_runtimes_by_name(struct nst_runtimes *rt, const char *name,
				     struct nst_container *out);
/* A name first, then an id or id prefix: what a user types. */
enum nst_lookup nst_runtimes_find(struct nst_runtimes *rt, const char *key,
				  struct nst_container *out);

/*
 * The running containers, by name: up to max copied to out; returns how
 * many there are.
 */
size_t nst_runtimes_list(struct nst_runtimes *rt, struct nst_container *out, size_t max);

/*
 * Kubernetes pod name and namespace by uid, from the kubelet's log
 * directories "<namespace>_<name>_<uid>" under root (NULL: env
 * NSTRACE_PODS_LOG_DIR, else /var/log/pods). 0, or -ENOENT; reads the
 * disk, never the network.
 */
int nst_k8s_pod_by_uid(const char *root, const char *uid, char *name, size_t namelen, char *ns,
		       size_t nslen);

/*
 * Every pod of the kubelet's log directories under root (NULL: as above):
 * fn(ctx, namespace, name, uid) for each, until it returns non-zero.
 * Returns how many were seen, or -errno when root cannot be read.
 */
typedef int (*nst_k8s_pod_fn)(void *ctx, const char *ns, const char *name, const char *uid);
int nst_k8s_pods(const char *root, nst_k8s_pod_fn fn, void *ctx);

/*
 * The socket DOCKER_HOST names, if it is unix://PATH: PATH; NULL when it
 * is unset, empty, or another scheme (tcp://, ssh:// are not followed).
 */
const char *nst_docker_host_socket(const char *docker_host);

#endif /* NSTRACE_RUNTIME_H */
