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
#include <microhttpd.h>
#include "cmds.h"
#include "filters.h"
#include "inventory.h"
#include "inventory_collect.h"
#include "metrics.h"

#define MAX_CONNECTIONS 128
#define MAX_REQUEST_BYTES (16 * 1024)

struct serve {
	struct nst_metrics *m;
	const char *backend;
	const char *tier;
};

static volatile sig_atomic_t serve_stop;

static void on_stop(int sig)
{
	serve_stop = 1;
}

/* "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464" */
int nst_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
		     size_t errlen)
{
	char host[64];
	const char *colon;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - s - 1), s + 1);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host) || strchr(s, ':') != colon)
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	}
	if (nst_parse_long(colon + 1, 1, 65535, "port", &port, err, errlen))
		return -1;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons(port);
		*len = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
		*len = sizeof(struct sockaddr_in6);
		return 0;
	}
bad:
	snprintf(err, errlen, "invalid --listen '%s': expected IP:PORT, such as 127.0.0.1:9464 or "
		 "[::1]:9464", s);
	return -1;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, char *body,
			     size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
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

static enum MHD_Result serve_inventory(struct MHD_Connection *c)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	ret = nst_inventory_write_json(f, err, sizeof(err));
	fclose(f);
	if (ret) {
		free(buf);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, err);
	}
	return reply(c, MHD_HTTP_OK, buf, len, "application/json");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_len, void **state)
{
	struct serve *sv = cls;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET: nothing here changes\n");
	/* a GET with a body is malformed here */
	if (*data_len)
		return reply_text(c, MHD_HTTP_BAD_REQUEST, "unexpected request body\n");
	if (!strcmp(url, "/metrics"))
		return serve_metrics(sv, c);
	if (!strcmp(url, "/api/namespaces"))
		return serve_inventory(c);
	if (!strcmp(url, "/healthz"))
		return reply_text(c, MHD_HTTP_OK, "ok\n");
	return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics, /api/namespaces or "
			  "/healthz\n");
}

static struct MHD_Daemon *start_http(struct serve *sv, const struct sockaddr_storage *ss,
				     const char *listen_on)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	struct MHD_Daemon *d;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, sv, MHD_OPTION_SOCK_ADDR, ss,
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

static int metrics_event(void *ctx, const struct nst_event *e)
{
	nst_metrics_event(ctx, e);
	return 0;
}

static const char serve_usage[] =
	"Usage: nstrace serve [--listen IP:PORT] [--top N] [FILTERS]\n"
	"Export namespace metrics for Prometheus: /metrics, /api/namespaces, /healthz.\n"
	"\n"
	"  -l, --listen IP:PORT   where to listen (default 127.0.0.1:9464; loopback unless told)\n"
	"  -t, --top N            namespaces in the processes-per-namespace gauge (default 10)\n"
	NST_FILTER_HELP
	"  -h, --help             this help\n";

int cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		NST_FILTER_LONGOPTS,
		{ "listen", required_argument, NULL, 'l' },
		{ "top", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *listen_on = "127.0.0.1:9464";
	struct sigaction sa = { .sa_handler = on_stop };
	struct nst_filters f = {};
	struct sockaddr_storage ss;
	struct serve sv = {};
	struct nst_tracer *t;
	struct MHD_Daemon *d;
	socklen_t sslen;
	char err[512] = "";
	long top = 10;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, NST_FILTER_SHORTOPTS "l:t:h", longopts, NULL)) != -1) {
		r = nst_filter_opt(c, optarg, &f, err, sizeof(err));
		if (r < 0 || (c == 't' && nst_parse_long(optarg, 0, 64, "--top", &top, err,
							  sizeof(err)))) {
			nst_errorf("%s", err);
			return NST_EXIT_USAGE;
		}
		if (c == 'l')
			listen_on = optarg;
		else if (c == 'h') {
			fputs(serve_usage, stdout);
			return NST_EXIT_OK;
		} else if (!r && c != 't') {
			fputs(serve_usage, stderr);
			return NST_EXIT_USAGE;
		}
	}
	if (nst_parse_listen(listen_on, &ss, &sslen, err, sizeof(err))) {
		nst_errorf("%s", err);
		return NST_EXIT_USAGE;
	}
	sv.m = nst_metrics_new(top);
	t = sv.m ? nst_tracer_open(&f.t, metrics_event, sv.m, err, sizeof(err)) : NULL;
	if (!t) {
		nst_errorf("%s", err[0] ? err : "failed to allocate metrics");
		nst_metrics_free(sv.m);
		return NST_EXIT_USAGE;
	}
	sv.backend = nst_backend_name(nst_tracer_backend(t));
	sv.tier = nst_tier_name(nst_tracer_tier(t));
	seed_from_inventory(sv.m);
	d = start_http(&sv, &ss, listen_on);
	if (!d) {
		nst_tracer_close(t);
		nst_metrics_free(sv.m);
		return NST_EXIT_USAGE;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "Serving namespace metrics on http://%s/metrics (%s)\n", listen_on,
		nst_tracer_describe(t));
	while (!serve_stop) {
		if (nst_tracer_poll(t, 100) < 0)
			break;
		nst_metrics_set_lost(sv.m, nst_tracer_lost(t));
	}
	MHD_stop_daemon(d);
	nst_tracer_close(t);
	nst_metrics_free(sv.m);
	return NST_EXIT_OK;
}
