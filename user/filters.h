/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel-side filter options that trace, record and serve share:
 * -p/--pid, -c/--comm, -n/--ns, -g/--cgroup, -x/--failed, -b/--buffer,
 * --backend, --tier, -v/--verbose.
 */
#ifndef NSTRACE_FILTERS_H
#define NSTRACE_FILTERS_H

#include <getopt.h>
#include <stdio.h>
#include "follow.h"
#include "parse.h"
#include "tracer.h"

#define NST_FILTER_SHORTOPTS "p:c:n:g:xb:v"
#define NST_OPT_TIER 300
#define NST_OPT_BACKEND 301
#define NST_OPT_NS_OF 302
#define NST_OPT_CONTAINER 303
#define NST_OPT_POD 304
#define NST_OPT_WAIT 305

/* --backend and --tier, for commands that take no other filter option */
#define NST_BACKEND_LONGOPTS                                     \
	{ "backend", required_argument, NULL, NST_OPT_BACKEND }, \
	{                                                        \
		"tier", required_argument, NULL, NST_OPT_TIER    \
	}

#define NST_BACKEND_HELP                                                                    \
	"      --backend NAME     auto, bpf or kmod (default auto: bpf, else the module)\n" \
	"      --tier TIER        auto, fentry, tracepoint (bpf) or kprobe (kmod)\n"

#define NST_FILTER_LONGOPTS                                                                        \
	{ "pid", required_argument, NULL, 'p' }, { "comm", required_argument, NULL, 'c' },         \
		{ "ns", required_argument, NULL, 'n' },                                            \
		{ "cgroup", required_argument, NULL, 'g' }, { "failed", no_argument, NULL, 'x' },  \
		{ "buffer", required_argument, NULL, 'b' }, { "verbose", no_argument, NULL, 'v' }, \
		{ "ns-of", required_argument, NULL, NST_OPT_NS_OF },                               \
		{ "container", required_argument, NULL, NST_OPT_CONTAINER },                       \
		{ "pod", required_argument, NULL, NST_OPT_POD },                                   \
		{ "wait", no_argument, NULL, NST_OPT_WAIT }, NST_BACKEND_LONGOPTS

#define NST_FILTER_HELP                                                                     \
	"  -p, --pid PID[,PID]    trace these processes and every descendant\n"             \
	"  -c, --comm NAME        only tasks with this command name\n"                      \
	"  -n, --ns TYPES         only transitions of these types: mnt,uts,ipc,pid,net,\n"  \
	"                         user,cgroup,time (comma-separated, or all)\n"             \
	"  -g, --cgroup PATH      only tasks in this cgroup v2 directory and below\n"       \
	"      --container NAME   follow containers (NAME|ID[,...]): every task in their\n" \
	"                         cgroup, and whoever joins their namespaces (docker\n"     \
	"                         exec, nsenter) with what it forks\n"                      \
	"      --pod NAME         the same for every container of pods (NAME,\n"            \
	"                         NAMESPACE/NAME or UID[,...])\n"                           \
	"      --ns-of PID        tasks in, or entering, a non-initial namespace of PID\n"  \
	"                         (with -n: of those types only)\n"                         \
	"      --wait             wait for --container or --pod to start, and trace it\n"   \
	"                         from its first namespace call\n"                          \
	"  -x, --failed           only failed calls\n"                                      \
	"  -b, --buffer SIZE      kernel buffer size (default 4M)\n" NST_BACKEND_HELP       \
	"  -v, --verbose          libbpf debug output\n"

struct nst_filters {
	struct nst_tracer_opts t;
	pid_t pids[NST_MAX_PIDS];
	struct nst_follow_opts follow;
};

/*
 * Handle one getopt result if it is a filter option: returns 1 when
 * handled, 0 when c is not a filter option, -1 on bad input (err is set).
 */
int nst_filter_opt(int c, const char *arg, struct nst_filters *f, char *err, size_t errlen);

/*
 * Handle --backend or --tier: returns 1 when c is one of them, 0 when not,
 * -1 on bad input (err is set).
 */
int nst_backend_opt(int c, const char *arg, struct nst_tracer_opts *t, char *err, size_t errlen);

/*
 * nst_tracer_open with the filters, and --ns-of, --container and --pod:
 * resolved before the tracer attaches (a container that does not exist is
 * an error, err set, NULL returned, errno EINVAL or ENOENT), set after it,
 * waited for in between with --wait (errno EINTR when Ctrl-C ended it).
 */
struct nst_tracer *nst_filters_open(struct nst_filters *f, nst_event_fn fn, void *ctx, char *err,
				    size_t errlen);

/* The filters as JSON object members, for recordings. */
void nst_filters_describe(const struct nst_filters *f, char *buf, size_t len);

#endif /* NSTRACE_FILTERS_H */
