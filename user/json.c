// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "json.h"
#include "strbuf.h"

void jw_init(struct jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->need_comma[0] = false;
	w->len = 0;
}

/* Without a FILE the text stays in buf (a rendering to cache), cut at JW_BUF. */
static void jw_flush(struct jw *w)
{
	if (!w->f)
		return;
	if (w->len)
		fwrite(w->buf, 1, w->len, w->f);
	w->len = 0;
}

static void jw_put(struct jw *w, const char *p, size_t n)
{
	if (n > JW_BUF - w->len) {
		jw_flush(w);
		if (n > JW_BUF - w->len) {
			if (w->f) {
				fwrite(p, 1, n, w->f);
				return;
			}
			n = JW_BUF - w->len;
		}
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void jw_putc(struct jw *w, char c)
{
	if (w->len < JW_BUF)
		w->buf[w->len++] = c;
	else
		jw_put(w, &c, 1);
}

/* A complete top-level value goes out to the FILE. */
static void jw_done(struct jw *w)
{
	if (w->depth == 0)
		jw_flush(w);
}

/* 1: must be escaped; NUL ends the string (fixed-size fields such as comm) */
static const unsigned char special[256] = {
	[0 ... 0x1f] = 1,
	['"'] = 1,
	['\\'] = 1,
	[0x7f] = 1,
};

/* The escaped form of a character that needs one. */
static void put_escape(struct jw *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = { '\\', c, '0', '0' };

	if (c == '"' || c == '\\') {
		jw_put(w, e, 2);
	} else if (c == '\n' || c == '\t') {
		e[1] = c == '\n' ? 'n' : 't';
		jw_put(w, e, 2);
	} else {
		e[1] = 'u';
		e[4] = hex[c >> 4];
		e[5] = hex[c & 15];
		jw_put(w, e, 6);
	}
}

/* s up to n bytes or its NUL (n may be SIZE_MAX for a C string) */
static void put_escaped(struct jw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	jw_putc(w, '"');
	for (;;) {
		/* copy while scanning: most strings need no escape at all */
		char *d = w->buf + w->len;
		size_t room = JW_BUF - w->len, k = 0;

		while (i < n && k < room && !special[p[i]])
			d[k++] = p[i++];
		w->len += k;
		if (i == n || !p[i])
			break;
		if (k < room)
			put_escape(w, p[i++]);
		else if (w->f)
			jw_flush(w);
		else
			break;
	}
	jw_putc(w, '"');
}

/* Separator and key for the next value at the current depth. */
static void jw_key(struct jw *w, const char *key)
{
	if (w->need_comma[w->depth])
		jw_putc(w, ',');
	w->need_comma[w->depth] = true;
	if (key) {
		put_escaped(w, key, SIZE_MAX);
		jw_putc(w, ':');
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_key(w, key);
	jw_putc(w, c);
	if (w->depth < JW_MAX_DEPTH - 1)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
	jw_putc(w, c);
	if (w->depth > 0)
		w->depth--;
	jw_done(w);
}

void jw_obj_open(struct jw *w, const char *key)
{
	jw_open(w, key, '{');
}

void jw_obj_close(struct jw *w)
{
	jw_close(w, '}');
}

void jw_arr_open(struct jw *w, const char *key)
{
	jw_open(w, key, '[');
}

void jw_arr_close(struct jw *w)
{
	jw_close(w, ']');
}

void jw_strn(struct jw *w, const char *key, const char *s, size_t n)
{
	jw_key(w, key);
	put_escaped(w, s, n);
	jw_done(w);
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	if (!s) {
		jw_null(w, key);
		return;
	}
	jw_strn(w, key, s, SIZE_MAX);
}

void jw_u64(struct jw *w, const char *key, __u64 v)
{
	char d[20];
	size_t n = nst_u64_dec(d, v);

	jw_key(w, key);
	jw_put(w, d, n);
	jw_done(w);
}

void jw_i64(struct jw *w, const char *key, __s64 v)
{
	char d[20];
	size_t n = nst_i64_dec(d, v);

	jw_key(w, key);
	jw_put(w, d, n);
	jw_done(w);
}

void jw_double(struct jw *w, const char *key, double v)
{
	char d[32];
	int n;

	jw_key(w, key);
	/* JSON has no NaN or Infinity */
	n = isfinite(v) ? snprintf(d, sizeof(d), "%.6g", v) : 0;
	if (n > 0)
		jw_put(w, d, n);
	else
		jw_put(w, "null", 4);
	jw_done(w);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_put(w, v ? "true" : "false", v ? 4 : 5);
	jw_done(w);
}

void jw_null(struct jw *w, const char *key)
{
	jw_key(w, key);
	jw_put(w, "null", 4);
	jw_done(w);
}

void jw_raw(struct jw *w, const char *key, const char *json, size_t n)
{
	jw_key(w, key);
	jw_put(w, json, n);
	jw_done(w);
}
