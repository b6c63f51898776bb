// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The identity blocks of recordings (format 4): entries round-trip through
 * the codec and the file; damaged entries are refused whole; a recording
 * whose identity block is damaged still gives back the events before it;
 * a format 3 recording (tests/corpus/recfile/pod-demo.nst) still reads.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "kselftest_harness.h"
#include "nst_test.h"
#include "evcodec.h"
#include "recfile.h"

static struct nst_id_entry web1(void)
{
	struct nst_id_entry e = { .key_kind = NST_IDK_CGROUP, .key = 4242, .container = true };

	e.info.kind = NST_RT_DOCKER;
	memset(e.info.id, 'a', 64);
	strcpy(e.info.name, "web1");
	strcpy(e.info.image, "busybox:latest");
	strcpy(e.info.runtime, "docker");
	strcpy(e.info.pod_uid, "0f6b1c1e-4c2e-4a55-9a4e-5b1f00000001");
	strcpy(e.info.pod_name, "shop");
	strcpy(e.info.pod_namespace, "default");
	return e;
}

struct got {
	struct nst_id_entry e[8];
	int n;
	__u64 events;
};

static int on_entry(void *ctx, const struct nst_id_entry *e)
{
	struct got *g = ctx;

	if (g->n < 8)
		g->e[g->n++] = *e;
	return 0;
}

static int on_event(void *ctx, const struct nst_event *e)
{
	((struct got *)ctx)->events++;
	return 0;
}

TEST(entries_round_trip)
{
	struct nst_id_entry in[3] = { web1(), { .key_kind = NST_IDK_CGROUP, .key = 1 }, web1() };
	unsigned char buf[3 * NST_ID_ENTRY_MAX];
	struct got g = {};
	size_t len = 0;

	in[2].key_kind = NST_IDK_NS;
	in[2].key = 4026532000U;
	memset(in[2].info.name, 0, sizeof(in[2].info.name)); /* not named yet: the id stands in */
	for (int i = 0; i < 3; i++)
		len += nst_enc_identity(&in[i], buf + len);
	ASSERT_EQ(0, nst_dec_identities(buf, len, 3, on_entry, &g));
	ASSERT_EQ(3, g.n);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(in[i].key_kind, g.e[i].key_kind);
		EXPECT_EQ(in[i].key, g.e[i].key);
		EXPECT_EQ(in[i].container, g.e[i].container);
		EXPECT_EQ(0, memcmp(&in[i].info, &g.e[i].info, sizeof(in[i].info)))
		TH_LOG("entry %d: %s/%s %s/%s %d/%d", i, in[i].info.name, g.e[i].info.name,
		       in[i].info.pod_namespace, g.e[i].info.pod_namespace, in[i].info.kind,
		       g.e[i].info.kind);
	}
	/* one entry too many, one too few, trailing bytes: all refused */
	EXPECT_EQ(-1, nst_dec_identities(buf, len, 4, NULL, NULL));
	EXPECT_EQ(-1, nst_dec_identities(buf, len, 2, NULL, NULL));
	EXPECT_EQ(-1, nst_dec_identities(buf, len - 1, 3, NULL, NULL));
}

TEST(bad_entries_refused)
{
	struct nst_id_entry e = web1();
	unsigned char buf[NST_ID_ENTRY_MAX];
	size_t len = nst_enc_identity(&e, buf);
	unsigned char bad[NST_ID_ENTRY_MAX];

	/* an unknown key kind */
	memcpy(bad, buf, len);
	bad[0] = 9;
	EXPECT_EQ(-1, nst_dec_identities(bad, len, 1, NULL, NULL));
	/* a string longer than its field: the id's length byte says 300 */
	memcpy(bad, buf, len);
	ASSERT_EQ(64, bad[4]);
	bad[4] = 0xac;
	EXPECT_EQ(-1, nst_dec_identities(bad, len, 1, NULL, NULL));
	/* a NUL inside a string */
	memcpy(bad, buf, len);
	bad[10] = 0;
	EXPECT_EQ(-1, nst_dec_identities(bad, len, 1, NULL, NULL));
	/* a runtime kind beyond the known ones */
	memcpy(bad, buf, len);
	bad[3] = 0x7f;
	EXPECT_EQ(-1, nst_dec_identities(bad, len, 1, NULL, NULL));
}

static void meta(struct nst_rec_meta *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->backend, "bpf");
	strcpy(m->tier, "tracepoint");
	m->event_size = sizeof(struct nst_event);
}

static void record(const char *path, int nevents)
{
	struct nst_id_entry e = web1();
	struct nst_rec_writer *w;
	struct nst_rec_meta m;
	struct nst_event ev = { .kind = NST_K_UNSHARE, .cgroup_id = 4242, .pid = 10 };
	char err[256];

	meta(&m);
	w = nst_rec_create(path, &m, err, sizeof(err));
	if (!w)
		abort();
	if (nst_rec_identity(w, &e, err, sizeof(err)))
		abort();
	for (int i = 0; i < nevents; i++) {
		ev.ts_ns = 1000 + i;
		if (nst_rec_add(w, &ev, err, sizeof(err)))
			abort();
	}
	/* the name learnt later: a second entry replaces the first */
	strcpy(e.info.name, "web1-renamed");
	if (nst_rec_identity(w, &e, err, sizeof(err)) || nst_rec_close(w, err, sizeof(err)))
		abort();
}

