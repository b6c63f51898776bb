// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>
#include "evcodec.h"
#include "recfile.h"

#define BLOCK_HDR 24
/* the encoded events of a full block; lost and end records are smaller */
#define MAX_BLOCK_BYTES ((size_t)NST_BLOCK_MAX_EVENTS * NST_ENC_EVENT_MAX)
#define MAX_ID_BYTES ((size_t)NST_BLOCK_MAX_IDS * NST_ID_ENTRY_MAX)

struct nst_rec_writer {
	int fd;
	struct nst_event buf[NST_BLOCK_MAX_EVENTS];
	int n;
	__u64 written;
	unsigned char *raw; /* the encoded events of one block */
	unsigned char *zbuf;
	size_t zcap;
	z_stream zs; /* one deflate stream, sync-flushed at every block */
	bool zs_ready;
	struct nst_event prev; /* the delta base continues across blocks */
	unsigned char *ids; /* identity entries waiting for the next block of events */
	size_t ids_len;
	unsigned int nids;
	bool failed;
};

static void put32(unsigned char *p, __u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static __u32 get32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

/* A short write is retried; ENOSPC and friends end the recording. */
static int write_all(int fd, const void *p, size_t len, char *err, size_t errlen)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "failed to write recording: %s%s",
				 n < 0 ? strerror(errno) : "short write",
				 errno == ENOSPC
					 ? " (the file is readable up to the last complete block)"
					 : "");
			return -1;
		}
		p = (const char *)p + n;
		len -= n;
	}
	return 0;
}

static size_t format_meta(const struct nst_rec_meta *m, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "host=%s\nkernel=%s\nboot_to_wall_ns=%lld\nbackend=%s\ntier=%s\n"
			 "filters=%s\nevent_size=%u\nabi=%d\n",
			 m->host, m->kernel, (long long)m->boot_to_wall_ns, m->backend, m->tier,
			 m->filters, m->event_size, NST_ABI_VERSION);

	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

struct nst_rec_writer *nst_rec_create(const char *path, const struct nst_rec_meta *meta, char *err,
				      size_t errlen)
{
	unsigned char hdr[16 + NST_REC_META_MAX + 4];
	struct nst_rec_writer *w = calloc(1, sizeof(*w));
	size_t mlen;

	if (!w) {
		snprintf(err, errlen, "failed to allocate recorder: %s", strerror(errno));
		return NULL;
	}
	/* sync-flushed raw deflate can exceed compressBound by its flush marker */
	w->zcap = compressBound(MAX_BLOCK_BYTES) + 64;
	w->zbuf = malloc(w->zcap);
	w->raw = malloc(MAX_BLOCK_BYTES);
	w->ids = malloc(MAX_ID_BYTES);
	w->zs_ready = deflateInit2(&w->zs, 3, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0 || !w->zbuf || !w->raw || !w->ids || !w->zs_ready) {
		snprintf(err, errlen, "failed to create %s: %s", path, strerror(errno));
		goto fail;
	}
	memcpy(hdr, NST_REC_MAGIC, 8); // NOLINT(bugprone-not-null-terminated-result): a signature
	put32(hdr + 8, NST_REC_VERSION);
	mlen = format_meta(meta, (char *)hdr + 16, NST_REC_META_MAX);
	put32(hdr + 12, mlen);
	put32(hdr + 16 + mlen, crc32(0, hdr + 16, mlen));
	if (write_all(w->fd, hdr, 16 + mlen + 4, err, errlen))
		goto fail;
	return w;
fail:
	if (w->fd >= 0)
		close(w->fd);
	if (w->zs_ready)
		deflateEnd(&w->zs);
	free(w->zbuf);
	free(w->raw);
	free(w->ids);
	free(w);
	return NULL;
}

