// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* nstrace bench: the environment header and the table, JSON, CSV and SVG outputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/utsname.h>
#include <zlib.h>
#include <libsmartcols/libsmartcols.h>
#include "bench.h"
#include "cli.h"
#include "json.h"
#include "procparse.h"

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Distinct net namespaces, as the inodes of every process's /proc/PID/ns/net. */
static int count_net_namespaces(void)
{
	unsigned long seen[4096];
	int n = 0;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -1;
	while ((d = readdir(dir)) && n < 4096) {
		char path[300], link[64];
		__u64 flag;
		__u32 ino;
		ssize_t len;
		int i;

		snprintf(path, sizeof(path), "/proc/%s/ns/net", d->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (nst_proc_ns_link(link, &flag, &ino))
			continue;
		for (i = 0; i < n && seen[i] != ino; i++)
			;
		if (i == n)
			seen[n++] = ino;
	}
	closedir(dir);
	return n;
}

/* HZ and the preemption model come from the kernel's own config when it ships one. */
static void read_config(struct bench_env *env)
{
	gzFile gz = gzopen("/proc/config.gz", "rb");
	char line[256];

	snprintf(env->hz, sizeof(env->hz), "unknown");
	snprintf(env->preempt, sizeof(env->preempt), "unknown");
	if (!gz)
		return;
	while (gzgets(gz, line, sizeof(line))) {
		if (!strncmp(line, "CONFIG_HZ=", 10))
			snprintf(env->hz, sizeof(env->hz), "%.*s", (int)strcspn(line + 10, "\n"),
				 line + 10);
		else if (!strncmp(line, "CONFIG_PREEMPT_NONE=y", 21))
			snprintf(env->preempt, sizeof(env->preempt), "none");
		else if (!strncmp(line, "CONFIG_PREEMPT_VOLUNTARY=y", 26))
			snprintf(env->preempt, sizeof(env->preempt), "voluntary");
		else if (!strncmp(line, "CONFIG_PREEMPT=y", 16))
			snprintf(env->preempt, sizeof(env->preempt), "full");
		else if (!strncmp(line, "CONFIG_PREEMPT_RT=y", 19))
			snprintf(env->preempt, sizeof(env->preempt), "rt");
	}
	gzclose(gz);
	/* a dynamic-preempt kernel says which model is in force at run time */
	FILE *f = fopen("/sys/kernel/debug/sched/preempt", "re");

	if (f) {
		if (fgets(line, sizeof(line), f)) {
			char *b = strchr(line, '('), *e = b ? strchr(b, ')') : NULL;

			if (b && e)
				snprintf(env->preempt, sizeof(env->preempt), "%.*s (dynamic)",
					 (int)(e - b - 1), b + 1);
		}
		fclose(f);
	}
}

void bench_env_read(struct bench_env *env)
{
	struct utsname u;
	char line[256];
	FILE *f;

	memset(env, 0, sizeof(*env));
	if (!uname(&u))
		snprintf(env->kernel, sizeof(env->kernel), "%s", u.release);
	env->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	f = fopen("/proc/cpuinfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(env->cpu_model, sizeof(env->cpu_model), "%.*s",
				 (int)strcspn(strchr(line, ':') + 2, "\n"), strchr(line, ':') + 2);
			break;
		}
	if (f)
		fclose(f);
	read_config(env);
	env->rcu_expedited = -1;
	f = fopen("/sys/kernel/rcu_expedited", "re");
	if (f) {
		if (fscanf(f, "%d", &env->rcu_expedited) != 1)
			env->rcu_expedited = -1;
		fclose(f);
	}
	env->mounts = count_lines("/proc/self/mountinfo");
	env->net_namespaces = count_net_namespaces();
	snprintf(env->tier, sizeof(env->tier), "none");
}

static void print_env(const struct bench_run *r, FILE *out)
{
	const struct bench_env *e = &r->env;

	fprintf(out,
		"kernel %s; %d x %s; HZ %s; preempt %s; rcu_expedited %d; "
		"%d mounts; %d net namespaces; tier %s\n",
		e->kernel, e->ncpus, e->cpu_model, e->hz, e->preempt, e->rcu_expedited, e->mounts,
		e->net_namespaces, e->tier);
	fprintf(out,
		"mode %s, %d iterations per type; latency in microseconds "
		"(wall clock; cpu = the caller's CPU time; kernel = the tracer's syscall "
		"latency)\n",
		r->mode, r->n);
}

static void cell(struct libscols_line *ln, int col, const char *fmt, double v)
{
	char buf[32];

	if (isnan(v))
		snprintf(buf, sizeof(buf), "-");
	else
		snprintf(buf, sizeof(buf), fmt, v);
	scols_line_set_data(ln, col, buf);
}

static void add_result_line(struct libscols_table *tb, const struct bench_run *r,
			    const struct bench_result *x)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	int c = 0;
	char note[160];

	scols_line_set_data(ln, c++, x->name);
	if (x->skipped) {
		/* NOTE is the last column: after the 9 fixed, the rates and KiB/NS */
		scols_line_set_data(ln, 9 + r->njobs + 1, x->reason);
		return;
	}
	cell(ln, c++, "%.1f", x->wall.p50);
	cell(ln, c++, "%.1f", x->wall.p90);
	cell(ln, c++, "%.1f", x->wall.p99);
	cell(ln, c++, "%.1f", x->wall.max);
	cell(ln, c++, "%.1f", x->cpu.p50);
	cell(ln, c++, "%.1f", x->kern.p50);
	cell(ln, c++, "%+.1f", x->kern.p50 - x->wall.p50);
	cell(ln, c++, "%.0f", x->teardown_rate);
	for (int j = 0; j < r->njobs; j++)
		cell(ln, c++, "%.0f", x->rate[j]);
	cell(ln, c++, "%.1f", x->kib_per_ns);
	note[0] = '\0';
	if (x->flag == 0x40000000)
		snprintf(note, sizeof(note), "backlog peak %ld, drained in %.0f ms",
			 x->backlog_peak, x->drain_ms);
	scols_line_set_data(ln, c, note);
}

