// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The containers of `nstrace ls` (ls_ctr.h): the runtime's list, merged
 * with the containers the cgroups of the inventory's processes name, and
 * which namespaces each is in or holds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "ls_ctr.h"
#include "nsrt.h"

__u32 ls_task_ns(const struct inventory *inv, pid_t pid, enum nst_type t)
{
	const struct inv_task *task = inv_task_of(inv, (__u32)pid);

	/* the iterator's record: it reads what /proc/PID/ns may refuse (PID 1 in a sandbox) */
	if (task && task->ns[nst_types[t].slot])
		return task->ns[nst_types[t].slot];
	return (__u32)nsrt_ns_ino(pid, nst_type_name(t));
}

/* Field 22 of /proc/PID/stat; the comm before it may hold spaces and ')'. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* after ") ": state is field 3, starttime field 22 */
	if (p && sscanf(p + 2,
			"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
			"%*d %llu",
			&start) != 1)
		start = 0;
	return start;
}

static void fill_ns(struct ls_ctr *c, const struct inventory *inv)
{
	for (int t = 0; t < NST_T_COUNT; t++)
		c->ns[t] = c->pid ? ls_task_ns(inv, c->pid, t) : 0;
	c->start = c->pid ? start_time(c->pid) : 0;
}

/* "namespace/name" from the kubelet's labels, else its log directories, else the uid */
static void pod_words(char *out, size_t len, const char *ns, const char *name, const char *uid)
{
	char kname[NST_CTR_NAME_LEN], kns[64];

	if (ns && ns[0] && name && name[0])
		snprintf(out, len, "%s/%s", ns, name);
	else if (uid[0] && !nst_k8s_pod_by_uid(NULL, uid, kname, sizeof(kname), kns, sizeof(kns)))
		snprintf(out, len, "%s/%s", kns, kname);
	else
		snprintf(out, len, "%s", uid);
}

static int add_ctr(struct ls_ctrs *cs, size_t *cap, const struct ls_ctr *c)
{
	if (nst_grow((void **)&cs->c, cap, cs->n + 1, sizeof(*cs->c), 16))
		return -ENOMEM;
	cs->c[cs->n++] = *c;
	return 0;
}

/* The running containers the runtime lists, with what it says of each. */
static int from_runtime(struct ls_ctrs *cs, size_t *cap, struct nst_runtimes *rt)
{
	size_t n = nst_runtimes_list(rt, NULL, 0), got;
	struct nst_container *list = calloc(n ? n : 1, sizeof(*list));
	int ret = 0;

	if (!list)
		return -ENOMEM;
	got = nst_runtimes_list(rt, list, n);
	for (size_t i = 0; !ret && i < got && i < n; i++) {
		struct ls_ctr c = { .rt = list[i], .pid = list[i].pid };

		snprintf(c.id, sizeof(c.id), "%s", list[i].id);
		snprintf(c.label, sizeof(c.label), "%s", list[i].name);
		snprintf(c.runtime, sizeof(c.runtime), "%s", list[i].runtime);
		ret = add_ctr(cs, cap, &c);
	}
	cs->named = cs->named || got;
	free(list);
	return ret;
}

/* The container an identity names among those known, by full id or the prefix a scope gives. */
static int match_ident(const struct ls_ctrs *cs, const struct nst_identity *id)
{
	size_t len = strlen(id->container);

	if (!len)
		return -1;
	for (size_t i = 0; i < cs->n; i++)
		if (!strncmp(cs->c[i].id, id->container, len))
			return (int)i;
	return -1;
}

/* Containers the cgroups name that the runtime did not list (no runtime, or another one). */
static int from_cgroups(struct ls_ctrs *cs, size_t *cap, struct inventory *inv)
{
	for (size_t i = 0; i < inv->ntasks; i++) {
		int ident = inv_task_ident(inv, &inv->tasks[i]);
		const struct nst_identity *id = ident >= 0 ? &inv->ids[ident] : NULL;
		struct ls_ctr c = { .pid = (pid_t)inv->tasks[i].pid };

		/* tasks are by pid: the first one seen of a container is its lowest */
		if (!id || !id->container[0] || match_ident(cs, id) >= 0)
			continue;
		snprintf(c.id, sizeof(c.id), "%s", id->container);
		snprintf(c.label, sizeof(c.label), "%.*s",
			 nst_is_container_id(id->container) ? 12 : (int)sizeof(c.label),
			 id->container);
		snprintf(c.runtime, sizeof(c.runtime), "%s", nst_runtime_kind_name(id->runtime));
		if (add_ctr(cs, cap, &c))
			return -ENOMEM;
	}
	return 0;
}

static int by_label(const void *a, const void *b)
{
	const struct ls_ctr *x = a, *y = b;
	int r = strcmp(x->label, y->label);

	return r ? r : strcmp(x->id, y->id);
}

