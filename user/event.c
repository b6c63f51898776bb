// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "columns.h"
#include "event.h"
#include "strbuf.h"

static const char *const kind_names[NST_K_MAX] = {
	[NST_K_NONE] = "none",	     [NST_K_CLONE] = "clone",	  [NST_K_CLONE3] = "clone3",
	[NST_K_UNSHARE] = "unshare", [NST_K_SETNS] = "setns",	  [NST_K_FORK] = "fork",
	[NST_K_EXEC] = "exec",	     [NST_K_EXIT] = "exit",	  [NST_K_SWITCH] = "switch",
	[NST_K_NS_FREE] = "ns_free", [NST_K_NS_COST] = "ns_cost",
};

const char *nst_kind_name(unsigned int kind)
{
	return kind < NST_K_MAX && kind_names[kind] ? kind_names[kind] : "unknown";
}

const char *nst_source_name(unsigned int source)
{
	switch (source) {
	case NST_SRC_TRACEPOINT:
		return "tracepoint";
	case NST_SRC_FENTRY:
		return "fentry";
	case NST_SRC_KMOD:
		return "kmod";
	}
	return "unknown";
}

const char *nst_target_name(unsigned int target)
{
	static const char *const names[] = { "none", "nsfs", "pidfd", "badfd", "other" };

	return target < sizeof(names) / sizeof(names[0]) ? names[target] : "unknown";
}

static const struct {
	__u64 bit;
	const char *name;
} clone_bits[] = {
	{ 0x00000100, "CLONE_VM" },
	{ 0x00000200, "CLONE_FS" },
	{ 0x00000400, "CLONE_FILES" },
	{ 0x00000800, "CLONE_SIGHAND" },
	{ 0x00001000, "CLONE_PIDFD" },
	{ 0x00002000, "CLONE_PTRACE" },
	{ 0x00004000, "CLONE_VFORK" },
	{ 0x00008000, "CLONE_PARENT" },
	{ 0x00010000, "CLONE_THREAD" },
	{ 0x00020000, "CLONE_NEWNS" },
	{ 0x00040000, "CLONE_SYSVSEM" },
	{ 0x00080000, "CLONE_SETTLS" },
	{ 0x00100000, "CLONE_PARENT_SETTID" },
	{ 0x00200000, "CLONE_CHILD_CLEARTID" },
	{ 0x00400000, "CLONE_DETACHED" },
	{ 0x00800000, "CLONE_UNTRACED" },
	{ 0x01000000, "CLONE_CHILD_SETTID" },
	{ 0x02000000, "CLONE_NEWCGROUP" },
	{ 0x04000000, "CLONE_NEWUTS" },
	{ 0x08000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },
	{ 0x80000000, "CLONE_IO" },
	{ 0x100000000ULL, "CLONE_CLEAR_SIGHAND" },
	{ 0x200000000ULL, "CLONE_INTO_CGROUP" },
};

static void append(struct sb *s, const char *name)
{
	if (s->off)
		sb_chr(s, '|');
	sb_str(s, name);
}

char *nst_flags_str(unsigned int kind, __u64 flags, char *buf, size_t len)
{
	bool has_sig = kind == NST_K_CLONE && (flags & 0xff);
	__u64 rest = flags;
	struct sb s;

	sb_init(&s, buf, len);
	if (has_sig) {
		rest &= ~0xffULL;
	} else if (flags & NST_CLONE_NEWTIME) {
		rest &= ~NST_CLONE_NEWTIME;
		append(&s, "CLONE_NEWTIME");
	}
	for (size_t i = 0; i < sizeof(clone_bits) / sizeof(clone_bits[0]) && rest; i++) {
		if (!(rest & clone_bits[i].bit))
			continue;
		append(&s, clone_bits[i].name);
		rest &= ~clone_bits[i].bit;
	}
	if (rest) {
		char hex[24];

		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)rest);
		append(&s, hex);
	}
	if (has_sig) {
		/* clone() carries the child's exit signal in the low byte */
		const char *abbrev = sigabbrev_np(flags & 0xff);

		append(&s, abbrev ? "SIG" : "sig");
		if (abbrev)
			sb_str(&s, abbrev);
		else
			sb_u64(&s, flags & 0xff);
	}
	if (!s.off)
		sb_chr(&s, '0');
	return buf;
}

