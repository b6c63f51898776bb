// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: container and pod detection from cgroup paths. The
 * first byte picks the output buffer sizes, so short buffers are tried too;
 * a container id found is hex, a pod uid has no '_', and both stay inside
 * their buffers.
 */
#include <ctype.h>
#include "cgpath.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *container, *pod, *s;
	size_t clen, plen;

	if (size < 1)
		return 0;
	/* buffers of exactly these sizes: ASan sees a byte written past them */
	clen = data[0] % 81;
	plen = (data[0] >> 1) % 65;
	s = fuzz_str(data + 1, size - 1);
	container = malloc(clen ? clen : 1);
	pod = malloc(plen ? plen : 1);
	if (!s || !container || !pod)
		goto out;
	nst_cgpath_parse(s, container, clen, pod, plen);
	if (clen) {
		MUST(strnlen(container, clen) < clen);
		for (const char *c = container; *c; c++)
			MUST(isxdigit((unsigned char)*c));
		MUST(!container[0] || strlen(container) >= 12);
	}
	if (plen) {
		MUST(strnlen(pod, plen) < plen);
		MUST(!strchr(pod, '_') && !strchr(pod, '/'));
	}
out:
	free(container);
	free(pod);
	free(s);
	return 0;
}
