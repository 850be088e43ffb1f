/*
 * timing.h - how long a step and a scenario took, as the report's step and
 * scenario summaries record it (docs/report-schema.md: `elapsed`), for the
 * writers that show durations (JUnit times, Meshery's per-spec duration).
 */
#ifndef SMIW_REPORT_TIMING_H
#define SMIW_REPORT_TIMING_H

#include "verdict/report.h"

/* The scenario summary (scenarios[]) of that name in the report (borrowed), or NULL. */
json_t *report_scenario(const struct report *r, const char *name);

/*
 * Seconds the step of assertion a took: its summary's elapsed span; in a
 * report without one (written before steps had it) its traffic window; with
 * no summary at all the assertion's own traffic time.
 */
double report_step_time(const struct report *r, const struct assertion *a);

/* Seconds the scenario took: its elapsed span, else the times of its steps together. */
double report_scenario_time(const struct report *r, const char *name);

#endif
