/* check_access.c - access verdicts (see checks.h) */
#include <stdio.h>
#include <string.h>

#include "verify/check_route.h"
#include "verify/checks.h"

/* True when the client's view of r is one of the denial forms the expectation accepts. */
static bool denial_accepted(const struct sc_expect *x, const struct vreq *r)
{
	switch (r->outcome) {
	case CO_STATUS:
		if (!(x->denial & SC_DENY_STATUS))
			return false;
		for (size_t i = 0; i < x->n_deny_statuses; i++)
			if (x->deny_statuses[i] == r->status)
				return true;
		return false;
	case CO_RESET:
		return x->denial & SC_DENY_RESET;
	case CO_REFUSED:
		return x->denial & SC_DENY_REFUSED;
	case CO_CLOSED:
		return x->denial & SC_DENY_CLOSED;
	default:
		return false;
	}
}

/* Whether every copy of r (and there is one) was served by an endpoint of the destination. */
static bool served_by_destination(const struct check_ctx *c, const struct sc_traffic *t,
				  const struct vreq *r)
{
	const struct inv_service *svc = inventory_service(c->inv, t->to_ns, t->to);

	if (!r->served || !svc)
		return false;
	for (size_t i = 0; i < r->n_copies; i++)
		if (!inv_service_has_pod(svc, r->copies[i].e->ns, r->copies[i].e->pod))
			return false;
	return true;
}

/* Whether one request shows what the access expectation requires; *why names a miss. */
static bool access_ok(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		      const struct vreq *r, const char **why, bool *positive)
{
	*positive = true;
	if (x->access == SC_ACCESS_DENY) {
		if (r->served) {
			*why = "reached-workload";
			return false;
		}
		if (r->outcome == CO_UNOBSERVED) {
			*why = "unobserved";
			return false;
		}
		if (!denial_accepted(x, r)) {
			*why = "not-denied";
			return false;
		}
		return true;
	}
	if (r->outcome == CO_UNOBSERVED) {
		*why = "unobserved";
		return false;
	}
	if (!vreq_succeeded(r)) {
		*why = "failed";
		return false;
	}
	if (!r->served) {
		/* Only the absence of a server-side record: loss could explain it. */
		*why = "not-delivered";
		*positive = false;
		return false;
	}
	if (!served_by_destination(c, t, r)) {
		*why = "misrouted";
		return false;
	}
	return true;
}

/* What check_access() has found so far among an entry's requests. */
struct access_tally {
	size_t ok, bad, missing;
	bool any_positive, misdelivered;
	char first_pod[160], first[400];	/* the first violation, for the reason */
};

/* Names the first violation r in k->first (and k->first_pod when r was served); later ones leave them. */
static void note_first_violation(const struct check_ctx *c, const struct vreq *r, struct access_tally *k)
{
	char label[48];

	if (!*k->first_pod && r->served) {
		snprintf(k->first_pod, sizeof(k->first_pod), "%s/%s", r->served->ns, r->served->pod);
		char when[40];

		evidence_time(c->obs, r->served->start_ns, when, sizeof(when));
		if (r->followed)
			snprintf(k->first, sizeof(k->first), "%s at %s %s %s, followed: conn %s, peer %s",
				 r->request_id ? r->request_id : "?", k->first_pod, r->served->path, when,
				 r->served->conn, r->served->peer);
		else
			snprintf(k->first, sizeof(k->first), "%s at %s %s", r->request_id ? r->request_id : "?",
				 k->first_pod, r->served->path);
	}
	if (!*k->first)
		snprintf(k->first, sizeof(k->first), "%s: %s", r->request_id,
			 vreq_outcome_label(r, label, sizeof(label)));
}

/* The denial forms x accepts, as a new JSON array of strings ("403", "reset", ...). */
static json_t *accepted_denials(const struct sc_expect *x)
{
	json_t *acc = json_array();

	for (size_t i = 0; i < x->n_deny_statuses && (x->denial & SC_DENY_STATUS); i++)
		json_array_append_new(acc, json_sprintf("%d", x->deny_statuses[i]));
	if (x->denial & SC_DENY_RESET)
		json_array_append_new(acc, json_string("reset"));
	if (x->denial & SC_DENY_REFUSED)
		json_array_append_new(acc, json_string("refused"));
	if (x->denial & SC_DENY_CLOSED)
		json_array_append_new(acc, json_string("closed"));
	return acc;
}

