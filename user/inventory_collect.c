// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One pass over every task (iter/task) and every open namespace fd
 * (iter/task_file), plus the nsfs bind mounts in mountinfo. Without BPF
 * iterators the same facts come from walking /proc.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cgpath.h"
#include "inventory_collect.h"
#include "nstrace_iter.h"
#include "procparse.h"
#include "nsiter.lskel.h"

static size_t inv_hash(enum nst_type type, __u32 ino, size_t cap)
{
	return ((ino * 2654435761U) ^ type) & (cap - 1);
}

/* Rebuild the index at twice the size: it stays at most half full. */
static int inv_reindex(struct inventory *inv, size_t cap)
{
	int *idx = malloc(cap * sizeof(*idx));

	if (!idx)
		return -1;
	memset(idx, 0xff, cap * sizeof(*idx));
	for (size_t i = 0; i < inv->n; i++) {
		size_t h = inv_hash(inv->ns[i].type, inv->ns[i].ino, cap);

		while (idx[h] >= 0)
			h = (h + 1) & (cap - 1);
		idx[h] = i;
	}
	free(inv->index);
	inv->index = idx;
	inv->index_cap = cap;
	return 0;
}

static struct inv_ns *inv_find(struct inventory *inv, enum nst_type type, __u32 ino, bool add)
{
	size_t h;

	if (2 * (inv->n + 1) > inv->index_cap &&
	    inv_reindex(inv, inv->index_cap ? inv->index_cap * 2 : 1024))
		return NULL;
	h = inv_hash(type, ino, inv->index_cap);
	for (; inv->index[h] >= 0; h = (h + 1) & (inv->index_cap - 1)) {
		struct inv_ns *n = &inv->ns[inv->index[h]];

		if (n->ino == ino && n->type == type)
			return n;
	}
	if (!add)
		return NULL;
	if (inv->n == inv->cap) {
		size_t nc = inv->cap ? inv->cap * 2 : 256;
		struct inv_ns *p = realloc(inv->ns, nc * sizeof(*p));

		if (!p)
			return NULL;
		inv->ns = p;
		inv->cap = nc;
	}
	memset(&inv->ns[inv->n], 0, sizeof(inv->ns[0]));
	inv->ns[inv->n].type = type;
	inv->ns[inv->n].ino = ino;
	inv->index[h] = inv->n;
	return &inv->ns[inv->n++];
}

/* A namespace a process only creates its children in (unshare -p before the fork). */
static void add_for_children(struct inventory *inv, enum nst_type type, __u32 ino, __u32 pid)
{
	struct inv_ns *n = ino ? inv_find(inv, type, ino, true) : NULL;

	if (n && (!n->fc_pid || pid < n->fc_pid))
		n->fc_pid = pid;
}

static void add_task(struct inventory *inv, const struct nst_task_rec *r, bool related)
{
	/* lsns's view: a process is in its pid and time namespaces, not the *_for_children ones */
	for (int t = 0; t < NST_T_COUNT; t++) {
		int slot = nst_types[t].slot;
		struct inv_ns *n;

		if (!r->ns[slot])
			continue;
		/* most tasks share most namespaces with the one before */
		if (inv->last[t] < inv->n && inv->ns[inv->last[t]].ino == r->ns[slot])
			n = &inv->ns[inv->last[t]];
		else
			n = inv_find(inv, t, r->ns[slot], true);
		if (!n)
			continue;
		inv->last[t] = n - inv->ns;
		n->nprocs++;
		if (!n->pid || r->pid < n->pid) {
			n->pid = r->pid;
			n->ppid = r->ppid;
			n->uid = r->euid;
			n->kthread = r->kthread;
			n->cgroup_id = r->cgroup_id;
			memcpy(n->comm, r->comm, sizeof(n->comm));
		}
		if (related) {
			n->related = true;
			n->owner = r->owner[slot];
			n->parent = t == NST_T_PID    ? r->pid_parent
				    : t == NST_T_USER ? r->user_parent
						      : 0;
		}
	}
	for (int t = 0; t < NST_T_COUNT; t++) {
		const struct nst_type_info *ti = &nst_types[t];

		if (r->ns[ti->fc_slot] != r->ns[ti->slot])
			add_for_children(inv, t, r->ns[ti->fc_slot], r->pid);
	}
}

static void add_holder(struct inv_ns *n, const char *what)
{
	size_t off = strlen(n->holders);

	if (off + strlen(what) + 2 < sizeof(n->holders))
		snprintf(n->holders + off, sizeof(n->holders) - off, "%s%s", off ? " " : "", what);
}

