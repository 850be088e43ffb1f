/* profile.c - see profile.h. Profiles are strict: an unknown key is an error, not a typo ignored. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics/fetch.h"
#include "metrics/profile.h"
#include "metrics/prom.h"
#include "util/file.h"
#include "util/yaml_doc.h"

/* Errors go to err as "'FILE': line N: key: what" (returned, not printed). */
struct loader {
	struct ydoc *d;
	const char *path;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 4, 5)))
static int fail(struct loader *l, const struct ynode *n, const char *key, const char *fmt, ...)
{
	size_t len;
	va_list ap;

	len = (size_t)snprintf(l->err, l->errlen, "'%s': line %d: %s%s", l->path, n ? n->line : 1,
			       key ? key : "", key ? ": " : "");
	if (len < l->errlen) {
		va_start(ap, fmt);
		vsnprintf(l->err + len, l->errlen - len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Rejects keys of `map` not in the NULL-terminated `allowed`. */
static int check_keys(struct loader *l, struct ynode *map, const char *where, const char *const *allowed)
{
	for (size_t i = 0; i < map->n; i++) {
		struct ynode *k = map->keys[i];
		const char *name = k->str;
		bool ok = false;

		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, name);
		if (!ok)
			return fail(l, k, where, "unknown key '%s'", name);
	}
	return 0;
}

static int want_map(struct loader *l, struct ynode *n, const char *key)
{
	return n && n->type == YNODE_MAP ? 0 : fail(l, n, key, "must be a mapping");
}

/*
 * The mapping `name` of `parent`, holding only `keys`: returns 0 with *out,
 * 1 when it is absent and optional, or -EINVAL (`where` names it in messages).
 */
static int section(struct loader *l, struct ynode *parent, const char *name, const char *where,
		   const char *const *keys, bool required, struct ynode **out)
{
	struct ynode *n = ydoc_get(l->d, parent, name);
	int r;

	*out = n;
	if (!n)
		return required ? fail(l, parent, where, "missing") : 1;
	if ((r = want_map(l, n, where)) || (r = check_keys(l, n, where, keys)))
		return r;
	return 0;
}

/* A required or optional string; *out is a new copy or NULL. */
static int get_str(struct loader *l, struct ynode *map, const char *name, const char *where,
		   bool required, char **out)
{
	struct ynode *n = ydoc_get(l->d, map, name);
	char key[128];

	snprintf(key, sizeof(key), "%s%s%s", where, *where ? "." : "", name);
	*out = NULL;
	if (!n)
		return required ? fail(l, map, key, "missing") : 0;
	if (!ydoc_scalar(n) || !*ydoc_scalar(n))
		return fail(l, n, key, "must be a non-empty string");
	*out = strdup(ydoc_scalar(n));
	return *out ? 0 : -ENOMEM;
}

static int get_bool(struct loader *l, struct ynode *map, const char *name, const char *where, bool *out)
{
	struct ynode *n = ydoc_get(l->d, map, name);

	if (!n)
		return 0;
	if (n->type != YNODE_SCALAR || n->kind != YSCALAR_BOOL)
		return fail(l, n, where, "'%s' must be true or false", name);
	*out = n->b;
	return 0;
}

/* A choice among words; *out is the index. Missing keeps *out. */
static int get_enum(struct loader *l, struct ynode *map, const char *name, const char *where,
		    const char *const *words, int *out)
{
	struct ynode *n = ydoc_get(l->d, map, name);
	const char *v = ydoc_scalar(n);

	if (!n)
		return 0;
	for (int i = 0; v && words[i]; i++)
		if (!strcmp(v, words[i])) {
			*out = i;
			return 0;
		}
	return fail(l, n, where, "'%s' cannot be '%s'", name, v ? v : "(not a string)");
}

/*
 * A number, or for a mapping key (JSON names every key with a string) a
 * text that reads as one, as a quantile label does.
 */
static int get_number(struct loader *l, struct ynode *n, bool key, const char *where, double min,
		      double max, double *out)
{
	const char *v = ydoc_scalar(n);
	bool ok = key ? v && !prom_parse_float(v, strlen(v), out) && !isnan(*out) : ynode_number(n, out);

	if (!ok)
		return fail(l, n, where, "'%s' is not a number", v ? v : "(not a scalar)");
	if (*out < min || *out > max)
		return fail(l, n, where, "%s out of range [%g, %g]", n->str, min, max);
	return 0;
}

static void str_list_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* A sequence of non-empty strings (a lone scalar counts as one). */
static int get_str_list(struct loader *l, struct ynode *n, const char *where, char ***out, size_t *nout)
{
	size_t cnt;

	*out = NULL;
	*nout = 0;
	if (!n)
		return 0;
	if (ydoc_scalar(n)) {
		if (!*ydoc_scalar(n))
			return fail(l, n, where, "must be a non-empty string or a list of them");
		*out = calloc(1, sizeof(char *));
		if (!*out || !((*out)[0] = strdup(ydoc_scalar(n))))
			return -ENOMEM;
		*nout = 1;
		return 0;
	}
	if (n->type != YNODE_SEQ)
		return fail(l, n, where, "must be a list of strings");
	cnt = n->n;
	*out = calloc(cnt ? cnt : 1, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (size_t j = 0; j < n->n; j++) {
		struct ynode *e = n->items[j];

		if (!ydoc_scalar(e) || !*ydoc_scalar(e))
			return fail(l, e, where, "list items must be non-empty strings");
		if (!((*out)[(*nout)++] = strdup(ydoc_scalar(e))))
			return -ENOMEM;
	}
	return 0;
}

static int compile_regex(struct loader *l, struct ynode *n, const char *where, const char *pat,
			 bool need_name, pcre2_code **out)
{
	PCRE2_SIZE off;
	int code;

	*out = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
	if (!*out) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		return fail(l, n, where, "regex: %s at offset %zu", (char *)msg, (size_t)off);
	}
	if (need_name && pcre2_substring_number_from_name(*out, (PCRE2_SPTR)"name") < 0)
		return fail(l, n, where, "regex needs a named group (?<name>...)");
	return 0;
}

/* Label conditions from mapping node n (NULL: none) into m. */
static int load_match_node(struct loader *l, struct ynode *n, const char *where, struct match_spec *m)
{
	size_t cnt;

	if (!n)
		return 0;
	if (want_map(l, n, where))
		return -EINVAL;
	cnt = n->n;
	m->names = calloc(cnt + 1, sizeof(char *));
	m->values = calloc(cnt + 1, sizeof(char *));
	m->res = calloc(cnt + 1, sizeof(pcre2_code *));
	if (!m->names || !m->values || !m->res)
		return -ENOMEM;
	for (size_t j = 0; j < n->n; j++) {
		struct ynode *k = n->keys[j], *v = n->items[j];

		if (!ydoc_scalar(k) || !ydoc_scalar(v))
			return fail(l, v, where, "label values must be strings");
		m->names[m->n] = strdup(ydoc_scalar(k));
		m->values[m->n] = strdup(ydoc_scalar(v));
		if (!m->names[m->n] || !m->values[m->n])
			return -ENOMEM;
		m->n++;
		if (m->values[m->n - 1][0] == '~' &&
		    compile_regex(l, v, where, m->values[m->n - 1] + 1, false, &m->res[m->n - 1]))
			return -EINVAL;
	}
	return 0;
}

static int load_match(struct loader *l, struct ynode *map, const char *where, struct match_spec *m)
{
	char key[96];

	snprintf(key, sizeof(key), "%s.match", where);
	return load_match_node(l, ydoc_get(l->d, map, "match"), key, m);
}

/* `requests.skip`: one mapping of label conditions, or a list of them (a series matching any is skipped). */
static int load_skip(struct loader *l, struct ynode *req, struct profile *p)
{
	struct ynode *n = ydoc_get(l->d, req, "skip");
	size_t cnt;
	int r;

	if (!n)
		return 0;
	if (n->type == YNODE_MAP) {
		if (!(p->skip = calloc(1, sizeof(*p->skip))))
			return -ENOMEM;
		p->nskip = 1;
		return load_match_node(l, n, "requests.skip", p->skip);
	}
	if (n->type != YNODE_SEQ)
		return fail(l, n, "requests.skip", "must be a mapping of label conditions or a list of them");
	cnt = n->n;
	if (!(p->skip = calloc(cnt ? cnt : 1, sizeof(*p->skip))))
		return -ENOMEM;
	for (size_t j = 0; j < n->n; j++) {
		struct ynode *e = n->items[j];

		if ((r = load_match_node(l, e, "requests.skip", &p->skip[p->nskip++])))
			return r;
	}
	return 0;
}

static const char *const ep_kinds[] = { "workload", "pod", "service_account", "service",
					"namespace", NULL };

static int compile_list(struct loader *l, struct ynode *n, const char *where, char **pats, size_t npats,
			bool need_name, pcre2_code ***out, size_t *nout)
{
	*out = calloc(npats ? npats : 1, sizeof(pcre2_code *));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < npats; i++) {
		int r = compile_regex(l, n, where, pats[i], need_name, &(*out)[i]);

		*nout += (*out)[i] != NULL;	/* compiled but refused (no name group): freed with the rest */
		if (r)
			return -EINVAL;
	}
	return 0;
}

static int load_endpoint(struct loader *l, struct ynode *parent, const char *name, const char *where,
			 struct ep_spec *ep, bool required)
{
	static const char *const keys[] = { "any", "label", "pod_label", "namespace_label", "kind", "regex",
					    "outside", "absent", "normalize", "fallback", NULL };
	static const char *const norms[] = { "underscores", NULL };
	static const char *const fallbacks[] = { "scrape", NULL };
	static const char *const absents[] = { "unnamed", "outside", NULL };
	char key[96], **pats = NULL;
	size_t npats = 0;
	int kind = EP_WORKLOAD, norm = -1, fb = -1, absent = 0, r;
	struct ynode *n;

	snprintf(key, sizeof(key), "%s.%s", where, name);
	if ((r = section(l, parent, name, key, keys, required, &n)))
		return r;
	if ((r = get_bool(l, n, "any", key, &ep->any)) ||
	    (r = get_str_list(l, ydoc_get(l->d, n, "label"), key, &ep->labels, &ep->nlabels)) ||
	    (r = get_str(l, n, "pod_label", key, false, &ep->pod_label)) ||
	    (r = get_str(l, n, "namespace_label", key, false, &ep->ns_label)) ||
	    (r = get_enum(l, n, "kind", key, ep_kinds, &kind)) ||
	    (r = get_enum(l, n, "normalize", key, norms, &norm)) ||
	    (r = get_enum(l, n, "fallback", key, fallbacks, &fb)) ||
	    (r = get_enum(l, n, "absent", key, absents, &absent)) ||
	    (r = get_str_list(l, ydoc_get(l->d, n, "outside"), key, &ep->outside, &ep->noutside)) ||
	    (r = get_str_list(l, ydoc_get(l->d, n, "regex"), key, &pats, &npats)))
		goto out;
	ep->label = ep->nlabels ? ep->labels[0] : NULL;
	ep->kind = kind;
	ep->underscores = norm == 0;
	ep->fallback_scrape = fb == 0;
	ep->absent_outside = absent == 1;
	if ((r = compile_list(l, ydoc_get(l->d, n, "regex"), key, pats, npats, true, &ep->re, &ep->nre)))
		goto out;
	if (ep->any && (ep->label || ep->pod_label || ep->fallback_scrape))
		r = fail(l, n, key, "'any' excludes 'label', 'pod_label' and 'fallback'");
	else if (!ep->any && !ep->label && !ep->pod_label && !ep->fallback_scrape)
		r = fail(l, n, key, "needs 'label', 'pod_label', 'fallback: scrape' or 'any: true'");
out:
	str_list_free(pats, npats);
	return r;
}

static int load_result(struct loader *l, struct ynode *req, struct result_spec *res)
{
	static const char *const keys[] = { "label", "status", "success", "failure", NULL };
	struct ynode *n;
	int r;

	if ((r = section(l, req, "result", "requests.result", keys, true, &n)) ||
	    (r = get_str_list(l, ydoc_get(l->d, n, "label"), "requests.result.label", &res->labels,
			      &res->nlabels)) ||
	    (r = get_bool(l, n, "status", "requests.result", &res->status)) ||
	    (r = get_str_list(l, ydoc_get(l->d, n, "success"), "requests.result.success", &res->success,
			      &res->nsuccess)) ||
	    (r = get_str_list(l, ydoc_get(l->d, n, "failure"), "requests.result.failure", &res->failure,
			      &res->nfailure)))
		return r;
	if (!res->nlabels)
		return fail(l, n, "requests.result.label", "missing");
	res->label = res->labels[0];
	if (res->status && (res->nsuccess || res->nfailure))
		return fail(l, n, "requests.result", "'status: true' excludes success/failure lists");
	if (!res->status && (!res->nsuccess || !res->nfailure))
		return fail(l, n, "requests.result", "needs 'status: true' or both success and failure values");
	return 0;
}

int outcome_parse_status(const char *v, int *status)
{
	size_t n = strlen(v);

	if (!strcmp(v, "other") || !strcmp(v, "0") || !*v) {
		*status = 0;
		return 0;
	}
	if (n == 1 && v[0] >= '1' && v[0] <= '5') {
		*status = (v[0] - '0') * 100;
		return 0;
	}
	if (n == 3 && v[0] >= '1' && v[0] <= '5' &&
	    ((v[1] == 'x' && v[2] == 'x') || (v[1] == 'X' && v[2] == 'X'))) {
		*status = (v[0] - '0') * 100;
		return 0;
	}
	if (n == 3 && v[0] >= '1' && v[0] <= '9' && v[1] >= '0' && v[1] <= '9' && v[2] >= '0' && v[2] <= '9') {
		*status = atoi(v);
		return 0;
	}
	return -EINVAL;
}

bool outcome_is_failure(const struct outcome_rule *r, int status, bool *counted)
{
	*counted = true;
	if (status == 0) {
		*counted = r->no_response_failure;
		return r->no_response_failure;
	}
	for (size_t i = 0; i < r->nfailure_codes; i++)
		if (r->failure_codes[i] == status)
			return true;
	return status / 100 < 10 && (r->failure_classes & (1u << (status / 100)));
}

static int load_outcome(struct loader *l, struct ynode *root, struct outcome_rule *o)
{
	static const char *const keys[] = { "failure", "no_response", NULL };
	static const char *const nr[] = { "failure", "ignore", NULL };
	char **list = NULL;
	size_t cnt = 0;
	int no_resp = 0, r;
	struct ynode *n;

	o->failure_classes = 1u << 5;	/* 5xx, the rule every mesh listed here uses */
	o->no_response_failure = true;
	if ((r = section(l, root, "outcome", "outcome", keys, false, &n)))
		return r > 0 ? 0 : r;
	if ((r = get_enum(l, n, "no_response", "outcome", nr, &no_resp)) ||
	    (r = get_str_list(l, ydoc_get(l->d, n, "failure"), "outcome.failure", &list, &cnt)))
		goto out;
	o->no_response_failure = no_resp == 0;
	if (list)
		o->failure_classes = 0;
	for (size_t i = 0; i < cnt; i++) {
		int st;

		if (outcome_parse_status(list[i], &st) || st == 0) {
			r = fail(l, ydoc_get(l->d, n, "failure"), "outcome.failure",
				 "'%s' is not a status code or class like 5xx", list[i]);
			goto out;
		}
		if (strlen(list[i]) == 3 && list[i][1] != 'x' && list[i][1] != 'X') {
			if (o->nfailure_codes == sizeof(o->failure_codes) / sizeof(o->failure_codes[0])) {
				r = fail(l, n, "outcome.failure", "at most 16 single codes");
				goto out;
			}
			o->failure_codes[o->nfailure_codes++] = st;
		} else {
			o->failure_classes |= 1u << (st / 100);
		}
	}
out:
	for (size_t i = 0; i < cnt; i++)
		free(list[i]);
	free(list);
	return r;
}

static const struct { const char *unit; double ns; } units[] = {
	{ "s", 1e9 }, { "seconds", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 },
};

static int load_objectives(struct loader *l, struct ynode *n, struct lat_spec *lat)
{
	if (!n)
		return fail(l, n, "latency.objectives", "missing (summary quantiles and their rank errors)");
	if (want_map(l, n, "latency.objectives"))
		return -EINVAL;
	for (size_t j = 0; j < n->n; j++) {
		struct ynode *k = n->keys[j], *v = n->items[j];
		size_t i = lat->nobjectives;

		if (i == PROFILE_MAX_OBJECTIVES)
			return fail(l, k, "latency.objectives", "at most %d quantiles", PROFILE_MAX_OBJECTIVES);
		if (get_number(l, k, true, "latency.objectives", 0, 1, &lat->quantiles[i]) ||
		    get_number(l, v, false, "latency.objectives", 0, 0.5, &lat->rank_error[i]))
			return -EINVAL;
		lat->nobjectives++;
	}
	return 0;
}

static int load_buckets(struct loader *l, struct ynode *n, struct lat_spec *lat)
{
	size_t cnt;

	if (!n)
		return 0;
	if (n->type != YNODE_SEQ)
		return fail(l, n, "latency.buckets", "must be a list of numbers");
	cnt = n->n;
	lat->buckets = calloc(cnt ? cnt : 1, sizeof(double));
	if (!lat->buckets)
		return -ENOMEM;
	for (size_t j = 0; j < n->n; j++) {
		struct ynode *e = n->items[j];
		double v;

		if (get_number(l, e, false, "latency.buckets", 0, INFINITY, &v))
			return -EINVAL;
		if (lat->nbuckets && v <= lat->buckets[lat->nbuckets - 1])
			return fail(l, e, "latency.buckets", "bounds must increase");
		lat->buckets[lat->nbuckets++] = v;
	}
	return 0;
}

static int load_latency(struct loader *l, struct ynode *root, struct profile *p)
{
	static const char *const keys[] = { "type", "metric", "unit", "match", "source", "destination",
					    "objectives", "resolution", "buckets", NULL };
	static const char *const types[] = { "none", "histogram", "summary", "max", NULL };
	struct lat_spec *lat = &p->lat;
	int type = LAT_NONE, r;
	struct ynode *n;

	if ((r = section(l, root, "latency", "latency", keys, false, &n)))
		return r > 0 ? 0 : r;
	if ((r = get_enum(l, n, "type", "latency", types, &type)))
		return r;
	lat->type = type;
	if (type == LAT_NONE)
		return fail(l, n, "latency.type", "missing (histogram, summary or max)");
	if ((r = get_str(l, n, "metric", "latency", true, &lat->metric)) ||
	    (r = get_str(l, n, "unit", "latency", true, &lat->unit)) ||
	    (r = load_match(l, n, "latency", &lat->match)))
		return r;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(lat->unit, units[i].unit))
			lat->unit_ns = units[i].ns;
	if (!lat->unit_ns)
		return fail(l, ydoc_get(l->d, n, "unit"), "latency.unit", "'%s' is not s, ms, us or ns", lat->unit);
	r = load_endpoint(l, n, "source", "latency", &lat->src, false);
	if (r < 0)
		return r;
	r = load_endpoint(l, n, "destination", "latency", &lat->dst, false);
	if (r < 0)
		return r;
	if (type == LAT_SUMMARY && (r = load_objectives(l, ydoc_get(l->d, n, "objectives"), lat)))
		return r;
	if (type == LAT_MAX) {
		struct ynode *res = ydoc_get(l->d, n, "resolution");

		if (!res)
			return fail(l, n, "latency.resolution", "missing (the step of the gauge, in its unit)");
		if ((r = get_number(l, res, false, "latency.resolution", 0, 1e12, &lat->resolution)))
			return r;
	}
	return load_buckets(l, ydoc_get(l->d, n, "buckets"), lat);
}

