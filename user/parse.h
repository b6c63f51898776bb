/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Parsers for command-line values. Each returns 0, or -1 with a specific
 * message in err saying what was wrong and what is expected.
 */
#ifndef NSTRACE_PARSE_H
#define NSTRACE_PARSE_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#define NST_MAX_PIDS 64

/* "1,2,4": at most maxn whole numbers in [min, max]; what names them in messages. */
int nst_parse_int_list(const char *s, int min, int max, const char *what, int *vals, int maxn,
		       int *n, char *err, size_t errlen);
/* "123" or "123,456": positive pids that fit pid_t. */
int nst_parse_pids(const char *s, pid_t *pids, int max, int *n, char *err, size_t errlen);
/* A positive integer in [min, max]; what names the option in messages. */
int nst_parse_long(const char *s, long min, long max, const char *what, long *out, char *err,
		   size_t errlen);
/* "10", "10s", "500ms", "2m", "1h" into milliseconds (> 0). */
int nst_parse_duration_ms(const char *s, long long *ms, char *err, size_t errlen);
/* "8M", "512K", "4096" into bytes. */
int nst_parse_size(const char *s, size_t *bytes, char *err, size_t errlen);

/* "IP:PORT" or "[IPv6]:PORT" into a socket address, for --listen. */
int nst_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
		     size_t errlen);

#endif /* NSTRACE_PARSE_H */