/* Sets out's verdict and reason from the tally of n requests; counts is the client outcomes as text. */
static void access_verdict(const struct sc_traffic *t, const struct sc_expect *x, size_t n,
			   const struct access_tally *k, size_t unobserved, const char *counts,
			   struct eval *out)
{
	if (k->bad && x->access == SC_ACCESS_DENY && *k->first_pod)
		eval_set(out, VERDICT_FAIL, k->any_positive, "%zu of %zu denied requests reached a workload (first: %s); client saw %s",
			 k->bad, n, k->first, counts);
	else if (k->bad && x->access == SC_ACCESS_DENY)
		eval_set(out, VERDICT_FAIL, k->any_positive, "%zu of %zu denied requests were not denied as expected (first: %s); client saw %s",
			 k->bad, n, k->first, counts);
	else if (k->bad)
		eval_set(out, VERDICT_FAIL, k->any_positive, "%zu of %zu allowed requests did not reach %s and succeed (first: %s); client saw %s",
			 k->bad, n, t->to, k->first, counts);
	else if (!n)
		eval_set(out, VERDICT_INCONCLUSIVE, false, "no requests of this entry were observed");
	else if (unobserved)
		eval_set(out, VERDICT_INCONCLUSIVE, false, "%zu of %zu requests were not observed at the client",
			 unobserved, n);
	else if (k->missing)
		eval_set(out, VERDICT_INCONCLUSIVE, false, "only %zu of %llu requests were found in the records",
			 n, (unsigned long long)t->count);
	else if (x->access == SC_ACCESS_DENY)
		eval_set(out, VERDICT_PASS, false, "%zu/%zu denied before reaching %s; client saw %s", k->ok, n, t->to, counts);
	else
		eval_set(out, VERDICT_PASS, false, "%zu/%zu reached %s and succeeded", k->ok, n, t->to);
}

void check_access(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		  const struct vreq *r, size_t n, struct eval *out)
{
	json_t *outcomes = json_object(), *violations = evidence_list(), *unobserved = evidence_list();
	struct access_tally k = { 0 };
	char counts[200], label[48];

	for (size_t i = 0; i < n; i++) {
		const char *why = NULL;
		bool positive;

		evidence_count(outcomes, vreq_outcome_label(&r[i], label, sizeof(label)));
		if (access_ok(c, t, x, &r[i], &why, &positive)) {
			k.ok++;
		} else if (!strcmp(why, "unobserved")) {
			evidence_list_add(unobserved, evidence_request(c, &r[i], why));
		} else {
			note_first_violation(c, &r[i], &k);
			k.bad++;
			k.any_positive |= positive;
			k.misdelivered |= !strcmp(why, "reached-workload") || !strcmp(why, "misrouted");
			evidence_list_add(violations, evidence_request(c, &r[i], why));
		}
	}
	if (t->count && n < t->count)
		k.missing = t->count - n;
	out->evidence = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
		"expected", x->access == SC_ACCESS_DENY ? "deny" : "allow",
		"destination", t->to, "requests", (json_int_t)n, "expected_requests",
		(json_int_t)(t->count ? t->count : n), "conforming", (json_int_t)k.ok,
		"missing", (json_int_t)k.missing, "client_outcomes", outcomes,
		"violations", violations, "unobserved", unobserved);
	evidence_counts_text(outcomes, counts, sizeof(counts));
	if (x->access == SC_ACCESS_DENY)
		json_object_set_new(out->evidence, "accepted_denials", accepted_denials(x));
	access_verdict(t, x, n, &k, evidence_list_total(unobserved), counts, out);
	out->misdelivered = k.bad && k.misdelivered;
}

bool check_probe(const struct check_ctx *c, const struct sc_traffic *t, const struct sc_expect *x,
		 const struct vreq *r, int *backend)
{
	const char *why;
	bool positive;

	*backend = -1;
	if (x->route && !route_probe(c, t, x, r))
		return false;
	if (x->access != SC_ACCESS_NONE && !access_ok(c, t, x, r, &why, &positive))
		return false;
	if (x->split == SC_SPLIT_NONE)
		return true;
	if (!r->served)
		return false;
	for (size_t i = 0; i < x->n_shares; i++) {
		const struct inv_service *svc = inventory_service(c->inv, t->to_ns, x->shares[i].service);

		if (svc && inv_service_has_pod(svc, r->served->ns, r->served->pod)) {
			*backend = (int)i;
			return x->shares[i].weight > 0;
		}
	}
	return false;
}
