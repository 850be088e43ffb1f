/* scenario.c - see scenario.h */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "metrics/edge.h"
#include "metrics/fetch.h"
#include "metrics/profile.h"
#include "scenario/scenario.h"
#include "util/file.h"
#include "util/log.h"
#include "util/yaml_doc.h"
#include "util/yaml_json.h"

#define NS_PER_S 1000000000ULL
#define MAX_STEPS 1000
#define MAX_TRAFFIC 100
#define SC_MAX_MANIFEST (64u << 20)	/* as the SMI model reads at most */

struct ctx {
	struct scenario *sc;
	struct ydoc *d;
	const char *ns;		/* replaces the scenario's own namespace, or NULL */
	const char *own_ns;	/* the scenario's namespace as written */
};

static const char *const top_keys[] = {
	"version", "name", "description", "smispec", "namespace", "access_control", "statistics",
	"defaults", "background", "steps", NULL
};
static const char *const stat_keys[] = { "alpha", "power", "effect", NULL };
static const char *const step_keys[] = {
	"name", "description", "apply", "delete", "converge", "traffic", "metrics", "background", NULL
};
static const char *const traffic_keys[] = {
	"name", "from", "to", "port", "method", "path", "headers", "body", "count", "duration",
	"concurrency", "connections", "via", "protocol", "address", "expect", NULL
};
static const char *const defaults_keys[] = {
	"from", "to", "port", "method", "path", "headers", "body", "count", "duration",
	"concurrency", "connections", "via", "protocol", "address", "expect", "converge", NULL
};
static const char *const metrics_keys[] = { "name", "profile", "scrape", "edges", NULL };
static const char *const expect_keys[] = { "access", "denial", "split", "route", NULL };
static const char *const converge_keys[] = { "timeout", "interval", "consecutive", NULL };

static const struct {
	const char *spec, *group;
} specs[] = {
	{ "traffic-access", "access.smi-spec.io" },
	{ "traffic-specs", "specs.smi-spec.io" },
	{ "traffic-split", "split.smi-spec.io" },
	{ "traffic-metrics", "metrics.smi-spec.io" },
	{ "mesh-http", "gateway.networking.k8s.io" },	/* Gateway API mesh (GAMMA): HTTPRoutes */
};

const char *scenario_spec_group(const char *smispec)
{
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (!strcmp(specs[i].spec, smispec))
			return specs[i].group;
	return NULL;
}

/* snprintf for field paths and names: a truncated path in a message is acceptable. */
static void __attribute__((format(printf, 3, 4))) fld(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static char *keep(struct ctx *c, const char *s)
{
	return strpool_dup(&c->sc->strings, s);
}

/* Names end up in assertion ids and file names: keep them plain. */
bool sc_plain_name_n(const char *s, size_t n)
{
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i])))
			return false;
	return true;
}

bool sc_plain_name(const char *s)
{
	return sc_plain_name_n(s, strlen(s));
}

static bool plain_name(const char *s)
{
	return sc_plain_name(s);
}

static int name_field(struct ctx *c, struct ynode *n, const char *field, const char **out)
{
	const char *s;

	if (ydoc_str(c->d, n, field, &s))
		return -EINVAL;
	if (!plain_name(s))
		return ydoc_error(c->d, n, field, "'%s' is not a plain name (letters, digits, '.', '_', '-'; at most 63)", s);
	*out = keep(c, s);
	return *out ? 0 : -ENOMEM;
}

/* "ns/name" or "name" (namespace from the scenario). */
static int ref_field(struct ctx *c, struct ynode *n, const char *field, const char **ns,
		     const char **name)
{
	const char *s, *slash;
	char buf[128];

	if (ydoc_str(c->d, n, field, &s))
		return -EINVAL;
	slash = strchr(s, '/');
	if (!slash) {
		*ns = c->sc->ns;
		*name = keep(c, s);
	} else {
		if ((size_t)(slash - s) >= sizeof(buf))
			return ydoc_error(c->d, n, field, "namespace too long");
		memcpy(buf, s, (size_t)(slash - s));
		buf[slash - s] = '\0';
		*ns = keep(c, buf);
		*name = keep(c, slash + 1);
	}
	if (!*name || !*ns)
		return -ENOMEM;
	if (!plain_name(*name) || !plain_name(*ns))
		return ydoc_error(c->d, n, field, "'%s' is not a name or namespace/name", s);
	return 0;
}

/* --- expect ---------------------------------------------------------------- */

static int parse_denial(struct ctx *c, struct ynode *n, const char *field, struct sc_expect *e)
{
	char f[160];

	if (n->type != YNODE_SEQ || !ydoc_len(n))
		return ydoc_error(c->d, n, field, "not a list of denial forms (e.g. [403, reset, refused, closed])");
	e->denial = 0;
	e->n_deny_statuses = 0;
	for (size_t i = 0; i < ydoc_len(n); i++) {
		struct ynode *it = ydoc_item(c->d, n, i);
		const char *s = ydoc_scalar(it);

		fld(f, sizeof(f), "%s[%zu]", field, i);
		if (s && !strcmp(s, "reset")) {
			e->denial |= SC_DENY_RESET;
		} else if (s && !strcmp(s, "refused")) {
			e->denial |= SC_DENY_REFUSED;
		} else if (s && !strcmp(s, "closed")) {
			e->denial |= SC_DENY_CLOSED;
		} else if (s && isdigit((unsigned char)*s)) {
			uint64_t st;

			if (ydoc_u64(c->d, it, f, 400, 599, &st))
				return -EINVAL;
			if (e->n_deny_statuses == SC_MAX_DENY_STATUSES)
				return ydoc_error(c->d, it, f, "at most %d statuses", SC_MAX_DENY_STATUSES);
			e->deny_statuses[e->n_deny_statuses++] = (int)st;
			e->denial |= SC_DENY_STATUS;
		} else {
			return ydoc_error(c->d, it, f, "not a denial form (an HTTP status 400-599, reset, refused or closed)");
		}
	}
	return 0;
}

