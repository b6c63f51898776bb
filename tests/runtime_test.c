// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Container names from the runtime (user/runtime*.c).
 *
 * Without a Docker Engine: DOCKER_HOST parsing, the /var/log/pods scan on a
 * directory made here, and sockets that are absent, answer garbage, close
 * at once or never answer (served by a thread of this test): each a quick
 * return with a note, and lookups that say "not known".
 *
 * With one (tests/runtime_docker.t starts it): NSTRACE_DOCKER_SOCK is its
 * socket and NSTRACE_DOCKER_EXPECT a file of what `docker inspect` says,
 * one container a line: name id image pid network ipc uts pod-uid
 * pod-name pod-namespace ('-' for empty). With NSTRACE_DOCKER_LATE, the
 * test prints "# waiting for NAME" and expects that container, started
 * after it, to get its name from the event stream.
 */
#include <pthread.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include "kselftest_harness.h"
#include "nst_test.h"
#include "identity.h"
#include "runtime.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(docker_host)
{
	EXPECT_STREQ("/tmp/d.sock", nst_docker_host_socket("unix:///tmp/d.sock"));
	EXPECT_EQ(NULL, nst_docker_host_socket("tcp://127.0.0.1:2375"));
	EXPECT_EQ(NULL, nst_docker_host_socket("unix://"));
	EXPECT_EQ(NULL, nst_docker_host_socket(""));
	EXPECT_EQ(NULL, nst_docker_host_socket(NULL));
}

/* A /var/log/pods look-alike, made and removed by the test. */
FIXTURE(pods)
{
	char root[64];
};

static const char *const pod_dirs[] = {
	"default_web-0_1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901",
	"kube-system_coredns-5d78c9869d-x7k2p_aaaabbbb-cccc-dddd-eeee-ffff0000",
	"no-underscores",
	"only_one",
	"__",
};

static void pod_dir(char *path, size_t len, const char *root, size_t i)
{
	snprintf(path, len, "%s/%s", root, pod_dirs[i]);
}

FIXTURE_SETUP(pods)
{
	char path[256];

	snprintf(self->root, sizeof(self->root), "/tmp/nstrace-pods.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	for (size_t i = 0; i < sizeof(pod_dirs) / sizeof(*pod_dirs); i++) {
		pod_dir(path, sizeof(path), self->root, i);
		ASSERT_EQ(0, mkdir(path, 0755));
	}
}

FIXTURE_TEARDOWN(pods)
{
	char path[256];

	for (size_t i = 0; i < sizeof(pod_dirs) / sizeof(*pod_dirs); i++) {
		pod_dir(path, sizeof(path), self->root, i);
		EXPECT_EQ(0, rmdir(path));
	}
	EXPECT_EQ(0, rmdir(self->root));
}

TEST_F(pods, by_uid)
{
	char name[64], ns[64], tiny[4];

	ASSERT_EQ(0, nst_k8s_pod_by_uid(self->root, "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901", name,
					sizeof(name), ns, sizeof(ns)));
	EXPECT_STREQ("web-0", name);
	EXPECT_STREQ("default", ns);
	ASSERT_EQ(0, nst_k8s_pod_by_uid(self->root, "aaaabbbb-cccc-dddd-eeee-ffff0000", name,
					sizeof(name), ns, sizeof(ns)));
	EXPECT_STREQ("coredns-5d78c9869d-x7k2p", name);
	EXPECT_STREQ("kube-system", ns);
	EXPECT_EQ(-ENOENT, nst_k8s_pod_by_uid(self->root, "ffffffff-0000", name, sizeof(name), ns,
					      sizeof(ns)));
	EXPECT_EQ(-ENOENT, nst_k8s_pod_by_uid(self->root, "", name, sizeof(name), ns, sizeof(ns)));
	EXPECT_EQ(-ENOENT,
		  nst_k8s_pod_by_uid(self->root, "one", name, sizeof(name), ns, sizeof(ns)));
	/* a name that does not fit is no answer, not a cut one */
	EXPECT_EQ(-ENOENT, nst_k8s_pod_by_uid(self->root, "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901",
					      tiny, sizeof(tiny), ns, sizeof(ns)));
	EXPECT_EQ(-ENOENT,
		  nst_k8s_pod_by_uid("/nonexistent/pods", "x", name, sizeof(name), ns, sizeof(ns)));
}

