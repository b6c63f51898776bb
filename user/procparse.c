// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nstypes.h"
#include "procparse.h"

/* Digits only, no sign or space, non-zero, at most 32 bits; end is where they stop. */
static int parse_u32(const char *s, __u32 *v, const char **end)
{
	unsigned long long n = 0;
	const char *p = s;

	while (*p >= '0' && *p <= '9' && p - s < 11)
		n = n * 10 + (*p++ - '0');
	if (p == s || n == 0 || n > 0xffffffffULL)
		return -1;
	*v = n;
	*end = p;
	return 0;
}

int nst_proc_ns_link(const char *link, __u64 *flag, __u32 *ino)
{
	const char *open = strchr(link, ':'), *end;
	enum nst_type type;

	if (!open || open[1] != '[' || parse_u32(open + 2, ino, &end) || strcmp(end, "]"))
		return -1;
	type = nst_type_by_name(link, open - link);
	if (type == NST_T_COUNT)
		return -1;
	*flag = nst_types[type].flag;
	return 0;
}

void nst_proc_status_line(const char *line, struct nst_task_rec *r)
{
	if (!strncmp(line, "Name:\t", 6))
		snprintf(r->comm, sizeof(r->comm), "%.*s", (int)strcspn(line + 6, "\n"), line + 6);
	else if (!strncmp(line, "Kthread:\t1", 10))
		r->kthread = 1;
	else if (sscanf(line, "PPid:\t%u", &r->ppid) == 1)
		return;
	else
		sscanf(line, "Uid:\t%*u\t%u", &r->euid);
}

pid_t nst_proc_stat_ppid(const char *stat)
{
	const char *p = strrchr(stat, ')');
	int ppid;

	/* ") S 1234 ...": after comm, the state, then the parent */
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1 || ppid < 0)
		return -1;
	return ppid;
}

/*
 * Copy one space-separated field, undoing \ooo escapes; -1 if it is empty,
 * does not fit or decodes to a NUL, which no path the kernel prints holds.
 */
static int copy_field(const char **s, char *out, size_t len)
{
	const char *p = *s;
	size_t n = 0;

	if (!len)
		return -1;
	while (*p && *p != ' ' && *p != '\n') {
		char c = *p++;

		if (c == '\\' && p[0] >= '0' && p[0] <= '3' && p[1] >= '0' && p[1] <= '7' &&
		    p[2] >= '0' && p[2] <= '7') {
			c = (p[0] - '0') << 6 | (p[1] - '0') << 3 | (p[2] - '0');
			p += 3;
		}
		if (!c || n + 1 >= len)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	*s = p;
	return n ? 0 : -1;
}

static const char *skip_fields(const char *p, int n)
{
	while (n-- > 0) {
		p += strcspn(p, " ");
		if (*p != ' ')
			return NULL;
		p++;
	}
	return p;
}

int nst_mountinfo_nsfs(const char *line, char *root, size_t rlen, char *mnt, size_t mlen)
{
	/* "36 35 0:4 net:[4026532281] /run/netns/a rw,... shared:5 - nsfs nsfs rw" */
	const char *sep = strstr(line, " - "), *p = skip_fields(line, 3);

	if (!sep || !p || strncmp(sep + 3, "nsfs ", 5) || copy_field(&p, root, rlen) ||
	    *p++ != ' ' || copy_field(&p, mnt, mlen) || p > sep)
		return -1;
	return 0;
}

const char *nst_proc_cgroup_v2(const char *line)
{
	return strncmp(line, "0::", 3) ? NULL : line + 3;
}

void nst_proc_cmdline_join(char *buf, size_t len)
{
	/* a trailing NUL ends the last argument: it stays */
	for (size_t i = 0; i + 1 < len; i++)
		if (!buf[i])
			buf[i] = ' ';
}
