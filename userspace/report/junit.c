/*
 * junit.c - JUnit XML (see writers.h). What CI readers do with it decides
 * the shape: Jenkins merges suites of equal name from every file it reads
 * and files a test case under package.class from its classname, so both
 * carry the mesh ("reference.traffic-split", "reference.traffic-split.b75")
 * and several meshes' results sit side by side. A test case's time is its
 * step's elapsed time, the same for every assertion the step judged; a
 * suite's is its scenario's.
 */
#include <stdlib.h>
#include <string.h>

#include "report/evidence_text.h"
#include "report/timing.h"
#include "report/writers.h"

#define BODY_ITEMS 10	/* requests listed per list in a failure body; report.json has up to 50 */

struct counts {
	size_t n, fail, err;
};

static void count(const struct report *r, const char *scenario, struct counts *c)
{
	*c = (struct counts){ 0 };
	for (size_t k = 0; k < r->n; k++) {
		if (scenario && strcmp(r->a[k].scenario, scenario))
			continue;
		c->n++;
		c->fail += r->a[k].verdict == VERDICT_FAIL;
		c->err += r->a[k].verdict == VERDICT_INCONCLUSIVE;
	}
}

/* True when assertion k is the first of its scenario in the report. */
static bool opens_scenario(const struct report *r, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (!strcmp(r->a[j].scenario, r->a[k].scenario))
			return false;
	return true;
}

/* "MESH.NAME", or NAME alone when the report names no mesh. */
static void qualified(FILE *f, const struct report *r, const char *name)
{
	if (*r->mesh) {
		xml_puts(f, r->mesh);
		fputc('.', f);
	}
	xml_puts(f, name);
}

/* The failure or error body: the reason, then the evidence as text lines. */
static void body(FILE *f, const struct assertion *a)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m) {
		fprintf(m, "%s\n", a->reason);
		evidence_write_text(m, a, BODY_ITEMS);
		fclose(m);
	}
	xml_puts(f, text ? text : a->reason);
	free(text);
}

static void testcase(FILE *f, const struct report *r, const struct assertion *a)
{
	const char *tag = a->verdict == VERDICT_FAIL ? "failure" : "error";

	fputs("    <testcase classname=\"", f);
	qualified(f, r, a->scenario);
	fputc('.', f);
	xml_puts(f, a->step);
	fputs("\" name=\"", f);
	xml_puts(f, a->traffic);
	fputc('/', f);
	xml_puts(f, a->kind);
	fprintf(f, "\" time=\"%.3f\"", report_step_time(r, a));
	if (a->verdict == VERDICT_PASS) {
		fputs("/>\n", f);
		return;
	}
	/* INCONCLUSIVE is neither a pass nor a failure of the mesh: JUnit's "error". */
	fprintf(f, ">\n      <%s type=\"%s\" message=\"", tag, verdict_name(a->verdict));
	xml_puts(f, a->reason);
	fputs("\">", f);
	body(f, a);
	fprintf(f, "</%s>\n    </testcase>\n", tag);
}

static void property(FILE *f, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	fprintf(f, "      <property name=\"%s\" value=\"", name);
	xml_puts(f, value);
	fputs("\"/>\n", f);
}

static void testsuite(FILE *f, const struct report *r, const struct assertion *first)
{
	const char *sc = first->scenario;
	json_t *summary = report_scenario(r, sc);
	const char *start = json_string_value(json_object_get(json_object_get(summary, "elapsed"), "start"));
	struct counts c;

	count(r, sc, &c);
	fputs("  <testsuite name=\"", f);
	qualified(f, r, sc);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\" timestamp=\"",
		c.n, c.fail, c.err, report_scenario_time(r, sc));
	xml_puts(f, start && *start ? start : r->generated);
	fputs("\">\n    <properties>\n", f);
	property(f, "mesh", r->mesh);
	property(f, "mesh_version", r->mesh_version);
	property(f, "data_plane", r->data_plane);
	property(f, "category", report_category(first->smispec));
	property(f, "smispec", first->smispec);
	property(f, "scenario_file", json_string_value(json_object_get(summary, "file")));
	property(f, "tool", r->tool);
	fputs("    </properties>\n", f);
	for (const struct assertion *a = first; a < r->a + r->n; a++)
		if (!strcmp(a->scenario, sc))
			testcase(f, r, a);
	fputs("  </testsuite>\n", f);
}

void report_write_junit(FILE *f, const struct report *r)
{
	struct counts c;
	double time = 0;

	for (size_t k = 0; k < r->n; k++)
		if (opens_scenario(r, k))
			time += report_scenario_time(r, r->a[k].scenario);
	count(r, NULL, &c);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"smi-witness", f);
	if (*r->mesh) {
		fputc(' ', f);
		xml_puts(f, r->mesh);
	}
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", c.n, c.fail, c.err, time);
	for (size_t k = 0; k < r->n; k++)
		if (opens_scenario(r, k))
			testsuite(f, r, &r->a[k]);
	fputs("</testsuites>\n", f);
}
