// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdbool.h>
#include <string.h>
#include "evcodec.h"

#define OFF(f) offsetof(struct nst_event, f)
#define PREV 0xffff /* base: the same field of the event before */
#define NONE 0xfffe /* base: nothing, the value as it is */

/*
 * One column per field. Numbers that drift (times, pids, fds) are stored as
 * the difference to their base, zigzagged so small negative steps stay
 * small; bit sets and small codes as XOR, which is the value itself when
 * there is no base. A base in the same event must come earlier in the table.
 */
struct scalar {
	unsigned short off, base;
	unsigned char size;
	bool xor ;
};

static const struct scalar scalars[] = {
	{ OFF(ts_ns), PREV, 8, false },	     { OFF(lat_ns), NONE, 8, true },
	{ OFF(cgroup_id), PREV, 8, false },  { OFF(flags), PREV, 8, true },
	{ OFF(ret), PREV, 8, false },	     { OFF(pid), PREV, 4, false },
	{ OFF(tid), OFF(pid), 4, false },    { OFF(ppid), PREV, 4, false },
	{ OFF(child_pid), PREV, 4, false },  { OFF(kind), PREV, 2, true },
	{ OFF(source), PREV, 2, true },	     { OFF(setns_fd), PREV, 4, false },
	{ OFF(target_kind), PREV, 4, true }, { OFF(target_type), PREV, 4, true },
	{ OFF(target_pid), PREV, 4, false },
};

/*
 * The inode arrays: a bit mask of the slots that differ from the base (or,
 * for target, that are set at all), then the difference of each of those.
 * A process keeps its namespaces from one event to the next, and a call
 * changes few of them, so most events store a zero mask.
 */
struct array {
	unsigned short off, base;
	bool nonzero; /* mask the set slots, not the changed ones */
};

static const struct array arrays[] = {
	{ OFF(before), PREV, false },
	{ OFF(after), OFF(before), false },
	{ OFF(target), OFF(after), true },
};

