// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The inventory's containers and pods (identity.c, from each process's
 * cgroup, read only when a view asks) and the initial namespaces, which
 * ls --containers calls "host".
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "grow.h"
#include "inventory.h"
#include "procparse.h"

/*
 * The kernel's fixed inode numbers of the initial namespaces
 * (include/linux/proc_ns.h). Net and mnt have them only since Linux 6.x;
 * older kernels number those from 0xF0000000 up, so a fixed number seen in
 * the inventory is the initial namespace on any kernel.
 */
static const __u32 init_ino[NST_T_COUNT] = {
	[NST_T_IPC] = 0xEFFFFFFFU, [NST_T_UTS] = 0xEFFFFFFEU,	 [NST_T_USER] = 0xEFFFFFFDU,
	[NST_T_PID] = 0xEFFFFFFCU, [NST_T_CGROUP] = 0xEFFFFFFBU, [NST_T_TIME] = 0xEFFFFFFAU,
	[NST_T_NET] = 0xEFFFFFF9U, [NST_T_MNT] = 0xEFFFFFF8U,
};

static __u32 proc1_ns(enum nst_type type)
{
	char path[64], link[64];
	__u64 flag;
	__u32 ino;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/1/ns/%s", nst_type_name(type));
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	return nst_proc_ns_link(link, &flag, &ino) ? 0 : ino;
}

/*
 * A kernel thread's namespaces are init_task's, and the iterator reads them
 * even where /proc/1/ns and /proc/2/ns are closed to root (as in some
 * sandboxes). Without one (--proc there, or a pid namespace that hides the
 * kernel threads): the fixed numbers, then what /proc/1/ns says.
 */
void inv_find_host(struct inventory *inv)
{
	if (inv->host_kthread)
		return;
	for (int t = 0; t < NST_T_COUNT; t++) {
		inv->host[t] = inv_lookup(inv, t, init_ino[t]) ? init_ino[t] : 0;
		if (!inv->host[t])
			inv->host[t] = proc1_ns(t);
	}
}

static bool same_identity(const struct nst_identity *a, const struct nst_identity *b)
{
	return a->runtime == b->runtime && !strcmp(a->container, b->container) &&
	       !strcmp(a->pod_uid, b->pod_uid);
}

/* The entry for id in inv->ids, added when new; INV_IDENT_NONE without memory. */
static int add_identity(struct inventory *inv, const struct nst_identity *id)
{
	for (size_t i = 0; i < inv->nids; i++)
		if (same_identity(&inv->ids[i], id))
			return (int)i;
	if (nst_grow((void **)&inv->ids, &inv->ids_cap, inv->nids + 1, sizeof(*inv->ids), 16))
		return INV_IDENT_NONE;
	inv->ids[inv->nids] = *id;
	return (int)inv->nids++;
}

/*
 * Once per cgroup: the processes of one container share it. The root
 * cgroup (kernfs id 1) is no key: a runtime that leaves the unified
 * hierarchy at the root on a hybrid host tells its containers apart only in
 * the v1 lines, so each process there is read alone, as is every process
 * when the cgroup id is not known (/proc).
 */
static int identity_of(struct inventory *inv, __u64 cgroup_id, __u32 pid)
{
	__u64 key = (__u32)cgroup_id > 1 ? cgroup_id : (__u64)pid << 32;
	ssize_t known = nshash_get(&inv->ident_index, key);
	struct nst_identity id;
	int ret = INV_IDENT_NONE;

	if (known >= 0)
		return (int)known - 1;
	if (!nst_identity_of_pid((pid_t)pid, &id) && (id.container[0] || id.pod_uid[0]))
		ret = add_identity(inv, &id);
	/* stored off by one: the table cannot hold the -1 of "none" */
	nshash_put(&inv->ident_index, key, (size_t)ret + 1);
	return ret;
}

int inv_ns_ident(struct inventory *inv, struct inv_ns *n)
{
	if (!n->pid)
		return INV_IDENT_NONE;
	if (n->ident == INV_IDENT_UNREAD)
		n->ident = identity_of(inv, n->cgroup_id, n->pid);
	return n->ident;
}

int inv_task_ident(struct inventory *inv, struct inv_task *t)
{
	if (t->ident == INV_IDENT_UNREAD)
		t->ident = identity_of(inv, t->cgroup_id, t->pid);
	return t->ident;
}