const char *nst_errno_name(__s64 ret)
{
	const char *n;

	if (ret >= 0)
		return NULL;
	n = strerrorname_np((int)-ret);
	return n ? n : "E?";
}

/*
 * Events come in time order, so most share their second with the one
 * before: format the date and time of day once per second, not per event.
 */
static __thread struct {
	__s64 sec;
	size_t len;
	char text[40];
} wall_sec = { .sec = -1 };

char *nst_wall_str(const struct nst_fmt *f, __u64 ts_ns, char *buf, size_t len)
{
	__s64 wall = (__s64)ts_ns + f->boot_to_wall_ns;
	time_t sec = wall / 1000000000LL;
	char digits[20];
	struct sb s;
	size_t n;

	if (wall < 0 || len < 2) {
		struct tm tm = {};

		gmtime_r(&sec, &tm);
		n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf + n, len - n, ".%09lldZ", (long long)(wall % 1000000000LL));
		return buf;
	}
	if (sec != wall_sec.sec) {
		struct tm tm = {};

		gmtime_r(&sec, &tm);
		wall_sec.len =
			strftime(wall_sec.text, sizeof(wall_sec.text), "%Y-%m-%dT%H:%M:%S", &tm);
		wall_sec.sec = sec;
	}
	sb_init(&s, buf, len);
	sb_mem(&s, wall_sec.text, wall_sec.len);
	n = nst_u64_dec(digits, wall % 1000000000LL);
	sb_chr(&s, '.');
	for (size_t zeros = n; zeros < 9; zeros++)
		sb_chr(&s, '0');
	sb_mem(&s, digits, n);
	sb_chr(&s, 'Z');
	return buf;
}

/* ---- the trace column table ---- */

static void ns_list(struct sb *s, const __u32 *ino, __u32 mask)
{
	size_t start = s->off;

	for (int i = 0; i < NST_NS_COUNT; i++) {
		if (!(mask & (1U << i)))
			continue;
		if (s->off != start)
			sb_chr(s, ' ');
		sb_str(s, nst_slot_name(i));
		sb_mem(s, ":[", 2);
		sb_u64(s, ino[i]);
		sb_chr(s, ']');
	}
}

/* "net:[4026531993]->net:[4026532362] uts:[...]->uts:[...]" */
static void changes(struct sb *s, const struct nst_event *e)
{
	__u32 changed = nst_changed_slots(e);
	size_t start = s->off;

	for (int i = 0; i < NST_NS_COUNT; i++) {
		if (!(changed & (1U << i)))
			continue;
		if (s->off != start)
			sb_chr(s, ' ');
		ns_list(s, e->before, 1U << i);
		sb_mem(s, "->", 2);
		ns_list(s, e->after, 1U << i);
	}
}

static void inherited(struct sb *s, const struct nst_event *e)
{
	__u32 changed = nst_changed_slots(e);
	size_t start = s->off;

	for (int i = 0; i < NST_NS_COUNT; i++) {
		if ((changed & (1U << i)) || !e->after[i])
			continue;
		if (s->off != start)
			sb_chr(s, ',');
		sb_str(s, nst_slot_name(i));
	}
	if (s->off == start)
		sb_str(s, "none");
}

/* The event's containers, or NULL where nothing resolves them. */
static const struct nst_event_ctr *ctr_of(const struct nst_event *e, const struct nst_fmt *f)
{
	return f->ctr_of ? f->ctr_of(f->ctr_ctx, e) : NULL;
}

/* " (container web1)" after a setns target that is a container's */
static void target_container(struct sb *s, const struct nst_event *e, const struct nst_fmt *f)
{
	const struct nst_event_ctr *c = ctr_of(e, f);
	char label[NST_CTR_NAME_LEN];

	if (!c || c->target_state != NST_CTR_FOUND || !c->target.id[0])
		return;
	sb_str(s, " (container ");
	sb_str(s, nst_ctr_label(&c->target, label, sizeof(label)));
	sb_chr(s, ')');
}

