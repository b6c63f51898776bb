/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* nstrace report: a loaded recording and the renderers that read it. */
#ifndef NSTRACE_REPORT_H
#define NSTRACE_REPORT_H

#include <stdio.h>
#include "event.h"
#include "recfile.h"

struct lost_mark {
	__u64 ts_ns;
	__u64 total;
};

struct recording {
	struct nst_rec_meta meta;
	struct nst_fmt fmt;
	struct nst_event *ev;
	size_t n, cap;
	struct lost_mark *lost;
	size_t nlost, lost_cap;
	struct nst_rec_status st;
};

/* The text report streams the file: it never holds all the events. */
int report_text(const char *path, FILE *out, struct nst_rec_status *st, char *err, size_t errlen);
int report_chrome(const struct recording *rec, FILE *out);
int report_svg(const struct recording *rec, FILE *out);

#endif /* NSTRACE_REPORT_H */
