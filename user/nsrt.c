// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include "nsrt.h"
#include "nstypes.h"
#include "parse.h"

int nsrt_parse_join(const char *s, pid_t *pid, __u64 *types, char *err, size_t errlen)
{
	const char *colon = strchr(s, ':');
	char num[32];
	long v;

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(num)) {
		snprintf(err, errlen,
			 "invalid --join '%s': expected PID:TYPES, such as 4242:net,uts", s);
		return -1;
	}
	memcpy(num, s, colon - s);
	num[colon - s] = '\0';
	if (nst_parse_long(num, 1, 0x7fffffff, "pid", &v, err, errlen))
		return -1;
	*pid = v;
	return nst_parse_types(colon + 1, types, err, errlen);
}

pid_t nsrt_clone3(__u64 flags, int *pidfd)
{
	struct clone_args args = {
		.flags = flags | (pidfd ? CLONE_PIDFD : 0),
		.pidfd = (__u64)(unsigned long)pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t pid = syscall(SYS_clone3, &args, sizeof(args));

	/*
	 * clone(2) where clone3 is missing: kernels before 5.3, seccomp
	 * profiles that answer ENOSYS (Docker's default), and valgrind.
	 * The pidfd goes where the parent tid would, as on x86-64 and arm64.
	 */
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, args.flags | SIGCHLD, NULL, pidfd, NULL, 0);
	return pid;
}

int nsrt_open_ns(pid_t pid, const char *name)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

__u64 nsrt_ns_ino(pid_t pid, const char *name)
{
	char path[64];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return stat(path, &st) ? 0 : st.st_ino;
}

static int write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -errno;
}

int nsrt_map_root(pid_t pid, uid_t outer_uid, gid_t outer_gid, char *err, size_t errlen)
{
	char map[64];
	int ret;

	/* an unprivileged writer of gid_map must give up setgroups first */
	ret = write_file(pid, "setgroups", "deny");
	if (ret && ret != -ENOENT)
		goto fail;
	snprintf(map, sizeof(map), "0 %u 1\n", outer_uid);
	if ((ret = write_file(pid, "uid_map", map)))
		goto fail;
	snprintf(map, sizeof(map), "0 %u 1\n", outer_gid);
	if ((ret = write_file(pid, "gid_map", map)))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "failed to write id maps of pid %d: %s", pid, strerror(-ret));
	return ret;
}

/* The user namespace first: joining it grants the rights to join the rest. */
static int join_by_fds(pid_t pid, __u64 types)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < NST_T_COUNT; i++) {
			const struct nst_type_info *t = &nst_types[nst_types_lsns[i]];
			bool is_user = t->flag == CLONE_NEWUSER;
			int fd, ret;

			if (!(types & t->flag) || is_user != (pass == 0))
				continue;
			fd = nsrt_open_ns(pid, t->name);
			if (fd < 0)
				return -errno;
			ret = setns(fd, t->flag);
			close(fd);
			if (ret)
				return -errno;
		}
	}
	return 0;
}

/*
 * Join by pidfd, opened by whoever knows the pid: inside a new pid namespace
 * the target's pid means nothing, so nsrt_spawn opens it before clone3.
 */
static int join_pidfd(int pidfd, pid_t pid, __u64 types)
{
	/* one atomic setns by pidfd where the kernel has it (5.8+) */
	if (!setns(pidfd, types))
		return 0;
	if (errno != EINVAL)
		return -errno;
	return join_by_fds(pid, types);
}

/* What the child reports back when a setup step fails. */
struct child_error {
	int err;
	char step[64];
};

static void child_fail(int sock, const char *step)
{
	struct child_error ce = { .err = errno };

	snprintf(ce.step, sizeof(ce.step), "%s", step);
	if (write(sock, &ce, sizeof(ce)) < 0)
		_exit(127);
	_exit(127);
}

static int run_body(const struct nsrt_spec *spec)
{
	/* child_main() has exec'd argv already: only a function is left */
	return spec->fn(spec->arg);
}

/* Joining a pid namespace only places our children in it: fork once more. */
static int fork_into_pid_ns(int sock, const struct nsrt_spec *spec)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		child_fail(sock, "fork into the joined pid namespace");
	if (pid == 0)
		return 0;
	close(sock);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int setup_mounts(int sock, const struct nsrt_spec *spec)
{
	if (!spec->mount_proc)
		return 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		child_fail(sock, "make / private");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		child_fail(sock, "mount /proc");
	return 0;
}

