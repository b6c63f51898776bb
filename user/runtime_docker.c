// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The Docker Engine API over its unix socket, with libcurl for HTTP and
 * json-c for JSON: GET /version (is this an Engine API at all?), then
 * /containers/json and /containers/<id>/json for what runs now, then
 * /events for what starts later. Podman's Docker-compatible service
 * answers the same requests.
 *
 * libcurl is loaded on first use, as libmicrohttpd is for serve: linked
 * into nstrace, its dependencies (OpenSSL, nghttp2, LDAP, Kerberos...)
 * cost every command about 14 ms of CPU at start, measured here, for
 * something only container lookups need.
 */
#include <curl/curl.h>
#include <json-c/json.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "dlsyms.h"
#include "runtime_int.h"

/* The build passes the soname of the library it compiled against. */
#ifndef NST_CURL_SONAME
#define NST_CURL_SONAME "libcurl.so.4"
#endif

/* the largest answer read: a list of thousands of containers fits */
#define MAX_BODY (16u << 20)
/* one event is a few kilobytes; a longer line is no event */
#define MAX_EVENT_LINE (1u << 20)
/* between two tries to follow an engine that went away */
#define RETRY_MS 2000

static struct {
	typeof(curl_global_init) *global_init;
	typeof(curl_easy_init) *easy_init;
	typeof(curl_easy_setopt) *easy_setopt;
	typeof(curl_easy_perform) *easy_perform;
	typeof(curl_easy_getinfo) *easy_getinfo;
	typeof(curl_easy_cleanup) *easy_cleanup;
	typeof(curl_easy_strerror) *easy_strerror;
	typeof(curl_easy_escape) *easy_escape;
	typeof(curl_free) *free;
} curl;

#define CURL_SYM(field, name) NST_DLSYM(typeof(curl), field, name)

static const struct nst_dlsym curl_syms[] = {
	CURL_SYM(global_init, "curl_global_init"),
	CURL_SYM(easy_init, "curl_easy_init"),
	CURL_SYM(easy_setopt, "curl_easy_setopt"),
	CURL_SYM(easy_perform, "curl_easy_perform"),
	CURL_SYM(easy_getinfo, "curl_easy_getinfo"),
	CURL_SYM(easy_cleanup, "curl_easy_cleanup"),
	CURL_SYM(easy_strerror, "curl_easy_strerror"),
	CURL_SYM(easy_escape, "curl_easy_escape"),
	CURL_SYM(free, "curl_free"),
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static char curl_err[256];

static void load_curl(void)
{
	if (nst_dlsyms_load(NST_CURL_SONAME, curl_syms, sizeof(curl_syms) / sizeof(*curl_syms),
			    &curl, "install Debian's libcurl4", curl_err, sizeof(curl_err)))
		return;
	/* before any thread's first handle; libcurl 7.84+ makes this thread-safe too */
	if (curl.global_init(CURL_GLOBAL_NOTHING))
		snprintf(curl_err, sizeof(curl_err), "failed to initialize libcurl");
}

/* One answer, collected up to MAX_BODY. */
struct body {
	char *data;
	size_t len, cap;
};

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	struct body *b = ud;
	size_t add = size * n;

	if (b->len + add + 1 > MAX_BODY)
		return 0; /* libcurl fails the transfer: CURLE_WRITE_ERROR */
	if (b->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		char *grown;

		while (cap < b->len + add + 1)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (!grown)
			return 0;
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, add);
	b->len += add;
	b->data[b->len] = '\0';
	return add;
}

/* libcurl opens and closes its sockets through these, so close can cut them. */
static curl_socket_t open_conn(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct nst_conn *conn = ud;
	struct nst_runtimes *rt = conn->src->rt;
	curl_socket_t fd = CURL_SOCKET_BAD;

	pthread_mutex_lock(&rt->lock);
	if (!rt->stopping) {
		fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
		conn->fd = fd;
	}
	pthread_mutex_unlock(&rt->lock);
	return fd;
}