static int parse_split(struct ctx *c, struct ynode *n, const char *field, struct sc_expect *e)
{
	const char *s = ydoc_scalar(n);
	double total = 0;
	char f[160];

	if (s && !strcmp(s, "derived")) {
		e->split = SC_SPLIT_DERIVED;
		return 0;
	}
	if (!n || n->type != YNODE_MAP)
		return ydoc_error(c->d, n, field, "not 'derived' or a mapping of backend service to weight");
	e->split = SC_SPLIT_EXPLICIT;
	e->n_shares = 0;
	for (size_t i = 0; i < n->n; i++) {
		struct ynode *kn = n->keys[i], *vn = n->items[i];
		struct sc_share *sh;

		if (e->n_shares == SC_MAX_SHARES)
			return ydoc_error(c->d, kn, field, "at most %d backends", SC_MAX_SHARES);
		sh = &e->shares[e->n_shares];
		fld(f, sizeof(f), "%s.%s", field, ydoc_scalar(kn) ?: "?");
		if (name_field(c, kn, field, &sh->service) ||
		    ydoc_double(c->d, vn, f, 0, 1e9, &sh->weight))
			return -EINVAL;
		for (size_t j = 0; j < e->n_shares; j++)
			if (!strcmp(e->shares[j].service, sh->service))
				return ydoc_error(c->d, kn, field, "backend '%s' given twice", sh->service);
		total += sh->weight;
		e->n_shares++;
	}
	if (!(total > 0))
		return ydoc_error(c->d, n, field, "no backend has a weight above 0");
	return 0;
}

static int parse_expect(struct ctx *c, struct ynode *n, const char *field, struct sc_expect *e)
{
	struct ynode *v;
	char f[160];

	if (ydoc_known_keys(c->d, n, field, expect_keys))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->denial = SC_DENY_STATUS | SC_DENY_RESET | SC_DENY_REFUSED | SC_DENY_CLOSED;
	e->deny_statuses[0] = 403;
	e->n_deny_statuses = 1;
	if ((v = ydoc_get(c->d, n, "access"))) {
		const char *s = ydoc_scalar(v);

		fld(f, sizeof(f), "%s.access", field);
		if (s && !strcmp(s, "allow"))
			e->access = SC_ACCESS_ALLOW;
		else if (s && !strcmp(s, "deny"))
			e->access = SC_ACCESS_DENY;
		else if (s && !strcmp(s, "derived"))
			e->access = SC_ACCESS_DERIVED;
		else
			return ydoc_error(c->d, v, f, "not one of allow, deny, derived");
	}
	if ((v = ydoc_get(c->d, n, "denial"))) {
		fld(f, sizeof(f), "%s.denial", field);
		if (e->access == SC_ACCESS_ALLOW || e->access == SC_ACCESS_NONE)
			return ydoc_error(c->d, v, f, "only meaningful with access: deny or derived");
		if (parse_denial(c, v, f, e))
			return -EINVAL;
	}
	if ((v = ydoc_get(c->d, n, "split"))) {
		fld(f, sizeof(f), "%s.split", field);
		if (parse_split(c, v, f, e))
			return -EINVAL;
	}
	if ((v = ydoc_get(c->d, n, "route"))) {
		const char *s = ydoc_scalar(v);

		fld(f, sizeof(f), "%s.route", field);
		if (!s || strcmp(s, "derived"))
			return ydoc_error(c->d, v, f, "not 'derived' (from the HTTPRoutes in force)");
		/* The route says all of it: backend or 404 or redirect, and the weights of its backends. */
		if (e->access != SC_ACCESS_NONE || e->split != SC_SPLIT_NONE)
			return ydoc_error(c->d, v, f, "goes alone: the routes decide access and split");
		e->route = true;
	}
	if (e->access == SC_ACCESS_NONE && e->split == SC_SPLIT_NONE && !e->route)
		return ydoc_error(c->d, n, field, "asserts nothing (give access and/or split, or route)");
	return 0;
}

/* --- traffic --------------------------------------------------------------- */

static int parse_headers(struct ctx *c, struct ynode *n, const char *field, struct sc_traffic *t)
{
	size_t cap;

	if (n->type != YNODE_MAP)
		return ydoc_error(c->d, n, field, "not a mapping of header name to value");
	cap = n->n;
	if (cap > SC_MAX_HEADERS)
		return ydoc_error(c->d, n, field, "at most %d headers", SC_MAX_HEADERS);
	free(t->headers);
	t->headers = calloc(cap + 1, sizeof(*t->headers));
	t->n_headers = 0;
	if (!t->headers)
		return -ENOMEM;
	for (size_t i = 0; i < n->n; i++) {
		const char *k = ydoc_scalar(n->keys[i]);
		struct ynode *vn = n->items[i];
		const char *v;

		if (!k || !*k || k[strcspn(k, " \t\r\n:")])
			return ydoc_error(c->d, n->keys[i], field, "not a header name");
		if (ydoc_str(c->d, vn, field, &v))
			return -EINVAL;
		if (v[strcspn(v, "\r\n")])
			return ydoc_error(c->d, vn, field, "header '%s' value has a line break", k);
		t->headers[t->n_headers].name = keep(c, k);
		t->headers[t->n_headers].value = keep(c, v);
		if (!t->headers[t->n_headers++].value)
			return -ENOMEM;
	}
	return 0;
}

