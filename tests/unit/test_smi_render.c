/*
 * test_smi_render - rendering into each API version: load -> render in every
 * version of the object's group -> load -> the same normalised object; and
 * the exact refusal when a version cannot express an object.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "smitest.h"

static const struct {
	const char *files, *assume;
} sets[] = {
	{ "spec/access-v1alpha1-03-api-service-routes.yaml", "access=v1alpha1,specs=v1alpha1" },
	{ "spec/access-v1alpha2-03-api-service-routes.yaml", "access=v1alpha2,specs=v1alpha3" },
	{ "spec/access-v1alpha3-03-api-service-port.yaml", "access=v1alpha3,specs=v1alpha4" },
	{ "spec/access-v1alpha3-04-tcp-ports.yaml", "access=v1alpha3,specs=v1alpha4" },
	{ "spec/access-v1alpha4-05-tcp-ports.yaml access-v1alpha4-bindings.yaml", "access=v1alpha4,specs=v1alpha4" },
	{ "spec/specs-v1alpha2-04-the-routes.yaml", "specs=v1alpha2" },
	{ "spec/specs-v1alpha4-05-the-routes.yaml", "specs=v1alpha4" },
	{ "spec/specs-v1alpha4-07-the-routes.yaml", "specs=v1alpha4" },
	{ "spec/split-v1alpha1-01-my-weights.yaml", "split=v1alpha1" },
	{ "spec/split-v1alpha1-03-foobar-rollout.yaml", "split=v1alpha1" },
	{ "spec/split-v1alpha2-06-my-canary.yaml", "split=v1alpha2" },
	{ "spec/split-v1alpha3-02-ab-test.yaml", "split=v1alpha3,specs=v1alpha2" },
	{ "spec/metrics-v1alpha1-01-foo-775b9cbd88-ntxsl.yaml", "metrics=v1alpha1" },
	{ "spec/metrics-v1alpha1-05-my-traffic-split.yaml", "metrics=v1alpha1" },
	{ "meshery/traffic-access/04-install.yaml", NULL },
};

/* Every refusal the round trips meet, "version: reason", in order. */
static const char *const refusals =
	"access v1alpha3: TrafficTarget 'default/api-service-api': destination.port needs access.smi-spec.io v1alpha1 or v1alpha2 (later versions take ports from TCPRoute rules)\n"
	"access v1alpha4: TrafficTarget 'default/api-service-api': destination.port needs access.smi-spec.io v1alpha1 or v1alpha2 (later versions take ports from TCPRoute rules)\n"
	"access v1alpha3: TrafficTarget 'default/api-service-api': destination.port needs access.smi-spec.io v1alpha1 or v1alpha2 (later versions take ports from TCPRoute rules)\n"
	"access v1alpha4: TrafficTarget 'default/api-service-api': destination.port needs access.smi-spec.io v1alpha1 or v1alpha2 (later versions take ports from TCPRoute rules)\n"
	"specs v1alpha1: TCPRoute 'default/api-service-port': ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)\n"
	"specs v1alpha2: TCPRoute 'default/api-service-port': ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)\n"
	"specs v1alpha3: TCPRoute 'default/api-service-port': ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)\n"
	"access v1alpha1: TrafficTarget 'default/protocal-specific': UDPRoute rules need access.smi-spec.io v1alpha3 or later\n"
	"access v1alpha2: TrafficTarget 'default/protocal-specific': UDPRoute rules need access.smi-spec.io v1alpha3 or later\n"
	"specs v1alpha1: TCPRoute 'default/tcp-ports': ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)\n"
	"specs v1alpha1: UDPRoute 'default/udp-ports': UDPRoute is not defined in specs.smi-spec.io v1alpha1\n"
	"specs v1alpha2: TCPRoute 'default/tcp-ports': ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)\n"
	"specs v1alpha2: UDPRoute 'default/udp-ports': UDPRoute is not defined in specs.smi-spec.io v1alpha2\n"
	"specs v1alpha3: TCPRoute 'default/tcp-ports': ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)\n"
	"specs v1alpha3: UDPRoute 'default/udp-ports': UDPRoute is not defined in specs.smi-spec.io v1alpha3\n"
	"access v1alpha1: TrafficTarget 'default/protocal-specific': IdentityBinding 'server' needs access.smi-spec.io v1alpha4\n"
	"access v1alpha1: IdentityBinding 'default/service-a': IdentityBinding is not defined in access.smi-spec.io v1alpha1\n"
	"access v1alpha1: IdentityBinding 'default/prometheus': IdentityBinding is not defined in access.smi-spec.io v1alpha1\n"
	"access v1alpha1: IdentityBinding 'default/api-service': IdentityBinding is not defined in access.smi-spec.io v1alpha1\n"
	"access v1alpha1: IdentityBinding 'default/website-service': IdentityBinding is not defined in access.smi-spec.io v1alpha1\n"
	"access v1alpha1: IdentityBinding 'default/payments-service': IdentityBinding is not defined in access.smi-spec.io v1alpha1\n"
	"access v1alpha1: IdentityBinding 'default/server': IdentityBinding is not defined in access.smi-spec.io v1alpha1\n"
	"access v1alpha1: IdentityBinding 'default/client': IdentityBinding is not defined in access.smi-spec.io v1alpha1\n"
	"access v1alpha2: TrafficTarget 'default/protocal-specific': IdentityBinding 'server' needs access.smi-spec.io v1alpha4\n"
	"access v1alpha2: IdentityBinding 'default/service-a': IdentityBinding is not defined in access.smi-spec.io v1alpha2\n"
	"access v1alpha2: IdentityBinding 'default/prometheus': IdentityBinding is not defined in access.smi-spec.io v1alpha2\n"
	"access v1alpha2: IdentityBinding 'default/api-service': IdentityBinding is not defined in access.smi-spec.io v1alpha2\n"
	"access v1alpha2: IdentityBinding 'default/website-service': IdentityBinding is not defined in access.smi-spec.io v1alpha2\n"
	"access v1alpha2: IdentityBinding 'default/payments-service': IdentityBinding is not defined in access.smi-spec.io v1alpha2\n"
	"access v1alpha2: IdentityBinding 'default/server': IdentityBinding is not defined in access.smi-spec.io v1alpha2\n"
	"access v1alpha2: IdentityBinding 'default/client': IdentityBinding is not defined in access.smi-spec.io v1alpha2\n"
	"access v1alpha3: TrafficTarget 'default/protocal-specific': IdentityBinding 'server' needs access.smi-spec.io v1alpha4\n"
	"access v1alpha3: IdentityBinding 'default/service-a': IdentityBinding is not defined in access.smi-spec.io v1alpha3\n"
	"access v1alpha3: IdentityBinding 'default/prometheus': IdentityBinding is not defined in access.smi-spec.io v1alpha3\n"
	"access v1alpha3: IdentityBinding 'default/api-service': IdentityBinding is not defined in access.smi-spec.io v1alpha3\n"
	"access v1alpha3: IdentityBinding 'default/website-service': IdentityBinding is not defined in access.smi-spec.io v1alpha3\n"
	"access v1alpha3: IdentityBinding 'default/payments-service': IdentityBinding is not defined in access.smi-spec.io v1alpha3\n"
	"access v1alpha3: IdentityBinding 'default/server': IdentityBinding is not defined in access.smi-spec.io v1alpha3\n"
	"access v1alpha3: IdentityBinding 'default/client': IdentityBinding is not defined in access.smi-spec.io v1alpha3\n"
	"specs v1alpha1: TCPRoute 'default/tcp-ports': ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)\n"
	"specs v1alpha1: UDPRoute 'default/udp-ports': UDPRoute is not defined in specs.smi-spec.io v1alpha1\n"
	"specs v1alpha2: TCPRoute 'default/tcp-ports': ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)\n"
	"specs v1alpha2: UDPRoute 'default/udp-ports': UDPRoute is not defined in specs.smi-spec.io v1alpha2\n"
	"specs v1alpha3: TCPRoute 'default/tcp-ports': ports need specs.smi-spec.io v1alpha4 (earlier TCPRoutes cover every port)\n"
	"specs v1alpha3: UDPRoute 'default/udp-ports': UDPRoute is not defined in specs.smi-spec.io v1alpha3\n"
	"specs v1alpha1: HTTPRouteGroup 'default/the-routes': matches[0] has header filters, which need specs.smi-spec.io v1alpha2 or later\n"
	"specs v1alpha1: HTTPRouteGroup 'default/the-routes': matches[0] has header filters, which need specs.smi-spec.io v1alpha2 or later\n"
	"split v1alpha1: TrafficSplit 'default/ab-test': spec.matches needs split.smi-spec.io v1alpha3 or later\n"
	"split v1alpha2: TrafficSplit 'default/ab-test': spec.matches needs split.smi-spec.io v1alpha3 or later\n"
	"specs v1alpha1: HTTPRouteGroup 'default/ab-test': matches[0] has header filters, which need specs.smi-spec.io v1alpha2 or later\n";

