/*
 * meshery.c - the SMI conformance result as Meshery's conformance tool
 * defines it (its Response message in protobuf's JSON form; see writers.h
 * and docs/report-schema.md), filled the way that tool's handler fills it:
 * one detail per SMI spec, its test steps counted as `assertion`, the
 * counters as text, PASSED or FAILED. A step here is a scenario step; it
 * passes when every assertion it judged passed. INCONCLUSIVE has no
 * ResultStatus of its own: such a spec is FAILED, its error saying why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/smi_release.h"
#include "report/timing.h"
#include "report/writers.h"

#define MAX_SPECS 16

struct spec {
	const char *smispec, *specversion;	/* borrowed; the first step's version */
	bool mixed;		/* steps in more than one API version */
	size_t steps, passed, fail, inconclusive;	/* assertions: fail, inconclusive */
	double duration;
};

/* Meshery's handler names the Traffic Specs test "traffic-spec" (its test directory). */
static const char *meshery_spec_name(const char *smispec)
{
	return strcmp(smispec, "traffic-specs") ? smispec : "traffic-spec";
}

/*
 * Meshery's ServiceMesh.Type for a mesh named like one it knows ("linkerd",
 * "osm-1.2"); INVALID_MESH, the zero value, for any other (the lab's
 * HAProxy meshes among them).
 */
static const char *mesh_type(const char *mesh)
{
	static const struct { const char *prefix, *type; } types[] = {
		{ "app-mesh", "APP_MESH" }, { "consul", "CONSUL" }, { "istio", "ISTIO" }, { "kuma", "KUMA" },
		{ "linkerd", "LINKERD" }, { "traefik-mesh", "TRAEFIK_MESH" }, { "maesh", "TRAEFIK_MESH" },
		{ "octarine", "OCTARINE" }, { "network-service-mesh", "NETWORK_SERVICE_MESH" },
		{ "nsm", "NETWORK_SERVICE_MESH" }, { "tanzu", "TANZU" }, { "open-service-mesh", "OPEN_SERVICE_MESH" },
		{ "osm", "OPEN_SERVICE_MESH" }, { "nginx-service-mesh", "NGINX_SERVICE_MESH" },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i].prefix);

		if (!strncasecmp(mesh, types[i].prefix, n) && (!mesh[n] || mesh[n] == '-' || mesh[n] == '_'))
			return types[i].type;
	}
	return "INVALID_MESH";
}

/* Assertion k opens its step (no earlier assertion of the same scenario and step). */
static bool opens_step(const struct report *r, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (!strcmp(r->a[j].scenario, r->a[k].scenario) && r->a[j].step_index == r->a[k].step_index)
			return false;
	return true;
}

static bool opens_scenario(const struct report *r, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (!strcmp(r->a[j].scenario, r->a[k].scenario))
			return false;
	return true;
}

/* Whether every assertion of assertion k's step passed. */
static bool step_passed(const struct report *r, size_t k)
{
	for (size_t j = 0; j < r->n; j++)
		if (!strcmp(r->a[j].scenario, r->a[k].scenario) && r->a[j].step_index == r->a[k].step_index &&
		    r->a[j].verdict != VERDICT_PASS)
			return false;
	return true;
}

/* Groups the report by SMI spec, in order of first appearance. Returns the count. */
static size_t group(const struct report *r, struct spec *s, size_t max)
{
	size_t n = 0, i;

	for (size_t k = 0; k < r->n; k++) {
		const struct assertion *a = &r->a[k];

		/* Meshery's result is SMI's: the Gateway API mesh tests have their own report (gamma.h). */
		if (strcmp(report_category(a->smispec), "SMI"))
			continue;
		for (i = 0; i < n && strcmp(s[i].smispec, a->smispec); i++)
			;
		if (i == n) {
			if (n == max)
				continue;
			s[n++] = (struct spec){ .smispec = a->smispec, .specversion = a->specversion };
		}
		s[i].mixed |= strcmp(s[i].specversion, a->specversion) != 0;
		s[i].fail += a->verdict == VERDICT_FAIL;
		s[i].inconclusive += a->verdict == VERDICT_INCONCLUSIVE;
		if (opens_step(r, k)) {
			s[i].steps++;
			s[i].passed += step_passed(r, k);
		}
		if (opens_scenario(r, k))
			s[i].duration += report_scenario_time(r, a->scenario);
	}
	return n;
}