TEST_F(pods, env_root)
{
	char name[64], ns[64];

	setenv("NSTRACE_PODS_LOG_DIR", self->root, 1);
	EXPECT_EQ(0, nst_k8s_pod_by_uid(NULL, "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901", name,
					sizeof(name), ns, sizeof(ns)));
	unsetenv("NSTRACE_PODS_LOG_DIR");
}

/* A unix socket served by a thread of the test, badly on purpose. */
enum bad_kind { BAD_GARBAGE, BAD_CLOSE, BAD_HANG, BAD_NOT_DOCKER, BAD_REFUSE };

struct bad_server {
	char path[108];
	int fd;
	enum bad_kind kind;
	pthread_t thread;
};

/* HTTP and JSON, but no Engine API: no ApiVersion */
static const char not_docker_answer[] =
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n"
	"Connection: close\r\n\r\n{\"hello\": 1}\n";

static const char *const bad_answers[] = {
	[BAD_GARBAGE] = "\x01\x02 this is no HTTP at all\r\n\r\n",
	[BAD_CLOSE] = "",
	[BAD_HANG] = NULL,
	[BAD_REFUSE] = NULL,
	[BAD_NOT_DOCKER] = not_docker_answer,
};

static void *serve_badly(void *arg)
{
	struct bad_server *b = arg;
	int c, held[8], nheld = 0;

	while ((c = accept(b->fd, NULL, NULL)) >= 0) {
		const char *answer = bad_answers[b->kind];
		char req[4096];

		if (!answer) {
			/* hang: hold the connection open, never answer */
			if (nheld < 8)
				held[nheld++] = c;
			continue;
		}
		/* a client that has gone already is no matter: no SIGPIPE */
		if (read(c, req, sizeof(req)) > 0)
			send(c, answer, strlen(answer), MSG_NOSIGNAL);
		close(c);
	}
	while (nheld)
		close(held[--nheld]);
	return NULL;
}

static int start_bad_server(struct bad_server *b, enum bad_kind kind)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	snprintf(b->path, sizeof(b->path), "/tmp/nstrace-bad-%d-%d.sock", getpid(), kind);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", b->path);
	unlink(b->path);
	b->kind = kind;
	b->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (b->fd < 0 || bind(b->fd, (struct sockaddr *)&addr, sizeof(addr)))
		return -1;
	/* a socket file that nobody listens on: connect is refused */
	if (kind == BAD_REFUSE)
		return 0;
	if (listen(b->fd, 8))
		return -1;
	return pthread_create(&b->thread, NULL, serve_badly, b) ? -1 : 0;
}

static void stop_bad_server(struct bad_server *b)
{
	shutdown(b->fd, SHUT_RDWR); /* accept returns: the thread ends */
	if (b->kind != BAD_REFUSE)
		pthread_join(b->thread, NULL);
	close(b->fd);
	unlink(b->path);
}

FIXTURE(bad)
{
	struct bad_server server;
	char *notes;
	size_t notes_len;
	FILE *notes_file;
};

FIXTURE_VARIANT(bad)
{
	enum bad_kind kind;
	const char *note; /* in the note line */
};

FIXTURE_VARIANT_ADD(bad, garbage){ BAD_GARBAGE, "no container runtime at" };
FIXTURE_VARIANT_ADD(bad, closes_at_once){ BAD_CLOSE, "no container runtime at" };
FIXTURE_VARIANT_ADD(bad, hangs){ BAD_HANG, "Timeout" };
FIXTURE_VARIANT_ADD(bad, not_docker){ BAD_NOT_DOCKER, "not a Docker API" };
FIXTURE_VARIANT_ADD(bad, refuses){ BAD_REFUSE, "Connection refused" };

FIXTURE_SETUP(bad)
{
	ASSERT_EQ(0, start_bad_server(&self->server, variant->kind));
	self->notes_file = open_memstream(&self->notes, &self->notes_len);
	ASSERT_NE(NULL, self->notes_file);
}

FIXTURE_TEARDOWN(bad)
{
	stop_bad_server(&self->server);
	fclose(self->notes_file);
	free(self->notes);
}