static void endpoint_free(struct ep_spec *ep)
{
	str_list_free(ep->labels, ep->nlabels);
	free(ep->pod_label);
	free(ep->ns_label);
	for (size_t i = 0; i < ep->nre; i++)
		pcre2_code_free(ep->re[i]);
	free(ep->re);
	str_list_free(ep->outside, ep->noutside);
}

static char **str_list_copy(char *const *list, size_t n)
{
	char **c = calloc(n ? n : 1, sizeof(char *));

	for (size_t i = 0; c && i < n; i++)
		if (!(c[i] = strdup(list[i]))) {
			str_list_free(c, i);
			return NULL;
		}
	return c;
}

/* Latency ends default to the request ends: the same labels on both metrics is the usual case. */
static int inherit_endpoint(struct ep_spec *dst, const struct ep_spec *src)
{
	*dst = *src;
	dst->labels = str_list_copy(src->labels, src->nlabels);
	dst->outside = str_list_copy(src->outside, src->noutside);
	dst->re = calloc(src->nre ? src->nre : 1, sizeof(pcre2_code *));
	dst->pod_label = src->pod_label ? strdup(src->pod_label) : NULL;
	dst->ns_label = src->ns_label ? strdup(src->ns_label) : NULL;
	dst->nre = 0;
	if (!dst->labels || !dst->outside || !dst->re || (src->pod_label && !dst->pod_label) ||
	    (src->ns_label && !dst->ns_label))
		return -ENOMEM;
	dst->label = dst->nlabels ? dst->labels[0] : NULL;
	for (; dst->nre < src->nre; dst->nre++)
		if (!(dst->re[dst->nre] = pcre2_code_copy(src->re[dst->nre])))
			return -ENOMEM;
	return 0;
}

