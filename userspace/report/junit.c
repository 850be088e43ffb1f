/* junit.c - JUnit XML (see writers.h) */
#include <stdlib.h>
#include <string.h>

#include "report/writers.h"

static void counts(const struct report *r, const char *scenario, size_t *n, size_t *fail,
		   size_t *err, double *time)
{
	*n = *fail = *err = 0;
	*time = 0;
	for (size_t k = 0; k < r->n; k++) {
		if (scenario && strcmp(r->a[k].scenario, scenario))
			continue;
		(*n)++;
		*fail += r->a[k].verdict == VERDICT_FAIL;
		*err += r->a[k].verdict == VERDICT_INCONCLUSIVE;
		*time += r->a[k].duration_s;
	}
}

static void testcase(FILE *f, const struct assertion *a)
{
	char *ev;

	fputs("    <testcase classname=\"", f);
	xml_puts(f, a->scenario);
	fputc('.', f);
	xml_puts(f, a->step);
	fputs("\" name=\"", f);
	xml_puts(f, a->traffic);
	fputc('/', f);
	xml_puts(f, a->kind);
	fprintf(f, "\" time=\"%.3f\"", a->duration_s);
	if (a->verdict == VERDICT_PASS) {
		fputs("/>\n", f);
		return;
	}
	/* INCONCLUSIVE is neither a pass nor a failure of the mesh: JUnit's "error". */
	fprintf(f, ">\n      <%s type=\"%s\" message=\"", a->verdict == VERDICT_FAIL ? "failure" : "error",
		verdict_name(a->verdict));
	xml_puts(f, a->reason);
	fputs("\">", f);
	ev = json_dumps(a->evidence, JSON_COMPACT | JSON_REAL_PRECISION(10));
	xml_puts(f, ev);
	free(ev);
	fprintf(f, "</%s>\n    </testcase>\n", a->verdict == VERDICT_FAIL ? "failure" : "error");
}

void report_write_junit(FILE *f, const struct report *r)
{
	size_t n, fail, err;
	double time;

	counts(r, NULL, &n, &fail, &err, &time);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"smi-witness\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
		n, fail, err, time);
	for (size_t k = 0; k < r->n; k++) {
		const char *sc = r->a[k].scenario;
		bool first = true;

		for (size_t j = 0; j < k && first; j++)
			first = strcmp(r->a[j].scenario, sc) != 0;
		if (!first)
			continue;
		counts(r, sc, &n, &fail, &err, &time);
		fputs("  <testsuite name=\"", f);
		xml_puts(f, sc);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\""
			" timestamp=\"", n, fail, err, time);
		xml_puts(f, r->generated);
		fputs("\">\n    <properties>\n      <property name=\"mesh\" value=\"", f);
		xml_puts(f, r->mesh);
		fputs("\"/>\n      <property name=\"smispec\" value=\"", f);
		xml_puts(f, r->a[k].smispec);
		fputs("\"/>\n      <property name=\"tool\" value=\"", f);
		xml_puts(f, r->tool);
		fputs("\"/>\n    </properties>\n", f);
		for (size_t j = k; j < r->n; j++)
			if (!strcmp(r->a[j].scenario, sc))
				testcase(f, &r->a[j]);
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
}