static void target(struct sb *s, const struct nst_event *e, const struct nst_fmt *f)
{
	__u32 mask = 0;

	for (int i = 0; i < NST_NS_COUNT; i++)
		if (e->target[i])
			mask |= 1U << i;
	sb_str(s, e->target_kind == NST_TGT_PIDFD ? "pidfd=" : "fd=");
	sb_i64(s, e->setns_fd);
	switch (e->target_kind) {
	case NST_TGT_NSFS:
		sb_str(s, " target ");
		ns_list(s, e->target, mask);
		target_container(s, e, f);
		break;
	case NST_TGT_PIDFD:
		sb_str(s, " pid=");
		sb_u64(s, e->target_pid);
		sb_str(s, " target ");
		if (mask)
			ns_list(s, e->target, mask);
		else
			sb_str(s, "(exited)");
		target_container(s, e, f);
		break;
	case NST_TGT_BADFD:
		sb_str(s, " (not an open fd)");
		break;
	default:
		sb_str(s, " (not a namespace or pidfd)");
	}
}

static void flags(struct sb *s, const struct nst_event *e)
{
	char buf[512];

	sb_str(s, nst_flags_str(e->kind, e->flags, buf, sizeof(buf)));
}

/* A space, then the changes, when there are any. */
static void and_changes(struct sb *s, const struct nst_event *e)
{
	if (!nst_changed_slots(e))
		return;
	sb_chr(s, ' ');
	changes(s, e);
}

static void detail(struct sb *s, const struct nst_event *e, const struct nst_fmt *f)
{
	switch (e->kind) {
	case NST_K_CLONE:
	case NST_K_CLONE3:
	case NST_K_FORK:
		if (e->kind != NST_K_FORK) {
			flags(s, e);
			if (e->ret < 0)
				break;
			sb_chr(s, ' ');
		}
		sb_str(s, "child=");
		sb_u64(s, e->child_pid);
		and_changes(s, e);
		sb_str(s, " inherited ");
		inherited(s, e);
		break;
	case NST_K_SETNS:
		sb_str(s, "nstype=");
		flags(s, e);
		sb_chr(s, ' ');
		target(s, e, f);
		and_changes(s, e);
		break;
	case NST_K_EXIT:
		sb_str(s, "left ");
		ns_list(s, e->before, nst_task_slots());
		break;
	case NST_K_EXEC:
		if (nst_changed_slots(e))
			changes(s, e);
		else
			sb_str(s, "namespaces unchanged");
		break;
	case NST_K_NS_COST:
		/* target_type 0: the whole of create_new_namespaces; else one copy_*_ns */
		sb_str(s, e->target_type ? "in-kernel creation of " : "create_new_namespaces for ");
		flags(s, e);
		sb_str(s, " took ");
		sb_usec(s, e->lat_ns);
		sb_str(s, " us");
		if (nst_flags_to_slots(e->flags)) {
			sb_str(s, ": ");
			ns_list(s, e->after, nst_flags_to_slots(e->flags));
		}
		break;
	case NST_K_NS_FREE:
		sb_str(s, "freed ");
		ns_list(s, e->target, nst_flags_to_slots(e->flags));
		break;
	default:
		flags(s, e);
		and_changes(s, e);
	}
}

static void detail_text(const struct nst_event *e, const struct nst_fmt *f, char *buf, size_t len)
{
	struct sb s;

	sb_init(&s, buf, len);
	detail(&s, e, f);
}

void nst_event_detail(const struct nst_event *e, const struct nst_fmt *f, char *buf, size_t len)
{
	detail_text(e, f, buf, len);
}

/* Text columns: each fills buf through a string builder. */
#define TEXT_COL(fn, body)                                                                        \
	static void fn(const struct nst_event *e, const struct nst_fmt *f, char *buf, size_t len) \
	{                                                                                         \
		struct sb s;                                                                      \
                                                                                                  \
		sb_init(&s, buf, len);                                                            \
		body;                                                                             \
	}

static void time_of_day(struct sb *s, const struct nst_event *e, const struct nst_fmt *f)
{
	char w[48];

	nst_wall_str(f, e->ts_ns, w, sizeof(w));
	/* HH:MM:SS.mmm is enough on a terminal; JSON has the full stamp */
	sb_mem(s, w + 11, strnlen(w + 11, 12));
}

