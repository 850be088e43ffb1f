/* expect.c - see expect.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/expect.h"

static void request_of(const struct sc_traffic *t, struct smi_header *h, struct smi_http_request *req)
{
	for (size_t i = 0; i < t->n_headers; i++)
		h[i] = (struct smi_header){ t->headers[i].name, t->headers[i].value };
	*req = (struct smi_http_request){ .method = t->method, .path = t->path,
					  .n_headers = t->n_headers, .headers = h };
}

static int derive_split(const struct expect_ctx *e, const struct sc_traffic *t, struct sc_expect *out,
			json_t *how, char *why, size_t len)
{
	struct smi_header h[t->n_headers + 1];
	struct smi_http_request req;
	struct smi_split_result sr;
	json_t *shares = json_object();
	char name[300];

	request_of(t, h, &req);
	if (smi_split_lookup(e->set, t->to_ns, t->to, &req, &sr)) {
		json_decref(shares);
		snprintf(why, len, "cannot look up the split of %s/%s", t->to_ns, t->to);
		return -EINVAL;
	}
	out->split = SC_SPLIT_EXPLICIT;
	out->n_shares = 0;
	if (!sr.split) {
		/* No split applies: the apex service's own endpoints serve everything. */
		out->shares[out->n_shares++] = (struct sc_share){ t->to, 1 };
		json_object_set_new(shares, t->to, json_real(1));
		json_object_set_new(how, "split", json_null());
	} else {
		if (sr.split->n_backends > SC_MAX_SHARES) {
			json_decref(shares);
			snprintf(why, len, "TrafficSplit %s/%s has more than %d backends", sr.split->meta.namespace,
				 sr.split->meta.name, SC_MAX_SHARES);
			return -EINVAL;
		}
		for (size_t i = 0; i < sr.split->n_backends; i++) {
			const struct smi_backend *b = &sr.split->backends[i];

			if (!inventory_service(e->inv, t->to_ns, b->service)) {
				json_decref(shares);
				snprintf(why, len, "split backend '%s/%s' is not in the inventory", t->to_ns, b->service);
				return -EINVAL;
			}
			out->shares[out->n_shares++] = (struct sc_share){ b->service, (double)b->weight_milli / 1000 };
			json_object_set_new(shares, b->service, json_real(b->share));
		}
		snprintf(name, sizeof(name), "%s/%s", sr.split->meta.namespace, sr.split->meta.name);
		json_object_set_new(how, "split", json_string(name));
		if (sr.split_match)
			json_object_set_new(how, "split_match", json_string(sr.split_match->name));
	}
	json_object_set_new(how, "shares", shares);
	return 0;
}

/* The SMI decision for one destination pod. */
static int decide(const struct expect_ctx *e, const struct sc_traffic *t, const struct inv_pod *src,
		  const struct inv_pod *dst, struct smi_access_result *res)
{
	struct smi_header h[t->n_headers + 1];
	struct smi_http_request req;
	struct smi_peer s = { .service_account = src->service_account, .namespace = src->namespace };
	struct smi_peer d = { .service_account = dst->service_account, .namespace = dst->namespace };

	request_of(t, h, &req);
	return smi_access_http(e->set, &s, &d, (uint16_t)t->port, &req, res);
}

static int derive_access(const struct expect_ctx *e, const struct sc_traffic *t, struct sc_expect *out,
			 json_t *how, char *why, size_t len)
{
	const struct inv_pod *src = inventory_pod(e->inv, t->from_ns, t->from), *first = NULL;
	const struct inv_service *svc = inventory_service(e->inv, t->to_ns, t->to);
	struct smi_access_result res, r0 = { 0 };
	char buf[300];

	if (!e->sc->access_control) {
		/* Without access control the mesh forwards everything the routes lead to. */
		out->access = SC_ACCESS_ALLOW;
		json_object_set_new(how, "decision", json_string("access-control-off"));
		return 0;
	}
	if (!src || !svc || !svc->nendpoints) {
		snprintf(why, len, "no pods behind service %s/%s in the inventory", t->to_ns, t->to);
		return -EINVAL;
	}
	for (size_t i = 0; i < svc->nendpoints; i++) {
		const struct inv_pod *dst = inventory_pod(e->inv, NULL, svc->endpoints[i]);

		if (!dst || decide(e, t, src, dst, &res)) {
			snprintf(why, len, "endpoint '%s' of %s/%s is not in the inventory", svc->endpoints[i],
				 t->to_ns, t->to);
			return -EINVAL;
		}
		if (!first) {
			first = dst;
			r0 = res;
		} else if ((res.verdict == SMI_ALLOW) != (r0.verdict == SMI_ALLOW)) {
			const struct inv_pod *yes = r0.verdict == SMI_ALLOW ? first : dst;
			const struct inv_pod *no = r0.verdict == SMI_ALLOW ? dst : first;

			snprintf(why, len, "the policy allows %s but not %s behind %s: no single expectation",
				 yes->ref, no->ref, t->to);
			return -EINVAL;
		}
	}
	out->access = r0.verdict == SMI_ALLOW ? SC_ACCESS_ALLOW : SC_ACCESS_DENY;
	snprintf(buf, sizeof(buf), "%s/%s", src->namespace, src->service_account);
	json_object_set_new(how, "source", json_string(buf));
	snprintf(buf, sizeof(buf), "%s/%s", first->namespace, first->service_account);
	json_object_set_new(how, "destination", json_string(buf));
	json_object_set_new(how, "port", json_integer(t->port));
	json_object_set_new(how, "decision", json_string(smi_access_verdict_name(r0.verdict)));
	if (r0.target) {
		snprintf(buf, sizeof(buf), "%s/%s", r0.target->meta.namespace, r0.target->meta.name);
		json_object_set_new(how, "traffic_target", json_string(buf));
	}
	if (r0.rule)
		json_object_set_new(how, "rule", json_sprintf("%s %s", smi_kind_name(r0.rule->kind), r0.rule->name));
	if (r0.match)
		json_object_set_new(how, "match", json_string(r0.match->name));
	return 0;
}

int expect_resolve(const struct expect_ctx *e, const struct sc_traffic *t, struct sc_expect *out,
		   json_t **how, char *why, size_t len)
{
	int r = 0;

	*out = t->expect;
	*how = json_pack("{s:s}", "from", t->expect.access == SC_ACCESS_DERIVED ||
			 t->expect.split == SC_SPLIT_DERIVED ? "policy" : "scenario");
	if (t->expect.split == SC_SPLIT_DERIVED)
		r = derive_split(e, t, out, *how, why, len);
	if (!r && t->expect.access == SC_ACCESS_DERIVED)
		r = derive_access(e, t, out, *how, why, len);
	if (!r && t->expect.route) {
		json_object_set_new(*how, "from", json_string("routes"));
		r = expect_route(e, t, out, *how, why, len);
	}
	return r;
}
