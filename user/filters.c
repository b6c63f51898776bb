// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include "event.h"
#include "filters.h"

static int parse_tier(const char *s, enum nst_tier *tier, char *err, size_t errlen)
{
	if (!strcmp(s, "auto"))
		*tier = NST_TIER_AUTO;
	else if (!strcmp(s, "tracepoint"))
		*tier = NST_TIER_TRACEPOINT;
	else if (!strcmp(s, "fentry"))
		*tier = NST_TIER_FENTRY;
	else if (!strcmp(s, "kprobe"))
		*tier = NST_TIER_KPROBE;
	else {
		snprintf(err, errlen, "unknown tier '%s' (valid: auto, fentry, tracepoint, kprobe)",
			 s);
		return -1;
	}
	return 0;
}

static int parse_backend(const char *s, enum nst_backend *b, char *err, size_t errlen)
{
	if (!strcmp(s, "auto"))
		*b = NST_BACKEND_AUTO;
	else if (!strcmp(s, "bpf"))
		*b = NST_BACKEND_BPF;
	else if (!strcmp(s, "kmod"))
		*b = NST_BACKEND_KMOD;
	else {
		snprintf(err, errlen, "unknown backend '%s' (valid: auto, bpf, kmod)", s);
		return -1;
	}
	return 0;
}

int nst_backend_opt(int c, const char *arg, struct nst_tracer_opts *t, char *err, size_t errlen)
{
	if (c == NST_OPT_TIER)
		return parse_tier(arg, &t->tier, err, errlen) ? -1 : 1;
	if (c == NST_OPT_BACKEND)
		return parse_backend(arg, &t->backend, err, errlen) ? -1 : 1;
	return 0;
}

int nst_filter_opt(int c, const char *arg, struct nst_filters *f, char *err, size_t errlen)
{
	struct nst_tracer_opts *t = &f->t;

	t->pids = f->pids;
	switch (c) {
	case 'p':
		return nst_parse_pids(arg, f->pids, NST_MAX_PIDS, &t->npids, err, errlen) ? -1 : 1;
	case 'c':
		t->comm = arg;
		return 1;
	case 'n':
		return nst_parse_slots(arg, &t->ns_slots, err, errlen) ? -1 : 1;
	case 'g':
		t->cgroup = arg;
		return 1;
	case 'x':
		t->failed_only = true;
		return 1;
	case 'b':
		if (nst_parse_size(arg, &t->ringbuf_bytes, err, errlen) ||
		    nst_check_ringbuf(t->ringbuf_bytes, err, errlen))
			return -1;
		return 1;
	case 'v':
		t->verbose = true;
		return 1;
	case NST_OPT_NS_OF:
		return nst_parse_pids(arg, f->follow.ns_of, NST_MAX_PIDS, &f->follow.nns_of, err,
				      errlen)
			       ? -1
			       : 1;
	case NST_OPT_CONTAINER:
		f->follow.containers = arg;
		return 1;
	case NST_OPT_POD:
		f->follow.pods = arg;
		return 1;
	case NST_OPT_WAIT:
		f->follow.wait = true;
		return 1;
	}
	return nst_backend_opt(c, arg, t, err, errlen);
}

struct nst_tracer *nst_filters_open(struct nst_filters *f, nst_event_fn fn, void *ctx, char *err,
				    size_t errlen)
{
	struct nst_follow *follow = NULL;
	struct nst_tracer *t;
	int ret;

	f->t.follow = nst_follow_wanted(&f->follow);
	if (f->follow.wait && !f->t.follow) {
		snprintf(err, errlen, "--wait needs --container or --pod (what to wait for)");
		errno = EINVAL;
		return NULL;
	}
	if (f->t.follow && (ret = nst_follow_prepare(&f->follow, f->t.ns_slots, f->t.verbose,
						     &follow, err, errlen))) {
		errno = -ret;
		return NULL;
	}
	t = nst_tracer_open(&f->t, fn, ctx, err, errlen);
	if (t && follow && (ret = nst_follow_attach(follow, t, err, errlen))) {
		nst_tracer_close(t);
		t = NULL;
		errno = -ret;
	}
	nst_follow_free(follow);
	return t;
}

/* " ns_of=1,2 container=web1 pod=shop/web-0 wait=1": only what was given */
static size_t describe_follow(const struct nst_follow_opts *o, char *buf, size_t len)
{
	size_t off = 0;

	for (int i = 0; i < o->nns_of && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%d", i ? "," : " ns_of=", o->ns_of[i]);
	if (o->containers && off < len)
		off += snprintf(buf + off, len - off, " container=%s", o->containers);
	if (o->pods && off < len)
		off += snprintf(buf + off, len - off, " pod=%s", o->pods);
	if (o->wait && off < len)
		off += snprintf(buf + off, len - off, " wait=1");
	return off;
}

void nst_filters_describe(const struct nst_filters *f, char *buf, size_t len)
{
	size_t off = snprintf(buf, len, "pids=");

	for (int i = 0; i < f->t.npids && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%d", i ? "," : "", f->pids[i]);
	if (off < len)
		off += snprintf(buf + off, len - off,
				" comm=%s ns_slots=0x%x cgroup=%s failed_only=%d",
				f->t.comm ? f->t.comm : "", f->t.ns_slots,
				f->t.cgroup ? f->t.cgroup : "", f->t.failed_only);
	if (off < len)
		describe_follow(&f->follow, buf + off, len - off);
}
