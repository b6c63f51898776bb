/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by the kselftest-harness tests. */
#ifndef NSTRACE_NST_TEST_H
#define NSTRACE_NST_TEST_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * A privileged test skips when not root, except under CI=true, where a
 * skip would hide a broken environment: there it fails.
 */
#define NST_REQUIRE_ROOT(_metadata)                                                          \
	do {                                                                                 \
		if (geteuid() != 0) {                                                        \
			const char *ci = getenv("CI");                                       \
			if (ci && !strcmp(ci, "true"))                                       \
				ASSERT_EQ(0, geteuid())                                      \
				TH_LOG("CI=true: this privileged test must run as root");   \
			SKIP(return, "needs root (fails instead under CI=true)");             \
		}                                                                            \
	} while (0)

/* Block for one byte from fd; true when it came. */
static inline bool nst_sync_wait(int fd)
{
	char c;

	return read(fd, &c, 1) == 1;
}

static inline bool nst_sync_wake(int fd)
{
	return write(fd, "x", 1) == 1;
}

#endif /* NSTRACE_NST_TEST_H */
