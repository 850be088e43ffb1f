/* inventory.c - see inventory.h */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "records/inventory.h"
#include "util/kernfs.h"
#include "util/log.h"
#include "util/u64.h"

struct ctx {
	const char *path;
	int err;
	char *msg;		/* the first reason, for the caller */
	size_t msglen;
};

static int bad(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->msg, c->msglen, "cannot load '%s': %s", c->path, msg);
	c->err = -EINVAL;
	return -EINVAL;
}

/* Copies member `key` of obj (a string) into *out; "" when absent and optional. */
static int get_str(struct ctx *c, json_t *obj, const char *where, const char *key, bool required,
		   char **out)
{
	json_t *v = json_object_get(obj, key);

	if (!v && !required) {
		*out = strdup("");
	} else if (!json_is_string(v)) {
		return bad(c, "%s.%s: %s", where, key, v ? "not a string" : "missing");
	} else {
		*out = strdup(json_string_value(v));
	}
	return *out ? 0 : (c->err = -ENOMEM);
}

static int parse_addr(struct ctx *c, const char *where, const char *s, struct inv_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!*s)
		return 0;
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		inv_addr_from_raw(a, AF_INET6, a->bytes);
		return 0;
	}
	return bad(c, "%s.ip: '%s' is not an IP address", where, s);
}

static int load_pod(struct ctx *c, json_t *o, size_t i, struct inv_pod *p)
{
	char where[32];
	json_t *id, *labels;

	snprintf(where, sizeof(where), "pods[%zu]", i);
	if (!json_is_object(o))
		return bad(c, "%s: not an object", where);
	if (get_str(c, o, where, "namespace", true, &p->namespace) ||
	    get_str(c, o, where, "name", true, &p->name) ||
	    get_str(c, o, where, "service_account", false, &p->service_account) ||
	    get_str(c, o, where, "ip", false, &p->ip) ||
	    get_str(c, o, where, "cgroup_path", false, &p->cgroup_path) ||
	    get_str(c, o, where, "netns", false, &p->netns) ||
	    parse_addr(c, where, p->ip, &p->addr))
		return c->err;
	if (asprintf(&p->ref, "%s/%s", p->namespace, p->name) < 0) {
		p->ref = NULL;
		return c->err = -ENOMEM;
	}
	id = json_object_get(o, "cgroup_id");
	if (id && (!json_is_integer(id) || json_integer_value(id) < 0))
		return bad(c, "%s.cgroup_id: not a non-negative integer", where);
	p->cgroup_id = id ? (uint64_t)json_integer_value(id) : 0;
	if (!p->cgroup_id && *p->cgroup_path)
		p->cgroup_id = cgroup_id_of(p->cgroup_path);
	labels = json_object_get(o, "labels");
	if (labels && !json_is_object(labels))
		return bad(c, "%s.labels: not an object", where);
	p->labels = labels ? json_incref(labels) : json_object();
	return 0;
}

static int load_endpoints(struct ctx *c, json_t *o, const char *where, struct inv_service *s)
{
	json_t *eps = json_object_get(o, "endpoints");

	if (eps && !json_is_array(eps))
		return bad(c, "%s.endpoints: not an array", where);
	s->endpoints = calloc(json_array_size(eps) + 1, sizeof(*s->endpoints));
	if (!s->endpoints)
		return c->err = -ENOMEM;
	for (size_t j = 0; j < json_array_size(eps); j++) {
		json_t *e = json_array_get(eps, j);

		if (!json_is_string(e) || !strchr(json_string_value(e), '/'))
			return bad(c, "%s.endpoints[%zu]: not a \"namespace/name\" string", where, j);
		s->endpoints[s->nendpoints] = strdup(json_string_value(e));
		if (!s->endpoints[s->nendpoints++])
			return c->err = -ENOMEM;
	}
	return 0;
}

/* `ports`: port numbers (the lab and the Kubernetes agent write them so); more than 16 are not kept. */
static int load_ports(struct ctx *c, json_t *o, const char *where, struct inv_service *s)
{
	json_t *ports = json_object_get(o, "ports"), *p;
	size_t j;

	if (ports && !json_is_array(ports))
		return bad(c, "%s.ports: not an array", where);
	json_array_foreach(ports, j, p) {
		json_int_t v = json_integer_value(p);

		if (!json_is_integer(p) || v < 1 || v > 65535)
			return bad(c, "%s.ports[%zu]: not a port number (1-65535)", where, j);
		if (s->nports < sizeof(s->ports) / sizeof(s->ports[0]))
			s->ports[s->nports++] = (uint16_t)v;
	}
	return 0;
}