/* `relabel`: a list of {pattern, name} rules for names that carry labels. */
static int load_relabel(struct loader *l, struct ynode *root, struct profile *p)
{
	static const char *const keys[] = { "pattern", "name", NULL };
	struct ynode *n = ydoc_get(l->d, root, "relabel");
	size_t cnt;
	int r;

	if (!n)
		return 0;
	if (n->type != YNODE_SEQ)
		return fail(l, n, "relabel", "must be a list of {pattern, name}");
	cnt = n->n;
	if (!(p->relabel = calloc(cnt ? cnt : 1, sizeof(*p->relabel))))
		return -ENOMEM;
	for (size_t j = 0; j < n->n; j++) {
		struct ynode *e = n->items[j];
		struct relabel_rule *rr = &p->relabel[p->nrelabel++];
		char *pat = NULL;

		if ((r = want_map(l, e, "relabel")) || (r = check_keys(l, e, "relabel", keys)) ||
		    (r = get_str(l, e, "pattern", "relabel", true, &pat)) ||
		    (r = get_str(l, e, "name", "relabel", true, &rr->name)))
			return r;
		r = compile_regex(l, ydoc_get(l->d, e, "pattern"), "relabel.pattern", pat, false, &rr->re);
		free(pat);
		if (r)
			return r;
	}
	return 0;
}

