// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include "strbuf.h"

static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233"
			    "34353637383940414243444546474849505152535455565758596061626364656667"
			    "6869707172737475767778798081828384858687888990919293949596979899";

static size_t digits(__u64 v)
{
	size_t n = 1;

	for (__u64 p = 10; n < 20 && v >= p; p *= 10)
		n++;
	return n;
}

size_t nst_u64_dec(char *dst, __u64 v)
{
	size_t n = digits(v);
	char *p = dst + n;

	/* two digits per division: the slow part of printf's %llu is one per digit */
	while (v >= 100) {
		size_t r = v % 100;

		v /= 100;
		p -= 2;
		p[0] = pairs[2 * r];
		p[1] = pairs[2 * r + 1];
	}
	if (v >= 10) {
		p[-2] = pairs[2 * v];
		p[-1] = pairs[2 * v + 1];
	} else {
		p[-1] = '0' + v;
	}
	return n;
}

size_t nst_i64_dec(char *dst, __s64 v)
{
	if (v >= 0)
		return nst_u64_dec(dst, v);
	dst[0] = '-';
	/* the negation in unsigned arithmetic is defined for INT64_MIN too */
	return 1 + nst_u64_dec(dst + 1, -(__u64)v);
}

void sb_pad(struct sb *s, size_t from, int width)
{
	size_t w = width < 0 ? -(size_t)width : (size_t)width, have = s->off - from, pad;

	if (have >= w)
		return;
	pad = w - have;
	if (pad > s->len - 1 - s->off)
		pad = s->len - 1 - s->off;
	if (width > 0)
		memmove(s->buf + from + pad, s->buf + from, have);
	memset(s->buf + (width > 0 ? from : s->off), ' ', pad);
	s->off += pad;
	s->buf[s->off] = '\0';
}

/*
 * ns / 1000 with one decimal, exactly as printf("%.1f", ns / 1000.0)
 * rounds it, without printf's cost. Only an exact .x5 needs the double:
 * it rounds the way the division rounded, and half to even when exact.
 */
void sb_usec(struct sb *s, __u64 ns)
{
	__u64 tenths = ns / 100, rest = ns % 100;

	if (ns >= 1ULL << 50) {
		char d[48];

		snprintf(d, sizeof(d), "%.1f", ns / 1000.0);
		sb_str(s, d);
		return;
	}
	if (rest == 50) {
		long double twenty_x = 20.0L * (ns / 1000.0);

		if (twenty_x > 2 * tenths + 1 || (twenty_x == 2 * tenths + 1 && tenths % 2))
			tenths++;
	} else if (rest > 50) {
		tenths++;
	}
	sb_u64(s, tenths / 10);
	sb_chr(s, '.');
	sb_chr(s, '0' + tenths % 10);
}