static int close_conn(void *ud, curl_socket_t fd)
{
	struct nst_conn *conn = ud;

	pthread_mutex_lock(&conn->src->rt->lock);
	if (conn->fd == fd)
		conn->fd = -1;
	pthread_mutex_unlock(&conn->src->rt->lock);
	return close(fd);
}

void nst_docker_abort(struct nst_source *s)
{
	if (s->request.fd >= 0)
		shutdown(s->request.fd, SHUT_RDWR);
	if (s->stream.fd >= 0)
		shutdown(s->stream.fd, SHUT_RDWR);
}

static CURL *new_handle(struct nst_source *s, struct nst_conn *conn)
{
	CURL *h = curl.easy_init();

	if (!h)
		return NULL;
	curl.easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, s->socket);
	curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM in a thread */
	curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)s->rt->connect_timeout_ms);
	curl.easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_conn);
	curl.easy_setopt(h, CURLOPT_OPENSOCKETDATA, conn);
	curl.easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, close_conn);
	curl.easy_setopt(h, CURLOPT_CLOSESOCKETDATA, conn);
	return h;
}

/*
 * libcurl's reason, and the system's for a failed connect: "Couldn't
 * connect to server" is the same for a socket file that is missing and
 * for one nobody listens on (an engine that died).
 */
static void curl_reason(CURL *h, CURLcode rc, char *err, size_t errlen)
{
	long oserr = 0;

	curl.easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
	if (rc == CURLE_COULDNT_CONNECT && oserr)
		snprintf(err, errlen, "%s: %s", curl.easy_strerror(rc), strerror((int)oserr));
	else
		snprintf(err, errlen, "%s", curl.easy_strerror(rc));
}

/*
 * GET path (with the request timeout) into b: 0 with the parsed JSON in
 * *json, or -1 with a reason in err.
 */
static int get_json(CURL *h, const char *path, int timeout_ms, json_object **json, char *err,
		    size_t errlen)
{
	struct body b = { 0 };
	char url[512];
	long status = 0;
	CURLcode rc;

	*json = NULL;
	snprintf(url, sizeof(url), "http://localhost%s", path);
	curl.easy_setopt(h, CURLOPT_URL, url);
	curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl.easy_setopt(h, CURLOPT_WRITEDATA, &b);
	rc = curl.easy_perform(h);
	curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		curl_reason(h, rc, err, errlen);
	else if (status != 200)
		snprintf(err, errlen, "HTTP status %ld for %s", status, path);
	else if (!(*json = json_tokener_parse(b.data ? b.data : "")))
		snprintf(err, errlen, "not JSON: the answer to %s", path);
	free(b.data);
	return *json ? 0 : -1;
}

/* o's member key; NULL when o is no object or has none */
static json_object *member(json_object *o, const char *key)
{
	json_object *m = NULL;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &m))
		return NULL;
	return m;
}

/* o.outer.inner ("State", "Pid") */
static json_object *member2(json_object *o, const char *outer, const char *inner)
{
	return member(member(o, outer), inner);
}

static void copy_string(char *dst, size_t len, json_object *o)
{
	const char *s = json_object_is_type(o, json_type_string) ? json_object_get_string(o) : "";

	snprintf(dst, len, "%s", s);
}

static void fill_labels(struct nst_container *c, json_object *labels)
{
	copy_string(c->pod_name, sizeof(c->pod_name), member(labels, "io.kubernetes.pod.name"));
	copy_string(c->pod_namespace, sizeof(c->pod_namespace),
		    member(labels, "io.kubernetes.pod.namespace"));
	copy_string(c->pod_uid, sizeof(c->pod_uid), member(labels, "io.kubernetes.pod.uid"));
}