TEST_F(bad, quick_note_no_names)
{
	const char *sockets[] = { self->server.path, NULL };
	struct nst_runtime_opts opts = { .sockets = sockets, .notes = self->notes_file };
	struct nst_container c;
	struct nst_runtimes *rt;
	double t0 = now_s(), t1;

	/* open returns at once: the thread does the asking (a hang is 1.5 s) */
	rt = nst_runtimes_open(&opts);
	ASSERT_NE(NULL, rt);
	EXPECT_LT(now_s() - t0, 0.5);
	/*
	 * the event path's lookup, while the source is still being asked: no
	 * wait for the network (microseconds here; the bound leaves room for
	 * sanitizers, whose dlopen of libcurl on the other thread slows it)
	 */
	t1 = now_s();
	EXPECT_EQ(NST_LOOKUP_UNKNOWN, nst_runtimes_by_id(rt, "0123456789ab", &c));
	EXPECT_LT(now_s() - t1, 0.15);
	EXPECT_EQ(0, nst_runtimes_wait(rt, 5000));
	/* the request timeout (1.5 s) bounds a hanging engine */
	EXPECT_LT(now_s() - t0, 2.5);
	EXPECT_EQ(0, nst_runtimes_list(rt, &c, 1));
	EXPECT_EQ(NST_LOOKUP_UNKNOWN, nst_runtimes_find(rt, "web1", &c));
	nst_runtimes_close(rt);
	fflush(self->notes_file);
	EXPECT_NE(NULL, strstr(self->notes, variant->note)) TH_LOG("notes: %s", self->notes);
	EXPECT_NE(NULL, strstr(self->notes, self->server.path));
	/* one line, no more */
	EXPECT_EQ(self->notes_len, (size_t)(strchr(self->notes, '\n') - self->notes + 1));
}

/* close while a request hangs: returns at once, the thread is cut short */
TEST_F(bad, close_cuts_short)
{
	const char *sockets[] = { self->server.path, NULL };
	struct nst_runtime_opts opts = { .sockets = sockets, .request_timeout_ms = 30000 };
	struct nst_runtimes *rt = nst_runtimes_open(&opts);
	double t0;

	ASSERT_NE(NULL, rt);
	usleep(100000);
	t0 = now_s();
	nst_runtimes_close(rt);
	EXPECT_LT(now_s() - t0, 0.5);
}

/*
 * Open the runtimes on one socket alone, wait for it, close: how many
 * answered, the seconds it all took, and the notes (to free).
 */
static int ask_once(const char *path, double *secs, char **notes)
{
	const char *sockets[] = { path, NULL };
	size_t len = 0;
	FILE *f = open_memstream(notes, &len);
	struct nst_runtime_opts opts = { .sockets = sockets, .notes = f };
	double t0 = now_s();
	struct nst_runtimes *rt;
	int ready = -1;

	if (!f)
		return -1;
	rt = nst_runtimes_open(&opts);
	if (rt) {
		ready = nst_runtimes_wait(rt, 5000);
		nst_runtimes_close(rt);
	}
	fclose(f);
	*secs = now_s() - t0;
	return ready;
}

TEST(absent_socket)
{
	char *notes = NULL;
	double secs;

	EXPECT_EQ(0, ask_once("/nonexistent/docker.sock", &secs, &notes));
	EXPECT_LT(secs, 0.5);
	EXPECT_NE(NULL, strstr(notes, "no container runtime at /nonexistent/docker.sock: "))
	TH_LOG("notes: %s", notes);
	EXPECT_NE(NULL, strstr(notes, "No such file or directory"))
	TH_LOG("notes: %s", notes);
	free(notes);
}

/*
 * Sockets served badly by other processes (NSTRACE_BAD_SOCKS, ':' between
 * them; tests/runtime_docker.t runs python3 servers): the same as above.
 */
TEST(external_bad_sockets)
{
	const char *env = getenv("NSTRACE_BAD_SOCKS");
	char list[1024], *save = NULL;

	if (!env)
		SKIP(return, "NSTRACE_BAD_SOCKS not set");
	snprintf(list, sizeof(list), "%s", env);
	for (char *path = strtok_r(list, ":", &save); path; path = strtok_r(NULL, ":", &save)) {
		char *notes = NULL;
		double secs;

		EXPECT_EQ(0, ask_once(path, &secs, &notes));
		EXPECT_LT(secs, 2.5);
		EXPECT_TRUE(notes && strstr(notes, path));
		printf("# %s: %.2f s, %s", path, secs, notes ? notes : "no note\n");
		fflush(stdout); /* the harness's child ends with _exit */
		free(notes);
	}
}

