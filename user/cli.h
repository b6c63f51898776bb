/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every command shares: error and warning messages (text, or one
 * JSON object per line under -J), the checks of an output stream, the
 * signals that end a command, the printer that turns an event into a text
 * row or a JSON line, and the loop that polls a tracer until the command
 * is done. trace, record, run and demo are built from these.
 */
#ifndef NSTRACE_CLI_H
#define NSTRACE_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include "event.h"
#include "tracer.h"

/*
 * From here on, errors and warnings are JSON objects on stderr,
 * {"error":"..."} and {"warning":"..."}: a command calls this as soon as
 * it reads -J/--json (docs/events.md, "Errors").
 */
void nst_set_json_errors(bool json);

/* "nstrace: <message>" on stderr, or {"error":"<message>"} in JSON mode. */
void nst_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same for what does not end the command: {"warning":"<message>"} in JSON mode. */
void nst_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Flush f: 0, or the errno of a failed write (also of an earlier, implicit one). */
int nst_stream_error(FILE *f);

/*
 * Flush standard output: NST_EXIT_OK, or NST_EXIT_FAIL with a message when
 * the output could not be written (a closed pipe ends quietly, as for head).
 */
int nst_finish_stdout(void);

/* Set by SIGINT, SIGTERM and SIGHUP once nst_install_signals has run. */
extern volatile sig_atomic_t nst_exiting;

/*
 * SIGINT, SIGTERM and SIGHUP end the command through nst_exiting; SIGPIPE
 * is ignored, so a closed output is a write error (EPIPE) to handle.
 */
void nst_install_signals(void);

/* Where and how events are printed: text rows or JSON Lines. */
struct nst_printer {
	FILE *out;
	bool json;
	bool timestamps;
	bool cols_default; /* not chosen with -o */
	struct nst_colset cols;
	struct nst_fmt fmt;
};

/*
 * cols NULL means the default: every JSON key in JSON mode, else the
 * default columns (with TIME when timestamps is set).
 */
void nst_printer_init(struct nst_printer *p, FILE *out, bool json, bool timestamps,
		      const struct nst_colset *cols);
/*
 * Name containers (trace): the resolver fills the container columns, the
 * JSON keys container and pod join the default ones, and the default text
 * columns gain CONTAINER when in_text_default (the machine has containers).
 */
void nst_printer_containers(struct nst_printer *p, struct nst_containers *c, bool in_text_default);
/*
 * Who the events' containers are, for the commands that trace: the
 * resolver, opened before the tracer loads so its first walk runs
 * meanwhile (its thread keeps CAP_SYS_PTRACE alone), and the runtimes'
 * names, asked once the capabilities are gone (their threads need none).
 */
struct nst_names {
	struct nst_containers *ctr; /* NULL without memory: no containers */
	struct nst_runtimes *rt;
};

void nst_names_open(struct nst_names *n, bool verbose);
/* Ask the runtimes, and wait up to wait_ms (0: not at all) for the resolver's first walk. */
void nst_names_runtimes(struct nst_names *n, bool verbose, int wait_ms);
void nst_names_close(struct nst_names *n);

/* The column header of text output; nothing for JSON Lines. */
void nst_printer_header(const struct nst_printer *p);
void nst_printer_event(const struct nst_printer *p, const struct nst_event *e);

/*
 * The poll loop: deliver events until a signal (nst_exiting), the
 * deadline, the end of the traced tree or of a command, or a failure.
 */
struct nst_loop {
	struct nst_tracer *t;
	FILE *out; /* flushed after every poll; a failed write ends the loop (NULL: none) */
	long long duration_ms; /* end after this long (0: no limit) */
	bool until_tree_ends; /* end once every traced process has exited */
	int until_exit_fd; /* a pidfd: end once its process has exited (-1: none) */
	bool report_lost; /* a warning whenever the kernel's loss count grows */
	bool drain_at_end; /* deliver what is still buffered however the loop ends */
	/* called once a second and once at the end; non-zero ends the loop as failed */
	int (*tick)(void *ctx);
	void *tick_ctx;
	bool stop; /* an event callback sets it to end the loop as failed */
	/* filled in */
	__u64 lost_seen;
	int out_error; /* the errno of the failed write to out, or 0 */
	char err[256]; /* why the loop failed, when it was the poll */
};

/* An nst_loop with nothing to end it but signals and failures. */
void nst_loop_init(struct nst_loop *l, struct nst_tracer *t, FILE *out);

/*
 * Run the loop. 0 when it ended as asked (then what the traced tree or
 * command left buffered was delivered, and out flushed); -1 when it failed:
 * err says why the poll failed, out_error why the output did, or the tick
 * or event callback knows.
 */
int nst_loop_run(struct nst_loop *l);

/*
 * One round of the loop, for a command that drives the traced work itself
 * (demo): deliver events (waiting up to timeout_ms), flush out, report a
 * loss. -1 when the poll or the output failed.
 */
int nst_loop_round(struct nst_loop *l, int timeout_ms);

#endif /* NSTRACE_CLI_H */
