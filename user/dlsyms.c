// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dlfcn.h>
#include <stdio.h>
#include "dlsyms.h"

int nst_dlsyms_load(const char *soname, const struct nst_dlsym *syms, size_t nsyms, void *api,
		    const char *hint, char *err, size_t errlen)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		snprintf(err, errlen, "failed to load %s: %s (%s)", soname, dlerror(), hint);
		return -1;
	}
	for (size_t i = 0; i < nsyms; i++) {
		void *sym = dlsym(lib, syms[i].name);

		if (!sym) {
			snprintf(err, errlen, "failed to load %s: no symbol %s", soname,
				 syms[i].name);
			dlclose(lib);
			return -1;
		}
		*(void **)((char *)api + syms[i].off) = sym;
	}
	return 0;
}
