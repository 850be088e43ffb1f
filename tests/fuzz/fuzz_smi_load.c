/*
 * fuzz_smi_load - the SMI loader on arbitrary bytes: never crashes, never
 * leaks, and keeps its contract: every error is counted, an invalid set has
 * errors, and whatever loads renders in its own version and loads back the
 * same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "smi/smi.h"

static char *json_of(const struct smi_set *set)
{
	json_t *a = smi_set_json(set, false);
	char *s;

	s = json_dumps(a, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(a);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smi_load_opts opts = { .default_version = { 2, 3, 4, 1 } };
	struct smi_set *set = smi_set_new(&opts), *back;
	size_t errors = 0;
	char *yaml = NULL, err[512], *a, *b;
	size_t len = 0;
	FILE *f;

	if (!set)
		return 0;
	smi_set_load_buffer(set, "fuzz.yaml", (const char *)data, size);
	smi_set_finish(set);
	for (size_t i = 0; i < set->diags.n; i++) {
		char buf[1024];

		errors += set->diags.v[i].severity == SMI_ERROR;
		smi_diag_format(&set->diags.v[i], buf, sizeof(buf));
	}
	if (errors != set->diags.n_errors)
		abort();
	/* A valid set: its objects decide, render and reload to the same model. */
	if (!errors) {
		struct smi_peer p = { "a", "default", NULL, 0, NULL };
		struct smi_http_request req = { "GET", "/x", 0, NULL };
		struct smi_access_result r;
		struct smi_split_result s;

		smi_access_http(set, &p, &p, 80, &req, &r);
		smi_split_lookup(set, "default", "a", &req, &s);
		f = open_memstream(&yaml, &len);
		if (!f)
			abort();
		if (smi_render_set(set, NULL, f, err, sizeof(err)))
			abort();
		fclose(f);
		back = smi_set_new(&opts);
		smi_set_load_buffer(back, "back.yaml", yaml, len);
		smi_set_finish(back);
		a = json_of(set);
		b = json_of(back);
		if (back->diags.n_errors || strcmp(a, b)) {
			fprintf(stderr, "round trip differs:\n%s\n%s\n%s\n", yaml, a, b);
			abort();
		}
		free(a);
		free(b);
		free(yaml);
		smi_set_free(back);
	}
	smi_set_free(set);
	return 0;
}
