/*
 * load.c - files into a set: documents, Lists, apiVersion and kind, metadata;
 * the kind-specific fields are decoded in split.c, access.c, specs.c, metrics.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smi/internal.h"
#include "util/file.h"
#include "util/log.h"

#define MAX_FILE_SIZE (64u << 20)

struct smi_set *smi_set_new(const struct smi_load_opts *opts)
{
	struct smi_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->priv = calloc(1, sizeof(*set->priv));
	if (!set->priv) {
		free(set);
		return NULL;
	}
	if (opts)
		set->priv->opts = *opts;
	set->priv->default_namespace = arena_strdup(&set->priv->arena,
		opts && opts->default_namespace ? opts->default_namespace : "default");
	return set;
}

void smi_set_free(struct smi_set *set)
{
	struct smi_set_priv *p;

	if (!set)
		return;
	p = set->priv;
	regex_free_all(set);
	ptrvec_free(&p->all);
	ptrvec_free(&p->valid);
	ptrvec_free(&p->regexes);
	for (int k = 0; k < SMI_KIND_COUNT; k++)
		ptrvec_free(&p->by_kind[k]);
	arena_free(&p->arena);
	free(set->diags.v);
	free(p);
	free(set);
}

void set_publish(struct smi_set *set)
{
	struct smi_set_priv *p = set->priv;

	p->valid.n = 0;
	for (int k = 0; k < SMI_KIND_COUNT; k++)
		p->by_kind[k].n = 0;
	for (size_t i = 0; i < p->all.n; i++) {
		struct obj_state *st = p->all.v[i];

		if (!st->valid)
			continue;
		ptrvec_push(&p->valid, st->meta);
		ptrvec_push(&p->by_kind[st->meta->kind], st->meta);
	}

#define PUB(n_field, arr_field, k) do { set->n_field = p->by_kind[k].n; \
		set->arr_field = (void *)p->by_kind[k].v; } while (0)
	set->n_objects = p->valid.n;
	set->objects = (void *)p->valid.v;
	PUB(n_splits, splits, SMI_TRAFFIC_SPLIT);
	PUB(n_targets, targets, SMI_TRAFFIC_TARGET);
	PUB(n_bindings, bindings, SMI_IDENTITY_BINDING);
	PUB(n_http_routes, http_routes, SMI_HTTP_ROUTE_GROUP);
	PUB(n_tcp_routes, tcp_routes, SMI_TCP_ROUTE);
	PUB(n_udp_routes, udp_routes, SMI_UDP_ROUTE);
	PUB(n_metrics, metrics, SMI_TRAFFIC_METRICS);
	PUB(n_metrics_lists, metrics_lists, SMI_TRAFFIC_METRICS_LIST);
#undef PUB
}

void set_add_object(struct smi_set *set, struct smi_meta *meta, bool valid)
{
	struct obj_state *st = arena_alloc(&set->priv->arena, sizeof(*st));

	st->meta = meta;
	st->valid = valid;
	ptrvec_push(&set->priv->all, st);
}

void set_invalidate(struct smi_set *set, const struct smi_meta *meta)
{
	for (size_t i = 0; i < set->priv->all.n; i++) {
		struct obj_state *st = set->priv->all.v[i];

		if (st->meta == meta)
			st->valid = false;
	}
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

const struct smi_meta *find_object(const struct smi_set *set, enum smi_kind kind,
				   const char *ns, const char *name, bool *invalid_out)
{
	const struct smi_meta *found = NULL;
	bool invalid = false;

	for (size_t i = 0; i < set->priv->all.n; i++) {
		const struct obj_state *st = set->priv->all.v[i];
		const struct smi_meta *m = st->meta;

		if (m->kind != kind || !same(m->namespace, ns) || !same(m->name, name))
			continue;
		if (!st->valid)
			invalid = true;
		else if (!found)
			found = m;
	}
	if (invalid_out)
		*invalid_out = invalid;
	return found;
}

const struct smi_meta *smi_set_find(const struct smi_set *set, enum smi_kind kind,
				    const char *namespace, const char *name)
{
	if (!set || (unsigned)kind >= SMI_KIND_COUNT)
		return NULL;
	return find_object(set, kind, namespace, name, NULL);
}

/* RFC 1123 label (namespaces) or subdomain (names), as Kubernetes checks them. */
static bool dns_name_ok(const char *s, bool subdomain)
{
	size_t len = strlen(s), label = 0;

	if (!len || len > (subdomain ? 253u : 63u))
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');

		if (ch == '.' && subdomain) {
			if (!label || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!alnum && ch != '-')
			return false;
		if (ch == '-' && label == 0)
			return false;
		label++;
	}
	return label && s[len - 1] != '-';
}

