/*
 * test_smi_errors - each validation problem, with its exact message, line
 * and field path; and the Meshery conformance manifests, which load or fail
 * with the exact, correct problems.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "smitest.h"

#define TS2 "apiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\nmetadata:\n  name: s\n"
#define TS1 "apiVersion: split.smi-spec.io/v1alpha1\nkind: TrafficSplit\nmetadata:\n  name: s\n"
#define HRG4 "apiVersion: specs.smi-spec.io/v1alpha4\nkind: HTTPRouteGroup\nmetadata:\n  name: r\n"
#define TT3 "apiVersion: access.smi-spec.io/v1alpha3\nkind: TrafficTarget\nmetadata:\n  name: t\n"
#define DST "  destination:\n    kind: ServiceAccount\n    name: b\n"
#define SRC "  sources:\n  - kind: ServiceAccount\n    name: a\n"

static const struct {
	const char *what, *text, *assume, *problems;
} cases[] = {
	{ "unknown version of an SMI group",
	  "apiVersion: split.smi-spec.io/v1beta1\nkind: TrafficSplit\n", NULL,
	  "E 1 apiVersion: unknown apiVersion 'split.smi-spec.io/v1beta1' (split.smi-spec.io has v1alpha1, v1alpha2, v1alpha3, v1alpha4)" },
	{ "unknown kind in an SMI group",
	  "apiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplitter\n", NULL,
	  "E 2 kind: unknown kind 'TrafficSplitter' in split.smi-spec.io/v1alpha2" },
	{ "kind from a later version",
	  "apiVersion: specs.smi-spec.io/v1alpha3\nkind: UDPRoute\nmetadata:\n  name: u\n", NULL,
	  "E 2 kind: UDPRoute is not defined in specs.smi-spec.io/v1alpha3 (it first appears in v1alpha4)" },
	{ "unknown SMI group",
	  "apiVersion: policy.smi-spec.io/v1alpha1\nkind: Foo\n", NULL,
	  "E 1 apiVersion: unknown SMI API group 'policy.smi-spec.io'" },
	{ "SMI kind under a foreign apiVersion",
	  "apiVersion: v1\nkind: TrafficTarget\n", NULL,
	  "E 1 apiVersion: unknown apiVersion 'v1' for TrafficTarget (expected access.smi-spec.io/v1alphaN)" },
	{ "no apiVersion and no version assumed",
	  "kind: TrafficSplit\nmetadata:\n  name: s\n", NULL,
	  "E 1 apiVersion: required field missing" },
	{ "no kind", "apiVersion: split.smi-spec.io/v1alpha2\nmetadata: {}\n", NULL,
	  "E 1 kind: required field missing" },
	{ "other APIs are skipped, not judged",
	  "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n---\napiVersion: apps/v1\nkind: Deployment\n", NULL, "" },
	{ "no metadata.name",
	  "apiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\nmetadata:\n  namespace: x\n"
	  "spec:\n  service: a\n  backends:\n  - service: b\n    weight: 1\n", NULL,
	  "E 3 metadata.name: required field missing" },
	{ "no spec.service and a backend without weight",
	  TS2 "spec:\n  backends:\n  - service: b\n", NULL,
	  "E 5 spec.service: required field missing\n"
	  "E 7 spec.backends[0].weight: required field missing" },
	{ "non-integer weight", TS2 "spec:\n  service: a\n  backends:\n  - service: b\n    weight: 1\n  - service: c\n    weight: 1.5\n", NULL,
	  "E 11 spec.backends[1].weight: not an integer" },
	{ "weight as a string", TS2 "spec:\n  service: a\n  backends:\n  - service: b\n    weight: \"50\"\n", NULL,
	  "E 9 spec.backends[0].weight: expected an integer, got a string" },
	{ "negative weight", TS2 "spec:\n  service: a\n  backends:\n  - service: b\n    weight: -1\n  - service: c\n    weight: 2\n", NULL,
	  "E 9 spec.backends[0].weight: must not be negative" },
	{ "all weights zero", TS2 "spec:\n  service: a\n  backends:\n  - service: b\n    weight: 0\n  - service: c\n    weight: 0\n", NULL,
	  "E 7 spec.backends: all backend weights are zero" },
	{ "no backends", TS2 "spec:\n  service: a\n  backends: []\n", NULL,
	  "E 7 spec.backends: no backends" },
	{ "backends not a list", TS2 "spec:\n  service: a\n  backends:\n    b: 1\n", NULL,
	  "E 7 spec.backends: expected a list, got a mapping" },
	{ "v1alpha1 weight that is no quantity", TS1 "spec:\n  service: a\n  backends:\n  - service: b\n    weight: 5x\n", NULL,
	  "E 9 spec.backends[0].weight: '5x' is not a quantity (such as 1 or 500m)" },
	{ "v1alpha1 negative quantity", TS1 "spec:\n  service: a\n  backends:\n  - service: b\n    weight: -500m\n", NULL,
	  "E 9 spec.backends[0].weight: must not be negative" },
	{ "v1alpha1 all-zero quantities", TS1 "spec:\n  service: a\n  backends:\n  - service: b\n    weight: 0m\n", NULL,
	  "E 7 spec.backends: all backend weights are zero" },
	{ "matches in a v1alpha2 split are not defined",
	  TS2 "spec:\n  service: a\n  matches:\n  - kind: HTTPRouteGroup\n    name: r\n  backends:\n  - service: b\n    weight: 1\n", NULL,
	  "W 7 spec.matches: field not defined in split.smi-spec.io/v1alpha2 TrafficSplit; Kubernetes drops it" },
	{ "split match to a missing group",
	  "apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\nmetadata:\n  name: s\nspec:\n  service: a\n"
	  "  matches:\n  - kind: HTTPRouteGroup\n    name: r\n  backends:\n  - service: b\n    weight: 1\n", NULL,
	  "E 8 spec.matches[0].name: HTTPRouteGroup 'r' not found in namespace 'default'" },
	{ "split match of another kind",
	  "apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit\nmetadata:\n  name: s\nspec:\n  service: a\n"
	  "  matches:\n  - kind: TCPRoute\n    name: r\n  backends:\n  - service: b\n    weight: 1\n", NULL,
	  "E 8 spec.matches[0].kind: 'TCPRoute' is not allowed (expected HTTPRouteGroup)" },
	{ "invalid path regex",
	  HRG4 "spec:\n  matches:\n  - name: m\n    pathRegex: \"/a(\"\n", NULL,
	  "E 8 spec.matches[0].pathRegex: invalid regex: missing closing parenthesis at offset 3" },
	{ "invalid header regex",
	  HRG4 "spec:\n  matches:\n  - name: m\n    headers:\n      x-a: \"[z-a]\"\n", NULL,
	  "E 9 spec.matches[0].headers.x-a: invalid regex: range out of order in character class at offset 3" },
	{ "regex RE2 would refuse",
	  HRG4 "spec:\n  matches:\n  - name: m\n    pathRegex: \"/(a)\\\\1\"\n", NULL,
	  "W 8 spec.matches[0].pathRegex: uses a backreference, which RE2 (Go) refuses" },
	{ "unknown method",
	  HRG4 "spec:\n  matches:\n  - name: m\n    methods: [GET, get]\n", NULL,
	  "E 8 spec.matches[0].methods[1]: 'get' is not an HTTP method (expected *, GET, HEAD, PUT, POST, DELETE, CONNECT, OPTIONS, TRACE or PATCH)" },
	{ "duplicate match names",
	  HRG4 "spec:\n  matches:\n  - name: m\n  - name: m\n", NULL,
	  "E 8 spec.matches[1].name: duplicate match name 'm' (first at line 7)" },
	{ "match without a name",
	  HRG4 "spec:\n  matches:\n  - pathRegex: /a\n", NULL,
	  "E 7 spec.matches[0].name: required field missing" },
	{ "header filters in specs v1alpha1",
	  "apiVersion: specs.smi-spec.io/v1alpha1\nkind: HTTPRouteGroup\nmetadata:\n  name: r\nmatches:\n- name: m\n  headers:\n    a: b\n", NULL,
	  "W 7 matches[0].headers: field not defined in specs.smi-spec.io/v1alpha1 HTTPRouteGroup; Kubernetes drops it" },
	{ "headers in the CRD's list form",
	  HRG4 "spec:\n  matches:\n  - name: m\n    headers:\n    - x-a: \"a\"\n    - x-b: 5\n", NULL,
	  "E 10 spec.matches[0].headers[1].x-b: expected a string, got an integer" },
	{ "TCPRoute port out of range",
	  "apiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\nmetadata:\n  name: p\nspec:\n  matches:\n    ports: [80, 70000]\n", NULL,
	  "E 7 spec.matches.ports[1]: out of range (1-65535)" },
	{ "TCPRoute v1alpha4 matches without ports",
	  "apiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\nmetadata:\n  name: p\nspec:\n  matches: {}\n", NULL,
	  "E 6 spec.matches.ports: required field missing" },
	{ "destination.port in access v1alpha3 (Kubernetes prunes it)",
	  TT3 "spec:\n" DST "    port: 8080\n  rules:\n  - kind: TCPRoute\n    name: p\n" SRC
	  "---\napiVersion: specs.smi-spec.io/v1alpha4\nkind: TCPRoute\nmetadata:\n  name: p\nspec:\n  matches:\n    ports: []\n", NULL,
	  "W 9 spec.destination.port: field not defined in access.smi-spec.io/v1alpha3 TrafficTarget; Kubernetes drops it" },
	{ "access v1alpha3 needs rules and sources",
	  TT3 "spec:\n" DST "  rules: []\n  sources: []\n", NULL,
	  "E 9 spec.rules: at least one rule is required\n"
	  "E 10 spec.sources: at least one source is required" },
	{ "access v1alpha3 without sources",
	  TT3 "spec:\n" DST "  rules: []\n", NULL,
	  "E 5 spec.sources: required field missing\n"
	  "E 9 spec.rules: at least one rule is required" },
	{ "rule to a missing route and a missing match",
	  TT3 "spec:\n" DST "  rules:\n  - kind: TCPRoute\n    name: nope\n  - kind: HTTPRouteGroup\n    name: r\n    matches: [m, x]\n" SRC
	  "---\n" HRG4 "spec:\n  matches:\n  - name: m\n", NULL,
	  "E 10 spec.rules[0].name: TCPRoute 'nope' not found in namespace 'default'\n"
	  "E 12 spec.rules[1].matches[1]: HTTPRouteGroup 'r' has no match named 'x'" },
	{ "UDPRoute rule in access v1alpha2",
	  "apiVersion: access.smi-spec.io/v1alpha2\nkind: TrafficTarget\nmetadata:\n  name: t\nspec:\n" DST
	  "  rules:\n  - kind: UDPRoute\n    name: u\n", NULL,
	  "E 10 spec.rules[0].kind: 'UDPRoute' is not allowed (expected HTTPRouteGroup or TCPRoute)" },
	{ "identity of another kind",
	  TT3 "spec:\n  destination:\n    kind: Pod\n    name: b\n  rules:\n  - kind: TCPRoute\n    name: p\n" SRC
	  "---\napiVersion: specs.smi-spec.io/v1alpha3\nkind: TCPRoute\nmetadata:\n  name: p\n", NULL,
	  "E 7 spec.destination.kind: 'Pod' is not supported (expected ServiceAccount)" },
	{ "v1alpha1 destination port as a string",
	  "apiVersion: access.smi-spec.io/v1alpha1\nkind: TrafficTarget\nmetadata:\n  name: t\n"
	  "destination:\n  kind: ServiceAccount\n  name: b\n  port: \"9091\"\n", NULL,
	  "E 8 destination.port: expected an integer, got a string" },
	{ "duplicate objects",
	  "apiVersion: specs.smi-spec.io/v1alpha1\nkind: TCPRoute\nmetadata:\n  name: p\n---\n"
	  "apiVersion: specs.smi-spec.io/v1alpha2\nkind: TCPRoute\nmetadata:\n  name: p\n", NULL,
	  "E 6 metadata.name: duplicate TCPRoute 'default/p' (first in 'inline.yaml' line 1)" },
	{ "duplicate keys", "apiVersion: specs.smi-spec.io/v1alpha1\nkind: TCPRoute\nmetadata:\n  name: p\nkind: TCPRoute\n", NULL,
	  "W 5 kind: duplicate field (first at line 2); the last value is used" },
	{ "a spec in a version without one",
	  "apiVersion: access.smi-spec.io/v1alpha1\nkind: TrafficTarget\nmetadata:\n  name: t\nspec:\n  destination: {}\n", NULL,
	  "E 1 destination: required field missing\n"
	  "W 5 spec: field not defined in access.smi-spec.io/v1alpha1 TrafficTarget; Kubernetes drops it (this version has no spec: its fields are at the top level)" },
	{ "not a valid name", "apiVersion: specs.smi-spec.io/v1alpha1\nkind: TCPRoute\nmetadata:\n  name: Bad_Name\n", NULL,
	  "W 4 metadata.name: 'Bad_Name' is not a valid Kubernetes object name" },
	{ "IdentityBinding without a scheme",
	  "apiVersion: access.smi-spec.io/v1alpha4\nkind: IdentityBinding\nmetadata:\n  name: i\nspec:\n  schemes: {}\n", NULL,
	  "E 6 spec.schemes: no identity scheme (podLabelSelector, spiffeIdentities or serviceAccount)" },
	{ "metrics: bad window and direction",
	  "apiVersion: metrics.smi-spec.io/v1alpha1\nkind: TrafficMetrics\nresource:\n  kind: Pod\n  name: p\n"
	  "edge:\n  direction: sideways\nwindow: soon\nmetrics:\n- name: success_count\n  value: lots\n", NULL,
	  "E 7 edge.direction: 'sideways' is not to or from\n"
	  "E 8 window: 'soon' is not a duration (such as 30s)\n"
	  "E 11 metrics[0].value: not a quantity (such as 100 or 10m)" },
	/* The YAML reader's rule (docs/yaml.md) as the SMI loader sees it. */
	{ "an integral float is an integer, as JSON carries it",
	  TS2 "spec:\n  service: a\n  backends:\n  - service: b\n    weight: 1.0\n  - service: c\n    weight: 1e3\n", NULL, "" },
	{ "a v1alpha1 quantity from a number reads its JSON text",
	  TS1 "spec:\n  service: a\n  backends:\n  - service: b\n    weight: 0x10\n", NULL, "" },
	{ "a merge key brings fields in; overriding them is no duplicate",
	  TS2 "  annotations: &a {service: a, x: y}\nspec:\n  <<: *a\n  service: c\n  backends:\n  - service: b\n    weight: 1\n",
	  NULL, "W 5 spec.x: field not defined in split.smi-spec.io/v1alpha2 TrafficSplit; Kubernetes drops it" },
	{ "a key written y is the JSON name true",
	  TS2 "spec:\n  service: a\n  y: 1\n  backends:\n  - service: b\n    weight: 1\n", NULL,
	  "W 7 spec.true: field not defined in split.smi-spec.io/v1alpha2 TrafficSplit; Kubernetes drops it" },
	{ "a YAML 1.1 boolean is no string",
	  TS2 "spec:\n  service: no\n  backends:\n  - service: b\n    weight: 1\n", NULL,
	  "E 6 spec.service: expected a string, got a boolean" },
	{ "a mapping as a key", TS2 "spec:\n  ? [a]\n  : b\n", NULL,
	  "E 6 : a mapping key must be a scalar, not a list" },
	{ "infinity as a value", TS2 "spec:\n  service: a\n  backends:\n  - service: b\n    weight: .inf\n", NULL,
	  "E 9 : .inf is not a number JSON can carry (Kubernetes refuses the document)" },
	{ "'[' starts YAML, not JSON", "[{apiVersion: v1, kind: Service}]\n", NULL, "" },
	{ "YAML syntax error", "apiVersion: v1\nkind: [\n", NULL,
	  "E 3 : invalid YAML: did not find expected node content while parsing a flow node" },
	{ "JSON syntax error, with jansson's line",
	  "{\n  \"apiVersion\": \"split.smi-spec.io/v1alpha2\",\n  \"kind\": \"TrafficSplit\"\n  \"spec\": {}\n}\n", NULL,
	  "E 4 : invalid JSON: '}' expected near '\"spec\"'" },
	{ "JSON object: problems name YAML-reader lines",
	  "{\n  \"apiVersion\": \"split.smi-spec.io/v1alpha2\",\n  \"kind\": \"TrafficSplit\",\n"
	  "  \"metadata\": {\"name\": \"s\"},\n  \"spec\": {\"service\": \"a\",\n    \"backends\": [\n"
	  "      {\"service\": \"b\", \"weight\": 1},\n      {\"service\": \"c\", \"weight\": 2.5}]}\n}\n", NULL,
	  "E 8 spec.backends[1].weight: not an integer" },
	{ "kubectl List with an invalid item",
	  "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
	  "  {\"apiVersion\": \"specs.smi-spec.io/v1alpha4\", \"kind\": \"TCPRoute\", \"metadata\": {\"name\": \"p\"},\n"
	  "   \"spec\": {\"matches\": {\"ports\": [0]}}},\n"
	  "  {\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"s\"}}]}\n", NULL,
	  "E 3 spec.matches.ports[0]: out of range (1-65535)" },
};