static int load_service(struct ctx *c, json_t *o, size_t i, struct inv_service *s)
{
	char where[32];

	snprintf(where, sizeof(where), "services[%zu]", i);
	if (!json_is_object(o))
		return bad(c, "%s: not an object", where);
	if (get_str(c, o, where, "namespace", true, &s->namespace) ||
	    get_str(c, o, where, "name", true, &s->name) ||
	    get_str(c, o, where, "ip", false, &s->ip) ||
	    parse_addr(c, where, s->ip, &s->addr))
		return c->err;
	if (asprintf(&s->ref, "%s/%s", s->namespace, s->name) < 0) {
		s->ref = NULL;
		return c->err = -ENOMEM;
	}
	return load_ports(c, o, where, s) ? c->err : load_endpoints(c, o, where, s);
}

static int load_doc(struct ctx *c, json_t *doc, struct inventory *inv)
{
	json_t *v = json_object_get(doc, "version"), *pods, *svcs, *mesh;

	if (!json_is_object(doc))
		return bad(c, "not a JSON object");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return bad(c, "version: unsupported (want 1)");
	if (get_str(c, doc, "inventory", "node", false, &inv->node) ||
	    get_str(c, doc, "inventory", "source", false, &inv->source))
		return c->err;
	pods = json_object_get(doc, "pods");
	svcs = json_object_get(doc, "services");
	if (pods && !json_is_array(pods))
		return bad(c, "pods: not an array");
	if (svcs && !json_is_array(svcs))
		return bad(c, "services: not an array");
	inv->pods = calloc(json_array_size(pods) + 1, sizeof(*inv->pods));
	inv->services = calloc(json_array_size(svcs) + 1, sizeof(*inv->services));
	if (!inv->pods || !inv->services)
		return c->err = -ENOMEM;
	/* Counted before loading, so a half-loaded entry is freed too. */
	for (size_t i = 0; i < json_array_size(pods); i++)
		if ((inv->npods = i + 1, load_pod(c, json_array_get(pods, i), i, &inv->pods[i])))
			return c->err;
	for (size_t i = 0; i < json_array_size(svcs); i++)
		if ((inv->nservices = i + 1, load_service(c, json_array_get(svcs, i), i, &inv->services[i])))
			return c->err;
	mesh = json_object_get(doc, "mesh");
	if (mesh && !json_is_object(mesh))
		return bad(c, "mesh: not an object");
	if (get_str(c, mesh, "mesh", "name", false, &inv->mesh_name) ||
	    get_str(c, mesh, "mesh", "pod", false, &inv->mesh_pod) ||
	    get_str(c, mesh, "mesh", "metrics_url", false, &inv->mesh_metrics_url) ||
	    get_str(c, mesh, "mesh", "version", false, &inv->mesh_version) ||
	    get_str(c, mesh, "mesh", "data_plane", false, &inv->mesh_data_plane))
		return c->err;
	return 0;
}

/*
 * Reads and checks the inventory at path: *doc gets the document (when doc
 * is not NULL), *out the structure (when out is not NULL), each the
 * caller's. Returns 0 or -errno with the reason in err.
 */
static int read_inventory(const char *path, json_t **doc, struct inventory **out, char *err, size_t errlen)
{
	struct ctx c = { .path = path, .msg = err, .msglen = errlen };
	struct inventory *inv;
	json_error_t jerr;
	json_t *d;

	d = json_load_file(path, 0, &jerr);
	if (!d) {
		if (jerr.line <= 0) {
			int e = errno ? -errno : -EIO;

			snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-e));
			return e;
		}
		snprintf(err, errlen, "cannot load '%s': line %d: %s", path, jerr.line, jerr.text);
		return -EINVAL;
	}
	inv = calloc(1, sizeof(*inv));
	if (!inv || !(inv->path = strdup(path)))
		c.err = -ENOMEM;
	else
		load_doc(&c, d, inv);
	if (c.err == -ENOMEM)
		snprintf(err, errlen, "cannot load '%s': %s", path, strerror(ENOMEM));
	if (c.err || !out)
		inventory_free(inv);
	if (c.err || !doc)
		json_decref(d);
	if (c.err)
		return c.err;
	if (out)
		*out = inv;
	if (doc)
		*doc = d;
	return 0;
}

int inventory_read(const char *path, struct inventory **out, char *err, size_t errlen)
{
	*out = NULL;
	return read_inventory(path, NULL, out, err, errlen);
}

int inventory_load(const char *path, struct inventory **out)
{
	char err[1024];
	int r = inventory_read(path, out, err, sizeof(err));

	if (r)
		error("%s", err);
	return r;
}

int inventory_load_doc(const char *path, json_t **doc)
{
	char err[1024];
	int r;

	*doc = NULL;
	r = read_inventory(path, doc, NULL, err, sizeof(err));
	if (r)
		error("%s", err);
	return r;
}

const struct inv_pod *inventory_pod_by_cgroup(const struct inventory *inv, uint64_t cgroup_id)
{
	for (size_t i = 0; inv && cgroup_id && i < inv->npods; i++)
		if (inv->pods[i].cgroup_id == cgroup_id)
			return &inv->pods[i];
	return NULL;
}

