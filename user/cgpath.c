// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cgpath.h"

static bool is_hex_id(const char *s, size_t n)
{
	if (n < 12)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "<prefix><id>.scope" as one path component; returns the id length or 0. */
static size_t scope_id(const char *comp, size_t n, const char **id)
{
	static const char *const prefixes[] = { "docker-", "cri-containerd-", "crio-", "libpod-" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i]);

		if (n > pl + 6 && !strncmp(comp, prefixes[i], pl) &&
		    !strncmp(comp + n - 6, ".scope", 6) && is_hex_id(comp + pl, n - pl - 6)) {
			*id = comp + pl;
			return n - pl - 6;
		}
	}
	/* cgroupfs drivers use the bare id as the directory name */
	if (n == 64 && is_hex_id(comp, n)) {
		*id = comp;
		return n;
	}
	return 0;
}

/* "...pod<uid>" or "...pod<uid>.slice": the uid, with systemd's '_' as '-'. */
static void pod_uid(const char *comp, size_t n, char *pod, size_t plen)
{
	const char *p = NULL;

	/* systemd: kubepods-<qos>-pod<uid>.slice; cgroupfs: pod<uid> */
	if (!strncmp(comp, "pod", 3))
		p = comp + 3;
	else if (!strncmp(comp, "kubepods", 8))
		for (size_t i = 0; i + 3 < n; i++)
			if (!strncmp(comp + i, "-pod", 4))
				p = comp + i + 4;
	if (!p)
		return;
	n -= p - comp;
	if (n > 6 && !strncmp(p + n - 6, ".slice", 6))
		n -= 6;
	if (n < 8 || n >= plen)
		return;
	for (size_t i = 0; i < n; i++)
		pod[i] = p[i] == '_' ? '-' : p[i];
	pod[n] = '\0';
}

void nst_cgpath_parse(const char *path, char *container, size_t clen, char *pod, size_t plen)
{
	const char *p = path;

	if (clen)
		container[0] = '\0';
	if (plen)
		pod[0] = '\0';
	while (p && *p) {
		const char *end = strchr(p, '/'), *id;
		size_t n = end ? (size_t)(end - p) : strlen(p), idlen;

		if ((idlen = scope_id(p, n, &id)) && idlen < clen)
			snprintf(container, clen, "%.*s", (int)idlen, id);
		if (strstr(path, "kubepods"))
			pod_uid(p, n, pod, plen);
		p = end ? end + 1 : NULL;
	}
}