void decode_metadata(struct dctx *c, struct ynode *root, struct smi_meta *meta, bool need_name)
{
	struct ynode *md = need_name ? field_req(c, root, "", "metadata") : field(root, "metadata");
	const char *ns;

	meta->namespace = c->set->priv->default_namespace;
	if (!md || !want_map(c, md, "metadata"))
		return;
	meta->name = str_field(c, md, "metadata", "name", need_name);
	ns = str_field(c, md, "metadata", "namespace", false);
	if (ns)
		meta->namespace = ns;
	/* Kubernetes refuses such names; a placeholder such as <NAMESPACE> is worth a word only. */
	if (meta->name && !dns_name_ok(meta->name, true))
		dwarn(c, field(md, "name"), "metadata.name",
		      "'%s' is not a valid Kubernetes object name", meta->name);
	if (ns && !dns_name_ok(ns, false))
		dwarn(c, field(md, "namespace"), "metadata.namespace",
		      "'%s' is not a valid Kubernetes namespace name", ns);
	/* The rest of ObjectMeta (labels, annotations, uid...) is valid and unused here. */
	mark_all_used(md);
}

/* Does this kind have a spec in this version? Used for the misplaced-field hint. */
static bool has_spec(enum smi_kind kind, int version)
{
	switch (kind) {
	case SMI_TRAFFIC_TARGET:
		return version >= SMI_V1ALPHA2;
	case SMI_HTTP_ROUTE_GROUP:
	case SMI_TCP_ROUTE:
		return version >= SMI_V1ALPHA3;
	case SMI_TRAFFIC_METRICS:
	case SMI_TRAFFIC_METRICS_LIST:
		return false;
	default:
		return true;
	}
}

static void *decode_kind(struct dctx *c, struct ynode *root, enum smi_kind kind)
{
	switch (kind) {
	case SMI_TRAFFIC_SPLIT: return decode_split(c, root);
	case SMI_TRAFFIC_TARGET: return decode_target(c, root);
	case SMI_IDENTITY_BINDING: return decode_binding(c, root);
	case SMI_HTTP_ROUTE_GROUP: return decode_http_route_group(c, root);
	case SMI_TCP_ROUTE:
	case SMI_UDP_ROUTE: return decode_port_route(c, root, kind);
	case SMI_TRAFFIC_METRICS: return decode_metrics(c, root);
	case SMI_TRAFFIC_METRICS_LIST: return decode_metrics_list(c, root);
	default: return NULL;
	}
}

/* Decodes one SMI object of a known kind and version and adds it to the set. */
static void decode_object(struct smi_set *set, const char *file, struct ynode *root,
			  enum smi_kind kind, int version)
{
	static const char *const spec_keys[] = {
		"service", "backends", "matches", "destination", "rules", "sources", "schemes", NULL,
	};
	static const char *const spec_key[] = { "spec", NULL };
	struct dctx c = { .set = set, .a = &set->priv->arena, .file = file, .version = version };
	bool metrics = smi_kind_group(kind) == SMI_GROUP_METRICS;
	struct smi_meta *meta;
	char api[64];

	c.api = arena_printf(c.a, "%s %s", api_version_string(kind, version, api, sizeof(api)),
			     smi_kind_name(kind));
	meta = decode_kind(&c, root, kind);
	meta->kind = kind;
	meta->version = version;
	meta->file = file;
	meta->line = root->line;
	/* TrafficMetrics are named by their resource; their decoders read metadata. */
	if (!metrics)
		decode_metadata(&c, root, meta, true);
	if (has_spec(kind, version))
		unknown_fields(&c, root, "", spec_keys, " (in this version it belongs under spec)");
	else
		unknown_fields(&c, root, "", spec_key, " (this version has no spec: its fields are at the top level)");
	set_add_object(set, meta, c.errors == 0);
}

static void decode_document(struct smi_set *set, const char *file, struct ynode *root,
			    const char *list_api, const char *list_kind, int depth);

