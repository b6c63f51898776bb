// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * nstrace bench --svg: a self-contained picture. Left, each type's creation
 * latency distribution on a log axis (bar p50-p90, whisker to p99, dot at
 * max); right, creations per second against the number of workers.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "bench.h"
#include "cli.h"

#define W 960
#define ROW 28
#define LX 90 /* left panel: x of the axis */
#define LW 380 /* left panel: width */
#define RX 580 /* right panel */
#define RW 340

static const char *const palette[] = { "#888888", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
				       "#9467bd", "#8c564b", "#e377c2", "#17becf" };

static double log_x(double us, double lo, double hi)
{
	return LX + LW * (log10(us) - log10(lo)) / (log10(hi) - log10(lo));
}

static void latency_bounds(const struct bench_run *r, double *lo, double *hi)
{
	*lo = 1e9;
	*hi = 0;
	for (int i = 0; i < r->nres; i++) {
		const struct bench_result *x = &r->res[i];

		if (x->skipped || isnan(x->wall.p50))
			continue;
		*lo = fmin(*lo, x->wall.p50);
		*hi = fmax(*hi, x->wall.max);
	}
	/* whole decades, so the gridlines are 1, 10, 100 ... us */
	*lo = pow(10, floor(log10(*lo > 0 && *lo < 1e9 ? *lo : 1)));
	*hi = pow(10, ceil(log10(*hi > *lo ? *hi : *lo * 10)));
}

static void latency_panel(FILE *f, const struct bench_run *r, int top)
{
	double lo, hi;

	latency_bounds(r, &lo, &hi);
	fprintf(f, "<text x='%d' y='%d' class='h'>creation latency (us, log scale)</text>\n", LX,
		top - 12);
	/* lo and hi are whole decades: count them rather than step a double */
	for (long k = 0, decades = lround(log10(hi / lo)); k <= decades; k++) {
		double d = lo * pow(10, k);

		fprintf(f,
			"<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' class='g'/>"
			"<text x='%.1f' y='%d' class='t' text-anchor='middle'>%g</text>\n",
			log_x(d, lo, hi), top, log_x(d, lo, hi), top + ROW * r->nres,
			log_x(d, lo, hi), top + ROW * r->nres + 14, d);
	}
	for (int i = 0; i < r->nres; i++) {
		const struct bench_result *x = &r->res[i];
		int y = top + ROW * i + ROW / 2;
		const char *c = palette[i % 9];

		fprintf(f, "<text x='%d' y='%d' class='t' text-anchor='end'>%s</text>\n", LX - 8,
			y + 4, x->name);
		if (x->skipped || isnan(x->wall.p50)) {
			fprintf(f, "<text x='%d' y='%d' class='t'>skipped: %s</text>\n", LX + 4,
				y + 4, x->skipped ? x->reason : "no data");
			continue;
		}
		fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s'/>\n",
			log_x(x->wall.p50, lo, hi), y, log_x(x->wall.p99, lo, hi), y, c);
		fprintf(f,
			"<rect x='%.1f' y='%d' width='%.1f' height='12' fill='%s'>"
			"<title>%s: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f us</title></rect>\n",
			log_x(x->wall.p50, lo, hi), y - 6,
			fmax(1, log_x(x->wall.p90, lo, hi) - log_x(x->wall.p50, lo, hi)), c,
			x->name, x->wall.p50, x->wall.p90, x->wall.p99, x->wall.max);
		fprintf(f, "<circle cx='%.1f' cy='%d' r='3' fill='none' stroke='%s'/>\n",
			log_x(x->wall.max, lo, hi), y, c);
		fprintf(f, "<text x='%d' y='%d' class='t'>%.1f</text>\n", LX + LW + 6, y + 4,
			x->wall.p50);
	}
}

static void scaling_panel(FILE *f, const struct bench_run *r, int top, int height)
{
	double ymax = 1;
	int jmax = r->jobs[r->njobs - 1] > 1 ? r->jobs[r->njobs - 1] : 2;

	for (int i = 0; i < r->nres; i++)
		for (int j = 0; j < r->njobs; j++)
			if (!r->res[i].skipped)
				ymax = fmax(ymax, r->res[i].rate[j]);
	fprintf(f, "<text x='%d' y='%d' class='h'>creations per second vs workers (-j)</text>\n",
		RX, top - 12);
	fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' class='frame'/>\n", RX, top, RW,
		height);
	fprintf(f, "<text x='%d' y='%d' class='t'>%.0f/s</text>\n", RX + 4, top + 12, ymax);
	for (int i = 0; i < r->nres; i++) {
		const struct bench_result *x = &r->res[i];

		if (x->skipped)
			continue;
		fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2' points='",
			palette[i % 9]);
		for (int j = 0; j < r->njobs; j++)
			fprintf(f, "%.1f,%.1f ", RX + RW * (r->jobs[j] - 1.0) / (jmax - 1),
				top + height - height * x->rate[j] / ymax);
		fprintf(f, "'><title>%s</title></polyline>\n", x->name);
		fprintf(f, "<text x='%d' y='%d' class='t' fill='%s'>%s</text>\n", RX + RW + 6,
			top + 14 * (i + 1), palette[i % 9], x->name);
	}
	fprintf(f,
		"<text x='%d' y='%d' class='t'>1</text><text x='%d' y='%d' class='t' "
		"text-anchor='end'>%d workers</text>\n",
		RX, top + height + 14, RX + RW, top + height + 14, jmax);
}

int bench_write_svg(const struct bench_run *r, const char *path)
{
	int top = 70, height = ROW * r->nres;
	FILE *f = fopen(path, "we");

	if (!f) {
		nst_errorf("failed to open %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f,
		"<?xml version='1.0' encoding='UTF-8'?>\n"
		"<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
		"font-family='sans-serif' font-size='12'>\n"
		"<style>.h{font-weight:bold}.t{fill:#333}.g{stroke:#ddd}"
		".frame{fill:none;stroke:#aaa}</style>\n"
		"<rect width='100%%' height='100%%' fill='white'/>\n",
		W, top + height + 50);
	fprintf(f,
		"<text x='10' y='22' class='h'>nstrace bench: %s mode, %d iterations, "
		"kernel %s, %d CPUs</text>\n",
		r->mode, r->n, r->env.kernel, r->env.ncpus);
	latency_panel(f, r, top);
	scaling_panel(f, r, top, height);
	fprintf(f, "</svg>\n");
	if (fclose(f)) {
		nst_errorf("failed to write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
