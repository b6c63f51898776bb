/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the in-process storm benches share (tp_floor.c, cost_parts.c): one
 * round of setns calls, medians, and attaching a program pair.
 */
#ifndef NSTRACE_BENCH_STORM_ROUNDS_H
#define NSTRACE_BENCH_STORM_ROUNDS_H

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

/* calls times setns(fd, CLONE_NEWUTS); the mean ns per call */
static inline double storm_ns(int fd, long calls)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < calls; i++)
		if (setns(fd, CLONE_NEWUTS)) {
			perror("setns");
			exit(1);
		}
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / calls;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* the median of n values, v left as it was */
static inline double median(const double *v, int n)
{
	double s[n];

	memcpy(s, v, sizeof(s));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Both programs attached, or neither (NULL). */
static inline struct bpf_link *attach(struct bpf_program *enter, struct bpf_program *exit_,
				      struct bpf_link **second)
{
	struct bpf_link *l = bpf_program__attach(enter);

	*second = l ? bpf_program__attach(exit_) : NULL;
	if (l && !*second) {
		bpf_link__destroy(l);
		l = NULL;
	}
	return l;
}

#endif /* NSTRACE_BENCH_STORM_ROUNDS_H */