static void add_fd(struct inventory *inv, const struct nst_fd_rec *r)
{
	enum nst_type type = nst_flag_type(r->type);
	struct inv_ns *n = type < NST_T_COUNT ? inv_find(inv, type, r->ino, true) : NULL;
	char what[48];

	if (!n)
		return;
	n->open_fds++;
	snprintf(what, sizeof(what), "fd:%u/%u", r->pid, r->fd);
	if (!n->nprocs)
		add_holder(n, what);
}

/* An fd that may be on a namespace: its /proc link says "net:[4026531840]". */
static void add_fd_link(struct inventory *inv, __u32 pid, __u32 fd)
{
	struct nst_fd_rec r = { .pid = pid, .fd = fd };
	char path[64], link[64];
	__u64 flag;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/fd/%u", pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	if (nst_proc_ns_link(link, &flag, &r.ino))
		return;
	r.type = flag;
	add_fd(inv, &r);
}

static int read_iter(int link_fd, size_t size, void (*fn)(void *, const void *), void *arg)
{
	char buf[sizeof(struct nst_task_rec) * 256];
	int fd = bpf_iter_create(link_fd);
	ssize_t n;

	if (fd < 0)
		return -errno;
	/* records never straddle reads: the iterator writes whole records */
	while ((n = read(fd, buf, sizeof(buf) - sizeof(buf) % size)) > 0)
		for (ssize_t off = 0; off + (ssize_t)size <= n; off += size)
			fn(arg, buf + off);
	close(fd);
	return n < 0 ? -errno : 0;
}

static void task_cb(void *inv, const void *r)
{
	add_task(inv, r, true);
}

/* The fd pass runs beside the task pass and keeps its few records for after. */
struct fd_pass {
	struct nsiter_lskel *skel;
	struct nst_fd_rec *recs;
	size_t n, cap;
	int ret;
};

static void fd_keep(void *arg, const void *r)
{
	struct fd_pass *p = arg;

	if (p->n == p->cap) {
		size_t nc = p->cap ? 2 * p->cap : 64;
		struct nst_fd_rec *q = realloc(p->recs, nc * sizeof(*q));

		if (!q) {
			p->ret = -ENOMEM;
			return;
		}
		p->recs = q;
		p->cap = nc;
	}
	p->recs[p->n++] = *(const struct nst_fd_rec *)r;
}

static int iter_link(int prog_fd, __u32 pid)
{
	union bpf_iter_link_info info = { .task.pid = pid };
	LIBBPF_OPTS(bpf_link_create_opts, opts, .iter_info = &info, .iter_info_len = sizeof(info));

	return bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, &opts);
}

/*
 * The fd pass learns nsfs's f_op from self_fd, in a pass over our own
 * process alone (kernels before 6.1 cannot filter: a whole pass then).
 */
static void *fd_pass_run(void *arg)
{
	struct fd_pass *p = arg;
	struct nsiter_lskel *skel = p->skel;
	int self = iter_link(skel->progs.ns_fds.prog_fd, getpid());
	int ret = read_iter(self >= 0 ? self : skel->links.ns_fds_fd, sizeof(struct nst_fd_rec),
			    fd_keep, p);

	if (self >= 0)
		close(self);
	if (!ret && !skel->bss->nsfs_fops)
		ret = -ENOENT;
	p->n = 0;
	if (!ret)
		ret = read_iter(skel->links.ns_fds_fd, sizeof(struct nst_fd_rec), fd_keep, p);
	if (!p->ret)
		p->ret = ret;
	return NULL;
}

/*
 * Both passes walk every task, one reading namespaces, the other every open
 * file: on two threads they take about the time of the longer one.
 */
static int run_passes(struct nsiter_lskel *skel, struct inventory *inv)
{
	struct fd_pass fp = { .skel = skel };
	pthread_t th;
	bool threaded = !pthread_create(&th, NULL, fd_pass_run, &fp);
	int ret;

	ret = read_iter(skel->links.ns_tasks_fd, sizeof(struct nst_task_rec), task_cb, inv);
	if (threaded)
		pthread_join(th, NULL);
	else
		fd_pass_run(&fp);
	if (!ret)
		ret = fp.ret;
	for (size_t i = 0; !ret && i < fp.n; i++)
		add_fd_link(inv, fp.recs[i].pid, fp.recs[i].fd);
	free(fp.recs);
	return ret;
}

static int load_bpf(struct nsiter_lskel *skel, int self_fd)
{
	skel->rodata->self_tgid = getpid();
	skel->rodata->self_fd = self_fd;
	if (nsiter_lskel__load(skel) || nsiter_lskel__attach(skel))
		return errno ? -errno : -ENOTSUP;
	return 0;
}

/*
 * A light skeleton: its loader program relocates in the kernel, against the
 * BTF the kernel already holds, where libbpf would read and parse all of
 * /sys/kernel/btf/vmlinux first (about 150 ms of page faults on a VM).
 */
