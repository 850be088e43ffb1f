/*
 * check_route.c - the Gateway API route verdict (docs/gamma.md): every
 * request must come to what the routes in force say, as the kernel saw it
 * at the client and at the backend process: 404 or the redirect's status
 * and Location at the client with no backend reached; or a 2xx served by
 * a pod of the rule's backends, which received the rewritten path and the
 * modified headers.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "verify/check_route.h"
#include "verify/route_outcome.h"

enum rv { RV_OK, RV_WRONG, RV_UNKNOWN };

/* The outcome for a request's Host, recomputed only when the Host changes. */
struct cache {
	struct gw_outcome *o;
	char host[300];
	int err;
};

static const struct gw_outcome *outcome_for(struct cache *k, const struct sc_traffic *t, const struct sc_expect *x,
					    const struct vreq *r)
{
	char host[300];

	if (r->client && *r->client->host)
		snprintf(host, sizeof(host), "%s", r->client->host);
	else
		route_default_host(t, host, sizeof(host));
	if (strcmp(host, k->host) || !k->host[0]) {
		snprintf(k->host, sizeof(k->host), "%s", host);
		k->err = route_outcome(x, t, host, k->o);
	}
	return k->err ? NULL : k->o;
}

/* Whether the pod that served r is behind one of the services the outcome allows. */
static bool served_by(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		      const struct gw_outcome *o, const struct vreq *r)
{
	if (!x->n_routes) {
		const struct inv_service *svc = inventory_service(c->inv, t->to_ns, t->to);

		return svc && inv_service_has_pod(svc, r->served->ns, r->served->pod);
	}
	for (size_t i = 0; i < o->n_backends; i++) {
		const struct inv_service *svc = inventory_service(c->inv, o->backends[i]->namespace,
								   o->backends[i]->name);

		if (svc && inv_service_has_pod(svc, r->served->ns, r->served->pod))
			return true;
	}
	return false;
}

/*
 * One header field as recorded (raw, the record's headers or
 * response_headers object; `cut`: the record was truncated) against want
 * (NULL: absent). `what` names it in why ("header", "response header").
 */
static enum rv compare_field(const char *raw, bool cut, const char *what, const char *name, const char *want,
			     char *why, size_t len)
{
	char got[4200];
	int n = obs_header(raw, name, got, sizeof(got));

	if (n < 0) {
		snprintf(why, len, "%ss-unreadable", what);
		return RV_UNKNOWN;
	}
	if ((!want && n == 0) || (want && n > 0 && !strcmp(got, want)))
		return RV_OK;
	/* A field the capture cut or redacted cannot be told apart from a wrong one. */
	if (cut || strstr(got, "<redacted>")) {
		snprintf(why, len, "%s %.60s not recorded whole", what, name);
		return RV_UNKNOWN;
	}
	if (!want)
		snprintf(why, len, "%s %.60s: '%.80s' (should be %s)", what, name, got,
			 *what == 'r' ? "absent" : "removed");
	else if (!n)
		snprintf(why, len, "%s %.60s: absent (should be '%.80s')", what, name, want);
	else
		snprintf(why, len, "%s %.60s: '%.80s' (should be '%.80s')", what, name, got, want);
	return RV_WRONG;
}

/* The request headers the backend process received against the outcome's. */
static enum rv headers_ok(const struct gw_outcome *o, const struct obs_exchange *e, char *why, size_t len)
{
	if (!o->n_headers)
		return RV_OK;
	if (!e->headers) {
		snprintf(why, len, "%s", e->has_headers ? "headers-not-read" : "headers-not-recorded");
		return RV_UNKNOWN;
	}
	for (size_t i = 0; i < o->n_headers; i++) {
		enum rv v = compare_field(e->headers, e->truncated, "header", o->headers[i].name, o->headers[i].value,
					  why, len);

		if (v != RV_OK)
			return v;
	}
	return RV_OK;
}

/*
 * RequestMirror: each mirror Service got a copy of the request (an
 * exchange carrying its id at one of its pods, not the one whose answer
 * the client got), with the path the rule forwards.
 */
static enum rv mirrored(const struct check_ctx *c, const struct gw_outcome *o, const struct vreq *r, char *why,
			size_t len)
{
	for (size_t m = 0; m < o->n_mirrors; m++) {
		const struct gw_backend *b = o->mirrors[m];
		const struct inv_service *svc = inventory_service(c->inv, b->namespace, b->name);
		const struct obs_exchange *seen = NULL;

		for (size_t i = 0; svc && i < r->n_copies && !seen; i++)
			if (!r->copies[i].answered && inv_service_has_pod(svc, r->copies[i].e->ns, r->copies[i].e->pod))
				seen = r->copies[i].e;
		if (!seen) {
			snprintf(why, len, "no copy at mirror %s/%s", b->namespace, b->name);
			return RV_WRONG;
		}
		if (strcmp(seen->path, o->path)) {
			snprintf(why, len, "path '%.100s' at mirror %s/%s (should be '%.100s')", seen->path, b->namespace,
				 b->name, o->path);
			return RV_WRONG;
		}
	}
	return RV_OK;
}

