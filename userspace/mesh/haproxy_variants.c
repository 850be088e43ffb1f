/*
 * haproxy_variants.c - the rules the faulty variants add to the reference
 * rendering (haproxy_int.h). Each is real HAProxy 2.6 configuration that
 * cheats in exactly one way, so that a verifier that lets it pass has a
 * blind spot with a name.
 */
#include <stdio.h>
#include <string.h>

#include "mesh/haproxy_int.h"

/*
 * The mirror (the mirror-to-zero-weight variant's, and RequestMirror
 * filters'): HAProxy's own HTTP client (core.httpclient, Lua) sends the
 * copy from the worker itself, after the answer of the chosen server came
 * back and before the client gets it, so every copy is done when the
 * client's request is. Method, path with query and X-Request-Id come from
 * variables the backend sets while the request passes.
 */
const char MESH_MIRROR_LUA[] =
	"-- Installed by smi-witness lab for the mirror-to-zero-weight variant: do not edit.\n"
	"-- http-response lua.mirror ADDR: a copy of the request just answered goes to http://ADDR.\n"
	"local calls = { GET = \"get\", HEAD = \"head\", PUT = \"put\", POST = \"post\", DELETE = \"delete\" }\n"
	"\n"
	"core.register_action(\"mirror\", { \"http-res\" }, function(txn, addr)\n"
	"\tlocal method = txn:get_var(\"txn.mirror_method\") or \"GET\"\n"
	"\tlocal target = txn:get_var(\"txn.mirror_target\") or \"/\"\n"
	"\tlocal id = txn:get_var(\"txn.mirror_id\")\n"
	"\tlocal headers = {}\n"
	"\tif id then headers[\"x-request-id\"] = { id } end\n"
	"\tlocal hc = core.httpclient()\n"
	"\thc[calls[method] or \"get\"](hc, { url = \"http://\" .. addr .. target, headers = headers, timeout = 5000 })\n"
	"end, 1)\n";

void variant_global(struct render *r)
{
	bool variant = r->o->variant == MESH_MIRROR_TO_ZERO_WEIGHT;

	/* One load for both users: a second would register the action twice. */
	if (variant || mesh_policy_has_mirrors(r->p))
		fprintf(r->f, "\t# %s: the mirror action\n\tlua-load %s\n",
			variant ? "mirror-to-zero-weight variant" : "RequestMirror filters",
			r->o->mirror_lua ? r->o->mirror_lua : "mirror.lua");
}

void variant_listener(struct render *r)
{
	if (r->o->variant == MESH_REGENERATE_ID)
		fprintf(r->f, "\t# regenerate-id variant: every request gets a new id\n"
			"\thttp-request set-header X-Request-Id %%[uuid]\n");
}

/* The other HTTP listeners on l's port: the services a Host may name (route-by-host). */
static bool host_target(const struct render *r, const struct mesh_listener *l, const struct mesh_listener *o)
{
	return r->o->variant == MESH_ROUTE_BY_HOST && o != l && !o->tcp && !l->tcp && o->port == l->port &&
	       (strcmp(o->ns, l->ns) || strcmp(o->service, l->service));
}

void variant_host_front(struct render *r, const struct mesh_listener *l, const char *name)
{
	for (int i = 0; i < r->p->n_listeners; i++) {
		const struct mesh_listener *o = &r->p->listeners[i];

		if (!host_target(r, l, o))
			continue;
		fprintf(r->f, "\t# route-by-host variant: a Host naming %s/%s gets its routing\n"
			"\tacl host%d req.hdr(host),field(1,:) -m str %s %s.%s %s.%s.svc %s.%s.svc.cluster.local\n",
			o->ns, o->service, i, o->service, o->service, o->ns, o->service, o->ns, o->service, o->ns);
		/* A rule index no rule has: this listener's routes neither match nor answer 404. */
		if (l->routed)
			fprintf(r->f, "\thttp-request set-var(txn.rule) int(-1) if host%d\n", i);
		fprintf(r->f, "\tuse_backend %s.host%d if host%d\n", name, i, i);
	}
}

void variant_host_backends(struct render *r, const struct mesh_listener *l, const char *name)
{
	char ip[16];

	for (int i = 0; i < r->p->n_listeners; i++) {
		const struct mesh_listener *o = &r->p->listeners[i];

		if (host_target(r, l, o))
			fprintf(r->f, "backend %s.host%d\n\tserver %s.%s %s:%u\n\n", name, i, o->ns, o->service,
				mesh_ip4(o->ip, ip), o->port);
	}
}

