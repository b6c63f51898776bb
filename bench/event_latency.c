// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * From a syscall's exit to its line on the tracer's standard output: starts
 * the tracer command given (its stdout a pipe to this process), then COUNT
 * times calls setns(fd, CLONE_NEWUTS) on its own uts namespace at a random
 * moment, takes CLOCK_MONOTONIC as the call returns, and reads the pipe
 * until its own setns line arrives. Prints the median, 90th percentile and
 * largest latency. Lines of other processes (a storm beside it) are read
 * and skipped.
 *
 * usage: event_latency COUNT TRACER [ARGS...]
 *   e.g. event_latency 100 nstrace --no-summary --comm event_latency
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/wait.h>

#define MAX_COUNT 10000

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The tracer, its stdout into *out; ready once stderr says "Tracing". */
static pid_t start_tracer(char **argv, FILE **out)
{
	int o[2], e[2];
	char buf[4096];
	size_t len = 0;
	pid_t pid;

	if (pipe(o) || pipe(e))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(o[1], STDOUT_FILENO);
		dup2(e[1], STDERR_FILENO);
		close(o[0]);
		close(e[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	while (pid > 0 && len < sizeof(buf) - 1) {
		struct pollfd p = { .fd = e[0], .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0 ||
		    (n = read(e[0], buf + len, sizeof(buf) - 1 - len)) <= 0)
			break;
		len += n;
		buf[len] = 0;
		if (strstr(buf, "Tracing")) {
			*out = fdopen(o[0], "r");
			/* its later messages (warnings) are not waited for */
			fcntl(e[0], F_SETFL, O_NONBLOCK);
			return pid;
		}
	}
	fprintf(stderr, "event_latency: the tracer did not start: %.*s\n", (int)len, buf);
	return -1;
}

#define LINE_TIMEOUT_S 5

static void on_alarm(int sig)
{
}

/*
 * Read lines until one is this process's setns; its arrival time, or -1
 * when the output ended, or -2 when the line did not come in
 * LINE_TIMEOUT_S (lost: the tracer's ring buffer was full).
 */
static double wait_own_line(FILE *in, const char *me)
{
	char line[8192];

	alarm(LINE_TIMEOUT_S);
	while (fgets(line, sizeof(line), in))
		if (strstr(line, me) && strstr(line, " setns ")) {
			alarm(0);
			return now_ms();
		}
	alarm(0);
	if (ferror(in)) {
		clearerr(in);
		return -2;
	}
	return -1;
}

int main(int argc, char **argv)
{
	int count = argc > 2 ? atoi(argv[1]) : 0;
	int fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	static double lat[MAX_COUNT];
	char me[32];
	FILE *in = NULL;
	int lost = 0, seen = 0;
	pid_t tracer;

	if (count < 1 || count > MAX_COUNT || fd < 0) {
		fprintf(stderr, "usage: event_latency COUNT (1-%d) TRACER [ARGS...]\n", MAX_COUNT);
		return 2;
	}
	/* the PID column: right-aligned, then a space */
	snprintf(me, sizeof(me), " %d ", getpid());
	tracer = start_tracer(argv + 2, &in);
	if (tracer < 0)
		return 1;
	/* no SA_RESTART: the alarm interrupts the read */
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm }, NULL);
	for (int i = 0; i < count; i++) {
		unsigned int phase = 0;
		double t0, t1;

		/* a random phase against the tracer's timers */
		if (getrandom(&phase, sizeof(phase), 0) < 0)
			phase = i * 7919;
		usleep(phase % 50000);
		if (setns(fd, CLONE_NEWUTS)) {
			perror("setns");
			break;
		}
		t0 = now_ms();
		t1 = wait_own_line(in, me);
		if (t1 == -2) {
			fprintf(stderr, "event_latency: call %d: no line in %d s (lost?)\n", i,
				LINE_TIMEOUT_S);
			lost++;
			continue;
		}
		if (t1 < 0) {
			fprintf(stderr, "event_latency: the tracer's output ended\n");
			break;
		}
		lat[seen++] = t1 - t0;
	}
	kill(tracer, SIGINT);
	waitpid(tracer, NULL, 0);
	if (!seen)
		return 1;
	qsort(lat, seen, sizeof(*lat), cmp_double);
	printf("syscall exit to stdout line, %d calls: median %.1f ms, p90 %.1f ms, max %.1f ms; "
	       "%d lines not seen in %d s\n",
	       seen, lat[(seen - 1) / 2], lat[(seen * 9 - 1) / 10], lat[seen - 1], lost,
	       LINE_TIMEOUT_S);
	return 0;
}