/* Every row is checked and every mismatch printed before the test fails. */
static void test_problems(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct smi_set *set = smit_load_text(cases[i].text, cases[i].assume);
		const char *got = smit_problems(set);

		if (strcmp(got, cases[i].problems)) {
			print_error("%s:\n  got:  %s\n  want: %s\n", cases[i].what, got, cases[i].problems);
			failed++;
		}
		smi_set_free(set);
	}
	assert_int_equal(failed, 0);
}

/* A file that does not parse contributes nothing, not the documents before the error. */
static void test_syntax_error_loads_nothing(void **state)
{
	struct smi_set *set = smit_load_text(
		"apiVersion: specs.smi-spec.io/v1alpha1\nkind: TCPRoute\nmetadata:\n  name: p\n---\nkind: [\n", NULL);

	(void)state;
	assert_int_equal(set->n_objects, 0);
	assert_int_equal(set->diags.n_errors, 1);
	smi_set_free(set);
}

/* JSON forms kubectl prints: List, *List with items lacking apiVersion/kind, surrogates. */
static void test_json_lists(void **state)
{
	struct smi_set *set;

	(void)state;
	set = smit_load_text(
		"{\"apiVersion\": \"split.smi-spec.io/v1alpha2\", \"kind\": \"TrafficSplitList\", \"items\": [\n"
		" {\"metadata\": {\"name\": \"a\", \"namespace\": \"n\", \"uid\": \"x\"},\n"
		"  \"spec\": {\"service\": \"\\ud83d\\ude00\", \"backends\": [{\"service\": \"b\", \"weight\": 3}]}},\n"
		" {\"kind\": \"TrafficSplit\", \"metadata\": {\"name\": \"b\"},\n"
		"  \"spec\": {\"service\": \"s\", \"backends\": [{\"service\": \"b\", \"weight\": 1}]}}]}\n", NULL);
	assert_string_equal(smit_problems(set), "");
	assert_string_equal(smit_objects(set),
		"TrafficSplit n/a: \xf0\x9f\x98\x80 -> b 100.0%\n"
		"TrafficSplit default/b: s -> b 100.0%");
	assert_int_equal(set->splits[0]->meta.version, SMI_V1ALPHA2);
	assert_int_equal(set->splits[0]->meta.line, 2);
	smi_set_free(set);
}

