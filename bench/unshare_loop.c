// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * An independent check of nstrace bench: the plainest possible loop. Fork,
 * time one unshare(flag) in the child, exit; print the median in
 * microseconds. No tracer, no nstrace code.
 *
 * usage: unshare_loop FLAG N
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static unsigned long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned long flag;
	unsigned long long *v, median;
	int n;

	if (argc != 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: unshare_loop FLAG N\n");
		return 2;
	}
	flag = strtoul(argv[1], NULL, 0);
	v = mmap(NULL, sizeof(*v) * n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (v == MAP_FAILED)
		return 1;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0) {
			unsigned long long t0;

			/* fault in what the timed call touches */
			syscall(SYS_getppid);
			now_ns();
			t0 = now_ns();
			if (syscall(SYS_unshare, flag))
				_exit(1);
			v[i] = now_ns() - t0;
			_exit(0);
		}
		waitpid(p, NULL, 0);
	}
	qsort(v, n, sizeof(*v), cmp);
	median = v[n / 2];
	printf("%.1f\n", median / 1000.0);
	return 0;
}
