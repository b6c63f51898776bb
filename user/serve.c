// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace serve: a long-running exporter. The tracer stays attached; a
 * libmicrohttpd thread serves /metrics (Prometheus text format),
 * /api/namespaces (the ls inventory) and /healthz. Nothing changes state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "cli.h"
#include "clock.h"
#include "cmds.h"
#include "filters.h"
#include "inventory.h"
#include "metrics.h"
#include "mhd.h"
#include "privs.h"
#include "runtime.h"

#define MAX_CONNECTIONS 128
#define MAX_REQUEST_BYTES (16 * 1024)

struct serve {
	struct nst_metrics *m;
	const char *backend;
	const char *tier;
	__s64 boot_to_wall;
	/* the metrics' container labels; the runtimes name /api/namespaces' containers too */
	struct nst_names names;
};

#define DEFAULT_MAX_LABEL_VALUES 100

static struct nst_mhd mhd;
static volatile sig_atomic_t serve_stop;

static void on_stop(int sig)
{
	serve_stop = 1;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, char *body, size_t len,
			     const char *type)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, "Content-Type", type);
	ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned int status, const char *msg)
{
	return reply(c, status, strdup(msg), strlen(msg), "text/plain; charset=utf-8");
}

/* Render into memory, so the HTTP thread never writes half a page. */
static enum MHD_Result serve_metrics(struct serve *sv, struct MHD_Connection *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	nst_metrics_render(sv->m, f, NSTRACE_VERSION, sv->backend, sv->tier);
	fclose(f);
	return reply(c, MHD_HTTP_OK, buf, len, "text/plain; version=0.0.4; charset=utf-8");
}

/* CREATED for /api/namespaces: what this exporter saw created. */
static __s64 serve_created_wall_ns(void *ctx, enum nst_type type, __u32 ino)
{
	struct serve *sv = ctx;
	__u64 boot_ns = nst_metrics_created_ns(sv->m, type, ino);

	return boot_ns ? (__s64)boot_ns + sv->boot_to_wall : 0;
}

static enum MHD_Result serve_inventory(struct serve *sv, struct MHD_Connection *c)
{
	struct inv_created_src created = { serve_created_wall_ns, sv };
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	ret = nst_inventory_write_json(f, &created, sv->names.rt, err, sizeof(err));
	fclose(f);
	if (ret) {
		free(buf);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, err);
	}
	return reply(c, MHD_HTTP_OK, buf, len, "application/json");
}

static bool has_body(struct MHD_Connection *c)
{
	const char *len =
		mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (len && strcmp(len, "0")) ||
	       mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_len, void **state)
{
	struct serve *sv = cls;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "only GET: nothing here changes\n");
	/* a GET with a body is malformed here: refuse it before it is read */
	if (*data_len || has_body(c))
		return reply_text(c, MHD_HTTP_BAD_REQUEST, "unexpected request body\n");
	if (!strcmp(url, "/metrics"))
		return serve_metrics(sv, c);
	if (!strcmp(url, "/api/namespaces"))
		return serve_inventory(sv, c);
	if (!strcmp(url, "/healthz"))
		return reply_text(c, MHD_HTTP_OK, "ok\n");
	return reply_text(c, MHD_HTTP_NOT_FOUND,
			  "not found: try /metrics, /api/namespaces or "
			  "/healthz\n");
}

static struct MHD_Daemon *start_http(struct serve *sv, const struct sockaddr_storage *ss,
				     const char *listen_on)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	struct MHD_Daemon *d;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = mhd.start_daemon(flags, 0, NULL, NULL, on_request, sv, MHD_OPTION_SOCK_ADDR, ss,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MAX_REQUEST_BYTES,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10, MHD_OPTION_END);
	if (!d)
		nst_errorf("failed to listen on %s: %s (choose another with --listen)", listen_on,
			   errno == EADDRINUSE ? "address already in use" : strerror(errno));
	return d;
}

static void seed_from_inventory(struct nst_metrics *m)
{
	struct inventory inv;
	char err[256];

	if (inv_collect(&inv, false, false, err, sizeof(err)))
		return;
	for (size_t i = 0; i < inv.n; i++)
		if (inv.ns[i].nprocs)
			nst_metrics_seed(m, inv.ns[i].type, inv.ns[i].ino, inv.ns[i].nprocs);
	inv_free(&inv);
}

/*
 * The metrics' labels of a cgroup: what the CONTAINER and POD columns of
 * trace show. A container whose name the runtime has not told yet is
 * provisional: the metrics wait a little for the name before they use the id.
 */
static enum nst_label_state cgroup_labels(void *ctx, __u64 cgroup_id, char *ctr, size_t ctr_len,
					  char *pod, size_t pod_len)
{
	struct serve *sv = ctx;
	struct nst_ctr_info i;

	ctr[0] = pod[0] = '\0';
	switch (nst_containers_by_cgroup(sv->names.ctr, cgroup_id, &i)) {
	case NST_CTR_HOST:
		return NST_LABELS_FINAL;
	case NST_CTR_NOT_YET:
		return NST_LABELS_NOT_YET;
	case NST_CTR_FOUND:
		break;
	}
	if (i.id[0])
		nst_ctr_label(&i, ctr, ctr_len);
	nst_pod_label(&i, pod, pod_len);
	return i.name[0] || !i.id[0] || !sv->names.rt ? NST_LABELS_FINAL : NST_LABELS_PROVISIONAL;
}

