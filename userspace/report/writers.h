/*
 * writers.h - a report in the formats people consume: a terminal table,
 * JUnit XML for CI, a Meshery-compatible result, and an SVG chart of a
 * split assertion's observed vs expected shares. All output is a pure
 * function of the report: equal reports give byte-identical files.
 */
#ifndef SMIW_REPORT_WRITERS_H
#define SMIW_REPORT_WRITERS_H

#include <stdbool.h>
#include <stdio.h>

#include "verdict/report.h"

/* How the terminal table is laid out. */
struct table_opts {
	bool color;	/* ANSI colour on the verdicts */
	bool failures_only;	/* leave out the PASS lines (the summary still counts them) */
	int width;	/* the longest line, in columns (0: 100); reasons wrap to fit */
};

/*
 * The verdict table and a summary line. A reason too long for its column
 * wraps at spaces onto lines of its own, indented to the column; an
 * assertion id too long for its column puts its reason on the next line.
 */
void report_write_table(FILE *f, const struct report *r, const struct table_opts *o);

/*
 * JUnit XML: a testsuite per scenario named MESH.SCENARIO, a testcase per
 * assertion (classname MESH.SCENARIO.STEP, time its step's); FAIL ->
 * failure, INCONCLUSIVE -> error, the body the reason and evidence lines.
 */
void report_write_junit(FILE *f, const struct report *r);

/*
 * Meshery's SMI conformance result (its conformance tool's Response message
 * as protobuf JSON; docs/report-schema.md). Returns 0, -ENOMEM or -EIO.
 */
int report_write_meshery(FILE *f, const struct report *r);

/* True when the assertion carries split shares a chart can show. */
bool report_has_chart(const struct assertion *a);

/*
 * A self-contained SVG chart of a split assertion of mesh `mesh` ("" or
 * NULL: none named): observed shares with intervals against expected.
 */
void report_write_split_svg(FILE *f, const char *mesh, const struct assertion *a);

/* Writes s with the five XML special characters escaped. */
void xml_puts(FILE *f, const char *s);

#endif
