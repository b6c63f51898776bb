/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The recording file (docs/recording.md): a header, then self-checking
 * blocks of zlib-compressed events, so a file cut short or damaged is still
 * readable up to its last intact block.
 */
#ifndef NSTRACE_RECFILE_H
#define NSTRACE_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include "evcodec.h"
#include "nstrace.h"

#define NST_REC_MAGIC "NSTRACE\0"
#define NST_REC_VERSION 4
#define NST_REC_VERSION_MIN 3 /* format 3: the same, without identity blocks */
#define NST_BLOCK_MAGIC 0x4254534eU /* "NSTB" */
#define NST_BLOCK_EVENTS 1
#define NST_BLOCK_LOST 2
#define NST_BLOCK_END 3 /* written at a clean close */
#define NST_BLOCK_IDENTITY 4 /* containers of cgroups and namespaces (format 4) */
#define NST_BLOCK_MAX_EVENTS 4096
#define NST_BLOCK_MAX_IDS 1024
#define NST_REC_META_MAX 4096

/* What the header says about the recording. */
struct nst_rec_meta {
	char host[64];
	char kernel[64];
	__s64 boot_to_wall_ns;
	char backend[16]; /* "bpf" in recordings made before there was a choice */
	char tier[16];
	char filters[512];
	__u32 event_size;
	__u32 version; /* of the file format (reading) */
};

struct nst_rec_writer;

/* Create path and write the header; NULL with a message in err on failure. */
struct nst_rec_writer *nst_rec_create(const char *path, const struct nst_rec_meta *meta, char *err,
				      size_t errlen);
/* Buffer one event; writes a block when the buffer is full. */
int nst_rec_add(struct nst_rec_writer *w, const struct nst_event *e, char *err, size_t errlen);
/*
 * What is known of the container of a cgroup or a namespace: buffered, and
 * written as an identity block before the next block of events, so a reader
 * knows it before the events that need it.
 */
int nst_rec_identity(struct nst_rec_writer *w, const struct nst_id_entry *e, char *err,
		     size_t errlen);
/* Record that the kernel had lost `total` events by ts_ns. */
int nst_rec_lost(struct nst_rec_writer *w, __u64 ts_ns, __u64 total, char *err, size_t errlen);
/* Write the buffered events as one block (no-op when empty). */
int nst_rec_flush(struct nst_rec_writer *w, char *err, size_t errlen);
/* Flush and close; returns the first error. */
int nst_rec_close(struct nst_rec_writer *w, char *err, size_t errlen);
__u64 nst_rec_events_written(const struct nst_rec_writer *w);

/*
 * Reading: callbacks return non-zero to stop. Without an event callback
 * the events are not decoded (a pass for the identities alone).
 */
struct nst_rec_reader_ops {
	int (*meta)(void *ctx, const struct nst_rec_meta *m);
	int (*event)(void *ctx, const struct nst_event *e);
	int (*lost)(void *ctx, __u64 ts_ns, __u64 total);
	int (*identity)(void *ctx, const struct nst_id_entry *e);
};

struct nst_rec_status {
	__u64 events;
	__u64 blocks;
	bool damaged; /* stopped early: see warning */
	bool complete; /* the end marker was read */
	__u64 damage_offset;
	char warning[256];
};

/*
 * Read a recording from memory. Returns 0 when at least the header was
 * valid (damage is reported in st), -1 with err set when the file is not a
 * recording at all.
 */
int nst_rec_read_mem(const void *buf, size_t len, const struct nst_rec_reader_ops *ops, void *ctx,
		     struct nst_rec_status *st, char *err, size_t errlen);
/* The same for a file (mapped). */
int nst_rec_read_file(const char *path, const struct nst_rec_reader_ops *ops, void *ctx,
		      struct nst_rec_status *st, char *err, size_t errlen);

#endif /* NSTRACE_RECFILE_H */
