// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace report FILE [--format text|json|csv|chrome|svg]. json, csv and
 * text stream the file; chrome and svg load it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cmds.h"
#include "grow.h"
#include "json.h"
#include "report.h"
#include "strbuf.h"

enum report_format { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_CHROME, FMT_SVG };

struct stream_ctx {
	struct nst_fmt fmt;
	struct nst_colset cols;
	enum report_format format;
	FILE *out;
	struct rec_idents ids;
	bool containers; /* the file records them (format 4): their columns are there */
};

static int load_meta(void *ctx, const struct nst_rec_meta *m)
{
	struct recording *rec = ctx;

	rec->meta = *m;
	rec->fmt.boot_to_wall_ns = m->boot_to_wall_ns;
	rec_idents_fmt(rec->ids, &rec->fmt);
	return 0;
}

static int load_event(void *ctx, const struct nst_event *e)
{
	struct recording *rec = ctx;

	if (nst_grow((void **)&rec->ev, &rec->cap, rec->n + 1, sizeof(*e), 4096))
		return 1;
	rec->ev[rec->n++] = *e;
	return 0;
}

static int load_lost(void *ctx, __u64 ts, __u64 total)
{
	struct recording *rec = ctx;

	if (nst_grow((void **)&rec->lost, &rec->lost_cap, rec->nlost + 1, sizeof(*rec->lost), 4096))
		return 1;
	rec->lost[rec->nlost++] = (struct lost_mark){ ts, total };
	return 0;
}

static int stream_meta(void *ctx, const struct nst_rec_meta *m)
{
	struct stream_ctx *s = ctx;

	s->fmt.boot_to_wall_ns = m->boot_to_wall_ns;
	return 0;
}

static void csv_field(struct sb *line, const char *s, bool last)
{
	if (strpbrk(s, ",\"\n")) {
		sb_chr(line, '"');
		for (; *s; s++) {
			if (*s == '"')
				sb_chr(line, '"');
			sb_chr(line, *s);
		}
		sb_chr(line, '"');
	} else {
		sb_str(line, s);
	}
	sb_chr(line, last ? '\n' : ',');
}

/*
 * CSV: the text rendering of every column that has one, plus the inode
 * slots; the container columns when the recording stores containers.
 */
static bool csv_containers;

static bool csv_column(int i)
{
	return nst_cols[i].text && nst_cols[i].json &&
	       (csv_containers || !nst_col_needs_ctr(&nst_cols[i]));
}

static void csv_header(FILE *out)
{
	for (int i = 0; i < nst_ncols; i++)
		if (csv_column(i))
			fprintf(out, "%s,", nst_cols[i].json);
	for (int i = 0; i < NST_NS_COUNT; i++)
		fprintf(out, "before_%s,", nst_slot_name(i));
	for (int i = 0; i < NST_NS_COUNT; i++)
		fprintf(out, "after_%s%c", nst_slot_name(i), i == NST_NS_COUNT - 1 ? '\n' : ',');
}

/* before[] then after[] */
static void csv_inodes(struct sb *s, const __u32 *ino)
{
	for (int i = 0; i < 2 * NST_NS_COUNT; i++) {
		sb_u64(s, ino[i]);
		sb_chr(s, i == 2 * NST_NS_COUNT - 1 ? '\n' : ',');
	}
}

/* One line built in memory, written at once. */
static void csv_event(FILE *out, const struct nst_event *e, const struct nst_fmt *f)
{
	static struct nst_ino_cache csv_inos;
	char buf[1024], text[8192];
	__u32 both[2 * NST_NS_COUNT];
	const char *ino;
	struct sb line;
	size_t len;

	sb_init(&line, text, sizeof(text));
	for (int i = 0; i < nst_ncols; i++) {
		if (!csv_column(i))
			continue;
		nst_cols[i].text(e, f, buf, sizeof(buf));
		csv_field(&line, buf, false);
	}
	memcpy(both, e->before, sizeof(e->before));
	memcpy(both + NST_NS_COUNT, e->after, sizeof(e->after));
	ino = nst_ino_cached(&csv_inos, both, (size_t)2 * NST_NS_COUNT, csv_inodes, &len);
	sb_mem(&line, ino, len);
	fwrite(text, 1, line.off, out);
}