static int collect_bpf(struct inventory *inv, char *err, size_t errlen)
{
	struct nsiter_lskel *skel = nsiter_lskel__open();
	int self_fd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	int ret = !skel || self_fd < 0 ? -errno : load_bpf(skel, self_fd);

	if (ret) {
		snprintf(err, errlen, "failed to load the BPF iterators: %s", strerror(-ret));
		goto out;
	}
	ret = run_passes(skel, inv);
	if (ret)
		snprintf(err, errlen, "failed to run the BPF iterators: %s", strerror(-ret));
out:
	if (self_fd >= 0)
		close(self_fd);
	nsiter_lskel__destroy(skel);
	return ret;
}

/* ---- the /proc walk ---- */

static __u32 ns_link_ino(const char *pid, const char *name)
{
	char path[300], link[64];
	__u64 flag;
	__u32 ino;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	return nst_proc_ns_link(link, &flag, &ino) ? 0 : ino;
}

static void proc_status(const char *pid, struct nst_task_rec *r)
{
	char path[300], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		nst_proc_status_line(line, r);
	if (f)
		fclose(f);
}

static void proc_fds(struct inventory *inv, const char *pid)
{
	char path[300];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir)))
		if (d->d_name[0] != '.')
			add_fd_link(inv, atoi(pid), atoi(d->d_name));
	if (dir)
		closedir(dir);
}

static int collect_proc(struct inventory *inv)
{
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		struct nst_task_rec r = {};

		if (!(r.pid = strtoul(d->d_name, NULL, 10)))
			continue;
		for (int i = 0; i < NST_NS_COUNT; i++)
			r.ns[i] = ns_link_ino(d->d_name, nst_slot_name(i));
		proc_status(d->d_name, &r);
		if (r.ns[NST_NS_MNT] || r.ns[NST_NS_NET])
			add_task(inv, &r, false);
		proc_fds(inv, d->d_name);
	}
	closedir(dir);
	return 0;
}

/* nsfs bind mounts (ip netns add and friends): mountinfo's root is "net:[ino]". */
static void collect_mounts(struct inventory *inv)
{
	char line[4096], root[256], mnt[1024];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		char what[1100];
		struct inv_ns *n;
		__u64 flag;
		__u32 ino;

		if (nst_mountinfo_nsfs(line, root, sizeof(root), mnt, sizeof(mnt)) ||
		    nst_proc_ns_link(root, &flag, &ino))
			continue;
		n = inv_find(inv, nst_flag_type(flag), ino, true);
		snprintf(what, sizeof(what), "mount:%s", mnt);
		if (n)
			add_holder(n, what);
	}
	if (f)
		fclose(f);
}

/* An fd on the namespace: through a member process, or a holder's mount or fd. */
static int open_ns(const struct inv_ns *n)
{
	char path[1100];
	const char *h = n->holders;

	if (n->pid) {
		snprintf(path, sizeof(path), "/proc/%u/ns/%s", n->pid, nst_type_name(n->type));
		return open(path, O_RDONLY | O_CLOEXEC);
	}
	if (!strncmp(h, "mount:", 6)) {
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(h + 6, " "), h + 6);
		return open(path, O_RDONLY | O_CLOEXEC);
	}
	if (!strncmp(h, "fd:", 3)) {
		unsigned int pid, fd;

		if (sscanf(h + 3, "%u/%u", &pid, &fd) == 2) {
			snprintf(path, sizeof(path), "/proc/%u/fd/%u", pid, fd);
			return open(path, O_RDONLY | O_CLOEXEC);
		}
	}
	if (n->fc_pid) {
		snprintf(path, sizeof(path), "/proc/%u/ns/%s_for_children", n->fc_pid,
			 nst_type_name(n->type));
		return open(path, O_RDONLY | O_CLOEXEC);
	}
	return -1;
}

static __u32 ioctl_ino(int fd, unsigned long req)
{
	struct stat st;
	int r = ioctl(fd, req);

	if (r < 0)
		return 0;
	if (fstat(r, &st))
		st.st_ino = 0;
	close(r);
	return st.st_ino;
}

/* PARENT and OWNER through the nsfs ioctls, where the iterator did not read them. */
static void relate(struct inv_ns *n)
{
	int fd = open_ns(n);

	if (fd < 0)
		return;
	n->owner = ioctl_ino(fd, NS_GET_USERNS);
	if (n->type == NST_T_USER || n->type == NST_T_PID)
		n->parent = ioctl_ino(fd, NS_GET_PARENT);
	close(fd);
}

static void read_cgroup(struct inv_ns *n)
{
	char path[64], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", n->pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		const char *path = nst_proc_cgroup_v2(line);

		line[strcspn(line, "\n")] = '\0';
		if (path)
			nst_cgpath_parse(path, n->container, sizeof(n->container), n->pod,
					 sizeof(n->pod));
	}
	if (f)
		fclose(f);
}

