// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A setns storm: THREADS threads each call setns(fd, CLONE_NEWUTS) on their
 * own uts namespace COUNT times, as fast as they can. Prints the calls made
 * and the mean cost per call, so a tracer's overhead can be set against the
 * untraced cost and its event count against what was generated.
 *
 * usage: setns_storm COUNT [THREADS]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long count;

static void *storm(void *arg)
{
	/* a per-thread fd: setns on a shared fd would contend on nothing, but keep them apart */
	int fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror("open /proc/self/ns/uts");
		exit(1);
	}
	for (long i = 0; i < count; i++)
		if (setns(fd, CLONE_NEWUTS)) {
			perror("setns");
			exit(1);
		}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	pthread_t th[64];
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	double secs;

	if (argc < 2 || (count = atol(argv[1])) <= 0 || threads < 1 || threads > 64) {
		fprintf(stderr, "usage: setns_storm COUNT [THREADS (1-64)]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, storm, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = b.tv_sec - a.tv_sec + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("calls %ld seconds %.6f ns_per_call %.1f\n", count * threads, secs,
	       secs * 1e9 / (count * threads));
	return 0;
}
