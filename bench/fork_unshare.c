// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The fork + unshare(CLONE_NEWUTS) loop: fork, the child unshares its uts
 * namespace and exits, the parent reaps it. Prints iterations per second.
 * With "inplace", one process unshares COUNT times: each call creates a
 * namespace and frees the one before, for churn without process cost.
 *
 * usage: fork_unshare COUNT [inplace]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	long n = argc > 1 ? atol(argv[1]) : 0;
	double secs;

	if (n <= 0) {
		fprintf(stderr, "usage: fork_unshare COUNT [inplace]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; argc > 2 && !strcmp(argv[2], "inplace") && i < n; i++)
		if (unshare(CLONE_NEWUTS)) {
			perror("unshare");
			return 1;
		}
	for (long i = 0; !(argc > 2 && !strcmp(argv[2], "inplace")) && i < n; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(unshare(CLONE_NEWUTS) ? 1 : 0);
		if (p < 0 || waitpid(p, NULL, 0) != p) {
			perror("fork");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = b.tv_sec - a.tv_sec + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("iterations %ld seconds %.6f per_sec %.1f\n", n, secs, n / secs);
	return 0;
}