/* GET /containers/json inspect answer into c; false when it is none. */
static bool parse_inspect(json_object *j, const char *kind, struct nst_container *c)
{
	const char *name;

	memset(c, 0, sizeof(*c));
	copy_string(c->id, sizeof(c->id), member(j, "Id"));
	if (strlen(c->id) != 64)
		return false;
	copy_string(c->name, sizeof(c->name), member(j, "Name"));
	name = c->name[0] == '/' ? c->name + 1 : c->name;
	memmove(c->name, name, strlen(name) + 1);
	copy_string(c->image, sizeof(c->image), member2(j, "Config", "Image"));
	snprintf(c->runtime, sizeof(c->runtime), "%s", kind);
	c->running = json_object_get_boolean(member2(j, "State", "Running"));
	c->pid = c->running ? (pid_t)json_object_get_int(member2(j, "State", "Pid")) : 0;
	copy_string(c->network_mode, sizeof(c->network_mode),
		    member2(j, "HostConfig", "NetworkMode"));
	copy_string(c->ipc_mode, sizeof(c->ipc_mode), member2(j, "HostConfig", "IpcMode"));
	copy_string(c->pid_mode, sizeof(c->pid_mode), member2(j, "HostConfig", "PidMode"));
	copy_string(c->uts_mode, sizeof(c->uts_mode), member2(j, "HostConfig", "UTSMode"));
	fill_labels(c, member2(j, "Config", "Labels"));
	return true;
}

/* A source's request handle, the engine's kind, and the last error. */
struct client {
	struct nst_source *src;
	CURL *req;
	char kind[16];
	char err[256];
};

/* Inspect one container into the cache; a 404 (removed since) forgets it. */
static void inspect(struct client *cl, const char *id)
{
	struct nst_container c;
	json_object *j;
	char path[128];

	if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
		return;
	snprintf(path, sizeof(path), "/containers/%s/json", id);
	if (get_json(cl->req, path, cl->src->rt->request_timeout_ms, &j, cl->err,
		     sizeof(cl->err))) {
		nst_rt_forget(cl->src->rt, id);
		return;
	}
	if (parse_inspect(j, cl->kind, &c))
		nst_rt_put(cl->src->rt, &c);
	json_object_put(j);
}

/* GET /version: an Engine API answers with its ApiVersion; podman names itself. */
static int check_engine(struct client *cl)
{
	json_object *j, *parts;
	int ret = -1;

	if (get_json(cl->req, "/version", cl->src->rt->request_timeout_ms, &j, cl->err,
		     sizeof(cl->err)))
		return -1;
	snprintf(cl->kind, sizeof(cl->kind), "docker");
	parts = member(j, "Components");
	for (size_t i = 0;
	     json_object_is_type(parts, json_type_array) && i < json_object_array_length(parts);
	     i++) {
		json_object *name = member(json_object_array_get_idx(parts, i), "Name");

		if (name && strstr(json_object_get_string(name), "Podman"))
			snprintf(cl->kind, sizeof(cl->kind), "podman");
	}
	if (json_object_is_type(member(j, "ApiVersion"), json_type_string))
		ret = 0;
	else
		snprintf(cl->err, sizeof(cl->err), "no ApiVersion in /version: not a Docker API");
	json_object_put(j);
	return ret;
}

/* The running containers, each inspected into the cache. */
static int list_running(struct client *cl)
{
	json_object *list;
	size_t n;

	if (get_json(cl->req, "/containers/json", cl->src->rt->request_timeout_ms, &list, cl->err,
		     sizeof(cl->err)))
		return -1;
	n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	for (size_t i = 0; i < n && !nst_rt_stopping(cl->src->rt); i++) {
		json_object *id = member(json_object_array_get_idx(list, i), "Id");

		if (json_object_is_type(id, json_type_string))
			inspect(cl, json_object_get_string(id));
	}
	json_object_put(list);
	return 0;
}

/* The event stream, split into lines: one JSON object each. */
struct stream {
	struct client *cl;
	struct body line;
};