/* `List` (kubectl get -o json) and `TrafficSplitList`-style lists: decode each item. */
static void decode_list(struct smi_set *set, struct dctx *c, struct ynode *root,
			const char *api, const char *item_kind, int depth)
{
	struct ynode *items = field(root, "items");

	mark_all_used(root);
	if (!items)
		return;
	if (!want_seq(c, items, "items"))
		return;
	for (size_t i = 0; i < items->n; i++)
		decode_document(set, c->file, items->items[i], api, item_kind, depth + 1);
}

/* Splits "group/version" (or a bare core "version"). */
static void split_api(const char *api, const char **group, size_t *glen, const char **ver)
{
	const char *slash = strchr(api, '/');

	*group = slash ? api : "";
	*glen = slash ? (size_t)(slash - api) : 0;
	*ver = slash ? slash + 1 : api;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Is this the API group a foreign decoder reads? */
static bool foreign_group(const struct smi_set *set, const char *group, size_t glen)
{
	const struct smi_foreign *f = set->priv->opts.foreign;

	return f && strlen(f->group) == glen && !memcmp(f->group, group, glen);
}

/* A document without apiVersion: decoded in the version the options assume for its kind, if any. */
static void decode_defaulted(struct dctx *c, struct ynode *root, int kind, const char *kind_s)
{
	struct smi_set *set = c->set;
	int g = kind >= 0 ? (int)smi_kind_group(kind) : -1;
	int version = g >= 0 ? set->priv->opts.default_version[g] : 0;

	if (!version) {
		if (kind >= 0)
			derr(c, root, "apiVersion", "required field missing");
		else
			set->n_skipped++;
		return;
	}
	if (!smi_kind_in_version(kind, version)) {
		derr(c, field(root, "kind"), "kind", "%s is not defined in %s/%s, the version assumed for documents without apiVersion",
		     kind_s, smi_group_name(g), smi_version_name(version));
		return;
	}
	decode_object(set, c->file, root, kind, version);
}

/*
 * A document whose API group is not an SMI group: an error for an SMI kind or
 * an unknown *.smi-spec.io group, the foreign decoder's when it reads that
 * group, otherwise skipped (Service, Deployment...: not ours to judge).
 */
static void decode_other_group(struct dctx *c, struct ynode *root, int kind, const char *kind_s,
			       const char *api, const char *group, size_t glen)
{
	struct smi_set *set = c->set;

	if (kind >= 0)
		derr(c, field(root, "apiVersion"), "apiVersion",
		     "unknown apiVersion '%s' for %s (expected %s/v1alphaN)", api, kind_s,
		     smi_group_name(smi_kind_group(kind)));
	else if (foreign_group(set, group, glen))
		set->priv->opts.foreign->decode(set, set->priv->opts.foreign->arg, c->file, root,
						api, kind_s);
	else if (glen >= 12 && !memcmp(group + glen - 12, ".smi-spec.io", 12))
		derr(c, field(root, "apiVersion"), "apiVersion", "unknown SMI API group '%.*s'",
		     (int)glen, group);
	else
		set->n_skipped++;
}

/*
 * Decodes one YAML document (or, for a List kind, each of its items; list_api
 * and list_kind are the defaults a typed list gives its items) into set,
 * recording every problem as a diagnostic with its file and line.
 */
static void decode_document(struct smi_set *set, const char *file, struct ynode *root,
			    const char *list_api, const char *list_kind, int depth)
{
	struct dctx c = { .set = set, .a = &set->priv->arena, .file = file, .api = "?" };
	const char *api, *kind_s, *group, *ver;
	int kind, g, version;
	size_t glen;

	if (!want_map(&c, root, ""))
		return;
	api = str_field(&c, root, "", "apiVersion", false);
	kind_s = str_field(&c, root, "", "kind", false);
	if (c.errors)
		return;
	if (!api)
		api = list_api;
	if (!kind_s)
		kind_s = list_kind;
	if (!kind_s) {
		derr(&c, root, "kind", "required field missing");
		return;
	}
	kind = kind_parse(kind_s);
	if (kind < 0 && ends_with(kind_s, "List") && depth < 4) {
		/* "List" items carry their own apiVersion/kind; "XList" items default to X. */
		const char *item_kind = strcmp(kind_s, "List") ?
			arena_strndup(c.a, kind_s, strlen(kind_s) - 4) : NULL;

		decode_list(set, &c, root, strcmp(kind_s, "List") ? api : NULL, item_kind, depth);
		return;
	}
	if (!api) {
		decode_defaulted(&c, root, kind, kind_s);
		return;
	}
	split_api(api, &group, &glen, &ver);
	g = group_parse(group, glen, false);
	if (g < 0) {
		decode_other_group(&c, root, kind, kind_s, api, group, glen);
		return;
	}
	version = version_parse(g, ver, strlen(ver));
	if (!version) {
		derr(&c, field(root, "apiVersion"), "apiVersion", "unknown apiVersion '%s' (%s has %s)",
		     api, smi_group_name(g), g == SMI_GROUP_METRICS ? "v1alpha1"
		     : "v1alpha1, v1alpha2, v1alpha3, v1alpha4");
		return;
	}
	if (kind < 0 || smi_kind_group(kind) != (enum smi_group)g) {
		derr(&c, field(root, "kind"), "kind", "unknown kind '%s' in %s", kind_s, api);
		return;
	}
	if (!smi_kind_in_version(kind, version)) {
		/* Only UDPRoute and IdentityBinding are missing from earlier versions. */
		derr(&c, field(root, "kind"), "kind", "%s is not defined in %s (it first appears in v1alpha4)",
		     kind_s, api);
		return;
	}
	decode_object(set, file, root, kind, version);
}

int smi_set_load_buffer(struct smi_set *set, const char *name, const char *buf, size_t len)
{
	struct arena *a = &set->priv->arena;
	const char *file = arena_strdup(a, name ? name : "-");
	struct ydocs docs;
	struct yerr err;

	if (yaml_read(a, buf, len, &docs, &err)) {
		/* A file that does not parse contributes nothing, not its first half. */
		diag_add(set, SMI_ERROR, file, err.line, err.column, "", "%s", err.msg);
		return 0;
	}
	for (size_t i = 0; i < docs.n; i++) {
		struct ynode *root = docs.roots[i];

		if (root->type == YNODE_SEQ) {
			/* A top-level array of objects. */
			for (size_t j = 0; j < root->n; j++)
				decode_document(set, file, root->items[j], NULL, NULL, 0);
			continue;
		}
		if (ynode_is_null(root))
			continue;	/* an empty document, e.g. a leading "---" */
		decode_document(set, file, root, NULL, NULL, 0);
	}
	set_publish(set);
	return 0;
}

int smi_set_load_file(struct smi_set *set, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int r = strcmp(path, "-") ? file_read_all(path, MAX_FILE_SIZE, &buf, &len) :
				    file_read_stream(stdin, MAX_FILE_SIZE, &buf, &len);

	if (r)
		diag_add(set, SMI_ERROR, arena_strdup(&set->priv->arena, path), 0, 0, "",
			 "cannot read: %s", strerror(-r));
	else
		r = smi_set_load_buffer(set, path, buf, len);
	free(buf);
	return r;
}

void smi_set_print_first_error(const struct smi_set *set)
{
	char buf[1024];

	for (size_t i = 0; i < set->diags.n; i++) {
		const struct smi_diag *d = &set->diags.v[i];

		if (d->severity != SMI_ERROR)
			continue;
		if (set->diags.n_errors > 1)
			error("cannot load %s (and %zu more problem%s: run 'smi-witness lint' on the files)",
			      smi_diag_format(d, buf, sizeof(buf)), set->diags.n_errors - 1,
			      set->diags.n_errors > 2 ? "s" : "");
		else
			error("cannot load %s", smi_diag_format(d, buf, sizeof(buf)));
		return;
	}
}

struct smi_set *smi_load_files(const char *const *paths, size_t n,
			       const struct smi_load_opts *opts)
{
	struct smi_set *set = smi_set_new(opts);
	char buf[1024];

	if (!set) {
		error("cannot load SMI objects: %s", strerror(ENOMEM));
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		smi_set_load_file(set, paths[i]);
	if (smi_set_finish(set) == 0) {
		for (size_t i = 0; i < set->diags.n; i++)
			pr_warn("%s", smi_diag_format(&set->diags.v[i], buf, sizeof(buf)));
		return set;
	}
	smi_set_print_first_error(set);
	smi_set_free(set);
	return NULL;
}
