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

#endif /* NSTRACE_EVCODEC_H */
