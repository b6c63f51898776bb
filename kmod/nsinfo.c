// SPDX-License-Identifier: GPL-2.0
/*
 * A task's namespaces, read in the kernel: the same fields, with the same
 * meaning, as bpf/nstrace.bpf.h reads with CO-RE.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/magic.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_ns.h>
#include <linux/time_namespace.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <linux/version.h>
#include <net/net_namespace.h>
#include "nst_kmod.h"

#ifndef PID_FS_MAGIC
#define PID_FS_MAGIC 0x50494446	/* pidfds are pidfs inodes since 6.9 */
#endif

/*
 * struct mnt_namespace is private to fs/ (fs/mount.h). Its struct
 * ns_common comes first from 5.11 on; before, a reference count precedes
 * it. This is the start of the struct as the headers' version has it;
 * nst_check_layout() verifies it on the running kernel before anything
 * reads through it. NST_TEST_MNT_NS_PAD (a test build only) pretends the
 * kernel has one field more there, to test that the module then refuses
 * to load.
 */
struct nst_mnt_ns_head {
#ifdef NST_TEST_MNT_NS_PAD
	char test_pad[NST_TEST_MNT_NS_PAD];
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
	atomic_t count;
#endif
	struct ns_common ns;
};

u32 nst_mnt_ns_inum(void *mnt_ns)
{
	return mnt_ns ? ((struct nst_mnt_ns_head *)mnt_ns)->ns.inum : 0;
}

static int ns_common_type(const struct ns_common *ns)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
	return ns->ns_type;
#else
	return ns->ops->type;
#endif
}

/*
 * Where the kernel itself says the caller's mount namespace's ns_common
 * is: the nsfs inode of /proc/self/ns/mnt points at it. Comparing that
 * address with where the head above puts it reads nothing through a
 * guess, so a kernel with another layout is refused, never dereferenced.
 */
static int mnt_ns_common(struct ns_common **ns)
{
	struct file *f = filp_open("/proc/self/ns/mnt", O_RDONLY, 0);

	if (IS_ERR(f))
		return PTR_ERR(f);
	*ns = file_inode(f)->i_sb->s_magic == NSFS_MAGIC ? file_inode(f)->i_private : NULL;
	filp_close(f, NULL);
	return *ns ? 0 : -ENOENT;
}

int nst_check_layout(void)
{
	struct nsproxy *nsp = current->nsproxy;
	struct ns_common *ns;
	void *mnt_ns;
	int ret;

	ret = mnt_ns_common(&ns);
	if (ret) {
		pr_err("nstrace: cannot check the layout of struct mnt_namespace: "
		       "/proc/self/ns/mnt: error %d (is /proc mounted?)\n",
		       ret);
		return -ENOEXEC;
	}
	mnt_ns = nsp ? nsp->mnt_ns : NULL;
	if (!mnt_ns || ns != &((struct nst_mnt_ns_head *)mnt_ns)->ns ||
	    ns_common_type(ns) != CLONE_NEWNS) {
		pr_err("nstrace: struct mnt_namespace of this kernel has its ns_common at "
		       "offset %td, not %zu as in the headers this module was built with; "
		       "refusing to load (rebuild the module against this kernel's headers)\n",
		       mnt_ns ? (char *)ns - (char *)mnt_ns : -1,
		       offsetof(struct nst_mnt_ns_head, ns));
		return -ENOEXEC;
	}
	return 0;
}

void nst_nsproxy_inos(struct nsproxy *nsp, u32 *ino)
{
	if (!nsp) {
		ino[NST_NS_MNT] = ino[NST_NS_PID_FC] = ino[NST_NS_NET] = 0;
		ino[NST_NS_UTS] = ino[NST_NS_IPC] = ino[NST_NS_CGROUP] = 0;
		ino[NST_NS_TIME] = ino[NST_NS_TIME_FC] = 0;
		return;
	}
	ino[NST_NS_MNT] = nst_mnt_ns_inum(nsp->mnt_ns);
	ino[NST_NS_PID_FC] = nsp->pid_ns_for_children ? nsp->pid_ns_for_children->ns.inum : 0;
	ino[NST_NS_NET] = nsp->net_ns ? nsp->net_ns->ns.inum : 0;
	ino[NST_NS_UTS] = nsp->uts_ns ? nsp->uts_ns->ns.inum : 0;
	ino[NST_NS_IPC] = nsp->ipc_ns ? nsp->ipc_ns->ns.inum : 0;
	ino[NST_NS_CGROUP] = nsp->cgroup_ns ? nsp->cgroup_ns->ns.inum : 0;
#ifdef CONFIG_TIME_NS
	ino[NST_NS_TIME] = nsp->time_ns ? nsp->time_ns->ns.inum : 0;
	ino[NST_NS_TIME_FC] = nsp->time_ns_for_children ? nsp->time_ns_for_children->ns.inum : 0;
#endif
}

