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

/* JUnit XML: a testsuite per scenario, a testcase per assertion; FAIL -> failure, INCONCLUSIVE -> error. */
void report_write_junit(FILE *f, const struct report *r);

/* The Meshery-compatible result (docs/report-schema.md), as JSON. Returns 0 or -ENOMEM. */
int report_write_meshery(FILE *f, const struct report *r);

/* True when the assertion carries split shares a chart can show. */
bool report_has_chart(const struct assertion *a);

/* A self-contained SVG chart of a split assertion (observed shares with intervals vs expected). */
void report_write_split_svg(FILE *f, const struct assertion *a);

/* Writes s with the five XML special characters escaped. */
void xml_puts(FILE *f, const char *s);

#endif
