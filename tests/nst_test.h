/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by the kselftest-harness tests; include after kselftest_harness.h. */
#ifndef NSTRACE_NST_TEST_H
#define NSTRACE_NST_TEST_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "nsrt.h"
#include "tracer.h"

/*
 * A privileged test skips when not root, except under CI=true, where a
 * skip would hide a broken environment: there it fails.
 */
#define NST_REQUIRE_ROOT(_metadata)                                               \
	do {                                                                      \
		if (geteuid() != 0) {                                             \
			const char *ci = getenv("CI");                            \
			if (ci && !strcmp(ci, "true"))                            \
				ASSERT_EQ(0, geteuid())                           \
			TH_LOG("CI=true: this privileged test must run as root"); \
			SKIP(return, "needs root (fails instead under CI=true)"); \
		}                                                                 \
	} while (0)

/* Inside the test VM (tests/vm/init sets it): nothing may skip there. */
static inline bool nst_in_vm(void)
{
	return getenv("NSTRACE_VM") != NULL;
}

/* Block for one byte from fd; true when it came. */
static inline bool nst_sync_wait(int fd)
{
	char c;

	return read(fd, &c, 1) == 1;
}

static inline bool nst_sync_wake(int fd)
{
	return write(fd, "x", 1) == 1;
}

#define NST_MAX_EVENTS 4096

struct nst_evlog {
	struct nst_event ev[NST_MAX_EVENTS];
	int n;
};

static inline int nst_log_event(void *ctx, const struct nst_event *e)
{
	struct nst_evlog *l = ctx;

	if (l->n < NST_MAX_EVENTS)
		l->ev[l->n++] = *e;
	return 0;
}

/* The first logged event of kind by pid, or NULL. */
static inline const struct nst_event *nst_find_event(const struct nst_evlog *l, int kind, pid_t pid)
{
	for (int i = 0; i < l->n; i++)
		if (l->ev[i].kind == kind && l->ev[i].pid == (__u32)pid)
			return &l->ev[i];
	return NULL;
}

/* Poll until an event of kind by pid arrives (about 7 s at most). */
static inline const struct nst_event *nst_wait_event(struct nst_tracer *t, struct nst_evlog *l,
						     int kind, pid_t pid)
{
	const struct nst_event *e;

	for (int tries = 0; tries < 150; tries++) {
		if ((e = nst_find_event(l, kind, pid)))
			return e;
		nst_tracer_poll(t, 50);
	}
	return NULL;
}

static inline struct nst_tracer *nst_open_tracer(const pid_t *pids, int npids, enum nst_tier tier,
						 struct nst_evlog *l)
{
	struct nst_tracer_opts o = { .pids = pids, .npids = npids, .tier = tier };
	char err[512];
	struct nst_tracer *t = nst_tracer_open(&o, nst_log_event, l, err, sizeof(err));

	if (!t)
		fprintf(stderr, "# %s\n", err);
	return t;
}

/* A process an op started that must not outlive its worker. */
static pid_t nst_worker_helper;

/* A child that waits for a byte, runs op, reports, and waits to be released. */
struct nst_worker {
	pid_t pid;
	int sock;
};

static inline int nst_start_worker(struct nst_worker *w, void (*op)(int sock, void *arg), void *arg)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	w->pid = nsrt_clone3(0, NULL);
	if (w->pid < 0)
		return -1;
	if (w->pid == 0) {
		close(sv[0]);
		if (!nst_sync_wait(sv[1]))
			_exit(1);
		op(sv[1], arg);
		nst_sync_wake(sv[1]);
		nst_sync_wait(sv[1]);
		/* PR_SET_PDEATHSIG alone races with our exit */
		if (nst_worker_helper > 0)
			kill(nst_worker_helper, SIGKILL);
		_exit(0);
	}
	close(sv[1]);
	w->sock = sv[0];
	return 0;
}

/* Let the worker run its op and wait until it has. */
static inline bool nst_run_worker(struct nst_worker *w)
{
	return nst_sync_wake(w->sock) && nst_sync_wait(w->sock);
}

static inline void nst_stop_worker(struct nst_worker *w)
{
	int status;

	nst_sync_wake(w->sock);
	close(w->sock);
	waitpid(w->pid, &status, 0);
}

#endif /* NSTRACE_NST_TEST_H */
