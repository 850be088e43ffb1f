/*
 * gamma.c - the upstream ConformanceReport from our verdicts (gamma.h).
 * Facts taken from the Gateway API conformance suite (its test list, the
 * MESH-HTTP / MESH-GRPC profiles, the report's Go types): the tests below,
 * which profile counts each and at which level, and the report's fields.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/gamma.h"

enum profile { P_NONE = 0, P_HTTP = 1, P_GRPC = 2 };

struct gtest {
	const char *name;
	unsigned profiles;	/* enum profile bits */
	const char *feature;	/* the mesh extended feature it needs (NULL: core where it counts) */
	bool provisional;
};

/*
 * Every mesh test of the suite. A test counts in a profile only when all
 * its features are in that profile; MeshPorts & co. need one outside both
 * mesh profiles, so they count in none (only a provisional one's success
 * shows, in succeededProvisionalTests).
 */
static const struct gtest tests[] = {
	{ "MeshBasic", P_HTTP | P_GRPC, NULL, false },
	{ "MeshTrafficSplit", P_HTTP, NULL, false },
	{ "MeshPorts", P_NONE, NULL, false },
	{ "MeshFrontend", P_NONE, NULL, false },
	{ "MeshFrontendHostname", P_NONE, "MeshClusterIPMatching", false },
	{ "MeshConsumerRoute", P_NONE, "MeshConsumerRoute", false },
	{ "MeshHTTPRouteSimpleSameNamespace", P_HTTP, NULL, false },
	{ "MeshHTTPRouteMatching", P_HTTP, NULL, false },
	{ "MeshHTTPRouteQueryParamMatching", P_HTTP, "MeshHTTPRouteQueryParamMatching", false },
	{ "MeshHTTPRouteWeight", P_HTTP, NULL, false },
	{ "MeshHTTPRouteNamedRule", P_HTTP, "MeshHTTPRouteNamedRouteRule", true },
	{ "MeshHTTPRouteRedirectHostAndStatus", P_HTTP, NULL, false },
	{ "MeshHTTPRouteRedirectPath", P_HTTP, "MeshHTTPRouteRedirectPath", false },
	{ "MeshHTTPRouteRedirectPort", P_HTTP, "MeshHTTPRouteRedirectPort", false },
	{ "MeshHTTPRouteSchemeRedirect", P_HTTP, "MeshHTTPRouteSchemeRedirect", false },
	{ "MeshHTTPRoute303Redirect", P_NONE, NULL, true },
	{ "MeshHTTPRoute307Redirect", P_NONE, NULL, true },
	{ "MeshHTTPRoute308Redirect", P_NONE, NULL, true },
	{ "MeshHTTPRouteRewritePath", P_HTTP, "MeshHTTPRouteRewritePath", false },
	{ "MeshHTTPRouteRequestHeaderModifier", P_HTTP, NULL, false },
	{ "MeshHTTPRouteBackendRequestHeaderModifier", P_HTTP, "MeshHTTPRouteBackendRequestHeaderModification",
	  false },
	{ "MeshGRPCRouteWeight", P_GRPC, NULL, false },
	{ "MeshGRPCRouteRequestHeaderModifier", P_GRPC, NULL, false },
};
#define N_TESTS (sizeof(tests) / sizeof(tests[0]))

/* The extended features of both mesh profiles, sorted. */
static const char *const extended_features[] = {
	"MeshClusterIPMatching", "MeshConsumerRoute", "MeshHTTPRouteBackendRequestHeaderModification",
	"MeshHTTPRouteNamedRouteRule", "MeshHTTPRouteQueryParamMatching", "MeshHTTPRouteRedirectPath",
	"MeshHTTPRouteRedirectPort", "MeshHTTPRouteRewritePath", "MeshHTTPRouteSchemeRedirect",
};
#define N_FEATURES (sizeof(extended_features) / sizeof(extended_features[0]))

