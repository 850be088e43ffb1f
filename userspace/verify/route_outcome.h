/*
 * route_outcome.h - the Gateway API outcome of one traffic entry's request
 * (gateway.h gw_http_outcome, gw_grpc_outcome) from the scenario's side: the request the
 * entry sends, the Host it sends it with, and the outcome as evidence.
 */
#ifndef SMIW_VERIFY_ROUTE_OUTCOME_H
#define SMIW_VERIFY_ROUTE_OUTCOME_H

#include <stddef.h>
#include <jansson.h>

#include "gateway/gateway.h"
#include "scenario/scenario.h"

/* A zeroed outcome on the heap (it is large), or NULL. Free with route_outcome_free. */
struct gw_outcome *route_outcome_new(void);
void route_outcome_free(struct gw_outcome *o);

/* The Host the traffic driver sends for t: "SERVICE.NAMESPACE:PORT", into buf. */
void route_default_host(const struct sc_traffic *t, char *buf, size_t len);

/* The kind of route that decides t's requests: GRPCRoutes for an entry of gRPC calls, else HTTPRoutes. */
enum gw_kind route_kind(const struct sc_traffic *t);

/*
 * What t's request sent with Host `host` comes to under x->routes (at least
 * one, of route_kind(t)). Returns 0, or -E2BIG (gw_http_outcome, gw_grpc_outcome).
 */
int route_outcome(const struct sc_expect *x, const struct sc_traffic *t, const char *host, struct gw_outcome *o);

/* The outcome as evidence: kind, the rule, status and Location or path, backends and headers. */
json_t *route_outcome_json(const struct gw_outcome *o);

#endif
