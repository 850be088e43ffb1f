/* timing.c - see timing.h */
#include <string.h>

#include "report/timing.h"

json_t *report_scenario(const struct report *r, const char *name)
{
	size_t i;
	json_t *sc;

	json_array_foreach(r->scenarios, i, sc)
		if (!strcmp(json_string_value(json_object_get(sc, "name")) ?: "", name))
			return sc;
	return NULL;
}

static double span_s(json_t *o, const char *key)
{
	return json_number_value(json_object_get(json_object_get(o, key), "duration_s"));
}

double report_step_time(const struct report *r, const struct assertion *a)
{
	json_t *st;
	size_t i;

	json_array_foreach(json_object_get(report_scenario(r, a->scenario), "steps"), i, st) {
		if (json_integer_value(json_object_get(st, "index")) != (json_int_t)a->step_index)
			continue;
		return span_s(st, json_object_get(st, "elapsed") ? "elapsed" : "window");
	}
	return a->duration_s;
}

double report_scenario_time(const struct report *r, const char *name)
{
	json_t *sc = report_scenario(r, name);
	double t = 0;

	if (json_object_get(sc, "elapsed"))
		return span_s(sc, "elapsed");
	for (size_t k = 0; k < r->n; k++) {
		bool first = true;

		if (strcmp(r->a[k].scenario, name))
			continue;
		for (size_t j = 0; j < k && first; j++)
			first = strcmp(r->a[j].scenario, name) || r->a[j].step_index != r->a[k].step_index;
		if (first)
			t += report_step_time(r, &r->a[k]);
	}
	return t;
}