static int stream_event(void *ctx, const struct nst_event *e)
{
	struct stream_ctx *s = ctx;

	if (s->format == FMT_JSON)
		nst_print_json(s->out, &s->cols, e, &s->fmt);
	else
		csv_event(s->out, e, &s->fmt);
	return ferror(s->out) ? 1 : 0;
}

/* Lost events are their own JSON object kind: {"lost_total": N, ...}. */
static int stream_lost(void *ctx, __u64 ts, __u64 total)
{
	struct stream_ctx *s = ctx;
	char wall[48];
	struct jw w;

	if (s->format != FMT_JSON)
		return 0;
	jw_init(&w, s->out);
	jw_obj_open(&w, NULL);
	jw_str(&w, "time", nst_wall_str(&s->fmt, ts, wall, sizeof(wall)));
	jw_u64(&w, "ts_ns", ts);
	jw_u64(&w, "lost_total", total);
	jw_obj_close(&w);
	fputc('\n', s->out);
	return 0;
}

static int report_stream(const char *path, enum report_format format, struct nst_rec_status *st,
			 char *err, size_t errlen)
{
	struct stream_ctx s = { .format = format, .out = stdout };
	struct nst_rec_reader_ops ops = { .meta = stream_meta,
					  .event = stream_event,
					  .lost = stream_lost };
	int ret;

	/* the containers first: an event recorded before its name was known gets it */
	if (rec_idents_load(&s.ids, path, err, errlen))
		return -1;
	rec_idents_fmt(&s.ids, &s.fmt);
	s.containers = s.ids.version >= 4;
	csv_containers = s.containers;
	nst_colset_all_json(&s.cols, s.containers);
	if (format == FMT_CSV)
		csv_header(stdout);
	ret = nst_rec_read_file(path, &ops, &s, st, err, errlen);
	rec_idents_free(&s.ids);
	return ret;
}

struct group_ctx {
	struct rec_idents ids;
	struct rec_groups g;
	bool failed;
};

static int group_event(void *ctx, const struct nst_event *e)
{
	struct group_ctx *c = ctx;

	if (rec_groups_event(&c->g, e)) {
		c->failed = true;
		return 1;
	}
	return 0;
}

/* --format json --group-by: one object per container (or pod), most events first. */
static int report_groups_json(const char *path, enum rec_group_by by, struct nst_rec_status *st,
			      char *err, size_t errlen)
{
	struct nst_rec_reader_ops ops = { .event = group_event };
	struct group_ctx c = {};
	int ret = rec_idents_load(&c.ids, path, err, errlen);

	if (ret)
		return ret;
	rec_groups_init(&c.g, &c.ids, by);
	ret = nst_rec_read_file(path, &ops, &c, st, err, errlen);
	if (!ret && c.failed) {
		snprintf(err, errlen, "failed to group the events: out of memory");
		ret = -1;
	}
	if (!ret && c.ids.version < 4) {
		snprintf(err, errlen,
			 "%s is a format %u recording, which stores no containers: record it again "
			 "to group by container or pod",
			 path, c.ids.version);
		ret = -1;
	}
	if (!ret) {
		rec_groups_sort(&c.g);
		rec_groups_json(&c.g, stdout);
	}
	rec_groups_free(&c.g);
	rec_idents_free(&c.ids);
	return ret;
}

static const char report_usage[] =
	"Usage: nstrace report FILE [--format text|json|csv|chrome|svg] [--group-by "
	"container|pod]\n"
	"Read a recording made by 'nstrace record'.\n"
	"\n"
	"  -f, --format FMT   text (default): the containers, per-namespace lifecycles\n"
	"                     and per-process timelines; json: the events as\n"
	"                     'nstrace --json' printed them; csv; chrome: Chrome Trace\n"
	"                     Event JSON for ui.perfetto.dev or chrome://tracing; svg:\n"
	"                     a timeline\n"
	"  -g, --group-by BY  container or pod: text: the summary by BY and the process\n"
	"                     timelines under their container's (pod's) heading; json:\n"
	"                     one object per container (pod) instead of the events\n"
	"  -h, --help         this help\n"
	"\n"
	"Examples:\n"
	"  nstrace report web.nst\n"
	"  nstrace report web.nst --group-by pod\n"
	"  nstrace report web.nst -f json --group-by container | jq .\n";

