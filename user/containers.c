// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The container resolver (containers.h): the walking thread, and lookups
 * that copy out of its last table under a lock held for a copy's time.
 * A miss asks for a walk and returns at once; a walk that ran after the
 * ask and still found nothing makes the key a known miss, so an id that
 * will never appear (a cgroup gone before the walk, or outside our cgroup
 * namespace) costs one walk, not one a second.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "clock.h"
#include "containers_int.h"
#include "privs.h"

#define DEFAULT_MIN_WALK_MS 1000
/* how long the walking thread waits for new runtimes to list their containers */
#define RUNTIME_LIST_MS 2000

/* The mount point of the cgroup2 hierarchy in mountinfo; "" when there is none. */
static void find_unified(char *root, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mnt[4096];

	root[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - cgroup2 ");

		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." */
		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 && strlen(mnt) < len) {
			snprintf(root, len, "%s", mnt);
			break;
		}
	}
	if (f)
		fclose(f);
}

static void *walker(void *arg);

static int start(struct nst_containers *c, const struct nst_containers_opts *o)
{
	if (o->cgroup_root)
		snprintf(c->root, sizeof(c->root), "%s", o->cgroup_root);
	else
		find_unified(c->root, sizeof(c->root));
	if (!c->root[0] && c->notes)
		fprintf(c->notes,
			"note: no cgroup v2 hierarchy mounted: no containers by cgroup\n");
	ctr_task_ns(getpid(), c->host_ns);
	if (pthread_create(&c->thread, NULL, walker, c))
		return -1;
	c->started = true;
	return 0;
}

struct nst_containers *nst_containers_open(const struct nst_containers_opts *o)
{
	struct nst_containers *c = calloc(1, sizeof(*c));

	if (!c || !(c->memo = calloc(1, sizeof(*c->memo))) ||
	    (o->pods_dir && !(c->pods_dir = strdup(o->pods_dir)))) {
		if (c)
			free(c->memo);
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->rt = o->runtimes;
	c->notes = o->notes;
	c->min_walk_ms = o->min_walk_ms ?: DEFAULT_MIN_WALK_MS;
	c->drop_caps = o->drop_caps;
	if (start(c, o)) {
		nst_containers_close(c);
		errno = EAGAIN;
		return NULL;
	}
	return c;
}

void nst_containers_close(struct nst_containers *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	__atomic_store_n(&c->stopping, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (c->started)
		pthread_join(c->thread, NULL);
	ctr_table_free(c->cur);
	nshash_free(&c->missed_cg);
	nshash_free(&c->missed_ns);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c->pods_dir);
	free(c->memo);
	free(c);
}

/* ---- the walking thread ---- */

/* Under the lock: until a walk is wanted and due, or stopping; false when stopping. */
static bool wait_for_walk(struct nst_containers *c)
{
	while (!c->stopping && c->walks_done && !c->want_walk)
		pthread_cond_wait(&c->cond, &c->lock);
	/* at most one walk a second, however many lookups miss */
	while (!c->stopping && c->walks_done) {
		long long left = c->last_walk_ms + c->min_walk_ms - nst_mono_ms();
		struct timespec until = nst_realtime_in_ms(left);

		if (left <= 0)
			break;
		pthread_cond_timedwait(&c->cond, &c->lock, &until);
	}
	return !c->stopping;
}

static bool table_has(const struct ctr_table *t, const struct ctr_ask *a)
{
	return a->ns ? ctr_table_ns(t, a->key) != NULL : ctr_table_cg(t, a->key) != NULL;
}

/* Under the lock, after walk number seq: what it answered, and what it could not. */
static void settle_asks(struct nst_containers *c, unsigned long seq)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->nasks; i++) {
		const struct ctr_ask *a = &c->asks[i];

		if (a->seq >= seq && !table_has(c->cur, a))
			c->asks[kept++] = *a; /* asked after this walk began: the next one */
		else if (!table_has(c->cur, a))
			nshash_put(a->ns ? &c->missed_ns : &c->missed_cg, a->key, 0);
	}
	c->nasks = kept;
	c->want_walk = kept > 0;
}

/*
 * Under the lock: publish t; returns the old table to free outside it. A
 * new container may have taken a namespace inode that missed before.
 */
static struct ctr_table *publish(struct nst_containers *c, struct ctr_table *t, unsigned long seq)
{
	struct ctr_table *old = c->cur;

	if (!old || t->ncontainers != old->ncontainers)
		nshash_free(&c->missed_ns);
	c->cur = t;
	settle_asks(c, seq);
	c->walks_done++;
	c->last_walk_ms = nst_mono_ms();
	pthread_cond_broadcast(&c->cond);
	return old;
}