/*
 * Once a connection's first request was answered, the rest of its requests
 * go where that one went. Only where there is a choice: with one server of
 * weight above 0 every request goes there either way.
 */
static void per_connection(struct render *r, const struct mesh_server *servers, const unsigned *w, int n)
{
	int k = r->n_backends, choices = 0;

	for (int i = 0; i < n; i++)
		choices += w[i] != 0;
	if (choices < 2)
		return;

	fprintf(r->f, "\t# per-connection-split variant: a client connection keeps the server of its first request\n"
		"\thttp-response set-var(sess.pc%d) srv_name\n", k);
	for (int i = 0; i < n; i++) {
		const struct mesh_pod *pod = &r->p->pods[servers[i].pod];

		if (w[i])
			fprintf(r->f, "\tuse-server %s.%s if { var(sess.pc%d) -m str %s.%s }\n", pod->ns, pod->name, k,
				pod->ns, pod->name);
	}
}

/* After the chosen server answered, a copy of the request to each server of weight 0. */
static void mirror(struct render *r, const struct mesh_server *servers, const unsigned *w, int n)
{
	bool zero = false, some = false;
	char ip[16];

	for (int i = 0; i < n; i++) {
		zero |= !w[i];
		some |= w[i] != 0;
	}
	if (!zero || !some)
		return;
	fprintf(r->f, "\t# mirror-to-zero-weight variant: a copy of every answered request to the weight-0 servers\n"
		"\thttp-request set-var(txn.mirror_method) method\n"
		"\thttp-request set-var(txn.mirror_target) pathq\n"
		"\thttp-request set-var(txn.mirror_id) req.fhdr(x-request-id)\n");
	for (int i = 0; i < n; i++)
		if (!w[i])
			fprintf(r->f, "\thttp-response lua.mirror %s:%u\n", mesh_ip4(r->p->pods[servers[i].pod].ip, ip),
				servers[i].port);
}

void variant_backend(struct render *r, const struct mesh_server *servers, const unsigned *w, int n)
{
	switch (r->o->variant) {
	case MESH_PER_CONNECTION_SPLIT:
		per_connection(r, servers, w, n);
		break;
	case MESH_MIRROR_TO_ZERO_WEIGHT:
		mirror(r, servers, w, n);
		break;
	case MESH_RETRY_FLAKY_BACKEND:
		/* Redispatch picks another server than the one that failed, whenever there is one. */
		fprintf(r->f, "\t# retry-with-flaky-backend variant: a 503 is retried, on another server\n"
			"\tretries 3\n\tretry-on 503\n\toption redispatch 1\n");
		break;
	default:
		break;
	}
	r->n_backends++;
}

bool variant_access(struct render *r, const char *cond, const char *sources)
{
	enum mesh_variant v = r->o->variant;
	bool some = *cond != '\0';

	if (v == MESH_STRIP_ID || v == MESH_REGENERATE_ID) {
		/* Forwarded all the same; only the answer the client gets says "denied". */
		fprintf(r->f, "\t# %s variant: a denied request reaches the pod%s, and the client gets 403\n"
			"\thttp-request set-var(txn.denied) bool(true)%s%s\n", mesh_variant_name(v),
			v == MESH_STRIP_ID ? " without its X-Request-Id" : "", some ? " unless" : "", cond);
		if (v == MESH_STRIP_ID)
			fprintf(r->f, "\thttp-request del-header X-Request-Id if { var(txn.denied) -m bool }\n");
		fprintf(r->f, "\thttp-response return status 403 content-type text/plain string \"Forbidden\" "
			"if { var(txn.denied) -m bool }\n");
		return true;
	}
	if (v == MESH_ALLOW_OTHER_METHODS) {
		/* Denied: what no rule allows, if it is a GET or comes from a source some rule here names. */
		fprintf(r->f, "\t# allow-other-methods variant: a source no rule here allows is denied GET only\n"
			"\tacl variant.get method GET\n"
			"\thttp-request deny deny_status 403 unless%s%s !variant.get%s\n", cond, some ? " or" : "",
			sources);
		return true;
	}
	return false;
}