int bench_print_table(const struct bench_run *r, FILE *out)
{
	struct libscols_table *tb = scols_new_table();
	const char *heads[] = { "TYPE",	   "P50",      "P90",	    "P99",	    "MAX",
				"CPU-P50", "KERN-P50", "KERN-WALL", "CREATE+FREE/s" };
	char h[32];

	if (!tb) {
		nst_errorf("failed to create table");
		return -1;
	}
	print_env(r, out);
	scols_table_set_stream(tb, out);
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		scols_table_new_column(tb, heads[i], 0, i ? SCOLS_FL_RIGHT : 0);
	for (int j = 0; j < r->njobs; j++) {
		snprintf(h, sizeof(h), "RATE-J%d", r->jobs[j]);
		scols_table_new_column(tb, h, 0, SCOLS_FL_RIGHT);
	}
	scols_table_new_column(tb, "KiB/NS", 0, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "NOTE", 0, 0);
	for (int i = 0; i < r->nres; i++)
		add_result_line(tb, r, &r->res[i]);
	scols_print_table(tb);
	scols_unref_table(tb);
	return 0;
}

static void json_pctl(struct jw *w, const char *key, const struct pctl *p)
{
	jw_obj_open(w, key);
	jw_double(w, "p50", p->p50);
	jw_double(w, "p90", p->p90);
	jw_double(w, "p99", p->p99);
	jw_double(w, "max", p->max);
	jw_obj_close(w);
}

static void json_env(struct jw *w, const struct bench_env *e)
{
	jw_obj_open(w, "env");
	jw_str(w, "kernel", e->kernel);
	jw_str(w, "cpu_model", e->cpu_model);
	jw_i64(w, "cpus", e->ncpus);
	jw_str(w, "hz", e->hz);
	jw_str(w, "preempt", e->preempt);
	jw_i64(w, "rcu_expedited", e->rcu_expedited);
	jw_i64(w, "mounts", e->mounts);
	jw_i64(w, "net_namespaces", e->net_namespaces);
	jw_str(w, "tier", e->tier);
	jw_obj_close(w);
}

static void json_result(struct jw *w, const struct bench_run *r, const struct bench_result *x)
{
	jw_obj_open(w, NULL);
	jw_str(w, "type", x->name);
	jw_bool(w, "skipped", x->skipped);
	jw_str(w, "reason", x->skipped ? x->reason : NULL);
	jw_i64(w, "iterations", x->n);
	jw_obj_open(w, "latency_us");
	json_pctl(w, "wall", &x->wall);
	json_pctl(w, "cpu", &x->cpu);
	json_pctl(w, "kernel", &x->kern);
	jw_double(w, "kernel_minus_wall_p50", x->kern.p50 - x->wall.p50);
	jw_i64(w, "kernel_matched", x->nkern);
	jw_obj_close(w);
	jw_arr_open(w, "throughput");
	for (int j = 0; j < r->njobs; j++) {
		jw_obj_open(w, NULL);
		jw_i64(w, "jobs", r->jobs[j]);
		jw_double(w, "per_sec", x->rate[j]);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_open(w, "teardown");
	jw_double(w, "per_sec", x->teardown_rate);
	jw_i64(w, "backlog_peak", x->backlog_peak);
	jw_double(w, "drain_ms", x->drain_ms);
	jw_obj_close(w);
	jw_double(w, "kib_per_namespace", x->kib_per_ns);
	jw_obj_close(w);
}

void bench_print_json(const struct bench_run *r, FILE *out)
{
	struct jw w;

	jw_init(&w, out);
	jw_obj_open(&w, NULL);
	json_env(&w, &r->env);
	jw_str(&w, "mode", r->mode);
	jw_i64(&w, "iterations", r->n);
	jw_i64(&w, "hold", r->hold);
	jw_arr_open(&w, "results");
	for (int i = 0; i < r->nres; i++)
		json_result(&w, r, &r->res[i]);
	jw_arr_close(&w);
	jw_obj_close(&w);
	fputc('\n', out);
}

void bench_print_csv(const struct bench_run *r, FILE *out)
{
	fprintf(out, "type,skipped,wall_p50_us,wall_p90_us,wall_p99_us,wall_max_us,cpu_p50_us,"
		     "kernel_p50_us,create_free_per_sec,kib_per_ns");
	for (int j = 0; j < r->njobs; j++)
		fprintf(out, ",rate_j%d", r->jobs[j]);
	fputc('\n', out);
	for (int i = 0; i < r->nres; i++) {
		const struct bench_result *x = &r->res[i];

		fprintf(out, "%s,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.1f,%.2f", x->name, x->skipped,
			x->wall.p50, x->wall.p90, x->wall.p99, x->wall.max, x->cpu.p50, x->kern.p50,
			x->teardown_rate, x->kib_per_ns);
		for (int j = 0; j < r->njobs; j++)
			fprintf(out, ",%.1f", x->rate[j]);
		fputc('\n', out);
	}
}