static int write_block(struct nst_rec_writer *w, __u32 type, __u32 count, const void *raw,
		       size_t raw_len, char *err, size_t errlen)
{
	unsigned char *out = w->zbuf + BLOCK_HDR;
	size_t clen;

	if (w->failed) {
		snprintf(err, errlen, "recording stopped after an earlier write error");
		return -1;
	}
	/*
	 * One stream for the file, flushed to a byte boundary per block: small
	 * blocks (a quiet second) still compress against all that came before.
	 * Level 3, zlib's fast matcher with its longest chains: level 6's lazy
	 * matcher was the recorder's largest cost in a profile of a setns
	 * storm, for files a few percent smaller, and the recorder shares the
	 * machine with what it traces.
	 */
	w->zs.next_in = (Bytef *)raw;
	w->zs.avail_in = raw_len;
	w->zs.next_out = out;
	w->zs.avail_out = w->zcap - BLOCK_HDR;
	if (deflate(&w->zs, Z_SYNC_FLUSH) != Z_OK || w->zs.avail_in) {
		snprintf(err, errlen, "failed to compress a block");
		w->failed = true;
		return -1;
	}
	clen = w->zcap - BLOCK_HDR - w->zs.avail_out;
	put32(w->zbuf, NST_BLOCK_MAGIC);
	put32(w->zbuf + 4, type);
	put32(w->zbuf + 8, count);
	put32(w->zbuf + 12, raw_len);
	put32(w->zbuf + 16, clen);
	put32(w->zbuf + 20, crc32(crc32(0, w->zbuf, 20), out, clen));
	/* one write per block: a crash leaves whole blocks plus at most one torn one */
	if (write_all(w->fd, w->zbuf, BLOCK_HDR + clen, err, errlen)) {
		w->failed = true;
		return -1;
	}
	return 0;
}

static int flush_ids(struct nst_rec_writer *w, char *err, size_t errlen)
{
	unsigned int n = w->nids;
	size_t len = w->ids_len;

	if (!n)
		return 0;
	w->nids = 0;
	w->ids_len = 0;
	return write_block(w, NST_BLOCK_IDENTITY, n, w->ids, len, err, errlen);
}

int nst_rec_identity(struct nst_rec_writer *w, const struct nst_id_entry *e, char *err,
		     size_t errlen)
{
	if (w->nids == NST_BLOCK_MAX_IDS && flush_ids(w, err, errlen))
		return -1;
	w->ids_len += nst_enc_identity(e, w->ids + w->ids_len);
	w->nids++;
	return 0;
}

int nst_rec_flush(struct nst_rec_writer *w, char *err, size_t errlen)
{
	int n = w->n;
	size_t raw_len;

	/* the identities first: a reader knows them before the events that need them */
	if (flush_ids(w, err, errlen))
		return -1;
	if (!n)
		return 0;
	raw_len = nst_enc_events(w->buf, n, &w->prev, w->raw);
	w->n = 0;
	if (write_block(w, NST_BLOCK_EVENTS, n, w->raw, raw_len, err, errlen))
		return -1;
	w->written += n;
	return 0;
}

int nst_rec_add(struct nst_rec_writer *w, const struct nst_event *e, char *err, size_t errlen)
{
	w->buf[w->n++] = *e;
	return w->n == NST_BLOCK_MAX_EVENTS ? nst_rec_flush(w, err, errlen) : 0;
}

int nst_rec_lost(struct nst_rec_writer *w, __u64 ts_ns, __u64 total, char *err, size_t errlen)
{
	__u64 rec[2] = { ts_ns, total };

	/* keep order: the events before the loss go first */
	if (nst_rec_flush(w, err, errlen))
		return -1;
	return write_block(w, NST_BLOCK_LOST, 1, rec, sizeof(rec), err, errlen);
}

int nst_rec_close(struct nst_rec_writer *w, char *err, size_t errlen)
{
	int ret = w->failed ? 0 : nst_rec_flush(w, err, errlen);
	__u64 total;

	/* the end marker tells a complete file from one cut at a block boundary */
	if (!ret && !w->failed) {
		total = w->written;
		ret = write_block(w, NST_BLOCK_END, 0, &total, sizeof(total), err, errlen);
	}

	if (close(w->fd) && !ret) {
		snprintf(err, errlen, "failed to close recording: %s", strerror(errno));
		ret = -1;
	}
	deflateEnd(&w->zs);
	free(w->zbuf);
	free(w->raw);
	free(w->ids);
	free(w);
	return ret;
}

__u64 nst_rec_events_written(const struct nst_rec_writer *w)
{
	return w->written;
}

/* ---- reading ---- */

/* Fields are cut to their size; precision from a variable keeps gcc content. */
static void set_field(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%.*s", (int)size - 1, src);
}