enum result { R_NOT_RUN, R_PASSED, R_SKIPPED, R_FAILED };

bool report_has_gamma(const struct report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(report_category(r->a[i].smispec), "GAMMA"))
			return true;
	return false;
}

/* A test's result from the assertions of the GAMMA scenario of its name. */
static enum result result_of(const struct report *r, const char *name)
{
	enum result res = R_NOT_RUN;

	for (size_t i = 0; i < r->n; i++) {
		const struct assertion *a = &r->a[i];
		enum result x;

		if (strcmp(a->scenario, name) || strcmp(report_category(a->smispec), "GAMMA"))
			continue;
		x = a->verdict == VERDICT_FAIL ? R_FAILED : a->verdict == VERDICT_PASS ? R_PASSED : R_SKIPPED;
		if (x > res)
			res = x;
	}
	return res;
}

/* One level (core or extended) of one profile. */
struct level {
	unsigned passed, skipped, failed;
	const char *skipped_tests[N_TESTS], *failed_tests[N_TESTS];
};

static void add(struct level *l, const char *name, enum result res)
{
	if (res == R_PASSED)
		l->passed++;
	else if (res == R_SKIPPED)
		l->skipped_tests[l->skipped++] = name;
	else if (res == R_FAILED)
		l->failed_tests[l->failed++] = name;
}

