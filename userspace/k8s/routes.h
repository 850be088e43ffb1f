/*
 * routes.h - Gateway API routes on the API server (HTTPRoute, GRPCRoute of
 * gateway.networking.k8s.io): which versions of each kind it serves, and
 * the objects. The mesh profile (GAMMA) binds them to Services.
 */
#ifndef SMIW_K8S_ROUTES_H
#define SMIW_K8S_ROUTES_H

#include <jansson.h>

#include "k8s/client.h"
#include "k8s/smi.h"

/* The route kinds smi-witness reads and applies, in the order of enum gw_kind (gateway/gateway.h). */
extern const struct smi_kind_ref k8s_route_kinds[];
extern const unsigned k8s_route_kinds_count;

/*
 * Asks the API server which versions of each route kind it serves. The
 * kinds differ (GRPCRoute was never v1beta1), so each version of the group
 * is asked for its resources. *out gets a new array of {"group", "version",
 * "kind", "plural", "path", "served_versions": [...]} as k8s_smi_discover()
 * gives, "version" the newest served (v1, then v1beta1, then v1alpha2);
 * kinds not served are left out. Returns 0 or a client error.
 */
int k8s_routes_discover(struct k8s_client *c, json_t **out);

#endif