/* no sockets at all, and silent: nothing to wait for */
TEST(no_sockets)
{
	const char *sockets[] = { NULL };
	struct nst_runtime_opts opts = { .sockets = sockets };
	struct nst_runtimes *rt = nst_runtimes_open(&opts);

	ASSERT_NE(NULL, rt);
	EXPECT_EQ(0, nst_runtimes_count(rt));
	EXPECT_EQ(0, nst_runtimes_wait(rt, 5000));
	nst_runtimes_close(rt);
}

/* One line of NSTRACE_DOCKER_EXPECT. */
struct expected {
	char name[128], id[65], image[128], net[80], ipc[80], uts[80];
	char pod_uid[40], pod_name[128], pod_ns[64];
	int pid;
};

#define MAX_EXPECTED 16
#define MAX_LISTED 32u

static void dash_to_empty(char *s)
{
	if (!strcmp(s, "-"))
		s[0] = '\0';
}

static int read_expected(const char *path, struct expected *e, int max)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fscanf(f, "%127s %64s %127s %d %79s %79s %79s %39s %127s %63s", e[n].name,
				 e[n].id, e[n].image, &e[n].pid, e[n].net, e[n].ipc, e[n].uts,
				 e[n].pod_uid, e[n].pod_name, e[n].pod_ns) == 10) {
		dash_to_empty(e[n].uts);
		dash_to_empty(e[n].pod_uid);
		dash_to_empty(e[n].pod_name);
		dash_to_empty(e[n].pod_ns);
		n++;
	}
	fclose(f);
	return n;
}

/* The test's own Docker Engine, listed once before each test. */
FIXTURE(engine)
{
	struct nst_runtimes *rt;
	struct expected want[MAX_EXPECTED];
	int n;
};

FIXTURE_SETUP(engine)
{
	const char *sock = getenv("NSTRACE_DOCKER_SOCK"), *exp = getenv("NSTRACE_DOCKER_EXPECT");
	const char *sockets[] = { sock, NULL };
	struct nst_runtime_opts opts = { .sockets = sockets, .notes = stderr };

	/* a SKIP here would not stop the test body: the tests check rt */
	self->rt = NULL;
	if (!sock || !exp)
		return;
	self->n = read_expected(exp, self->want, MAX_EXPECTED);
	ASSERT_LT(0, self->n) TH_LOG("nothing expected in %s", exp);
	self->rt = nst_runtimes_open(&opts);
	ASSERT_NE(NULL, self->rt);
	ASSERT_EQ(1, nst_runtimes_wait(self->rt, 10000));
}

FIXTURE_TEARDOWN(engine)
{
	nst_runtimes_close(self->rt);
}

#define NEED_ENGINE()                                                                         \
	do {                                                                                  \
		if (!self->rt)                                                                \
			SKIP(return, "no Docker Engine (tests/runtime_docker.t starts one)"); \
	} while (0)

TEST_F(engine, names_as_inspect_says)
{
	NEED_ENGINE();
	for (int i = 0; i < self->n; i++) {
		const struct expected *w = &self->want[i];
		struct nst_container c;

		ASSERT_EQ(NST_LOOKUP_FOUND, nst_runtimes_by_name(self->rt, w->name, &c))
		TH_LOG("%s", w->name);
		EXPECT_STREQ(w->id, c.id);
		EXPECT_STREQ(w->image, c.image);
		EXPECT_EQ(w->pid, c.pid);
		EXPECT_TRUE(c.running);
		EXPECT_STREQ("docker", c.runtime);
		EXPECT_STREQ(w->net, c.network_mode);
		EXPECT_STREQ(w->ipc, c.ipc_mode);
		EXPECT_STREQ(w->uts, c.uts_mode);
		EXPECT_STREQ(w->pod_uid, c.pod_uid);
		EXPECT_STREQ(w->pod_name, c.pod_name);
		EXPECT_STREQ(w->pod_ns, c.pod_namespace);
	}
}

