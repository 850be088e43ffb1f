/* files.c - see files.h */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/files.h"
#include "util/file.h"
#include "util/kernfs.h"
#include "util/log.h"

int lab_write_etc(const struct lab *lab, const struct topology *t, int i)
{
	static const char resolv[] =
		"# smi-witness lab: names resolve from /etc/hosts only; no name server is reachable\n"
		"options timeout:1 attempts:1\n";
	const struct topo_pod *pod = &t->pods[i];
	char dir[PATH_MAX], path[PATH_MAX], ip[16], *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	lab_etc_dir(lab, pod->name, dir, sizeof(dir));
	if (mkdir(LAB_ETC_NETNS_DIR, 0755) && errno != EEXIST)
		return error_errno(errno, "cannot create '%s'", LAB_ETC_NETNS_DIR);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return error_errno(errno, "cannot create '%s'", dir);
	f = open_memstream(&text, &len);
	if (!f)
		return error("out of memory");
	fprintf(f, "# smi-witness lab '%s', pod %s/%s: service names resolve to the mesh\n"
		"127.0.0.1\tlocalhost\n", lab->name, pod->namespace, pod->name);
	for (int s = 0; s < t->n_services; s++) {
		const struct topo_service *svc = &t->services[s];

		fprintf(f, "%s\t", topo_ip_str(svc->ip, ip));
		if (!strcmp(svc->namespace, pod->namespace))
			fprintf(f, "%s ", svc->name);
		fprintf(f, "%s.%s %s.%s.svc %s.%s.svc.cluster.local\n", svc->name, svc->namespace, svc->name,
			svc->namespace, svc->name, svc->namespace);
	}
	fclose(f);
	if (path_fmt(path, sizeof(path), "%s/hosts", dir)) {
		free(text);
		return error("path too long: '%s'", dir);
	}
	r = lab_write_file(path, text, len);
	free(text);
	if (r || path_fmt(path, sizeof(path), "%s/resolv.conf", dir))
		return -1;
	return lab_write_file(path, resolv, sizeof(resolv) - 1);
}

int lab_remove_etc(const struct lab *lab, const char *pod)
{
	static const char *const files[] = { "hosts", "resolv.conf" };
	char dir[PATH_MAX], path[PATH_MAX];

	lab_etc_dir(lab, pod, dir, sizeof(dir));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!path_fmt(path, sizeof(path), "%s/%s", dir, files[i]) && unlink(path) && errno != ENOENT)
			return error_errno(errno, "cannot remove '%s'", path);
	if (rmdir(dir) && errno != ENOENT)
		return error_errno(errno, "cannot remove '%s'", dir);
	return 0;
}

static json_t *labels_json(const struct topo_label *l, int n)
{
	json_t *o = json_object();

	for (int i = 0; i < n; i++)
		json_object_set_new(o, l[i].key, json_string(l[i].value));
	return o;
}

static json_t *pods_json(const struct lab *lab, const struct topology *t)
{
	json_t *pods = json_array();

	for (int i = 0; i < t->n_pods; i++) {
		const struct topo_pod *p = &t->pods[i];
		char cg[PATH_MAX], netns[LAB_NETNS_MAX], ip[16];

		lab_cgroup_path(lab, p, cg, sizeof(cg));
		lab_netns_name(lab, p->name, netns, sizeof(netns));
		json_array_append_new(pods, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:s}",
			"namespace", p->namespace, "name", p->name, "service_account", p->service_account,
			"labels", labels_json(p->labels, p->n_labels), "ip", topo_ip_str(p->ip, ip),
			"cgroup_path", cg, "cgroup_id", (json_int_t)cgroup_id_of(cg), "netns", netns));
	}
	return pods;
}

static json_t *services_json(const struct topology *t)
{
	json_t *services = json_array();

	for (int i = 0; i < t->n_services; i++) {
		const struct topo_service *s = &t->services[i];
		json_t *ports = json_array(), *endpoints = json_array();
		char ip[16], ep[2 * TOPO_NAME_MAX + 2];

		for (int k = 0; k < s->n_ports; k++)
			json_array_append_new(ports, json_integer(s->ports[k].port));
		for (int k = 0; k < s->n_endpoints; k++) {
			const struct topo_pod *p = &t->pods[s->endpoints[k]];

			snprintf(ep, sizeof(ep), "%s/%s", p->namespace, p->name);
			json_array_append_new(endpoints, json_string(ep));
		}
		json_array_append_new(services, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}",
			"namespace", s->namespace, "name", s->name, "ip", topo_ip_str(s->ip, ip), "ports", ports,
			"selector", labels_json(s->selector, s->n_selector), "endpoints", endpoints));
	}
	return services;
}

json_t *lab_inventory(const struct lab *lab, const struct topology *t, const struct lab_state *st)
{
	const struct topo_pod *mesh = &t->pods[t->mesh];
	char pod[2 * TOPO_NAME_MAX + 2], url[64], ip[16];

	snprintf(pod, sizeof(pod), "%s/%s", mesh->namespace, mesh->name);
	snprintf(url, sizeof(url), "http://%s:%u/metrics", topo_ip_str(mesh->ip, ip), t->metrics_port);
	/* The lab's meshes are this program's own renderings: their version is its version. */
	return json_pack("{s:i, s:s, s:s, s:o, s:o, s:{s:s, s:s, s:s, s:s, s:s, s:b}}", "version", 1,
			 "node", t->node, "source", "lab", "pods", pods_json(lab, t), "services", services_json(t),
			 "mesh", "name", mesh_variant_name(st->variant), "version", SMIW_VERSION,
			 "data_plane", st->data_plane, "pod", pod, "metrics_url", url,
			 "access_control", st->access_control);
}

int lab_write_inventory(const struct lab *lab, const struct topology *t, const struct lab_state *st)
{
	return lab_write_json(lab, LAB_INVENTORY_FILE, lab_inventory(lab, t, st));
}
