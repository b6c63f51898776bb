/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The container views of `nstrace ls` (ls_views.c): --containers, which
 * namespaces the running containers share, and --compare A B, two
 * processes' namespaces side by side. Each is one column table, as ls's
 * own list is.
 */
#ifndef NSTRACE_LS_VIEWS_H
#define NSTRACE_LS_VIEWS_H

#include <stdbool.h>

#define LS_MAX_OUTS 16
#define LS_CONTAINERS_DEFAULT "NAME,ID,PID,POD,RUNTIME,MNT,UTS,IPC,PIDNS,NET,USER,CGROUP,TIME"
#define LS_CONTAINERS_JSON_DEFAULT                                                   \
	LS_CONTAINERS_DEFAULT ",MNT_INO,UTS_INO,IPC_INO,PIDNS_INO,NET_INO,USER_INO," \
			      "CGROUP_INO,TIME_INO"
#define LS_COMPARE_DEFAULT "TYPE,A,B,SAME"

/* In ls_view_opts.outs: --output-all */
extern const char ls_output_all[];

/* How any view is shown: -J, -r, -n, -o (in the order given), --list-columns. */
struct ls_view_opts {
	bool json, raw, noheadings, force_proc, verbose, list_columns;
	const char *outs[LS_MAX_OUTS]; /* -o lists, or ls_output_all */
	int nouts;
};

/* nstrace ls --containers; returns an exit status */
int ls_containers_view(const struct ls_view_opts *v);
/* nstrace ls --compare A B; returns an exit status */
int ls_compare_view(const struct ls_view_opts *v, const char *a, const char *b);

#endif /* NSTRACE_LS_VIEWS_H */