static int parse_group_by(const char *s, enum rec_group_by *by)
{
	if (!strcmp(s, "container"))
		*by = REC_BY_CONTAINER;
	else if (!strcmp(s, "pod"))
		*by = REC_BY_POD;
	else {
		nst_errorf("unknown --group-by '%s' (valid: container, pod)", s);
		return -1;
	}
	return 0;
}

static const char *const format_names[] = { "text", "json", "csv", "chrome", "svg" };

static const char *argv_format(enum report_format f)
{
	return format_names[f];
}

static int parse_format(const char *s, enum report_format *f)
{
	const char *const *names = format_names;

	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(s, names[i])) {
			*f = i;
			return 0;
		}
	nst_errorf("unknown format '%s' (valid: text, json, csv, chrome, svg)", s);
	return -1;
}

static int render_loaded(const char *path, enum report_format format, struct nst_rec_status *st,
			 char *err, size_t errlen)
{
	struct rec_idents ids;
	struct recording rec = { .ids = &ids };
	struct nst_rec_reader_ops ops = { .meta = load_meta,
					  .event = load_event,
					  .lost = load_lost };
	int ret = rec_idents_load(&ids, path, err, errlen);

	if (ret)
		return ret;
	ret = nst_rec_read_file(path, &ops, &rec, &rec.st, err, errlen);

	*st = rec.st;
	if (!ret) {
		if (format == FMT_CHROME)
			ret = report_chrome(&rec, stdout);
		else
			ret = report_svg(&rec, stdout);
	}
	free(rec.ev);
	free(rec.lost);
	rec_idents_free(&ids);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	static char outbuf[1 << 20];
	static const struct option longopts[] = { { "format", required_argument, NULL, 'f' },
						  { "group-by", required_argument, NULL, 'g' },
						  { "help", no_argument, NULL, 'h' },
						  {} };
	enum report_format format = FMT_TEXT;
	enum rec_group_by by = REC_BY_NONE;
	struct nst_rec_status st;
	char err[512];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:g:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(report_usage, stdout);
			return NST_EXIT_OK;
		}
		if (c == 'g' && !parse_group_by(optarg, &by))
			continue;
		if (c != 'f' || parse_format(optarg, &format)) {
			if (c != 'f' && c != 'g')
				fputs(report_usage, stderr);
			return NST_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		nst_errorf("give exactly one recording file (see 'nstrace report --help')");
		return NST_EXIT_USAGE;
	}
	if (by != REC_BY_NONE && format != FMT_TEXT && format != FMT_JSON) {
		nst_errorf("--group-by works with --format text or json, not %s",
			   argv_format(format));
		return NST_EXIT_USAGE;
	}
	/* reports run to gigabytes: write them in large pieces (glibc ignores the size without a buffer) */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (format == FMT_JSON && by != REC_BY_NONE)
		ret = report_groups_json(argv[optind], by, &st, err, sizeof(err));
	else if (format == FMT_JSON || format == FMT_CSV)
		ret = report_stream(argv[optind], format, &st, err, sizeof(err));
	else if (format == FMT_TEXT)
		ret = report_text(argv[optind], by, stdout, &st, err, sizeof(err));
	else
		ret = render_loaded(argv[optind], format, &st, err, sizeof(err));
	if (nst_finish_stdout())
		return NST_EXIT_FAIL;
	if (ret) {
		nst_errorf("%s", err);
		return NST_EXIT_USAGE;
	}
	if (st.damaged)
		nst_warnf("warning: %s", st.warning);
	return NST_EXIT_OK;
}