TEST(file_keeps_identities_before_events)
{
	char path[] = "/tmp/recident_XXXXXX";
	struct nst_rec_reader_ops ops = { .event = on_event, .identity = on_entry };
	struct nst_rec_status st;
	struct got g = {};
	char err[256];
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	close(fd);
	record(path, 100);
	ASSERT_EQ(0, nst_rec_read_file(path, &ops, &g, &st, err, sizeof(err)));
	unlink(path);
	EXPECT_FALSE(st.damaged);
	EXPECT_TRUE(st.complete);
	EXPECT_EQ(100, g.events);
	ASSERT_EQ(2, g.n);
	EXPECT_STREQ("web1", g.e[0].info.name);
	EXPECT_STREQ("web1-renamed", g.e[1].info.name);
	EXPECT_EQ(4242, g.e[1].key);
}

static void put32(unsigned char *p, __u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

/*
 * Append a block whose payload is compressed by a stream of its own (a
 * sync-flushed raw deflate continues any other) and whose CRC is right:
 * only the entry inside is wrong.
 */
static void append_block(const char *path, __u32 type, __u32 count, const void *raw, size_t len)
{
	unsigned char out[4096], hdr[24];
	z_stream zs = {};
	FILE *f;
	size_t clen;

	if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	zs.next_in = (Bytef *)raw;
	zs.avail_in = len;
	zs.next_out = out;
	zs.avail_out = sizeof(out);
	if (deflate(&zs, Z_SYNC_FLUSH) != Z_OK)
		abort();
	clen = sizeof(out) - zs.avail_out;
	deflateEnd(&zs);
	put32(hdr, NST_BLOCK_MAGIC);
	put32(hdr + 4, type);
	put32(hdr + 8, count);
	put32(hdr + 12, len);
	put32(hdr + 16, clen);
	put32(hdr + 20, crc32(crc32(0, hdr, 20), out, clen));
	f = fopen(path, "ae");
	if (!f || fwrite(hdr, 1, 24, f) != 24 || fwrite(out, 1, clen, f) != clen || fclose(f))
		abort();
}

/* Cut the end block off, so blocks can follow the events. */
static void cut_end(const char *path)
{
	FILE *f = fopen(path, "re");
	long size;

	if (!f || fseek(f, 0, SEEK_END))
		abort();
	size = ftell(f);
	fclose(f);
	/* the end block: 24 bytes of header and a small deflated u64 */
	for (long cut = size - 24; cut > 0; cut--) {
		unsigned char h[4];

		f = fopen(path, "re");
		fseek(f, cut, SEEK_SET);
		if (fread(h, 1, 4, f) == 4 && h[0] == 'N' && h[1] == 'S' && h[2] == 'T' &&
		    h[3] == 'B') {
			fclose(f);
			if (truncate(path, cut))
				abort();
			return;
		}
		fclose(f);
	}
	abort();
}

TEST(damaged_identity_block_keeps_events_before)
{
	char path[] = "/tmp/recident_XXXXXX";
	struct nst_rec_reader_ops ops = { .event = on_event, .identity = on_entry };
	struct nst_id_entry e = web1();
	unsigned char raw[NST_ID_ENTRY_MAX];
	struct nst_rec_status st;
	struct got g = {};
	size_t len;
	char err[256];
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	close(fd);
	record(path, 50);
	cut_end(path);
	e.key = 77;
	len = nst_enc_identity(&e, raw);
	raw[0] = 9; /* no such key kind */
	append_block(path, NST_BLOCK_IDENTITY, 1, raw, len);
	ASSERT_EQ(0, nst_rec_read_file(path, &ops, &g, &st, err, sizeof(err)));
	unlink(path);
	EXPECT_TRUE(st.damaged);
	EXPECT_EQ(50, g.events);
	/* the two good entries, nothing of the bad block */
	EXPECT_EQ(2, g.n);
	EXPECT_NE(NULL, strstr(st.warning, "bad identity block")) TH_LOG("%s", st.warning);
	EXPECT_NE(NULL, strstr(st.warning, "the 50 events")) TH_LOG("%s", st.warning);
}

/* Recorded by the nstrace before identity blocks: read as it always was. */
TEST(format_3_still_reads)
{
	struct nst_rec_reader_ops ops = { .event = on_event, .identity = on_entry };
	struct nst_rec_status st;
	struct got g = {};
	char err[256];
	FILE *f = fopen("tests/corpus/recfile/pod-demo.nst", "re");
	unsigned char hdr[12];

	/* the guest carries no corpus; on the host the file must be there */
	if (!f && nst_in_vm())
		SKIP(return, "the VM image carries no tests/corpus");
	ASSERT_NE(NULL, f) TH_LOG("tests/corpus/recfile/pod-demo.nst: run from the source tree");
	ASSERT_EQ(12, fread(hdr, 1, 12, f));
	fclose(f);
	ASSERT_EQ(3, hdr[8]) TH_LOG("the corpus file is format 3 by design");
	ASSERT_EQ(0, nst_rec_read_file("tests/corpus/recfile/pod-demo.nst", &ops, &g, &st, err,
				       sizeof(err)))
	TH_LOG("%s", err);
	EXPECT_FALSE(st.damaged);
	EXPECT_GT(g.events, 0);
	EXPECT_EQ(0, g.n);
}

TEST_HARNESS_MAIN