static char *render_all(const struct smi_set *set, enum smi_group g, int v, char *refused, size_t *ro)
{
	char *buf = NULL, err[512];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	for (size_t i = 0; i < set->n_objects; i++) {
		const struct smi_meta *m = set->objects[i];
		int r;

		if (m->kind == SMI_TRAFFIC_METRICS && ((const struct smi_traffic_metrics *)m)->list)
			continue;
		if (smi_kind_group(m->kind) != g) {
			assert_int_equal(smi_render(m, m->version, f, err, sizeof(err)), 0);
			continue;
		}
		r = smi_render(m, v, f, err, sizeof(err));
		if (r == -ENOTSUP) {
			*ro += (size_t)snprintf(refused + *ro, 65536 - *ro, "%s %s: %s\n", smi_group_short(g),
						smi_version_name(v), err);
			/* Kept in its own version: a mixed set is still one to load. */
			assert_int_equal(smi_render(m, m->version, f, err, sizeof(err)), 0);
		} else {
			assert_int_equal(r, 0);
		}
	}
	fclose(f);
	return buf;
}

static char *json_of(const struct smi_set *set)
{
	json_t *a = smi_set_json(set, false);
	char *s;

	s = json_dumps(a, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(a);
	return s;
}

static void test_round_trips(void **state)
{
	static char refused[65536];
	size_t ro = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		struct smi_set *orig = smit_load(sets[i].files, sets[i].assume);
		char *want = json_of(orig);

		assert_int_equal(orig->diags.n_errors, 0);
		for (int g = 0; g < SMI_GROUP_COUNT; g++)
			for (int v = 1; v <= SMI_VERSION_MAX; v++) {
				char *yaml = render_all(orig, g, v, refused, &ro);
				struct smi_set *back = smit_load_text(yaml, NULL);
				char *got = json_of(back);

				if (back->diags.n_errors || strcmp(got, want))
					fail_msg("%s as %s %s:\n%s\nproblems: %s\ngot:  %s\nwant: %s", sets[i].files,
						 smi_group_short(g), smi_version_name(v), yaml, smit_problems(back), got, want);
				free(got);
				free(yaml);
				smi_set_free(back);
				if (g == SMI_GROUP_METRICS)
					break;
			}
		free(want);
		smi_set_free(orig);
	}
	assert_string_equal(refused, refusals);
}

