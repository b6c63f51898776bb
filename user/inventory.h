/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The namespace inventory behind `nstrace ls` and serve's /api/namespaces:
 * every namespace on the machine, with its processes and holders.
 */
#ifndef NSTRACE_INVENTORY_H
#define NSTRACE_INVENTORY_H

#include <stdio.h>
#include <stddef.h>
#include <linux/types.h>
#include "nsreg.h"

/*
 * Where CREATED comes from: the wall-clock ns when the namespace was seen
 * created, or 0 when that is not known.
 */
struct inv_created_src {
	__s64 (*created_wall_ns)(void *ctx, enum nst_type type, __u32 ino);
	void *ctx;
};

/*
 * Write the inventory as one JSON document, typed like `lsns -J`
 * ({"namespaces": [...]}) with nstrace's extra columns. Returns 0, or -errno
 * with "failed to X: reason" in err.
 */
int nst_inventory_write_json(FILE *out, const struct inv_created_src *created, char *err,
			     size_t errlen);

#endif /* NSTRACE_INVENTORY_H */