/*
 * The handler's rule: FULL when every step passed, HALF when at least half
 * (rounded down) did. Its specs have 6 to 11 steps; with fewer, half of one
 * rounds to none, so HALF here also needs one step passed.
 */
static const char *capability(const struct spec *s)
{
	if (s->passed == s->steps)
		return "FULL";
	return s->passed && s->passed >= s->steps / 2 ? "HALF" : "NONE";
}

/* Every assertion of the spec that did not pass, one "ID: VERDICT: reason" line each. */
static char *not_passed(const struct report *r, const char *smispec)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return NULL;
	for (size_t k = 0; k < r->n; k++)
		if (!strcmp(r->a[k].smispec, smispec) && r->a[k].verdict != VERDICT_PASS)
			fprintf(m, "%s%s: %s: %s", ftell(m) ? "\n" : "", r->a[k].id, verdict_name(r->a[k].verdict),
				r->a[k].reason);
	fclose(m);
	return text;
}

/*
 * A message when every step passed, else an error: its short description
 * counts what did not pass, its long one lists those assertions. One
 * detail has one API version: a spec whose steps ran in several says so.
 */
static json_t *result(const struct report *r, const struct spec *s)
{
	const char *mixed = s->mixed ? "; its steps ran in more than one API version, specversion names the first" : "";
	char summary[300], *details;
	json_t *o;

	if (s->passed == s->steps) {
		snprintf(summary, sizeof(summary), "all %zu step(s) passed%s", s->steps, mixed);
		return json_pack("{s:s}", "message", summary);
	}
	snprintf(summary, sizeof(summary),
		 "%zu of %zu step(s) did not pass: %zu assertion(s) FAIL, %zu INCONCLUSIVE%s%s", s->steps - s->passed, s->steps, s->fail, s->inconclusive,
		 s->fail ? "" : " (not shown either way by the observations; Meshery has no such status)", mixed);
	details = not_passed(r, s->smispec);
	o = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", s->fail ? "FAIL" : "INCONCLUSIVE",
		      "shortDescription", summary, "longDescription", details ? details : "");
	free(details);
	return o;
}

static json_t *detail(const struct report *r, const struct spec *s)
{
	const char *release = smi_release_of(s->smispec, s->specversion);
	char version[64], steps[24], duration[32];

	snprintf(version, sizeof(version), "%s/%s", release ? release : "unknown", s->specversion);
	snprintf(steps, sizeof(steps), "%zu", s->steps);
	snprintf(duration, sizeof(duration), "%.3f", s->duration);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "smispec", meshery_spec_name(s->smispec),
		"specversion", version, "assertion", steps, "duration", duration, "result", result(r, s),
		"capability", capability(s), "status", s->passed == s->steps ? "PASSED" : "FAILED");
}

/* type, version, and the mesh's own name and data plane where Meshery's type cannot say them. */
static json_t *mesh(const struct report *r)
{
	json_t *m = json_pack("{s:s}", "type", mesh_type(r->mesh)), *notes = json_object();

	if (*r->mesh_version)
		json_object_set_new(m, "version", json_string(r->mesh_version));
	if (*r->mesh)
		json_object_set_new(notes, "smi-witness/mesh", json_string(r->mesh));
	if (*r->data_plane)
		json_object_set_new(notes, "smi-witness/data-plane", json_string(r->data_plane));
	if (json_object_size(notes))
		json_object_set(m, "annotations", notes);
	json_decref(notes);
	return m;
}

int report_write_meshery(FILE *f, const struct report *r)
{
	struct spec specs[MAX_SPECS];
	size_t n = group(r, specs, MAX_SPECS), steps = 0, passed = 0;
	char percent[16], cases[24];
	json_t *details = json_array();

	for (size_t i = 0; i < n; i++) {
		json_array_append_new(details, detail(r, &specs[i]));
		steps += specs[i].steps;
		passed += specs[i].passed;
	}
	snprintf(percent, sizeof(percent), "%.2f", steps ? 100.0 * (double)passed / (double)steps : 0.0);
	snprintf(cases, sizeof(cases), "%zu", passed);
	return report_dump(f, json_pack("{s:s, s:s, s:o, s:o}", "passpercent", percent, "casespassed", cases,
					"mesh", mesh(r), "details", details));
}
