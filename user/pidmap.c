// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "pidmap.h"

int pidmap_init(struct pidmap *m, size_t expect)
{
	m->h = (struct nshash){ 0 };
	return nshash_reserve(&m->h, expect);
}

ssize_t pidmap_get(struct pidmap *m, __u32 pid, bool *added)
{
	return nshash_get_or_add(&m->h, pid, m->h.n, added);
}

size_t pidmap_count(const struct pidmap *m)
{
	return m->h.n;
}

void pidmap_free(struct pidmap *m)
{
	nshash_free(&m->h);
}
