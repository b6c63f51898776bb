/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The runtime core: creates namespaces (clone3, unshare) and joins them
 * (setns by pidfd or per-type fd). nstrace run, nstrace bench, the demo and
 * the tests all start their children through it.
 */
#ifndef NSTRACE_NSRT_H
#define NSTRACE_NSRT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/* "PID:TYPES" as --join takes it, such as "4242:net,uts". */
int nsrt_parse_join(const char *s, pid_t *pid, __u64 *types, char *err, size_t errlen);

/* What a child is started with. Zero-initialise, then set what you need. */
struct nsrt_spec {
	__u64 new_ns; /* CLONE_NEW* flags for clone3 */
	pid_t join_pid; /* join namespaces of this process (0: none) */
	__u64 join_ns; /* which of its types to join */
	bool map_root; /* write uid_map/gid_map: caller becomes root */
	bool mount_proc; /* new pid+mnt: mount a fresh /proc */
	const char *hostname; /* new uts: set this hostname */
	/*
	 * Child body: either argv to execvp, or fn(arg) whose return value is
	 * the exit status. The child waits on its end of an internal socketpair
	 * until the parent has written the id maps, so setup is race-free.
	 */
	char *const *argv;
	int (*fn)(void *arg);
	void *arg;
};

/* A started child. */
struct nsrt_child {
	pid_t pid;
	int pidfd; /* O_CLOEXEC pidfd of the child */
};

/*
 * A set-uid or set-gid nstrace would let any user start commands in new
 * namespaces as root: returns -EPERM with a message when the real and
 * effective ids differ, else 0.
 */
int nsrt_refuse_setid(char *err, size_t errlen);

/*
 * Start a child per spec with clone3(CLONE_PIDFD | new_ns). Joining happens in
 * the child before it runs the body: setns(pidfd, join_ns) where the kernel
 * supports it (5.8+), else one setns per /proc/PID/ns/TYPE fd. Returns 0, or
 * -errno with a "failed to X: reason" message in err.
 */
int nsrt_spawn(const struct nsrt_spec *spec, struct nsrt_child *child, char *err, size_t errlen);

/* Wait for the child; returns its exit status (128+sig if killed), or -errno. */
int nsrt_wait(struct nsrt_child *child);

/* Raw clone3 that returns like fork(): 0 in the child. pidfd may be NULL. */
pid_t nsrt_clone3(__u64 flags, int *pidfd);

/* Open /proc/PID/ns/NAME with O_RDONLY|O_CLOEXEC; pid 0 means self. */
int nsrt_open_ns(pid_t pid, const char *name);

/* st_ino of /proc/PID/ns/NAME, or 0 when it cannot be read. */
__u64 nsrt_ns_ino(pid_t pid, const char *name);

/* Write "0 UID 1" style maps for pid (deny setgroups first). */
int nsrt_map_root(pid_t pid, uid_t outer_uid, gid_t outer_gid, char *err, size_t errlen);

/*
 * A child body that holds its namespaces until the parent closes a pipe:
 * arg is the int[2] of pipe2(O_CLOEXEC). A pod's infra process.
 */
int nsrt_hold_until_eof(void *arg);

#endif /* NSTRACE_NSRT_H */
