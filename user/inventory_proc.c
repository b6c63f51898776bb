// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The inventory from /proc, where the BPF iterators cannot be loaded or
 * with --proc: each process's ns links, status and fds, the same records
 * inventory_iter.c gets from the kernel. PARENT and OWNER are left to the
 * nsfs ioctls (inventory.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "inventory_int.h"
#include "procparse.h"

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
			inv_add_fd(inv, atoi(pid), atoi(d->d_name));
	if (dir)
		closedir(dir);
}

int inv_collect_proc(struct inventory *inv)
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
			inv_add_task(inv, &r, false);
		proc_fds(inv, d->d_name);
	}
	closedir(dir);
	return 0;
}