TEST_F(engine, ids_and_prefixes)
{
	struct nst_container c;

	NEED_ENGINE();
	for (int i = 0; i < self->n; i++) {
		char prefix[13];

		snprintf(prefix, sizeof(prefix), "%s", self->want[i].id);
		ASSERT_EQ(NST_LOOKUP_FOUND, nst_runtimes_by_id(self->rt, self->want[i].id, &c));
		EXPECT_STREQ(self->want[i].name, c.name);
		ASSERT_EQ(NST_LOOKUP_FOUND, nst_runtimes_find(self->rt, prefix, &c));
		EXPECT_STREQ(self->want[i].name, c.name);
		ASSERT_EQ(NST_LOOKUP_FOUND, nst_runtimes_find(self->rt, self->want[i].name, &c));
	}
	/* a prefix two containers share, if any two share one */
	for (int i = 0; i < self->n; i++)
		for (int j = i + 1; j < self->n; j++)
			if (self->want[i].id[0] == self->want[j].id[0]) {
				char p[2] = { self->want[i].id[0], '\0' };

				EXPECT_EQ(NST_LOOKUP_AMBIGUOUS,
					  nst_runtimes_by_id(self->rt, p, &c));
			}
	EXPECT_EQ(NST_LOOKUP_UNKNOWN, nst_runtimes_find(self->rt, "no-such-container", &c));
	EXPECT_EQ(NST_LOOKUP_UNKNOWN, nst_runtimes_by_id(self->rt, "", &c));
}

TEST_F(engine, list_running)
{
	struct nst_container all[MAX_LISTED];
	size_t n;

	NEED_ENGINE();
	n = nst_runtimes_list(self->rt, all, MAX_LISTED);
	EXPECT_LE(self->n, n);
	for (size_t i = 1; i < n && i < MAX_LISTED; i++)
		EXPECT_LT(strcmp(all[i - 1].name, all[i].name), 0);
	for (int i = 0; i < self->n; i++) {
		bool seen = false;

		for (size_t k = 0; k < n && k < MAX_LISTED; k++)
			seen |= !strcmp(all[k].id, self->want[i].id);
		EXPECT_TRUE(seen) TH_LOG("%s not listed", self->want[i].name);
	}
}

/* the cgroup path names the same container (and pod) the engine does */
TEST_F(engine, identity_agrees)
{
	NEED_ENGINE();
	for (int i = 0; i < self->n; i++) {
		const struct expected *w = &self->want[i];
		struct nst_container c;
		struct nst_identity id;

		ASSERT_EQ(0, nst_identity_of_pid(w->pid, &id));
		EXPECT_STREQ(w->id, id.container) TH_LOG("%s", w->name);
		EXPECT_STREQ(w->pod_uid, id.pod_uid) TH_LOG("%s", w->name);
		EXPECT_NE(NST_RT_NONE, id.runtime);
		ASSERT_EQ(NST_LOOKUP_FOUND, nst_runtimes_by_id(self->rt, id.container, &c));
		EXPECT_STREQ(w->name, c.name);
	}
}

/* pod name and namespace from the /var/log/pods look-alike (NSTRACE_PODS_LOG_DIR) */
TEST_F(engine, pods_from_log_dirs)
{
	int pods = 0;

	NEED_ENGINE();
	for (int i = 0; i < self->n; i++) {
		const struct expected *w = &self->want[i];
		char name[128], ns[64];

		if (!w->pod_uid[0])
			continue;
		pods++;
		ASSERT_EQ(0,
			  nst_k8s_pod_by_uid(NULL, w->pod_uid, name, sizeof(name), ns, sizeof(ns)));
		EXPECT_STREQ(w->pod_name, name);
		EXPECT_STREQ(w->pod_ns, ns);
	}
	if (!pods)
		SKIP(return, "no pod among the expected containers");
}

/* a container started after the listing gets its name from the event stream */
TEST_F(engine, late_start)
{
	const char *late = getenv("NSTRACE_DOCKER_LATE");
	struct nst_container c;
	double t0;

	NEED_ENGINE();
	if (!late)
		SKIP(return, "NSTRACE_DOCKER_LATE not set");
	EXPECT_EQ(NST_LOOKUP_UNKNOWN, nst_runtimes_by_name(self->rt, late, &c));
	printf("# waiting for %s\n", late);
	fflush(stdout);
	t0 = now_s();
	/* named at its create event already; running at its start event */
	while ((nst_runtimes_by_name(self->rt, late, &c) != NST_LOOKUP_FOUND || !c.running) &&
	       now_s() - t0 < 30)
		usleep(20000);
	ASSERT_EQ(NST_LOOKUP_FOUND, nst_runtimes_by_name(self->rt, late, &c))
	TH_LOG("%s not seen in 30 s", late);
	EXPECT_TRUE(c.running);
	EXPECT_LT(0, c.pid);
	printf("# %s named %.3f s after the wait began\n", late, now_s() - t0);
	fflush(stdout);
}

TEST_HARNESS_MAIN