static void parse_meta(const char *p, size_t len, struct nst_rec_meta *m)
{
	char line[600];

	memset(m, 0, sizeof(*m));
	/* before the kernel module, every recording came from the bpf backend */
	set_field(m->backend, sizeof(m->backend), "bpf");
	while (len) {
		const char *nl = memchr(p, '\n', len);
		size_t l = nl ? (size_t)(nl - p) : len;

		snprintf(line, sizeof(line), "%.*s", (int)(l < sizeof(line) ? l : sizeof(line) - 1),
			 p);
		if (!strncmp(line, "host=", 5))
			set_field(m->host, sizeof(m->host), line + 5);
		else if (!strncmp(line, "kernel=", 7))
			set_field(m->kernel, sizeof(m->kernel), line + 7);
		else if (!strncmp(line, "boot_to_wall_ns=", 16))
			m->boot_to_wall_ns = strtoll(line + 16, NULL, 10);
		else if (!strncmp(line, "backend=", 8))
			set_field(m->backend, sizeof(m->backend), line + 8);
		else if (!strncmp(line, "tier=", 5))
			set_field(m->tier, sizeof(m->tier), line + 5);
		else if (!strncmp(line, "filters=", 8))
			set_field(m->filters, sizeof(m->filters), line + 8);
		else if (!strncmp(line, "event_size=", 11))
			m->event_size = strtoul(line + 11, NULL, 10);
		p += l + (nl ? 1 : 0);
		len -= l + (nl ? 1 : 0);
	}
}

static int damaged(struct nst_rec_status *st, size_t off, const char *why)
{
	st->damaged = true;
	st->damage_offset = off;
	snprintf(st->warning, sizeof(st->warning),
		 "recording damaged at byte offset %zu (%s): reporting the %llu events of the "
		 "%llu intact blocks before it",
		 off, why, (unsigned long long)st->events, (unsigned long long)st->blocks);
	return 1;
}

struct reader {
	__u32 version; /* of the file */
	z_stream zs;
	struct nst_event prev;
	unsigned char *raw; /* one block's payload, inflated */
	struct nst_event *ev; /* and its events, decoded */
};

/* The next block's payload from the file-wide stream: exactly raw_len bytes. */
static bool inflate_block(struct reader *rd, const unsigned char *in, __u32 clen, __u32 raw_len)
{
	int ret;

	rd->zs.next_in = (Bytef *)in;
	rd->zs.avail_in = clen;
	rd->zs.next_out = rd->raw;
	rd->zs.avail_out = raw_len;
	ret = inflate(&rd->zs, Z_SYNC_FLUSH);
	return (ret == Z_OK || ret == Z_BUF_ERROR) && rd->zs.avail_out == 0 && rd->zs.avail_in == 0;
}

/* Checked whole before any entry is handed out: a damaged block adds nothing. */
static int read_identities(struct reader *rd, __u32 count, __u32 raw_len,
			   const struct nst_rec_reader_ops *ops, void *ctx)
{
	if (nst_dec_identities(rd->raw, raw_len, count, NULL, NULL))
		return -1;
	if (ops->identity)
		nst_dec_identities(rd->raw, raw_len, count, ops->identity, ctx);
	return 0;
}

/* Check and unpack the block at off; returns its length, or 0 when it is damaged. */
static size_t read_block(const unsigned char *buf, size_t len, size_t off,
			 const struct nst_rec_reader_ops *ops, void *ctx, struct reader *rd,
			 struct nst_rec_status *st)
{
	const unsigned char *h = buf + off;
	__u32 type, count, raw_len, clen;

	if (len - off < BLOCK_HDR)
		return damaged(st, off, "truncated block header"), 0;
	type = get32(h + 4);
	count = get32(h + 8);
	raw_len = get32(h + 12);
	clen = get32(h + 16);
	if (get32(h) != NST_BLOCK_MAGIC)
		return damaged(st, off, "bad block magic"), 0;
	if ((type == NST_BLOCK_EVENTS &&
	     (count > NST_BLOCK_MAX_EVENTS || raw_len > count * NST_ENC_EVENT_MAX)) ||
	    (type == NST_BLOCK_LOST && raw_len != 16) || (type == NST_BLOCK_END && raw_len != 8) ||
	    (type == NST_BLOCK_IDENTITY && (rd->version < 4 || count > NST_BLOCK_MAX_IDS ||
					    raw_len > count * NST_ID_ENTRY_MAX)) ||
	    type < NST_BLOCK_EVENTS || type > NST_BLOCK_IDENTITY)
		return damaged(st, off, "bad block header"), 0;
	if (clen > len - off - BLOCK_HDR)
		return damaged(st, off, "truncated block"), 0;
	if (crc32(crc32(0, h, 20), h + BLOCK_HDR, clen) != get32(h + 20))
		return damaged(st, off, "CRC mismatch"), 0;
	if (!inflate_block(rd, h + BLOCK_HDR, clen, raw_len))
		return damaged(st, off, "bad compressed data"), 0;
	st->blocks++;
	if (type == NST_BLOCK_END) {
		st->complete = true;
		return BLOCK_HDR + clen;
	}
	if (type == NST_BLOCK_LOST) {
		__u64 rec[2];

		memcpy(rec, rd->raw, sizeof(rec));
		if (ops->lost)
			ops->lost(ctx, rec[0], rec[1]);
		return BLOCK_HDR + clen;
	}
	if (type == NST_BLOCK_IDENTITY)
		return read_identities(rd, count, raw_len, ops, ctx)
			       ? (damaged(st, off, "bad identity block"), 0)
			       : BLOCK_HDR + clen;
	/* a pass for the identities alone: the events are counted, not decoded */
	if (!ops->event) {
		st->events += count;
		return BLOCK_HDR + clen;
	}
	if (nst_dec_events(rd->raw, raw_len, rd->ev, count, &rd->prev))
		return damaged(st, off, "bad event encoding"), 0;
	for (__u32 i = 0; i < count; i++) {
		st->events++;
		if (ops->event && ops->event(ctx, &rd->ev[i]))
			break;
	}
	return BLOCK_HDR + clen;
}