static inline __u64 get_field(const struct nst_event *e, unsigned int off, unsigned int size)
{
	const unsigned char *p = (const unsigned char *)e + off;
	__u64 v64;
	__u32 v32;
	__u16 v16;

	switch (size) {
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

static inline void set_field(struct nst_event *e, unsigned int off, unsigned int size, __u64 v)
{
	unsigned char *p = (unsigned char *)e + off;
	__u32 v32 = v;
	__u16 v16 = v;

	if (size == 2)
		memcpy(p, &v16, 2);
	else if (size == 4)
		memcpy(p, &v32, 4);
	else
		memcpy(p, &v, 8);
}

static __u64 size_mask(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* v - base in the field's width, sign-extended and zigzagged. */
static __u64 zigzag(__u64 v, __u64 base, unsigned int size)
{
	__u64 d = (v - base) & size_mask(size), sign = 1ULL << (size * 8 - 1);

	d = (d ^ sign) - sign;
	return d << 1 ^ (__u64)((__s64)d >> 63);
}

static __u64 unzigzag(__u64 z, __u64 base, unsigned int size)
{
	return (base + ((z >> 1) ^ -(z & 1))) & size_mask(size);
}

static unsigned char *put_varint(unsigned char *p, __u64 v)
{
	while (v >= 0x80) {
		*p++ = v | 0x80;
		v >>= 7;
	}
	*p++ = v;
	return p;
}

struct in {
	const unsigned char *p, *end;
	bool bad;
};

static __u64 get_varint_slow(struct in *in)
{
	__u64 v = 0;

	for (unsigned int shift = 0; shift < 64; shift += 7) {
		unsigned char b;

		if (in->p == in->end)
			break;
		b = *in->p++;
		v |= (__u64)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	in->bad = true;
	return 0;
}

/* Most values are zero or small: one byte. */
static inline __u64 get_varint(struct in *in)
{
	if (in->p < in->end && *in->p < 0x80)
		return *in->p++;
	return get_varint_slow(in);
}

static const struct nst_event *before(const struct nst_event *ev, unsigned int i,
				      const struct nst_event *prev)
{
	return i ? &ev[i - 1] : prev;
}

static __u64 scalar_base(const struct scalar *s, const struct nst_event *e,
			 const struct nst_event *last)
{
	if (s->base == NONE)
		return 0;
	return get_field(s->base == PREV ? last : e, s->base == PREV ? s->off : s->base, s->size);
}

static const __u32 *array_of(const struct nst_event *e, unsigned int off)
{
	return (const __u32 *)((const unsigned char *)e + off);
}

static const __u32 *array_base(const struct array *a, const struct nst_event *e,
			       const struct nst_event *last)
{
	return a->base == PREV ? array_of(last, a->off) : array_of(e, a->base);
}

static unsigned char *enc_array(unsigned char *p, const struct array *a, const struct nst_event *e,
				const struct nst_event *last)
{
	const __u32 *v = array_of(e, a->off), *b = array_base(a, e, last);
	unsigned int mask = 0;

	if (!a->nonzero && !memcmp(v, b, NST_NS_COUNT * sizeof(*v)))
		return put_varint(p, 0);
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (a->nonzero ? v[i] != 0 : v[i] != b[i])
			mask |= 1U << i;
	p = put_varint(p, mask);
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (mask & (1U << i))
			p = put_varint(p, zigzag(v[i], b[i], 4));
	return p;
}

static void dec_array(struct in *in, bool present, const struct array *a, struct nst_event *e,
		      const struct nst_event *last)
{
	__u32 *v = (__u32 *)((unsigned char *)e + a->off);
	const __u32 *b = array_base(a, e, last);
	__u64 mask = present ? get_varint(in) : 0;

	if (!mask) {
		/* the common case: nothing changed */
		if (a->nonzero)
			memset(v, 0, NST_NS_COUNT * sizeof(*v));
		else
			memcpy(v, b, NST_NS_COUNT * sizeof(*v));
		return;
	}
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (mask & (1U << i))
			v[i] = unzigzag(get_varint(in), b[i], 4);
		else
			v[i] = a->nonzero ? 0 : b[i];
	if (mask >> NST_NS_COUNT)
		in->bad = true;
}

/* comm: 0 when unchanged, else 1 + the length up to the last non-zero byte, then those bytes */
static unsigned char *enc_comm(unsigned char *p, const struct nst_event *e,
			       const struct nst_event *last)
{
	unsigned int len = NST_COMM_LEN;

	if (!memcmp(e->comm, last->comm, NST_COMM_LEN))
		return put_varint(p, 0);
	while (len && !e->comm[len - 1])
		len--;
	p = put_varint(p, len + 1);
	memcpy(p, e->comm, len);
	return p + len;
}

static void dec_comm(struct in *in, bool present, struct nst_event *e, const struct nst_event *last)
{
	__u64 len = present ? get_varint(in) : 0;

	if (!len) {
		memcpy(e->comm, last->comm, NST_COMM_LEN);
		return;
	}
	len--;
	if (len > NST_COMM_LEN || len > (size_t)(in->end - in->p)) {
		in->bad = true;
		return;
	}
	memset(e->comm, 0, NST_COMM_LEN);
	memcpy(e->comm, in->p, len);
	in->p += len;
}

static inline __attribute__((always_inline)) unsigned char *
enc_scalar(unsigned char *p, const struct scalar *s, const struct nst_event *ev, unsigned int n,
	   const struct nst_event *prev, unsigned int size)
{
	for (unsigned int i = 0; i < n; i++) {
		__u64 v = get_field(&ev[i], s->off, size);
		__u64 b = scalar_base(s, &ev[i], before(ev, i, prev));

		p = put_varint(p, s->xor ? v ^ b : zigzag(v, b, size));
	}
	return p;
}

/*
 * Each column starts with a byte: 1, then one entry per event; or 0 when
 * every entry would be 0 (nothing differs from its base). Most columns of
 * a busy stream are such: this keeps them out of deflate's way entirely.
 */
static unsigned char *end_column(unsigned char *flag, unsigned char *p, unsigned int n)
{
	const unsigned char *q = flag + 1;

	if ((size_t)(p - q) == n) {
		while (q < p && !*q)
			q++;
		if (q == p) {
			*flag = 0;
			return flag + 1;
		}
	}
	*flag = 1;
	return p;
}

size_t nst_enc_events(const struct nst_event *ev, unsigned int n, struct nst_event *prev,
		      unsigned char *out)
{
	unsigned char *p = out, *flag;

	for (size_t c = 0; c < sizeof(scalars) / sizeof(scalars[0]); c++) {
		const struct scalar *s = &scalars[c];

		flag = p++;
		if (s->size == 2)
			p = enc_scalar(p, s, ev, n, prev, 2);
		else if (s->size == 4)
			p = enc_scalar(p, s, ev, n, prev, 4);
		else
			p = enc_scalar(p, s, ev, n, prev, 8);
		p = end_column(flag, p, n);
	}
	for (size_t c = 0; c < sizeof(arrays) / sizeof(arrays[0]); c++) {
		flag = p++;
		for (unsigned int i = 0; i < n; i++)
			p = enc_array(p, &arrays[c], &ev[i], before(ev, i, prev));
		p = end_column(flag, p, n);
	}
	flag = p++;
	for (unsigned int i = 0; i < n; i++)
		p = enc_comm(p, &ev[i], before(ev, i, prev));
	p = end_column(flag, p, n);
	if (n)
		*prev = ev[n - 1];
	return p - out;
}

/* The flag byte of a column: is it there? */
static bool column_present(struct in *in)
{
	if (in->p == in->end || *in->p > 1) {
		in->bad = true;
		return false;
	}
	return *in->p++;
}

/* One column; inlined per size so the field access is a plain load and store. */
static inline __attribute__((always_inline)) void dec_scalar(struct in *in, const struct scalar *s,
							     struct nst_event *ev, unsigned int n,
							     const struct nst_event *prev,
							     unsigned int size)
{
	bool present = column_present(in);

	for (unsigned int i = 0; i < n; i++) {
		__u64 z = present ? get_varint(in) : 0;
		__u64 b = scalar_base(s, &ev[i], before(ev, i, prev));

		set_field(&ev[i], s->off, size,
			  s->xor ? (z ^ b) & size_mask(size) : unzigzag(z, b, size));
	}
}

int nst_dec_events(const unsigned char *buf, size_t len, struct nst_event *ev, unsigned int n,
		   struct nst_event *prev)
{
	struct in in = { buf, buf + len, false };
	bool present;

	for (size_t c = 0; c < sizeof(scalars) / sizeof(scalars[0]); c++) {
		const struct scalar *s = &scalars[c];

		if (s->size == 2)
			dec_scalar(&in, s, ev, n, prev, 2);
		else if (s->size == 4)
			dec_scalar(&in, s, ev, n, prev, 4);
		else
			dec_scalar(&in, s, ev, n, prev, 8);
	}
	for (size_t c = 0; c < sizeof(arrays) / sizeof(arrays[0]); c++) {
		bool present = column_present(&in);

		for (unsigned int i = 0; i < n; i++)
			dec_array(&in, present, &arrays[c], &ev[i], before(ev, i, prev));
	}
	present = column_present(&in);
	for (unsigned int i = 0; i < n; i++)
		dec_comm(&in, present, &ev[i], before(ev, i, prev));
	if (in.bad || in.p != in.end)
		return -1;
	if (n)
		*prev = ev[n - 1];
	return 0;
}

/* ---- identity entries ---- */

/* The strings of an entry, in their order in the encoding. */
#define ID_STRINGS(X) X(id) X(name) X(image) X(runtime) X(pod_uid) X(pod_name) X(pod_namespace)

static unsigned char *put_string(unsigned char *p, const char *s, size_t size)
{
	size_t len = strnlen(s, size - 1);

	p = put_varint(p, len);
	memcpy(p, s, len);
	return p + len;
}

/* A string of at most size - 1 bytes, without a NUL; false otherwise. */
static bool get_string(struct in *in, char *s, size_t size)
{
	__u64 len = get_varint(in);

	if (in->bad || len >= size || len > (size_t)(in->end - in->p) || memchr(in->p, 0, len))
		return false;
	memcpy(s, in->p, len);
	s[len] = '\0';
	in->p += len;
	return true;
}

size_t nst_enc_identity(const struct nst_id_entry *e, unsigned char *out)
{
	const struct nst_ctr_info *i = &e->info;
	unsigned char *p = out;

	p = put_varint(p, e->key_kind);
	p = put_varint(p, e->key);
	/* 0: the host; else 1 + the runtime kind of the cgroup path */
	p = put_varint(p, e->container ? 1 + (unsigned int)i->kind : 0);
	if (!e->container)
		return p - out;
#define PUT(f) p = put_string(p, i->f, sizeof(i->f));
	ID_STRINGS(PUT)
#undef PUT
	return p - out;
}

static bool dec_identity(struct in *in, struct nst_id_entry *e)
{
	struct nst_ctr_info *i = &e->info;
	__u64 kind, key, what;

	memset(e, 0, sizeof(*e));
	kind = get_varint(in);
	key = get_varint(in);
	what = get_varint(in);
	if (in->bad || (kind != NST_IDK_CGROUP && kind != NST_IDK_NS) ||
	    what > 1 + (__u64)NST_RT_CRI || (kind == NST_IDK_NS && !what) ||
	    (kind == NST_IDK_NS && key > 0xffffffffULL))
		return false;
	e->key_kind = kind;
	e->key = key;
	e->container = what != 0;
	if (!what)
		return true;
	i->kind = what - 1;
#define GET(f)                                   \
	if (!get_string(in, i->f, sizeof(i->f))) \
		return false;
	ID_STRINGS(GET)
#undef GET
	/* an entry names a container by its id, or a pod by its uid */
	return i->id[0] || i->pod_uid[0];
}

int nst_dec_identities(const unsigned char *buf, size_t len, unsigned int n,
		       int (*fn)(void *ctx, const struct nst_id_entry *e), void *ctx)
{
	struct in in = { buf, buf + len, false };
	struct nst_id_entry e;

	for (unsigned int k = 0; k < n; k++) {
		if (!dec_identity(&in, &e))
			return -1;
		if (fn && fn(ctx, &e))
			return 0;
	}
	return in.p == in.end ? 0 : -1;
}
