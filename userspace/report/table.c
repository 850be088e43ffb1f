/* table.c - the terminal verdict table (see writers.h) */
#include <string.h>

#include "report/writers.h"
#include "util/term.h"

#define GAP 2
#define MIN_REASON_W 40	/* narrower than this, a reason is hard to read: long ids yield */
#define DEFAULT_WIDTH 100

static const char *color_of(enum verdict v)
{
	return v == VERDICT_PASS ? "\033[32m" : v == VERDICT_FAIL ? "\033[31m" : "\033[33m";
}

static void put_verdict(FILE *f, enum verdict v, bool color, int width)
{
	if (color)
		fprintf(f, "%s%-*s\033[0m", color_of(v), width, verdict_name(v));
	else
		fprintf(f, "%-*s", width, verdict_name(v));
}

static bool shown(const struct assertion *a, const struct table_opts *o)
{
	return !o->failures_only || a->verdict != VERDICT_PASS;
}

/* The verdict column: as wide as its header or the longest verdict shown (INCONCLUSIVE takes room only when there). */
static int verdict_width(const struct report *r, const struct table_opts *o)
{
	int w = (int)strlen("VERDICT");

	for (size_t k = 0; k < r->n; k++)
		if (shown(&r->a[k], o) && (int)strlen(verdict_name(r->a[k].verdict)) > w)
			w = (int)strlen(verdict_name(r->a[k].verdict));
	return w;
}

void report_write_table(FILE *f, const struct report *r, const struct table_opts *o)
{
	int width = o->width > 0 ? o->width : DEFAULT_WIDTH, vw = verdict_width(r, o);
	int max_id = width - vw - 2 * GAP - MIN_REASON_W, w = (int)strlen("ASSERTION"), col;
	size_t p, fl, i, n_shown = 0, n_gamma = 0;

	for (size_t k = 0; k < r->n; k++) {
		int len = (int)strlen(r->a[k].id);

		n_shown += shown(&r->a[k], o);
		if (shown(&r->a[k], o) && len > w && len <= max_id)
			w = len;
	}
	col = vw + GAP + w + GAP;
	if (n_shown)
		fprintf(f, "%-*s%*s%-*s%*s%s\n", vw, "VERDICT", GAP, "", w, "ASSERTION", GAP, "", "REASON");
	for (size_t k = 0; k < r->n; k++) {
		const struct assertion *a = &r->a[k];

		if (!shown(a, o))
			continue;
		put_verdict(f, a->verdict, o->color, vw);
		if ((int)strlen(a->id) > w) {
			/* The id takes the line; its reason follows on the next ones, in the reason column. */
			fprintf(f, "%*s%s\n%*s", GAP, "", a->id, col, "");
		} else {
			fprintf(f, "%*s%-*s%*s", GAP, "", w, a->id, GAP, "");
		}
		term_put_wrapped(f, a->reason, col, width - col);
	}
	report_count(r, &p, &fl, &i);
	for (size_t k = 0; k < r->n; k++)
		n_gamma += !strcmp(report_category(r->a[k].smispec), "GAMMA");
	fprintf(f, "%s%zu assertions", n_shown ? "\n" : "", r->n);
	/* Gateway API mesh assertions say so; with SMI ones beside them, how many of each. */
	if (n_gamma == r->n && n_gamma)
		fprintf(f, " (GAMMA)");
	else if (n_gamma)
		fprintf(f, " (SMI %zu, GAMMA %zu)", r->n - n_gamma, n_gamma);
	fprintf(f, ": %zu PASS, %zu FAIL, %zu INCONCLUSIVE -> ", p, fl, i);
	put_verdict(f, report_verdict(r), o->color, 0);
	fprintf(f, "%s%s\n", *r->mesh ? " for mesh " : "", r->mesh);
}
