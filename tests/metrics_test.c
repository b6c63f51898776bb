// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The container and pod labels of serve's metrics: the cap on distinct
 * values (the rest count as other), a cgroup whose labels come late, and
 * one that never gets any. The labels come from a table of the test's
 * own in place of the resolver.
 */
#include <stdlib.h>
#include <string.h>
#include "kselftest_harness.h"
#include "clock.h"
#include "metrics.h"

struct fake {
	__u64 cgroup;
	const char *ctr, *pod;
	enum nst_label_state state;
};

static struct fake table[] = {
	{ 1, "", "", NST_LABELS_FINAL }, /* the host */
	{ 10, "web1", "", NST_LABELS_FINAL },
	{ 11, "web2", "shop/web-0", NST_LABELS_FINAL },
	{ 12, "web3", "", NST_LABELS_FINAL },
	{ 13, "web1", "", NST_LABELS_FINAL }, /* a second cgroup of web1 (a child) */
	{ 20, "", "", NST_LABELS_NOT_YET }, /* named later by the test */
	{ 30, "", "", NST_LABELS_NOT_YET }, /* never named */
	{ 40, "4f3c2a1b9e0d", "", NST_LABELS_PROVISIONAL }, /* an id, never a name */
};

static enum nst_label_state labels(void *ctx, __u64 cg, char *ctr, size_t cl, char *pod, size_t pl)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].cgroup == cg) {
			snprintf(ctr, cl, "%s", table[i].ctr);
			snprintf(pod, pl, "%s", table[i].pod);
			return table[i].state;
		}
	return NST_LABELS_NOT_YET;
}

/* n successful unshare(CLONE_NEWUTS) calls in cgroup cg */
static void unshare_uts(struct nst_metrics *m, __u64 cg, int n)
{
	struct nst_event e = {
		.kind = NST_K_UNSHARE, .flags = 0x04000000, .cgroup_id = cg, .lat_ns = 3000
	};

	for (int i = 0; i < n; i++)
		nst_metrics_event(m, &e);
}

static char *render(struct nst_metrics *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	nst_metrics_render(m, f, "test", "bpf", "tracepoint");
	fclose(f);
	return buf;
}

/* The value of the series line that starts with prefix, or -1. */
static long long value(const char *page, const char *series)
{
	const char *p = page;
	size_t n = strlen(series);

	while ((p = strstr(p, series))) {
		if ((p == page || p[-1] == '\n') && p[n] == ' ')
			return atoll(p + n + 1);
		p += n;
	}
	return -1;
}

#define UTS_OPS(c, pod)                                                                            \
	"nstrace_namespace_operations_total{type=\"uts\",syscall=\"unshare\",outcome=\"success\"," \
	"container=\"" c "\",pod=\"" pod "\"}"
#define UTS_CREATED(c, pod) \
	"nstrace_namespaces_created_total{type=\"uts\",container=\"" c "\",pod=\"" pod "\"}"

TEST(cap_puts_the_rest_in_other)
{
	struct nst_metrics *m = nst_metrics_new(10, 2);
	char *page;

	ASSERT_NE(NULL, m);
	nst_metrics_set_labels(m, labels, NULL);
	unshare_uts(m, 1, 1);
	unshare_uts(m, 10, 2);
	unshare_uts(m, 11, 3);
	unshare_uts(m, 12, 4); /* the third container: over the cap of 2 */
	unshare_uts(m, 13, 5); /* web1 again: its value is there already */
	page = render(m);
	EXPECT_EQ(1, value(page, UTS_OPS("", "")));
	EXPECT_EQ(7, value(page, UTS_OPS("web1", "")));
	EXPECT_EQ(3, value(page, UTS_OPS("web2", "shop/web-0")));
	EXPECT_EQ(4, value(page, UTS_OPS("other", "other")));
	EXPECT_EQ(-1, value(page, UTS_OPS("web3", "")));
	EXPECT_EQ(7, value(page, UTS_CREATED("web1", "")));
	EXPECT_EQ(2, value(page, "nstrace_container_label_values"));
	EXPECT_NE(NULL, strstr(page, "at most 2 distinct values, the rest count as other"));
	/* a container's histogram is there once it created something */
	EXPECT_EQ(3, value(page, "nstrace_namespace_creation_latency_seconds_count{type=\"uts\","
				 "container=\"web2\",pod=\"shop/web-0\"}"));
	/* no series of a type a container never touched */
	EXPECT_TRUE(!strstr(page, "type=\"net\",syscall=\"unshare\",outcome=\"success\","
				  "container=\"web1\""));
	free(page);
	nst_metrics_free(m);
}

TEST(a_cap_of_zero_keeps_only_the_host_and_other)
{
	struct nst_metrics *m = nst_metrics_new(10, 0);
	char *page;

	nst_metrics_set_labels(m, labels, NULL);
	unshare_uts(m, 1, 1);
	unshare_uts(m, 10, 2);
	page = render(m);
	EXPECT_EQ(1, value(page, UTS_OPS("", "")));
	EXPECT_EQ(2, value(page, UTS_OPS("other", "other")));
	EXPECT_EQ(-1, value(page, UTS_OPS("web1", "")));
	free(page);
	nst_metrics_free(m);
}

TEST(late_labels_join_their_container)
{
	struct nst_metrics *m = nst_metrics_new(10, 10);
	long long t0;
	char *page;

	nst_metrics_set_labels(m, labels, NULL);
	unshare_uts(m, 20, 3);
	unshare_uts(m, 30, 1);
	unshare_uts(m, 40, 1);
	/* not shown before they are settled: a series never loses counts */
	page = render(m);
	EXPECT_EQ(-1, value(page, UTS_OPS("web4", "")));
	EXPECT_EQ(-1, value(page, UTS_OPS("other", "other")));
	free(page);
	table[5].ctr = "web4";
	table[5].state = NST_LABELS_FINAL;
	t0 = nst_mono_ms();
	nst_metrics_tick(m, t0);
	unshare_uts(m, 20, 1);
	page = render(m);
	EXPECT_EQ(4, value(page, UTS_OPS("web4", "")));
	EXPECT_EQ(-1, value(page, UTS_OPS("other", "other")));
	free(page);
	/* long after: the id stands in for a name that never came; nothing as other */
	nst_metrics_tick(m, t0 + 3600 * 1000LL);
	page = render(m);
	EXPECT_EQ(1, value(page, UTS_OPS("4f3c2a1b9e0d", "")));
	EXPECT_EQ(1, value(page, UTS_OPS("other", "other")));
	free(page);
	nst_metrics_free(m);
}

TEST(label_values_are_escaped)
{
	struct nst_metrics *m = nst_metrics_new(10, 10);
	char *page;

	table[1].ctr = "we\"b\\1\n";
	nst_metrics_set_labels(m, labels, NULL);
	unshare_uts(m, 10, 1);
	page = render(m);
	EXPECT_EQ(1, value(page, UTS_OPS("we\\\"b\\\\1\\n", "")));
	free(page);
	nst_metrics_free(m);
	table[1].ctr = "web1";
}

TEST(without_labels_everything_is_the_host)
{
	struct nst_metrics *m = nst_metrics_new(10, 2);
	char *page;

	unshare_uts(m, 10, 2);
	page = render(m);
	EXPECT_EQ(2, value(page, UTS_OPS("", "")));
	free(page);
	nst_metrics_free(m);
}

TEST_HARNESS_MAIN