/* The loader used by other commands: one error, no set. */
static void test_load_files(void **state)
{
	const char *bad[] = { SMI_FIXTURES "meshery/traffic-spec/03-install.yaml" };
	const char *good[] = { SMI_FIXTURES "meshery/traffic-split/08-install.yaml" };
	struct smi_set *set;

	(void)state;
	assert_null(smi_load_files(bad, 1, NULL));
	set = smi_load_files(good, 1, NULL);
	assert_non_null(set);
	assert_int_equal(set->n_splits, 1);
	smi_set_free(set);
}

/* The Meshery conformance steps: the SMI objects in them and the problems, exactly. */
static const struct {
	const char *file, *objects, *problems;
} meshery[] = {
	{ "traffic-access/04-install.yaml",
	  "TCPRoute <NAMESPACE>/service-tcp-route: all ports\n"
	  "TrafficTarget <NAMESPACE>/service-targets: ServiceAccount <NAMESPACE>/service-a -> ServiceAccount <NAMESPACE>/service-b via TCPRoute service-tcp-route",
	  "W 7 metadata.namespace: '<NAMESPACE>' is not a valid Kubernetes namespace name\n"
	  "W 16 metadata.namespace: '<NAMESPACE>' is not a valid Kubernetes namespace name" },
	{ "traffic-spec/03-install.yaml", "",
	  "E 2 spec: required field missing\n"
	  "W 6 metadata.namespace: '<NAMESPACE>' is not a valid Kubernetes namespace name\n"
	  "W 7 matches: field not defined in specs.smi-spec.io/v1alpha4 HTTPRouteGroup; Kubernetes drops it (in this version it belongs under spec)\n"
	  "W 16 metadata.namespace: '<NAMESPACE>' is not a valid Kubernetes namespace name\n"
	  "W 22 spec.destination.port: field not defined in access.smi-spec.io/v1alpha3 TrafficTarget; Kubernetes drops it\n"
	  "E 28 spec.rules[0].name: HTTPRouteGroup '<NAMESPACE>/http-rg' is invalid (see its errors)" },
	{ "traffic-spec/05-install.yaml",
	  "HTTPRouteGroup <NAMESPACE>/http-rg: testMatch: GET .*\n"
	  "TrafficTarget <NAMESPACE>/service-targets: ServiceAccount <NAMESPACE>/service-a -> ServiceAccount <NAMESPACE>/service-b via HTTPRouteGroup http-rg[testMatch]",
	  "W 6 metadata.namespace: '<NAMESPACE>' is not a valid Kubernetes namespace name\n"
	  "W 18 metadata.namespace: '<NAMESPACE>' is not a valid Kubernetes namespace name\n"
	  "W 24 spec.destination.port: field not defined in access.smi-spec.io/v1alpha3 TrafficTarget; Kubernetes drops it" },
	{ "traffic-split/04-install.yaml", "TrafficSplit <NAMESPACE>/server-split: app-svc -> app-b 100.0%, app-c 0.0%",
	  "W 6 metadata.namespace: '<NAMESPACE>' is not a valid Kubernetes namespace name" },
	{ "traffic-split/06-install.yaml", "TrafficSplit <NAMESPACE>/server-split: app-svc -> app-b 0.0%, app-c 100.0%",
	  "W 6 metadata.namespace: '<NAMESPACE>' is not a valid Kubernetes namespace name" },
	{ "traffic-split/08-install.yaml", "TrafficSplit <NAMESPACE>/server-split: app-svc -> app-b 75.0%, app-c 25.0%",
	  "W 6 metadata.namespace: '<NAMESPACE>' is not a valid Kubernetes namespace name" },
	{ "traffic-split/10-install.yaml", "TrafficSplit <NAMESPACE>/server-split: app-svc -> app-b 25.0%, app-c 75.0%",
	  "W 6 metadata.namespace: '<NAMESPACE>' is not a valid Kubernetes namespace name" },
};