static bool addr_eq(const struct inv_addr *a, const struct inv_addr *b)
{
	return a->family && a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

const struct inv_pod *inventory_pod_by_addr(const struct inventory *inv, const struct inv_addr *a)
{
	for (size_t i = 0; inv && i < inv->npods; i++)
		if (addr_eq(&inv->pods[i].addr, a))
			return &inv->pods[i];
	return NULL;
}

const struct inv_service *inventory_service_by_addr(const struct inventory *inv, const struct inv_addr *a)
{
	for (size_t i = 0; inv && i < inv->nservices; i++)
		if (addr_eq(&inv->services[i].addr, a))
			return &inv->services[i];
	return NULL;
}

/* True when `ref` names ns/name: "namespace/name", or a bare name in namespace `ns`. */
static bool names(const char *ref_ns, const char *ref_name, const char *ns, const char *name)
{
	const char *slash = strchr(name, '/');

	if (slash)
		return !strncmp(ref_ns, name, (size_t)(slash - name)) && ref_ns[slash - name] == '\0' &&
		       !strcmp(ref_name, slash + 1);
	return !strcmp(ref_name, name) && !strcmp(ref_ns, ns ? ns : "");
}

const struct inv_pod *inventory_pod(const struct inventory *inv, const char *ns, const char *name)
{
	for (size_t i = 0; inv && i < inv->npods; i++)
		if (names(inv->pods[i].namespace, inv->pods[i].name, ns, name))
			return &inv->pods[i];
	return NULL;
}

const struct inv_service *inventory_service(const struct inventory *inv, const char *ns, const char *name)
{
	for (size_t i = 0; inv && i < inv->nservices; i++)
		if (names(inv->services[i].namespace, inv->services[i].name, ns, name))
			return &inv->services[i];
	return NULL;
}

bool inv_service_has_pod(const struct inv_service *s, const char *ns, const char *name)
{
	size_t nl = strlen(ns);

	for (size_t i = 0; i < s->nendpoints; i++)
		if (!strncmp(s->endpoints[i], ns, nl) && s->endpoints[i][nl] == '/' &&
		    !strcmp(s->endpoints[i] + nl + 1, name))
			return true;
	return false;
}

void inv_addr_from_raw(struct inv_addr *out, int family, const uint8_t raw[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint8_t in[16];

	memcpy(in, raw, sizeof(in));	/* raw may be out->bytes */
	memset(out, 0, sizeof(*out));
	if (family == AF_INET6 && !memcmp(in, mapped, sizeof(mapped))) {
		out->family = AF_INET;
		memcpy(out->bytes, in + 12, 4);
	} else if (family == AF_INET || family == AF_INET6) {
		out->family = family;
		memcpy(out->bytes, in, family == AF_INET ? 4 : 16);
	}
}

void inv_addr_format(char *buf, size_t len, int family, const uint8_t raw[16], uint16_t port)
{
	struct inv_addr a;
	char ip[INET6_ADDRSTRLEN];

	inv_addr_from_raw(&a, family, raw);
	/*
	 * IPv4 by hand: the agent formats two addresses for every connection it
	 * sees open, and inet_ntop plus snprintf were a tenth of its time on a
	 * path where a proxy opens a connection for most requests.
	 */
	if (a.family == AF_INET && len >= sizeof("255.255.255.255:65535")) {
		char *p = buf;

		for (int i = 0; i < 4; i++) {
			p = u64_digits(p, a.bytes[i]);
			*p++ = i < 3 ? '.' : ':';
		}
		*u64_digits(p, port) = '\0';
		return;
	}
	if (!a.family || !inet_ntop(a.family, a.bytes, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	snprintf(buf, len, a.family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
}

static void pod_free(struct inv_pod *p)
{
	free(p->namespace), free(p->name), free(p->service_account), free(p->ref);
	free(p->ip), free(p->cgroup_path), free(p->netns);
	json_decref(p->labels);
}

static void service_free(struct inv_service *s)
{
	free(s->namespace), free(s->name), free(s->ref), free(s->ip);
	for (size_t i = 0; i < s->nendpoints; i++)
		free(s->endpoints[i]);
	free(s->endpoints);
}

void inventory_free(struct inventory *inv)
{
	if (!inv)
		return;
	for (size_t i = 0; i < inv->npods; i++)
		pod_free(&inv->pods[i]);
	for (size_t i = 0; i < inv->nservices; i++)
		service_free(&inv->services[i]);
	free(inv->pods);
	free(inv->services);
	free(inv->path), free(inv->node), free(inv->source);
	free(inv->mesh_name), free(inv->mesh_pod), free(inv->mesh_metrics_url);
	free(inv->mesh_version), free(inv->mesh_data_plane);
	free(inv);
}
