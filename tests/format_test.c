// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The hand-tuned formatting and the recording's event encoding: each is
 * checked against the slow, obvious way (printf, the events themselves).
 */
#include <stdlib.h>
#include "kselftest_harness.h"
#include "event.h"
#include "evcodec.h"
#include "json.h"
#include "strbuf.h"

TEST(decimal_matches_printf)
{
	static const __u64 vals[] = {
		0, 9, 10, 99, 100, 101, 4026531836ULL, 1ULL << 32, 999999999999ULL, ~0ULL
	};
	char want[32], got[32];

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		snprintf(want, sizeof(want), "%llu", (unsigned long long)vals[i]);
		got[nst_u64_dec(got, vals[i])] = '\0';
		EXPECT_STREQ(want, got);
		snprintf(want, sizeof(want), "%lld", -(long long)(vals[i] >> 1) - 1);
		got[nst_i64_dec(got, -(__s64)(vals[i] >> 1) - 1)] = '\0';
		EXPECT_STREQ(want, got);
	}
}

/* Every rounding case of %.1f, ties included, on small and large latencies. */
TEST(usec_matches_printf)
{
	char want[64], got[64];
	struct sb s;

	for (__u64 base = 0; base < 40000000000ULL; base = base * 7 + 100003) {
		for (__u64 ns = base; ns < base + 2000; ns++) {
			snprintf(want, sizeof(want), "%.1f", ns / 1000.0);
			sb_init(&s, got, sizeof(got));
			sb_usec(&s, ns);
			ASSERT_STREQ(want, got) TH_LOG("ns %llu", (unsigned long long)ns);
		}
	}
}

TEST(builder_cuts_and_pads)
{
	char buf[8];
	struct sb s;

	sb_init(&s, buf, sizeof(buf));
	sb_str(&s, "abc");
	sb_pad(&s, 0, 5);
	EXPECT_STREQ("  abc", buf);
	sb_str(&s, "defghij");
	EXPECT_STREQ("  abcde", buf) TH_LOG("cut at the buffer, still terminated");
	EXPECT_EQ(7, s.off);
}

TEST(json_escapes_and_buffers)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	char big[3 * JW_BUF];
	struct jw w;

	ASSERT_NE(NULL, f);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jw_init(&w, f);
	jw_obj_open(&w, NULL);
	jw_str(&w, "s", "a\"b\\c\n\x01");
	jw_strn(&w, "comm", "ab\0junk", 7);
	jw_i64(&w, "n", -5);
	jw_str(&w, "big", big);
	jw_obj_close(&w);
	fclose(f);
	ASSERT_NE(NULL, strstr(text, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"comm\":\"ab\",\"n\":-5,"));
	EXPECT_EQ(
		strlen("{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"comm\":\"ab\",\"n\":-5,\"big\":\"\"}") +
			sizeof(big) - 1,
		len)
	TH_LOG("a value larger than the buffer is whole");
	free(text);
}

static void random_event(struct nst_event *e, const struct nst_event *prev, unsigned int seed)
{
	*e = *prev;
	e->ts_ns += rand_r(&seed) % 100000;
	e->lat_ns = rand_r(&seed);
	e->ret = seed % 3 ? 0 : -(__s64)(rand_r(&seed) % 200);
	e->pid = 1000 + rand_r(&seed) % 50;
	e->tid = e->pid + rand_r(&seed) % 3;
	e->kind = rand_r(&seed) % NST_K_MAX;
	e->flags = seed % 5 ? e->flags : (__u64)rand_r(&seed) << 32 | rand_r(&seed);
	for (int i = 0; i < NST_NS_COUNT; i++) {
		if (rand_r(&seed) % 8 == 0)
			e->before[i] = 4026531830U + rand_r(&seed) % 4000;
		e->after[i] = rand_r(&seed) % 6 ? e->before[i] : ~0U - rand_r(&seed) % 9;
		e->target[i] = rand_r(&seed) % 4 ? 0 : e->after[i] + 1;
	}
	if (rand_r(&seed) % 10 == 0)
		snprintf(e->comm, sizeof(e->comm), "c%u\xff", rand_r(&seed));
	e->comm[15] = seed & 1 ? 'z' : 0;
}

/* Compare field by field: the padding is not part of the encoding. */
static bool same_event(const struct nst_event *a, const struct nst_event *b)
{
	return a->ts_ns == b->ts_ns && a->lat_ns == b->lat_ns && a->cgroup_id == b->cgroup_id &&
	       a->flags == b->flags && a->ret == b->ret && a->pid == b->pid && a->tid == b->tid &&
	       a->ppid == b->ppid && a->child_pid == b->child_pid && a->kind == b->kind &&
	       a->source == b->source && a->setns_fd == b->setns_fd &&
	       a->target_kind == b->target_kind && a->target_type == b->target_type &&
	       a->target_pid == b->target_pid && !memcmp(a->before, b->before, sizeof(a->before)) &&
	       !memcmp(a->after, b->after, sizeof(a->after)) &&
	       !memcmp(a->target, b->target, sizeof(a->target)) &&
	       !memcmp(a->comm, b->comm, sizeof(a->comm));
}

TEST(events_round_trip_across_blocks)
{
	enum { N = 3000, BLOCK = 700 };
	struct nst_event *ev = calloc(N, sizeof(*ev)), *out = calloc(BLOCK, sizeof(*out));
	unsigned char *buf = malloc((size_t)BLOCK * NST_ENC_EVENT_MAX);
	struct nst_event wprev = {}, rprev = {}, zero = {};

	ASSERT_TRUE(ev && out && buf);
	for (int i = 0; i < N; i++)
		random_event(&ev[i], i ? &ev[i - 1] : &zero, i * 2654435761U);
	for (int at = 0; at < N; at += BLOCK) {
		unsigned int n = N - at < BLOCK ? N - at : BLOCK;
		size_t len = nst_enc_events(ev + at, n, &wprev, buf);
		struct nst_event scratch = rprev;

		ASSERT_LE(len, n * NST_ENC_EVENT_MAX);
		ASSERT_EQ(-1, nst_dec_events(buf, len - 1, out, n, &scratch))
		TH_LOG("a block one byte short is refused");
		ASSERT_EQ(0, nst_dec_events(buf, len, out, n, &rprev));
		for (unsigned int i = 0; i < n; i++) {
			ASSERT_TRUE(same_event(&ev[at + i], &out[i])) TH_LOG("event %u", at + i);
		}
	}
	free(ev);
	free(out);
	free(buf);
}

/* ns_free: the freed namespace's inode is in JSON's target, as the text DETAIL says it */
TEST(ns_free_json_names_the_inode)
{
	struct nst_event e = { .kind = NST_K_NS_FREE, .flags = 0x04000000 /* CLONE_NEWUTS */ };
	struct nst_fmt f = { 0 };
	struct nst_colset cols;
	char *buf = NULL, detail[256], want[128];
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	e.target[nst_types[NST_T_UTS].slot] = 4026532999U;
	nst_colset_all_json(&cols, false);
	nst_print_json(out, &cols, &e, &f);
	fclose(out);
	snprintf(want, sizeof(want),
		 "\"target\":{\"kind\":null,\"fd\":null,\"type\":"
		 "\"CLONE_NEWUTS\",\"pid\":null,\"ns\":{\"uts\":%u}}",
		 4026532999U);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("%s", buf);
	nst_event_detail(&e, &f, detail, sizeof(detail));
	EXPECT_NE(NULL, strstr(detail, "4026532999")) TH_LOG("%s", detail);
	free(buf);
}

TEST_HARNESS_MAIN
