/*
 * test_k8s_kustomize - the kustomize subset `run --cluster` reads the sample
 * app with (every shipped overlay, namespace override, JSON 6902 patches,
 * what it refuses), and the REST paths objects are applied at.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "k8s/apply.h"
#include "k8s/kustomize.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *sget(json_t *o, const char *a, const char *b)
{
	return json_string_value(json_object_get(b ? json_object_get(o, a) : o, b ? b : a));
}

/* "Kind ns/name" of each object, joined by spaces. */
static void names(json_t *objs, char *buf, size_t len)
{
	json_t *o;
	size_t i;

	*buf = '\0';
	json_array_foreach(objs, i, o)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s %s%s%s", i ? " " : "", sget(o, "kind", NULL),
			 sget(o, "metadata", "namespace") ?: "", sget(o, "metadata", "namespace") ? "/" : "",
			 sget(o, "metadata", "name"));
}

static void test_shipped(void **state)
{
	static const char want_base[] =
		"ServiceAccount smiw-osm/service-a ServiceAccount smiw-osm/service-b ServiceAccount smiw-osm/service-c "
		"ServiceAccount smiw-osm/service-d Pod smiw-osm/app-a Pod smiw-osm/app-b Pod smiw-osm/app-c "
		"Pod smiw-osm/app-d Service smiw-osm/app-svc Service smiw-osm/app-svc3 Service smiw-osm/app-a "
		"Service smiw-osm/app-b Service smiw-osm/app-c Service smiw-osm/app-d "
		"Pod smiw-osm/client Pod smiw-osm/echo-v1 Pod smiw-osm/echo-v2 Service smiw-osm/echo "
		"Service smiw-osm/echo-v1 Service smiw-osm/echo-v2";
	char err[512], got[2048], want[2048];
	json_t *objs, *o;
	size_t i;

	(void)state;
	objs = kustomize_build("deploy/sample-app/osm", NULL, err, sizeof(err));
	if (!objs)
		fail_msg("%s", err);
	names(objs, got, sizeof(got));
	snprintf(want, sizeof(want), "Namespace smiw-osm %s", want_base);
	assert_string_equal(got, want);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
		json_array_get(objs, 0), "metadata"), "annotations"), "smi-witness/sidecar")), "envoy");
	json_decref(objs);

	/* --namespace: the namespace renamed, every object moved into it. */
	objs = kustomize_build("deploy/sample-app/linkerd", "ci-42", err, sizeof(err));
	assert_non_null(objs);
	json_array_foreach(objs, i, o)
		assert_string_equal(!strcmp(sget(o, "kind", NULL), "Namespace") ? sget(o, "metadata", "name") :
				    sget(o, "metadata", "namespace"), "ci-42");
	json_decref(objs);

	/* consul's patch: every Pod gets the injection annotations, nothing else does. */
	objs = kustomize_build("deploy/sample-app/consul", NULL, err, sizeof(err));
	assert_non_null(objs);
	json_array_foreach(objs, i, o) {
		json_t *ann = json_object_get(json_object_get(o, "metadata"), "annotations");
		bool pod = !strcmp(sget(o, "kind", NULL), "Pod");

		assert_int_equal(pod, json_string_value(json_object_get(ann, "consul.hashicorp.com/connect-inject")) != NULL);
	}
	json_decref(objs);
	for (const char *const *m = (const char *const[]){ "istio", "linkerd", "osm", "consul", NULL }; *m; m++) {
		char dir[64];

		snprintf(dir, sizeof(dir), "deploy/sample-app/%s", *m);
		objs = kustomize_build(dir, NULL, err, sizeof(err));
		assert_non_null(objs);
		assert_int_equal(json_array_size(objs), 21);
		json_decref(objs);
	}
}