static void ret_text(struct sb *s, const struct nst_event *e)
{
	/* exit carries the raw wait status: show it as the shell would */
	if (e->kind == NST_K_EXIT && (e->ret & 0x7f)) {
		sb_str(s, "SIG");
		sb_str(s, sigabbrev_np(e->ret & 0x7f) ?: "?");
	} else if (e->kind == NST_K_EXIT) {
		sb_i64(s, (e->ret >> 8) & 0xff);
	} else if (e->ret < 0) {
		sb_str(s, nst_errno_name(e->ret));
	} else {
		sb_i64(s, e->ret);
	}
}

/* The name, else the short id; nothing on the host or when not known yet. */
static void container_text(struct sb *s, const struct nst_event *e, const struct nst_fmt *f)
{
	const struct nst_event_ctr *c = ctr_of(e, f);
	char label[NST_CTR_NAME_LEN];

	if (c && c->state == NST_CTR_FOUND && c->ctr.id[0])
		sb_str(s, nst_ctr_label(&c->ctr, label, sizeof(label)));
}

/* "namespace/name", else the uid */
static void pod_text(struct sb *s, const struct nst_event *e, const struct nst_fmt *f)
{
	const struct nst_event_ctr *c = ctr_of(e, f);

	char label[NST_CTR_NAME_LEN + 64];

	if (c && c->state == NST_CTR_FOUND && c->ctr.pod_uid[0])
		sb_str(s, nst_pod_label(&c->ctr, label, sizeof(label)));
}

static bool has_latency(const struct nst_event *e)
{
	return e->kind != NST_K_FORK && e->kind != NST_K_EXEC && e->kind != NST_K_EXIT &&
	       e->kind != NST_K_SWITCH && e->kind != NST_K_NS_FREE;
}

TEXT_COL(col_time, time_of_day(&s, e, f))
TEXT_COL(col_ts, sb_u64(&s, e->ts_ns))
TEXT_COL(col_pid, sb_u64(&s, e->pid))
TEXT_COL(col_tid, sb_u64(&s, e->tid))
TEXT_COL(col_ppid, sb_u64(&s, e->ppid))
TEXT_COL(col_child, sb_u64(&s, e->child_pid))
TEXT_COL(col_cgroup, sb_u64(&s, e->cgroup_id))
TEXT_COL(col_comm, sb_mem(&s, e->comm, strnlen(e->comm, NST_COMM_LEN)))
TEXT_COL(col_syscall, sb_str(&s, nst_kind_name(e->kind)))
TEXT_COL(col_flags, flags(&s, e))
TEXT_COL(col_ret, ret_text(&s, e))
TEXT_COL(col_lat, has_latency(e) ? sb_usec(&s, e->lat_ns) : sb_chr(&s, '-'))
TEXT_COL(col_target, e->kind == NST_K_SETNS ? target(&s, e, f) : sb_chr(&s, '-'))
TEXT_COL(col_container, container_text(&s, e, f))
TEXT_COL(col_pod, pod_text(&s, e, f))
TEXT_COL(col_changes, nst_changed_slots(e) ? changes(&s, e) : sb_chr(&s, '-'))
TEXT_COL(col_source, sb_str(&s, nst_source_name(e->source)))

/* JSON renderers: each writes exactly one key. */

static void json_wall(struct jw *w, const char *k, const struct nst_event *e,
		      const struct nst_fmt *f)
{
	char buf[48];

	jw_str(w, k, nst_wall_str(f, e->ts_ns, buf, sizeof(buf)));
}

#define JSON_U64(fn, expr)                                                     \
	static void fn(struct jw *w, const char *k, const struct nst_event *e, \
		       const struct nst_fmt *f)                                \
	{                                                                      \
		jw_u64(w, k, (expr));                                          \
	}
JSON_U64(json_ts, e->ts_ns)
JSON_U64(json_pid, e->pid)
JSON_U64(json_tid, e->tid)
JSON_U64(json_ppid, e->ppid)
JSON_U64(json_cgroup, e->cgroup_id)
JSON_U64(json_child, e->child_pid)
JSON_U64(json_lat, e->lat_ns)
JSON_U64(json_flags_raw, e->flags)

static void json_comm(struct jw *w, const char *k, const struct nst_event *e,
		      const struct nst_fmt *f)
{
	jw_strn(w, k, e->comm, NST_COMM_LEN);
}

