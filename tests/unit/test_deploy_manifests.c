/*
 * test_deploy_manifests - the Kubernetes manifests under deploy/ checked
 * offline against every rule that can be checked without a cluster: required
 * fields, selectors that match their templates, volumes that exist, no
 * privileged containers, capability names the kernel defines (dropping ALL
 * first), read-only RBAC on pods, services and the SMI kinds only, bindings
 * that point at what deploy/ defines, and each mesh's injection marker.
 * Broken manifests under tests/fixtures/deploy/ prove every rule can fail.
 */
#include <dirent.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "k8s/inventory.h"
#include "util/yaml_json.h"

/* Names as Kubernetes spells them (no CAP_ prefix), checked against the kernel's own header. */
#define CAP(n) { #n, CAP_##n }
static const struct {
	const char *name;
	int value;
} caps[] = {
	CAP(CHOWN), CAP(DAC_OVERRIDE), CAP(DAC_READ_SEARCH), CAP(FOWNER), CAP(FSETID), CAP(KILL),
	CAP(SETGID), CAP(SETUID), CAP(SETPCAP), CAP(LINUX_IMMUTABLE), CAP(NET_BIND_SERVICE),
	CAP(NET_BROADCAST), CAP(NET_ADMIN), CAP(NET_RAW), CAP(IPC_LOCK), CAP(IPC_OWNER),
	CAP(SYS_MODULE), CAP(SYS_RAWIO), CAP(SYS_CHROOT), CAP(SYS_PTRACE), CAP(SYS_PACCT),
	CAP(SYS_ADMIN), CAP(SYS_BOOT), CAP(SYS_NICE), CAP(SYS_RESOURCE), CAP(SYS_TIME),
	CAP(SYS_TTY_CONFIG), CAP(MKNOD), CAP(LEASE), CAP(AUDIT_WRITE), CAP(AUDIT_CONTROL),
	CAP(SETFCAP), CAP(MAC_OVERRIDE), CAP(MAC_ADMIN), CAP(SYSLOG), CAP(WAKE_ALARM),
	CAP(BLOCK_SUSPEND), CAP(AUDIT_READ), CAP(PERFMON), CAP(BPF), CAP(CHECKPOINT_RESTORE),
};

struct problems {
	char msg[64][256];
	unsigned n;
};

static void problem(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct problems *p, const char *fmt, ...)
{
	va_list ap;

	if (p->n >= 64)
		return;
	va_start(ap, fmt);
	vsnprintf(p->msg[p->n++], sizeof(p->msg[0]), fmt, ap);
	va_end(ap);
}

static bool has_problem(const struct problems *p, const char *needle)
{
	for (unsigned i = 0; i < p->n; i++)
		if (strstr(p->msg[i], needle))
			return true;
	return false;
}

static const char *s(json_t *o, const char *path)
{
	char buf[256], *save, *k;
	json_t *v = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	return json_string_value(v);
}

static json_t *get(json_t *o, const char *path)
{
	char buf[256], *save, *k;
	json_t *v = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	return v;
}

static bool in_array(json_t *arr, const char *str)
{
	json_t *e;
	size_t i;

	json_array_foreach(arr, i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), str))
			return true;
	return false;
}

static bool valid_cap(const char *name)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (!strcmp(caps[i].name, name))
			return caps[i].value <= CAP_LAST_CAP;
	return false;
}

/* Rules anywhere in a document: no privileged containers, valid capability sets. */
static void walk(struct problems *p, const char *where, json_t *node)
{
	const char *k;
	json_t *v, *e;
	size_t i;

	if (json_is_array(node))
		json_array_foreach(node, i, e)
			walk(p, where, e);
	if (!json_is_object(node))
		return;
	if (json_is_true(json_object_get(node, "privileged")))
		problem(p, "%s: privileged: true is not allowed (name the capabilities instead)", where);
	if (json_is_true(json_object_get(node, "allowPrivilegeEscalation")))
		problem(p, "%s: allowPrivilegeEscalation must not be true", where);
	v = json_object_get(node, "capabilities");
	if (json_is_object(v)) {
		json_array_foreach(json_object_get(v, "add"), i, e)
			if (!json_is_string(e) || !valid_cap(json_string_value(e)))
				problem(p, "%s: capabilities.add[%zu]: '%s' is not a Linux capability name", where, i,
					json_is_string(e) ? json_string_value(e) : "?");
		if (!in_array(json_object_get(v, "drop"), "ALL"))
			problem(p, "%s: capabilities.drop must contain ALL", where);
	}
	json_object_foreach(node, k, v)
		walk(p, where, v);
}

