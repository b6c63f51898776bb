// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The inventory from BPF iterators (bpf/nsiter.bpf.c): one pass over every
 * task (iter/task) and one over every open namespace fd (iter/task_file),
 * on two threads. inventory_proc.c reads the same facts from /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "grow.h"
#include "inventory_int.h"
#include "nsiter.lskel.h"

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
	inv_add_task(inv, r, true);
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

	if (nst_grow((void **)&p->recs, &p->cap, p->n + 1, sizeof(*p->recs), 64)) {
		p->ret = -ENOMEM;
		return;
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
		inv_add_fd(inv, fp.recs[i].pid, fp.recs[i].fd);
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
int inv_collect_iter(struct inventory *inv, char *err, size_t errlen)
{
	struct nsiter_lskel *skel = nsiter_lskel__open();
	int self_fd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	int ret = !skel || self_fd < 0 ? -errno : load_bpf(skel, self_fd);

	if (ret && libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SYSCALL, NULL) != 1) {
		/* before 5.14: the light skeleton's loader is such a program */
		snprintf(err, errlen,
			 "failed to load the BPF iterators: this kernel has no BPF syscall "
			 "programs (5.14) to load them");
		goto out;
	}
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
