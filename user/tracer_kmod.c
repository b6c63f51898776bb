// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel-module backend: the nstrace module's /dev/nstrace (kmod/,
 * docs/kmod.md). The same filters and records as the BPF backend, read()
 * in batches instead of from a ring buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include "nstrace_kmod.h"
#include "tracer_int.h"

#define READ_EVENTS 256 /* records per read() */
#define MAX_READS 64 /* per poll: other work must not starve under a storm */

struct nst_kmod {
	int fd;
	struct nst_event buf[READ_EVENTS];
	size_t head, n; /* records read but not yet delivered */
};

extern char **environ;

/* modprobe, quietly: the module may simply not be installed. */
static void try_modprobe(void)
{
	char *argv[] = { "modprobe", "-q", NST_KMOD_NAME, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	if (posix_spawn_file_actions_init(&fa))
		return;
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (!posix_spawnp(&pid, "modprobe", &fa, NULL, argv, environ))
		waitpid(pid, &st, 0);
	posix_spawn_file_actions_destroy(&fa);
}

bool nst_kmod_loaded(void)
{
	return !access(NST_KMOD_DEVICE, F_OK);
}

bool nst_kmod_available(void)
{
	if (nst_kmod_loaded())
		return true;
	/* no /proc/modules: a kernel without module support */
	if (access("/proc/modules", F_OK) || geteuid() != 0)
		return false;
	try_modprobe();
	return !access(NST_KMOD_DEVICE, F_OK);
}

static int open_device(char *err, size_t errlen)
{
	char holder[32] = "?";
	int fd, e;
	FILE *f;

	if (access(NST_KMOD_DEVICE, F_OK))
		nst_kmod_available();
	fd = open(NST_KMOD_DEVICE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	e = errno;
	if (e == ENOENT && access("/proc/modules", F_OK)) {
		snprintf(err, errlen,
			 "failed to open %s: this kernel cannot load modules "
			 "(built without CONFIG_MODULES): use --backend bpf",
			 NST_KMOD_DEVICE);
	} else if (e == ENOENT || e == ENXIO || e == ENODEV) {
		snprintf(err, errlen,
			 "failed to open %s: %s (load the module: modprobe nstrace, "
			 "or insmod nstrace.ko from make -C kmod)",
			 NST_KMOD_DEVICE, strerror(e));
	} else if (e == EBUSY) {
		f = fopen("/sys/class/misc/" NST_KMOD_NAME "/reader", "re");
		if (f) {
			if (!fgets(holder, sizeof(holder), f))
				strcpy(holder, "?");
			holder[strcspn(holder, "\n")] = '\0';
			fclose(f);
		}
		snprintf(err, errlen,
			 "failed to open %s: %s: the module serves one reader at a "
			 "time and pid %s has it open",
			 NST_KMOD_DEVICE, strerror(e), holder);
	} else {
		snprintf(err, errlen, "failed to open %s: %s%s", NST_KMOD_DEVICE, strerror(e),
			 e == EACCES || e == EPERM ? " (run as root)" : "");
	}
	return -e;
}

static int check_abi(int fd, struct nst_kmod_info *info, char *err, size_t errlen)
{
	if (ioctl(fd, NST_IOC_INFO, info)) {
		snprintf(err, errlen, "failed to query %s: %s", NST_KMOD_DEVICE, strerror(errno));
		return -errno;
	}
	if (info->abi_version != NST_ABI_VERSION || info->record_size != sizeof(struct nst_event)) {
		snprintf(err, errlen,
			 "module ABI %u (records of %u bytes) does not match nstrace's "
			 "ABI %d (%zu bytes): build and load the module from this source tree",
			 info->abi_version, info->record_size, NST_ABI_VERSION,
			 sizeof(struct nst_event));
		return -EPROTO;
	}
	return 0;
}

/* The options are checked (tracer.c), the buffer size among them. */
static void fill_config(const struct nst_tracer *t, const struct nst_tracer_opts *o,
			struct nst_kmod_config *c)
{
	memset(c, 0, sizeof(*c));
	c->abi_version = NST_ABI_VERSION;
	c->cgroup_fd = t->cgroup_fd;
	c->ns_slots = o->ns_slots;
	c->buffer_events = o->ringbuf_bytes / sizeof(struct nst_event);
	if (o->failed_only)
		c->flags |= NST_KF_FAILED_ONLY;
	if (o->npids)
		c->flags |= NST_KF_PIDS;
	if (o->comm) {
		c->flags |= NST_KF_COMM;
		strncpy(c->comm, o->comm, NST_COMM_LEN - 1);
	}
	if (o->cgroup)
		c->flags |= NST_KF_CGROUP;
}

static int configure(struct nst_tracer *t, int fd, const struct nst_tracer_opts *o, char *err,
		     size_t errlen)
{
	struct nst_kmod_config c;
	struct nst_kmod_info info;
	int ret;

	fill_config(t, o, &c);
	ret = ioctl(fd, NST_IOC_CONFIGURE, &c) ? -errno : 0;
	if (!ret)
		return 0;
	if (o->cgroup && (ret == -EBADF || ret == -ENOTDIR || ret == -EINVAL))
		nst_cgroup_refused(o->cgroup, ret, err, errlen);
	else if (!ioctl(fd, NST_IOC_INFO, &info) && info.missing[0])
		snprintf(err, errlen,
			 "failed to attach the module's probes: %s (this kernel "
			 "lacks %s; see dmesg)",
			 strerror(-ret), info.missing);
	else
		snprintf(err, errlen, "failed to configure %s: %s", NST_KMOD_DEVICE,
			 strerror(-ret));
	return ret;
}

static int add_pids(int fd, const struct nst_tracer_opts *o, char *err, size_t errlen)
{
	for (int i = 0; i < o->npids; i++) {
		__u32 pid = o->pids[i];

		if (!ioctl(fd, NST_IOC_ADD_PID, &pid))
			continue;
		if (errno == ESRCH)
			snprintf(err, errlen, "failed to trace pid %d: no such process",
				 o->pids[i]);
		else
			snprintf(err, errlen, "failed to trace pid %d: %s", o->pids[i],
				 strerror(errno));
		return -errno;
	}
	return 0;
}

/* Deliver what was read, then read more, until empty or fn says stop. */
static int drain(struct nst_tracer *t)
{
	struct nst_kmod *k = t->impl;
	int delivered = 0;

	for (int reads = 0;; reads++) {
		ssize_t r;

		while (k->head < k->n) {
			delivered++;
			if (nst_tracer_deliver(t, &k->buf[k->head++]))
				return delivered;
		}
		if (reads == MAX_READS)
			return delivered;
		r = read(k->fd, k->buf, sizeof(k->buf));
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? delivered : -errno;
		k->head = 0;
		k->n = r / sizeof(struct nst_event);
		if (!k->n)
			return delivered;
	}
}

static int kmod_poll(struct nst_tracer *t, int timeout_ms)
{
	struct pollfd p = { .fd = ((struct nst_kmod *)t->impl)->fd, .events = POLLIN };
	int n = drain(t);

	if (n || timeout_ms == 0)
		return n;
	/* the module wakes a sleeping reader at once: no need for a flush timer */
	if (poll(&p, 1, timeout_ms) < 0)
		return errno == EINTR ? 0 : -errno;
	return drain(t);
}

static int kmod_stats(struct nst_tracer *t, struct nst_kmod_stats *s)
{
	memset(s, 0, sizeof(*s));
	return ioctl(((struct nst_kmod *)t->impl)->fd, NST_IOC_STATS, s) ? -errno : 0;
}

static int kmod_add_pid(struct nst_tracer *t, pid_t pid)
{
	__u32 p = pid;

	return ioctl(((struct nst_kmod *)t->impl)->fd, NST_IOC_ADD_PID, &p) ? -errno : 0;
}

/* The module drops a tgid at its exit and adds only live ones: no stale entries. */
static int kmod_live_pids(struct nst_tracer *t)
{
	struct nst_kmod_stats s;
	int ret = kmod_stats(t, &s);

	return ret ? ret : (int)s.traced_pids;
}

static __u64 kmod_lost(struct nst_tracer *t)
{
	struct nst_kmod_stats s;

	return kmod_stats(t, &s) ? 0 : s.dropped + s.missed;
}

static void kmod_close(struct nst_tracer *t)
{
	struct nst_kmod *k = t->impl;

	if (!k)
		return;
	if (k->fd >= 0)
		close(k->fd); /* the module detaches every probe */
	free(k);
	t->impl = NULL;
}

static const struct nst_tracer_ops kmod_ops = {
	.poll = kmod_poll,
	.add_pid = kmod_add_pid,
	.live_pids = kmod_live_pids,
	.lost = kmod_lost,
	.close = kmod_close,
};

int nst_kmod_open(struct nst_tracer *t, const struct nst_tracer_opts *o, char *err, size_t errlen)
{
	struct nst_kmod_info info;
	struct nst_kmod *k = calloc(1, sizeof(*k));
	int ret;

	if (!k) {
		snprintf(err, errlen, "failed to allocate tracer: %s", strerror(errno));
		return -ENOMEM;
	}
	t->impl = k;
	t->ops = &kmod_ops;
	t->backend = NST_BACKEND_KMOD;
	t->tier = NST_TIER_KPROBE;
	k->fd = open_device(err, errlen);
	ret = k->fd < 0 ? k->fd : check_abi(k->fd, &info, err, errlen);
	if (!ret)
		ret = configure(t, k->fd, o, err, errlen);
	if (!ret)
		ret = add_pids(k->fd, o, err, errlen);
	if (!ret && ioctl(k->fd, NST_IOC_START)) {
		ret = -errno;
		snprintf(err, errlen, "failed to start %s: %s", NST_KMOD_DEVICE, strerror(errno));
	}
	if (ret) {
		kmod_close(t);
		return ret;
	}
	if (!ioctl(k->fd, NST_IOC_INFO, &info))
		snprintf(t->missing, sizeof(t->missing), "%s", info.missing);
	return 0;
}