static void check_workload(struct problems *p, const char *where, json_t *doc, bool agent)
{
	json_t *pod = get(doc, "spec.template.spec"), *c, *vols = json_object_get(pod, "volumes"), *m, *v;
	size_t i, j;

	if (!k8s_selector_matches(get(doc, "spec.selector.matchLabels"), get(doc, "spec.template.metadata.labels")))
		problem(p, "%s: spec.selector.matchLabels does not select the template's labels", where);
	if (!json_array_size(json_object_get(pod, "containers")))
		problem(p, "%s: spec.template.spec.containers: none", where);
	json_array_foreach(json_object_get(pod, "containers"), i, c) {
		if (!s(c, "name") || !s(c, "image"))
			problem(p, "%s: containers[%zu]: name and image are required", where, i);
		if (!get(c, "resources.requests.cpu") || !get(c, "resources.requests.memory") ||
		    !get(c, "resources.limits.cpu") || !get(c, "resources.limits.memory"))
			problem(p, "%s: containers[%zu]: resources.requests and .limits need cpu and memory", where, i);
		if (agent && !get(c, "securityContext.capabilities"))
			problem(p, "%s: containers[%zu]: securityContext.capabilities must name what is needed", where, i);
		json_array_foreach(json_object_get(c, "volumeMounts"), j, m) {
			bool found = false;
			size_t k;

			json_array_foreach(vols, k, v)
				found |= s(v, "name") && s(m, "name") && !strcmp(s(v, "name"), s(m, "name"));
			if (!found)
				problem(p, "%s: containers[%zu].volumeMounts[%zu]: no volume named '%s'", where, i, j,
					s(m, "name") ? s(m, "name") : "");
		}
	}
	json_array_foreach(vols, i, v)
		if (json_object_get(v, "hostPath") && (!s(v, "hostPath.path") || !s(v, "hostPath.type")))
			problem(p, "%s: volumes[%zu]: hostPath needs path and type", where, i);
}

static const char *const smi_groups[][6] = {
	{ "split.smi-spec.io", "trafficsplits", NULL },
	{ "access.smi-spec.io", "traffictargets", NULL },
	{ "specs.smi-spec.io", "httproutegroups", "tcproutes", "udproutes", NULL },
	{ "gateway.networking.k8s.io", "httproutes", "grpcroutes", NULL },
	{ "", "pods", "services", NULL },
};

static bool resource_allowed(const char *group, const char *res)
{
	for (size_t g = 0; g < sizeof(smi_groups) / sizeof(smi_groups[0]); g++)
		if (!strcmp(smi_groups[g][0], group))
			for (size_t r = 1; smi_groups[g][r]; r++)
				if (!strcmp(smi_groups[g][r], res))
					return true;
	return false;
}

/* The run's own role (deploy/run-rbac.yaml) may change what a run makes, nothing else. */
static const char *const run_resources[][8] = {
	{ "", "namespaces", "pods", "services", "serviceaccounts", "configmaps", "pods/proxy", "services/proxy" },
	{ "split.smi-spec.io", "trafficsplits", NULL },
	{ "access.smi-spec.io", "traffictargets", NULL },
	{ "specs.smi-spec.io", "httproutegroups", "tcproutes", "udproutes", NULL },
	{ "gateway.networking.k8s.io", "httproutes", "grpcroutes", NULL },
	{ "metrics.smi-spec.io", "*", NULL },
};

static bool run_resource_allowed(const char *group, const char *res)
{
	for (size_t g = 0; g < sizeof(run_resources) / sizeof(run_resources[0]); g++)
		if (!strcmp(run_resources[g][0], group))
			for (size_t r = 1; r < 8 && run_resources[g][r]; r++)
				if (!strcmp(run_resources[g][r], res))
					return true;
	return false;
}