static int read_header(const unsigned char *buf, size_t len, struct nst_rec_meta *m, size_t *off,
		       char *err, size_t errlen)
{
	__u32 mlen;

	if (len < 20 || memcmp(buf, NST_REC_MAGIC, 8)) {
		snprintf(err, errlen, "not an nstrace recording (bad magic)");
		return -1;
	}
	if (get32(buf + 8) < NST_REC_VERSION_MIN || get32(buf + 8) > NST_REC_VERSION) {
		snprintf(err, errlen,
			 "unsupported recording version %u (this nstrace reads %d to %d): use the "
			 "nstrace version that wrote it",
			 get32(buf + 8), NST_REC_VERSION_MIN, NST_REC_VERSION);
		return -1;
	}
	mlen = get32(buf + 12);
	if (mlen > NST_REC_META_MAX || 16 + (size_t)mlen + 4 > len ||
	    crc32(0, buf + 16, mlen) != get32(buf + 16 + mlen)) {
		snprintf(err, errlen, "damaged recording header");
		return -1;
	}
	parse_meta((const char *)buf + 16, mlen, m);
	m->version = get32(buf + 8);
	if (m->event_size != sizeof(struct nst_event)) {
		snprintf(err, errlen,
			 "recording has %u-byte events, this nstrace %zu: use the "
			 "nstrace version that wrote it",
			 m->event_size, sizeof(struct nst_event));
		return -1;
	}
	*off = 16 + mlen + 4;
	return 0;
}

int nst_rec_read_mem(const void *data, size_t len, const struct nst_rec_reader_ops *ops, void *ctx,
		     struct nst_rec_status *st, char *err, size_t errlen)
{
	const unsigned char *buf = data;
	struct reader rd = {};
	struct nst_rec_meta m;
	size_t off, n;

	memset(st, 0, sizeof(*st));
	if (read_header(buf, len, &m, &off, err, errlen))
		return -1;
	if (ops->meta && ops->meta(ctx, &m))
		return 0;
	rd.version = m.version;
	rd.raw = malloc(MAX_BLOCK_BYTES > MAX_ID_BYTES ? MAX_BLOCK_BYTES : MAX_ID_BYTES);
	rd.ev = malloc(NST_BLOCK_MAX_EVENTS * sizeof(struct nst_event));
	if (!rd.raw || !rd.ev || inflateInit2(&rd.zs, -15) != Z_OK) {
		free(rd.raw);
		free(rd.ev);
		snprintf(err, errlen, "failed to set up decompression");
		return -1;
	}
	while (off < len && !st->complete && (n = read_block(buf, len, off, ops, ctx, &rd, st)))
		off += n;
	inflateEnd(&rd.zs);
	free(rd.raw);
	free(rd.ev);
	if (!st->complete && !st->damaged)
		damaged(st, off, "no end marker: the recorder was killed or the disk filled");
	return 0;
}

int nst_rec_read_file(const char *path, const struct nst_rec_reader_ops *ops, void *ctx,
		      struct nst_rec_status *st, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;
	struct stat sb;
	void *p;

	if (fd < 0 || fstat(fd, &sb)) {
		snprintf(err, errlen, "failed to open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (sb.st_size == 0) {
		close(fd);
		snprintf(err, errlen, "%s is empty: not an nstrace recording", path);
		return -1;
	}
	p = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "failed to map %s: %s", path, strerror(errno));
		return -1;
	}
	ret = nst_rec_read_mem(p, sb.st_size, ops, ctx, st, err, errlen);
	munmap(p, sb.st_size);
	return ret;
}