static int parse_method(struct ctx *c, struct ynode *n, const char *field, const char **out)
{
	const char *s;

	if (ydoc_str(c->d, n, field, &s))
		return -EINVAL;
	if (!*s || strlen(s) > 16)
		return ydoc_error(c->d, n, field, "not an HTTP method");
	for (const char *p = s; *p; p++)
		if (!isupper((unsigned char)*p))
			return ydoc_error(c->d, n, field, "'%s' is not an HTTP method (upper case)", s);
	*out = keep(c, s);
	return *out ? 0 : -ENOMEM;
}

/* Reads a request path into t->path (kept): starts with '/', no blanks. Returns 0 or -EINVAL/-ENOMEM. */
static int path_field(struct ctx *c, struct ynode *v, const char *f, struct sc_traffic *t)
{
	int r = ydoc_str(c->d, v, f, &t->path);

	if (!r && (t->path[0] != '/' || t->path[strcspn(t->path, " \t\r\n")]))
		r = ydoc_error(c->d, v, f, "not a request path (starts with '/', no blanks)");
	if (!r)
		t->path = keep(c, t->path);
	return r;
}

/* Reads a request body into t->body (kept), at most SC_MAX_BODY bytes. Returns 0 or -EINVAL. */
static int body_field(struct ctx *c, struct ynode *v, const char *f, struct sc_traffic *t)
{
	int r = ydoc_str(c->d, v, f, &t->body);

	if (!r && strlen(t->body) > SC_MAX_BODY)
		r = ydoc_error(c->d, v, f, "longer than %d bytes", SC_MAX_BODY);
	if (!r)
		t->body = keep(c, t->body);
	return r;
}

/* Reads "connections" (new or keep-alive) into t->connections. Returns 0 or -EINVAL. */
static int connections_field(struct ctx *c, struct ynode *v, const char *f, struct sc_traffic *t)
{
	const char *s = ydoc_scalar(v);

	if (s && !strcmp(s, "new"))
		t->connections = SC_CONN_NEW;
	else if (s && !strcmp(s, "keep-alive"))
		t->connections = SC_CONN_KEEP_ALIVE;
	else
		return ydoc_error(c->d, v, f, "not 'new' (a connection per request) or 'keep-alive'");
	return 0;
}

/* Reads "via" (call or direct) into t->via. Returns 0 or -EINVAL. */
static int via_field(struct ctx *c, struct ynode *v, const char *f, struct sc_traffic *t)
{
	const char *s = ydoc_scalar(v);

	if (s && !strcmp(s, "call"))
		t->via = SC_VIA_CALL;
	else if (s && !strcmp(s, "direct"))
		t->via = SC_VIA_DIRECT;
	else
		return ydoc_error(c->d, v, f, "not 'call' or 'direct'");
	return 0;
}

/* address: service | pod. Returns 0 or -EINVAL after the error. */
static int address_field(struct ctx *c, struct ynode *v, const char *f, struct sc_traffic *t)
{
	const char *s = ydoc_scalar(v);

	if (s && !strcmp(s, "service"))
		t->address = SC_ADDR_SERVICE;
	else if (s && !strcmp(s, "pod"))
		t->address = SC_ADDR_POD;
	else
		return ydoc_error(c->d, v, f, "not 'service' or 'pod'");
	return 0;
}

/* Reads "protocol" (h1, h2 or grpc) into t->protocol. Returns 0 or -EINVAL. */
static int protocol_field(struct ctx *c, struct ynode *v, const char *f, struct sc_traffic *t)
{
	const char *s = ydoc_scalar(v);

	if (s && !strcmp(s, "h1"))
		t->protocol = SC_PROTO_H1;
	else if (s && !strcmp(s, "h2"))
		t->protocol = SC_PROTO_H2;
	else if (s && !strcmp(s, "grpc"))
		t->protocol = SC_PROTO_GRPC;
	else
		return ydoc_error(c->d, v, f, "not 'h1', 'h2' or 'grpc'");
	return 0;
}

/* Applies every traffic field present in mapping n (the defaults, then the entry itself). */
static int traffic_fields(struct ctx *c, struct ynode *n, const char *field, struct sc_traffic *t)
{
	char f[160];

	for (size_t i = 0; i < n->n; i++) {
		const char *k = ydoc_scalar(n->keys[i]);
		struct ynode *v = n->items[i];
		uint64_t u;
		int r = 0;

		if (ynode_is_null(v))
			continue;	/* a null field is an absent one */
		fld(f, sizeof(f), "%s.%s", field, k);
		if (!strcmp(k, "name")) {
			r = name_field(c, v, f, &t->name);
		} else if (!strcmp(k, "from")) {
			r = ref_field(c, v, f, &t->from_ns, &t->from);
		} else if (!strcmp(k, "to")) {
			r = ref_field(c, v, f, &t->to_ns, &t->to);
		} else if (!strcmp(k, "port")) {
			r = ydoc_u64(c->d, v, f, 1, 65535, &u);
			t->port = (unsigned)u;
		} else if (!strcmp(k, "method")) {
			r = parse_method(c, v, f, &t->method);
		} else if (!strcmp(k, "path")) {
			r = path_field(c, v, f, t);
		} else if (!strcmp(k, "headers")) {
			r = parse_headers(c, v, f, t);
		} else if (!strcmp(k, "body")) {
			r = body_field(c, v, f, t);
		} else if (!strcmp(k, "count")) {
			r = ydoc_u64(c->d, v, f, 1, 10000000, &t->count);
			t->duration_ns = 0;
		} else if (!strcmp(k, "duration")) {
			r = ydoc_duration(c->d, v, f, 3600 * NS_PER_S, &t->duration_ns);
			if (!r && !t->duration_ns)
				r = ydoc_error(c->d, v, f, "must be above 0");
			t->count = 0;
		} else if (!strcmp(k, "concurrency")) {
			r = ydoc_u64(c->d, v, f, 1, 256, &u);
			t->concurrency = (unsigned)u;
		} else if (!strcmp(k, "connections")) {
			r = connections_field(c, v, f, t);
		} else if (!strcmp(k, "address")) {
			r = address_field(c, v, f, t);
		} else if (!strcmp(k, "via")) {
			r = via_field(c, v, f, t);
		} else if (!strcmp(k, "protocol")) {
			r = protocol_field(c, v, f, t);
		} else if (!strcmp(k, "expect")) {
			r = parse_expect(c, v, f, &t->expect);
		}
		if (r)
			return r;
	}
	return 0;
}

