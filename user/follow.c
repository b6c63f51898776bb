// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * --ns-of, --container and --pod (follow.h). A container is its cgroup v2
 * directory (everything in it and below) plus the non-initial namespaces
 * of its init (whoever joins one of them with setns, and what that forks);
 * a pod is the same for its pod directory and every container in it. The
 * kernel side is bpf/nstrace.bpf.c's follow_cgroups and follow_ns maps.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli.h"
#include "follow.h"
#include "grow.h"
#include "identity.h"
#include "nstypes.h"
#include "procparse.h"
#include "runtime.h"

#define CGPATH_LEN 1024
#define CG_MAX_DEPTH 24 /* the BPF side looks at levels below 32 */
#define RUNTIME_WAIT_MS 3000 /* a runtime's first listing */
#define WAIT_TICK_MS 5 /* --wait: how often to look for the cgroup */
#define INIT_WAIT_MS 10000 /* --wait: from the cgroup to a process in it */
#define MAX_MATCHES 8
#define MAX_LISTED 1024

enum target_kind { T_NS_OF, T_CONTAINER, T_POD };

struct target {
	enum target_kind kind;
	char key[NST_CTR_NAME_LEN]; /* as typed */
	char id[NST_CTR_ID_LEN]; /* a container id, or a pod uid; "" not known yet */
	pid_t pid; /* whose namespaces to follow: --ns-of, a container's init */
	char cgpath[CGPATH_LEN]; /* below the cgroup v2 root; "" not known */
	bool cg_set, ns_set; /* in the maps */
	bool awaited; /* its id is in the kernel's await map (--wait) */
	long long cg_set_ms; /* when the cgroup was set (--wait) */
};

struct ns_ent {
	__u32 flag; /* CLONE_NEW* */
	__u32 ino;
};

