/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The subcommands, and what they share. */
#ifndef NSTRACE_CMDS_H
#define NSTRACE_CMDS_H

#include <stdio.h>

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

/* Flush f: 0, or the errno of a failed write (also of an earlier, implicit one). */
int nst_stream_error(FILE *f);

/*
 * Flush standard output: NST_EXIT_OK, or NST_EXIT_FAIL with a message when
 * the output could not be written (a closed pipe ends quietly, as for head).
 */
int nst_finish_stdout(void);

/* "nstrace: <message>" on stderr. */
void nst_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* NSTRACE_CMDS_H */