static const char *level_result(const struct level *l)
{
	return l->failed ? "failure" : l->skipped ? "partial" : "success";
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void names(FILE *f, const char *indent, const char *key, const char **v, unsigned n)
{
	if (!n)
		return;	/* omitempty */
	qsort(v, n, sizeof(*v), by_name);
	fprintf(f, "%s%s:\n", indent, key);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s- %s\n", indent, v[i]);
}

/* The fields of a Status, sorted: failedTests, result, skippedTests, statistics. */
static void status(FILE *f, const char *indent, struct level *l)
{
	names(f, indent, "failedTests", l->failed_tests, l->failed);
	fprintf(f, "%sresult: %s\n", indent, level_result(l));
	names(f, indent, "skippedTests", l->skipped_tests, l->skipped);
	/* Statistics has no JSON tags upstream: its keys are the Go field names. */
	fprintf(f, "%sstatistics:\n%s  Failed: %u\n%s  Passed: %u\n%s  Skipped: %u\n", indent, indent, l->failed,
		indent, l->passed, indent, l->skipped);
}

static void summary_part(char *buf, size_t len, const char *what, const struct level *l)
{
	size_t used = strlen(buf);

	if (l->failed)
		snprintf(buf + used, len - used, "%s%s tests failed with %u test failures.", used ? " " : "", what,
			 l->failed);
	else if (l->skipped)
		snprintf(buf + used, len - used, "%s%s tests partially succeeded with %u test skips.", used ? " " : "",
			 what, l->skipped);
	else
		snprintf(buf + used, len - used, "%s%s tests succeeded.", used ? " " : "", what);
}

/* One profiles[] entry; nothing when none of its tests ran. */
static void profile(FILE *f, const struct report *r, enum profile p, const char *name)
{
	struct level core = { 0 }, ext = { 0 };
	const char *supported[N_FEATURES], *unsupported[N_FEATURES];
	unsigned n_sup = 0, n_unsup = 0;
	bool any_ext = false;
	char summary[300] = "";

	for (size_t i = 0; i < N_TESTS; i++) {
		enum result res;

		if (!(tests[i].profiles & p) || (res = result_of(r, tests[i].name)) == R_NOT_RUN)
			continue;
		add(tests[i].feature ? &ext : &core, tests[i].name, res);
		any_ext |= tests[i].feature != NULL;
	}
	if (!core.passed && !core.skipped && !core.failed && !any_ext)
		return;
	/*
	 * Core is what a profile requires: a core test of a profile we report
	 * that did not run (the GRPCRoute ones, a partial suite) is skipped,
	 * never left out. An extended test that did not run is a feature not
	 * claimed (unsupportedFeatures).
	 */
	for (size_t i = 0; i < N_TESTS; i++)
		if ((tests[i].profiles & p) && !tests[i].feature && result_of(r, tests[i].name) == R_NOT_RUN)
			add(&core, tests[i].name, R_SKIPPED);
	/*
	 * A feature is supported when a test needing it ran, also one that
	 * counts in no profile (MeshConsumerRoute needs a Gateway HTTP feature
	 * as well): the profile's extended features are the implementation's
	 * claims, not its tests'. The others are not claimed.
	 */
	for (size_t k = 0; k < N_FEATURES; k++) {
		bool ran = false;

		for (size_t i = 0; i < N_TESTS; i++)
			ran |= tests[i].feature && !strcmp(tests[i].feature, extended_features[k]) &&
			       result_of(r, tests[i].name) != R_NOT_RUN;
		if (ran)
			supported[n_sup++] = extended_features[k];
		else
			unsupported[n_unsup++] = extended_features[k];
	}
	summary_part(summary, sizeof(summary), "Core", &core);
	if (any_ext)
		summary_part(summary, sizeof(summary), "Extended", &ext);
	fprintf(f, "- core:\n");
	status(f, "    ", &core);
	if (any_ext) {
		fprintf(f, "  extended:\n");
		status(f, "    ", &ext);
		names(f, "    ", "supportedFeatures", supported, n_sup);
		names(f, "    ", "unsupportedFeatures", unsupported, n_unsup);
	}
	fprintf(f, "  name: %s\n  summary: %s\n", name, summary);
}

/* Whether any test that counts in a mesh profile ran. */
static bool counted(const struct report *r)
{
	for (size_t i = 0; i < N_TESTS; i++)
		if (tests[i].profiles && result_of(r, tests[i].name) != R_NOT_RUN)
			return true;
	return false;
}

/* A YAML scalar that reads back as the same string: single-quoted. */
static void quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

int report_write_gamma_conformance(FILE *f, const struct report *r, const struct gamma_impl *impl,
				   const char *date)
{
	const char *prov[N_TESTS];
	unsigned n_prov = 0;

	fprintf(f, "apiVersion: gateway.networking.k8s.io/v1\ndate: ");
	quoted(f, date);
	fprintf(f, "\ngatewayAPIChannel: %s\ngatewayAPIVersion: %s\nimplementation:\n  contact:\n  - ",
		GAMMA_API_CHANNEL, GAMMA_API_VERSION);
	quoted(f, impl->contact);
	fprintf(f, "\n  organization: ");
	quoted(f, impl->organization);
	fprintf(f, "\n  project: ");
	quoted(f, impl->project);
	fprintf(f, "\n  url: ");
	quoted(f, impl->url);
	fprintf(f, "\n  version: ");
	quoted(f, impl->version);
	fprintf(f, "\nkind: ConformanceReport\nmode: default\nprofiles:%s\n", counted(r) ? "" : " []");
	profile(f, r, P_GRPC, "MESH-GRPC");
	profile(f, r, P_HTTP, "MESH-HTTP");
	for (size_t i = 0; i < N_TESTS; i++)
		if (tests[i].provisional && result_of(r, tests[i].name) == R_PASSED)
			prov[n_prov++] = tests[i].name;
	names(f, "", "succeededProvisionalTests", prov, n_prov);
	return ferror(f) ? -EIO : 0;
}

void gamma_impl_of(const struct report *r, struct gamma_impl *impl)
{
	*impl = (struct gamma_impl){
		.organization = "smi-witness",
		.project = r->mesh && *r->mesh ? r->mesh : "unnamed",
		.url = "https://gateway-api.sigs.k8s.io/mesh/",
		.version = r->mesh_version && *r->mesh_version ? r->mesh_version : "unknown",
		.contact = "https://gateway-api.sigs.k8s.io/contributing/",
	};
}