static bool verb_allowed(const char *v, bool run)
{
	static const char *const read[] = { "get", "list", "watch", NULL };
	static const char *const write[] = { "create", "patch", "delete", NULL };

	for (const char *const *r = read; *r; r++)
		if (!strcmp(v, *r))
			return true;
	for (const char *const *w = write; run && *w; w++)
		if (!strcmp(v, *w))
			return true;
	return false;
}

/*
 * The agent's roles read (get/list/watch) pods, services, the SMI kinds
 * and the Gateway API route kinds; the run's role (labelled component: run) may also create, patch
 * and delete what a run makes, and read through the proxies.
 */
static void check_role(struct problems *p, const char *where, json_t *doc)
{
	bool run = !strcmp(json_string_value(json_object_get(json_object_get(json_object_get(doc, "metadata"),
		"labels"), "app.kubernetes.io/component")) ?: "", "run");
	json_t *rule, *g, *r, *v;
	size_t i, j, k;

	json_array_foreach(json_object_get(doc, "rules"), i, rule) {
		json_array_foreach(json_object_get(rule, "verbs"), j, v)
			if (!json_is_string(v) || !verb_allowed(json_string_value(v), run))
				problem(p, "%s: rules[%zu]: verb '%s' is more than %s", where, i,
					json_string_value(v) ?: "?", run ? "get/list/watch/create/patch/delete" :
					"get/list/watch");
		json_array_foreach(json_object_get(rule, "apiGroups"), j, g)
			json_array_foreach(json_object_get(rule, "resources"), k, r)
				if (!json_is_string(g) || !json_is_string(r) ||
				    !(run ? run_resource_allowed : resource_allowed)(json_string_value(g), json_string_value(r)))
					problem(p, "%s: rules[%zu]: resource '%s' in group '%s' is not %s", where, i,
						json_string_value(r) ?: "?", json_string_value(g) ?: "?",
						run ? "something a run makes or reads" :
						"pods, services, an SMI kind or a route kind");
		if (json_object_get(rule, "nonResourceURLs"))
			problem(p, "%s: rules[%zu]: nonResourceURLs are not needed", where, i);
	}
}

/* Finds a document of `kind` named `name` (in `ns` when given). */
static bool defined(json_t *docs, const char *kind, const char *name, const char *ns)
{
	json_t *d;
	size_t i;

	json_array_foreach(docs, i, d)
		if (s(d, "kind") && !strcmp(s(d, "kind"), kind) && s(d, "metadata.name") &&
		    name && !strcmp(s(d, "metadata.name"), name) &&
		    (!ns || (s(d, "metadata.namespace") && !strcmp(s(d, "metadata.namespace"), ns))))
			return true;
	return false;
}

/* Checks every document of `docs` (each {"file":..., "doc":...} inside the set). */
static void check_set(struct problems *p, json_t *docs)
{
	json_t *d, *port, *sub;
	char where[200];
	size_t i, j;

	json_array_foreach(docs, i, d) {
		const char *kind = s(d, "kind"), *name = s(d, "metadata.name");

		snprintf(where, sizeof(where), "%s (%s/%s)", s(d, "__file") ?: "?", kind ?: "?", name ?: "?");
		if (kind && !strcmp(kind, "Kustomization"))
			continue;
		if (!s(d, "apiVersion") || !kind || !name)
			problem(p, "%s: apiVersion, kind and metadata.name are required", where);
		walk(p, where, d);
		if (!kind)
			continue;
		if (!strcmp(kind, "DaemonSet") || !strcmp(kind, "Deployment"))
			check_workload(p, where, d, !strcmp(kind, "DaemonSet"));
		if (!strcmp(kind, "DaemonSet")) {
			const char *sa = s(d, "spec.template.spec.serviceAccountName");

			if (!defined(docs, "ServiceAccount", sa, s(d, "metadata.namespace")))
				problem(p, "%s: serviceAccountName '%s' is not defined here", where, sa ?: "");
		}
		if (!strcmp(kind, "ClusterRole") || !strcmp(kind, "Role"))
			check_role(p, where, d);
		if (!strcmp(kind, "ClusterRoleBinding")) {
			if (!defined(docs, s(d, "roleRef.kind") ?: "", s(d, "roleRef.name"), NULL))
				problem(p, "%s: roleRef '%s' is not a role defined here", where, s(d, "roleRef.name") ?: "");
			json_array_foreach(json_object_get(d, "subjects"), j, sub)
				if (!defined(docs, "ServiceAccount", s(sub, "name"), s(sub, "namespace")))
					problem(p, "%s: subjects[%zu]: service account '%s' is not defined here", where, j,
						s(sub, "name") ?: "");
		}
		if (!strcmp(kind, "Service")) {
			if (!json_object_size(get(d, "spec.selector")))
				problem(p, "%s: spec.selector is empty", where);
			json_array_foreach(get(d, "spec.ports"), j, port) {
				json_int_t n = json_integer_value(json_object_get(port, "port"));

				if (n < 1 || n > 65535)
					problem(p, "%s: spec.ports[%zu].port: not a port number", where, j);
			}
		}
	}
}

