/* table.c - the terminal verdict table (see writers.h) */
#include <string.h>

#include "report/writers.h"

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

void report_write_table(FILE *f, const struct report *r, bool color)
{
	int w = (int)strlen("ASSERTION");
	size_t p, fl, i;

	for (size_t k = 0; k < r->n; k++)
		if ((int)strlen(r->a[k].id) > w)
			w = (int)strlen(r->a[k].id);
	if (w > 72)
		w = 72;
	fprintf(f, "%-12s  %-*s  %s\n", "VERDICT", w, "ASSERTION", "REASON");
	for (size_t k = 0; k < r->n; k++) {
		put_verdict(f, r->a[k].verdict, color, 12);
		fprintf(f, "  %-*s  %s\n", w, r->a[k].id, r->a[k].reason);
	}
	report_count(r, &p, &fl, &i);
	fprintf(f, "\n%zu assertions: %zu PASS, %zu FAIL, %zu INCONCLUSIVE -> ", r->n, p, fl, i);
	put_verdict(f, report_verdict(r), color, 0);
	fprintf(f, "%s%s\n", *r->mesh ? " for mesh " : "", r->mesh);
}
