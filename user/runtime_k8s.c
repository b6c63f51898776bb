// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Kubernetes pod names without the API server: the kubelet keeps each
 * pod's container logs in /var/log/pods/<namespace>_<name>_<uid>/. Names
 * and namespaces are DNS labels and subdomains, which have no '_', so the
 * first and the last '_' split a directory name unambiguously.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime.h"

#define PODS_LOG_DIR "/var/log/pods"

/* "<ns>_<name>_<uid>": true, with the parts, when the uid is uid */
static bool split_pod_dir(const char *dir, const char *uid, const char **name, size_t *namelen,
			  size_t *nslen)
{
	const char *first = strchr(dir, '_'), *last = strrchr(dir, '_');

	if (!first || first == last || first == dir || last == first + 1 || strcmp(last + 1, uid))
		return false;
	*nslen = (size_t)(first - dir);
	*name = first + 1;
	*namelen = (size_t)(last - first - 1);
	return true;
}

int nst_k8s_pod_by_uid(const char *root, const char *uid, char *name, size_t namelen, char *ns,
		       size_t nslen)
{
	const char *env = getenv("NSTRACE_PODS_LOG_DIR");
	const struct dirent *d;
	int ret = -ENOENT;
	DIR *dir;

	if (!root)
		root = env && *env ? env : PODS_LOG_DIR;
	if (!uid[0] || !(dir = opendir(root)))
		return -ENOENT;
	while (ret && (d = readdir(dir))) {
		const char *n;
		size_t nl, sl;

		if (!split_pod_dir(d->d_name, uid, &n, &nl, &sl) || nl >= namelen || sl >= nslen)
			continue;
		snprintf(name, namelen, "%.*s", (int)nl, n);
		snprintf(ns, nslen, "%.*s", (int)sl, d->d_name);
		ret = 0;
	}
	closedir(dir);
	return ret;
}

/* "<ns>_<name>_<uid>" split into its three parts; false when it is not one */
static bool split_any_pod_dir(const char *dir, char *ns, size_t nslen, char *name, size_t namelen,
			      char *uid, size_t uidlen)
{
	const char *first = strchr(dir, '_'), *last = strrchr(dir, '_');

	if (!first || first == last || first == dir || last == first + 1 || !last[1] ||
	    (size_t)(first - dir) >= nslen || (size_t)(last - first - 1) >= namelen ||
	    strlen(last + 1) >= uidlen)
		return false;
	snprintf(ns, nslen, "%.*s", (int)(first - dir), dir);
	snprintf(name, namelen, "%.*s", (int)(last - first - 1), first + 1);
	snprintf(uid, uidlen, "%s", last + 1);
	return true;
}

int nst_k8s_pods(const char *root, nst_k8s_pod_fn fn, void *ctx)
{
	const char *env = getenv("NSTRACE_PODS_LOG_DIR");
	char ns[64], name[256], uid[64];
	const struct dirent *d;
	int n = 0;
	DIR *dir;

	if (!root)
		root = env && *env ? env : PODS_LOG_DIR;
	if (!(dir = opendir(root)))
		return -errno;
	while ((d = readdir(dir))) {
		if (!split_any_pod_dir(d->d_name, ns, sizeof(ns), name, sizeof(name), uid,
				       sizeof(uid)))
			continue;
		n++;
		if (fn(ctx, ns, name, uid))
			break;
	}
	closedir(dir);
	return n;
}
