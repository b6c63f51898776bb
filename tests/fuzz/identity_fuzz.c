// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: container and pod identity from cgroup paths and from
 * /proc/PID/cgroup text. The first byte is skipped: it chose buffer sizes
 * for an interface that is gone, and the corpus keeps it. Whatever is found stays inside its buffer, a
 * container is a name without '/' or blanks, a hex runtime's id is hex, and
 * a pod uid is hex and '-'.
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
	struct nst_identity id;
	char *s = size ? fuzz_str(data + 1, size - 1) : NULL;

	if (!s)
		return 0;
	MUST(nst_identity_from_cgpath(s, &id) == (id.container[0] || id.pod_uid[0]));
	must_be_sane(&id);
	MUST(nst_identity_from_proc_cgroup(s, &id) == (id.container[0] || id.pod_uid[0]));
	must_be_sane(&id);
	free(s);
	return 0;
}