static int load_requests(struct loader *l, struct ynode *root, struct profile *p)
{
	static const char *const keys[] = { "metric", "match", "skip", "source", "destination", "result", NULL };
	struct ynode *n;
	int r;

	if ((r = section(l, root, "requests", "requests", keys, true, &n)) ||
	    (r = get_str_list(l, ydoc_get(l->d, n, "metric"), "requests.metric", &p->req_metrics,
			      &p->nreq_metrics)))
		return r;
	if (!p->nreq_metrics)
		return fail(l, n, "requests.metric", "missing");
	p->req_metric = p->req_metrics[0];
	if ((r = load_match(l, n, "requests", &p->req_match)) || (r = load_skip(l, n, p)) ||
	    (r = load_endpoint(l, n, "source", "requests", &p->src, true)) ||
	    (r = load_endpoint(l, n, "destination", "requests", &p->dst, true)))
		return r;
	return load_result(l, n, &p->result);
}

static int load_root(struct loader *l, struct profile *p)
{
	static const char *const keys[] = { "name", "description", "side", "topology", "restart_metric",
					    "relabel", "outcome", "requests", "latency", NULL };
	static const char *const sides[] = { "client", "server", NULL };
	static const char *const topo[] = { "sidecar", "proxy", NULL };
	struct ynode *root = ydoc_root(l->d), *lat;
	int side = -1, t = 0, r;

	if (!root)
		return fail(l, NULL, NULL, "empty document");
	if ((r = want_map(l, root, "profile")) || (r = check_keys(l, root, "profile", keys)) ||
	    (r = get_str(l, root, "name", "", true, &p->name)) ||
	    (r = get_str(l, root, "description", "", false, &p->description)) ||
	    (r = get_enum(l, root, "side", "profile", sides, &side)) ||
	    (r = get_enum(l, root, "topology", "profile", topo, &t)) ||
	    (r = get_str(l, root, "restart_metric", "", false, &p->restart_metric)) ||
	    (r = load_relabel(l, root, p)) || (r = load_outcome(l, root, &p->outcome)) ||
	    (r = load_requests(l, root, p)))
		return r;
	if (side < 0)
		return fail(l, root, "side", "missing (client or server: where the mesh measures)");
	p->server_side = side == 1;
	p->standalone_proxy = t == 1;
	lat = ydoc_get(l->d, root, "latency");
	r = load_latency(l, root, p);
	if (r || !lat)
		return r;
	if (!ydoc_get(l->d, lat, "source") && (r = inherit_endpoint(&p->lat.src, &p->src)))
		return r;
	if (!ydoc_get(l->d, lat, "destination") && (r = inherit_endpoint(&p->lat.dst, &p->dst)))
		return r;
	return 0;
}

