// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One pass over every task (iter/task) and every open namespace fd
 * (iter/task_file), plus the nsfs bind mounts in mountinfo. Without BPF
 * iterators the same facts come from walking /proc.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "nsiter.skel.h"

/* lsns's view: a process is in its pid and time namespaces, not the *_for_children ones. */
static const int type_slot[NST_T_COUNT] = {
	[NST_T_MNT] = NST_NS_MNT,   [NST_T_PID] = NST_NS_PID,	    [NST_T_NET] = NST_NS_NET,
	[NST_T_UTS] = NST_NS_UTS,   [NST_T_IPC] = NST_NS_IPC,	    [NST_T_USER] = NST_NS_USER,
	[NST_T_CGROUP] = NST_NS_CGROUP, [NST_T_TIME] = NST_NS_TIME,
};

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

static void add_task(struct inventory *inv, const struct nst_task_rec *r)
{
	for (int t = 0; t < NST_T_COUNT; t++) {
		struct inv_ns *n;

		if (!r->ns[type_slot[t]])
			continue;
		n = inv_find(inv, t, r->ns[type_slot[t]], true);
		if (!n)
			continue;
		n->nprocs++;
		if (!n->pid || r->pid < n->pid) {
			n->pid = r->pid;
			n->ppid = r->ppid;
			n->uid = r->euid;
			n->kthread = r->kthread;
			memcpy(n->comm, r->comm, sizeof(n->comm));
		}
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
	enum nst_type type = nst_slot_type(__builtin_ctz(nst_flags_to_slots(r->type) | 1U << 31));
	struct inv_ns *n = type < NST_T_COUNT ? inv_find(inv, type, r->ino, true) : NULL;
	char what[48];

	if (!n)
		return;
	n->open_fds++;
	snprintf(what, sizeof(what), "fd:%u/%u", r->pid, r->fd);
	if (!n->nprocs)
		add_holder(n, what);
}

static int read_iter(struct bpf_link *link, void *rec, size_t size,
		     void (*fn)(struct inventory *, const void *), struct inventory *inv)
{
	char buf[sizeof(struct nst_task_rec) * 256];
	int fd = bpf_iter_create(bpf_link__fd(link));
	ssize_t n;

	if (fd < 0)
		return -errno;
	/* records never straddle reads: the iterator writes whole records */
	while ((n = read(fd, buf, sizeof(buf) - sizeof(buf) % size)) > 0)
		for (ssize_t off = 0; off + (ssize_t)size <= n; off += size)
			fn(inv, buf + off);
	close(fd);
	return n < 0 ? -errno : 0;
}

static void task_cb(struct inventory *inv, const void *r)
{
	add_task(inv, r);
}

static void fd_cb(struct inventory *inv, const void *r)
{
	add_fd(inv, r);
}

static int collect_bpf(struct inventory *inv, char *err, size_t errlen)
{
	struct nsiter_bpf *skel = nsiter_bpf__open_and_load();
	struct bpf_link *lt = NULL, *lf = NULL;
	int ret = -ENOTSUP;

	if (!skel) {
		snprintf(err, errlen, "failed to load the BPF iterators: %s", strerror(errno));
		return -errno;
	}
	lt = bpf_program__attach_iter(skel->progs.ns_tasks, NULL);
	lf = bpf_program__attach_iter(skel->progs.ns_fds, NULL);
	if (lt && lf) {
		ret = read_iter(lt, NULL, sizeof(struct nst_task_rec), task_cb, inv);
		if (!ret)
			ret = read_iter(lf, NULL, sizeof(struct nst_fd_rec), fd_cb, inv);
	}
	if (ret)
		snprintf(err, errlen, "failed to run the BPF iterators: %s", strerror(-ret));
	bpf_link__destroy(lt);
	bpf_link__destroy(lf);
	nsiter_bpf__destroy(skel);
	return ret;
}

/* ---- the /proc walk ---- */

static __u32 ns_link_ino(const char *pid, const char *name)
{
	char path[300], link[64];
	unsigned long ino = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	sscanf(strchr(link, '[') ? strchr(link, '[') + 1 : link, "%lu", &ino);
	return ino;
}

static void proc_status(const char *pid, struct nst_task_rec *r)
{
	char path[300], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Name:\t", 6))
			snprintf(r->comm, sizeof(r->comm), "%.*s", (int)strcspn(line + 6, "\n"),
				 line + 6);
		sscanf(line, "PPid:\t%u", &r->ppid);
		sscanf(line, "Uid:\t%*u\t%u", &r->euid);
		if (!strncmp(line, "Kthread:\t1", 10))
			r->kthread = 1;
	}
	if (f)
		fclose(f);
}