static void json_syscall(struct jw *w, const char *k, const struct nst_event *e,
			 const struct nst_fmt *f)
{
	jw_str(w, k, nst_kind_name(e->kind));
}

static void json_flags(struct jw *w, const char *k, const struct nst_event *e,
		       const struct nst_fmt *f)
{
	char buf[512];

	jw_str(w, k, nst_flags_str(e->kind, e->flags, buf, sizeof(buf)));
}

static void json_ret(struct jw *w, const char *k, const struct nst_event *e,
		     const struct nst_fmt *f)
{
	jw_i64(w, k, e->ret);
}

static void json_errno(struct jw *w, const char *k, const struct nst_event *e,
		       const struct nst_fmt *f)
{
	jw_str(w, k, nst_errno_name(e->ret));
}

const char *nst_ino_cached(struct nst_ino_cache *c, const __u32 *ino, size_t n,
			   void (*render)(struct sb *s, const __u32 *ino), size_t *len)
{
	size_t bytes = n * sizeof(*ino);
	struct sb s;
	int i;

	for (i = 0; i < 2; i++)
		if (c->slot[i].len && !memcmp(c->slot[i].ino, ino, bytes)) {
			*len = c->slot[i].len;
			return c->slot[i].text;
		}
	i = c->next++ % 2;
	memcpy(c->slot[i].ino, ino, bytes);
	sb_init(&s, c->slot[i].text, sizeof(c->slot[i].text));
	render(&s, ino);
	c->slot[i].len = s.off;
	*len = s.off;
	return c->slot[i].text;
}

static void render_ns_obj(struct sb *s, const __u32 *ino)
{
	struct jw m;

	jw_init(&m, NULL);
	jw_obj_open(&m, NULL);
	for (int i = 0; i < NST_NS_COUNT; i++)
		jw_u64(&m, nst_slot_name(i), ino[i]);
	jw_obj_close(&m);
	sb_mem(s, m.buf, m.len);
}

/* before and after repeat from event to event and are most of an event's JSON */
static void json_ns_obj(struct jw *w, const char *k, const __u32 *ino)
{
	static __thread struct nst_ino_cache cache;
	size_t len;
	const char *text = nst_ino_cached(&cache, ino, NST_NS_COUNT, render_ns_obj, &len);

	jw_raw(w, k, text, len);
}

static void json_before(struct jw *w, const char *k, const struct nst_event *e,
			const struct nst_fmt *f)
{
	json_ns_obj(w, k, e->before);
}

static void json_after(struct jw *w, const char *k, const struct nst_event *e,
		       const struct nst_fmt *f)
{
	json_ns_obj(w, k, e->after);
}

static void json_changed(struct jw *w, const char *k, const struct nst_event *e,
			 const struct nst_fmt *f)
{
	__u32 m = nst_changed_slots(e);

	jw_arr_open(w, k);
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (m & (1U << i))
			jw_str(w, NULL, nst_slot_name(i));
	jw_arr_close(w);
}

/* A string, or null when it is empty (not known). */
static void jw_str_or_null(struct jw *w, const char *k, const char *v)
{
	if (v[0])
		jw_str(w, k, v);
	else
		jw_null(w, k);
}

void nst_json_ctr(struct jw *w, const char *k, const struct nst_ctr_info *i)
{
	if (!i || !i->id[0]) {
		jw_null(w, k);
		return;
	}
	jw_obj_open(w, k);
	jw_str(w, "id", i->id);
	jw_str_or_null(w, "name", i->name);
	jw_str_or_null(w, "runtime", i->runtime);
	jw_str_or_null(w, "image", i->image);
	jw_obj_close(w);
}

void nst_json_pod(struct jw *w, const char *k, const struct nst_ctr_info *i)
{
	if (!i || !i->pod_uid[0]) {
		jw_null(w, k);
		return;
	}
	jw_obj_open(w, k);
	jw_str(w, "uid", i->pod_uid);
	jw_str_or_null(w, "name", i->pod_name);
	jw_str_or_null(w, "namespace", i->pod_namespace);
	jw_obj_close(w);
}