/* Loads every .yaml under `dir` (recursively) into `docs`, tagging each with its file. */
static void load_dir(const char *dir, json_t *docs)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		char path[512], err[256];
		const char *name = list[i]->d_name;
		json_t *loaded, *d;
		size_t j;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (name[0] != '.' && list[i]->d_type == DT_DIR) {
			load_dir(path, docs);
		} else if (strlen(name) > 5 && !strcmp(name + strlen(name) - 5, ".yaml")) {
			loaded = yaml_json_load_file(path, err, sizeof(err));
			if (!loaded)
				fail_msg("cannot load '%s': %s", path, err);
			json_array_foreach(loaded, j, d) {
				json_object_set_new(d, "__file", json_string(path));
				json_array_append(docs, d);
			}
			json_decref(loaded);
		}
		free(list[i]);
	}
	free(list);
}

static void test_repo_manifests(void **state)
{
	json_t *docs = json_array(), *c, *add;
	struct problems p = { 0 };

	(void)state;
	load_dir("deploy", docs);
	assert_true(json_array_size(docs) >= 20);
	check_set(&p, docs);
	for (unsigned i = 0; i < p.n; i++)
		print_message("%s\n", p.msg[i]);
	assert_int_equal(p.n, 0);
	json_decref(docs);

	/* The exact grant: these capabilities and nothing more. */
	docs = json_array();
	load_dir("deploy", docs);
	for (size_t i = 0; i < json_array_size(docs); i++) {
		json_t *d = json_array_get(docs, i);

		if (strcmp(s(d, "kind") ?: "", "DaemonSet"))
			continue;
		c = json_array_get(get(d, "spec.template.spec.containers"), 0);
		add = get(c, "securityContext.capabilities.add");
		assert_int_equal(json_array_size(add), 5);
		assert_true(in_array(add, "BPF") && in_array(add, "PERFMON") && in_array(add, "NET_ADMIN") &&
			    in_array(add, "SYS_RESOURCE") && in_array(add, "SYS_PTRACE"));
		assert_false(in_array(add, "SYS_ADMIN"));
		assert_true(json_is_true(get(d, "spec.template.spec.hostPID")));
		assert_true(json_is_false(get(c, "securityContext.privileged")));
	}
	json_decref(docs);
}