int profile_parse(const char *text, size_t len, const char *path, struct profile **out,
		  char *err, size_t errlen)
{
	struct ydoc doc;
	struct loader l = { .d = &doc, .path = path, .err = err, .errlen = errlen };
	struct profile *p;
	struct yerr e;
	int r;

	r = ydoc_read(&doc, path, text, len, &e);
	if (r == -ENODATA) {
		memset(&doc, 0, sizeof(doc));	/* as before: an empty text is an empty document */
	} else if (r) {
		snprintf(err, errlen, "'%s': line %d: %s", path, e.line, e.msg);
		return r;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		ydoc_free(&doc);
		return -ENOMEM;
	}
	r = load_root(&l, p);
	ydoc_free(&doc);
	if (!r && !(p->path = strdup(path)))
		r = -ENOMEM;
	if (r) {
		if (r == -ENOMEM)
			snprintf(err, errlen, "'%s': out of memory", path);
		profile_free(p);
		return r;
	}
	*out = p;
	return 0;
}

static void match_free(struct match_spec *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->names[i]);
		free(m->values[i]);
		pcre2_code_free(m->res[i]);
	}
	free(m->names);
	free(m->values);
	free(m->res);
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->path);
	free(p->description);
	free(p->restart_metric);
	str_list_free(p->req_metrics, p->nreq_metrics);
	match_free(&p->req_match);
	for (size_t i = 0; i < p->nskip; i++)
		match_free(&p->skip[i]);
	free(p->skip);
	for (size_t i = 0; i < p->nrelabel; i++) {
		pcre2_code_free(p->relabel[i].re);
		free(p->relabel[i].name);
	}
	free(p->relabel);
	endpoint_free(&p->src);
	endpoint_free(&p->dst);
	str_list_free(p->result.labels, p->result.nlabels);
	str_list_free(p->result.success, p->result.nsuccess);
	str_list_free(p->result.failure, p->result.nfailure);
	free(p->lat.metric);
	free(p->lat.unit);
	free(p->lat.buckets);
	match_free(&p->lat.match);
	endpoint_free(&p->lat.src);
	endpoint_free(&p->lat.dst);
	free(p);
}

