/*
 * resolve.c - what can only be checked once every file is loaded: duplicate
 * objects, references from TrafficTargets and TrafficSplits to routes and
 * IdentityBindings, and competing unconditional splits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smi/internal.h"

/* Reports a dangling reference from obj; returns the object or NULL. */
static const struct smi_meta *resolve_ref(struct smi_set *set, const struct smi_meta *from,
					  int line, const char *path, enum smi_kind kind,
					  const char *ns, const char *name)
{
	const struct smi_meta *m;
	bool invalid;

	if (!name || !ns)
		return NULL;
	m = find_object(set, kind, ns, name, &invalid);
	if (m)
		return m;
	if (invalid)
		diag_add(set, SMI_ERROR, from->file, line, 0, path,
			 "%s '%s/%s' is invalid (see its errors)", smi_kind_name(kind), ns, name);
	else
		diag_add(set, SMI_ERROR, from->file, line, 0, path,
			 "%s '%s' not found in namespace '%s'", smi_kind_name(kind), name, ns);
	return NULL;
}

static const struct smi_http_match *find_match(const struct smi_http_route_group *g, const char *name)
{
	for (size_t i = 0; i < g->n_matches; i++)
		if (!strcmp(g->matches[i].name, name))
			return &g->matches[i];
	return NULL;
}

/* Selects the HTTP matches a rule allows: the named ones, or all of them. */
static bool select_matches(struct smi_set *set, const struct smi_meta *from, const char *path,
			   struct smi_rule *r)
{
	struct arena *a = &set->priv->arena;
	const struct smi_http_match **sel;
	bool ok = true;

	if (!r->n_match_names) {
		sel = arena_alloc(a, (r->http->n_matches + 1) * sizeof(*sel));
		for (size_t i = 0; i < r->http->n_matches; i++)
			sel[i] = &r->http->matches[i];
		r->selected = sel;
		r->n_selected = r->http->n_matches;
		return true;
	}
	sel = arena_alloc(a, (r->n_match_names + 1) * sizeof(*sel));
	for (size_t i = 0; i < r->n_match_names; i++) {
		const struct smi_http_match *m = find_match(r->http, r->match_names[i]);

		if (!m) {
			diag_add(set, SMI_ERROR, from->file, r->line, 0,
				 arena_printf(a, "%s.matches[%zu]", path, i),
				 "HTTPRouteGroup '%s' has no match named '%s'", r->http->meta.name,
				 r->match_names[i]);
			ok = false;
			continue;
		}
		sel[r->n_selected++] = m;
	}
	r->selected = sel;
	return ok;
}

static bool resolve_identity(struct smi_set *set, const struct smi_meta *from, const char *path,
			     struct smi_identity *id)
{
	if (id->kind != SMI_ID_IDENTITY_BINDING)
		return true;
	id->binding = (const void *)resolve_ref(set, from, id->line, path, SMI_IDENTITY_BINDING,
						id->namespace, id->name);
	return id->binding != NULL;
}

static bool resolve_target(struct smi_set *set, struct smi_traffic_target *t)
{
	struct arena *a = &set->priv->arena;
	const char *base = t->meta.version >= SMI_V1ALPHA2 ? "spec." : "";
	const char *list = t->meta.version >= SMI_V1ALPHA2 ? "rules" : "specs";
	bool ok = resolve_identity(set, &t->meta, arena_printf(a, "%sdestination", base),
				   (struct smi_identity *)&t->destination);

	for (size_t i = 0; i < t->n_sources; i++)
		ok &= resolve_identity(set, &t->meta, arena_printf(a, "%ssources[%zu]", base, i),
				       (struct smi_identity *)&t->sources[i]);
	for (size_t i = 0; i < t->n_rules; i++) {
		struct smi_rule *r = (struct smi_rule *)&t->rules[i];
		const char *path = arena_printf(a, "%s%s[%zu]", base, list, i);
		const struct smi_meta *m = resolve_ref(set, &t->meta, r->line, arena_printf(a, "%s.name", path),
						       r->kind, t->meta.namespace, r->name);

		if (!m) {
			ok = false;
			continue;
		}
		if (r->kind == SMI_HTTP_ROUTE_GROUP) {
			r->http = (const struct smi_http_route_group *)m;
			ok &= select_matches(set, &t->meta, path, r);
		} else {
			r->ports = (const struct smi_port_route *)m;
		}
	}
	return ok;
}

static bool resolve_split(struct smi_set *set, struct smi_traffic_split *ts)
{
	bool ok = true;

	for (size_t i = 0; i < ts->n_matches; i++) {
		struct smi_split_match *sm = (struct smi_split_match *)&ts->matches[i];

		sm->group = (const void *)resolve_ref(set, &ts->meta, sm->line,
			arena_printf(&set->priv->arena, "spec.matches[%zu].name", i),
			SMI_HTTP_ROUTE_GROUP, ts->meta.namespace, sm->name);
		ok &= sm->group != NULL;
	}
	return ok;
}

