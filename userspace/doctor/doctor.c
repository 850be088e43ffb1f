/* doctor.c - see doctor.h */
#include <stdio.h>
#include <jansson.h>

#include "doctor/doctor.h"

static const char *status_word(const struct probe_result *r)
{
	return r->ok ? "ok" : r->required ? "MISSING" : "unavailable";
}

json_t *doctor_missing(const struct probe_result *res, int n)
{
	json_t *missing = json_array();

	for (int i = 0; i < n; i++)
		if (res[i].required && !res[i].ok)
			json_array_append_new(missing, json_string(res[i].name));
	return missing;
}

void doctor_print_table(const struct probe_result *res, int n, FILE *f)
{
	fprintf(f, "%-36s %-9s %-12s %-34s %s\n", "FEATURE", "REQUIRED", "STATUS", "VALUE", "DETAIL");
	for (int i = 0; i < n; i++)
		fprintf(f, "%-36s %-9s %-12s %-34s %s\n", res[i].what, res[i].required ? "yes" : "no",
			status_word(&res[i]), res[i].value[0] ? res[i].value : "-", res[i].detail);
}

void doctor_print_json(const struct probe_result *res, int n, json_t *missing, FILE *f)
{
	json_t *features = json_array(), *doc;

	for (int i = 0; i < n; i++)
		json_array_append_new(features, json_pack("{s:s, s:s, s:b, s:s, s:s, s:s}",
			"name", res[i].name, "what", res[i].what, "required", res[i].required,
			"status", res[i].ok ? "ok" : "unavailable", "value", res[i].value,
			"detail", res[i].detail));
	doc = json_pack("{s:o, s:b, s:O}", "features", features,
			"ok", json_array_size(missing) == 0, "missing", missing);
	json_dumpf(doc, f, JSON_INDENT(2));
	fputc('\n', f);
	json_decref(doc);
}
