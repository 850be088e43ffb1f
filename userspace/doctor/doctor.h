/* doctor.h - the probe results of `smi-witness doctor`, as a table or as JSON. */
#ifndef SMIW_DOCTOR_DOCTOR_H
#define SMIW_DOCTOR_DOCTOR_H

#include <stdio.h>
#include <jansson.h>

#include "doctor/probes.h"

/* The names of the required features that do not work, as a new JSON array of strings. */
json_t *doctor_missing(const struct probe_result *res, int n);

/* Writes one row per probe: FEATURE, REQUIRED, STATUS, VALUE, DETAIL. */
void doctor_print_table(const struct probe_result *res, int n, FILE *f);

/* Writes {"features": [...], "ok": ..., "missing": [...]}; `missing` is borrowed. */
void doctor_print_json(const struct probe_result *res, int n, json_t *missing, FILE *f);

#endif