/* The value response header `name` must have at the client (NULL: absent); o NULL: no route applies. */
static const char *response_want(const struct gw_outcome *o, const char *name)
{
	for (size_t i = 0; o && i < o->n_resp_headers; i++)
		if (!strcasecmp(o->resp_headers[i].name, name))
			return o->resp_headers[i].value;
	return NULL;
}

/*
 * The response headers the client received against what the routes give:
 * every name a ResponseHeaderModifier of the step's routes touches (o NULL
 * when no route applies to the request: then each must be absent).
 */
static enum rv response_ok(const struct sc_expect *x, const struct gw_outcome *o, const struct obs_exchange *e,
			   char *why, size_t len)
{
	if (!x->n_resp_names)
		return RV_OK;
	if (!e || !e->response_headers) {
		snprintf(why, len, "%s", e && e->has_response_headers ? "response-headers-not-read" :
			 "response-headers-not-recorded");
		return RV_UNKNOWN;
	}
	for (size_t i = 0; i < x->n_resp_names; i++) {
		enum rv v = compare_field(e->response_headers, e->truncated, "response header", x->resp_names[i],
					  response_want(o, x->resp_names[i]), why, len);

		if (v != RV_OK)
			return v;
	}
	return RV_OK;
}

/*
 * A convergence probe: the response headers, where the probe's record has
 * them (the route's effect may be nothing else: the same backend either
 * way); a record without them is judged on the rest.
 */
static enum rv response_probe(const struct sc_expect *x, const struct gw_outcome *o, const struct obs_exchange *e)
{
	char why[200];

	if (!e || !e->response_headers)
		return RV_OK;
	return response_ok(x, o, e, why, sizeof(why)) == RV_WRONG ? RV_WRONG : RV_OK;
}

/* A 404 or a redirect: the status, and a redirect's Location, as the client received them. */
static enum rv answered_by_mesh(const struct gw_outcome *o, const struct vreq *r, char *why, size_t len)
{
	if (r->status != o->status) {
		snprintf(why, len, "status %d (should be %d)", r->status, o->status);
		return RV_WRONG;
	}
	if (o->kind == GW_OUT_REDIRECT && (!r->client || strcmp(r->client->location, o->location))) {
		snprintf(why, len, "Location '%.120s' (should be '%.120s')", r->client ? r->client->location : "",
			 o->location);
		return RV_WRONG;
	}
	return RV_OK;
}

/*
 * One request against the outcome; why names a miss. *misdelivered: it
 * reached a backend it must not have (a wrong one, or any for 404 and redirects).
 */
static enum rv judge(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		     const struct gw_outcome *o, const struct vreq *r, bool probe, char *why, size_t len,
		     bool *misdelivered)
{
	bool backend = !x->n_routes || o->kind == GW_OUT_BACKEND;
	enum rv v;

	*misdelivered = false;
	if (r->outcome == CO_UNOBSERVED) {
		snprintf(why, len, "unobserved");
		return RV_UNKNOWN;
	}
	if (!backend && (r->served || r->served_pods)) {
		snprintf(why, len, "reached a backend (%s)", o->kind == GW_OUT_REDIRECT ? "redirect" : "404");
		*misdelivered = true;
		return RV_WRONG;
	}
	if (r->outcome != CO_STATUS) {
		snprintf(why, len, "no response (%s)", r->outcome == CO_RESET ? "reset" : r->outcome == CO_REFUSED ?
			 "refused" : r->outcome == CO_CLOSED ? "closed" : "connect error");
		return RV_WRONG;
	}
	if (!backend)
		return answered_by_mesh(o, r, why, len);
	if (r->status / 100 != 2) {
		snprintf(why, len, "status %d (should be 2xx)", r->status);
		return RV_WRONG;
	}
	if (!r->served) {
		/* A 2xx came from somewhere: a backend the capture did not see. */
		snprintf(why, len, "backend not observed");
		return RV_UNKNOWN;
	}
	if (!served_by(c, t, x, o, r)) {
		snprintf(why, len, "served by %s/%s (not a backend of the rule)", r->served->ns, r->served->pod);
		*misdelivered = true;
		return RV_WRONG;
	}
	if (!x->n_routes)
		return probe ? response_probe(x, NULL, r->client) : response_ok(x, NULL, r->client, why, len);
	if (strcmp(r->served->path, o->path)) {
		snprintf(why, len, "path '%.100s' at the backend (should be '%.100s')", r->served->path, o->path);
		return RV_WRONG;
	}
	if (o->host[0] && strcmp(r->served->host, o->host)) {
		snprintf(why, len, "Host '%.100s' at the backend (should be '%.100s')", r->served->host, o->host);
		return RV_WRONG;
	}
	/* Probes come from the live capture, which keeps no request headers: the response's, when it has them. */
	if (probe)
		return response_probe(x, o, r->client);
	v = headers_ok(o, r->served, why, len);
	if (v == RV_OK)
		v = mirrored(c, o, r, why, len);
	return v == RV_OK ? response_ok(x, o, r->client, why, len) : v;
}

