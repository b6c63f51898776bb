// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The inventory table: one entry per (type, inode), filled from the
 * records a collector (inventory_iter.c, inventory_proc.c) hands in, then
 * from what neither reads: nsfs bind mounts in mountinfo, PARENT and OWNER
 * through the nsfs ioctls where the iterator did not read them, and command
 * lines on demand. Containers, pods and the initial namespaces are
 * inventory_ident.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>
#include "grow.h"
#include "inventory_int.h"
#include "procparse.h"

/* The entry of (type, ino), added when new; NULL without memory. */
static struct inv_ns *inv_add(struct inventory *inv, enum nst_type type, __u32 ino)
{
	bool added;
	ssize_t i;

	if (nst_grow((void **)&inv->ns, &inv->cap, inv->n + 1, sizeof(*inv->ns), 256))
		return NULL;
	i = nshash_get_or_add(&inv->index, nshash_ns_key(type, ino), inv->n, &added);
	if (i < 0)
		return NULL;
	if (added)
		inv->ns[inv->n++] =
			(struct inv_ns){ .type = type, .ino = ino, .ident = INV_IDENT_UNREAD };
	return &inv->ns[i];
}

/* A namespace a process only creates its children in (unshare -p before the fork). */
static void add_for_children(struct inventory *inv, enum nst_type type, __u32 ino, __u32 pid)
{
	struct inv_ns *n = ino ? inv_add(inv, type, ino) : NULL;

	if (n && (!n->fc_pid || pid < n->fc_pid))
		n->fc_pid = pid;
}

/* Every process, kept for the container views; a kernel thread tells the initial namespaces. */
static void keep_task(struct inventory *inv, const struct nst_task_rec *r)
{
	struct inv_task *t;

	if (nst_grow((void **)&inv->tasks, &inv->tasks_cap, inv->ntasks + 1, sizeof(*inv->tasks),
		     256))
		return;
	t = &inv->tasks[inv->ntasks++];
	*t = (struct inv_task){ .pid = r->pid,
				.ident = INV_IDENT_UNREAD,
				.cgroup_id = r->cgroup_id };
	memcpy(t->ns, r->ns, sizeof(t->ns));
	/* kernel threads keep init_task's nsproxy and credentials: the initial namespaces */
	if (r->kthread && r->ns[NST_NS_MNT] && (!inv->host_kthread || r->pid < inv->host_kthread)) {
		inv->host_kthread = r->pid;
		for (int i = 0; i < NST_T_COUNT; i++)
			inv->host[i] = r->ns[nst_types[i].slot];
	}
}

void inv_add_task(struct inventory *inv, const struct nst_task_rec *r, bool related)
{
	keep_task(inv, r);
	/* lsns's view: a process is in its pid and time namespaces, not the *_for_children ones */
	for (int t = 0; t < NST_T_COUNT; t++) {
		int slot = nst_types[t].slot;
		struct inv_ns *n;

		if (!r->ns[slot])
			continue;
		/* most tasks share most namespaces with the one before */
		n = inv->last[t] < inv->n ? &inv->ns[inv->last[t]] : NULL;
		if (!n || n->ino != r->ns[slot] || n->type != (enum nst_type)t)
			n = inv_add(inv, t, r->ns[slot]);
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
	struct inv_ns *n = type < NST_T_COUNT ? inv_add(inv, type, r->ino) : NULL;
	char what[48];

	if (!n)
		return;
	if (!nst_grow((void **)&inv->fds, &inv->fds_cap, inv->nfds + 1, sizeof(*inv->fds), 64))
		inv->fds[inv->nfds++] = (struct inv_fd){ r->pid, type, r->ino };
	n->open_fds++;
	snprintf(what, sizeof(what), "fd:%u/%u", r->pid, r->fd);
	if (!n->nprocs)
		add_holder(n, what);
}

/* An fd that may be on a namespace: its /proc link says "net:[4026531840]". */
void inv_add_fd(struct inventory *inv, __u32 pid, __u32 fd)
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
		n = inv_add(inv, nst_flag_type(flag), ino);
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
}

/* lsns order: by namespace inode */
static int by_ino(const void *a, const void *b)
{
	const struct inv_ns *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return (int)x->type - (int)y->type;
}

static int by_pid(const void *a, const void *b)
{
	const struct inv_task *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

const struct inv_task *inv_task_of(const struct inventory *inv, __u32 pid)
{
	struct inv_task key = { .pid = pid };

	return inv->ntasks ? bsearch(&key, inv->tasks, inv->ntasks, sizeof(key), by_pid) : NULL;
}

/* The index after sorting: entries moved, and ls --tree looks parents up. */
static void reindex(struct inventory *inv)
{
	nshash_free(&inv->index);
	nshash_reserve(&inv->index, inv->n);
	for (size_t i = 0; i < inv->n; i++)
		nshash_put(&inv->index, nshash_ns_key(inv->ns[i].type, inv->ns[i].ino), i);
}

int inv_collect(struct inventory *inv, bool force_proc, bool verbose, char *err, size_t errlen)
{
	int ret = -1;

	memset(inv, 0, sizeof(*inv));
	if (!force_proc) {
		ret = inv_collect_iter(inv, err, errlen);
		inv->via_bpf = !ret;
		if (ret && verbose)
			fprintf(stderr, "nstrace: %s; walking /proc instead\n", err);
	}
	if (ret) {
		inv_free(inv);
		if ((ret = inv_collect_proc(inv))) {
			snprintf(err, errlen, "failed to read /proc: %s", strerror(-ret));
			return ret;
		}
	}
	collect_mounts(inv);
	qsort(inv->ns, inv->n, sizeof(inv->ns[0]), by_ino);
	reindex(inv);
	if (inv->ntasks)
		qsort(inv->tasks, inv->ntasks, sizeof(inv->tasks[0]), by_pid);
	enrich(inv);
	inv_find_host(inv);
	return 0;
}

const struct inv_ns *inv_lookup(const struct inventory *inv, enum nst_type type, __u32 ino)
{
	ssize_t i = nshash_get(&inv->index, nshash_ns_key(type, ino));

	return i < 0 ? NULL : &inv->ns[i];
}

void inv_free(struct inventory *inv)
{
	for (size_t i = 0; i < inv->ncmds; i++)
		free(inv->cmds[i]);
	free(inv->cmds);
	nshash_free(&inv->cmd_index);
	free(inv->ns);
	nshash_free(&inv->index);
	free(inv->tasks);
	free(inv->fds);
	free(inv->ids);
	nshash_free(&inv->ident_index);
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
	ssize_t i;
	char *cmd;

	if (!n->pid)
		return "";
	i = nshash_get(&inv->cmd_index, n->pid);
	if (i >= 0)
		return inv->cmds[i];
	cmd = read_command(n);
	if (!cmd ||
	    nst_grow((void **)&inv->cmds, &inv->cmds_cap, inv->ncmds + 1, sizeof(*inv->cmds), 64) ||
	    nshash_put(&inv->cmd_index, n->pid, inv->ncmds)) {
		free(cmd);
		return n->comm;
	}
	inv->cmds[inv->ncmds++] = cmd;
	return cmd;
}
