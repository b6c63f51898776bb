/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The namespace types, in one table: the name a user types and /proc
 * shows, the CLONE_NEW* flag, and the slots of struct nst_event's
 * before[]/after[]/target[] (include/nstrace.h) the type fills. Every
 * parser, formatter and per-type array of the collector goes through it.
 */
#ifndef NSTRACE_NSTYPES_H
#define NSTRACE_NSTYPES_H

#include <stddef.h>
#include "nstrace.h"

/* The eight types, in slot order: per-type arrays and summaries use it. */
enum nst_type {
	NST_T_MNT,
	NST_T_PID,
	NST_T_NET,
	NST_T_UTS,
	NST_T_IPC,
	NST_T_USER,
	NST_T_CGROUP,
	NST_T_TIME,
	NST_T_COUNT,
};

struct nst_type_info {
	const char *name; /* "pid": type lists, output, /proc/PID/ns/pid */
	__u64 flag; /* CLONE_NEWPID */
	enum nst_ns slot; /* NST_NS_PID: the namespace a task lives in */
	/* pid and time: the namespace its children get (unshare changes only that one) */
	enum nst_ns fc_slot; /* NST_NS_PID_FC; the same as slot for the other types */
	const char *fc_name; /* "pid_for_children"; NULL for the other types */
};

/* Indexed by enum nst_type. */
extern const struct nst_type_info nst_types[NST_T_COUNT];
/*
 * The types in lsns order (mnt, uts, ipc, pid, net, user, cgroup, time): the
 * order type lists are written in, benchmarks run in and namespaces are
 * joined in.
 */
extern const enum nst_type nst_types_lsns[NST_T_COUNT];

/* "net"; "unknown" out of range. */
const char *nst_type_name(enum nst_type t);
/* The type named by the len bytes at name; NST_T_COUNT for none. */
enum nst_type nst_type_by_name(const char *name, size_t len);
/* The type of one CLONE_NEW* flag; NST_T_COUNT for none. */
enum nst_type nst_flag_type(__u64 flag);
/* The type a slot holds (pid_for_children: pid); NST_T_COUNT out of range. */
enum nst_type nst_slot_type(unsigned int slot);
/* The /proc/PID/ns name of a slot: "net", "pid_for_children"; "unknown" out of range. */
const char *nst_slot_name(unsigned int slot);
/* The slots of the namespaces a task is in, not its *_for_children ones. */
__u32 nst_task_slots(void);
/* The types of the slots in a 1 << enum nst_ns mask, as a 1 << enum nst_type mask. */
__u32 nst_slots_to_types(__u32 slots);
/* The slots whose inode the event changed, as a 1 << enum nst_ns mask. */
__u32 nst_changed_slots(const struct nst_event *e);

/*
 * Parse a comma list such as "net,uts" into CLONE_NEW* flags. "all" selects
 * every type. On error returns -1 and writes "unknown namespace type 'x'
 * (valid: mnt, uts, ...)" into err.
 */
int nst_parse_types(const char *list, __u64 *flags, char *err, size_t errlen);
/* The same into a 1 << enum nst_ns mask: pid and time select their *_for_children slot too. */
int nst_parse_slots(const char *list, __u32 *slots, char *err, size_t errlen);
/* One type name, no list and no "all" (ls -t); the error lists the valid names. */
int nst_parse_type(const char *name, enum nst_type *type, char *err, size_t errlen);
/* Format CLONE_NEW* flags as "net,uts" (lsns order) into buf; returns buf. */
char *nst_format_types(__u64 flags, char *buf, size_t len);

#endif /* NSTRACE_NSTYPES_H */
