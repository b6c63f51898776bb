// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The container cache and its lookups. Source threads (runtime_docker.c)
 * write it; lookups copy an entry out under the lock and never wait for
 * anything else, so the event path can call them.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "clock.h"
#include "runtime_int.h"

#define DEFAULT_CONNECT_MS 200
#define DEFAULT_REQUEST_MS 1500

static const char *const default_sockets[] = { "/var/run/docker.sock", "/run/podman/podman.sock" };

const char *nst_docker_host_socket(const char *docker_host)
{
	if (!docker_host || strncmp(docker_host, "unix://", 7) || !docker_host[7])
		return NULL;
	return docker_host + 7;
}

static bool is_socket(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISSOCK(st.st_mode);
}

/* Add path as a source unless it is one already (by its real path). */
static void add_source(struct nst_runtimes *rt, const char *path)
{
	char real[PATH_MAX], other[PATH_MAX];
	struct nst_source *s;

	if (strlen(path) >= sizeof(rt->src->socket)) {
		nst_rt_note(rt, "note: socket path too long, not asked: %s", path);
		return;
	}
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	for (size_t i = 0; i < rt->nsrc; i++)
		if (realpath(rt->src[i].socket, other) && !strcmp(real, other))
			return;
	s = &rt->src[rt->nsrc++];
	snprintf(s->socket, sizeof(s->socket), "%s", path);
	s->rt = rt;
	s->request = (struct nst_conn){ s, -1 };
	s->stream = (struct nst_conn){ s, -1 };
}

/* The sockets that exist of DOCKER_HOST's, or Docker's, and podman's. */
static void add_default_sources(struct nst_runtimes *rt)
{
	const char *env = getenv("DOCKER_HOST"), *docker = nst_docker_host_socket(env);

	if (env && *env && !docker)
		nst_rt_note(rt, "note: DOCKER_HOST=%s is not unix://PATH: not asked", env);
	if (docker)
		add_source(rt, docker);
	for (size_t i = docker ? 1 : 0; i < sizeof(default_sockets) / sizeof(*default_sockets); i++)
		if (is_socket(default_sockets[i]))
			add_source(rt, default_sockets[i]);
	if (!rt->nsrc)
		nst_rt_note(rt, "note: no container runtime socket (%s, %s): names are ids",
			    default_sockets[0], default_sockets[1]);
}

static void start_sources(struct nst_runtimes *rt)
{
	for (size_t i = 0; i < rt->nsrc; i++) {
		struct nst_source *s = &rt->src[i];
		int err = pthread_create(&s->thread, NULL, nst_docker_thread, s);

		if (err) {
			nst_rt_note(rt, "note: failed to start a thread for %s: %s", s->socket,
				    strerror(err));
			s->state = NST_SRC_ABSENT;
		} else {
			s->started = true;
		}
	}
}

struct nst_runtimes *nst_runtimes_open(const struct nst_runtime_opts *opts)
{
	struct nst_runtimes *rt = calloc(1, sizeof(*rt));
	size_t n = sizeof(default_sockets) / sizeof(*default_sockets) + 1;

	if (opts->sockets)
		for (n = 0; opts->sockets[n];)
			n++;
	if (!rt || !(rt->src = calloc(n ? n : 1, sizeof(*rt->src)))) {
		free(rt);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&rt->lock, NULL);
	pthread_cond_init(&rt->changed, NULL);
	rt->notes = opts->notes;
	rt->no_follow = opts->no_follow;
	rt->connect_timeout_ms = opts->connect_timeout_ms ?: DEFAULT_CONNECT_MS;
	rt->request_timeout_ms = opts->request_timeout_ms ?: DEFAULT_REQUEST_MS;
	if (opts->sockets)
		for (size_t i = 0; i < n; i++)
			add_source(rt, opts->sockets[i]);
	else
		add_default_sources(rt);
	start_sources(rt);
	return rt;
}

void nst_runtimes_close(struct nst_runtimes *rt)
{
	if (!rt)
		return;
	pthread_mutex_lock(&rt->lock);
	__atomic_store_n(&rt->stopping, true, __ATOMIC_RELEASE);
	for (size_t i = 0; i < rt->nsrc; i++)
		nst_docker_abort(&rt->src[i]);
	pthread_cond_broadcast(&rt->changed);
	pthread_mutex_unlock(&rt->lock);
	for (size_t i = 0; i < rt->nsrc; i++)
		if (rt->src[i].started)
			pthread_join(rt->src[i].thread, NULL);
	pthread_cond_destroy(&rt->changed);
	pthread_mutex_destroy(&rt->lock);
	free(rt->ctr);
	free(rt->src);
	free(rt);
}

/* under the lock: how many sources are still pending, and how many ready */
static size_t count_state(const struct nst_runtimes *rt, enum nst_source_state state)
{
	size_t n = 0;

	for (size_t i = 0; i < rt->nsrc; i++)
		n += rt->src[i].state == state;
	return n;
}

int nst_runtimes_wait(struct nst_runtimes *rt, int timeout_ms)
{
	struct timespec until = nst_realtime_in_ms(timeout_ms);
	int ready;

	pthread_mutex_lock(&rt->lock);
	while (count_state(rt, NST_SRC_PENDING) && !rt->stopping)
		if (pthread_cond_timedwait(&rt->changed, &rt->lock, &until) == ETIMEDOUT)
			break;
	ready = (int)count_state(rt, NST_SRC_READY);
	pthread_mutex_unlock(&rt->lock);
	return ready;
}

