/*
 * svg.c - the split chart (see writers.h). Every bar is a share of one
 * denominator, the requests delivered to any workload, so the bars add up
 * to 100%: weight-0 backends and requests served outside the split
 * included. Each bar has the Clopper-Pearson interval of its own share and
 * its own colour: green when that interval holds the expected share, red
 * when it does not. The verdict, which weighs all backends together, is in
 * the heading; a backend that got its share stays green in a failed split.
 */
#include <string.h>

#include "report/writers.h"
#include "stats/stats.h"

#define WIDTH	680
#define LEFT	150	/* backend names */
#define PLOT	480	/* 0..100% */
#define TOP	62
#define ROW	46	/* bar, whisker and expected mark, then a caption line */

#define GREEN	"#2e7d32"
#define RED	"#c62828"
#define AMBER	"#b07d00"

static const char *verdict_color(enum verdict v)
{
	return v == VERDICT_PASS ? GREEN : v == VERDICT_FAIL ? RED : AMBER;
}

bool report_has_chart(const struct assertion *a)
{
	return !strcmp(a->kind, "split") && json_array_size(json_object_get(a->evidence, "backends")) > 0;
}

static double x_of(double share)
{
	if (share < 0)
		share = 0;
	if (share > 1)
		share = 1;
	return LEFT + PLOT * share;
}

/* One bar: `observed` of `delivered` against `expected`, at confidence `level`. */
struct bar {
	const char *name;
	long long observed, delivered;
	double expected, level;
};

static void row(FILE *f, size_t i, const struct bar *b)
{
	double y = TOP + ROW * (double)i, s, lo = 0, hi = 1;
	const char *color;

	fprintf(f, "  <text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", LEFT - 8, y + 15);
	xml_puts(f, b->name);
	fputs("</text>\n", f);
	if (b->delivered > 0) {
		s = (double)b->observed / (double)b->delivered;
		stats_clopper_pearson((uint64_t)b->observed, (uint64_t)b->delivered, b->level, &lo, &hi);
		color = b->expected >= lo && b->expected <= hi ? GREEN : RED;
		fprintf(f, "  <rect x=\"%d\" y=\"%.1f\" width=\"%.2f\" height=\"14\" fill=\"%s\" fill-opacity=\"0.6\"/>\n",
			LEFT, y + 4, x_of(s) - LEFT, color);
		fprintf(f, "  <path d=\"M%.2f %.1fH%.2fM%.2f %.1fV%.1fM%.2f %.1fV%.1f\" stroke=\"#111\" stroke-width=\"1.5\" fill=\"none\"/>\n",
			x_of(lo), y + 11, x_of(hi), x_of(lo), y + 6, y + 16, x_of(hi), y + 6, y + 16);
		fprintf(f, "  <text x=\"%d\" y=\"%.1f\" font-size=\"11\" fill=\"%s\">observed %.1f%% [%.1f, %.1f], %lld of %lld;"
			" expected %.1f%%</text>\n", LEFT, y + 33, color, 100 * s, 100 * lo, 100 * hi, b->observed,
			b->delivered, 100 * b->expected);
	} else {
		fprintf(f, "  <text x=\"%d\" y=\"%.1f\" font-size=\"11\" fill=\"#333\">no request delivered; expected %.1f%%</text>\n",
			LEFT, y + 33, 100 * b->expected);
	}
	fprintf(f, "  <line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" stroke=\"#111\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>\n",
		x_of(b->expected), y + 1, x_of(b->expected), y + 21);
}

static void heading(FILE *f, const char *mesh, const struct assertion *a, int height)
{
	json_t *pv = json_object_get(a->evidence, "p_value");

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
		" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n  <title>", WIDTH, height, WIDTH, height);
	if (*mesh) {
		xml_puts(f, mesh);
		fputs(": ", f);
	}
	xml_puts(f, a->id);
	fprintf(f, ": %s</title>\n  <rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", verdict_name(a->verdict),
		WIDTH, height);
	fputs("  <text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">", f);
	if (*mesh) {
		xml_puts(f, mesh);
		fputs(": ", f);
	}
	xml_puts(f, a->id);
	fprintf(f, "</text>\n  <text x=\"10\" y=\"38\" fill=\"%s\" font-weight=\"bold\">%s", verdict_color(a->verdict),
		verdict_name(a->verdict));
	fprintf(f, " <tspan fill=\"#333\" font-weight=\"normal\">test: %s",
		json_string_value(json_object_get(a->evidence, "test")) ?: "?");
	if (json_is_number(pv))
		fprintf(f, ", p = %.3g over the %lld requests of weight &gt; 0 backends", json_number_value(pv),
			(long long)json_integer_value(json_object_get(a->evidence, "counted")));
	fputs("</tspan></text>\n", f);
}

/* The bars: every backend, then the requests served outside the split when there were any. */
static size_t bars(const struct assertion *a, struct bar *out, size_t max)
{
	json_t *ev = a->evidence, *backends = json_object_get(ev, "backends"), *b;
	long long delivered = (long long)json_integer_value(json_object_get(ev, "delivered"));
	long long outside = (long long)json_integer_value(json_object_get(json_object_get(ev, "elsewhere"), "total"));
	double level = json_number_value(json_object_get(ev, "ci_level"));
	size_t n = 0, i;

	json_array_foreach(backends, i, b) {
		if (n == max)
			break;
		out[n++] = (struct bar){ .name = json_string_value(json_object_get(b, "service")) ?: "?",
			.observed = (long long)json_integer_value(json_object_get(b, "observed")),
			.delivered = delivered, .expected = json_number_value(json_object_get(b, "expected")),
			.level = level };
	}
	if (outside > 0 && n < max)
		out[n++] = (struct bar){ .name = "outside the split", .observed = outside, .delivered = delivered,
					 .expected = 0, .level = level };
	return n;
}

void report_write_split_svg(FILE *f, const char *mesh, const struct assertion *a)
{
	struct bar b[33];
	size_t k = bars(a, b, sizeof(b) / sizeof(b[0]));
	double level = json_number_value(json_object_get(a->evidence, "ci_level"));
	int height = TOP + ROW * (int)k + 62;

	heading(f, mesh ? mesh : "", a, height);
	for (int t = 0; t <= 4; t++) {
		double x = x_of(t / 4.0);

		fprintf(f, "  <line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, TOP - 4, x,
			TOP + ROW * (int)k);
		fprintf(f, "  <text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%d%%</text>\n", x,
			TOP + ROW * (int)k + 14, t * 25);
	}
	for (size_t i = 0; i < k; i++)
		row(f, i, &b[i]);
	fprintf(f, "  <text x=\"10\" y=\"%d\" font-size=\"11\" fill=\"#555\">bars: shares of the %lld delivered requests;"
		" whisker: %.1f%% Clopper-Pearson interval; dashed: expected share</text>\n", height - 24,
		k ? b[0].delivered : 0LL, 100 * level);
	fprintf(f, "  <text x=\"10\" y=\"%d\" font-size=\"11\" fill=\"#555\">green: the bar's interval holds its expected"
		" share; red: it does not</text>\n</svg>\n", height - 10);
}
