/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one hash table of the collector: 64-bit keys to indices into an array
 * the caller keeps, by open addressing with linear probing, at most half
 * full. Namespace tables key it by (type, inode) with nshash_ns_key(); pid
 * and cgroup maps by the number itself. A zeroed struct is an empty table.
 */
#ifndef NSTRACE_NSHASH_H
#define NSTRACE_NSHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

struct nshash_slot {
	__u64 key;
	size_t idx; /* NSHASH_EMPTY: a free slot */
};

#define NSHASH_EMPTY ((size_t)-1)

struct nshash {
	struct nshash_slot *slot;
	size_t cap; /* 0 or a power of two */
	size_t n;
};

static inline __u64 nshash_ns_key(unsigned int type, __u32 ino)
{
	return (__u64)type << 32 | ino;
}

/* Make room for expect keys up front; 0, or -1 without memory. */
int nshash_reserve(struct nshash *h, size_t expect);
void nshash_free(struct nshash *h);
/* The index stored for key, or -1. */
ssize_t nshash_get(const struct nshash *h, __u64 key);
/*
 * The index stored for key; when there is none, store idx and set *added.
 * -1 without memory.
 */
ssize_t nshash_get_or_add(struct nshash *h, __u64 key, size_t idx, bool *added);
/* Store idx for key, replacing what was there; 0, or -1 without memory. */
int nshash_put(struct nshash *h, __u64 key, size_t idx);
/* Forget key (nothing happens when it is not there). */
void nshash_del(struct nshash *h, __u64 key);

#endif /* NSTRACE_NSHASH_H */