/* of_ident, then each container's pod and namespaces. */
static int map_idents(struct ls_ctrs *cs, struct inventory *inv)
{
	cs->nids = inv->nids;
	cs->of_ident = malloc((inv->nids ? inv->nids : 1) * sizeof(*cs->of_ident));
	if (!cs->of_ident)
		return -ENOMEM;
	for (size_t i = 0; i < inv->nids; i++)
		cs->of_ident[i] = match_ident(cs, &inv->ids[i]);
	for (size_t i = 0; i < cs->n; i++) {
		struct ls_ctr *c = &cs->c[i];
		const char *uid = c->rt.pod_uid;

		for (size_t k = 0; !uid[0] && k < inv->nids; k++)
			if (cs->of_ident[k] == (int)i)
				uid = inv->ids[k].pod_uid;
		pod_words(c->pod, sizeof(c->pod), c->rt.pod_namespace, c->rt.pod_name, uid);
		fill_ns(c, inv);
	}
	return 0;
}

struct pair {
	size_t ns;
	int ctr;
};

struct pairs {
	struct pair *p;
	size_t n, cap;
};

static void add_pair(struct pairs *ps, const struct inventory *inv, enum nst_type t, __u32 ino,
		     int ctr)
{
	const struct inv_ns *n = ino && t < NST_T_COUNT ? inv_lookup(inv, t, ino) : NULL;

	if (n && ctr >= 0 && !nst_grow((void **)&ps->p, &ps->cap, ps->n + 1, sizeof(*ps->p), 256))
		ps->p[ps->n++] = (struct pair){ (size_t)(n - inv->ns), ctr };
}

static int ctr_of_task(const struct ls_ctrs *cs, struct inventory *inv, struct inv_task *t)
{
	int ident = t ? inv_task_ident(inv, t) : INV_IDENT_NONE;

	return ident >= 0 && (size_t)ident < cs->nids ? cs->of_ident[ident] : -1;
}

static int by_ns_ctr(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return x->ctr - y->ctr;
}

/* Every (namespace, container) a process or an fd of the container makes, as first[]/member[]. */
static int index_members(struct ls_ctrs *cs, struct inventory *inv)
{
	struct pairs ps = { 0 };
	size_t k = 0;

	for (size_t i = 0; i < inv->ntasks; i++) {
		int ctr = ctr_of_task(cs, inv, &inv->tasks[i]);

		for (unsigned int s = 0; ctr >= 0 && s < NST_NS_COUNT; s++)
			add_pair(&ps, inv, nst_slot_type(s), inv->tasks[i].ns[s], ctr);
	}
	for (size_t i = 0; i < inv->nfds; i++) {
		struct inv_task *t = (struct inv_task *)inv_task_of(inv, inv->fds[i].pid);

		add_pair(&ps, inv, inv->fds[i].type, inv->fds[i].ino, ctr_of_task(cs, inv, t));
	}
	if (ps.n)
		qsort(ps.p, ps.n, sizeof(*ps.p), by_ns_ctr);
	cs->first = calloc(inv->n + 1, sizeof(*cs->first));
	cs->member = malloc((ps.n ? ps.n : 1) * sizeof(*cs->member));
	if (!cs->first || !cs->member) {
		free(ps.p);
		return -ENOMEM;
	}
	for (size_t i = 0, m = 0; i < inv->n; i++) {
		cs->first[i] = m;
		for (; k < ps.n && ps.p[k].ns == i; k++)
			if (m == cs->first[i] || cs->member[m - 1] != ps.p[k].ctr)
				cs->member[m++] = ps.p[k].ctr;
		cs->first[i + 1] = m;
	}
	free(ps.p);
	return 0;
}

static struct nst_runtimes *open_runtime(FILE *notes)
{
	struct nst_runtime_opts opts = { .notes = notes, .no_follow = true };
	struct nst_runtimes *rt = nst_runtimes_open(&opts);

	if (rt)
		nst_runtimes_wait(rt, LS_RUNTIME_WAIT_MS);
	return rt;
}

int ls_ctrs_load(struct ls_ctrs *cs, struct inventory *inv, struct nst_runtimes *rt, FILE *notes)
{
	struct nst_runtimes *own = rt ? NULL : open_runtime(notes);
	size_t cap = 0;
	int ret = 0;

	memset(cs, 0, sizeof(*cs));
	if (rt || own)
		ret = from_runtime(cs, &cap, rt ? rt : own);
	nst_runtimes_close(own);
	if (!ret)
		ret = from_cgroups(cs, &cap, inv);
	if (!ret && cs->n)
		qsort(cs->c, cs->n, sizeof(*cs->c), by_label);
	if (!ret)
		ret = map_idents(cs, inv);
	if (!ret)
		ret = index_members(cs, inv);
	return ret;
}

void ls_ctrs_free(struct ls_ctrs *cs)
{
	free(cs->c);
	free(cs->of_ident);
	free(cs->first);
	free(cs->member);
	memset(cs, 0, sizeof(*cs));
}

