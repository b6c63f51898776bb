/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The event encoding of recording blocks (docs/recording.md, format 3):
 * a block's events field by field (columns), each value a varint relative
 * to the previous event or to another field of the same event, so that
 * deflate sees short, repetitive columns instead of 216-byte records.
 */
#ifndef NSTRACE_EVCODEC_H
#define NSTRACE_EVCODEC_H

#include <stddef.h>
#include "containers.h"
#include "nstrace.h"

/* An upper bound of the encoded size of one event (and of a block's column flags). */
#define NST_ENC_EVENT_MAX 512

/*
 * Encode n events into out (room for n * NST_ENC_EVENT_MAX bytes); *prev is
 * the base of the first event and becomes the last one. Returns the length.
 */
size_t nst_enc_events(const struct nst_event *ev, unsigned int n, struct nst_event *prev,
		      unsigned char *out);

/*
 * Decode exactly n events from len bytes; -1 when the bytes are anything
 * else (too few, too many, an overlong varint). *prev as above.
 */
int nst_dec_events(const unsigned char *in, size_t len, struct nst_event *ev, unsigned int n,
		   struct nst_event *prev);

/*
 * One entry of an identity block (format 4): what the recorder knew of the
 * container behind a cgroup id (every event's) or a namespace inode (a
 * setns target's) when it wrote the entry. A later entry for the same key
 * replaces it (a name learnt after the id).
 */
enum nst_id_key {
	NST_IDK_CGROUP = 1,
	NST_IDK_NS = 2,
};

struct nst_id_entry {
	enum nst_id_key key_kind;
	__u64 key;
	bool container; /* false: the host (cgroup entries only) */
	struct nst_ctr_info info;
};

/* An upper bound of the encoded size of one identity entry. */
#define NST_ID_ENTRY_MAX \
	(3 * 10 + 7 * 2 + NST_CONTAINER_LEN + 3 * NST_CTR_NAME_LEN + 16 + NST_POD_UID_LEN + 64)

/* Append one entry at out (room for NST_ID_ENTRY_MAX bytes); returns its length. */
size_t nst_enc_identity(const struct nst_id_entry *e, unsigned char *out);

/*
 * Decode exactly n entries from len bytes, handing each to fn (which
 * returns non-zero to stop); -1 when the bytes are anything else (a string
 * longer than its field, a key kind or runtime this nstrace does not know).
 */
int nst_dec_identities(const unsigned char *in, size_t len, unsigned int n,
		       int (*fn)(void *ctx, const struct nst_id_entry *e), void *ctx);

#endif /* NSTRACE_EVCODEC_H */
