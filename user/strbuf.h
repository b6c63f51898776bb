/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A bounded string builder for the formatting hot paths (report renders
 * millions of events): appends with memcpy and a table-driven integer
 * conversion instead of a snprintf per field. The text always stays
 * NUL-terminated and is cut, never overrun, when the buffer is full.
 */
#ifndef NSTRACE_STRBUF_H
#define NSTRACE_STRBUF_H

#include <stddef.h>
#include <string.h>
#include <linux/types.h>

struct sb {
	char *buf;
	size_t len; /* the buffer's size, at least 1 */
	size_t off; /* the text's length */
};

/* Write v in decimal to dst (room for 20 bytes); returns the digits written. */
size_t nst_u64_dec(char *dst, __u64 v);
/* The same for a signed value (room for 20 bytes). */
size_t nst_i64_dec(char *dst, __s64 v);

static inline void sb_init(struct sb *s, char *buf, size_t len)
{
	s->buf = buf;
	s->len = len;
	s->off = 0;
	buf[0] = '\0';
}

static inline void sb_mem(struct sb *s, const char *p, size_t n)
{
	size_t room = s->len - 1 - s->off;

	char *d = s->buf + s->off;

	if (n > room)
		n = room;
	/* most pieces are a few bytes: a libc call per piece would cost more than the copy */
	if (n <= 16) {
		for (size_t i = 0; i < n; i++)
			d[i] = p[i];
	} else {
		memcpy(d, p, n);
	}
	s->off += n;
	s->buf[s->off] = '\0';
}

static inline void sb_str(struct sb *s, const char *p)
{
	sb_mem(s, p, strlen(p));
}

static inline void sb_chr(struct sb *s, char c)
{
	if (s->off + 1 < s->len) {
		s->buf[s->off++] = c;
		s->buf[s->off] = '\0';
	}
}

static inline void sb_u64(struct sb *s, __u64 v)
{
	char d[20];

	sb_mem(s, d, nst_u64_dec(d, v));
}

static inline void sb_i64(struct sb *s, __s64 v)
{
	char d[20];

	sb_mem(s, d, nst_i64_dec(d, v));
}

/* ns / 1000 with one decimal, as printf("%.1f", ns / 1000.0) writes it. */
void sb_usec(struct sb *s, __u64 ns);

/* Pad what was appended since `from` to width columns: negative pads on the right. */
void sb_pad(struct sb *s, size_t from, int width);

#endif /* NSTRACE_STRBUF_H */