bool sc_traffic_asserts(const struct sc_traffic *t)
{
	return t->expect.access != SC_ACCESS_NONE || t->expect.split != SC_SPLIT_NONE || t->expect.route;
}

/* An entry of a step with a metrics assertion needs no expectation of its own. */
static int parse_traffic(struct ctx *c, struct ynode *defaults, struct ynode *n, const char *field,
			 bool metrics_step, struct sc_traffic *t)
{
	t->port = 9091;
	t->method = "GET";
	t->path = "/";
	t->body = "";
	t->concurrency = 1;
	t->via = SC_VIA_CALL;
	t->line = ydoc_line(n);
	if (ydoc_known_keys(c->d, n, field, traffic_keys))
		return -EINVAL;
	if (defaults && traffic_fields(c, defaults, "defaults", t))
		return -EINVAL;
	if (traffic_fields(c, n, field, t))
		return -EINVAL;
	if (!t->from)
		return ydoc_error(c->d, n, field, "no 'from' (the source pod)");
	if (!t->to)
		return ydoc_error(c->d, n, field, "no 'to' (the destination service)");
	if (!t->count && !t->duration_ns)
		return ydoc_error(c->d, n, field, "neither 'count' nor 'duration'");
	if (!sc_traffic_asserts(t) && !metrics_step)
		return ydoc_error(c->d, n, field, "no 'expect' (what must be observed)");
	/*
	 * A split is tested on independent choices: on a connection per request
	 * every request is one, whatever the mesh balances by.
	 */
	if (t->connections == SC_CONN_DEFAULT)
		t->connections = t->expect.split != SC_SPLIT_NONE ? SC_CONN_NEW : SC_CONN_KEEP_ALIVE;
	/* /call builds the relayed request's Host from its URL: a Host of one's own is sent straight. */
	for (size_t i = 0; i < t->n_headers; i++)
		if (!strcasecmp(t->headers[i].name, "Host") && t->via != SC_VIA_DIRECT)
			return ydoc_error(c->d, n, field, "a Host header needs 'via: direct'");
	for (size_t i = 0; i < t->expect.n_shares; i++) {
		if (!strcmp(t->expect.shares[i].service, t->to))
			return ydoc_error(c->d, n, field, "split backend '%s' is the target service itself",
					  t->to);
	}
	return 0;
}

/* --- converge -------------------------------------------------------------- */

static int parse_converge(struct ctx *c, struct ynode *n, const char *field, struct sc_converge *cv)
{
	const char *s = ydoc_scalar(n);
	struct ynode *v;
	char f[160];
	uint64_t u;

	if (s && (!strcmp(s, "false") || !strcmp(s, "none"))) {
		cv->enabled = false;
		return 0;
	}
	if (ydoc_known_keys(c->d, n, field, converge_keys))
		return -EINVAL;
	cv->enabled = true;
	if ((v = ydoc_get(c->d, n, "timeout"))) {
		fld(f, sizeof(f), "%s.timeout", field);
		if (ydoc_duration(c->d, v, f, 600 * NS_PER_S, &cv->timeout_ns))
			return -EINVAL;
		if (!cv->timeout_ns)
			return ydoc_error(c->d, v, f, "must be above 0");
	}
	if ((v = ydoc_get(c->d, n, "interval"))) {
		fld(f, sizeof(f), "%s.interval", field);
		if (ydoc_duration(c->d, v, f, 60 * NS_PER_S, &cv->interval_ns))
			return -EINVAL;
	}
	if ((v = ydoc_get(c->d, n, "consecutive"))) {
		fld(f, sizeof(f), "%s.consecutive", field);
		if (ydoc_u64(c->d, v, f, 1, 1000, &u))
			return -EINVAL;
		cv->consecutive = (unsigned)u;
	}
	return 0;
}

/* --- metrics --------------------------------------------------------------- */

/*
 * A profile name is looked up beside the scenario first (metrics-profiles/
 * NAME.yaml, as specs/ ships them), then where `metrics check` looks; a file
 * is resolved against the scenario's directory.
 */
static const char *resolve_profile(struct ctx *c, const char *given)
{
	char *path = NULL;
	const char *kept;

	if (profile_is_path(given)) {
		if (given[0] != '/' && strcmp(c->sc->dir, ".") && asprintf(&path, "%s/%s", c->sc->dir, given) < 0)
			return NULL;
	} else if (asprintf(&path, "%s/metrics-profiles/%s.yaml", c->sc->dir, given) < 0) {
		return NULL;
	} else if (access(path, R_OK)) {
		free(path);
		path = NULL;
	}
	kept = keep(c, path ? path : given);
	free(path);
	return kept;
}

/* An edge end written as a plain NAME is in the scenario's namespace, as pod and service names are. */
static const char *edge_in_ns(const char *e, const char *ns, char *buf, size_t len)
{
	const char *eq = strchr(e, '='), *dst = eq + 1;
	char src[300];
	bool src_plain, dst_plain;

	snprintf(src, sizeof(src), "%.*s", (int)(eq - e), e);
	src_plain = strcmp(src, "*") && !strchr(src, '/');
	dst_plain = strcmp(dst, "*") && !strchr(dst, '/');
	if ((!src_plain && !dst_plain) ||
	    snprintf(buf, len, "%s%s%s=%s%s%s", src_plain ? ns : "", src_plain ? "/" : "", src,
		     dst_plain ? ns : "", dst_plain ? "/" : "", dst) >= (int)len)
		return e;
	return buf;
}

