// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Container and pod identity from cgroup paths. Every runtime names the
 * cgroup of a container after it, one path component, in a form of its
 * own; the table below lists those forms, and docs/containers.md shows a
 * sample of each.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "identity.h"

enum id_form {
	ID_HEX, /* 12 or more hex digits (a scope name carries the full id) */
	ID_HEX64, /* a full 64-hex id: a bare directory is taken for one only so */
	ID_NAME, /* the rest of the component, as it is */
	ID_SYSTEMD_NAME, /* systemd unit-name escaped: "\x2d" for '-' */
};

/* "<prefix><id><suffix>" as one component, optionally right below parent */
struct layout {
	const char *parent;
	const char *prefix;
	const char *suffix;
	enum id_form form;
	enum nst_runtime_kind runtime;
};

/*
 * First match wins within a component; a deeper component that matches
 * replaces what a shallower one found (a container inside a container is
 * the inner one). Monitors are not containers and fail their row's id
 * test: crio-conmon-<id>, libpod-conmon-<id>, lxc.monitor.<name>.
 */
static const struct layout layouts[] = {
	/* systemd cgroup driver: a transient scope per container */
	{ NULL, "docker-", ".scope", ID_HEX, NST_RT_DOCKER },
	{ NULL, "cri-containerd-", ".scope", ID_HEX, NST_RT_CONTAINERD },
	{ NULL, "nerdctl-", ".scope", ID_HEX, NST_RT_CONTAINERD },
	{ NULL, "crio-", ".scope", ID_HEX, NST_RT_CRIO },
	{ NULL, "libpod-", ".scope", ID_HEX, NST_RT_PODMAN },
	{ NULL, "machine-", ".scope", ID_SYSTEMD_NAME, NST_RT_NSPAWN },
	/* cgroupfs driver: a directory per container */
	{ "docker", "", "", ID_HEX64, NST_RT_DOCKER },
	{ NULL, "crio-", "", ID_HEX, NST_RT_CRIO },
	{ NULL, "libpod-", "", ID_HEX, NST_RT_PODMAN },
	{ NULL, "lxc.payload.", "", ID_NAME, NST_RT_LXC },
	{ "lxc", "", "", ID_NAME, NST_RT_LXC },
	/* kubepods/.../pod<uid>/<id>, --cgroup-parent, containerd namespaces */
	{ NULL, "", "", ID_HEX64, NST_RT_UNKNOWN },
};

static const char *const runtime_names[] = {
	[NST_RT_NONE] = "",	    [NST_RT_UNKNOWN] = "unknown",
	[NST_RT_DOCKER] = "docker", [NST_RT_CONTAINERD] = "containerd",
	[NST_RT_CRIO] = "cri-o",    [NST_RT_PODMAN] = "podman",
	[NST_RT_NSPAWN] = "nspawn", [NST_RT_LXC] = "lxc",
	[NST_RT_CRI] = "cri",
};

const char *nst_runtime_kind_name(enum nst_runtime_kind kind)
{
	if ((unsigned int)kind >= sizeof(runtime_names) / sizeof(runtime_names[0]))
		return "";
	return runtime_names[kind];
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool nst_is_container_id(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 && all_hex(s, n);
}

static bool has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);

	return n >= pl && !strncmp(s, prefix, pl);
}

static bool has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t sl = strlen(suffix);

	return n >= sl && !strncmp(s + n - sl, suffix, sl);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A name as it is; false when it could not be one (or does not fit). */
static bool copy_name(const char *s, size_t n, char *out, size_t outlen)
{
	if (!n || n >= outlen)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]))
			return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* Undo systemd's unit-name escaping ("\x2d" is '-'), then as copy_name. */
static bool unescape_name(const char *s, size_t n, char *out, size_t outlen)
{
	char buf[NST_CONTAINER_LEN] = "";
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (len + 1 >= sizeof(buf))
			return false;
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    (hi = hex_value(s[i + 2])) >= 0 && (lo = hex_value(s[i + 3])) >= 0) {
			buf[len++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			buf[len++] = s[i];
		}
	}
	if (memchr(buf, '/', len))
		return false;
	/* libvirt registers its virtual machines as machines too: not containers */
	if (len >= 5 && !strncmp(buf, "qemu-", 5))
		return false;
	return copy_name(buf, len, out, outlen);
}

static bool take_id(const struct layout *l, const char *s, size_t n, char *out, size_t outlen)
{
	switch (l->form) {
	case ID_HEX:
		return n >= 12 && n <= 64 && all_hex(s, n) && copy_name(s, n, out, outlen);
	case ID_HEX64:
		return n == 64 && all_hex(s, n) && copy_name(s, n, out, outlen);
	case ID_NAME:
		return copy_name(s, n, out, outlen);
	case ID_SYSTEMD_NAME:
		return unescape_name(s, n, out, outlen);
	}
	return false;
}

