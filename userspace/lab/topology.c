/* topology.c - see topology.h */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/topology.h"
#include "util/log.h"
#include "util/yaml_doc.h"

#define DEFAULT_PORT 9091
#define DEFAULT_NETWORK "198.18.0.0/16"
/* Default address offsets inside the lab network, as in docs/inventory.md. */
#define POD_IP_OFFSET 11
#define SVC_IP_OFFSET 257
#define MESH_IP_OFFSET 506

struct loader {
	struct ydoc *d;
	struct topology *t;
};

const char *topo_ip_str(uint32_t ip, char *buf)
{
	struct in_addr a = { .s_addr = htonl(ip) };

	inet_ntop(AF_INET, &a, buf, 16);
	return buf;
}

/* DNS-1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric. */
static bool dns_label(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool chars_in(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

static int get_name(struct loader *l, const struct ynode *map, const char *key, const char *path,
		    const char *dflt, char *buf)
{
	struct ynode *n = ydoc_get(l->d, map, key);
	char p[YDOC_PATH_MAX];

	ydoc_path(p, path, ".%s", key);
	if (!n) {
		if (!dflt)
			return ydoc_error(l->d, map, p, "missing");
		snprintf(buf, TOPO_NAME_MAX, "%s", dflt);
		return 0;
	}
	if (ydoc_strcpy(l->d, n, p, buf, TOPO_NAME_MAX))
		return -1;
	if (!dns_label(buf))
		return ydoc_error(l->d, n, p, "'%s' is not a DNS-1123 label (a-z, 0-9, '-')", buf);
	return 0;
}

static int get_ip(struct loader *l, const struct ynode *n, const char *path, uint32_t *ip)
{
	const char *s = ydoc_scalar(n);
	struct in_addr a;
	uint32_t v, mask = l->t->prefix ? ~0u << (32 - l->t->prefix) : 0;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return ydoc_error(l->d, n, path, "not an IPv4 address");
	v = ntohl(a.s_addr);
	if ((v & mask) != l->t->net)
		return ydoc_error(l->d, n, path, "%s is outside the lab network", s);
	if (v == l->t->net || v == (l->t->net | ~mask))
		return ydoc_error(l->d, n, path, "%s is the network or broadcast address", s);
	*ip = v;
	return 0;
}

static int load_network(struct loader *l, const struct ynode *n)
{
	char buf[32], *slash;
	struct in_addr a;
	uint64_t prefix;
	uint32_t mask;

	if (!n) {
		snprintf(buf, sizeof(buf), "%s", DEFAULT_NETWORK);
	} else if (ydoc_strcpy(l->d, n, "network", buf, sizeof(buf))) {
		return -1;
	}
	slash = strchr(buf, '/');
	if (!slash)
		return ydoc_error(l->d, n, "network", "expected ADDRESS/PREFIX");
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return ydoc_error(l->d, n, "network", "'%s' is not an IPv4 address", buf);
	if (!isdigit((unsigned char)slash[1]) || (prefix = strtoul(slash + 1, NULL, 10)) < TOPO_RANGE_BITS ||
	    prefix > 24 || strspn(slash + 1, "0123456789") != strlen(slash + 1))
		return ydoc_error(l->d, n, "network", "prefix length must be in [%d, 24]", TOPO_RANGE_BITS);
	mask = ~0u << (32 - prefix);
	l->t->net = ntohl(a.s_addr);
	l->t->prefix = (int)prefix;
	if (l->t->net & ~mask)
		return ydoc_error(l->d, n, "network", "host bits set in %s/%d", buf, l->t->prefix);
	if ((l->t->net & (~0u << (32 - TOPO_RANGE_BITS))) != TOPO_RANGE_NET)
		return ydoc_error(l->d, n, "network", "must lie inside 198.18.0.0/15 (the benchmarking range)");
	return 0;
}

static int load_labels(struct loader *l, const struct ynode *n, const char *path,
		       struct topo_label *labels, int *count)
{
	*count = 0;
	if (!n)
		return 0;
	if (n->type != YNODE_MAP)
		return ydoc_error(l->d, n, path, "not a mapping");
	for (size_t i = 0; i < n->n; i++) {
		struct ynode *k = n->keys[i], *v = n->items[i];
		struct topo_label *lb = &labels[*count];

		if (*count == TOPO_MAX_LABELS)
			return ydoc_error(l->d, k, path, "more than %d labels", TOPO_MAX_LABELS);
		if (ydoc_strcpy(l->d, k, path, lb->key, sizeof(lb->key)) ||
		    ydoc_strcpy(l->d, v, path, lb->value, sizeof(lb->value)))
			return -1;
		if (!*lb->key || !chars_in(lb->key, "-_./") || !chars_in(lb->value, "-_."))
			return ydoc_error(l->d, k, path, "invalid label '%s: %s'", lb->key, lb->value);
		(*count)++;
	}
	return 0;
}

static int load_port_list(struct loader *l, const struct ynode *n, const char *path,
			  uint16_t *ports, int *count)
{
	char p[YDOC_PATH_MAX];
	uint64_t v;

	if (!n) {
		ports[0] = DEFAULT_PORT;
		*count = 1;
		return 0;
	}
	/* An empty list is a pod that serves nothing (a pure client). */
	if (n->type != YNODE_SEQ || ydoc_len(n) > TOPO_MAX_PORTS)
		return ydoc_error(l->d, n, path, "expected a list of at most %d ports", TOPO_MAX_PORTS);
	for (size_t i = 0; i < ydoc_len(n); i++) {
		ydoc_path(p, path, "[%zu]", i);
		if (ydoc_u64(l->d, ydoc_item(l->d, n, i), p, 1, 65535, &v))
			return -1;
		ports[i] = (uint16_t)v;
	}
	*count = (int)ydoc_len(n);
	return 0;
}

static int load_command(struct loader *l, const struct ynode *n, const char *path, struct topo_pod *pod)
{
	char p[YDOC_PATH_MAX];

	if (!n) {
		snprintf(pod->args[0], TOPO_ARG_MAX, "sample-app");
		pod->n_args = 1;
		return 0;
	}
	if (n->type != YNODE_SEQ || ydoc_len(n) == 0 || ydoc_len(n) > TOPO_MAX_ARGS)
		return ydoc_error(l->d, n, path, "expected a list of 1 to %d words", TOPO_MAX_ARGS);
	for (size_t i = 0; i < ydoc_len(n); i++) {
		ydoc_path(p, path, "[%zu]", i);
		if (ydoc_strcpy(l->d, ydoc_item(l->d, n, i), p, pod->args[i], TOPO_ARG_MAX))
			return -1;
	}
	pod->n_args = (int)ydoc_len(n);
	return 0;
}

static bool has_env(const struct topo_pod *pod, const char *name)
{
	for (int i = 0; i < pod->n_env; i++)
		if (!strcmp(pod->env[i].name, name))
			return true;
	return false;
}

static int load_env(struct loader *l, const struct ynode *n, const char *path, struct topo_pod *pod)
{
	if (n && n->type != YNODE_MAP)
		return ydoc_error(l->d, n, path, "not a mapping");
	for (size_t i = 0; n && i < n->n; i++) {
		struct ynode *k = n->keys[i];
		struct topo_env *e = &pod->env[pod->n_env];

		if (pod->n_env == TOPO_MAX_ENV - 2)
			return ydoc_error(l->d, k, path, "more than %d variables", TOPO_MAX_ENV - 2);
		if (ydoc_strcpy(l->d, k, path, e->name, sizeof(e->name)) ||
		    ydoc_strcpy(l->d, n->items[i], path, e->value, sizeof(e->value)))
			return -1;
		if (!*e->name || isdigit((unsigned char)e->name[0]) || !chars_in(e->name, "_"))
			return ydoc_error(l->d, k, path, "invalid variable name '%s'", e->name);
		pod->n_env++;
	}
	/* The learn-layer5 service reads SERVICE_NAME and PORT. */
	if (!has_env(pod, "SERVICE_NAME")) {
		snprintf(pod->env[pod->n_env].name, TOPO_NAME_MAX, "SERVICE_NAME");
		strcpy(pod->env[pod->n_env++].value, pod->name);	/* name < TOPO_NAME_MAX < TOPO_ARG_MAX */
	}
	if (!has_env(pod, "PORT") && pod->n_ports) {
		snprintf(pod->env[pod->n_env].name, TOPO_NAME_MAX, "PORT");
		snprintf(pod->env[pod->n_env++].value, TOPO_ARG_MAX, "%u", pod->ports[0]);
	}
	return 0;
}

static int load_pod(struct loader *l, const struct ynode *n, const char *path, struct topo_pod *pod)
{
	static const char *const keys[] = { "name", "namespace", "service_account", "labels", "ip",
					     "ports", "command", "env", NULL };
	char p[YDOC_PATH_MAX];
	struct ynode *v;

	if (ydoc_known_keys(l->d, n, path, keys) || get_name(l, n, "name", path, NULL, pod->name) ||
	    get_name(l, n, "namespace", path, "default", pod->namespace) ||
	    get_name(l, n, "service_account", path, "default", pod->service_account))
		return -1;
	if (!strcmp(pod->name, "router"))
		return ydoc_error(l->d, n, path, "the pod name 'router' is reserved for the lab switch");
	ydoc_path(p, path, ".labels");
	if (load_labels(l, ydoc_get(l->d, n, "labels"), p, pod->labels, &pod->n_labels))
		return -1;
	ydoc_path(p, path, ".ip");
	if ((v = ydoc_get(l->d, n, "ip")) && get_ip(l, v, p, &pod->ip))
		return -1;
	ydoc_path(p, path, ".ports");
	if (load_port_list(l, ydoc_get(l->d, n, "ports"), p, pod->ports, &pod->n_ports))
		return -1;
	ydoc_path(p, path, ".command");
	if (load_command(l, ydoc_get(l->d, n, "command"), p, pod))
		return -1;
	ydoc_path(p, path, ".env");
	return load_env(l, ydoc_get(l->d, n, "env"), p, pod);
}

static int load_svc_port(struct loader *l, const struct ynode *n, const char *path, struct topo_svc_port *sp)
{
	static const char *const keys[] = { "port", "target_port", "protocol", NULL };
	struct ynode *v;
	char p[YDOC_PATH_MAX];
	uint64_t x;

	sp->proto = TOPO_HTTP;
	if (ydoc_scalar(n)) {
		if (ydoc_u64(l->d, n, path, 1, 65535, &x))
			return -1;
		sp->port = sp->target_port = (uint16_t)x;
		return 0;
	}
	if (ydoc_known_keys(l->d, n, path, keys))
		return -1;
	ydoc_path(p, path, ".port");
	if (!(v = ydoc_get(l->d, n, "port")))
		return ydoc_error(l->d, n, p, "missing");
	if (ydoc_u64(l->d, v, p, 1, 65535, &x))
		return -1;
	sp->port = sp->target_port = (uint16_t)x;
	ydoc_path(p, path, ".target_port");
	if ((v = ydoc_get(l->d, n, "target_port"))) {
		if (ydoc_u64(l->d, v, p, 1, 65535, &x))
			return -1;
		sp->target_port = (uint16_t)x;
	}
	ydoc_path(p, path, ".protocol");
	if ((v = ydoc_get(l->d, n, "protocol"))) {
		const char *s = ydoc_scalar(v);

		if (s && !strcmp(s, "tcp"))
			sp->proto = TOPO_TCP;
		else if (!s || strcmp(s, "http"))
			return ydoc_error(l->d, v, p, "expected 'http' or 'tcp'");
	}
	return 0;
}

static int load_service(struct loader *l, const struct ynode *n, const char *path, struct topo_service *s)
{
	static const char *const keys[] = { "name", "namespace", "selector", "ip", "ports", NULL };
	struct ynode *v;
	char p[YDOC_PATH_MAX];

	if (ydoc_known_keys(l->d, n, path, keys) || get_name(l, n, "name", path, NULL, s->name) ||
	    get_name(l, n, "namespace", path, "default", s->namespace))
		return -1;
	ydoc_path(p, path, ".selector");
	if (load_labels(l, ydoc_get(l->d, n, "selector"), p, s->selector, &s->n_selector))
		return -1;
	ydoc_path(p, path, ".ip");
	if ((v = ydoc_get(l->d, n, "ip")) && get_ip(l, v, p, &s->ip))
		return -1;
	v = ydoc_get(l->d, n, "ports");
	if (!v) {
		s->ports[0] = (struct topo_svc_port){ DEFAULT_PORT, DEFAULT_PORT, TOPO_HTTP };
		s->n_ports = 1;
		return 0;
	}
	ydoc_path(p, path, ".ports");
	if (v->type != YNODE_SEQ || ydoc_len(v) == 0 || ydoc_len(v) > TOPO_MAX_PORTS)
		return ydoc_error(l->d, v, p, "expected a list of 1 to %d ports", TOPO_MAX_PORTS);
	for (size_t i = 0; i < ydoc_len(v); i++) {
		ydoc_path(p, path, ".ports[%zu]", i);
		if (load_svc_port(l, ydoc_item(l->d, v, i), p, &s->ports[s->n_ports++]))
			return -1;
		for (int j = 0; j < s->n_ports - 1; j++)
			if (s->ports[j].port == s->ports[s->n_ports - 1].port)
				return ydoc_error(l->d, ydoc_item(l->d, v, i), p, "port listed twice");
	}
	return 0;
}

static int load_mesh(struct loader *l, const struct ynode *n, struct topo_pod *pod)
{
	static const char *const keys[] = { "pod", "namespace", "service_account", "ip", "metrics_port", NULL };
	struct ynode *v;
	uint64_t x;

	pod->is_mesh = true;
	pod->n_ports = 0;
	if (n && ydoc_known_keys(l->d, n, "mesh", keys))
		return -1;
	if (get_name(l, n, "pod", "mesh", "mesh", pod->name) ||
	    get_name(l, n, "namespace", "mesh", "default", pod->namespace) ||
	    get_name(l, n, "service_account", "mesh", "mesh", pod->service_account))
		return -1;
	snprintf(pod->labels[0].key, TOPO_LABEL_MAX, "app");
	strcpy(pod->labels[0].value, pod->name);
	pod->n_labels = 1;
	if ((v = ydoc_get(l->d, n, "ip")) && get_ip(l, v, "mesh.ip", &pod->ip))
		return -1;
	l->t->metrics_port = 8405;
	if ((v = ydoc_get(l->d, n, "metrics_port"))) {
		if (ydoc_u64(l->d, v, "mesh.metrics_port", 1, 65535, &x))
			return -1;
		l->t->metrics_port = (uint16_t)x;
	}
	return 0;
}

static bool ip_used(const struct topology *t, uint32_t ip, const void *self)
{
	for (int i = 0; i < t->n_pods; i++)
		if (&t->pods[i] != self && t->pods[i].ip == ip)
			return true;
	for (int i = 0; i < t->n_services; i++)
		if (&t->services[i] != self && t->services[i].ip == ip)
			return true;
	return false;
}

/* Gives every object without an address the next free one from `offset` on. */
static int assign_ip(const char *file, struct topology *t, uint32_t *ip, uint32_t offset,
		     const void *self, const char *what)
{
	uint32_t size = 1u << (32 - t->prefix);
	char a[16];

	if (*ip) {
		if (ip_used(t, *ip, self))
			return error("cannot load '%s': %s: address %s used twice", file, what, topo_ip_str(*ip, a));
		return 0;
	}
	/* A small network has no room for the default offsets: then any free address will do. */
	for (uint32_t off = offset < size - 1 ? offset : 1; off < size - 1; off++) {
		if (!ip_used(t, t->net + off, self)) {
			*ip = t->net + off;
			return 0;
		}
	}
	return error("cannot load '%s': %s: no free address in the lab network", file, what);
}

static bool selects(const struct topo_service *s, const struct topo_pod *pod)
{
	if (s->n_selector == 0 || strcmp(s->namespace, pod->namespace) || pod->is_mesh)
		return false;
	for (int i = 0; i < s->n_selector; i++) {
		int j;

		for (j = 0; j < pod->n_labels; j++)
			if (!strcmp(pod->labels[j].key, s->selector[i].key) &&
			    !strcmp(pod->labels[j].value, s->selector[i].value))
				break;
		if (j == pod->n_labels)
			return false;
	}
	return true;
}

/* Addresses, uniqueness and endpoints: what needs the whole topology. */
static int finish(const char *file, struct topology *t)
{
	char what[160];

	for (int i = 0; i < t->n_pods; i++) {
		for (int j = 0; j < i; j++)
			if (!strcmp(t->pods[i].name, t->pods[j].name))
				return error("cannot load '%s': pod name '%s' used twice (pod names are unique across namespaces in the lab)",
					     file, t->pods[i].name);
		snprintf(what, sizeof(what), "pod %s/%s", t->pods[i].namespace, t->pods[i].name);
		if (assign_ip(file, t, &t->pods[i].ip, t->pods[i].is_mesh ? MESH_IP_OFFSET : POD_IP_OFFSET,
			      &t->pods[i], what))
			return -1;
	}
	for (int i = 0; i < t->n_services; i++) {
		struct topo_service *s = &t->services[i];

		for (int j = 0; j < i; j++)
			if (!strcmp(s->name, t->services[j].name) && !strcmp(s->namespace, t->services[j].namespace))
				return error("cannot load '%s': service %s/%s defined twice", file, s->namespace, s->name);
		snprintf(what, sizeof(what), "service %s/%s", s->namespace, s->name);
		if (assign_ip(file, t, &s->ip, SVC_IP_OFFSET, s, what))
			return -1;
		for (int j = 0; j < t->n_pods; j++)
			if (selects(s, &t->pods[j]))
				s->endpoints[s->n_endpoints++] = j;
	}
	return 0;
}

static int load_list(struct loader *l, const struct ynode *root, const char *key, int max,
		     int (*one)(struct loader *, const struct ynode *, const char *, int))
{
	struct ynode *n = ydoc_get(l->d, root, key);
	char p[YDOC_PATH_MAX];

	if (!n)
		return 0;
	if (n->type != YNODE_SEQ)
		return ydoc_error(l->d, n, key, "not a list");
	if ((int)ydoc_len(n) > max)
		return ydoc_error(l->d, n, key, "more than %d entries", max);
	for (size_t i = 0; i < ydoc_len(n); i++) {
		ydoc_path(p, key, "[%zu]", i);
		if (one(l, ydoc_item(l->d, n, i), p, (int)i))
			return -1;
	}
	return 0;
}

static int one_pod(struct loader *l, const struct ynode *n, const char *path, int i)
{
	l->t->n_pods = i + 1;
	return load_pod(l, n, path, &l->t->pods[i]);
}

static int one_service(struct loader *l, const struct ynode *n, const char *path, int i)
{
	l->t->n_services = i + 1;
	return load_service(l, n, path, &l->t->services[i]);
}

static struct topology *load_doc(struct ydoc *d)
{
	static const char *const keys[] = { "description", "node", "network", "mesh", "pods", "services", NULL };
	struct loader l = { .d = d, .t = calloc(1, sizeof(struct topology)) };
	struct ynode *root = ydoc_root(d);

	if (!l.t)
		return NULL;
	if (ydoc_known_keys(d, root, "", keys) || get_name(&l, root, "node", "", "lab", l.t->node) ||
	    load_network(&l, ydoc_get(d, root, "network")) ||
	    load_list(&l, root, "pods", TOPO_MAX_PODS - 1, one_pod) ||
	    load_list(&l, root, "services", TOPO_MAX_SERVICES, one_service) ||
	    load_mesh(&l, ydoc_get(d, root, "mesh"), &l.t->pods[l.t->n_pods]))
		goto fail;
	l.t->mesh = l.t->n_pods++;
	if (finish(d->file, l.t))
		goto fail;
	return l.t;
fail:
	free(l.t);
	return NULL;
}

struct topology *topology_load(const char *path)
{
	struct topology *t;
	struct ydoc d;

	if (ydoc_load(&d, path))
		return NULL;
	t = load_doc(&d);
	ydoc_free(&d);
	return t;
}

struct topology *topology_load_string(const char *name, const char *text, size_t len)
{
	struct topology *t;
	struct ydoc d;

	if (ydoc_load_string(&d, name, text, len))
		return NULL;
	t = load_doc(&d);
	ydoc_free(&d);
	return t;
}

int topology_pod(const struct topology *t, const char *ns, const char *name)
{
	for (int i = 0; i < t->n_pods; i++)
		if (!strcmp(t->pods[i].namespace, ns) && !strcmp(t->pods[i].name, name))
			return i;
	return -1;
}

int topology_service(const struct topology *t, const char *ns, const char *name)
{
	for (int i = 0; i < t->n_services; i++)
		if (!strcmp(t->services[i].namespace, ns) && !strcmp(t->services[i].name, name))
			return i;
	return -1;
}

int topology_pod_by_ip(const struct topology *t, uint32_t ip)
{
	for (int i = 0; i < t->n_pods; i++)
		if (t->pods[i].ip == ip)
			return i;
	return -1;
}