/*
 * Every namespace of t; after exit_task_namespaces() the nsproxy slots
 * read 0 ("left"). Only current, a child not yet running, or a task whose
 * lock the caller holds may be passed: nobody else can swap the nsproxy.
 */
void nst_task_ns_inos(struct task_struct *t, u32 *ino)
{
	struct pid_namespace *pidns;

	rcu_read_lock();
	pidns = task_active_pid_ns(t);
	ino[NST_NS_PID] = pidns ? pidns->ns.inum : 0;
	ino[NST_NS_USER] = __task_cred(t)->user_ns->ns.inum;
	rcu_read_unlock();
	nst_nsproxy_inos(t->nsproxy, ino);
}

static bool file_is_pidfd(struct file *f, unsigned long magic)
{
	if (magic == PID_FS_MAGIC)
		return true;
	return magic == ANON_INODE_FS_MAGIC &&
	       !strcmp(f->f_path.dentry->d_name.name, "[pidfd]");
}

/* The namespaces setns(pidfd, nstype) would enter. */
static void pidfd_target(struct file *f, unsigned long magic, u64 nstype, struct nst_event *e)
{
	struct pid *pid = magic == PID_FS_MAGIC ? file_inode(f)->i_private : f->private_data;
	u32 inos[NST_NS_COUNT] = {};
	struct task_struct *tt;

	e->target_kind = NST_TGT_PIDFD;
	e->target_pid = pid_nr(pid);
	tt = pid_task(pid, PIDTYPE_PID);
	if (!tt)
		return;
	task_lock(tt);
	nst_task_ns_inos(tt, inos);
	task_unlock(tt);
	nst_pidfd_target(inos, nstype, e->target);
}

/*
 * Where setns(fd, nstype) is trying to go, read from the fd at entry so a
 * failing call still names its target. Called by current at syscall entry.
 */
void nst_setns_target(int fd, u64 nstype, struct nst_event *e)
{
	struct inode *inode;
	unsigned long magic;
	struct file *f;

	e->setns_fd = fd;
	rcu_read_lock();
	f = fd >= 0 ? files_lookup_fd_raw(current->files, fd) : NULL;
	if (!f) {
		e->target_kind = NST_TGT_BADFD;
		goto out;
	}
	inode = file_inode(f);
	magic = inode->i_sb->s_magic;
	if (magic == NSFS_MAGIC) {
		struct ns_common *ns = inode->i_private;
		u32 slots = nst_flags_to_slots(ns_common_type(ns));

		e->target_kind = NST_TGT_NSFS;
		e->target_type = ns_common_type(ns);
		/* a pid ns fd changes only pid_for_children; a time ns fd both slots */
		slots &= ~(1U << NST_NS_PID);
		for (int i = 0; i < NST_NS_COUNT; i++)
			if (slots & (1U << i))
				e->target[i] = inode->i_ino;
	} else if (file_is_pidfd(f, magic)) {
		pidfd_target(f, magic, nstype, e);
	} else {
		e->target_kind = NST_TGT_OTHER;
	}
out:
	rcu_read_unlock();
}

void nst_fill_task(struct nst_event *e, struct task_struct *t)
{
	e->pid = t->tgid;
	e->tid = t->pid;
	rcu_read_lock();
	e->ppid = rcu_dereference(t->real_parent)->tgid;
	e->cgroup_id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
	e->source = NST_SRC_KMOD;
	memcpy(e->comm, current->comm, sizeof(e->comm));
}