bool route_probe(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		 const struct vreq *r)
{
	struct cache k = { .o = route_outcome_new() };
	char why[300];
	bool mis, ok;

	ok = k.o && x->n_routes ? outcome_for(&k, t, x, r) != NULL : k.o != NULL;
	ok = ok && judge(c, t, x, k.o, r, true, why, sizeof(why), &mis) == RV_OK;
	route_outcome_free(k.o);
	return ok;
}

/* The verdict from the counts: any wrong request FAILs; one not judged, or none at all, is INCONCLUSIVE. */
static void conclude(struct eval *out, size_t n, size_t n_wrong, size_t n_unknown, const json_t *wrong,
		     const json_t *unknown)
{
	char counts[200] = "no requests observed";

	if (n_wrong) {
		evidence_counts_text(wrong, counts, sizeof(counts));
		eval_set(out, VERDICT_FAIL, true, "%zu of %zu requests not as the routes say: %s", n_wrong, n, counts);
	} else if (n_unknown || !n) {
		if (n_unknown)
			evidence_counts_text(unknown, counts, sizeof(counts));
		eval_set(out, VERDICT_INCONCLUSIVE, false, "%zu of %zu requests could not be judged: %s", n_unknown, n,
			 counts);
	} else {
		eval_set(out, VERDICT_PASS, false, "all %zu requests as the routes say", n);
	}
}

/*
 * The response headers judged at the client into evidence: name -> the
 * value it must have (response_headers), and the names that must be absent.
 */
static void response_evidence(json_t *ev, const struct sc_expect *x, const struct gw_outcome *o)
{
	json_t *values = json_object(), *absent = json_array();

	for (size_t i = 0; i < x->n_resp_names; i++) {
		const char *want = response_want(o, x->resp_names[i]);

		if (want)
			json_object_set_new(values, x->resp_names[i], json_string(want));
		else
			json_array_append_new(absent, json_string(x->resp_names[i]));
	}
	json_object_set_new(ev, "response_headers", values);
	json_object_set_new(ev, "absent_response_headers", absent);
}

void check_route(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		 const struct vreq *r, size_t n, struct eval *out)
{
	struct cache k = { .o = route_outcome_new() };
	json_t *wrong = json_object(), *unknown = json_object(), *examples = evidence_list();
	size_t n_ok = 0, n_wrong = 0, n_unknown = 0;
	bool misdelivered = false;
	char why[300];

	out->evidence = json_object();
	if (!k.o) {
		eval_set(out, VERDICT_INCONCLUSIVE, false, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const struct gw_outcome *o = x->n_routes ? outcome_for(&k, t, x, &r[i]) : k.o;
		bool mis = false;
		enum rv v = o ? judge(c, t, x, o, &r[i], false, why, sizeof(why), &mis) : RV_UNKNOWN;

		if (!o)
			snprintf(why, sizeof(why), "outside the route model's limits");
		if (v == RV_OK) {
			n_ok++;
			continue;
		}
		evidence_count(v == RV_WRONG ? wrong : unknown, why);
		if (v == RV_WRONG) {
			n_wrong++;
			misdelivered |= mis;
			evidence_list_add(examples, evidence_request(c, &r[i], why));
		} else {
			n_unknown++;
		}
	}
	if (x->n_routes && k.host[0] && !k.err)
		json_object_set_new(out->evidence, "expected", route_outcome_json(k.o));
	else if (!x->n_routes)
		json_object_set_new(out->evidence, "expected", json_pack("{s:s, s:s}", "kind", "service",
			"service", t->to));
	if (x->n_resp_names)
		response_evidence(out->evidence, x, x->n_routes && k.host[0] && !k.err ? k.o : NULL);
	conclude(out, n, n_wrong, n_unknown, wrong, unknown);
	out->misdelivered = n_wrong && misdelivered;
done:
	json_object_set_new(out->evidence, "requests", json_integer((json_int_t)n));
	json_object_set_new(out->evidence, "as_expected", json_integer((json_int_t)n_ok));
	json_object_set_new(out->evidence, "wrong", wrong);
	json_object_set_new(out->evidence, "not_judged", unknown);
	json_object_set_new(out->evidence, "wrong_requests", examples);
	route_outcome_free(k.o);
}
