/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by the kselftest-harness tests. */
#ifndef NSTRACE_NST_TEST_H
#define NSTRACE_NST_TEST_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

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

/* st_ino of /proc/PID/ns/NAME (pid 0: self), 0 if it cannot be read. */
static inline ino_t nst_ns_ino(pid_t pid, const char *name)
{
	char path[64];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return stat(path, &st) ? 0 : st.st_ino;
}

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