static void test_meshery(void **state)
{
	static const char *const steps[] = { "install", "assert" };

	(void)state;
	for (size_t i = 0; i < sizeof(meshery) / sizeof(meshery[0]); i++)
		for (size_t k = 0; k < 2; k++) {
			char files[256];
			struct smi_set *set;
			const char *dash = strrchr(meshery[i].file, '-');

			/* The assert step of each install step holds the same objects, line for line. */
			snprintf(files, sizeof(files), "meshery/%.*s%s.yaml", (int)(dash - meshery[i].file + 1),
				 meshery[i].file, steps[k]);
			set = smit_load(files, NULL);
			print_message("%s\n", files);
			assert_string_equal(smit_objects(set), meshery[i].objects);
			assert_string_equal(smit_problems(set), meshery[i].problems);
			smi_set_free(set);
		}
}

/* Steps without SMI objects (CRD checks, Deployments, kuttl TestSteps) are skipped. */
static void test_meshery_other_documents(void **state)
{
	static const struct { const char *file; size_t skipped; } other[] = {
		{ "traffic-access/01-assert.yaml", 1 }, { "traffic-access/02-install.yaml", 9 },
		{ "traffic-access/02-assert.yaml", 9 }, { "traffic-access/03-trafficDefault.yaml", 1 },
		{ "traffic-access/05-trafficAllowed.yaml", 1 }, { "traffic-access/06-install.yaml", 1 },
		{ "traffic-access/07-trafficBlocked.yaml", 1 }, { "traffic-spec/01-assert.yaml", 1 },
		{ "traffic-spec/02-install.yaml", 9 }, { "traffic-spec/02-assert.yaml", 9 },
		{ "traffic-spec/04-trafficPath.yaml", 1 }, { "traffic-spec/06-trafficMethod.yaml", 1 },
		{ "traffic-split/01-assert.yaml", 1 }, { "traffic-split/02-install.yaml", 7 },
		{ "traffic-split/02-assert.yaml", 7 }, { "traffic-split/03-trafficDefault.yaml", 1 },
		{ "traffic-split/05-trafficOnlyB.yaml", 1 }, { "traffic-split/07-trafficOnlyC.yaml", 1 },
		{ "traffic-split/09-trafficBGrtC.yaml", 1 }, { "traffic-split/11-trafficCGrtB.yaml", 1 },
	};
	struct smi_set *set;

	(void)state;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		char files[256];

		snprintf(files, sizeof(files), "meshery/%s", other[i].file);
		set = smit_load(files, NULL);
		print_message("%s\n", files);
		assert_int_equal(set->n_objects, 0);
		assert_int_equal(set->n_skipped, other[i].skipped);
		assert_string_equal(smit_problems(set), "");
		smi_set_free(set);
	}
	/* 06-errors.yaml asserts the objects of step 04 are gone: the same two objects. */
	set = smit_load("meshery/traffic-access/06-errors.yaml", NULL);
	assert_int_equal(set->n_tcp_routes, 1);
	assert_int_equal(set->n_targets, 1);
	assert_int_equal(set->diags.n_errors, 0);
	smi_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_syntax_error_loads_nothing),
		cmocka_unit_test(test_json_lists),
		cmocka_unit_test(test_load_files),
		cmocka_unit_test(test_meshery),
		cmocka_unit_test(test_meshery_other_documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