static void child_main(int sock, int join_fd, const struct nsrt_spec *spec)
{
	char c;
	int ret;

	/* wait until the parent has written the id maps */
	if (read(sock, &c, 1) != 1)
		_exit(127);
	if (join_fd >= 0) {
		ret = join_pidfd(join_fd, spec->join_pid, spec->join_ns);
		close(join_fd);
		if (ret) {
			errno = -ret;
			child_fail(sock, "join namespaces");
		}
	}
	if (spec->join_pid && (spec->join_ns & CLONE_NEWPID))
		fork_into_pid_ns(sock, spec);
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)))
		child_fail(sock, "set hostname");
	setup_mounts(sock, spec);
	/*
	 * Our own fds are O_CLOEXEC; ones inherited from whoever started us
	 * are not, and must not leak into the command either.
	 */
	if (spec->argv)
		syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	/* success: the socket closes at exec (CLOEXEC) or when the body ends */
	if (spec->argv) {
		char step[64];

		execvp(spec->argv[0], spec->argv);
		snprintf(step, sizeof(step), "execute %s", spec->argv[0]);
		child_fail(sock, step);
	}
	close(sock);
	ret = run_body(spec);
	_exit(ret & 0xff);
}

/* Read the child's verdict: EOF means it got to its body. */
static int parent_sync(struct nsrt_child *c, int sock, const struct nsrt_spec *spec, char *err,
		       size_t errlen)
{
	struct child_error ce;
	ssize_t n;
	int ret;

	if (spec->map_root && (ret = nsrt_map_root(c->pid, getuid(), getgid(), err, errlen)))
		return ret;
	if (write(sock, "g", 1) != 1) {
		snprintf(err, errlen, "failed to start child: %s", strerror(errno));
		return -errno;
	}
	n = read(sock, &ce, sizeof(ce));
	if (n == (ssize_t)sizeof(ce)) {
		snprintf(err, errlen, "failed to %s: %s", ce.step, strerror(ce.err));
		return -ce.err;
	}
	return 0;
}

int nsrt_refuse_setid(char *err, size_t errlen)
{
	if (getuid() == geteuid() && getgid() == getegid())
		return 0;
	snprintf(err, errlen,
		 "refusing to run set-uid or set-gid (uid %u euid %u, gid %u egid %u): "
		 "it would give every user root's namespaces; use sudo or file capabilities",
		 getuid(), geteuid(), getgid(), getegid());
	return -EPERM;
}

int nsrt_spawn(const struct nsrt_spec *spec, struct nsrt_child *child, char *err, size_t errlen)
{
	int sv[2], ret, join_fd = -1;

	if ((ret = nsrt_refuse_setid(err, errlen)))
		return ret;

	if (!spec->fn && !(spec->argv && spec->argv[0])) {
		snprintf(err, errlen, "failed to spawn: no command given");
		return -EINVAL;
	}
	if (spec->join_pid) {
		join_fd = syscall(SYS_pidfd_open, spec->join_pid, 0);
		if (join_fd < 0) {
			snprintf(err, errlen, "failed to open pid %d to join: %s", spec->join_pid,
				 strerror(errno));
			return -errno;
		}
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		ret = -errno;
		snprintf(err, errlen, "failed to create socketpair: %s", strerror(errno));
		goto out;
	}
	child->pidfd = -1;
	child->pid = nsrt_clone3(spec->new_ns, &child->pidfd);
	if (child->pid < 0) {
		ret = -errno;
		snprintf(err, errlen, "failed to clone3 with %s: %s",
			 nst_format_types(spec->new_ns, (char[128]){}, 128), strerror(errno));
		close(sv[0]);
		close(sv[1]);
		goto out;
	}
	if (child->pid == 0) {
		close(sv[0]);
		child_main(sv[1], join_fd, spec);
	}
	close(sv[1]);
	ret = parent_sync(child, sv[0], spec, err, errlen);
	close(sv[0]);
	if (ret) {
		kill(child->pid, SIGKILL);
		nsrt_wait(child);
	}
out:
	if (join_fd >= 0)
		close(join_fd);
	return ret;
}

int nsrt_wait(struct nsrt_child *child)
{
	siginfo_t si = {};
	int ret;

	do
		ret = waitid(P_PID, child->pid, &si, WEXITED);
	while (ret && errno == EINTR);
	if (child->pidfd >= 0)
		close(child->pidfd);
	child->pidfd = -1;
	if (ret)
		return -errno;
	return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

int nsrt_hold_until_eof(void *arg)
{
	int *hold = arg;
	char c;

	/* the body runs without exec: drop our copy of the write end, or EOF never comes */
	close(hold[1]);
	while (read(hold[0], &c, 1) > 0)
		;
	return 0;
}