static void handle_event(struct client *cl, json_object *ev)
{
	json_object *type = member(ev, "Type"), *action = member(ev, "Action");
	json_object *id = member2(ev, "Actor", "ID");
	const char *a;

	if (!json_object_is_type(id, json_type_string) ||
	    !json_object_is_type(action, json_type_string) ||
	    (type && strcmp(json_object_get_string(type), "container")))
		return;
	a = json_object_get_string(action);
	if (!strcmp(a, "destroy"))
		nst_rt_forget(cl->src->rt, json_object_get_string(id));
	/* create: known by name before it starts (--wait traces its first calls) */
	else if (!strcmp(a, "create") || !strcmp(a, "start") || !strcmp(a, "die") ||
		 !strcmp(a, "rename"))
		/*
		 * A second handle from inside this one's write callback: the
		 * stream waits (the engine buffers) while one inspect runs.
		 */
		inspect(cl, json_object_get_string(id));
}

static size_t stream_lines(char *p, size_t size, size_t n, void *ud)
{
	struct stream *st = ud;
	size_t len = size * n;

	if (nst_rt_stopping(st->cl->src->rt))
		return 0;
	for (size_t i = 0; i < len; i++) {
		json_object *ev;

		if (p[i] != '\n') {
			if (st->line.len + 1 < MAX_EVENT_LINE && !collect(p + i, 1, 1, &st->line))
				return 0;
			continue;
		}
		ev = st->line.len ? json_tokener_parse(st->line.data) : NULL;
		if (ev) {
			handle_event(st->cl, ev);
			json_object_put(ev);
		}
		st->line.len = 0;
	}
	return len;
}

/* Follow /events from since until the engine goes away or close stops it. */
static void follow_events(struct client *cl, time_t since)
{
	static const char filter[] = "{\"type\":[\"container\"]}";
	struct nst_source *s = cl->src;
	struct stream st = { cl, { 0 } };
	char url[256];
	char *escaped;
	CURL *h = new_handle(s, &s->stream);

	escaped = h ? curl.easy_escape(h, filter, 0) : NULL;
	if (escaped) {
		snprintf(url, sizeof(url), "http://localhost/events?since=%lld&filters=%s",
			 (long long)since, escaped);
		curl.free(escaped);
		curl.easy_setopt(h, CURLOPT_URL, url);
		curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_lines);
		curl.easy_setopt(h, CURLOPT_WRITEDATA, &st);
		curl.easy_perform(h);
	}
	free(st.line.data);
	if (h)
		curl.easy_cleanup(h);
}

/* List what runs, then follow; again after a pause if the engine goes away. */
static void serve_source(struct client *cl)
{
	struct nst_runtimes *rt = cl->src->rt;
	bool listed = false;

	while (!nst_rt_stopping(rt)) {
		/* a second early: an event of the listing's second is seen twice, not lost */
		time_t since = time(NULL) - 1;

		if (check_engine(cl) || list_running(cl)) {
			if (!listed) {
				nst_rt_note(rt, "note: no container runtime at %s: %s",
					    cl->src->socket, cl->err);
				nst_rt_settle(cl->src, NST_SRC_ABSENT);
				return; /* absent at start: not asked again */
			}
		} else {
			listed = true;
			nst_rt_settle(cl->src, NST_SRC_READY);
			if (rt->no_follow)
				return;
			follow_events(cl, since);
		}
		if (nst_rt_nap(rt, RETRY_MS))
			return;
	}
}

void *nst_docker_thread(void *source)
{
	struct client cl = { .src = source };

	pthread_once(&curl_once, load_curl);
	if (curl_err[0]) {
		nst_rt_note(cl.src->rt, "note: no container names: %s", curl_err);
		nst_rt_settle(cl.src, NST_SRC_ABSENT);
		return NULL;
	}
	cl.req = new_handle(cl.src, &cl.src->request);
	if (!cl.req) {
		nst_rt_note(cl.src->rt, "note: no container names from %s: out of memory",
			    cl.src->socket);
		nst_rt_settle(cl.src, NST_SRC_ABSENT);
		return NULL;
	}
	serve_source(&cl);
	nst_rt_settle(cl.src, cl.src->state == NST_SRC_PENDING ? NST_SRC_ABSENT : cl.src->state);
	curl.easy_cleanup(cl.req);
	return NULL;
}
