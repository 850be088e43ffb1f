/*
 * resp_names.c - the response header names a set of routes touches
 * (ResponseHeaderModifier set, add, remove; of rules and of backendRefs):
 * what capture must keep at the client for the responses to be judged.
 */
#include <strings.h>

#include "gateway/gateway.h"

/* Adds name to out[0..*n) unless there already (case-insensitive); false when out is full. */
static bool note(const char *name, const char **out, size_t max, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcasecmp(out[i], name))
			return true;
	if (*n == max)
		return false;
	out[(*n)++] = name;
	return true;
}

static bool filters(const struct gw_filter *f, size_t nf, const char **out, size_t max, size_t *n)
{
	bool ok = true;

	for (size_t i = 0; i < nf; i++) {
		const struct gw_header_mod *m = &f[i].headers;

		if (f[i].type != GW_RESPONSE_HEADER_MODIFIER)
			continue;
		for (size_t k = 0; k < m->n_set; k++)
			ok &= note(m->set[k].name, out, max, n);
		for (size_t k = 0; k < m->n_add; k++)
			ok &= note(m->add[k].name, out, max, n);
		for (size_t k = 0; k < m->n_remove; k++)
			ok &= note(m->remove[k], out, max, n);
	}
	return ok;
}

bool gw_response_header_names(const struct gw_set *gw, const char **out, size_t max, size_t *n)
{
	bool ok = true;

	for (size_t r = 0; gw && r < gw->n_routes; r++) {
		const struct gw_route *route = gw->routes[r];

		if (route->kind != GW_HTTP_ROUTE)
			continue;
		for (size_t i = 0; i < route->n_rules; i++) {
			const struct gw_rule *rule = &route->rules[i];

			ok &= filters(rule->filters, rule->n_filters, out, max, n);
			for (size_t b = 0; b < rule->n_backends; b++)
				ok &= filters(rule->backends[b].filters, rule->backends[b].n_filters, out, max, n);
		}
	}
	return ok;
}