struct nst_follow {
	struct nst_runtimes *rt;
	bool rt_ready; /* a runtime answered */
	bool wait;
	struct target *tg;
	size_t n, cap;
	char cgroot[PATH_MAX]; /* the cgroup v2 mount; "" when there is none */
	__u32 init_ns[NST_T_COUNT];
	__u32 types; /* 1 << enum nst_type: the types to follow */
	struct ns_ent *ns; /* followed, for the seeding walk */
	size_t nns, nscap;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ---- namespaces ---- */

static int read_ns_link(pid_t pid, const char *name, __u32 *ino)
{
	char path[64], link[64];
	__u64 flag;
	ssize_t n;

	*ino = 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	return nst_proc_ns_link(link, &flag, ino) ? -EINVAL : 0;
}

static bool is_kthreadd(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strcmp(comm, "kthreadd\n");
}

int nst_initial_ns(__u32 *ino_by_type, char *err, size_t errlen)
{
	/* kthreadd runs with init_nsproxy and init_cred; pid 1 may be closed */
	pid_t from = is_kthreadd(2) ? 2 : 1;

	for (int t = 0; t < NST_T_COUNT; t++) {
		int ret = read_ns_link(from, nst_types[t].name, &ino_by_type[t]);

		if (ret == -ENOENT) {
			ino_by_type[t] = 0; /* a type this kernel lacks */
		} else if (ret) {
			snprintf(err, errlen,
				 "failed to read the initial namespaces: /proc/%d/ns/%s: %s", from,
				 nst_types[t].name, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static bool ns_known(const struct nst_follow *f, __u32 flag, __u32 ino)
{
	for (size_t i = 0; i < f->nns; i++)
		if (f->ns[i].flag == flag && f->ns[i].ino == ino)
			return true;
	return false;
}

static int add_ns(struct nst_follow *f, __u32 flag, __u32 ino)
{
	if (ns_known(f, flag, ino))
		return 0;
	if (nst_grow((void **)&f->ns, &f->nscap, f->nns + 1, sizeof(*f->ns), 16))
		return -ENOMEM;
	f->ns[f->nns++] = (struct ns_ent){ flag, ino };
	return 1;
}

/* The non-initial namespaces of one type pid is in, or gives its children: how many. */
static int add_type_of_pid(struct nst_follow *f, pid_t pid, enum nst_type t)
{
	const char *names[2] = { nst_types[t].name, nst_types[t].fc_name };
	int found = 0;

	for (int i = 0; i < 2 && names[i]; i++) {
		__u32 ino = 0;
		int ret = read_ns_link(pid, names[i], &ino);

		if (ret == -ENOENT && i)
			continue; /* no *_for_children on this kernel */
		if (ret)
			return ret;
		if (ino == f->init_ns[t])
			continue;
		if (add_ns(f, (__u32)nst_types[t].flag, ino) < 0)
			return -ENOMEM;
		found++;
	}
	return found;
}

/* pid's non-initial namespaces of the followed types: how many, or -errno. */
static int collect_ns_of(struct nst_follow *f, pid_t pid)
{
	int n = 0;

	for (int t = 0; t < NST_T_COUNT; t++) {
		int ret;

		if (!(f->types & (1U << t)))
			continue;
		ret = add_type_of_pid(f, pid, t);
		if (ret == -ENOENT && !f->init_ns[t])
			continue;
		if (ret < 0)
			return ret;
		n += ret;
	}
	return n;
}

/* Does pid have a non-initial namespace (of any type)? */
static bool in_a_container(const struct nst_follow *f, pid_t pid)
{
	for (int t = 0; t < NST_T_COUNT; t++) {
		__u32 ino = 0;

		if (f->init_ns[t] && !read_ns_link(pid, nst_types[t].name, &ino) &&
		    ino != f->init_ns[t])
			return true;
	}
	return false;
}

/* ---- cgroups ---- */

/* The cgroup v2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host). */
static void find_cgroot(char *root, size_t len)
{
	char line[4096], mnt[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	root[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - cgroup2 ");

		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(root, len, "%s", mnt);
			break;
		}
	}
	fclose(f);
}

/* Called for each cgroup directory below the root; true stops the walk. */
typedef bool (*cg_fn)(void *ctx, const char *rel, const struct nst_identity *id);

static bool walk_dir(const char *root, char *rel, int depth, cg_fn fn, void *ctx)
{
	char path[PATH_MAX + CGPATH_LEN];
	size_t n = strlen(rel);
	struct nst_identity id;
	struct dirent *e;
	bool stop = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	d = opendir(path);
	if (!d)
		return false;
	while (!stop && (e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.' ||
		    n + strlen(e->d_name) + 2 > CGPATH_LEN)
			continue;
		snprintf(rel + n, CGPATH_LEN - n, "/%s", e->d_name);
		nst_identity_from_cgpath(rel, &id);
		stop = fn(ctx, rel, &id) ||
		       (depth < CG_MAX_DEPTH && walk_dir(root, rel, depth + 1, fn, ctx));
		rel[n] = '\0';
	}
	closedir(d);
	return stop;
}

static void walk_cgroups(const struct nst_follow *f, cg_fn fn, void *ctx)
{
	char rel[CGPATH_LEN] = "";

	if (f->cgroot[0])
		walk_dir(f->cgroot, rel, 1, fn, ctx);
}

/* Containers whose id starts with prefix: each id once, at its shallowest directory. */
struct ctr_matches {
	const char *prefix;
	char id[MAX_MATCHES][NST_CTR_ID_LEN];
	char path[MAX_MATCHES][CGPATH_LEN];
	int n;
};

static bool match_ctr(void *ctx, const char *rel, const struct nst_identity *id)
{
	struct ctr_matches *m = ctx;

	if (!id->container[0] || !nst_is_container_id(id->container) ||
	    strncmp(id->container, m->prefix, strlen(m->prefix)))
		return false;
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->id[i], id->container))
			return false;
	if (m->n < MAX_MATCHES) {
		snprintf(m->id[m->n], NST_CTR_ID_LEN, "%.64s", id->container);
		snprintf(m->path[m->n], CGPATH_LEN, "%s", rel);
	}
	m->n++;
	return false;
}

/* A pod's own directory: the shallowest with its uid and no container. */
struct pod_match {
	const char *uid;
	char path[CGPATH_LEN];
};

static bool match_pod(void *ctx, const char *rel, const struct nst_identity *id)
{
	struct pod_match *m = ctx;

	if (id->container[0] || strcmp(id->pod_uid, m->uid))
		return false;
	snprintf(m->path, sizeof(m->path), "%s", rel);
	return true;
}

/*
 * The first process in the cgroup at rel (or below) that is in a
 * namespace of its own: a container's init, once runc has made it.
 */
static pid_t cgroup_init_pid(const struct nst_follow *f, const char *rel)
{
	char path[PATH_MAX + CGPATH_LEN + 16];
	pid_t pid = 0, found = 0;
	FILE *procs;

	snprintf(path, sizeof(path), "%s%s/cgroup.procs", f->cgroot, rel);
	procs = fopen(path, "re");
	if (!procs)
		return 0;
	while (!found && fscanf(procs, "%d", &pid) == 1)
		if (in_a_container(f, pid))
			found = pid;
	fclose(procs);
	return found;
}

/* ---- what the user typed ---- */

/* Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, with an optional leading '/'. */
static bool valid_ctr_name(const char *s)
{
	if (*s == '/')
		s++;
	if (!isalnum((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* Pod names and namespaces are DNS names: [a-z0-9.-], and one '/' between them. */
static bool valid_pod_key(const char *s)
{
	const char *slash = strchr(s, '/');

	if (!*s || *s == '/' || (slash && (!slash[1] || strchr(slash + 1, '/'))))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    !strchr(".-/", *s))
			return false;
	return true;
}

/* A pod uid: a UUID, or the 32-hex config hash of a static pod. */
static bool looks_like_uid(const char *s)
{
	size_t n = strlen(s);

	if (n == 32)
		return nst_is_container_id(s);
	if (n != 36)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-'
							      : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int add_target(struct nst_follow *f, enum target_kind kind, const char *key, size_t len)
{
	struct target *t;

	if (nst_grow((void **)&f->tg, &f->cap, f->n + 1, sizeof(*f->tg), 4))
		return -ENOMEM;
	t = &f->tg[f->n++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	snprintf(t->key, sizeof(t->key), "%.*s", (int)(len < sizeof(t->key) ? len : 0), key);
	return 0;
}

/* Split a NAME[,NAME...] list into targets of kind. */
static int add_targets(struct nst_follow *f, enum target_kind kind, const char *list, char *err,
		       size_t errlen)
{
	const char *what = kind == T_POD ? "pod" : "container";

	for (const char *p = list; p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (!len || len >= NST_CTR_NAME_LEN) {
			snprintf(err, errlen, "invalid %s list '%s': %s", what, list,
				 len ? "a name is too long" : "an empty name");
			return -EINVAL;
		}
		if (add_target(f, kind, p, len))
			return -ENOMEM;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* ---- containers ---- */

/* "web1, web2": the running containers, for a message. */
static void running_names(struct nst_follow *f, char *buf, size_t len)
{
	static struct nst_container list[64];
	size_t n = f->rt ? nst_runtimes_list(f->rt, list, 64) : 0, off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && i < 64 && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "", list[i].name);
	if (!n)
		snprintf(buf, len, "none");
}

/* The candidates of an ambiguous id prefix: "web1 (4f2a...), web2 (4f9c...)". */
static void prefix_candidates(struct nst_follow *f, const char *prefix, char *buf, size_t len)
{
	static struct nst_container list[MAX_LISTED];
	size_t n = f->rt ? nst_runtimes_list(f->rt, list, MAX_LISTED) : 0, off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && i < MAX_LISTED && off < len; i++)
		if (!strncmp(list[i].id, prefix, strlen(prefix)))
			off += snprintf(buf + off, len - off, "%s%s (%.12s)", off ? ", " : "",
					list[i].name, list[i].id);
}

/* Look the key up in the runtimes: 0 found, -ENOENT not (yet), -EINVAL (err set). */
static int ctr_from_runtime(struct nst_follow *f, struct target *t, char *err, size_t errlen)
{
	struct nst_container c;
	char list[1024];

	switch (nst_runtimes_find(f->rt, t->key, &c)) {
	case NST_LOOKUP_FOUND:
		/* --wait takes one that is created and not yet running */
		if (!c.running && !f->wait)
			return -ENOENT;
		snprintf(t->id, sizeof(t->id), "%s", c.id);
		t->pid = c.running ? c.pid : 0;
		return 0;
	case NST_LOOKUP_AMBIGUOUS:
		prefix_candidates(f, t->key, list, sizeof(list));
		snprintf(err, errlen,
			 "failed to find container '%s': the id prefix matches several "
			 "containers: %s (give more of the id, or the name)",
			 t->key, list);
		return -EINVAL;
	default:
		return -ENOENT;
	}
}

/* From the cgroup paths alone: 0 found, -ENOENT not (yet), -EINVAL (err set). */
static int ctr_from_cgroups(struct nst_follow *f, struct target *t, char *err, size_t errlen)
{
	static struct ctr_matches m;
	char list[1024];
	size_t off = 0;

	memset(&m, 0, sizeof(m));
	m.prefix = t->id[0] ? t->id : t->key;
	walk_cgroups(f, match_ctr, &m);
	if (m.n == 1) {
		snprintf(t->id, sizeof(t->id), "%s", m.id[0]);
		snprintf(t->cgpath, sizeof(t->cgpath), "%s", m.path[0]);
		return 0;
	}
	if (!m.n)
		return -ENOENT;
	for (int i = 0; i < m.n && i < MAX_MATCHES && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%.12s", i ? ", " : "", m.id[i]);
	snprintf(err, errlen,
		 "failed to find container '%s': the id prefix matches %d containers: %s%s "
		 "(give more of the id)",
		 t->key, m.n, list, m.n > MAX_MATCHES ? ", ..." : "");
	return -EINVAL;
}

/*
 * id, cgroup and init of a container target, as far as they exist now: the
 * runtime knows names; the cgroup paths know ids (also of a runtime that
 * did not answer).
 */
static int find_container(struct nst_follow *f, struct target *t, char *err, size_t errlen)
{
	int ret = f->rt_ready ? ctr_from_runtime(f, t, err, errlen) : -ENOENT;
	bool by_runtime = !ret;

	if (ret == -EINVAL || (!by_runtime && !nst_is_container_id(t->key)))
		return ret;
	ret = ctr_from_cgroups(f, t, err, errlen);
	if (ret == -EINVAL || (ret && !by_runtime))
		return ret;
	if (!t->pid && t->cgpath[0])
		t->pid = cgroup_init_pid(f, t->cgpath);
	return 0;
}

static int container_not_found(struct nst_follow *f, const struct target *t, char *err,
			       size_t errlen)
{
	char list[1024];

	if (!f->rt_ready && !nst_is_container_id(t->key)) {
		snprintf(err, errlen,
			 "failed to find container '%s': no container runtime answered, and "
			 "without one only an id (1 to 64 hex digits) is found, from the cgroup "
			 "paths",
			 t->key);
		return -EINVAL;
	}
	running_names(f, list, sizeof(list));
	if (f->rt_ready)
		snprintf(err, errlen,
			 "failed to find container '%s': no such running container "
			 "(running: %s)",
			 t->key, list);
	else
		snprintf(err, errlen,
			 "failed to find container '%s': no such running container (no runtime "
			 "answered; no cgroup v2 directory has that id)",
			 t->key);
	return -ENOENT;
}

/* ---- pods ---- */

struct pod_names {
	const char *ns, *name; /* what to find; ns NULL: any */
	char uid[MAX_MATCHES][NST_POD_UID_LEN];
	char full[MAX_MATCHES][NST_CTR_NAME_LEN + 64]; /* namespace/name */
	int n;
	char all[1024]; /* every pod seen, for a message */
	size_t alloff;
};

static int pod_seen(void *ctx, const char *ns, const char *name, const char *uid)
{
	struct pod_names *p = ctx;
	char full[NST_CTR_NAME_LEN + 64];

	snprintf(full, sizeof(full), "%s/%s", ns, name);
	if (p->alloff < sizeof(p->all) && !strstr(p->all, full))
		p->alloff += snprintf(p->all + p->alloff, sizeof(p->all) - p->alloff, "%s%s",
				      p->alloff ? ", " : "", full);
	if (strcmp(name, p->name) || (p->ns && strcmp(ns, p->ns)))
		return 0;
	for (int i = 0; i < p->n && i < MAX_MATCHES; i++)
		if (!strcmp(p->uid[i], uid))
			return 0;
	if (p->n < MAX_MATCHES) {
		snprintf(p->uid[p->n], NST_POD_UID_LEN, "%s", uid);
		snprintf(p->full[p->n], sizeof(p->full[0]), "%s", full);
	}
	p->n++;
	return 0;
}

/* Pods by name: the runtime's io.kubernetes.pod.* labels, then /var/log/pods. */
static void pods_by_name(struct nst_follow *f, struct pod_names *p)
{
	static struct nst_container list[MAX_LISTED];
	size_t n = f->rt ? nst_runtimes_list(f->rt, list, MAX_LISTED) : 0;

	for (size_t i = 0; i < n && i < MAX_LISTED; i++)
		if (list[i].pod_uid[0] && list[i].pod_name[0])
			pod_seen(p, list[i].pod_namespace, list[i].pod_name, list[i].pod_uid);
	nst_k8s_pods(NULL, pod_seen, p);
}

/* A pod key to its uid: 0, -ENOENT, or -EINVAL (err set) when ambiguous. */
static int pod_uid_of(struct nst_follow *f, struct target *t, char *err, size_t errlen)
{
	static struct pod_names p;
	char key[NST_CTR_NAME_LEN], *slash;
	char list[1024];
	size_t off = 0;

	if (looks_like_uid(t->key)) {
		snprintf(t->id, sizeof(t->id), "%s", t->key);
		return 0;
	}
	memset(&p, 0, sizeof(p));
	snprintf(key, sizeof(key), "%s", t->key);
	slash = strchr(key, '/');
	if (slash)
		*slash = '\0';
	p.ns = slash ? key : NULL;
	p.name = slash ? slash + 1 : key;
	pods_by_name(f, &p);
	if (p.n == 1)
		snprintf(t->id, sizeof(t->id), "%s", p.uid[0]);
	if (p.n <= 1)
		return p.n ? 0 : -ENOENT;
	for (int i = 0; i < p.n && i < MAX_MATCHES && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", p.full[i]);
	snprintf(err, errlen,
		 "failed to find pod '%s': several pods have that name: %s (give "
		 "namespace/name)",
		 t->key, list);
	return -EINVAL;
}

static int find_pod(struct nst_follow *f, struct target *t, char *err, size_t errlen)
{
	static struct pod_match m;
	int ret = t->id[0] ? 0 : pod_uid_of(f, t, err, errlen);

	if (ret)
		return ret;
	memset(&m, 0, sizeof(m));
	m.uid = t->id;
	walk_cgroups(f, match_pod, &m);
	if (!m.path[0])
		return -ENOENT;
	snprintf(t->cgpath, sizeof(t->cgpath), "%s", m.path);
	return 0;
}

static int pod_not_found(struct nst_follow *f, const struct target *t, char *err, size_t errlen)
{
	static struct pod_names p;

	memset(&p, 0, sizeof(p));
	p.name = "";
	pods_by_name(f, &p);
	snprintf(err, errlen, "failed to find pod '%s': no such pod with a cgroup (pods: %s)",
		 t->key, p.alloff ? p.all : "none known");
	return -ENOENT;
}

/* The containers of a pod: each one's init, for their namespaces. */
struct pod_ctrs {
	struct nst_follow *f;
	const char *uid;
	int added;
};

static bool pod_ctr(void *ctx, const char *rel, const struct nst_identity *id)
{
	struct pod_ctrs *pc = ctx;
	struct nst_container c;
	pid_t pid = 0;

	if (!id->container[0] || strcmp(id->pod_uid, pc->uid))
		return false;
	if (pc->f->rt && nst_runtimes_by_id(pc->f->rt, id->container, &c) == NST_LOOKUP_FOUND &&
	    c.running)
		pid = c.pid;
	if (!pid)
		pid = cgroup_init_pid(pc->f, rel);
	if (pid && collect_ns_of(pc->f, pid) >= 0)
		pc->added++;
	return false;
}

/* ---- resolving and setting ---- */

/* What the target is now: 0 when its cgroup (or, for --ns-of, its pid) is known. */
static int find_target(struct nst_follow *f, struct target *t, char *err, size_t errlen)
{
	if (t->kind == T_CONTAINER)
		return find_container(f, t, err, errlen);
	if (t->kind == T_POD)
		return find_pod(f, t, err, errlen);
	return 0;
}

static int not_found(struct nst_follow *f, const struct target *t, char *err, size_t errlen)
{
	return t->kind == T_POD ? pod_not_found(f, t, err, errlen)
				: container_not_found(f, t, err, errlen);
}

static int check_keys(const struct nst_follow *f, char *err, size_t errlen)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct target *t = &f->tg[i];

		if (t->kind == T_CONTAINER && !valid_ctr_name(t->key)) {
			snprintf(err, errlen,
				 "invalid container name '%s': a name or id has letters, digits, "
				 "'_', '.' and '-' only, and starts with a letter or digit",
				 t->key);
			return -EINVAL;
		}
		if (t->kind == T_POD && !valid_pod_key(t->key)) {
			snprintf(err, errlen,
				 "invalid pod '%s': give NAME, NAMESPACE/NAME (lowercase letters, "
				 "digits, '.' and '-') or the pod's UID",
				 t->key);
			return -EINVAL;
		}
	}
	return 0;
}

static int open_runtimes(struct nst_follow *f, bool verbose)
{
	struct nst_runtime_opts ro = { .notes = verbose ? stderr : NULL };
	bool named = false;

	for (size_t i = 0; i < f->n; i++)
		named |= f->tg[i].kind != T_NS_OF;
	if (!named)
		return 0;
	f->rt = nst_runtimes_open(&ro);
	if (!f->rt)
		return -ENOMEM;
	f->rt_ready = nst_runtimes_wait(f->rt, RUNTIME_WAIT_MS) > 0;
	return 0;
}

static int ns_of_checked(struct nst_follow *f, struct target *t, char *err, size_t errlen)
{
	int ret = collect_ns_of(f, t->pid);

	if (ret == -ENOENT || ret == -ESRCH)
		snprintf(err, errlen, "failed to follow the namespaces of pid %d: no such process",
			 t->pid);
	else if (ret < 0)
		snprintf(err, errlen, "failed to follow the namespaces of pid %d: %s", t->pid,
			 strerror(-ret));
	else if (!ret)
		snprintf(err, errlen,
			 "failed to follow the namespaces of pid %d: it is in the initial "
			 "namespaces only (of the types asked for), which every process shares",
			 t->pid);
	return ret < 0 ? ret : ret ? 0 : -EINVAL;
}

/* Resolve every target now; with --wait, one not found yet stays pending. */
static int resolve(struct nst_follow *f, char *err, size_t errlen)
{
	for (size_t i = 0; i < f->n; i++) {
		struct target *t = &f->tg[i];
		int ret;

		if (t->kind == T_NS_OF) {
			ret = ns_of_checked(f, t, err, errlen);
			if (ret)
				return ret;
			continue;
		}
		ret = find_target(f, t, err, errlen);
		if (ret == -ENOENT && !f->wait)
			return not_found(f, t, err, errlen);
		if (ret && ret != -ENOENT)
			return ret;
		if (!ret && t->kind == T_CONTAINER && !t->cgpath[0] && !t->pid && !f->wait) {
			snprintf(err, errlen,
				 "failed to follow container '%s': neither its cgroup v2 directory "
				 "nor its init process was found",
				 t->key);
			return -ENOENT;
		}
	}
	return 0;
}

bool nst_follow_wanted(const struct nst_follow_opts *o)
{
	return o->nns_of || o->containers || o->pods;
}

static int add_all_targets(struct nst_follow *f, const struct nst_follow_opts *o, char *err,
			   size_t errlen)
{
	int ret = 0;

	for (int i = 0; i < o->nns_of && !ret; i++) {
		ret = add_target(f, T_NS_OF, "", 0);
		if (!ret)
			f->tg[f->n - 1].pid = o->ns_of[i];
	}
	if (!ret && o->containers)
		ret = add_targets(f, T_CONTAINER, o->containers, err, errlen);
	if (!ret && o->pods)
		ret = add_targets(f, T_POD, o->pods, err, errlen);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "failed to allocate the container filter: %s",
			 strerror(ENOMEM));
	return ret;
}

int nst_follow_prepare(const struct nst_follow_opts *o, __u32 ns_slots, bool verbose,
		       struct nst_follow **out, char *err, size_t errlen)
{
	struct nst_follow *f = calloc(1, sizeof(*f));
	int ret;

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "failed to allocate the container filter: %s",
			 strerror(errno));
		return -ENOMEM;
	}
	if (o->wait && !o->containers && !o->pods) {
		snprintf(err, errlen, "--wait needs --container or --pod (what to wait for)");
		free(f);
		return -EINVAL;
	}
	f->wait = o->wait;
	f->types = ns_slots ? nst_slots_to_types(ns_slots) : (1U << NST_T_COUNT) - 1;
	find_cgroot(f->cgroot, sizeof(f->cgroot));
	ret = add_all_targets(f, o, err, errlen);
	if (!ret)
		ret = check_keys(f, err, errlen);
	if (!ret)
		ret = nst_initial_ns(f->init_ns, err, errlen);
	if (!ret && open_runtimes(f, verbose))
		ret = -ENOMEM;
	if (!ret)
		ret = resolve(f, err, errlen);
	if (ret) {
		nst_follow_free(f);
		return ret;
	}
	*out = f;
	return 0;
}

/* ---- into the kernel ---- */

/* "/docker/<id>" is at level 2: the root is 0 */
static int cg_level(const char *rel)
{
	int level = 0;

	for (; *rel; rel++)
		level += *rel == '/';
	return level;
}

static int set_cgroup(struct nst_follow *f, struct nst_tracer *tr, struct target *t, char *err,
		      size_t errlen)
{
	char path[PATH_MAX + CGPATH_LEN];
	struct stat st;
	int ret;

	snprintf(path, sizeof(path), "%s%s", f->cgroot, t->cgpath);
	/* a cgroup v2 directory's inode number is the cgroup id the kernel reports */
	if (stat(path, &st)) {
		ret = -errno;
		snprintf(err, errlen, "failed to follow %s '%s': %s: %s",
			 t->kind == T_POD ? "pod" : "container", t->key, path, strerror(errno));
		return ret;
	}
	ret = nst_tracer_follow_cgroup(tr, st.st_ino, cg_level(t->cgpath));
	if (ret)
		snprintf(err, errlen, "failed to set the cgroup filter of '%s': %s", t->key,
			 strerror(-ret));
	t->cg_set = !ret;
	t->cg_set_ms = now_ms();
	return ret;
}

/* Every followed namespace into the map (again: adding one twice is harmless). */
static int set_namespaces(struct nst_follow *f, struct nst_tracer *tr, char *err, size_t errlen)
{
	for (size_t i = 0; i < f->nns; i++) {
		int ret = nst_tracer_follow_ns(tr, f->ns[i].flag, f->ns[i].ino);

		if (ret) {
			snprintf(err, errlen, "failed to set the namespace filter: %s",
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* The namespaces of a target that has a pid (or, for a pod, containers) now. */
static void collect_target_ns(struct nst_follow *f, struct target *t)
{
	struct pod_ctrs pc = { f, t->id, 0 };

	if (t->kind == T_POD) {
		walk_cgroups(f, pod_ctr, &pc);
		t->ns_set = pc.added > 0;
		return;
	}
	if (t->kind == T_CONTAINER && !t->pid && t->cgpath[0])
		t->pid = cgroup_init_pid(f, t->cgpath);
	if (t->pid && collect_ns_of(f, t->pid) >= 0)
		t->ns_set = true;
}

/* ---- tasks already there ---- */

static bool under_cgroup(const struct nst_follow *f, const char *path)
{
	for (size_t i = 0; i < f->n; i++) {
		size_t n = strlen(f->tg[i].cgpath);

		if (f->tg[i].cg_set && n && !strncmp(path, f->tg[i].cgpath, n) &&
		    (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

static bool pid_in_cgroups(const struct nst_follow *f, pid_t pid)
{
	char path[64], line[CGPATH_LEN + 64];
	bool in = false;
	FILE *cg;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	cg = fopen(path, "re");
	if (!cg)
		return false;
	while (!in && fgets(line, sizeof(line), cg)) {
		const char *p = nst_proc_cgroup_v2(line);

		line[strcspn(line, "\n")] = '\0';
		in = p && under_cgroup(f, p);
	}
	fclose(cg);
	return in;
}

static bool pid_in_namespaces(const struct nst_follow *f, pid_t pid)
{
	for (int t = 0; t < NST_T_COUNT && f->nns; t++) {
		__u32 ino = 0;

		if ((f->types & (1U << t)) && !read_ns_link(pid, nst_types[t].name, &ino) &&
		    ns_known(f, (__u32)nst_types[t].flag, ino))
			return true;
	}
	return false;
}

/* Trace the processes that are already in a followed cgroup or namespace. */
static void seed(const struct nst_follow *f, struct nst_tracer *tr)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;

	if (!proc)
		return;
	while ((d = readdir(proc))) {
		pid_t pid = (pid_t)strtol(d->d_name, NULL, 10);

		if (pid > 0 && (pid_in_cgroups(f, pid) || pid_in_namespaces(f, pid)))
			nst_tracer_add_pid(tr, pid);
	}
	closedir(proc);
}

/* ---- --wait ---- */

static bool target_done(const struct nst_follow *f, const struct target *t)
{
	if (t->kind == T_NS_OF)
		return true;
	if (!t->cg_set && !(t->ns_set && !t->cgpath[0]))
		return false;
	/* from its cgroup to its namespaces: runc makes them a moment later */
	return t->ns_set || now_ms() - t->cg_set_ms > INIT_WAIT_MS;
}

/* One look at a pending target: set what exists of it. */
static int wait_step(struct nst_follow *f, struct nst_tracer *tr, struct target *t, char *err,
		     size_t errlen)
{
	int ret;

	if (!t->cgpath[0] && !t->pid) {
		ret = find_target(f, t, err, errlen);
		if (ret == -ENOENT)
			return 0;
		if (ret)
			return ret;
	}
	/* its id is known before its cgroup exists: the kernel follows it from mkdir */
	if (t->kind == T_CONTAINER && strlen(t->id) == 64 && !t->awaited) {
		ret = nst_tracer_await_cgroup(tr, t->id);
		if (ret) {
			snprintf(err, errlen, "failed to await the cgroup of '%s': %s", t->key,
				 strerror(-ret));
			return ret;
		}
		t->awaited = true;
	}
	/* the cgroup first: the container's first calls come from there */
	if (t->cgpath[0] && !t->cg_set && (ret = set_cgroup(f, tr, t, err, errlen)))
		return ret;
	if (!t->ns_set) {
		if (t->kind == T_CONTAINER && f->rt && !t->pid)
			ctr_from_runtime(f, t, err, errlen);
		collect_target_ns(f, t);
		if (t->ns_set)
			return set_namespaces(f, tr, err, errlen);
	}
	return 0;
}

static bool all_done(const struct nst_follow *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (!target_done(f, &f->tg[i]))
			return false;
	return true;
}

static void say_waiting(const struct nst_follow *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (!f->tg[i].cgpath[0] && !f->tg[i].pid && f->tg[i].kind != T_NS_OF)
			fprintf(stderr, "Waiting for %s '%s' to start... Hit Ctrl-C to end.\n",
				f->tg[i].kind == T_POD ? "pod" : "container", f->tg[i].key);
}

static int wait_all(struct nst_follow *f, struct nst_tracer *tr, char *err, size_t errlen)
{
	struct timespec tick = { 0, WAIT_TICK_MS * 1000000L };

	say_waiting(f);
	while (!all_done(f)) {
		if (nst_exiting) {
			snprintf(err, errlen,
				 "interrupted while waiting for the container to start");
			return -EINTR;
		}
		for (size_t i = 0; i < f->n; i++) {
			int ret = target_done(f, &f->tg[i])
					  ? 0
					  : wait_step(f, tr, &f->tg[i], err, errlen);

			if (ret)
				return ret;
		}
		nanosleep(&tick, NULL);
	}
	return 0;
}

int nst_follow_attach(struct nst_follow *f, struct nst_tracer *tr, char *err, size_t errlen)
{
	int ret = 0;

	for (size_t i = 0; i < f->n && !ret; i++) {
		struct target *t = &f->tg[i];

		if (t->cgpath[0])
			ret = set_cgroup(f, tr, t, err, errlen);
		if (!ret && t->kind != T_NS_OF)
			collect_target_ns(f, t);
		else if (!ret)
			t->ns_set = true;
	}
	if (!ret)
		ret = set_namespaces(f, tr, err, errlen);
	if (!ret && f->wait)
		ret = wait_all(f, tr, err, errlen);
	if (!ret)
		seed(f, tr);
	return ret;
}

void nst_follow_free(struct nst_follow *f)
{
	if (!f)
		return;
	nst_runtimes_close(f->rt);
	free(f->tg);
	free(f->ns);
	free(f);
}