/* target.container: {"id","name"} of the container whose namespaces a setns enters */
static void json_target_container(struct jw *w, const struct nst_event *e, const struct nst_fmt *f)
{
	const struct nst_event_ctr *c = ctr_of(e, f);

	if (!c)
		return;
	if (c->target_state != NST_CTR_FOUND || !c->target.id[0]) {
		jw_null(w, "container");
		return;
	}
	jw_obj_open(w, "container");
	jw_str(w, "id", c->target.id);
	jw_str_or_null(w, "name", c->target.name);
	jw_obj_close(w);
}

static void json_container(struct jw *w, const char *k, const struct nst_event *e,
			   const struct nst_fmt *f)
{
	const struct nst_event_ctr *c = ctr_of(e, f);

	nst_json_ctr(w, k, c && c->state == NST_CTR_FOUND ? &c->ctr : NULL);
}

static void json_pod(struct jw *w, const char *k, const struct nst_event *e,
		     const struct nst_fmt *f)
{
	const struct nst_event_ctr *c = ctr_of(e, f);

	nst_json_pod(w, k, c && c->state == NST_CTR_FOUND ? &c->ctr : NULL);
}

static void json_target(struct jw *w, const char *k, const struct nst_event *e,
			const struct nst_fmt *f)
{
	char buf[256];
	bool freed = e->kind == NST_K_NS_FREE;

	if (e->kind != NST_K_SETNS && !freed) {
		jw_null(w, k);
		return;
	}
	jw_obj_open(w, k);
	/* ns_free: the namespace freed, its type and inode; no fd, no pid */
	if (freed) {
		jw_null(w, "kind");
		jw_null(w, "fd");
	} else {
		jw_str(w, "kind", nst_target_name(e->target_kind));
		jw_i64(w, "fd", e->setns_fd);
	}
	if (freed || e->target_type)
		jw_str(w, "type",
		       nst_flags_str(NST_K_SETNS, freed ? e->flags : e->target_type, buf,
				     sizeof(buf)));
	else
		jw_null(w, "type");
	if (!freed && e->target_kind == NST_TGT_PIDFD)
		jw_u64(w, "pid", e->target_pid);
	else
		jw_null(w, "pid");
	jw_obj_open(w, "ns");
	for (int i = 0; i < NST_NS_COUNT; i++)
		if (e->target[i])
			jw_u64(w, nst_slot_name(i), e->target[i]);
	jw_obj_close(w);
	json_target_container(w, e, f);
	jw_obj_close(w);
}

static void json_source(struct jw *w, const char *k, const struct nst_event *e,
			const struct nst_fmt *f)
{
	jw_str(w, k, nst_source_name(e->source));
}

const struct nst_col nst_cols[] = {
	{ "TIME", "time", "wall-clock time (UTC, RFC 3339 in JSON)", 12, col_time, json_wall },
	{ "TS", "ts_ns", "nanoseconds since boot (CLOCK_BOOTTIME)", 16, col_ts, json_ts },
	{ "PID", "pid", "process id (tgid)", 7, col_pid, json_pid },
	{ "TID", "tid", "thread id", 7, col_tid, json_tid },
	{ "PPID", "ppid", "parent process id", 7, col_ppid, json_ppid },
	{ "COMM", "comm", "command name", -16, col_comm, json_comm },
	{ "CGROUP", "cgroup_id", "cgroup v2 id", 8, col_cgroup, json_cgroup },
	{ "CONTAINER", "container", "container name, else short id; empty on the host", -12,
	  col_container, json_container },
	{ "POD", "pod", "Kubernetes pod: namespace/name, else uid", -20, col_pod, json_pod },
	{ "SYSCALL", "syscall", "clone, clone3, unshare, setns, fork, exec or exit", -7,
	  col_syscall, json_syscall },
	{ "FLAGS", "flags", "clone/unshare flags or setns nstype, decoded", -24, col_flags,
	  json_flags },
	{ "RAWFLAGS", "flags_raw", "the flags as a number", 10, NULL, json_flags_raw },
	{ "RET", "ret", "return value, -errno on failure; exit: the wait status", 7, col_ret,
	  json_ret },
	{ "ERRNO", "errno", "errno name, null on success", -8, NULL, json_errno },
	{ "LAT", "latency_ns", "syscall latency (µs in text, ns in JSON)", 8, col_lat, json_lat },
	{ "CHILD", "child_pid", "the new task of a clone or fork", 7, col_child, json_child },
	{ "TARGET", "target", "setns: the fd's kind and the namespaces it points to", -30,
	  col_target, json_target },
	{ "BEFORE", "before", "every namespace inode before the call", 0, NULL, json_before },
	{ "AFTER", "after", "every namespace inode after (clone: the child's)", 0, NULL,
	  json_after },
	{ "CHANGES", "changed", "what changed, old->new in /proc notation", -40, col_changes,
	  json_changed },
	{ "SOURCE", "source", "tier that produced the event", -10, col_source, json_source },
	{ "DETAIL", NULL, "text only: flags, target and changes, what a person wants to read", 0,
	  detail_text, NULL },
};
const int nst_ncols = sizeof(nst_cols) / sizeof(nst_cols[0]);