/* What a conformance suite asks: one set, each group in its own version. */
static void test_render_set(void **state)
{
	struct smi_set *set = smit_load("spec/access-v1alpha2-03-api-service-routes.yaml spec/split-v1alpha4-01-canary.yaml",
					"access=v1alpha2,specs=v1alpha3,split=v1alpha4");
	int versions[SMI_GROUP_COUNT] = { 0 };
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(smi_parse_api_versions("split=v1alpha2,access=v1alpha1,specs=v1alpha2", versions, err, sizeof(err)), 0);
	assert_int_equal(smi_render_set(set, versions, f, err, sizeof(err)), 0);
	fclose(f);
	assert_string_equal(buf,
		"---\napiVersion: specs.smi-spec.io/v1alpha2\nkind: HTTPRouteGroup\nmetadata:\n  name: api-service-routes\n  namespace: default\n"
		"matches:\n- name: api\n  pathRegex: /api\n  methods:\n  - \"*\"\n- name: metrics\n  pathRegex: /metrics\n  methods:\n  - GET\n"
		"---\napiVersion: access.smi-spec.io/v1alpha1\nkind: TrafficTarget\nmetadata:\n  name: api-service-metrics\n  namespace: default\n"
		"destination:\n  kind: ServiceAccount\n  name: api-service\n  namespace: default\n"
		"specs:\n- kind: HTTPRouteGroup\n  name: api-service-routes\n  matches:\n  - metrics\n"
		"sources:\n- kind: ServiceAccount\n  name: prometheus\n  namespace: default\n"
		"---\napiVersion: access.smi-spec.io/v1alpha1\nkind: TrafficTarget\nmetadata:\n  name: api-service-api\n  namespace: default\n"
		"destination:\n  kind: ServiceAccount\n  name: api-service\n  namespace: default\n  port: 8080\n"
		"specs:\n- kind: HTTPRouteGroup\n  name: api-service-routes\n  matches:\n  - api\n"
		"sources:\n- kind: ServiceAccount\n  name: website-service\n  namespace: default\n"
		"- kind: ServiceAccount\n  name: payments-service\n  namespace: default\n"
		"---\napiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\nmetadata:\n  name: canary\n  namespace: default\n"
		"spec:\n  service: website\n  backends:\n  - service: website-v1\n    weight: 90\n  - service: website-v2\n    weight: 10\n");
	free(buf);
	smi_set_free(set);
}

/* Weights: kept when whole, the smallest ratio otherwise; quantities keep their thousandths. */
static void test_weights(void **state)
{
	struct smi_set *set = smit_load("spec/split-v1alpha1-01-my-weights.yaml", "split=v1alpha1");
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(smi_render(set->objects[0], SMI_V1ALPHA4, f, err, sizeof(err)), 0);
	assert_int_equal(smi_render(set->objects[0], SMI_V1ALPHA1, f, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, "  - service: one\n    weight: 1\n  - service: two\n    weight: 10\n  - service: three\n    weight: 150\n"));
	assert_non_null(strstr(buf, "  - service: one\n    weight: 10m\n  - service: two\n    weight: 100m\n  - service: three\n    weight: 1500m\n"));
	assert_int_equal(smi_render(set->objects[0], 7, stdout, err, sizeof(err)), -EINVAL);
	free(buf);
	smi_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_render_set),
		cmocka_unit_test(test_weights),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
