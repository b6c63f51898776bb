// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What every command shares (cli.h): messages, output streams, signals,
 * the event printer and the poll loop.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "clock.h"
#include "cmds.h"
#include "json.h"

/* ---- messages ---- */

static bool json_errors;

void nst_set_json_errors(bool json)
{
	json_errors = json;
}

/* One message on stderr: "nstrace: ...", or {"<key>":"..."} in JSON mode. */
static void vreport(const char *key, const char *fmt, va_list ap)
{
	char msg[2048];
	struct jw w;

	if (!json_errors) {
		fputs("nstrace: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	jw_init(&w, stderr);
	jw_obj_open(&w, NULL);
	jw_str(&w, key, msg);
	jw_obj_close(&w);
	fputc('\n', stderr);
}

void nst_errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error", fmt, ap);
	va_end(ap);
}

void nst_warnf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning", fmt, ap);
	va_end(ap);
}

/* ---- output streams ---- */

int nst_stream_error(FILE *f)
{
	int e;

	errno = 0;
	if (!fflush(f) && !ferror(f))
		return 0;
	e = errno;
	/* an earlier implicit flush failed and its errno is gone: the fd says why */
	if (write(fileno(f), "", 0) < 0)
		e = errno;
	return e ? e : EIO;
}

int nst_finish_stdout(void)
{
	int e = nst_stream_error(stdout);

	if (!e || e == EPIPE)
		return NST_EXIT_OK;
	nst_errorf("failed to write output: %s", strerror(e));
	return NST_EXIT_FAIL;
}

/* ---- signals ---- */

volatile sig_atomic_t nst_exiting;

static void on_signal(int sig)
{
	nst_exiting = 1;
}

void nst_install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ---- the printer ---- */

void nst_printer_init(struct nst_printer *p, FILE *out, bool json, bool timestamps,
		      const struct nst_colset *cols)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->json = json;
	p->timestamps = timestamps;
	p->cols_default = !cols;
	p->fmt.boot_to_wall_ns = nst_boot_to_wall_ns();
	if (cols)
		p->cols = *cols;
	else if (json)
		nst_colset_all_json(&p->cols, false);
	else
		nst_colset_default(&p->cols, timestamps, false);
}

void nst_printer_containers(struct nst_printer *p, struct nst_containers *c, bool in_text_default)
{
	p->fmt.ctr_of = nst_containers_event;
	p->fmt.ctr_ctx = c;
	if (!p->cols_default)
		return;
	if (p->json)
		nst_colset_all_json(&p->cols, true);
	else
		nst_colset_default(&p->cols, p->timestamps, in_text_default);
}

void nst_names_open(struct nst_names *n, bool verbose)
{
	struct nst_containers_opts co = { .notes = verbose ? stderr : NULL, .drop_caps = true };

	n->rt = NULL;
	n->ctr = nst_containers_open(&co);
}

void nst_names_runtimes(struct nst_names *n, bool verbose, int wait_ms)
{
	struct nst_runtime_opts ro = { .notes = verbose ? stderr : NULL };

	if (!n->ctr)
		return;
	n->rt = nst_runtimes_open(&ro);
	nst_containers_set_runtimes(n->ctr, n->rt);
	if (wait_ms > 0)
		nst_containers_wait(n->ctr, wait_ms);
}

void nst_names_close(struct nst_names *n)
{
	/* the resolver first: it reads the runtimes */
	nst_containers_close(n->ctr);
	nst_runtimes_close(n->rt);
	n->ctr = NULL;
	n->rt = NULL;
}

void nst_printer_header(const struct nst_printer *p)
{
	if (!p->json)
		nst_print_header(p->out, &p->cols);
}

void nst_printer_event(const struct nst_printer *p, const struct nst_event *e)
{
	if (p->json)
		nst_print_json(p->out, &p->cols, e, &p->fmt);
	else
		nst_print_text(p->out, &p->cols, e, &p->fmt);
}

/* ---- the poll loop ---- */

/* Ticks: a recording writes a block at least once a second (record.c). */
#define TICK_MS 1000
/* The longest wait for events before the loop looks at its clock and signals again. */
#define POLL_MS 100

void nst_loop_init(struct nst_loop *l, struct nst_tracer *t, FILE *out)
{
	memset(l, 0, sizeof(*l));
	l->t = t;
	l->out = out;
	l->until_exit_fd = -1;
}

/* A closed pipe ends the loop too: out_error says EPIPE, and the caller stays quiet. */
static int flush_out(struct nst_loop *l)
{
	int e = l->out ? nst_stream_error(l->out) : 0;

	if (!e)
		return 0;
	l->out_error = e;
	return -1;
}

/* Live loss report: a warning whenever the kernel's count grows. */
static void report_lost(struct nst_loop *l)
{
	__u64 lost;

	if (!l->report_lost)
		return;
	lost = nst_tracer_lost(l->t);
	if (lost == l->lost_seen)
		return;
	nst_warnf("lost %llu events (ring buffer full; %llu in total)",
		  (unsigned long long)(lost - l->lost_seen), (unsigned long long)lost);
	l->lost_seen = lost;
}

int nst_loop_round(struct nst_loop *l, int timeout_ms)
{
	int n = nst_tracer_poll(l->t, timeout_ms);

	if (n < 0) {
		snprintf(l->err, sizeof(l->err), "failed to poll ring buffer: %s", strerror(-n));
		return -1;
	}
	if (flush_out(l))
		return -1;
	report_lost(l);
	return 0;
}

static bool has_exited(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	return pidfd >= 0 && poll(&pfd, 1, 0) > 0;
}

/* Has the traced work (the tree, or the command) ended? */
static bool work_ended(struct nst_loop *l)
{
	return (l->until_tree_ends && nst_tracer_live_pids(l->t) == 0) ||
	       has_exited(l->until_exit_fd);
}

int nst_loop_run(struct nst_loop *l)
{
	long long deadline = l->duration_ms ? nst_mono_ms() + l->duration_ms : 0;
	long long next_tick = nst_mono_ms() + TICK_MS;
	bool ended = false;

	while (!nst_exiting) {
		if (nst_loop_round(l, POLL_MS) || l->stop)
			return -1;
		if (l->tick && nst_mono_ms() >= next_tick) {
			if (l->tick(l->tick_ctx))
				return -1;
			next_tick = nst_mono_ms() + TICK_MS;
		}
		if (deadline && nst_mono_ms() >= deadline)
			break;
		ended = work_ended(l);
		if (ended)
			break;
	}
	/*
	 * What the ended work left buffered is its own: deliver it. After a
	 * signal or the deadline only on request, since under a storm the
	 * buffer may never run dry.
	 */
	if (ended || l->drain_at_end)
		nst_tracer_poll(l->t, 0);
	if (flush_out(l) || l->stop)
		return -1;
	return l->tick && l->tick(l->tick_ctx) ? -1 : 0;
}