static int parse_edges(struct ctx *c, struct ynode *n, const char *field, const struct profile *p,
		       struct sc_metrics *m)
{
	char f[160], err[512], full[700];

	if (n->type != YNODE_SEQ || !ydoc_len(n))
		return ydoc_error(c->d, n, field, "not a list of edges (\"SRC=DST\", e.g. \"*=default/app-b\")");
	if (ydoc_len(n) > SC_MAX_EDGES)
		return ydoc_error(c->d, n, field, "at most %d edges", SC_MAX_EDGES);
	m->edges = calloc(ydoc_len(n), sizeof(*m->edges));
	if (!m->edges)
		return -ENOMEM;
	for (size_t i = 0; i < ydoc_len(n); i++) {
		struct ynode *it = ydoc_item(c->d, n, i);
		struct mx_endpoint src, dst;
		const char *e;

		fld(f, sizeof(f), "%s[%zu]", field, i);
		if (ydoc_str(c->d, it, f, &e))
			return -EINVAL;
		if (mx_edge_parse(p, e, &src, &dst, err, sizeof(err)))
			return ydoc_error(c->d, it, f, "%s", err);
		if (!(m->edges[m->n_edges++] = keep(c, edge_in_ns(e, c->sc->ns, full, sizeof(full)))))
			return -ENOMEM;
	}
	return 0;
}

/* The profile is loaded here once, so that a bad one stops the scenario before anything runs. */
static int parse_metrics(struct ctx *c, struct ynode *n, const char *field, struct sc_metrics *m)
{
	struct profile *p = NULL;
	struct ynode *v;
	const char *s;
	char f[160], err[512];
	int r;

	if (ydoc_known_keys(c->d, n, field, metrics_keys))
		return -EINVAL;
	m->enabled = true;
	m->line = ydoc_line(n);
	m->scrape = "mesh";
	if (!(v = ydoc_get(c->d, n, "profile")))
		return ydoc_error(c->d, n, field, "no 'profile' (how to read the mesh's metrics, e.g. haproxy)");
	fld(f, sizeof(f), "%s.profile", field);
	if (ydoc_str(c->d, v, f, &s))
		return -EINVAL;
	if (fetch_is_url(s))
		return ydoc_error(c->d, v, f, "a profile is a name or a file, not a URL");
	if (!(m->profile = resolve_profile(c, s)))
		return -ENOMEM;
	r = profile_load(m->profile, &p, err, sizeof(err));
	if (r)
		return r == -ENOMEM ? r : ydoc_error(c->d, v, f, "%s", err);
	m->name = plain_name(p->name) ? keep(c, p->name) : "metrics";
	if ((v = ydoc_get(c->d, n, "name"))) {
		fld(f, sizeof(f), "%s.name", field);
		r = name_field(c, v, f, &m->name);
	}
	if (!r && (v = ydoc_get(c->d, n, "scrape"))) {
		fld(f, sizeof(f), "%s.scrape", field);
		r = ydoc_str(c->d, v, f, &m->scrape);
		if (!r && strcmp(m->scrape, "mesh") && !fetch_is_url(m->scrape))
			r = ydoc_error(c->d, v, f, "not 'mesh' (the inventory's mesh.metrics_url) or an http(s):// URL");
		if (!r)
			m->scrape = keep(c, m->scrape);
	}
	if (!r && (v = ydoc_get(c->d, n, "edges"))) {
		fld(f, sizeof(f), "%s.edges", field);
		r = parse_edges(c, v, f, p, m);
	}
	profile_free(p);
	return r;
}

/* --- manifests ------------------------------------------------------------- */

struct obj_ctx {
	struct ctx *c;
	struct sc_manifest *m;
	const char *buf;	/* the manifest file's bytes */
	size_t len;
};

/* The root node's text from the start of its first line, line-aligned (see sc_object.text). */
static const char *doc_text(struct obj_ctx *oc, const struct ynode *root)
{
	size_t from = root->start < oc->len ? root->start : oc->len;
	size_t to = root->end < oc->len ? root->end : oc->len;
	size_t pad = (size_t)root->line - 1;
	char *t;
	const char *kept;

	while (from > 0 && oc->buf[from - 1] != '\n')
		from--;
	if (to < from)
		to = from;
	t = malloc(pad + (to - from) + 2);
	if (!t)
		return NULL;
	memset(t, '\n', pad);
	memcpy(t + pad, oc->buf + from, to - from);
	t[pad + (to - from)] = '\n';
	t[pad + (to - from) + 1] = '\0';
	kept = keep(oc->c, t);
	free(t);
	return kept;
}

/* Every "namespace": from in `v` (metadata, parentRefs, backendRefs, sources, ...) becomes `to`. */
static void move_namespace(json_t *v, const char *from, const char *to)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_array(v))
		json_array_foreach(v, i, x)
			move_namespace(x, from, to);
	if (!json_is_object(v))
		return;
	json_object_foreach(v, key, x) {
		if (!strcmp(key, "namespace") && json_is_string(x) && !strcmp(json_string_value(x), from))
			json_object_set_new(v, key, json_string(to));
		else
			move_namespace(x, from, to);
	}
}

/*
 * An object that names the scenario's own namespace, in a scenario placed
 * in another (scenario_load_in): its text as JSON with that namespace
 * replaced wherever it is named, on the document's first line (so a
 * problem in it is reported at the document). Returns `text` itself when
 * nothing moves, or NULL when out of memory.
 */