static void *walker(void *arg)
{
	struct nst_containers *c = arg;

	/* capabilities are per thread: this one reads /proc/PID/ns of others */
	if (c->drop_caps)
		nst_caps_keep(NST_CAP(CAP_SYS_PTRACE));
	pthread_mutex_lock(&c->lock);
	while (wait_for_walk(c)) {
		struct nst_runtimes *rt = c->rt;
		bool rt_new = c->rt_new;
		struct ctr_table *t, *old = NULL;
		unsigned long seq;

		c->rt_new = false;
		c->want_walk = false;
		pthread_mutex_unlock(&c->lock);
		if (rt_new)
			nst_runtimes_wait(rt, RUNTIME_LIST_MS);
		pthread_mutex_lock(&c->lock);
		seq = ++c->walks_started;
		pthread_mutex_unlock(&c->lock);
		t = ctr_walk(c, rt);
		pthread_mutex_lock(&c->lock);
		if (t)
			old = publish(c, t, seq);
		else
			c->last_walk_ms = nst_mono_ms();
		pthread_mutex_unlock(&c->lock);
		ctr_table_free(old);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

void nst_containers_set_runtimes(struct nst_containers *c, struct nst_runtimes *rt)
{
	pthread_mutex_lock(&c->lock);
	c->rt = rt;
	/* the runtime says who made a shared namespace: walk again once it has listed */
	c->rt_new = rt != NULL;
	c->want_walk = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

bool nst_containers_wait(struct nst_containers *c, int timeout_ms)
{
	struct timespec until = nst_realtime_in_ms(timeout_ms);
	bool done;

	pthread_mutex_lock(&c->lock);
	while (!c->walks_done && !c->stopping)
		if (pthread_cond_timedwait(&c->cond, &c->lock, &until) == ETIMEDOUT)
			break;
	done = c->walks_done > 0;
	pthread_mutex_unlock(&c->lock);
	return done;
}

bool nst_containers_any(struct nst_containers *c)
{
	bool any;

	pthread_mutex_lock(&c->lock);
	any = c->cur && c->cur->ncontainers;
	pthread_mutex_unlock(&c->lock);
	return any;
}

unsigned long nst_containers_walks(struct nst_containers *c)
{
	unsigned long n;

	pthread_mutex_lock(&c->lock);
	n = c->walks_done;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* ---- lookups ---- */

/* Under the lock: ask for a walk to find key, unless one found it missing already. */
static void ask(struct nst_containers *c, __u64 key, bool ns)
{
	if (nshash_get(ns ? &c->missed_ns : &c->missed_cg, key) >= 0)
		return;
	for (size_t i = 0; i < c->nasks; i++)
		if (c->asks[i].key == key && c->asks[i].ns == ns)
			return;
	if (c->nasks < NST_MAX_ASKS)
		c->asks[c->nasks++] = (struct ctr_ask){ key, ns, c->walks_started };
	c->want_walk = true;
	pthread_cond_signal(&c->cond);
}

/* Names for ident: the runtime's, else what the path and the pod directory say. */
static void fill_info(struct nst_containers *c, const struct nst_identity *ident,
		      const char *pod_name, const char *pod_ns, struct nst_ctr_info *out)
{
	struct nst_container k;

	memset(out, 0, sizeof(*out));
	out->kind = ident->runtime;
	snprintf(out->id, sizeof(out->id), "%s", ident->container);
	snprintf(out->runtime, sizeof(out->runtime), "%s", nst_runtime_kind_name(ident->runtime));
	snprintf(out->pod_uid, sizeof(out->pod_uid), "%s", ident->pod_uid);
	snprintf(out->pod_name, sizeof(out->pod_name), "%s", pod_name);
	snprintf(out->pod_namespace, sizeof(out->pod_namespace), "%s", pod_ns);
	/* nspawn and LXC name their cgroups after the machine: the id is the name */
	if (ident->runtime == NST_RT_NSPAWN || ident->runtime == NST_RT_LXC)
		snprintf(out->name, sizeof(out->name), "%s", ident->container);
	if (!c->rt || !nst_is_container_id(ident->container) ||
	    nst_runtimes_by_id(c->rt, ident->container, &k) != NST_LOOKUP_FOUND)
		return;
	snprintf(out->name, sizeof(out->name), "%s", k.name);
	snprintf(out->image, sizeof(out->image), "%s", k.image);
	snprintf(out->runtime, sizeof(out->runtime), "%s", k.runtime);
	if (k.pod_uid[0] && !out->pod_uid[0])
		snprintf(out->pod_uid, sizeof(out->pod_uid), "%s", k.pod_uid);
	if (k.pod_name[0])
		snprintf(out->pod_name, sizeof(out->pod_name), "%s", k.pod_name);
	if (k.pod_namespace[0])
		snprintf(out->pod_namespace, sizeof(out->pod_namespace), "%s", k.pod_namespace);
}

static bool names_something(const struct nst_identity *i)
{
	return i->container[0] || i->pod_uid[0];
}

enum nst_ctr_state nst_containers_by_cgroup(struct nst_containers *c, __u64 cgroup_id,
					    struct nst_ctr_info *out)
{
	struct nst_identity ident;
	char pod_name[NST_CTR_NAME_LEN], pod_ns[64];
	const struct cg_entry *e;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->lock);
	e = ctr_table_cg(c->cur, cgroup_id);
	if (!e) {
		ask(c, cgroup_id, false);
		pthread_mutex_unlock(&c->lock);
		return NST_CTR_NOT_YET;
	}
	ident = e->ident;
	memcpy(pod_name, e->pod_name, sizeof(pod_name));
	memcpy(pod_ns, e->pod_namespace, sizeof(pod_ns));
	pthread_mutex_unlock(&c->lock);
	if (!names_something(&ident))
		return NST_CTR_HOST;
	fill_info(c, &ident, pod_name, pod_ns, out);
	return NST_CTR_FOUND;
}

enum nst_ctr_state nst_containers_cgroup_path(struct nst_containers *c, __u64 cgroup_id, char *path,
					      size_t len)
{
	const struct cg_entry *e;

	pthread_mutex_lock(&c->lock);
	e = ctr_table_cg(c->cur, cgroup_id);
	if (e)
		snprintf(path, len, "%s", e->path);
	else
		ask(c, cgroup_id, false);
	pthread_mutex_unlock(&c->lock);
	return e ? NST_CTR_FOUND : NST_CTR_NOT_YET;
}

enum nst_ctr_state nst_containers_by_ns(struct nst_containers *c, __u32 ino,
					struct nst_ctr_info *out)
{
	struct nst_identity ident;
	const struct ns_entry *e;

	memset(out, 0, sizeof(*out));
	if (!ino || ctr_is_host_ns(c, ino))
		return NST_CTR_HOST;
	pthread_mutex_lock(&c->lock);
	e = ctr_table_ns(c->cur, ino);
	if (!e) {
		ask(c, ino, true);
		pthread_mutex_unlock(&c->lock);
		return NST_CTR_NOT_YET;
	}
	ident = e->ident;
	pthread_mutex_unlock(&c->lock);
	fill_info(c, &ident, "", "", out);
	return NST_CTR_FOUND;
}

enum nst_ctr_state nst_containers_by_pid(struct nst_containers *c, pid_t pid,
					 struct nst_ctr_info *out)
{
	char pod_name[NST_CTR_NAME_LEN] = "", pod_ns[64] = "";
	struct nst_identity ident;

	memset(out, 0, sizeof(*out));
	if (nst_identity_of_pid(pid, &ident) || !names_something(&ident))
		return NST_CTR_HOST;
	if (ident.pod_uid[0])
		nst_k8s_pod_by_uid(c->pods_dir, ident.pod_uid, pod_name, sizeof(pod_name), pod_ns,
				   sizeof(pod_ns));
	fill_info(c, &ident, pod_name, pod_ns, out);
	return NST_CTR_FOUND;
}

/* ---- the event path ---- */

/* The container a setns enters: the first target slot that is a container's. */
static enum nst_ctr_state target_of(struct nst_containers *c, const struct nst_event *e,
				    struct nst_ctr_info *out)
{
	enum nst_ctr_state st = NST_CTR_HOST;

	for (int i = 0; i < NST_NS_COUNT; i++) {
		enum nst_ctr_state s =
			e->target[i] ? nst_containers_by_ns(c, e->target[i], out) : NST_CTR_HOST;

		if (s == NST_CTR_FOUND)
			return s;
		if (s == NST_CTR_NOT_YET)
			st = s;
	}
	memset(out, 0, sizeof(*out));
	return st;
}

const struct nst_event_ctr *nst_containers_event(void *ctx, const struct nst_event *e)
{
	struct nst_containers *c = ctx;
	struct nst_event_ctr *m = c->memo;

	/* every container column of one event asks: resolve once */
	if (c->memo_valid && c->memo_ts == e->ts_ns && c->memo_tid == e->tid)
		return m;
	m->state = nst_containers_by_cgroup(c, e->cgroup_id, &m->ctr);
	if (e->kind == NST_K_SETNS)
		m->target_state = target_of(c, e, &m->target);
	else
		m->target_state = NST_CTR_HOST;
	c->memo_ts = e->ts_ns;
	c->memo_tid = e->tid;
	c->memo_valid = true;
	return m;
}
