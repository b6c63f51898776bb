// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dlfcn.h>
#include <stdio.h>
#include "mhd.h"

/* The build passes the soname of the library it compiled against. */
#ifndef NST_MHD_SONAME
#define NST_MHD_SONAME "libmicrohttpd.so.12"
#endif

#define MHD_SYM(field, name)                          \
	{                                             \
		offsetof(struct nst_mhd, field), name \
	}

static const struct {
	size_t off;
	const char *name;
} mhd_syms[] = {
	MHD_SYM(start_daemon, "MHD_start_daemon"),
	MHD_SYM(stop_daemon, "MHD_stop_daemon"),
	MHD_SYM(create_response_from_buffer, "MHD_create_response_from_buffer"),
	MHD_SYM(add_response_header, "MHD_add_response_header"),
	MHD_SYM(queue_response, "MHD_queue_response"),
	MHD_SYM(destroy_response, "MHD_destroy_response"),
	MHD_SYM(lookup_connection_value, "MHD_lookup_connection_value"),
};

int nst_mhd_load(struct nst_mhd *api, char *err, size_t errlen)
{
	void *lib = dlopen(NST_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		snprintf(err, errlen, "failed to load %s: %s (install Debian's libmicrohttpd12)",
			 NST_MHD_SONAME, dlerror());
		return -1;
	}
	for (size_t i = 0; i < sizeof(mhd_syms) / sizeof(mhd_syms[0]); i++) {
		void *sym = dlsym(lib, mhd_syms[i].name);

		if (!sym) {
			snprintf(err, errlen, "failed to load %s: no symbol %s", NST_MHD_SONAME,
				 mhd_syms[i].name);
			dlclose(lib);
			return -1;
		}
		*(void **)((char *)api + mhd_syms[i].off) = sym;
	}
	return 0; /* the library stays loaded for the life of the process */
}