static const char *moved_text(struct ctx *c, const char *text, unsigned line)
{
	char err[200], *dump, *t;
	const char *kept;
	json_t *docs;

	if (!c->ns || !strcmp(c->ns, c->own_ns) || !strstr(text, c->own_ns))
		return text;
	docs = yaml_json_load_buffer(text, strlen(text), err, sizeof(err));
	if (!docs)
		return text;	/* not JSON-able: the loader reports it as written */
	move_namespace(json_array_get(docs, 0), c->own_ns, c->ns);
	dump = json_dumps(json_array_get(docs, 0), JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(docs);
	if (!dump || asprintf(&t, "%*s%s\n", (int)(line - 1), "", dump) < 0) {
		free(dump);
		return NULL;
	}
	free(dump);
	memset(t, '\n', line - 1);
	kept = keep(c, t);
	free(t);
	return kept;
}

static int add_object(struct ydoc *d, struct ynode *root, void *arg)
{
	struct obj_ctx *oc = arg;
	struct sc_manifest *m = oc->m;
	struct ynode *meta = ydoc_get(d, root, "metadata");
	const char *api = ydoc_scalar(ydoc_get(d, root, "apiVersion"));
	const char *kind = ydoc_scalar(ydoc_get(d, root, "kind"));
	const char *slash;
	struct sc_object *o, *grown;

	if (root->type != YNODE_MAP || !api || !kind)
		return ydoc_error(d, root, "(document)", "not a Kubernetes object (needs apiVersion and kind)");
	grown = realloc(m->objects, (m->n_objects + 1) * sizeof(*m->objects));
	if (!grown)
		return -ENOMEM;
	m->objects = grown;
	o = &m->objects[m->n_objects++];
	slash = strchr(api, '/');
	if (slash) {
		char group[128];

		fld(group, sizeof(group), "%.*s", (int)(slash - api), api);
		o->group = keep(oc->c, group);
		o->version = keep(oc->c, slash + 1);
	} else {
		o->group = keep(oc->c, "");
		o->version = keep(oc->c, api);
	}
	o->kind = keep(oc->c, kind);
	o->name = keep(oc->c, ydoc_scalar(ydoc_get(d, meta, "name")) ?: "");
	o->ns = ydoc_scalar(ydoc_get(d, meta, "namespace")) ?: oc->c->sc->ns;
	if (oc->c->ns && !strcmp(o->ns, oc->c->own_ns))
		o->ns = oc->c->sc->ns;
	o->ns = keep(oc->c, o->ns);
	o->line = ydoc_line(root);
	o->text = doc_text(oc, root);
	if (o->text)
		o->text = moved_text(oc->c, o->text, o->line);
	return o->text ? 0 : -ENOMEM;
}

static int parse_manifests(struct ctx *c, struct ynode *n, const char *field,
			   struct sc_manifest **out, size_t *n_out)
{
	char f[160];

	if (n->type != YNODE_SEQ)
		return ydoc_error(c->d, n, field, "not a list of manifest files");
	*out = calloc(ydoc_len(n) + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < ydoc_len(n); i++) {
		struct ynode *it = ydoc_item(c->d, n, i);
		struct sc_manifest *m = &(*out)[i];
		struct obj_ctx oc = { c, m, NULL, 0 };
		char *full, *text;
		int r;

		fld(f, sizeof(f), "%s[%zu]", field, i);
		if (ydoc_str(c->d, it, f, &m->given))
			return -EINVAL;
		m->given = keep(c, m->given);
		*n_out = i + 1;
		if (m->given[0] == '/' || !strcmp(c->sc->dir, "."))
			full = strdup(m->given);
		else if (asprintf(&full, "%s/%s", c->sc->dir, m->given) < 0)
			full = NULL;
		if (!full)
			return -ENOMEM;
		m->path = keep(c, full);
		free(full);
		if (access(m->path, R_OK))
			return ydoc_error(c->d, it, f, "cannot read manifest '%s': %s", m->path,
					  strerror(errno));
		if ((r = file_read_all(m->path, SC_MAX_MANIFEST, &text, &oc.len)))
			return ydoc_error(c->d, it, f, "cannot read manifest '%s': %s", m->path,
					  strerror(-r));
		oc.buf = text;
		r = ydoc_each(m->path, add_object, &oc);
		free(text);
		if (r)
			return r;
		if (!m->n_objects)
			return ydoc_error(c->d, it, f, "manifest '%s' holds no object", m->path);
	}
	return 0;
}

/* --- steps and the whole file ---------------------------------------------- */

/* Reads a step's apply, delete, converge, metrics and background, if present. Returns 0 or -EINVAL. */
static int step_sections(struct ctx *c, struct ynode *defaults, struct ynode *n, const char *field,
			 struct sc_step *st)
{
	struct ynode *v;
	char f[160];

	if ((v = ydoc_get(c->d, n, "apply"))) {
		fld(f, sizeof(f), "%s.apply", field);
		if (parse_manifests(c, v, f, &st->apply, &st->n_apply))
			return -EINVAL;
	}
	if ((v = ydoc_get(c->d, n, "delete"))) {
		fld(f, sizeof(f), "%s.delete", field);
		if (parse_manifests(c, v, f, &st->del, &st->n_del))
			return -EINVAL;
	}
	if ((v = ydoc_get(c->d, defaults, "converge")) && parse_converge(c, v, "defaults.converge", &st->converge))
		return -EINVAL;
	if ((v = ydoc_get(c->d, n, "converge"))) {
		fld(f, sizeof(f), "%s.converge", field);
		if (parse_converge(c, v, f, &st->converge))
			return -EINVAL;
	}
	if ((v = ydoc_get(c->d, n, "metrics"))) {
		fld(f, sizeof(f), "%s.metrics", field);
		if (parse_metrics(c, v, f, &st->metrics))
			return -EINVAL;
	}
	if ((v = ydoc_get(c->d, n, "background"))) {
		fld(f, sizeof(f), "%s.background", field);
		if (sc_background_parse(c->d, v, f, &c->sc->strings, c->sc->ns, &st->background, &st->n_background))
			return -EINVAL;
	}
	return 0;
}

/* Reads step n's traffic list into st->traffic (owned by st), naming unnamed entries tN. Returns 0 or -errno. */
static int step_traffic(struct ctx *c, struct ynode *defaults, struct ynode *n, const char *field,
			struct sc_step *st)
{
	struct ynode *traffic = ydoc_get(c->d, n, "traffic");
	char f[160];

	fld(f, sizeof(f), "%s.traffic", field);
	if (!traffic || traffic->type != YNODE_SEQ || !ydoc_len(traffic))
		return ydoc_error(c->d, traffic ? traffic : n, f, "a step needs a non-empty traffic list");
	if (ydoc_len(traffic) > MAX_TRAFFIC)
		return ydoc_error(c->d, traffic, f, "at most %d entries", MAX_TRAFFIC);
	st->traffic = calloc(ydoc_len(traffic), sizeof(*st->traffic));
	if (!st->traffic)
		return -ENOMEM;
	for (size_t i = 0; i < ydoc_len(traffic); i++) {
		struct sc_traffic *t = &st->traffic[i];

		fld(f, sizeof(f), "%s.traffic[%zu]", field, i);
		st->n_traffic = i + 1;
		t->index = (unsigned)i + 1;
		if (parse_traffic(c, defaults, ydoc_item(c->d, traffic, i), f, st->metrics.enabled, t))
			return -EINVAL;
		if (!t->name) {
			char nm[16];

			fld(nm, sizeof(nm), "t%zu", i + 1);
			t->name = keep(c, nm);
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(st->traffic[j].name, t->name))
				return ydoc_error(c->d, ydoc_item(c->d, traffic, i), f,
						  "name '%s' used twice in this step", t->name);
	}
	return 0;
}

/* Reads step number idx (from 1) from mapping n into st. Returns 0, -EINVAL or -ENOMEM. */
static int parse_step(struct ctx *c, struct ynode *defaults, struct ynode *n, unsigned idx,
		      struct sc_step *st)
{
	struct ynode *v;
	char field[64], f[160];
	const struct sc_converge dflt = {
		.enabled = true, .timeout_ns = 30 * NS_PER_S, .interval_ns = NS_PER_S / 10,
		.consecutive = 5,
	};

	fld(field, sizeof(field), "steps[%u]", idx - 1);
	st->index = idx;
	st->line = ydoc_line(n);
	st->converge = dflt;
	if (ydoc_known_keys(c->d, n, field, step_keys))
		return -EINVAL;
	if ((v = ydoc_get(c->d, n, "name"))) {
		fld(f, sizeof(f), "%s.name", field);
		if (name_field(c, v, f, &st->name))
			return -EINVAL;
	} else {
		fld(f, sizeof(f), "step-%u", idx);
		st->name = keep(c, f);
	}
	st->description = keep(c, ydoc_scalar(ydoc_get(c->d, n, "description")) ?: "");
	if (step_sections(c, defaults, n, field, st))
		return -EINVAL;
	return step_traffic(c, defaults, n, field, st);
}

static int parse_statistics(struct ctx *c, struct ynode *n)
{
	struct ynode *v;

	if (ydoc_known_keys(c->d, n, "statistics", stat_keys))
		return -EINVAL;
	if ((v = ydoc_get(c->d, n, "alpha")) &&
	    ydoc_double(c->d, v, "statistics.alpha", 1e-9, 0.2, &c->sc->alpha))
		return -EINVAL;
	if ((v = ydoc_get(c->d, n, "power")) &&
	    ydoc_double(c->d, v, "statistics.power", 0.5, 0.999999, &c->sc->power))
		return -EINVAL;
	if ((v = ydoc_get(c->d, n, "effect")) &&
	    ydoc_double(c->d, v, "statistics.effect", 0.01, 0.5, &c->sc->effect))
		return -EINVAL;
	return 0;
}

/* Reads the top level's identity (version to access_control) into c->sc. Returns 0 or -errno. */
static int top_identity(struct ctx *c, struct ydoc *d, struct ynode *root)
{
	struct scenario *sc = c->sc;
	struct ynode *v;
	uint64_t u;

	v = ydoc_get(d, root, "version");
	if (!v)
		return ydoc_error(d, root, "version", "missing (this reader knows version 1)");
	if (ydoc_u64(d, v, "version", 1, 1, &u))
		return -EINVAL;
	if (!(v = ydoc_get(d, root, "name")))
		return ydoc_error(d, root, "name", "missing");
	if (name_field(c, v, "name", &sc->name))
		return -EINVAL;
	sc->description = keep(c, ydoc_scalar(ydoc_get(d, root, "description")) ?: "");
	if (!(v = ydoc_get(d, root, "smispec")))
		return ydoc_error(d, root, "smispec", "missing (traffic-access, traffic-specs, traffic-split, traffic-metrics or mesh-http)");
	if (ydoc_str(d, v, "smispec", &sc->smispec) || !scenario_spec_group(sc->smispec))
		return ydoc_error(d, v, "smispec", "not one of traffic-access, traffic-specs, traffic-split, traffic-metrics, mesh-http");
	sc->smispec = keep(c, sc->smispec);
	sc->ns = "default";
	if ((v = ydoc_get(d, root, "namespace")) && name_field(c, v, "namespace", &sc->ns))
		return -EINVAL;
	c->own_ns = sc->ns;
	if (c->ns && !(sc->ns = keep(c, c->ns)))
		return -ENOMEM;
	/* Access scenarios run with access control on, others with it off, unless they say. */
	sc->access_control = !strcmp(sc->smispec, "traffic-access") || !strcmp(sc->smispec, "traffic-specs");
	if ((v = ydoc_get(d, root, "access_control")) &&
	    ydoc_bool(d, v, "access_control", &sc->access_control))
		return -EINVAL;
	return 0;
}

/* Reads the steps list into c->sc->steps (owned by the scenario), names unique. Returns 0 or -errno. */
static int top_steps(struct ctx *c, struct ydoc *d, struct ynode *root, struct ynode *defaults)
{
	struct scenario *sc = c->sc;
	struct ynode *steps = ydoc_get(d, root, "steps");
	char f[64];

	if (!steps || steps->type != YNODE_SEQ || !ydoc_len(steps))
		return ydoc_error(d, steps ? steps : root, "steps", "a non-empty list of steps is required");
	if (ydoc_len(steps) > MAX_STEPS)
		return ydoc_error(d, steps, "steps", "at most %d steps", MAX_STEPS);
	sc->steps = calloc(ydoc_len(steps), sizeof(*sc->steps));
	if (!sc->steps)
		return -ENOMEM;
	for (size_t i = 0; i < ydoc_len(steps); i++) {
		sc->n_steps = i + 1;
		if (parse_step(c, defaults, ydoc_item(d, steps, i), (unsigned)i + 1, &sc->steps[i]))
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(sc->steps[j].name, sc->steps[i].name)) {
				fld(f, sizeof(f), "steps[%zu].name", i);
				return ydoc_error(d, ydoc_item(d, steps, i), f, "'%s' used by an earlier step",
						  sc->steps[i].name);
			}
	}
	return 0;
}

