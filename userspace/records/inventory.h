/* inventory.h - reading the inventory: who is who on this node, pods and services (docs/inventory.md). */
#ifndef SMIW_RECORDS_INVENTORY_H
#define SMIW_RECORDS_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* An address in binary form; IPv4-mapped IPv6 addresses are stored as IPv4. */
struct inv_addr {
	int family;		/* AF_INET, AF_INET6, or 0 when absent */
	uint8_t bytes[16];
};

struct inv_pod {
	char *namespace, *name, *service_account;
	char *ref;		/* "namespace/name" */
	char *ip;		/* as written, may be "" */
	struct inv_addr addr;
	char *cgroup_path;	/* may be "" */
	uint64_t cgroup_id;	/* from the file, or from cgroup_path when the file has none */
	char *netns;		/* may be "" */
	json_t *labels;		/* object, owned */
};

struct inv_service {
	char *namespace, *name, *ref, *ip;
	struct inv_addr addr;
	char **endpoints;	/* "namespace/name" of the pods behind it */
	size_t nendpoints;
	uint16_t ports[16];	/* the service's ports as listed (up to 16; 0 listed: not known) */
	size_t nports;
};

struct inventory {
	char *path;
	char *node, *source;
	struct inv_pod *pods;
	size_t npods;
	struct inv_service *services;
	size_t nservices;
	char *mesh_name, *mesh_pod, *mesh_metrics_url;	/* "" when absent */
	char *mesh_version, *mesh_data_plane;	/* "" when absent: "0.1.0", "HAProxy 2.6.12" */
};

/*
 * Loads and validates an inventory file (version 1). On success *out is owned
 * by the caller (inventory_free). Returns 0, -errno when the file cannot be
 * read, or -EINVAL for invalid content; the reason is logged with the field
 * path ("pods[2].name: missing").
 */
int inventory_load(const char *path, struct inventory **out);

/* As inventory_load, but nothing is logged: the reason is put in err ("cannot load 'FILE': ..."). */
int inventory_read(const char *path, struct inventory **out, char *err, size_t errlen);

/*
 * As inventory_load, for a reader that passes the inventory on as it is:
 * *doc gets the whole document, validated the same way, owned by the
 * caller (json_decref). Returns 0 or -errno with the reason logged.
 */
int inventory_load_doc(const char *path, json_t **doc);

/* Returns the pod whose cgroup is `cgroup_id`, or NULL. */
const struct inv_pod *inventory_pod_by_cgroup(const struct inventory *inv, uint64_t cgroup_id);

/* Returns the pod with address a, or NULL. */
const struct inv_pod *inventory_pod_by_addr(const struct inventory *inv, const struct inv_addr *a);

/* Returns the service with address a, or NULL. */
const struct inv_service *inventory_service_by_addr(const struct inventory *inv, const struct inv_addr *a);

/*
 * Returns the pod `name` of namespace `ns`, or NULL. `name` may also be a
 * "namespace/name" reference (then `ns` is ignored).
 */
const struct inv_pod *inventory_pod(const struct inventory *inv, const char *ns, const char *name);

/* As inventory_pod(), for services. */
const struct inv_service *inventory_service(const struct inventory *inv, const char *ns, const char *name);

/* Returns true when pod ns/name is one of the service's endpoints. */
bool inv_service_has_pod(const struct inv_service *s, const char *ns, const char *name);

/* Converts a raw address (16 bytes, IPv4 in the first 4 for AF_INET) to canonical form. */
void inv_addr_from_raw(struct inv_addr *out, int family, const uint8_t raw[16]);

/* Formats a raw address and port as "ip:port" ("[v6]:port"; IPv4-mapped shown as IPv4) into buf. */
void inv_addr_format(char *buf, size_t len, int family, const uint8_t raw[16], uint16_t port);

/* Frees inv; NULL-safe. */
void inventory_free(struct inventory *inv);

#endif
