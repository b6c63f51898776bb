// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: every command-line value parser (pids, counts, lists of
 * numbers, namespace types, --join, durations, sizes, columns, --listen) on
 * the same string. Besides not crashing, each either fails with a message or
 * returns a value inside its documented range.
 */
#include <limits.h>
#include <sched.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "event.h"
#include "fuzz.h"
#include "nsrt.h"
#include "parse.h"

#define ALL_TYPES                                                                                  \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUSER | \
	 CLONE_NEWCGROUP | 0x80ULL)

static void numbers(const char *s)
{
	pid_t pids[NST_MAX_PIDS];
	int vals[4], n = -1;
	char err[256] = "";
	long v;

	if (nst_parse_pids(s, pids, NST_MAX_PIDS, &n, err, sizeof(err)) == 0) {
		MUST(n >= 1 && n <= NST_MAX_PIDS);
		for (int i = 0; i < n; i++)
			MUST(pids[i] >= 1);
	} else {
		must_have_message(err, sizeof(err));
	}
	err[0] = '\0';
	if (nst_parse_int_list(s, 1, 1024, "job count", vals, 4, &n, err, sizeof(err)) == 0) {
		MUST(n >= 1 && n <= 4);
		for (int i = 0; i < n; i++)
			MUST(vals[i] >= 1 && vals[i] <= 1024);
	} else {
		must_have_message(err, sizeof(err));
	}
	err[0] = '\0';
	if (nst_parse_long(s, -5, 64, "--top", &v, err, sizeof(err)) == 0)
		MUST(v >= -5 && v <= 64);
	else
		must_have_message(err, sizeof(err));
}

static void types(const char *s)
{
	char err[256] = "", again[128];
	__u64 flags, flags2;
	__u32 slots;
	pid_t pid;

	if (nst_parse_types(s, &flags, err, sizeof(err)) == 0) {
		/* what is printed parses back to the same set */
		MUST(flags && !(flags & ~ALL_TYPES));
		nst_format_types(flags, again, sizeof(again));
		MUST(nst_parse_types(again, &flags2, err, sizeof(err)) == 0 && flags2 == flags);
	} else {
		must_have_message(err, sizeof(err));
	}
	err[0] = '\0';
	if (nst_parse_slots(s, &slots, err, sizeof(err)) == 0)
		MUST(slots && slots < 1U << NST_NS_COUNT);
	else
		must_have_message(err, sizeof(err));
	err[0] = '\0';
	if (nsrt_parse_join(s, &pid, &flags, err, sizeof(err)) == 0)
		MUST(pid >= 1 && flags && !(flags & ~ALL_TYPES));
	else
		must_have_message(err, sizeof(err));
}

static void units(const char *s)
{
	struct nst_colset cols = { 0 };
	char err[256] = "";
	long long ms;
	size_t bytes;

	if (nst_parse_duration_ms(s, &ms, err, sizeof(err)) == 0)
		MUST(ms > 0);
	else
		must_have_message(err, sizeof(err));
	err[0] = '\0';
	if (nst_parse_size(s, &bytes, err, sizeof(err)) == 0)
		MUST(bytes > 0);
	else
		must_have_message(err, sizeof(err));
	err[0] = '\0';
	if (nst_colset_parse(&cols, s, err, sizeof(err)) == 0)
		MUST(cols.n <= NST_MAX_COLS);
	else
		must_have_message(err, sizeof(err));
}

static void listen_addr(const char *s)
{
	struct sockaddr_storage ss;
	char err[256] = "";
	socklen_t len;

	if (nst_parse_listen(s, &ss, &len, err, sizeof(err))) {
		must_have_message(err, sizeof(err));
		return;
	}
	if (ss.ss_family == AF_INET)
		MUST(len == sizeof(struct sockaddr_in) &&
		     ntohs(((struct sockaddr_in *)&ss)->sin_port) >= 1);
	else
		MUST(ss.ss_family == AF_INET6 && len == sizeof(struct sockaddr_in6) &&
		     ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);

	if (!s)
		return 0;
	numbers(s);
	types(s);
	units(s);
	listen_addr(s);
	free(s);
	return 0;
}