static size_t pow2_at_least(size_t n)
{
	size_t c = 16;

	while (c < n)
		c *= 2;
	return c;
}

/*
 * CONTAINER and POD, read once per cgroup (or per PID when the cgroup id is
 * unknown): the namespaces of one container share both.
 */
static void read_cgroups(struct inventory *inv)
{
	size_t cap = pow2_at_least(2 * inv->n);
	long *seen = malloc(cap * sizeof(*seen));

	if (seen)
		memset(seen, 0xff, cap * sizeof(*seen));
	for (size_t i = 0; i < inv->n; i++) {
		struct inv_ns *n = &inv->ns[i];
		__u64 key = n->cgroup_id ? n->cgroup_id : (__u64)n->pid << 32;
		size_t h = (key * 0x9e3779b97f4a7c15ULL) >> 40 & (cap - 1);

		if (!n->pid)
			continue;
		while (seen && seen[h] >= 0) {
			const struct inv_ns *o = &inv->ns[seen[h]];

			if ((o->cgroup_id ? o->cgroup_id : (__u64)o->pid << 32) == key)
				break;
			h = (h + 1) & (cap - 1);
		}
		if (seen && seen[h] >= 0) {
			memcpy(n->container, inv->ns[seen[h]].container, sizeof(n->container));
			memcpy(n->pod, inv->ns[seen[h]].pod, sizeof(n->pod));
			continue;
		}
		read_cgroup(n);
		if (seen)
			seen[h] = i;
	}
	free(seen);
}

static void enrich(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		struct inv_ns *n = &inv->ns[i];
		char what[64];

		if (!n->nprocs && !n->holders[0] && n->fc_pid) {
			snprintf(what, sizeof(what), "%s_for_children:%u", nst_type_name(n->type),
				 n->fc_pid);
			add_holder(n, what);
		}
		if (!n->related)
			relate(n);
	}
	read_cgroups(inv);
}

/* lsns order: by namespace inode */
static int by_ino(const void *a, const void *b)
{
	const struct inv_ns *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return (int)x->type - (int)y->type;
}

int inv_collect(struct inventory *inv, bool force_proc, bool verbose, char *err, size_t errlen)
{
	int ret = -1;

	memset(inv, 0, sizeof(*inv));
	if (!force_proc) {
		ret = collect_bpf(inv, err, errlen);
		inv->via_bpf = !ret;
		if (ret && verbose)
			fprintf(stderr, "nstrace: %s; walking /proc instead\n", err);
	}
	if (ret) {
		inv_free(inv);
		if ((ret = collect_proc(inv))) {
			snprintf(err, errlen, "failed to read /proc: %s", strerror(-ret));
			return ret;
		}
	}
	collect_mounts(inv);
	/* sorting moves the entries: the index is no longer needed */
	free(inv->index);
	inv->index = NULL;
	inv->index_cap = 0;
	qsort(inv->ns, inv->n, sizeof(inv->ns[0]), by_ino);
	enrich(inv);
	return 0;
}

void inv_free(struct inventory *inv)
{
	for (size_t i = 0; i < inv->cmds_cap; i++)
		free(inv->cmds[i].cmd);
	free(inv->cmds);
	free(inv->ns);
	free(inv->index);
	memset(inv, 0, sizeof(*inv));
}

static char *read_command(const struct inv_ns *n)
{
	char path[64], buf[8192];
	ssize_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", n->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		got = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	/* kernel threads have no command line: lsns shows their name */
	if (got <= 0)
		return strndup(n->comm, sizeof(n->comm));
	buf[got] = '\0';
	nst_proc_cmdline_join(buf, got);
	return strdup(buf);
}

const char *inv_command(struct inventory *inv, const struct inv_ns *n)
{
	size_t h;

	if (!n->pid)
		return "";
	if (!inv->cmds) {
		inv->cmds_cap = pow2_at_least(2 * inv->n);
		inv->cmds = calloc(inv->cmds_cap, sizeof(*inv->cmds));
		if (!inv->cmds) {
			inv->cmds_cap = 0;
			return n->comm;
		}
	}
	h = (size_t)(n->pid * 2654435761U) & (inv->cmds_cap - 1); /* 32-bit hash */
	while (inv->cmds[h].pid && inv->cmds[h].pid != n->pid)
		h = (h + 1) & (inv->cmds_cap - 1);
	if (!inv->cmds[h].pid) {
		inv->cmds[h].cmd = read_command(n);
		if (!inv->cmds[h].cmd)
			return n->comm;
		inv->cmds[h].pid = n->pid;
	}
	return inv->cmds[h].cmd;
}
