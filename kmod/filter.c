// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel filters, the same as the BPF programs': a set of traced
 * tgids that grows at fork, a comm, a cgroup, namespace types, failures.
 */
#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/rculist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "nst_kmod.h"

/* As many as the BPF side's traced map holds. */
#define NST_MAX_TRACED 65536

struct nst_filter nst_filter;

struct traced_pid {
	struct hlist_node node;
	struct rcu_head rcu;
	u32 tgid;
};

static DEFINE_HASHTABLE(traced, 10);
static DEFINE_SPINLOCK(traced_lock);
static u32 traced_count;

static struct traced_pid *traced_find(u32 tgid)
{
	struct traced_pid *p;

	hash_for_each_possible_rcu(traced, p, node, tgid)
		if (p->tgid == tgid)
			return p;
	return NULL;
}

bool nst_pid_traced(u32 tgid)
{
	bool found;

	rcu_read_lock();
	found = traced_find(tgid) != NULL;
	rcu_read_unlock();
	return found;
}

/* Called from the fork tracepoint too: no sleeping, no failure reported there. */
int nst_pid_add(u32 tgid)
{
	struct traced_pid *p = kmalloc(sizeof(*p), GFP_ATOMIC);
	unsigned long irqflags;
	int ret = 0;

	if (!p)
		return -ENOMEM;
	p->tgid = tgid;
	spin_lock_irqsave(&traced_lock, irqflags);
	if (traced_find(tgid)) {
		kfree(p);
	} else if (traced_count >= NST_MAX_TRACED) {
		kfree(p);
		ret = -ENOSPC;
	} else {
		hash_add_rcu(traced, &p->node, tgid);
		traced_count++;
	}
	spin_unlock_irqrestore(&traced_lock, irqflags);
	return ret;
}

void nst_pid_del(u32 tgid)
{
	unsigned long irqflags;
	struct traced_pid *p;

	spin_lock_irqsave(&traced_lock, irqflags);
	p = traced_find(tgid);
	if (p) {
		hash_del_rcu(&p->node);
		traced_count--;
		kfree_rcu(p, rcu);
	}
	spin_unlock_irqrestore(&traced_lock, irqflags);
}

u32 nst_pid_count(void)
{
	return READ_ONCE(traced_count);
}

/* Only once no probe can run: the probes are the only other readers. */
void nst_pid_clear(void)
{
	struct hlist_node *tmp;
	struct traced_pid *p;
	int bkt;

	hash_for_each_safe(traced, bkt, tmp, p, node) {
		hash_del(&p->node);
		kfree(p);
	}
	traced_count = 0;
}

static bool has_traced_ancestor(struct task_struct *t)
{
	while (t->pid > 1) {
		t = rcu_dereference(t->real_parent);
		if (nst_pid_traced(t->tgid))
			return true;
	}
	return false;
}

/*
 * Add vpid (a tgid as the caller's pid namespace numbers it), then every
 * live process below it. The fork tracepoint is attached already, so a
 * child forked after the walk is added there, and one forked before it is
 * on the task list that the walk reads.
 */
int nst_pid_add_tree(u32 vpid)
{
	struct task_struct *p;
	u32 tgid = 0;
	int ret;

	rcu_read_lock();
	p = pid_task(find_vpid(vpid), PIDTYPE_TGID);
	if (p)
		tgid = p->tgid;
	rcu_read_unlock();
	if (!tgid)
		return -ESRCH;
	ret = nst_pid_add(tgid);
	if (ret)
		return ret;
	rcu_read_lock();
	for_each_process(p) {
		if (!nst_pid_traced(p->tgid) && has_traced_ancestor(p) && nst_pid_add(p->tgid)) {
			ret = -ENOSPC;
			break;
		}
	}
	rcu_read_unlock();
	return ret;
}

/* The cheapest test first: untraced tasks pay one hash lookup. */
bool nst_current_wanted(void)
{
	const struct nst_filter *f = &nst_filter;
	bool in_cgroup;

	if ((f->flags & NST_KF_PIDS) && !nst_pid_traced(current->tgid))
		return false;
	if ((f->flags & NST_KF_COMM) && strncmp(current->comm, f->comm, NST_COMM_LEN))
		return false;
	if (!(f->flags & NST_KF_CGROUP))
		return true;
	rcu_read_lock();
	in_cgroup = task_under_cgroup_hierarchy(current, f->cgrp);
	rcu_read_unlock();
	return in_cgroup;
}

/* Does the event touch a namespace type selected with --ns? */
bool nst_slots_wanted(const struct nst_event *e)
{
	return !nst_filter.ns_slots || (nst_event_slots(e) & nst_filter.ns_slots);
}