size_t nst_runtimes_count(const struct nst_runtimes *rt)
{
	return rt->nsrc;
}

const char *nst_runtimes_socket(const struct nst_runtimes *rt, size_t i)
{
	return i < rt->nsrc ? rt->src[i].socket : NULL;
}

/* under the lock */
static struct nst_container *find_id(struct nst_runtimes *rt, const char *id)
{
	for (size_t i = 0; i < rt->nctr; i++)
		if (!strcmp(rt->ctr[i].id, id))
			return &rt->ctr[i];
	return NULL;
}

int nst_rt_put(struct nst_runtimes *rt, const struct nst_container *c)
{
	struct nst_container *slot;
	int ret = 0;

	pthread_mutex_lock(&rt->lock);
	slot = find_id(rt, c->id);
	if (!slot && rt->nctr == rt->cap) {
		size_t cap = rt->cap ? rt->cap * 2 : 32;
		struct nst_container *grown = realloc(rt->ctr, cap * sizeof(*grown));

		if (grown) {
			rt->ctr = grown;
			rt->cap = cap;
		}
	}
	if (!slot && rt->nctr < rt->cap)
		slot = &rt->ctr[rt->nctr++];
	if (slot)
		*slot = *c;
	else
		ret = -ENOMEM;
	pthread_mutex_unlock(&rt->lock);
	return ret;
}

void nst_rt_forget(struct nst_runtimes *rt, const char *id)
{
	struct nst_container *c;

	pthread_mutex_lock(&rt->lock);
	c = find_id(rt, id);
	if (c)
		*c = rt->ctr[--rt->nctr];
	pthread_mutex_unlock(&rt->lock);
}

void nst_rt_settle(struct nst_source *s, enum nst_source_state state)
{
	pthread_mutex_lock(&s->rt->lock);
	s->state = state;
	pthread_cond_broadcast(&s->rt->changed);
	pthread_mutex_unlock(&s->rt->lock);
}

bool nst_rt_stopping(struct nst_runtimes *rt)
{
	/* set under the lock; read without it by the write callbacks */
	return __atomic_load_n(&rt->stopping, __ATOMIC_ACQUIRE);
}

bool nst_rt_nap(struct nst_runtimes *rt, int ms)
{
	struct timespec until = nst_realtime_in_ms(ms);
	bool stopping;

	pthread_mutex_lock(&rt->lock);
	while (!rt->stopping)
		if (pthread_cond_timedwait(&rt->changed, &rt->lock, &until) == ETIMEDOUT)
			break;
	stopping = rt->stopping;
	pthread_mutex_unlock(&rt->lock);
	return stopping;
}

void nst_rt_note(struct nst_runtimes *rt, const char *fmt, ...)
{
	va_list ap;

	if (!rt->notes)
		return;
	va_start(ap, fmt);
	vfprintf(rt->notes, fmt, ap);
	va_end(ap);
	fputc('\n', rt->notes);
}

enum nst_lookup nst_runtimes_by_id(struct nst_runtimes *rt, const char *id,
				   struct nst_container *out)
{
	enum nst_lookup found = NST_LOOKUP_UNKNOWN;
	size_t n = strlen(id);

	if (!n)
		return NST_LOOKUP_UNKNOWN;
	pthread_mutex_lock(&rt->lock);
	for (size_t i = 0; i < rt->nctr; i++) {
		if (strncmp(rt->ctr[i].id, id, n))
			continue;
		if (found == NST_LOOKUP_FOUND) {
			found = NST_LOOKUP_AMBIGUOUS;
			break;
		}
		*out = rt->ctr[i];
		found = NST_LOOKUP_FOUND;
	}
	pthread_mutex_unlock(&rt->lock);
	return found;
}

enum nst_lookup nst_runtimes_by_name(struct nst_runtimes *rt, const char *name,
				     struct nst_container *out)
{
	enum nst_lookup found = NST_LOOKUP_UNKNOWN;

	if (name[0] == '/')
		name++;
	pthread_mutex_lock(&rt->lock);
	for (size_t i = 0; i < rt->nctr; i++)
		if (!strcmp(rt->ctr[i].name, name)) {
			*out = rt->ctr[i];
			found = NST_LOOKUP_FOUND;
			break;
		}
	pthread_mutex_unlock(&rt->lock);
	return found;
}

enum nst_lookup nst_runtimes_find(struct nst_runtimes *rt, const char *key,
				  struct nst_container *out)
{
	enum nst_lookup found = nst_runtimes_by_name(rt, key, out);

	return found == NST_LOOKUP_FOUND ? found : nst_runtimes_by_id(rt, key, out);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct nst_container *)a)->name,
		      ((const struct nst_container *)b)->name);
}

size_t nst_runtimes_list(struct nst_runtimes *rt, struct nst_container *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&rt->lock);
	for (size_t i = 0; i < rt->nctr; i++) {
		if (!rt->ctr[i].running)
			continue;
		if (n < max)
			out[n] = rt->ctr[i];
		n++;
	}
	pthread_mutex_unlock(&rt->lock);
	if (n && max)
		qsort(out, n < max ? n : max, sizeof(*out), by_name);
	return n;
}
