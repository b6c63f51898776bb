// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* nstrace: see and measure Linux namespaces at work. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "cmds.h"
#include "nsrt.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static int cmd_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "trace", cmd_trace, "stream namespace transitions live (the default command)" },
	{ "run", cmd_run, "start a command in new or joined namespaces, traced from birth" },
	{ "bench", cmd_bench, "measure what creating each namespace type costs" },
	{ "record", cmd_record, "record namespace events to a file" },
	{ "report", cmd_report, "timelines from a recording: text, JSON, CSV, Chrome trace, SVG" },
	{ "ls", cmd_ls, "list every namespace, like lsns, with holders, owners and containers" },
	{ "serve", cmd_serve, "export namespace metrics for Prometheus" },
	{ "demo", cmd_demo, "trace the built-in pod scenario, then print the summary" },
	{ "help", cmd_help, "this list; 'nstrace COMMAND --help' for a command" },
	{ "version", cmd_version, "version, commit, libbpf, and the tiers this kernel allows" },
};

static int cmd_help(int argc, char **argv)
{
	printf("Usage: nstrace [COMMAND] [OPTIONS]\n"
	       "       nstrace --pid PID      (same as: nstrace trace --pid PID)\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		printf("  %-8s %s\n", cmds[i].name, cmds[i].summary);
	printf("\nSee docs/ and 'nstrace COMMAND --help'.\n");
	return NST_EXIT_OK;
}

/* Like bpftool: a command may be abbreviated to any unique prefix. */
static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *found = NULL;
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
		if (!strncmp(cmds[i].name, name, len)) {
			if (found)
				return NULL;
			found = &cmds[i];
		}
	}
	return found;
}

/*
 * A closed stdin, stdout or stderr would be reused by the next open: a BPF
 * map or the recording would receive our output. Fill them as glibc does
 * for set-uid programs: /dev/null to read, /dev/full so writes fail loudly.
 */
static void guard_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			open(fd ? "/dev/full" : "/dev/null", fd ? O_WRONLY : O_RDONLY);
}

int main(int argc, char **argv)
{
	static char prog[32];
	const struct cmd *c;
	char err[256];

	guard_std_fds();
	if (nsrt_refuse_setid(err, sizeof(err))) {
		nst_errorf("%s", err);
		/*
		 * Nothing more runs with the borrowed ids: no atexit handler,
		 * LeakSanitizer's among them (it cannot work set-gid).
		 */
		_exit(NST_EXIT_USAGE);
	}
	/* getopt names the program in its messages: "nstrace record: ..." */
	argv[0] = "nstrace";

	/* no command, or an option first: trace, so "nstrace --pid N" works */
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && !strcmp(argv[1], "--version")) {
			argv[1] = "nstrace --version";
			return cmd_version(argc - 1, argv + 1);
		}
		return cmd_trace(argc, argv);
	}
	c = find_cmd(argv[1]);
	if (!c) {
		nst_errorf("unknown or ambiguous command '%s' (see 'nstrace help')", argv[1]);
		return NST_EXIT_USAGE;
	}
	snprintf(prog, sizeof(prog), "nstrace %s", c->name);
	argv[1] = prog;
	return c->fn(argc - 1, argv + 1);
}
