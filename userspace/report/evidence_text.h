/*
 * evidence_text.h - an assertion's evidence (docs/report-schema.md) as lines
 * a person reads: what was expected and where that came from, what was
 * observed, the test, and the first requests that did not conform. JUnit
 * failure bodies and the HTML matrix show it; report.json keeps the
 * structured form.
 */
#ifndef SMIW_REPORT_EVIDENCE_TEXT_H
#define SMIW_REPORT_EVIDENCE_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "verdict/report.h"

/*
 * Writes the evidence lines of a (each ending in '\n', plain text, no
 * markup), listing at most max_items requests of each request list. Writes
 * nothing for an evidence object that says nothing.
 */
void evidence_write_text(FILE *f, const struct assertion *a, size_t max_items);

#endif