/* Match one component against the table; fills id and returns true on a hit. */
static bool match_component(const char *parent, size_t parentlen, const char *comp, size_t n,
			    struct nst_identity *id)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout *l = &layouts[i];
		size_t pl = strlen(l->prefix), sl = strlen(l->suffix);

		if (l->parent &&
		    (parentlen != strlen(l->parent) || strncmp(parent, l->parent, parentlen)))
			continue;
		if (n <= pl + sl || !has_prefix(comp, n, l->prefix) ||
		    !has_suffix(comp, n, l->suffix))
			continue;
		if (take_id(l, comp + pl, n - pl - sl, id->container, sizeof(id->container))) {
			id->runtime = l->runtime;
			return true;
		}
	}
	return false;
}

/*
 * The pod uid from "pod<uid>" (cgroupfs) or "kubepods[-<qos>]-pod<uid>.slice"
 * (systemd, which writes the uid's '-' as '_').
 */
static bool match_pod(const char *comp, size_t n, char *pod, size_t plen)
{
	const char *p = NULL;

	if (has_prefix(comp, n, "pod"))
		p = comp + 3;
	else if (has_prefix(comp, n, "kubepods"))
		for (size_t i = 0; i + 4 <= n; i++)
			if (!strncmp(comp + i, "-pod", 4))
				p = comp + i + 4;
	if (!p)
		return false;
	n -= (size_t)(p - comp);
	if (has_suffix(p, n, ".slice"))
		n -= 6;
	if (n < 8 || n >= plen)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] != '-' && p[i] != '_' && !isxdigit((unsigned char)p[i]))
			return false;
	for (size_t i = 0; i < n; i++)
		pod[i] = p[i] == '_' ? '-' : p[i];
	pod[n] = '\0';
	return true;
}

static void clear_identity(struct nst_identity *id)
{
	id->runtime = NST_RT_NONE;
	id->container[0] = '\0';
	id->pod_uid[0] = '\0';
}

/* path is n bytes, not necessarily terminated (a line of /proc/PID/cgroup) */
static bool identity_from_path(const char *path, size_t n, struct nst_identity *id)
{
	const char *end = path + n, *parent = "", *p = path;
	size_t parentlen = 0;
	bool kubepods = false;

	clear_identity(id);
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t len = slash ? (size_t)(slash - p) : (size_t)(end - p);

		if (has_prefix(p, len, "kubepods"))
			kubepods = true;
		if (len) {
			match_component(parent, parentlen, p, len, id);
			if (kubepods)
				match_pod(p, len, id->pod_uid, sizeof(id->pod_uid));
			parent = p;
			parentlen = len;
		}
		p = slash ? slash + 1 : end;
	}
	/* a bare id in a pod: the path does not say which CRI runtime made it */
	if (id->runtime == NST_RT_UNKNOWN && id->pod_uid[0])
		id->runtime = NST_RT_CRI;
	return id->container[0] || id->pod_uid[0];
}

bool nst_identity_from_cgpath(const char *path, struct nst_identity *id)
{
	return identity_from_path(path, strlen(path), id);
}

/* Lower is preferred; -1: a hierarchy that is never used for identity. */
static int hierarchy_rank(const char *ctl, size_t n)
{
	static const char *const wanted[] = { "pids", "memory", "cpu" };
	const char *end = ctl + n;

	if (!n)
		return 0; /* "0::", the unified hierarchy */
	if (has_prefix(ctl, n, "name=systemd") && n == 12)
		return 1;
	if (has_prefix(ctl, n, "name="))
		return 2;
	for (size_t w = 0; w < sizeof(wanted) / sizeof(wanted[0]); w++)
		for (const char *c = ctl; c < end;) {
			const char *comma = memchr(c, ',', (size_t)(end - c));
			size_t len = comma ? (size_t)(comma - c) : (size_t)(end - c);

			if (len == strlen(wanted[w]) && !strncmp(c, wanted[w], len))
				return 3 + (int)w;
			c = comma ? comma + 1 : end;
		}
	return -1;
}

bool nst_identity_from_proc_cgroup(const char *text, struct nst_identity *id)
{
	struct nst_identity cand;
	int best = -1;

	clear_identity(id);
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		const char *eol = nl ? nl : line + strlen(line);
		/* "hierarchy-ID:controller-list:cgroup-path" */
		const char *c1 = memchr(line, ':', (size_t)(eol - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
		int rank = c2 ? hierarchy_rank(c1 + 1, (size_t)(c2 - c1 - 1)) : -1;

		if (rank >= 0 && (best < 0 || rank < best) &&
		    identity_from_path(c2 + 1, (size_t)(eol - c2 - 1), &cand)) {
			*id = cand;
			best = rank;
		}
		line = nl ? nl + 1 : eol;
	}
	return best >= 0;
}

int nst_identity_of_pid(pid_t pid, struct nst_identity *id)
{
	char path[64], buf[16384];
	size_t len = 0;
	ssize_t n = 0;
	int fd;

	clear_identity(id);
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len + 1 < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	n = n < 0 ? -errno : 0;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[len] = '\0';
	nst_identity_from_proc_cgroup(buf, id);
	return 0;
}
