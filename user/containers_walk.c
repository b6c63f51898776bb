// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The resolver's walk, on its own thread: every directory of the cgroup v2
 * hierarchy by inode (the cgroup id of events), the identity its path
 * gives, and the namespaces of each container, from one task of its cgroup
 * and from the pid the runtime reports. Only this thread reads the disk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "containers_int.h"
#include "grow.h"

/* cgroup v2 nests at most this deep in practice; a loop of bind mounts cannot */
#define MAX_DEPTH 32

void ctr_table_free(struct ctr_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncg; i++)
		free(t->cg[i].path);
	free(t->cg);
	free(t->ns);
	nshash_free(&t->cgh);
	nshash_free(&t->nsh);
	free(t);
}

const struct cg_entry *ctr_table_cg(const struct ctr_table *t, __u64 id)
{
	ssize_t i = t ? nshash_get(&t->cgh, id) : -1;

	return i < 0 ? NULL : &t->cg[i];
}

const struct ns_entry *ctr_table_ns(const struct ctr_table *t, __u64 ino)
{
	ssize_t i = t ? nshash_get(&t->nsh, ino) : -1;

	return i < 0 ? NULL : &t->ns[i];
}

void ctr_task_ns(pid_t pid, __u32 ino[NST_T_COUNT])
{
	char path[64];
	struct stat st;

	for (int i = 0; i < NST_T_COUNT; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, nst_types[i].name);
		ino[i] = stat(path, &st) ? 0 : (__u32)st.st_ino;
	}
}

bool ctr_is_host_ns(const struct nst_containers *c, __u32 ino)
{
	for (int i = 0; i < NST_T_COUNT; i++)
		if (c->host_ns[i] == ino)
			return true;
	return false;
}

/* The task's start time in clock ticks after boot (/proc/PID/stat field 22); ~0 unknown. */
static unsigned long long start_time(pid_t pid)
{
	unsigned long long start = ~0ULL;
	char path[64], buf[1024];
	const char *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return start;
	/* the command name may hold spaces and ')': the fields follow the last ')' */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2,
		       "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
		       "%*s %llu",
		       &start);
	fclose(f);
	return start;
}

/* Say ino is ident's, unless a stronger reason, or an older task, names another. */
static int ns_put(struct ctr_table *t, __u32 ino, enum ns_rank rank, unsigned long long start,
		  const struct nst_identity *ident)
{
	ssize_t i = nshash_get(&t->nsh, ino);
	struct ns_entry e = { ino, rank, start, *ident };

	if (i >= 0 && (size_t)i < t->nns) {
		if (rank > t->ns[i].rank || (rank == t->ns[i].rank && start < t->ns[i].start))
			t->ns[i] = e;
		return 0;
	}
	if (nst_grow((void **)&t->ns, &t->nscap, t->nns + 1, sizeof(*t->ns), 64) ||
	    nshash_put(&t->nsh, ino, t->nns))
		return -1;
	t->ns[t->nns++] = e;
	return 0;
}

/* joined: 1 << enum nst_type for the types the container took from another */
static void add_task_ns(struct nst_containers *c, struct ctr_table *t, pid_t pid,
			const struct nst_identity *ident, __u32 joined, enum ns_rank rank)
{
	unsigned long long start = start_time(pid);
	__u32 ino[NST_T_COUNT];

	ctr_task_ns(pid, ino);
	for (int i = 0; i < NST_T_COUNT; i++)
		if (ino[i] && !ctr_is_host_ns(c, ino[i]))
			ns_put(t, ino[i], joined & (1U << i) ? NS_JOINED : rank, start, ident);
}

