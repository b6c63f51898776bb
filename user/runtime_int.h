/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the runtime cache (runtime.c) and the Docker client (runtime_docker.c) share. */
#ifndef NSTRACE_RUNTIME_INT_H
#define NSTRACE_RUNTIME_INT_H

#include <pthread.h>
#include <sys/un.h>
#include "runtime.h"

enum nst_source_state {
	NST_SRC_PENDING, /* not listed yet */
	NST_SRC_READY, /* listed once; followed unless no_follow */
	NST_SRC_ABSENT, /* not reached, or not a Docker Engine API */
};

/* A connection of one source's, so that close can cut it short. */
struct nst_conn {
	struct nst_source *src;
	int fd; /* -1 when closed; under the cache lock */
};

/* One socket and the thread that asks it. */
struct nst_source {
	struct nst_runtimes *rt;
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	pthread_t thread;
	bool started;
	enum nst_source_state state; /* under the cache lock */
	struct nst_conn request, stream;
};

struct nst_runtimes {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a source settled, or stopping was set */
	bool stopping;
	FILE *notes;
	bool no_follow;
	int connect_timeout_ms, request_timeout_ms;
	struct nst_source *src;
	size_t nsrc;
	struct nst_container *ctr; /* the cache, unordered */
	size_t nctr, cap;
};

/* The cache, for the source threads (runtime.c). */
int nst_rt_put(struct nst_runtimes *rt, const struct nst_container *c);
void nst_rt_forget(struct nst_runtimes *rt, const char *id);
void nst_rt_settle(struct nst_source *s, enum nst_source_state state);
bool nst_rt_stopping(struct nst_runtimes *rt);
/* Sleep up to ms, or less when stopping; true when stopping. */
bool nst_rt_nap(struct nst_runtimes *rt, int ms);
/* One line to the notes file, if any: "note: ...". */
void nst_rt_note(struct nst_runtimes *rt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The Docker Engine API client, one thread per source (runtime_docker.c). */
void *nst_docker_thread(void *source);
/* Cut the source's connections short (close calls it under the lock). */
void nst_docker_abort(struct nst_source *s);

#endif /* NSTRACE_RUNTIME_INT_H */