static int metrics_event(void *ctx, const struct nst_event *e)
{
	nst_metrics_event(ctx, e);
	return 0;
}

static const char serve_usage[] =
	"Usage: nstrace serve [--listen IP:PORT] [--top N] [--max-label-values N] [FILTERS]\n"
	"Export namespace metrics for Prometheus: /metrics, /api/namespaces, /healthz.\n"
	"\n"
	"  -l, --listen IP:PORT   where to listen (default 127.0.0.1:9464; loopback unless told)\n"
	"  -t, --top N            namespaces in the processes-per-namespace gauge (default "
	"10)\n"
	"  -m, --max-label-values N\n"
	"                         distinct container label values of the operation metrics\n"
	"                         (default 100, at most 10000); further containers count as\n"
	"                         container=\"other\", so a busy node cannot blow up "
	"Prometheus\n" NST_FILTER_HELP "  -h, --help             this help\n";

int cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = { NST_FILTER_LONGOPTS,
						  { "listen", required_argument, NULL, 'l' },
						  { "top", required_argument, NULL, 't' },
						  { "max-label-values", required_argument, NULL,
						    'm' },
						  { "help", no_argument, NULL, 'h' },
						  {} };
	const char *listen_on = "127.0.0.1:9464";
	struct sigaction sa = { .sa_handler = on_stop };
	struct nst_filters f = {};
	struct sockaddr_storage ss;
	struct serve sv = {};
	struct nst_tracer *t;
	struct MHD_Daemon *d;
	socklen_t sslen;
	char err[512] = "";
	long top = 10, max_labels = DEFAULT_MAX_LABEL_VALUES;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, NST_FILTER_SHORTOPTS "l:t:m:h", longopts, NULL)) !=
	       -1) {
		r = nst_filter_opt(c, optarg, &f, err, sizeof(err));
		if (r < 0 ||
		    (c == 't' && nst_parse_long(optarg, 0, 64, "--top", &top, err, sizeof(err))) ||
		    (c == 'm' && nst_parse_long(optarg, 0, 10000, "--max-label-values", &max_labels,
						err, sizeof(err)))) {
			nst_errorf("%s", err);
			return NST_EXIT_USAGE;
		}
		if (c == 'l')
			listen_on = optarg;
		else if (c == 'h') {
			fputs(serve_usage, stdout);
			return NST_EXIT_OK;
		} else if (!r && c != 't' && c != 'm') {
			fputs(serve_usage, stderr);
			return NST_EXIT_USAGE;
		}
	}
	if (nst_parse_listen(listen_on, &ss, &sslen, err, sizeof(err))) {
		nst_errorf("%s", err);
		return NST_EXIT_USAGE;
	}
	if (nst_mhd_load(&mhd, err, sizeof(err))) {
		nst_errorf("%s", err);
		return NST_EXIT_FAIL;
	}
	sv.m = nst_metrics_new(top, max_labels);
	nst_names_open(&sv.names, f.t.verbose);
	if (sv.m && sv.names.ctr)
		nst_metrics_set_labels(sv.m, cgroup_labels, &sv);
	t = sv.m ? nst_filters_open(&f, metrics_event, sv.m, err, sizeof(err)) : NULL;
	if (!t) {
		nst_errorf("%s", err[0] ? err : "failed to allocate metrics");
		nst_names_close(&sv.names);
		nst_metrics_free(sv.m);
		return NST_EXIT_USAGE;
	}
	sv.backend = nst_backend_name(nst_tracer_backend(t));
	sv.tier = nst_tier_name(nst_tracer_tier(t));
	sv.boot_to_wall = nst_boot_to_wall_ns();
	seed_from_inventory(sv.m);
	if (sv.names.ctr)
		/* no wait for the first walk: unnamed cgroups are counted aside meanwhile */
		nst_names_runtimes(&sv.names, f.t.verbose, 0);
	else
		sv.names.rt = nst_runtimes_open(&(struct nst_runtime_opts){ 0 });
	d = start_http(&sv, &ss, listen_on);
	if (!d) {
		nst_names_close(&sv.names);
		nst_tracer_close(t);
		nst_metrics_free(sv.m);
		return NST_EXIT_USAGE;
	}
	/* attached and listening: keep only what /api/namespaces needs to look */
	nst_caps_keep(NST_CAPS_INVENTORY);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "Serving namespace metrics on http://%s/metrics (%s)\n", listen_on,
		nst_tracer_describe(t));
	while (!serve_stop) {
		if (nst_tracer_poll(t, 100) < 0)
			break;
		nst_metrics_set_lost(sv.m, nst_tracer_lost(t));
		nst_metrics_tick(sv.m, nst_mono_ms());
	}
	mhd.stop_daemon(d);
	nst_names_close(&sv.names);
	nst_tracer_close(t);
	nst_metrics_free(sv.m);
	return NST_EXIT_OK;
}
