/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Growing arrays: the collector's tables append, and double when full. */
#ifndef NSTRACE_GROW_H
#define NSTRACE_GROW_H

#include <stdlib.h>

/*
 * Make room for need elements of size bytes in *p, whose room is *cap:
 * from first elements, doubling. 0, or -1 without memory (*p unchanged).
 */
static inline int nst_grow(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t ncap = *cap ? *cap : first;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * size);
	if (!np)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

#endif /* NSTRACE_GROW_H */