/* Each mesh overlay carries the marker its injector acts on. */
static void test_mesh_markers(void **state)
{
	static const struct {
		const char *dir, *path, *want;
	} m[] = {
		{ "deploy/sample-app/linkerd", "metadata.annotations.linkerd.io/inject", "enabled" },
		{ "deploy/sample-app/istio", "metadata.labels.istio-injection", "enabled" },
		{ "deploy/sample-app/osm", "metadata.labels.openservicemesh.io/monitored-by", "osm" },
		{ "deploy/sample-app/osm", "metadata.annotations.openservicemesh.io/sidecar-injection", "enabled" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		json_t *docs = json_array(), *ns;

		load_dir(m[i].dir, docs);
		ns = NULL;
		for (size_t j = 0; j < json_array_size(docs); j++)
			if (!strcmp(s(json_array_get(docs, j), "kind") ?: "", "Namespace"))
				ns = json_array_get(docs, j);
		assert_non_null(ns);
		/* Keys hold dots, so look the last level up by its full name. */
		{
			const char *sect = strstr(m[i].path, "annotations") ? "annotations" : "labels";
			const char *name = strstr(m[i].path, sect) + strlen(sect) + 1;

			assert_string_equal(json_string_value(json_object_get(get(ns, "metadata"), sect) ?
				json_object_get(json_object_get(get(ns, "metadata"), sect), name) : NULL) ?: "",
				m[i].want);
		}
		json_decref(docs);
	}
	{
		json_t *docs = json_array(), *k;
		const char *patch;

		load_dir("deploy/sample-app/consul", docs);
		k = json_array_get(docs, 0);
		assert_string_equal(s(k, "kind") ?: "", "Kustomization");
		patch = s(json_array_get(json_object_get(k, "patches"), 0), "patch");
		assert_non_null(patch);
		assert_non_null(strstr(patch, "consul.hashicorp.com/connect-inject: \"true\""));
		json_decref(docs);
	}
}

/* Every rule is shown to fail on a manifest that breaks it. */
static void test_broken_fixtures(void **state)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "bad-privileged.yaml", "privileged: true is not allowed" },
		{ "bad-privileged.yaml", "serviceAccountName 'smi-witness-agent' is not defined here" },
		{ "bad-capability.yaml", "capabilities.add[1]: 'CAP_PERFMON' is not a Linux capability name" },
		{ "bad-capability.yaml", "capabilities.add[2]: 'SYS_EVERYTHING' is not a Linux capability name" },
		{ "bad-no-drop.yaml", "capabilities.drop must contain ALL" },
		{ "bad-no-drop.yaml", "does not select the template's labels" },
		{ "bad-no-drop.yaml", "volumeMounts[0]: no volume named 'nowhere'" },
		{ "bad-no-drop.yaml", "resources.requests and .limits need cpu and memory" },
		{ "bad-rbac.yaml", "verb 'create' is more than get/list/watch" },
		{ "bad-rbac.yaml", "verb '*' is more than get/list/watch" },
		{ "bad-rbac.yaml", "resource 'secrets' in group '' is not pods, services, an SMI kind or a route kind" },
		{ "bad-rbac.yaml", "resource '*' in group 'split.smi-spec.io'" },
		{ "bad-binding.yaml", "roleRef 'cluster-admin' is not a role defined here" },
		{ "bad-run-rbac.yaml", "verb 'escalate' is more than get/list/watch/create/patch/delete" },
		{ "bad-run-rbac.yaml", "resource 'secrets' in group '' is not something a run makes or reads" },
		{ "bad-run-rbac.yaml", "resource 'nodes' in group '' is not pods, services, an SMI kind or a route kind" },
		{ "bad-missing-fields.yaml", "(Service/?): apiVersion, kind and metadata.name are required" },
		{ "bad-missing-fields.yaml", "spec.ports[0].port: not a port number" },
		{ "bad-missing-fields.yaml", "spec.selector is empty" },
		{ "bad-missing-fields.yaml", "(ServiceAccount/no-api-version): apiVersion, kind and metadata.name" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *loaded, *docs = json_array(), *d;
		struct problems p = { 0 };
		char path[256], err[256];
		size_t j;

		snprintf(path, sizeof(path), "tests/fixtures/deploy/%s", cases[i].file);
		loaded = yaml_json_load_file(path, err, sizeof(err));
		assert_non_null(loaded);
		json_array_foreach(loaded, j, d) {
			json_object_set_new(d, "__file", json_string(path));
			json_array_append(docs, d);
		}
		check_set(&p, docs);
		if (!has_problem(&p, cases[i].want)) {
			for (unsigned k = 0; k < p.n; k++)
				print_message("  %s\n", p.msg[k]);
			fail_msg("%s: expected a problem containing \"%s\"", cases[i].file, cases[i].want);
		}
		json_decref(loaded);
		json_decref(docs);
	}
}

/* The image builds on Debian 12 from this repository. */
static void test_containerfile(void **state)
{
	FILE *f = fopen("deploy/Containerfile", "r");
	char line[512];
	int from12 = 0, make = 0, copy = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "FROM debian:12", 14))
			from12++;
		if (strstr(line, "RUN rm -rf build && make build"))
			make++;
		if (strstr(line, "COPY --from=build /src/build/smi-witness"))
			copy++;
	}
	fclose(f);
	assert_int_equal(from12, 2);
	assert_int_equal(make, 1);
	assert_int_equal(copy, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repo_manifests),
		cmocka_unit_test(test_mesh_markers),
		cmocka_unit_test(test_broken_fixtures),
		cmocka_unit_test(test_containerfile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
