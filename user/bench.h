/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* nstrace bench: results and their renderers. */
#ifndef NSTRACE_BENCH_H
#define NSTRACE_BENCH_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define BENCH_MAX_JOBS 16
#define BENCH_MAX_TYPES 9 /* "none" and the eight types */

struct pctl {
	double p50, p90, p99, max; /* microseconds */
};

struct bench_result {
	const char *name; /* "none", "mnt", ... */
	__u64 flag; /* CLONE_NEW*, 0 for none */
	bool skipped;
	char reason[128];
	int n; /* measured iterations */
	struct pctl wall, cpu, kern;
	int nkern; /* iterations matched with a kernel event */
	double rate[BENCH_MAX_JOBS]; /* creations per second per -j value */
	double teardown_rate; /* create+destroy per second, until freed */
	long backlog_peak; /* net: released but not yet freed */
	double drain_ms; /* net: time for the backlog to drain */
	double kib_per_ns;
};

struct bench_env {
	char kernel[128];
	char cpu_model[128];
	int ncpus;
	char hz[16];
	char preempt[32];
	int rcu_expedited; /* -1: unknown */
	int mounts;
	int net_namespaces;
	char tier[16]; /* the tracer's tier for the kernel-side timing, or "none" */
};

struct bench_run {
	struct bench_env env;
	const char *mode;
	int n;
	int jobs[BENCH_MAX_JOBS];
	int njobs;
	int hold;
	struct bench_result res[BENCH_MAX_TYPES];
	int nres;
};

void bench_env_read(struct bench_env *env);
int bench_print_table(const struct bench_run *r, FILE *out);
void bench_print_json(const struct bench_run *r, FILE *out);
void bench_print_csv(const struct bench_run *r, FILE *out);
int bench_write_svg(const struct bench_run *r, const char *path);

#endif /* NSTRACE_BENCH_H */
