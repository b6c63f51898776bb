// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include "nshash.h"

/* Fibonacci hashing: inode numbers and pids are dense, the product spreads them. */
static size_t home(const struct nshash *h, __u64 key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (h->cap - 1);
}

/* Where key is, or the free slot that ends its probe sequence. */
static size_t probe(const struct nshash *h, __u64 key)
{
	size_t i = home(h, key);

	while (h->slot[i].idx != NSHASH_EMPTY && h->slot[i].key != key)
		i = (i + 1) & (h->cap - 1);
	return i;
}

static int resize(struct nshash *h, size_t cap)
{
	struct nshash big = { .cap = cap, .n = h->n };

	big.slot = malloc(cap * sizeof(*big.slot));
	if (!big.slot)
		return -1;
	for (size_t i = 0; i < cap; i++)
		big.slot[i].idx = NSHASH_EMPTY;
	for (size_t i = 0; i < h->cap; i++)
		if (h->slot[i].idx != NSHASH_EMPTY)
			big.slot[probe(&big, h->slot[i].key)] = h->slot[i];
	free(h->slot);
	*h = big;
	return 0;
}

int nshash_reserve(struct nshash *h, size_t expect)
{
	size_t cap = h->cap ? h->cap : 64;

	while (cap < 2 * expect)
		cap *= 2;
	return cap == h->cap ? 0 : resize(h, cap);
}

void nshash_free(struct nshash *h)
{
	free(h->slot);
	*h = (struct nshash){ 0 };
}

ssize_t nshash_get(const struct nshash *h, __u64 key)
{
	size_t i;

	if (!h->cap)
		return -1;
	i = probe(h, key);
	return h->slot[i].idx == NSHASH_EMPTY ? -1 : (ssize_t)h->slot[i].idx;
}

ssize_t nshash_get_or_add(struct nshash *h, __u64 key, size_t idx, bool *added)
{
	size_t i;

	if (nshash_reserve(h, h->n + 1))
		return -1;
	i = probe(h, key);
	*added = h->slot[i].idx == NSHASH_EMPTY;
	if (*added) {
		h->slot[i] = (struct nshash_slot){ key, idx };
		h->n++;
	}
	return h->slot[i].idx;
}

int nshash_put(struct nshash *h, __u64 key, size_t idx)
{
	bool added;
	ssize_t i = nshash_get_or_add(h, key, idx, &added);

	if (i < 0)
		return -1;
	if (!added)
		h->slot[probe(h, key)].idx = idx;
	return 0;
}

/* Is slot i cyclically in (from, to]? */
static bool between(size_t from, size_t i, size_t to)
{
	return from <= to ? from < i && i <= to : from < i || i <= to;
}

/*
 * Linear probing without tombstones: move each later key of the run back
 * into the hole when its home does not lie between the hole and where it is.
 */
void nshash_del(struct nshash *h, __u64 key)
{
	size_t hole, i;

	if (!h->cap)
		return;
	hole = probe(h, key);
	if (h->slot[hole].idx == NSHASH_EMPTY)
		return;
	h->slot[hole].idx = NSHASH_EMPTY;
	h->n--;
	for (i = (hole + 1) & (h->cap - 1); h->slot[i].idx != NSHASH_EMPTY;
	     i = (i + 1) & (h->cap - 1)) {
		if (between(hole, home(h, h->slot[i].key), i))
			continue;
		h->slot[hole] = h->slot[i];
		h->slot[i].idx = NSHASH_EMPTY;
		hole = i;
	}
}
