/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A shared library loaded on first use, its functions into a table of
 * pointers: for libraries whose start-up cost (their own dependencies)
 * only one command should pay.
 */
#ifndef NSTRACE_DLSYMS_H
#define NSTRACE_DLSYMS_H

#include <stddef.h>

struct nst_dlsym {
	size_t off; /* of the pointer in the caller's table */
	const char *name;
};

#define NST_DLSYM(type, field, name)        \
	{                                   \
		offsetof(type, field), name \
	}

/*
 * dlopen soname and fill every pointer of api; 0, or -1 with "failed to
 * load SONAME: reason (hint)" in err. The library stays loaded.
 */
int nst_dlsyms_load(const char *soname, const struct nst_dlsym *syms, size_t nsyms, void *api,
		    const char *hint, char *err, size_t errlen);

#endif /* NSTRACE_DLSYMS_H */
