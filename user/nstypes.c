// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include "nstypes.h"

const struct nst_type_info nst_types[NST_T_COUNT] = {
	[NST_T_MNT] = { "mnt", NST_CLONE_NEWNS, NST_NS_MNT, NST_NS_MNT, NULL },
	[NST_T_PID] = { "pid", NST_CLONE_NEWPID, NST_NS_PID, NST_NS_PID_FC, "pid_for_children" },
	[NST_T_NET] = { "net", NST_CLONE_NEWNET, NST_NS_NET, NST_NS_NET, NULL },
	[NST_T_UTS] = { "uts", NST_CLONE_NEWUTS, NST_NS_UTS, NST_NS_UTS, NULL },
	[NST_T_IPC] = { "ipc", NST_CLONE_NEWIPC, NST_NS_IPC, NST_NS_IPC, NULL },
	[NST_T_USER] = { "user", NST_CLONE_NEWUSER, NST_NS_USER, NST_NS_USER, NULL },
	[NST_T_CGROUP] = { "cgroup", NST_CLONE_NEWCGROUP, NST_NS_CGROUP, NST_NS_CGROUP, NULL },
	[NST_T_TIME] = { "time", NST_CLONE_NEWTIME, NST_NS_TIME, NST_NS_TIME_FC,
			 "time_for_children" },
};

const enum nst_type nst_types_lsns[NST_T_COUNT] = {
	NST_T_MNT, NST_T_UTS, NST_T_IPC, NST_T_PID, NST_T_NET, NST_T_USER, NST_T_CGROUP, NST_T_TIME,
};

const char *nst_type_name(enum nst_type t)
{
	return t < NST_T_COUNT ? nst_types[t].name : "unknown";
}

enum nst_type nst_type_by_name(const char *name, size_t len)
{
	for (int t = 0; t < NST_T_COUNT; t++)
		if (strlen(nst_types[t].name) == len && !strncmp(name, nst_types[t].name, len))
			return t;
	return NST_T_COUNT;
}

enum nst_type nst_flag_type(__u64 flag)
{
	for (int t = 0; t < NST_T_COUNT; t++)
		if (nst_types[t].flag == flag)
			return t;
	return NST_T_COUNT;
}

enum nst_type nst_slot_type(unsigned int slot)
{
	for (int t = 0; t < NST_T_COUNT; t++)
		if (nst_types[t].slot == slot || nst_types[t].fc_slot == slot)
			return t;
	return NST_T_COUNT;
}

const char *nst_slot_name(unsigned int slot)
{
	enum nst_type t = nst_slot_type(slot);

	if (t == NST_T_COUNT)
		return "unknown";
	return slot == nst_types[t].slot ? nst_types[t].name : nst_types[t].fc_name;
}

__u32 nst_task_slots(void)
{
	__u32 m = 0;

	for (int t = 0; t < NST_T_COUNT; t++)
		m |= 1U << nst_types[t].slot;
	return m;
}

__u32 nst_slots_to_types(__u32 slots)
{
	__u32 types = 0;

	for (int i = 0; i < NST_NS_COUNT; i++)
		if (slots & (1U << i))
			types |= 1U << nst_slot_type(i);
	return types;
}

__u32 nst_changed_slots(const struct nst_event *e)
{
	__u32 m = 0;

	for (int i = 0; i < NST_NS_COUNT; i++)
		m |= (__u32)(e->before[i] != e->after[i]) << i;
	return m;
}

/* "mnt, uts, ipc, pid, net, user, cgroup, time", then tail */
static void valid_names(char *buf, size_t len, const char *tail)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < NST_T_COUNT && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				nst_types[nst_types_lsns[i]].name);
	if (off < len)
		snprintf(buf + off, len - off, "%s", tail);
}

int nst_parse_types(const char *list, __u64 *flags, char *err, size_t errlen)
{
	const char *p = list;
	char valid[96];

	*flags = 0;
	valid_names(valid, sizeof(valid), ", all");
	if (!list || !*list) {
		snprintf(err, errlen, "empty namespace type list (valid: %s)", valid);
		return -1;
	}
	while (*p) {
		const char *end = strchrnul(p, ',');
		size_t len = end - p;
		enum nst_type t = nst_type_by_name(p, len);

		if (len == 3 && !strncmp(p, "all", 3)) {
			*flags |= NST_CLONE_NEWALL;
		} else if (t == NST_T_COUNT) {
			snprintf(err, errlen, "unknown namespace type '%.*s' (valid: %s)", (int)len,
				 p, valid);
			return -1;
		} else {
			*flags |= nst_types[t].flag;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

int nst_parse_slots(const char *list, __u32 *slots, char *err, size_t errlen)
{
	__u64 flags;

	if (nst_parse_types(list, &flags, err, errlen))
		return -1;
	*slots = nst_flags_to_slots(flags);
	return 0;
}

int nst_parse_type(const char *name, enum nst_type *type, char *err, size_t errlen)
{
	char valid[96];

	*type = nst_type_by_name(name, strlen(name));
	if (*type < NST_T_COUNT)
		return 0;
	valid_names(valid, sizeof(valid), "");
	snprintf(err, errlen, "unknown namespace type '%s' (valid: %s)", name, valid);
	return -1;
}

char *nst_format_types(__u64 flags, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < NST_T_COUNT && off < len; i++) {
		const struct nst_type_info *t = &nst_types[nst_types_lsns[i]];

		if (flags & t->flag)
			off += snprintf(buf + off, len - off, "%s%s", off ? "," : "", t->name);
	}
	return buf;
}
