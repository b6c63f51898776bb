// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nstrace: one reader at a time configures a session with ioctls and
 * read()s struct nst_event records from a bounded FIFO. The probes are
 * attached only while a session is configured; closing the device (also
 * by a reader that is killed) detaches them and frees the buffer.
 */
#include <linux/cgroup.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/kfifo.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "nst_kmod.h"

#define NST_MIN_EVENTS 2
#define NST_MAX_EVENTS (1U << 20)

static unsigned int buffer_events = 16384;
module_param(buffer_events, uint, 0644);
MODULE_PARM_DESC(buffer_events,
		 "default buffer capacity in records (rounded down to a power of two)");

static struct nst_dev {
	struct mutex lock;		/* ioctls, reads and release */
	atomic_t busy;			/* one open file at a time */
	pid_t reader;			/* tgid of the process that opened it */
	bool configured;		/* probes attached, buffer allocated */
	bool started;			/* probes queue records */
	DECLARE_KFIFO_PTR(fifo, struct nst_event);
	spinlock_t fifo_lock;		/* producers: probes on any CPU */
	wait_queue_head_t wq;
	struct irq_work wake;		/* probes may run under scheduler locks */
	atomic64_t queued, dropped, read;
} nst_dev;

bool nst_started(void)
{
	return READ_ONCE(nst_dev.started);
}

void nst_emit(const struct nst_event *e)
{
	unsigned long irqflags;
	unsigned int n;

	spin_lock_irqsave(&nst_dev.fifo_lock, irqflags);
	n = kfifo_in(&nst_dev.fifo, e, 1);
	spin_unlock_irqrestore(&nst_dev.fifo_lock, irqflags);
	if (!n) {
		atomic64_inc(&nst_dev.dropped);
		return;
	}
	atomic64_inc(&nst_dev.queued);
	/* a reader that is awake will find it anyway: no interrupt then */
	if (wq_has_sleeper(&nst_dev.wq))
		irq_work_queue(&nst_dev.wake);
}

static void nst_wake(struct irq_work *work)
{
	wake_up_interruptible(&nst_dev.wq);
}

static int nst_open(struct inode *inode, struct file *file)
{
	if (atomic_cmpxchg(&nst_dev.busy, 0, 1)) {
		pr_info_ratelimited("nstrace: %s (%d) refused: the device serves one reader and "
				    "pid %d has it open\n", current->comm, task_tgid_vnr(current),
				    READ_ONCE(nst_dev.reader));
		return -EBUSY;
	}
	WRITE_ONCE(nst_dev.reader, task_tgid_nr(current));
	return stream_open(inode, file);
}

static void session_end(void)
{
	WRITE_ONCE(nst_dev.started, false);
	if (!nst_dev.configured)
		return;
	nst_probes_detach();
	irq_work_sync(&nst_dev.wake);
	nst_pid_clear();
	if (nst_filter.cgrp)
		cgroup_put(nst_filter.cgrp);
	nst_filter.cgrp = NULL;
	vfree(nst_dev.fifo.kfifo.data);
	kfifo_init(&nst_dev.fifo, NULL, 0);
	nst_dev.configured = false;
}

static int nst_release(struct inode *inode, struct file *file)
{
	mutex_lock(&nst_dev.lock);
	session_end();
	WRITE_ONCE(nst_dev.reader, 0);
	mutex_unlock(&nst_dev.lock);
	atomic_set(&nst_dev.busy, 0);
	return 0;
}

static int check_config(const struct nst_kmod_config *c)
{
	if (c->abi_version != NST_ABI_VERSION)
		return -EPROTO;
	if (c->reserved || (c->flags & ~NST_KF_ALL) || (c->ns_slots >> NST_NS_COUNT))
		return -EINVAL;
	if ((c->flags & NST_KF_COMM) && strnlen(c->comm, NST_COMM_LEN) == NST_COMM_LEN)
		return -EINVAL;
	return 0;
}

static int alloc_fifo(u32 events)
{
	size_t bytes;
	void *buf;

	if (!events)
		events = READ_ONCE(buffer_events);
	events = rounddown_pow_of_two(clamp(events, NST_MIN_EVENTS, NST_MAX_EVENTS));
	bytes = (size_t)events * sizeof(struct nst_event);
	buf = vmalloc(bytes);
	if (!buf)
		return -ENOMEM;
	return kfifo_init(&nst_dev.fifo, buf, bytes);
}

static int configure(const void __user *arg)
{
	struct nst_kmod_config c;
	int ret;

	if (nst_dev.configured)
		return -EBUSY;
	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	ret = check_config(&c);
	if (ret)
		return ret;
	memset(&nst_filter, 0, sizeof(nst_filter));
	if (c.flags & NST_KF_CGROUP) {
		struct cgroup *cgrp = cgroup_get_from_fd(c.cgroup_fd);

		if (IS_ERR(cgrp))
			return PTR_ERR(cgrp);
		nst_filter.cgrp = cgrp;
	}
	nst_filter.flags = c.flags;
	nst_filter.ns_slots = c.ns_slots;
	memcpy(nst_filter.comm, c.comm, NST_COMM_LEN);
	ret = alloc_fifo(c.buffer_events);
	if (!ret) {
		atomic64_set(&nst_dev.queued, 0);
		atomic64_set(&nst_dev.dropped, 0);
		atomic64_set(&nst_dev.read, 0);
		ret = nst_probes_attach();
		if (ret)
			vfree(nst_dev.fifo.kfifo.data);
	}
	if (ret) {
		if (nst_filter.cgrp)
			cgroup_put(nst_filter.cgrp);
		nst_filter.cgrp = NULL;
		return ret;
	}
	nst_dev.configured = true;
	return 0;
}

