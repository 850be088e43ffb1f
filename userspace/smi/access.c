/*
 * access.c - TrafficTarget (access.smi-spec.io v1alpha1..v1alpha4) and
 * IdentityBinding (v1alpha4).
 *
 * v1alpha1 has no spec (destination, specs, sources at the top level) and a
 * destination port; v1alpha2 moves them under spec and renames specs to
 * rules; v1alpha3 drops destination.port (ports move to TCPRoute/UDPRoute)
 * and requires "a destination, at least one rule, and at least one source";
 * v1alpha4 names identities through IdentityBinding.
 */
#include <string.h>

#include "smi/internal.h"

static void decode_identity(struct dctx *c, struct smi_identity *id, struct ynode *n,
			    const char *path, const char *default_ns)
{
	const char *kind, *group;

	id->line = n->line;
	if (!want_map(c, n, path))
		return;
	kind = str_field(c, n, path, "kind", true);
	id->name = str_field(c, n, path, "name", true);
	id->namespace = str_field(c, n, path, "namespace", false);
	/* An identity without a namespace is in the TrafficTarget's own. */
	if (!id->namespace)
		id->namespace = default_ns;
	id->kind = SMI_ID_SERVICE_ACCOUNT;
	if (c->version >= SMI_V1ALPHA4) {
		group = str_field(c, n, path, "group", false);
		if (kind && !strcmp(kind, "IdentityBinding")) {
			id->kind = SMI_ID_IDENTITY_BINDING;
			if (group && strcmp(group, "access.smi-spec.io"))
				derr(c, field(n, "group"), path_key(c, path, "group"),
				     "'%s' is not the group of IdentityBinding (access.smi-spec.io)", group);
		} else if (kind && strcmp(kind, "ServiceAccount")) {
			derr(c, field(n, "kind"), path_key(c, path, "kind"),
			     "'%s' is not supported (expected ServiceAccount or IdentityBinding)", kind);
		}
	} else if (kind && strcmp(kind, "ServiceAccount")) {
		derr(c, field(n, "kind"), path_key(c, path, "kind"),
		     "'%s' is not supported (expected ServiceAccount)", kind);
	}
}

static bool rule_kind_ok(int version, const char *kind, enum smi_kind *out)
{
	if (!strcmp(kind, "HTTPRouteGroup"))
		*out = SMI_HTTP_ROUTE_GROUP;
	else if (!strcmp(kind, "TCPRoute"))
		*out = SMI_TCP_ROUTE;
	else if (!strcmp(kind, "UDPRoute") && version >= SMI_V1ALPHA3)
		*out = SMI_UDP_ROUTE;
	else
		return false;
	return true;
}

static void decode_rule(struct dctx *c, struct smi_rule *r, struct ynode *n, const char *path)
{
	const char *kind;
	struct ynode *m;

	r->line = n->line;
	if (!want_map(c, n, path))
		return;
	kind = str_field(c, n, path, "kind", true);
	r->name = str_field(c, n, path, "name", true);
	if (kind && !rule_kind_ok(c->version, kind, &r->kind))
		derr(c, field(n, "kind"), path_key(c, path, "kind"), "'%s' is not allowed (expected %s)",
		     kind, c->version >= SMI_V1ALPHA3 ? "HTTPRouteGroup, TCPRoute or UDPRoute"
						      : "HTTPRouteGroup or TCPRoute");
	m = field(n, "matches");
	if (m) {
		r->match_names = str_list(c, m, path_key(c, path, "matches"), &r->n_match_names);
		if (r->n_match_names && r->kind != SMI_HTTP_ROUTE_GROUP)
			dwarn(c, m, path_key(c, path, "matches"),
			      "match names only select HTTPRouteGroup matches; ignored for %s", kind);
	}
	unknown_fields_plain(c, n, path);
}

/* Decodes a list of rules or sources; `what` names it in the "at least one" error. */
static size_t decode_list(struct dctx *c, struct ynode *list, const char *path, const char *what,
			  void **out, size_t size, const char *ns)
{
	char *items;
	size_t n;

	if (!want_seq(c, list, path))
		return 0;
	if (list->n == 0 && c->version >= SMI_V1ALPHA3)
		derr(c, list, path, "at least one %s is required", what);
	n = list->n;
	items = arena_alloc(c->a, (n + 1) * size);
	for (size_t i = 0; i < n; i++) {
		const char *p = path_index(c, path, i);

		if (size == sizeof(struct smi_rule))
			decode_rule(c, (struct smi_rule *)(items + i * size), list->items[i], p);
		else
			decode_identity(c, (struct smi_identity *)(items + i * size), list->items[i], p, ns);
	}
	*out = items;
	return n;
}