bool profile_is_path(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') || (n > 5 && !strcmp(s + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(s + n - 4, ".yml"));
}

/* Candidate directories for profile names, in search order. */
static int profile_dirs(char dirs[4][PATH_MAX])
{
	const char *env = getenv("SMIW_PROFILE_DIR");
	int cnt = 0;

	if (env && *env)
		snprintf(dirs[cnt++], PATH_MAX, "%s", env);
	snprintf(dirs[cnt++], PATH_MAX, "specs/metrics-profiles");
	/* The shipped ones: in the source tree beside the build, or installed under share/. */
	if (!file_data_path("specs/metrics-profiles", dirs[cnt], PATH_MAX))
		cnt++;
	return cnt;
}

int profile_load(const char *name_or_path, struct profile **out, char *err, size_t errlen)
{
	char dirs[4][PATH_MAX], path[PATH_MAX + 64], *text;
	uint64_t t;
	size_t len;
	int r, n;

	if (profile_is_path(name_or_path)) {
		snprintf(path, sizeof(path), "%s", name_or_path);
	} else {
		for (const char *c = name_or_path; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_') {
				snprintf(err, errlen, "'%s' is not a profile name or a .yaml path", name_or_path);
				return -EINVAL;
			}
		n = profile_dirs(dirs);
		path[0] = '\0';
		for (int i = 0; i < n; i++) {
			int w = snprintf(path, sizeof(path), "%s/%s.yaml", dirs[i], name_or_path);

			if (w > 0 && (size_t)w < sizeof(path) && !access(path, R_OK))
				break;
			path[0] = '\0';
		}
		if (!path[0]) {
			snprintf(err, errlen, "no profile named '%s' (looked in %s and beside the binary; "
				 "set SMIW_PROFILE_DIR or give a file)", name_or_path, dirs[n > 3 ? 1 : 0]);
			return -ENOENT;
		}
	}
	r = fetch_document(path, &text, &len, &t, err, errlen);
	if (r)
		return r;
	r = profile_parse(text, len, path, out, err, errlen);
	free(text);
	return r;
}