/* ydoc_each() callback: reads the scenario document root into the ctx arg. Returns 0 or -errno. */
static int parse_top(struct ydoc *d, struct ynode *root, void *arg)
{
	struct ctx *c = arg;
	struct scenario *sc = c->sc;
	struct ynode *v, *defaults;
	int r;

	c->d = d;
	if (sc->steps)
		return ydoc_error(d, root, "(document)", "a scenario file holds one YAML document");
	if (ydoc_known_keys(d, root, "(top level)", top_keys))
		return -EINVAL;
	r = top_identity(c, d, root);
	if (r)
		return r;
	if ((v = ydoc_get(d, root, "statistics")) && parse_statistics(c, v))
		return -EINVAL;
	if ((v = ydoc_get(d, root, "background")) &&
	    sc_background_parse(d, v, "background", &sc->strings, sc->ns, &sc->background, &sc->n_background))
		return -EINVAL;
	defaults = ydoc_get(d, root, "defaults");
	if (defaults && ydoc_known_keys(d, defaults, "defaults", defaults_keys))
		return -EINVAL;
	return top_steps(c, d, root, defaults);
}

int scenario_load(struct scenario *sc, const char *path)
{
	return scenario_load_in(sc, path, NULL);
}

int scenario_load_in(struct scenario *sc, const char *path, const char *ns)
{
	struct ctx c = { .sc = sc, .ns = ns };
	char *tmp;
	int r;

	memset(sc, 0, sizeof(*sc));
	sc->alpha = 0.001;
	sc->power = 0.99;
	sc->effect = 0.10;
	tmp = strdup(path);
	if (!tmp)
		return -ENOMEM;
	sc->path = strpool_dup(&sc->strings, path);
	sc->dir = strpool_dup(&sc->strings, dirname(tmp));
	free(tmp);
	if (!sc->dir)
		return -ENOMEM;
	r = ydoc_each(path, parse_top, &c);
	if (!r && !sc->steps) {
		error("cannot load '%s': empty scenario", path);
		r = -EINVAL;
	}
	if (r == -ENOMEM)
		error("cannot load '%s': out of memory", path);
	return r;
}

