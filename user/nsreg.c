// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "grow.h"
#include "nshash.h"
#include "nsreg.h"

struct nsreg {
	struct nsreg_ns *ns; /* every generation, in the order first seen */
	size_t n, cap;
	struct nshash newest; /* (type, ino) -> the index of its newest generation */
	struct nsreg_stats st;
	__u32 seen[NST_NS_COUNT]; /* the last inode set noted: all known */
};

struct nsreg *nsreg_new(void)
{
	return calloc(1, sizeof(struct nsreg));
}

void nsreg_free(struct nsreg *r)
{
	if (!r)
		return;
	free(r->ns);
	nshash_free(&r->newest);
	free(r);
}

const struct nsreg_ns *nsreg_lookup(const struct nsreg *r, enum nst_type type, __u32 ino)
{
	ssize_t i = nshash_get(&r->newest, nshash_ns_key(type, ino));

	return i < 0 ? NULL : &r->ns[i];
}

static void nsreg_insert(struct nsreg *r, enum nst_type type, __u32 ino, __u32 gen,
			 const struct nst_event *e, bool created)
{
	struct nsreg_ns *n;

	if (nst_grow((void **)&r->ns, &r->cap, r->n + 1, sizeof(*r->ns), 256) ||
	    nshash_put(&r->newest, nshash_ns_key(type, ino), r->n))
		return;
	n = &r->ns[r->n++];
	*n = (struct nsreg_ns){ .type = type, .ino = ino, .gen = gen, .first_seen_ns = e->ts_ns };
	if (created) {
		n->creator_pid = e->pid;
		n->kind = e->kind;
	}
}

/* A creation always starts a new generation, even for a known inode. */
static void note_created(struct nsreg *r, enum nst_type type, __u32 ino, const struct nst_event *e)
{
	const struct nsreg_ns *old = nsreg_lookup(r, type, ino);

	if (old)
		r->st.reused[type]++;
	nsreg_insert(r, type, ino, old ? old->gen + 1 : 0, e, true);
	r->st.created[type]++;
}

static void note_seen(struct nsreg *r, const __u32 *ino, const struct nst_event *e)
{
	/* entries are never removed: a set noted before needs no lookups */
	if (!memcmp(ino, r->seen, sizeof(r->seen)))
		return;
	memcpy(r->seen, ino, sizeof(r->seen));
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (ino[i] && !nsreg_lookup(r, nst_slot_type(i), ino[i]))
			nsreg_insert(r, nst_slot_type(i), ino[i], 0, e, false);
}

static void count_types(__u64 *counter, __u32 types)
{
	for (int t = 0; t < NST_T_COUNT; t++)
		if (types & (1U << t))
			counter[t]++;
}

static void account_created(struct nsreg *r, const struct nst_event *e, __u32 changed)
{
	__u32 new_slots = changed & nst_flags_to_slots(e->flags);
	__u32 done = 0;

	for (int i = 0; i < NST_NS_COUNT; i++) {
		enum nst_type type = nst_slot_type(i);

		if (!(new_slots & (1U << i)) || (done & (1U << type)))
			continue;
		done |= 1U << type;
		note_created(r, type, e->after[i], e);
	}
}

void nsreg_account(struct nsreg *r, const struct nst_event *e)
{
	__u32 changed = nst_changed_slots(e);

	if (e->kind < NST_K_MAX)
		r->st.events[e->kind]++;
	if (e->ret < 0 && e->kind != NST_K_EXIT) {
		r->st.failed++;
		return;
	}
	note_seen(r, e->before, e);
	switch (e->kind) {
	case NST_K_CLONE:
	case NST_K_CLONE3:
	case NST_K_FORK:
		account_created(r, e, changed);
		break;
	case NST_K_UNSHARE:
		account_created(r, e, changed);
		count_types(r->st.left, nst_slots_to_types(changed));
		break;
	case NST_K_SETNS:
		count_types(r->st.joined, nst_slots_to_types(changed));
		count_types(r->st.left, nst_slots_to_types(changed));
		break;
	case NST_K_EXIT:
		count_types(r->st.left, nst_slots_to_types(changed));
		break;
	default:
		break;
	}
	note_seen(r, e->after, e);
}

/*
 * The order reports list namespaces in: by (ino * 2654435761 ^ type) % 4096,
 * newest generation first. Arbitrary, but every report has used it (it was
 * the bucket order of this registry's first hash table), so it stays.
 */
static unsigned int list_bucket(const struct nsreg_ns *n)
{
	return (n->ino * 2654435761U ^ n->type) % 4096;
}

static int list_order(const void *a, const void *b, void *reg)
{
	const struct nsreg_ns *ns = ((const struct nsreg *)reg)->ns;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	unsigned int bx = list_bucket(&ns[x]), by = list_bucket(&ns[y]);

	if (bx != by)
		return bx < by ? -1 : 1;
	return x < y ? 1 : x > y ? -1 : 0;
}

void nsreg_for_each(struct nsreg *r, void (*fn)(void *ctx, struct nsreg_ns *ns), void *ctx)
{
	size_t *order = malloc((r->n ? r->n : 1) * sizeof(*order));

	if (!order) { /* out of memory: every one all the same, as first seen */
		for (size_t i = 0; i < r->n; i++)
			fn(ctx, &r->ns[i]);
		return;
	}
	for (size_t i = 0; i < r->n; i++)
		order[i] = i;
	qsort_r(order, r->n, sizeof(*order), list_order, r);
	for (size_t i = 0; i < r->n; i++)
		fn(ctx, &r->ns[order[i]]);
	free(order);
}

const struct nsreg_stats *nsreg_stats(const struct nsreg *r)
{
	return &r->st;
}

void nsreg_print_summary(const struct nsreg *r, FILE *out, __u64 lost, const char *backend,
			 const char *tier)
{
	const struct nsreg_stats *s = &r->st;
	bool any = false;

	fprintf(out, "\nSummary (backend %s, tier %s):\n  events:", backend, tier);
	for (int k = NST_K_CLONE; k < NST_K_MAX; k++)
		if (s->events[k]) {
			fprintf(out, " %s %llu", nst_kind_name(k),
				(unsigned long long)s->events[k]);
			any = true;
		}
	fprintf(out, "%s; failed %llu; lost %llu\n", any ? "" : " none",
		(unsigned long long)s->failed, (unsigned long long)lost);
	fprintf(out, "  %-8s %8s %8s %8s\n", "TYPE", "CREATED", "JOINED", "LEFT");
	for (int t = 0; t < NST_T_COUNT; t++)
		fprintf(out, "  %-8s %8llu %8llu %8llu\n", nst_type_name(t),
			(unsigned long long)s->created[t], (unsigned long long)s->joined[t],
			(unsigned long long)s->left[t]);
	if (lost)
		fprintf(out,
			"  WARNING: %llu events were lost (ring buffer full): "
			"raise --buffer or narrow the filters\n",
			(unsigned long long)lost);
}
