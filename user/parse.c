// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
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

int nst_parse_int_list(const char *s, int min, int max, const char *what, int *vals, int maxn,
		       int *n, char *err, size_t errlen)
{
	const char *p = s, *end;

	*n = 0;
	for (;; p = end + 1) {
		char tok[32];
		long v;

		end = strchrnul(p, ',');
		if ((size_t)(end - p) >= sizeof(tok) || end == p) {
			snprintf(err, errlen,
				 "invalid %s list '%s': expected numbers separated by "
				 "commas, such as %d,%d",
				 what, s, min, max > min ? min + 1 : min);
			return -1;
		}
		memcpy(tok, p, end - p);
		tok[end - p] = '\0';
		if (nst_parse_long(tok, min, max, what, &v, err, errlen))
			return -1;
		if (*n == maxn) {
			snprintf(err, errlen, "too many %s values: at most %d", what, maxn);
			return -1;
		}
		vals[(*n)++] = v;
		if (!*end)
			return 0;
	}
}

int nst_parse_pids(const char *s, pid_t *pids, int max, int *n, char *err, size_t errlen)
{
	return nst_parse_int_list(s, 1, INT_MAX, "pid", pids, max, n, err, errlen);
}

/* A number followed by one of the given unit suffixes. */
static int parse_scaled(const char *s, const char *const *units, const long long *scale,
			long long *out)
{
	char *end;
	double v;

	/* plain decimals only: strtod would also take "nan", "inf", "1e3" and hex */
	size_t digits = strspn(s, "0123456789.");

	if (!digits)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (end != s + digits || errno || !isfinite(v) || v < 0)
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
		snprintf(err, errlen,
			 "invalid duration '%s': expected a positive number with an "
			 "optional unit ms, s, m or h (such as 10s or 500ms)",
			 s);
		return -1;
	}
	return 0;
}

int nst_parse_size(const char *s, size_t *bytes, char *err, size_t errlen)
{
	static const char *const units[] = { "", "K", "KiB", "M", "MiB", "G", "GiB", NULL };
	static const long long scale[] = {
		1, 1 << 10, 1 << 10, 1 << 20, 1 << 20, 1 << 30, 1 << 30
	};
	long long v;

	if (parse_scaled(s, units, scale, &v) || v <= 0) {
		snprintf(err, errlen,
			 "invalid size '%s': expected a positive number with an "
			 "optional unit K, M or G (such as 8M)",
			 s);
		return -1;
	}
	*bytes = v;
	return 0;
}

/* "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464" */
int nst_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
		     size_t errlen)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	const char *colon;
	char host[64];
	long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - s - 1), s + 1);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host) || strchr(s, ':') != colon)
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	}
	if (nst_parse_long(colon + 1, 1, 65535, "port", &port, err, errlen))
		return -1;
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
bad:
	snprintf(err, errlen,
		 "invalid --listen '%s': expected IP:PORT, such as 127.0.0.1:9464 or "
		 "[::1]:9464",
		 s);
	return -1;
}