void *decode_target(struct dctx *c, struct ynode *root)
{
	struct smi_traffic_target *t = arena_alloc(c->a, sizeof(*t));
	bool in_spec = c->version >= SMI_V1ALPHA2;
	const char *sp = in_spec ? "spec" : "";
	const char *ns = c->set->priv->default_namespace;
	struct ynode *spec = root, *dst, *v, *md = field(root, "metadata");

	/* Identities default to the target's namespace: read it before metadata is. */
	if (md && md->type == YNODE_MAP && (v = field(md, "namespace")) && v->type == YNODE_SCALAR &&
	    v->kind == YSCALAR_STRING)
		ns = v->str;
	if (in_spec) {
		spec = field_req(c, root, "", "spec");
		if (!spec || !want_map(c, spec, "spec"))
			return t;
	}
	dst = field_req(c, spec, sp, "destination");
	if (dst) {
		const char *dp = path_key(c, sp, "destination");

		decode_identity(c, &t->destination, dst, dp, ns);
		if (c->version <= SMI_V1ALPHA2 && dst->type == YNODE_MAP) {
			int64_t port;

			if ((v = field(dst, "port"))) {
				if (want_int(c, v, path_key(c, dp, "port"), 1, 65535, &port))
					t->port = (uint16_t)port;
			} else if (c->version == SMI_V1ALPHA1) {
				/* The v1alpha1 document makes port optional; its CRD requires it. */
				dwarn(c, dst, path_key(c, dp, "port"),
				      "not set: all ports (the v1alpha1 CRD schema requires it)");
			}
		}
		if (dst->type == YNODE_MAP)
			unknown_fields_plain(c, dst, dp);
	}
	v = c->version >= SMI_V1ALPHA3 ? field_req(c, spec, sp, "rules")
	    : field(spec, in_spec ? "rules" : "specs");
	if (v)
		t->n_rules = decode_list(c, v, path_key(c, sp, in_spec ? "rules" : "specs"), "rule",
					 (void **)&t->rules, sizeof(struct smi_rule), ns);
	v = c->version >= SMI_V1ALPHA3 ? field_req(c, spec, sp, "sources") : field(spec, "sources");
	if (v)
		t->n_sources = decode_list(c, v, path_key(c, sp, "sources"), "source",
					   (void **)&t->sources, sizeof(struct smi_identity), ns);
	if (in_spec)
		unknown_fields_plain(c, spec, "spec");
	return t;
}

static void decode_selector(struct dctx *c, struct smi_identity_binding *b, struct ynode *sel,
			    const char *path)
{
	struct ynode *ml;

	b->has_selector = true;
	if (!want_map(c, sel, path))
		return;
	ml = field(sel, "matchLabels");
	unknown_fields_plain(c, sel, path);
	if (ml)
		b->match_labels = label_map(c, ml, path_key(c, path, "matchLabels"), &b->n_match_labels);
}

void *decode_binding(struct dctx *c, struct ynode *root)
{
	struct smi_identity_binding *b = arena_alloc(c->a, sizeof(*b));
	struct ynode *spec, *schemes, *v;
	const char *sp = "spec.schemes";

	spec = field_req(c, root, "", "spec");
	if (!spec || !want_map(c, spec, "spec"))
		return b;
	schemes = field_req(c, spec, "spec", "schemes");
	unknown_fields_plain(c, spec, "spec");
	if (!schemes || !want_map(c, schemes, sp))
		return b;
	if ((v = field(schemes, "podLabelSelector")))
		decode_selector(c, b, v, path_key(c, sp, "podLabelSelector"));
	if ((v = field(schemes, "spiffeIdentities")))
		b->spiffe = str_list(c, v, path_key(c, sp, "spiffeIdentities"), &b->n_spiffe);
	b->service_account = str_field(c, schemes, sp, "serviceAccount", false);
	/* "Pod Label selector ... Mutually exclusive with serviceAccount" (traffic-access v1alpha4). */
	if (b->has_selector && b->service_account)
		derr(c, schemes, sp, "podLabelSelector and serviceAccount are mutually exclusive");
	if (!b->has_selector && !b->service_account && !b->n_spiffe)
		derr(c, schemes, sp, "no identity scheme (podLabelSelector, spiffeIdentities or serviceAccount)");
	unknown_fields_plain(c, schemes, sp);
	return b;
}