static int cmp_objects(const void *a, const void *b)
{
	const struct smi_meta *x = (*(struct obj_state *const *)a)->meta;
	const struct smi_meta *y = (*(struct obj_state *const *)b)->meta;
	int r;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if ((r = strcmp(x->namespace ? x->namespace : "", y->namespace ? y->namespace : "")))
		return r;
	if ((r = strcmp(x->name ? x->name : "", y->name ? y->name : "")))
		return r;
	return x < y ? -1 : 1;	/* decode order: objects are allocated in it */
}

/* Same kind, namespace and name twice: Kubernetes would keep only the last. */
static void check_duplicates(struct smi_set *set)
{
	struct ptrvec *all = &set->priv->all;
	struct obj_state **sorted;

	if (all->n < 2)
		return;
	sorted = malloc(all->n * sizeof(*sorted));
	if (!sorted)
		return;
	memcpy(sorted, all->v, all->n * sizeof(*sorted));
	qsort(sorted, all->n, sizeof(*sorted), cmp_objects);
	for (size_t i = 1; i < all->n; i++) {
		const struct smi_meta *x = sorted[i - 1]->meta, *y = sorted[i]->meta;

		if (x->kind != y->kind || x->kind == SMI_TRAFFIC_METRICS || !x->name || !y->name ||
		    strcmp(x->namespace, y->namespace) || strcmp(x->name, y->name))
			continue;
		diag_add(set, SMI_ERROR, y->file, y->line, 0, "metadata.name",
			 "duplicate %s '%s/%s' (first in '%s' line %d)", smi_kind_name(y->kind),
			 y->namespace, y->name, x->file, x->line);
	}
	free(sorted);
}

/* Two unconditional splits for one apex leave the routing undefined. */
static void check_competing_splits(struct smi_set *set)
{
	for (size_t i = 0; i < set->n_splits; i++)
		for (size_t j = 0; j < i; j++) {
			const struct smi_traffic_split *a = set->splits[j], *b = set->splits[i];

			if (a->n_matches || b->n_matches || strcmp(a->meta.namespace, b->meta.namespace) ||
			    !a->service || !b->service || strcmp(a->service, b->service))
				continue;
			diag_add(set, SMI_WARNING, b->meta.file, b->meta.line, 0, "spec.service",
				 "TrafficSplit '%s' also splits '%s' with no matches (in '%s' line %d); the first one loaded is used",
				 a->meta.name, a->service, a->meta.file, a->meta.line);
			break;
		}
}

static const struct smi_set *sort_set;

/* Files in the order they were loaded, then by line; ties keep discovery order. */
static int cmp_diags(const void *a, const void *b)
{
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	const struct smi_diag *x = &sort_set->diags.v[ia], *y = &sort_set->diags.v[ib];

	if (x->file != y->file) {
		for (size_t i = 0; i < sort_set->diags.n; i++) {
			if (sort_set->diags.v[i].file == x->file)
				return -1;
			if (sort_set->diags.v[i].file == y->file)
				return 1;
		}
	}
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return ia < ib ? -1 : 1;
}

static void sort_diags(struct smi_set *set)
{
	size_t n = set->diags.n, *idx = malloc((n + 1) * sizeof(*idx));
	struct smi_diag *sorted = malloc((n + 1) * sizeof(*sorted));

	if (idx && sorted) {
		for (size_t i = 0; i < n; i++)
			idx[i] = i;
		sort_set = set;
		qsort(idx, n, sizeof(*idx), cmp_diags);
		for (size_t i = 0; i < n; i++)
			sorted[i] = set->diags.v[idx[i]];
		if (n)
			memcpy(set->diags.v, sorted, n * sizeof(*sorted));
	}
	free(idx);
	free(sorted);
}

int smi_set_finish(struct smi_set *set)
{
	struct smi_set_priv *p = set->priv;

	if (!p->finished) {
		p->finished = true;
		check_duplicates(set);
		set_publish(set);
		/* Bindings first, then routes: targets and splits refer to both. */
		for (size_t i = 0; i < set->n_targets; i++)
			if (!resolve_target(set, (struct smi_traffic_target *)set->targets[i]))
				set_invalidate(set, &set->targets[i]->meta);
		for (size_t i = 0; i < set->n_splits; i++)
			if (!resolve_split(set, (struct smi_traffic_split *)set->splits[i]))
				set_invalidate(set, &set->splits[i]->meta);
		set_publish(set);
		check_competing_splits(set);
		sort_diags(set);
	}
	return set->diags.n_errors ? -EINVAL : 0;
}
