/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The subcommands' entry points and exit statuses; what they share is in cli.h. */
#ifndef NSTRACE_CMDS_H
#define NSTRACE_CMDS_H

/* Exit statuses: 2 for bad input, as getopt-based tools do. */
#define NST_EXIT_OK 0
#define NST_EXIT_FAIL 1
#define NST_EXIT_USAGE 2

int cmd_trace(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif /* NSTRACE_CMDS_H */