static char dir[] = "/tmp/smiw-kustomize-XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_refused(void **state)
{
	static const struct {
		const char *kustomization, *want;
	} cases[] = {
		{ "resources: [a.yaml]\nimages: [{name: x}]\n", "kustomization.yaml: images: not supported by smi-witness" },
		{ "resources: [missing.yaml]\n", "kustomization.yaml: resources[0]: cannot read 'missing.yaml'" },
		{ "resources: [a.yaml]\npatches: [{path: p.yaml, target: {kind: Pod}}]\n",
		  "patches[0]: 'path' is not supported here (inline patch and target only)" },
		{ "resources: [a.yaml]\npatches: [{patch: '[{op: move, from: /a, path: /b}]', target: {kind: Pod}}]\n",
		  "patches[0]: ops[0]: op 'move' is not add, replace or remove" },
		{ "resources: [a.yaml]\npatches: [{patch: '[{op: replace, path: /spec/nothere, value: 1}]', target: {kind: Pod}}]\n",
		  "patches[0]: ops[0]: path '/spec/nothere': nothing to replace" },
		{ "resources: [a.yaml]\npatches: [{patch: '[{op: add, path: /spec/x/y, value: 1}]', target: {labelSelector: a}}]\n",
		  "patches[0]: target.labelSelector is not supported here (kind and name only)" },
		{ "resources: [bad.yaml]\n", "bad.yaml: (document): not a Kubernetes object (kind and metadata.name)" },
		{ "resources: [.]\n", "resources: kustomizations nested too deep (a loop?)" },
		{ "namespace: n\nresources: [a.yaml]\n", "kustomization.yaml: namespace: not a string (quote it)" },
	};
	char err[512];

	(void)state;
	assert_non_null(mkdtemp(dir));
	put("a.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n");
	put("bad.yaml", "apiVersion: v1\nkind: Pod\n");
	for (size_t i = 0; i < N(cases); i++) {
		json_t *objs;

		put("kustomization.yaml", cases[i].kustomization);
		objs = kustomize_build(dir, NULL, err, sizeof(err));
		assert_null(objs);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].want);
	}
	/* add, replace and remove, into arrays too; "-" appends. */
	put("kustomization.yaml", "namespace: ns1\nresources: [a.yaml]\npatches:\n  - target: {kind: Pod, name: p}\n"
	    "    patch: |-\n      - {op: add, path: /spec/containers/-, value: {name: side}}\n"
	    "      - {op: replace, path: /spec/containers/0/name, value: main}\n"
	    "      - {op: add, path: /metadata/labels, value: {a~b: 1}}\n      - {op: remove, path: /metadata/labels/a~0b}\n");
	{
		json_t *objs = kustomize_build(dir, NULL, err, sizeof(err)), *pod;
		char *text;

		if (!objs)
			fail_msg("%s", err);
		pod = json_array_get(objs, 0);
		text = json_dumps(json_object_get(pod, "spec"), JSON_COMPACT | JSON_SORT_KEYS);
		assert_string_equal(text, "{\"containers\":[{\"name\":\"main\"},{\"name\":\"side\"}]}");
		free(text);
		assert_int_equal(json_object_size(json_object_get(json_object_get(pod, "metadata"), "labels")), 0);
		assert_string_equal(sget(pod, "metadata", "namespace"), "ns1");
		json_decref(objs);
	}
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_paths(void **state)
{
	static const struct {
		const char *api, *kind, *ns, *name, *want;
		int ret;
	} cases[] = {
		{ "v1", "Pod", "smiw", "app-a", "/api/v1/namespaces/smiw/pods/app-a", 0 },
		{ "v1", "Namespace", "ignored", "smiw", "/api/v1/namespaces/smiw", 0 },
		{ "v1", "Service", "smiw", NULL, "/api/v1/namespaces/smiw/services", 0 },
		{ "split.smi-spec.io/v1alpha4", "TrafficSplit", "smiw", "s", "/apis/split.smi-spec.io/v1alpha4/namespaces/smiw/trafficsplits/s", 0 },
		{ "specs.smi-spec.io/v1alpha3", "TCPRoute", "n", NULL, "/apis/specs.smi-spec.io/v1alpha3/namespaces/n/tcproutes", 0 },
		{ "apps/v1", "Deployment", "n", "d", "/apis/apps/v1/namespaces/n/deployments/d", 0 },
		{ "v1", "Secret", "n", "s", "", -ENOENT },
		{ "split.smi-spec.io/v1alpha4", "TrafficTarget", "n", "s", "", -ENOENT },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		buf[0] = '\0';
		assert_int_equal(k8s_object_path(cases[i].api, cases[i].kind, cases[i].ns, cases[i].name, buf, sizeof(buf)),
				 cases[i].ret);
		if (!cases[i].ret)
			assert_string_equal(buf, cases[i].want);
	}
	assert_int_equal(k8s_object_path("v1", "Pod", "n", "x", buf, 20), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
