/* smitest.h - helpers for SMI model tests: load fixtures, describe sets compactly. */
#ifndef SMIW_SMITEST_H
#define SMIW_SMITEST_H

#include <stddef.h>

#include "gateway/gateway.h"
#include "smi/smi.h"

#define SMI_FIXTURES "tests/fixtures/smi/"

/*
 * Loads the space-separated fixture files (relative to tests/fixtures/smi/)
 * with documents lacking apiVersion read as `assume` ("split=v1alpha2,...",
 * or NULL) and finishes the set. Never NULL (aborts on allocation failure).
 */
struct smi_set *smit_load(const char *files, const char *assume);

/* Loads a YAML/JSON text given inline, named "inline.yaml". */
struct smi_set *smit_load_text(const char *text, const char *assume);

/*
 * Every object as "Kind ns/name: summary", joined by '\n', and every problem
 * as "E|W LINE PATH: MESSAGE" (file names left out), joined by '\n'. The
 * returned strings are static and overwritten by the next call.
 */
const char *smit_objects(const struct smi_set *set);
const char *smit_problems(const struct smi_set *set);

/* SMI objects and the Gateway API routes read with them (smit_routes_load). */
struct smit_routes {
	struct smi_set *set;
	struct gw_set *gw;
};

/*
 * Loads one file of routes (a path relative to the source tree) or, with
 * path NULL, `text`, and finishes both models; aborts, saying why, when
 * either has an error or no route was read.
 */
void smit_routes_load(struct smit_routes *l, const char *path, const char *text);

/* Frees what smit_routes_load() made. */
void smit_routes_free(struct smit_routes *l);

#endif