static const char *version_in(const struct sc_manifest *m, size_t n, const char *group)
{
	const char *v = NULL;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m[i].n_objects; j++)
			if (!strcmp(m[i].objects[j].group, group))
				v = m[i].objects[j].version;
	return v;
}

const char *scenario_spec_version(const struct scenario *sc, unsigned step)
{
	const char *group = scenario_spec_group(sc->smispec), *v = NULL, *first = NULL;

	if (!group)
		return "";
	for (size_t i = 0; i < sc->n_steps; i++) {
		const char *here = version_in(sc->steps[i].apply, sc->steps[i].n_apply, group);

		if (here && !first)
			first = here;
		if (here && sc->steps[i].index <= step)
			v = here;
	}
	if (!v && !first && !strcmp(sc->smispec, "traffic-metrics"))
		return "v1alpha1";	/* what a metrics scenario checks: the quantities of the only version */
	return v ? v : first ? first : "";
}

bool sc_step_background(const struct scenario *sc, const struct sc_step *st, const struct inventory *inv,
			const char *ns, const char *pod, bool server, const char *method, const char *path)
{
	for (size_t i = 0; i < sc->n_background; i++)
		if (sc_background_matches(&sc->background[i], inv, ns, pod, server, method, path))
			return true;
	for (size_t i = 0; st && i < st->n_background; i++)
		if (sc_background_matches(&st->background[i], inv, ns, pod, server, method, path))
			return true;
	return false;
}

static void free_manifests(struct sc_manifest *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].objects);
	free(m);
}

void scenario_free(struct scenario *sc)
{
	for (size_t i = 0; i < sc->n_steps; i++) {
		struct sc_step *st = &sc->steps[i];

		free_manifests(st->apply, st->n_apply);
		free_manifests(st->del, st->n_del);
		for (size_t j = 0; j < st->n_traffic; j++)
			free(st->traffic[j].headers);
		free(st->traffic);
		free(st->metrics.edges);
		sc_background_free(st->background, st->n_background);
	}
	sc_background_free(sc->background, sc->n_background);
	free(sc->steps);
	strpool_free(&sc->strings);
	memset(sc, 0, sizeof(*sc));
}
