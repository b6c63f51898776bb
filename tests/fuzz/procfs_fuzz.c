// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: the /proc parsers (namespace links, status and stat
 * lines, mountinfo, cgroup lines, command lines) on arbitrary text, line by
 * line, as the collectors feed them.
 */
#include "fuzz.h"
#include "nstypes.h"
#include "procparse.h"

static void one_line(const char *line, size_t len)
{
	struct nst_task_rec r = { 0 };
	char root[256], mnt[64];
	__u64 flag;
	__u32 ino;

	if (nst_proc_ns_link(line, &flag, &ino) == 0) {
		MUST(nst_flag_type(flag) != NST_T_COUNT && ino != 0);
	}
	nst_proc_status_line(line, &r);
	MUST(strnlen(r.comm, sizeof(r.comm)) < sizeof(r.comm));
	MUST(nst_proc_stat_ppid(line) >= -1);
	if (nst_mountinfo_nsfs(line, root, sizeof(root), mnt, sizeof(mnt)) == 0) {
		MUST(root[0] && strlen(root) < sizeof(root));
		MUST(mnt[0] && strlen(mnt) < sizeof(mnt));
	}
	if (nst_proc_cgroup_v2(line))
		MUST(nst_proc_cgroup_v2(line) == line + 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *line, *save = NULL;
	char *raw = malloc(size + 1);

	if (!s || !raw)
		goto out;
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		one_line(line, strlen(line));
	/* the command line: NULs inside become spaces, and nothing else changes */
	memcpy(raw, data, size);
	nst_proc_cmdline_join(raw, size);
	for (size_t i = 0; i < size; i++)
		MUST(raw[i] == (data[i] || i + 1 == size ? (char)data[i] : ' '));
out:
	free(s);
	free(raw);
	return 0;
}
