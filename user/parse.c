// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"

int nst_parse_long(const char *s, long min, long max, const char *what, long *out, char *err,
		   size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		snprintf(err, errlen, "invalid %s '%s': expected a whole number from %ld to %ld",
			 what, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int nst_parse_pids(const char *s, pid_t *pids, int max, int *n, char *err, size_t errlen)
{
	const char *p = s;

	*n = 0;
	if (!*s) {
		snprintf(err, errlen, "invalid pid '': expected a process id such as 1234");
		return -1;
	}
	while (*p) {
		const char *end = strchrnul(p, ',');
		char tok[32];
		long v;

		if ((size_t)(end - p) >= sizeof(tok) || end == p) {
			snprintf(err, errlen, "invalid pid list '%s': expected pids separated by "
				 "commas, such as 1234,5678", s);
			return -1;
		}
		memcpy(tok, p, end - p);
		tok[end - p] = '\0';
		if (nst_parse_long(tok, 1, INT_MAX, "pid", &v, err, errlen))
			return -1;
		if (*n == max) {
			snprintf(err, errlen, "too many pids: at most %d", max);
			return -1;
		}
		pids[(*n)++] = v;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* A number followed by one of the given unit suffixes. */
static int parse_scaled(const char *s, const char *const *units, const long long *scale,
			long long *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	for (int i = 0; units[i]; i++) {
		if (strcmp(end, units[i]))
			continue;
		if (v * scale[i] > (double)LLONG_MAX / 2)
			return -1;
		*out = (long long)(v * scale[i]);
		return 0;
	}
	return -1;
}

int nst_parse_duration_ms(const char *s, long long *ms, char *err, size_t errlen)
{
	static const char *const units[] = { "", "s", "ms", "m", "h", NULL };
	static const long long scale[] = { 1000, 1000, 1, 60000, 3600000 };

	if (parse_scaled(s, units, scale, ms) || *ms <= 0) {
		snprintf(err, errlen, "invalid duration '%s': expected a positive number with an "
			 "optional unit ms, s, m or h (such as 10s or 500ms)", s);
		return -1;
	}
	return 0;
}

int nst_parse_size(const char *s, size_t *bytes, char *err, size_t errlen)
{
	static const char *const units[] = { "", "K", "KiB", "M", "MiB", "G", "GiB", NULL };
	static const long long scale[] = { 1, 1 << 10, 1 << 10, 1 << 20, 1 << 20, 1 << 30, 1 << 30 };
	long long v;

	if (parse_scaled(s, units, scale, &v) || v <= 0) {
		snprintf(err, errlen, "invalid size '%s': expected a positive number with an "
			 "optional unit K, M or G (such as 8M)", s);
		return -1;
	}
	*bytes = v;
	return 0;
}