bool nst_col_needs_ctr(const struct nst_col *c)
{
	return c->jsonf == json_container || c->jsonf == json_pod;
}

static const char *col_name(int i)
{
	return nst_cols[i].name;
}

static void col_help(FILE *out, int i)
{
	fprintf(out, "  %-9s %-11s %s\n", nst_cols[i].name,
		nst_cols[i].json ? nst_cols[i].json : "(text)", nst_cols[i].help);
}

static const struct col_table col_table = {
	.ncols = sizeof(nst_cols) / sizeof(nst_cols[0]),
	.name = col_name,
	.help = col_help,
	.unknown_hint = " (see --list-columns)",
};

int nst_colset_parse(struct nst_colset *set, const char *list, char *err, size_t errlen)
{
	struct col_choice c = { set->idx, set->n, NST_MAX_COLS };
	int ret = col_parse(&col_table, &c, list, err, errlen);

	set->n = c.n;
	return ret;
}

void nst_colset_default(struct nst_colset *set, bool timestamps, bool containers)
{
	char err[64];

	set->n = 0;
	nst_colset_parse(set, timestamps ? "TIME,PID,PPID,COMM" : "PID,PPID,COMM", err,
			 sizeof(err));
	if (containers)
		nst_colset_parse(set, "+CONTAINER", err, sizeof(err));
	nst_colset_parse(set, "+SYSCALL,RET,LAT,DETAIL", err, sizeof(err));
}

void nst_colset_all_json(struct nst_colset *set, bool containers)
{
	set->n = 0;
	for (int i = 0; i < nst_ncols; i++)
		if (nst_cols[i].json && (containers || !nst_col_needs_ctr(&nst_cols[i])))
			set->idx[set->n++] = i;
}

void nst_print_header(FILE *out, const struct nst_colset *set)
{
	for (int i = 0; i < set->n; i++) {
		const struct nst_col *c = &nst_cols[set->idx[i]];
		const char *h = !strcmp(c->name, "LAT") ? "LAT(us)" : c->name;

		if (i == set->n - 1 && c->width <= 0)
			fprintf(out, "%s", h);
		else
			fprintf(out, "%*s ", c->width, h);
	}
	fputc('\n', out);
}

void nst_print_text(FILE *out, const struct nst_colset *set, const struct nst_event *e,
		    const struct nst_fmt *f)
{
	char buf[1024];

	for (int i = 0; i < set->n; i++) {
		const struct nst_col *c = &nst_cols[set->idx[i]];

		buf[0] = '\0';
		if (c->text)
			c->text(e, f, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "-");
		if (i == set->n - 1 && c->width <= 0)
			fputs(buf, out);
		else
			fprintf(out, "%*s ", c->width, buf);
	}
	fputc('\n', out);
}

void nst_print_json(FILE *out, const struct nst_colset *set, const struct nst_event *e,
		    const struct nst_fmt *f)
{
	struct jw w;

	jw_init(&w, out);
	jw_obj_open(&w, NULL);
	for (int i = 0; i < set->n; i++) {
		const struct nst_col *c = &nst_cols[set->idx[i]];

		if (c->jsonf)
			c->jsonf(&w, c->json, e, f);
	}
	jw_obj_close(&w);
	fputc('\n', out);
}

void nst_print_col_help(FILE *out)
{
	col_print_help(&col_table, out);
}
