/*
 * report.h - the verdict model: one result per assertion (PASS / FAIL /
 * INCONCLUSIVE) with a one-line reason and structured evidence, plus what
 * the run was about. The verifier fills it; its JSON form
 * (docs/report-schema.md) is the canonical result file every writer in
 * report/ and `smi-witness matrix` start from.
 */
#ifndef SMIW_VERDICT_REPORT_H
#define SMIW_VERDICT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "verdict/verdict.h"

#define REPORT_SCHEMA "smi-witness/report/v1"

struct assertion {
	char *id;		/* "scenario/step/traffic/kind", unique in a report */
	char *scenario, *step, *traffic, *kind;	/* kind: access, split, zero-weight */
	char *smispec, *specversion;
	unsigned step_index;
	enum verdict verdict;
	char *reason;		/* one line */
	double duration_s;	/* how long its traffic ran */
	json_t *evidence;	/* owned; an object */
};

struct report {
	char *tool, *mesh, *generated;
	char *mesh_version, *data_plane;	/* "" when the inventory did not say */
	json_t *statistics;	/* owned: alpha, power, effect, ci_level */
	json_t *captures;	/* owned array: one object per observation file */
	json_t *scenarios;	/* owned array: name, file, smispec, run, steps[] */
	struct assertion *a;
	size_t n, cap;
};

/* Initialises an empty report (tool set to this program). Returns 0 or -ENOMEM. */
int report_init(struct report *r, const char *mesh);

/*
 * Appends an assertion: strings are copied, `evidence` is taken over (NULL
 * becomes {}). Returns the stored assertion, or NULL when out of memory.
 */
struct assertion *report_add(struct report *r, const struct assertion *a, json_t *evidence);

/*
 * The family of tests an assertion's spec belongs to: "GAMMA" for the
 * Gateway API mesh specs ("mesh-http", "mesh-grpc"), "SMI" for the others.
 */
const char *report_category(const char *smispec);

/* Counts by verdict. */
void report_count(const struct report *r, size_t *pass, size_t *fail, size_t *inconclusive);

/* The worst verdict of the assertions (verdict_worst); INCONCLUSIVE when there are none. */
enum verdict report_verdict(const struct report *r);

/* Process exit code for the overall verdict: 0 PASS, 1 FAIL, 3 INCONCLUSIVE. */
int report_exit_code(const struct report *r);

/* The report as a JSON document (new reference). */
json_t *report_to_json(const struct report *r);

/* Reads a report written by report_to_json (from a file). Prints errors; 0 or -EINVAL/-EIO. */
int report_load(struct report *r, const char *path);

/*
 * Fills one of the report's strings (generated, mesh_version, data_plane)
 * with a copy of value when it is still "" and value is not: the first
 * source that knows it decides. Returns 0 or -ENOMEM.
 */
int report_set_str(char **field, const char *value);

/* Appends src's scenarios, captures and assertions to dst (src is left empty). 0 or -ENOMEM. */
int report_merge(struct report *dst, struct report *src);

/* Writes the JSON document, indented, keys in a fixed order: byte-identical for equal reports. */
int report_write_json(FILE *f, const struct report *r);

/*
 * Writes any JSON document the way every report file is written (indented,
 * 10 significant digits, a final newline) and releases it. Returns 0,
 * -ENOMEM when doc is NULL, or -EIO.
 */
int report_dump(FILE *f, json_t *doc);

/* Frees every assertion and string of the report and zeroes it. */
void report_free(struct report *r);

#endif