const struct ls_ctr *ls_ctrs_of_ns(const struct ls_ctrs *cs, struct inventory *inv,
				   struct inv_ns *n)
{
	int ident = inv_ns_ident(inv, n);
	int c = ident >= 0 && (size_t)ident < cs->nids ? cs->of_ident[ident] : -1;

	return c >= 0 ? &cs->c[c] : NULL;
}

const char *ls_ctrs_pod_of_ns(const struct ls_ctrs *cs, struct inventory *inv, struct inv_ns *n,
			      char *buf, size_t len)
{
	const struct ls_ctr *c = ls_ctrs_of_ns(cs, inv, n);
	int ident = inv_ns_ident(inv, n);

	if (c && c->pod[0])
		return c->pod;
	/* a pod's own slice, with no container below it */
	if (ident < 0 || !inv->ids[ident].pod_uid[0])
		return "";
	pod_words(buf, len, NULL, NULL, inv->ids[ident].pod_uid);
	return buf;
}

void ls_ctrs_members(const struct ls_ctrs *cs, size_t i, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (!cs->first)
		return;
	for (size_t m = cs->first[i]; m < cs->first[i + 1] && off < len; m++) {
		int w = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
				 cs->c[cs->member[m]].label);

		off += w > 0 ? (size_t)w : 0;
	}
}

void ls_ctrs_mark(const struct ls_ctrs *cs, struct inventory *inv, int ci, bool *sel)
{
	for (size_t i = 0; i < inv->ntasks; i++) {
		if (ctr_of_task(cs, inv, &inv->tasks[i]) != ci)
			continue;
		for (int t = 0; t < NST_T_COUNT; t++) {
			const struct inv_ns *n =
				inv_lookup(inv, t, inv->tasks[i].ns[nst_types[t].slot]);

			if (n)
				sel[n - inv->ns] = true;
		}
	}
}

/* "a, b" of every container, for an error message */
static void list_labels(const struct ls_ctrs *cs, const char *prefix, char *buf, size_t len)
{
	size_t off = 0, plen = prefix ? strlen(prefix) : 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cs->n && off < len; i++) {
		int w;

		if (prefix && strncmp(cs->c[i].id, prefix, plen))
			continue;
		w = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", cs->c[i].label);
		off += w > 0 ? (size_t)w : 0;
	}
}

int ls_ctrs_find(const struct ls_ctrs *cs, const char *key, char *err, size_t errlen)
{
	const char *name = key[0] == '/' ? key + 1 : key;
	char names[1024];
	int found = -1, nfound = 0;

	for (size_t i = 0; i < cs->n; i++)
		if (!strcmp(cs->c[i].rt.name, name) || !strcmp(cs->c[i].id, name))
			return (int)i;
	/* an id prefix, as docker takes one */
	for (size_t i = 0; nst_is_container_id(key) && i < cs->n; i++)
		if (!strncmp(cs->c[i].id, key, strlen(key))) {
			found = (int)i;
			nfound++;
		}
	if (nfound == 1)
		return found;
	if (nfound > 1) {
		list_labels(cs, key, names, sizeof(names));
		snprintf(err, errlen, "failed to find container '%s': ambiguous id prefix (%s)",
			 key, names);
		return -1;
	}
	list_labels(cs, NULL, names, sizeof(names));
	snprintf(err, errlen,
		 "failed to find container '%s': no such running container (running: %s)", key,
		 names[0] ? names : "none");
	return -1;
}

/* HostConfig's mode for the types Docker lets a container join: "container:<id>" */
static const char *join_mode(const struct ls_ctr *c, enum nst_type t)
{
	const char *m = t == NST_T_NET	 ? c->rt.network_mode
			: t == NST_T_IPC ? c->rt.ipc_mode
			: t == NST_T_PID ? c->rt.pid_mode
			: t == NST_T_UTS ? c->rt.uts_mode
					 : "";

	return strncmp(m, "container:", 10) ? NULL : m + 10;
}

/* d came before c: the one that made a namespace they share */
static bool earlier(const struct ls_ctr *d, const struct ls_ctr *c)
{
	if (d->start != c->start)
		return d->start < c->start;
	return d->pid < c->pid;
}

const char *ls_ctrs_sharing(const struct ls_ctrs *cs, const struct inventory *inv,
			    const struct ls_ctr *c, enum nst_type t)
{
	const char *joined = join_mode(c, t);
	const struct ls_ctr *first = c;
	__u32 ino = c->ns[t];

	if (!ino)
		return "";
	if (ino == inv->host[t])
		return "host";
	/* the runtime says whom it joined; believed when the kernel agrees */
	for (size_t i = 0; joined && i < cs->n; i++)
		if (&cs->c[i] != c && cs->c[i].ns[t] == ino && cs->c[i].id[0] &&
		    !strncmp(cs->c[i].id, joined, strlen(joined)))
			return cs->c[i].label;
	/* else the container that started first made it */
	for (size_t i = 0; i < cs->n; i++)
		if (cs->c[i].ns[t] == ino && earlier(&cs->c[i], first))
			first = &cs->c[i];
	return first == c ? "own" : first->label;
}