static void fill_stats(struct nst_kmod_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->queued = atomic64_read(&nst_dev.queued);
	s->dropped = atomic64_read(&nst_dev.dropped);
	s->read = atomic64_read(&nst_dev.read);
	s->missed = nst_probes_missed();
	s->traced_pids = nst_pid_count();
	s->buffer_events = kfifo_size(&nst_dev.fifo);
}

static long ioctl_locked(unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct nst_kmod_stats stats;
	struct nst_kmod_info info;
	u32 pid;

	switch (cmd) {
	case NST_IOC_CONFIGURE:
		return configure(uarg);
	case NST_IOC_ADD_PID:
		if (!nst_dev.configured || !(nst_filter.flags & NST_KF_PIDS))
			return -EINVAL;
		if (get_user(pid, (u32 __user *)uarg))
			return -EFAULT;
		return nst_pid_add_tree(pid);
	case NST_IOC_START:
		if (!nst_dev.configured)
			return -EINVAL;
		WRITE_ONCE(nst_dev.started, true);
		return 0;
	case NST_IOC_STATS:
		fill_stats(&stats);
		return copy_to_user(uarg, &stats, sizeof(stats)) ? -EFAULT : 0;
	case NST_IOC_INFO:
		memset(&info, 0, sizeof(info));
		info.abi_version = NST_ABI_VERSION;
		info.record_size = sizeof(struct nst_event);
		strscpy(info.missing, nst_probes_missing(), sizeof(info.missing));
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static long nst_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	long ret;

	mutex_lock(&nst_dev.lock);
	ret = ioctl_locked(cmd, arg);
	mutex_unlock(&nst_dev.lock);
	return ret;
}

/* Whole records only: a buffer smaller than one record is an error. */
static ssize_t nst_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	unsigned int copied = 0;
	int ret;

	if (len < sizeof(struct nst_event))
		return -EINVAL;
	for (;;) {
		mutex_lock(&nst_dev.lock);
		if (!nst_dev.started) {
			ret = -EINVAL;	/* NST_IOC_START first */
		} else if (!kfifo_is_empty(&nst_dev.fifo)) {
			ret = kfifo_to_user(&nst_dev.fifo, buf, len, &copied);
			atomic64_add(copied / sizeof(struct nst_event), &nst_dev.read);
		} else {
			ret = -EAGAIN;
		}
		mutex_unlock(&nst_dev.lock);
		if (ret != -EAGAIN)
			return ret ? ret : copied;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(nst_dev.wq, !kfifo_is_empty(&nst_dev.fifo));
		if (ret)
			return ret;
	}
}

static __poll_t nst_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &nst_dev.wq, wait);
	return kfifo_is_empty(&nst_dev.fifo) ? 0 : EPOLLIN | EPOLLRDNORM;
}

static const struct file_operations nst_fops = {
	.owner = THIS_MODULE,
	.open = nst_open,
	.release = nst_release,
	.read = nst_read,
	.poll = nst_poll,
	.unlocked_ioctl = nst_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	/* not seekable: stream_open() says so (no_llseek is gone in 6.12) */
};

/* /sys/class/misc/nstrace/: the counters, readable without opening the device */
#define NST_COUNTER_ATTR(name)                                                            \
	static ssize_t name##_show(struct device *d, struct device_attribute *a, char *buf) \
	{                                                                                 \
		return sysfs_emit(buf, "%lld\n", atomic64_read(&nst_dev.name));             \
	}                                                                                 \
	static DEVICE_ATTR_RO(name)

NST_COUNTER_ATTR(queued);
NST_COUNTER_ATTR(dropped);
NST_COUNTER_ATTR(read);

static ssize_t missed_show(struct device *d, struct device_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%llu\n", nst_probes_missed());
}
static DEVICE_ATTR_RO(missed);

static ssize_t reader_show(struct device *d, struct device_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(nst_dev.reader));
}
static DEVICE_ATTR_RO(reader);

static ssize_t missing_show(struct device *d, struct device_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", nst_probes_missing());
}
static DEVICE_ATTR_RO(missing);

static struct attribute *nst_attrs[] = {
	&dev_attr_queued.attr, &dev_attr_dropped.attr, &dev_attr_read.attr,
	&dev_attr_missed.attr, &dev_attr_reader.attr,  &dev_attr_missing.attr,
	NULL,
};
ATTRIBUTE_GROUPS(nst);

static struct miscdevice nst_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = NST_KMOD_NAME,
	.fops = &nst_fops,
	.groups = nst_groups,
	.mode = 0600,
};

static int __init nst_init(void)
{
	int ret = nst_check_layout();

	if (ret)
		return ret;
	mutex_init(&nst_dev.lock);
	spin_lock_init(&nst_dev.fifo_lock);
	init_waitqueue_head(&nst_dev.wq);
	init_irq_work(&nst_dev.wake, nst_wake);
	return misc_register(&nst_misc);
}

/* The open file holds a module reference: no session can be live here. */
static void __exit nst_exit(void)
{
	misc_deregister(&nst_misc);
}

module_init(nst_init);
module_exit(nst_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nstrace: namespace transitions through /dev/nstrace");
MODULE_VERSION(__stringify(NST_ABI_VERSION));
