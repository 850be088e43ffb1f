/* svg.c - the split chart: observed shares with intervals against expected (see writers.h) */
#include <string.h>

#include "report/writers.h"

#define WIDTH	640
#define LEFT	130	/* backend names */
#define PLOT	480	/* 0..100% */
#define TOP	62
#define ROW	46	/* bar, whisker and expected mark, then a caption line */

static const char *verdict_color(enum verdict v)
{
	return v == VERDICT_PASS ? "#2e7d32" : v == VERDICT_FAIL ? "#c62828" : "#b07d00";
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

static void row(FILE *f, size_t i, json_t *b, const char *color)
{
	double y = TOP + ROW * (double)i, expected = json_number_value(json_object_get(b, "expected"));
	json_t *share = json_object_get(b, "share"), *ci = json_object_get(b, "ci");
	double lo = json_number_value(json_array_get(ci, 0)), hi = json_number_value(json_array_get(ci, 1));

	fprintf(f, "  <text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", LEFT - 8, y + 15);
	xml_puts(f, json_string_value(json_object_get(b, "service")));
	fputs("</text>\n", f);
	if (json_is_number(share)) {
		double s = json_number_value(share);

		fprintf(f, "  <rect x=\"%d\" y=\"%.1f\" width=\"%.2f\" height=\"14\" fill=\"%s\" fill-opacity=\"0.55\"/>\n",
			LEFT, y + 4, x_of(s) - LEFT, color);
		fprintf(f, "  <path d=\"M%.2f %.1fH%.2fM%.2f %.1fV%.1fM%.2f %.1fV%.1f\" stroke=\"#111\" stroke-width=\"1.5\" fill=\"none\"/>\n",
			x_of(lo), y + 11, x_of(hi), x_of(lo), y + 6, y + 16, x_of(hi), y + 6, y + 16);
		fprintf(f, "  <text x=\"%d\" y=\"%.1f\" font-size=\"11\" fill=\"#333\">observed %.1f%% [%.1f, %.1f], n=%lld; expected %.1f%%</text>\n",
			LEFT, y + 33, 100 * s, 100 * lo, 100 * hi,
			(long long)json_integer_value(json_object_get(b, "observed")), 100 * expected);
	} else {
		fprintf(f, "  <text x=\"%d\" y=\"%.1f\" font-size=\"11\" fill=\"#333\">no requests; expected %.1f%%</text>\n",
			LEFT, y + 33, 100 * expected);
	}
	fprintf(f, "  <line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" stroke=\"#111\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>\n",
		x_of(expected), y + 1, x_of(expected), y + 21);
}

void report_write_split_svg(FILE *f, const struct assertion *a)
{
	json_t *backends = json_object_get(a->evidence, "backends");
	size_t k = json_array_size(backends);
	double ci = json_number_value(json_object_get(a->evidence, "ci_level"));
	json_t *pv = json_object_get(a->evidence, "p_value");
	int height = TOP + ROW * (int)k + 48;
	const char *color = verdict_color(a->verdict);

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
		" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n", WIDTH, height, WIDTH, height);
	fputs("  <title>", f);
	xml_puts(f, a->id);
	fprintf(f, ": %s</title>\n  <rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", verdict_name(a->verdict),
		WIDTH, height);
	fputs("  <text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">", f);
	xml_puts(f, a->id);
	fprintf(f, "</text>\n  <text x=\"10\" y=\"38\" fill=\"%s\" font-weight=\"bold\">%s", color,
		verdict_name(a->verdict));
	if (json_is_number(pv))
		fprintf(f, " <tspan fill=\"#333\" font-weight=\"normal\">p = %.3g, n = %lld, test: %s</tspan>",
			json_number_value(pv), (long long)json_integer_value(json_object_get(a->evidence, "counted")),
			json_string_value(json_object_get(a->evidence, "test")) ?: "?");
	fputs("</text>\n", f);
	for (int t = 0; t <= 4; t++) {
		double x = x_of(t / 4.0);

		fprintf(f, "  <line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x, TOP - 4, x,
			TOP + ROW * (int)k);
		fprintf(f, "  <text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%d%%</text>\n", x,
			TOP + ROW * (int)k + 14, t * 25);
	}
	for (size_t i = 0; i < k; i++)
		row(f, i, json_array_get(backends, i), color);
	fprintf(f, "  <text x=\"10\" y=\"%d\" fill=\"#555\">bar: observed share; whisker: %.1f%% Clopper-Pearson interval;"
		" dashed: expected share</text>\n</svg>\n", height - 10, 100 * ci);
}