/* The first pid in the directory's cgroup.procs, or 0 (none, or unreadable). */
static pid_t first_proc(int dirfd)
{
	int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	char buf[32];
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

static int add_cg(struct nst_containers *c, struct ctr_table *t, __u64 id, const char *path)
{
	struct cg_entry *e;

	if (nst_grow((void **)&t->cg, &t->cgcap, t->ncg + 1, sizeof(*t->cg), 256))
		return -1;
	e = &t->cg[t->ncg];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->path = strdup(path);
	if (!e->path || nshash_put(&t->cgh, id, t->ncg)) {
		free(e->path);
		return -1;
	}
	nst_identity_from_cgpath(path, &e->ident);
	if (e->ident.pod_uid[0])
		nst_k8s_pod_by_uid(c->pods_dir, e->ident.pod_uid, e->pod_name, sizeof(e->pod_name),
				   e->pod_namespace, sizeof(e->pod_namespace));
	t->ncg++;
	return 0;
}

static void walk_dir(struct nst_containers *c, struct ctr_table *t, int fd, char *path, size_t plen,
		     int depth, const char *parent_ctr);

/* Each subdirectory of fd, whose path is path[0..plen). */
static void walk_children(struct nst_containers *c, struct ctr_table *t, int fd, char *path,
			  size_t plen, int depth, const char *ctr)
{
	int dfd = dup(fd);
	const struct dirent *d;
	DIR *dir = dfd < 0 ? NULL : fdopendir(dfd);

	if (!dir) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	while ((d = readdir(dir)) && !__atomic_load_n(&c->stopping, __ATOMIC_ACQUIRE)) {
		size_t n = strlen(d->d_name);
		int sub;

		if ((d->d_type != DT_DIR && d->d_type != DT_UNKNOWN) || d->d_name[0] == '.' ||
		    plen + 1 + n >= sizeof(c->root))
			continue;
		sub = openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, d->d_name, n + 1);
		walk_dir(c, t, sub, path, plen + 1 + n, depth + 1, ctr);
		path[plen] = '\0';
		close(sub);
	}
	closedir(dir);
}

static void walk_dir(struct nst_containers *c, struct ctr_table *t, int fd, char *path, size_t plen,
		     int depth, const char *parent_ctr)
{
	const struct cg_entry *e;
	struct stat st;
	pid_t pid;

	if (depth > MAX_DEPTH || fstat(fd, &st) || add_cg(c, t, st.st_ino, plen ? path : "/"))
		return;
	e = &t->cg[t->ncg - 1];
	/* a container's own directory (not one below it): its tasks' namespaces */
	if (e->ident.container[0] && strcmp(e->ident.container, parent_ctr)) {
		t->ncontainers++;
		pid = first_proc(fd);
		if (pid > 0)
			add_task_ns(c, t, pid, &e->ident, 0, NS_MEMBER);
	}
	/* the entry moves when the table grows: keep the id, not the pointer */
	{
		char ctr[NST_CONTAINER_LEN];

		snprintf(ctr, sizeof(ctr), "%s", e->ident.container);
		walk_children(c, t, fd, path, plen, depth, ctr);
	}
}

/* The types a container took from another: HostConfig's "container:<id>" modes. */
static __u32 joined_types(const struct nst_container *k)
{
	__u32 m = 0;

	if (!strncmp(k->network_mode, "container:", 10))
		m |= 1U << NST_T_NET;
	if (!strncmp(k->ipc_mode, "container:", 10))
		m |= 1U << NST_T_IPC;
	if (!strncmp(k->pid_mode, "container:", 10))
		m |= 1U << NST_T_PID;
	if (!strncmp(k->uts_mode, "container:", 10))
		m |= 1U << NST_T_UTS;
	return m;
}

static size_t nst_min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The runtime's running containers, by their init task (State.Pid). */
static void add_runtime_ns(struct nst_containers *c, struct ctr_table *t, struct nst_runtimes *rt)
{
	size_t n = rt ? nst_runtimes_list(rt, NULL, 0) : 0;
	struct nst_container *k = n ? calloc(n, sizeof(*k)) : NULL;

	if (!k)
		return;
	/* a container may have started since the count: take what fits */
	n = nst_min_size(nst_runtimes_list(rt, k, n), n);
	for (size_t i = 0; i < n; i++) {
		struct nst_identity ident = { .runtime = !strcmp(k[i].runtime, "podman")
								 ? NST_RT_PODMAN
								 : NST_RT_DOCKER };

		if (k[i].pid <= 0)
			continue;
		snprintf(ident.container, sizeof(ident.container), "%s", k[i].id);
		snprintf(ident.pod_uid, sizeof(ident.pod_uid), "%s", k[i].pod_uid);
		add_task_ns(c, t, k[i].pid, &ident, joined_types(&k[i]), NS_OWNER);
	}
	free(k);
}

struct ctr_table *ctr_walk(struct nst_containers *c, struct nst_runtimes *rt)
{
	struct ctr_table *t = calloc(1, sizeof(*t));
	char path[sizeof(c->root)] = "";
	int fd;

	if (!t)
		return NULL;
	/* first: the runtime knows which container made a shared namespace */
	add_runtime_ns(c, t, rt);
	fd = c->root[0] ? open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		walk_dir(c, t, fd, path, 0, 0, "");
		close(fd);
	}
	return t;
}