static void proc_fds(struct inventory *inv, const char *pid)
{
	static const struct {
		const char *name;
		__u32 flag;
	} kinds[] = { { "mnt", NST_CLONE_NEWNS }, { "uts", NST_CLONE_NEWUTS }, { "ipc", NST_CLONE_NEWIPC },
		      { "pid", NST_CLONE_NEWPID }, { "net", NST_CLONE_NEWNET }, { "user", NST_CLONE_NEWUSER },
		      { "cgroup", NST_CLONE_NEWCGROUP }, { "time", NST_CLONE_NEWTIME } };
	char path[600], link[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		struct nst_fd_rec r = { .pid = atoi(pid), .fd = atoi(d->d_name) };
		unsigned long ino;
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			size_t l = strlen(kinds[k].name);

			if (!strncmp(link, kinds[k].name, l) && link[l] == ':' &&
			    sscanf(link + l, ":[%lu]", &ino) == 1) {
				r.ino = ino;
				r.type = kinds[k].flag;
				add_fd(inv, &r);
			}
		}
	}
	if (dir)
		closedir(dir);
}

static int collect_proc(struct inventory *inv)
{
	static const char *const names[NST_NS_COUNT] = {
		"mnt", "pid", "pid_for_children", "net", "uts", "ipc", "user", "cgroup", "time",
		"time_for_children" };
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		struct nst_task_rec r = {};

		if (!(r.pid = strtoul(d->d_name, NULL, 10)))
			continue;
		for (int i = 0; i < NST_NS_COUNT; i++)
			r.ns[i] = ns_link_ino(d->d_name, names[i]);
		proc_status(d->d_name, &r);
		if (r.ns[NST_NS_MNT] || r.ns[NST_NS_NET])
			add_task(inv, &r);
		proc_fds(inv, d->d_name);
	}
	closedir(dir);
	return 0;
}

/* nsfs bind mounts (ip netns add and friends): mountinfo's root is "net:[ino]". */
static void collect_mounts(struct inventory *inv)
{
	static const char *const tn[NST_T_COUNT] = { "mnt", "pid", "net", "uts", "ipc",
						     "user", "cgroup", "time" };
	char line[4096], root[256], mnt[1024], fstype[64];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		unsigned long ino;

		if (!sep || sscanf(line, "%*s %*s %*s %255s %1023s", root, mnt) != 2 ||
		    sscanf(sep + 3, "%63s", fstype) != 1 || strcmp(fstype, "nsfs"))
			continue;
		for (int t = 0; t < NST_T_COUNT; t++) {
			size_t l = strlen(tn[t]);
			struct inv_ns *n;
			char what[1100];

			if (strncmp(root, tn[t], l) || sscanf(root + l, ":[%lu]", &ino) != 1)
				continue;
			n = inv_find(inv, t, ino, true);
			snprintf(what, sizeof(what), "mount:%s", mnt);
			if (n)
				add_holder(n, what);
		}
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

static void enrich(struct inv_ns *n)
{
	char path[64], line[4096];
	int fd = open_ns(n);
	FILE *f;

	if (fd >= 0) {
		n->owner = ioctl_ino(fd, NS_GET_USERNS);
		if (n->type == NST_T_USER || n->type == NST_T_PID)
			n->parent = ioctl_ino(fd, NS_GET_PARENT);
		close(fd);
	}
	if (!n->pid)
		return;
	snprintf(path, sizeof(path), "/proc/%u/cgroup", n->pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			nst_cgpath_parse(line + 3, n->container, sizeof(n->container), n->pod,
					 sizeof(n->pod));
		}
	if (f)
		fclose(f);
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
	for (size_t i = 0; i < inv->n; i++)
		enrich(&inv->ns[i]);
	return 0;
}

void inv_free(struct inventory *inv)
{
	free(inv->ns);
	free(inv->index);
	memset(inv, 0, sizeof(*inv));
}

void inv_command(const struct inv_ns *n, char *buf, size_t len)
{
	char path[64];
	ssize_t got = 0;
	int fd;

	buf[0] = '\0';
	if (!n->pid)
		return;
	snprintf(path, sizeof(path), "/proc/%u/cmdline", n->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		got = read(fd, buf, len - 1);
		close(fd);
	}
	if (got <= 0) {
		/* kernel threads have no command line: lsns shows their name */
		snprintf(buf, len, "%.*s", (int)sizeof(n->comm), n->comm);
		return;
	}
	buf[got] = '\0';
	for (ssize_t i = 0; i < got - 1; i++)
		if (!buf[i])
			buf[i] = ' ';
}
