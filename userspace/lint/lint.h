/*
 * lint.h - what `smi-witness lint` shows of a loaded SMI set and the Gateway
 * API routes loaded with it: every problem as a compiler-style line, the
 * objects as a table or as JSON, and a count.
 */
#ifndef SMIW_LINT_LINT_H
#define SMIW_LINT_LINT_H

#include <stdio.h>

#include "gateway/gateway.h"
#include "smi/smi.h"

/* Writes each problem as "FILE:LINE:COLUMN: error|warning: PATH: MESSAGE". */
void lint_print_problems(const struct smi_set *set, FILE *f);

/* Writes the objects as a table: KIND, NAMESPACE, NAME, API, SUMMARY (columns sized to fit). */
void lint_print_table(const struct smi_set *set, const struct gw_set *gw, FILE *f);

/* Writes the whole result as one JSON document: ok, counts, normalised objects, problems. */
void lint_print_json(const struct smi_set *set, const struct gw_set *gw, FILE *f);

/* Writes "N objects, N errors, N warnings, N other documents skipped". */
void lint_print_summary(const struct smi_set *set, const struct gw_set *gw, FILE *f);

#endif
