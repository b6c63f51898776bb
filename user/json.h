/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small streaming JSON writer: comma placement and string escaping in
 * one place, for the event stream, reports, bench results and the HTTP API.
 * Output is buffered in the writer and handed to the FILE in one piece when
 * the top-level value is complete (or the buffer fills): between jw_init
 * and the end of that value, write to the FILE only through jw. With a NULL
 * FILE the value stays in buf (len bytes, at most JW_BUF).
 */
#ifndef NSTRACE_JSON_H
#define NSTRACE_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define JW_MAX_DEPTH 16
#define JW_BUF 4096

struct jw {
	FILE *f;
	int depth;
	bool need_comma[JW_MAX_DEPTH];
	size_t len;
	char buf[JW_BUF];
};

void jw_init(struct jw *w, FILE *f);
/* key is NULL for array elements and the top-level value. */
void jw_obj_open(struct jw *w, const char *key);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w, const char *key);
void jw_arr_close(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *s);
void jw_strn(struct jw *w, const char *key, const char *s, size_t n);
void jw_u64(struct jw *w, const char *key, __u64 v);
void jw_i64(struct jw *w, const char *key, __s64 v);
void jw_double(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
/* A value that is already JSON text (a cached rendering). */
void jw_raw(struct jw *w, const char *key, const char *json, size_t n);

#endif /* NSTRACE_JSON_H */
