// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Feed a running `nstrace record` synthetic events at a set rate, through
 * its own ring buffer, to measure what the recorder sustains: this VM cannot
 * make a million real setns calls a second (an untraced one costs ~1.5 us).
 *
 * The recorder is unmodified: its ring buffer and "lost" maps are found
 * through /proc/PID/fdinfo and reused by a small BPF program
 * (rb_producer.bpf.c) that BPF_PROG_TEST_RUN runs BATCH events at a time,
 * paced to RATE. Events the full buffer refused are counted in the
 * recorder's own lost counter, so its "Recorded N events (M lost)" line is
 * the result; this program prints what it offered.
 *
 * usage: rb_producer RECORDER_PID RATE SECONDS [BATCH]
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "nstrace.h"
#include "nstypes.h"
#include "rb_producer.skel.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The map of the given type and name among pid's open fds, as a new fd of ours. */
static int find_map(pid_t pid, __u32 type, const char *name)
{
	char path[320], line[128];
	struct dirent *d;
	DIR *dir;
	int found = -1;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while (found < 0 && (d = readdir(dir))) {
		__u32 mtype = 0, id = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "map_type: %u", &mtype);
			sscanf(line, "map_id: %u", &id);
		}
		fclose(f);
		if (id && mtype == type) {
			struct bpf_map_info info = {};
			__u32 len = sizeof(info);
			int fd = bpf_map_get_fd_by_id(id);

			if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
			    !strcmp(info.name, name))
				found = fd;
			else if (fd >= 0)
				close(fd);
		}
	}
	closedir(dir);
	return found;
}

static __u32 ns_ino(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* A successful setns(fd 3, CLONE_NEWUTS) into our own uts namespace. */
static void fill_template(struct nst_event *e)
{
	memset(e, 0, sizeof(*e));
	e->pid = e->tid = getpid();
	e->ppid = getppid();
	e->cgroup_id = 1;
	e->kind = NST_K_SETNS;
	e->source = NST_SRC_TRACEPOINT;
	e->flags = NST_CLONE_NEWUTS;
	e->setns_fd = 3;
	e->target_kind = NST_TGT_NSFS;
	e->target_type = NST_CLONE_NEWUTS;
	for (int i = 0; i < NST_NS_COUNT; i++)
		e->before[i] = e->after[i] = ns_ino(nst_slot_name(i));
	e->target[NST_NS_UTS] = e->after[NST_NS_UTS];
	strncpy(e->comm, "rb_producer", sizeof(e->comm) - 1);
}

static int attach_to_recorder(struct rb_producer_bpf *skel, pid_t pid)
{
	int rb = find_map(pid, BPF_MAP_TYPE_RINGBUF, "events");
	int lost = find_map(pid, BPF_MAP_TYPE_PERCPU_ARRAY, "lost");
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (rb < 0 || lost < 0 || bpf_obj_get_info_by_fd(rb, &info, &len)) {
		fprintf(stderr, "rb_producer: no nstrace ring buffer in pid %d\n", pid);
		return -1;
	}
	/* the recorder's policy (user/tracer_bpf.c): wake it when an eighth is waiting */
	skel->rodata->wakeup_bytes = info.max_entries >= (1U << 20) ? info.max_entries / 8 : 0;
	if (bpf_map__reuse_fd(skel->maps.events, rb) || bpf_map__reuse_fd(skel->maps.lost, lost)) {
		fprintf(stderr, "rb_producer: failed to reuse the recorder's maps\n");
		return -1;
	}
	close(rb);
	close(lost);
	return 0;
}

int main(int argc, char **argv)
{
	struct rb_producer_bpf *skel;
	double rate, secs, start, t;
	__u32 batch;
	__u64 runs = 0;
	pid_t pid;
	int prog;

	if (argc < 4 || (pid = atoi(argv[1])) <= 0 || (rate = atof(argv[2])) <= 0 ||
	    (secs = atof(argv[3])) <= 0) {
		fprintf(stderr, "usage: rb_producer RECORDER_PID RATE SECONDS [BATCH]\n");
		return 2;
	}
	batch = argc > 4 ? atoi(argv[4]) : 4096;
	skel = rb_producer_bpf__open();
	if (!skel || attach_to_recorder(skel, pid))
		return 1;
	skel->rodata->batch = batch;
	if (rb_producer_bpf__load(skel)) {
		fprintf(stderr, "rb_producer: failed to load: %s\n", strerror(errno));
		return 1;
	}
	fill_template(&skel->bss->tmpl);
	prog = bpf_program__fd(skel->progs.produce);
	start = now();
	/* batch k is due at k * batch / rate: a late one runs at once, to keep the mean rate */
	while ((t = now()) - start < secs) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);
		double due = start + runs * batch / rate;

		if (t < due) {
			struct timespec ts = { 0, (long)((due - t) * 1e9) };

			nanosleep(&ts, NULL);
			continue;
		}
		if (bpf_prog_test_run_opts(prog, &opts)) {
			fprintf(stderr, "rb_producer: test run failed: %s\n", strerror(errno));
			return 1;
		}
		runs++;
	}
	t = now() - start;
	printf("offered %llu events in %.3f s: %.0f events/s; refused by a full buffer %llu\n",
	       (unsigned long long)(skel->bss->sent + skel->bss->dropped), t,
	       (skel->bss->sent + skel->bss->dropped) / t, (unsigned long long)skel->bss->dropped);
	rb_producer_bpf__destroy(skel);
	return 0;
}
