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
};

static int load_meta(void *ctx, const struct nst_rec_meta *m)
{
	struct recording *rec = ctx;

	rec->meta = *m;
	rec->fmt.boot_to_wall_ns = m->boot_to_wall_ns;
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
 * slots; not the container columns, which a recording does not store.
 */
static bool csv_column(int i)
{
	return nst_cols[i].text && nst_cols[i].json && !nst_col_needs_ctr(&nst_cols[i]);
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
	struct nst_rec_reader_ops ops = { stream_meta, stream_event, stream_lost };

	nst_colset_all_json(&s.cols, false);
	if (format == FMT_CSV)
		csv_header(stdout);
	return nst_rec_read_file(path, &ops, &s, st, err, errlen);
}

static const char report_usage[] =
	"Usage: nstrace report FILE [--format text|json|csv|chrome|svg]\n"
	"Read a recording made by 'nstrace record'.\n"
	"\n"
	"  -f, --format FMT   text (default): per-namespace lifecycles and per-process\n"
	"                     timelines; json: the events as 'nstrace --json' printed\n"
	"                     them; csv; chrome: Chrome Trace Event JSON for\n"
	"                     ui.perfetto.dev or chrome://tracing; svg: a timeline\n"
	"  -h, --help         this help\n";

static int parse_format(const char *s, enum report_format *f)
{
	static const char *const names[] = { "text", "json", "csv", "chrome", "svg" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
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
	struct recording rec = {};
	struct nst_rec_reader_ops ops = { load_meta, load_event, load_lost };
	int ret = nst_rec_read_file(path, &ops, &rec, &rec.st, err, errlen);

	*st = rec.st;
	if (!ret) {
		if (format == FMT_CHROME)
			ret = report_chrome(&rec, stdout);
		else
			ret = report_svg(&rec, stdout);
	}
	free(rec.ev);
	free(rec.lost);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	static char outbuf[1 << 20];
	static const struct option longopts[] = { { "format", required_argument, NULL, 'f' },
						  { "help", no_argument, NULL, 'h' },
						  {} };
	enum report_format format = FMT_TEXT;
	struct nst_rec_status st;
	char err[512];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(report_usage, stdout);
			return NST_EXIT_OK;
		}
		if (c != 'f' || parse_format(optarg, &format)) {
			if (c != 'f')
				fputs(report_usage, stderr);
			return NST_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		nst_errorf("give exactly one recording file (see 'nstrace report --help')");
		return NST_EXIT_USAGE;
	}
	/* reports run to gigabytes: write them in large pieces (glibc ignores the size without a buffer) */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (format == FMT_JSON || format == FMT_CSV)
		ret = report_stream(argv[optind], format, &st, err, sizeof(err));
	else if (format == FMT_TEXT)
		ret = report_text(argv[optind], stdout, &st, err, sizeof(err));
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
