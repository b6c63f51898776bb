/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Decoding of struct nst_event: names, flag strings, and the trace column
 * table that drives text output, -o, --json and the help text alike.
 */
#ifndef NSTRACE_EVENT_H
#define NSTRACE_EVENT_H

#include <stdbool.h>
#include <stdio.h>
#include "nstrace.h"
#include "containers.h"
#include "json.h"
#include "nstypes.h"

const char *nst_kind_name(unsigned int kind);
const char *nst_source_name(unsigned int source);
const char *nst_target_name(unsigned int target);

/* "CLONE_NEWNET|CLONE_NEWUTS|SIGCHLD"; clone() keeps its exit signal in the low byte. */
char *nst_flags_str(unsigned int kind, __u64 flags, char *buf, size_t len);
/* "EINVAL", or NULL for a non-negative ret. */
const char *nst_errno_name(__s64 ret);

/* How to render times, and where containers come from. */
struct nst_fmt {
	__s64 boot_to_wall_ns;
	/*
	 * The container of an event (nst_containers_event, with ctx the
	 * resolver); NULL where nothing resolves them (report): then the
	 * container columns are empty and JSON's target has no container.
	 */
	const struct nst_event_ctr *(*ctr_of)(void *ctx, const struct nst_event *e);
	void *ctr_ctx;
};

/* "2026-11-25T02:51:03.123456789Z" */
char *nst_wall_str(const struct nst_fmt *f, __u64 ts_ns, char *buf, size_t len);

/* The DETAIL column: flags, target and changes as a person reads them. */
void nst_event_detail(const struct nst_event *e, const struct nst_fmt *f, char *buf, size_t len);

struct nst_col {
	const char *name; /* -o name and header */
	const char *json; /* JSON key, NULL for text-only columns */
	const char *help;
	int width; /* negative: left-aligned */
	void (*text)(const struct nst_event *e, const struct nst_fmt *f, char *buf, size_t len);
	void (*jsonf)(struct jw *w, const char *key, const struct nst_event *e,
		      const struct nst_fmt *f);
};

extern const struct nst_col nst_cols[];
/*
 * JSON "container": {"id","name","runtime","image"} and "pod":
 * {"uid","name","namespace"} of i; null for NULL, the host, or no pod.
 */
void nst_json_ctr(struct jw *w, const char *k, const struct nst_ctr_info *i);
void nst_json_pod(struct jw *w, const char *k, const struct nst_ctr_info *i);
/* Does the column show what the container resolver knows (live commands only)? */
bool nst_col_needs_ctr(const struct nst_col *c);
extern const int nst_ncols;

#define NST_MAX_COLS 32

/* A chosen set of columns. */
struct nst_colset {
	int idx[NST_MAX_COLS];
	int n;
};

/* Parse "PID,COMM,DETAIL"; an optional leading '+' appends to *set. */
int nst_colset_parse(struct nst_colset *set, const char *list, char *err, size_t errlen);
/* containers: with the CONTAINER column (trace, when the machine has containers) */
void nst_colset_default(struct nst_colset *set, bool timestamps, bool containers);
/* containers: with the keys only the resolver fills (container, pod) */
void nst_colset_all_json(struct nst_colset *set, bool containers);
void nst_print_header(FILE *out, const struct nst_colset *set);
void nst_print_text(FILE *out, const struct nst_colset *set, const struct nst_event *e,
		    const struct nst_fmt *f);
/* One JSON object on one line. */
void nst_print_json(FILE *out, const struct nst_colset *set, const struct nst_event *e,
		    const struct nst_fmt *f);
void nst_print_col_help(FILE *out);

struct sb;

/*
 * The rendering of n (at most 2 * NST_NS_COUNT) inode numbers, cached:
 * consecutive events mostly carry the same namespaces, and formatting
 * twenty ten-digit numbers costs more than the rest of an event.
 */
struct nst_ino_cache {
	struct {
		__u32 ino[2 * NST_NS_COUNT];
		size_t len;
		char text[512];
	} slot[2];
	unsigned int next;
};

const char *nst_ino_cached(struct nst_ino_cache *c, const __u32 *ino, size_t n,
			   void (*render)(struct sb *s, const __u32 *ino), size_t *len);

#endif /* NSTRACE_EVENT_H */
