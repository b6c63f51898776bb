// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: container and pod identity from cgroup paths and from
 * /proc/PID/cgroup text. The first byte picks the buffer sizes of the
 * legacy interface, so short buffers are tried too. Whatever is found stays
 * inside its buffer, a container is a name without '/' or blanks, a hex
 * runtime's id is hex, and a pod uid is hex and '-'.
 */
#include <ctype.h>
#include "identity.h"
#include "fuzz.h"

static void must_be_sane(const struct nst_identity *id)
{
	MUST(strnlen(id->container, sizeof(id->container)) < sizeof(id->container));
	MUST(strnlen(id->pod_uid, sizeof(id->pod_uid)) < sizeof(id->pod_uid));
	for (const char *c = id->container; *c; c++)
		MUST(isgraph((unsigned char)*c) && *c != '/');
	if (id->runtime != NST_RT_NSPAWN && id->runtime != NST_RT_LXC)
		for (const char *c = id->container; *c; c++)
			MUST(isxdigit((unsigned char)*c));
	for (const char *c = id->pod_uid; *c; c++)
		MUST(*c == '-' || isxdigit((unsigned char)*c));
	MUST(!id->container[0] == (id->runtime == NST_RT_NONE));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *container, *pod, *s;
	struct nst_identity id;
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
	if (clen)
		MUST(strnlen(container, clen) < clen);
	if (plen)
		MUST(strnlen(pod, plen) < plen);
	MUST(nst_identity_from_cgpath(s, &id) == (id.container[0] || id.pod_uid[0]));
	must_be_sane(&id);
	MUST(nst_identity_from_proc_cgroup(s, &id) == (id.container[0] || id.pod_uid[0]));
	must_be_sane(&id);
out:
	free(container);
	free(pod);
	free(s);
	return 0;
}
