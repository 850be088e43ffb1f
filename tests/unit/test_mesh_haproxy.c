/*
 * test_mesh_haproxy - the HAProxy rendering of one mesh policy in every
 * variant, compared with the reviewed files in tests/fixtures/mesh/, and
 * the weight arithmetic. SMIW_UPDATE_FIXTURES=1 rewrites the files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mesh/haproxy.h"

#define FIXTURES "tests/fixtures/mesh"

static struct mesh_http_match match(const char *methods, const char *path, const char *hname, const char *hregex)
{
	struct mesh_http_match m = { 0 };
	char *list = methods ? strdup(methods) : NULL, *save = NULL;

	for (char *w = list ? strtok_r(list, " ", &save) : NULL; w; w = strtok_r(NULL, " ", &save))
		*MESH_PUSH(m.methods, m.n_methods) = strdup(w);
	free(list);
	m.path_regex = path ? strdup(path) : NULL;
	if (hname) {
		struct mesh_header_match *h = MESH_PUSH(m.headers, m.n_headers);

		h->name = strdup(hname);
		h->regex = strdup(hregex);
	}
	return m;
}

static void add_server(struct mesh_server **s, int *n, int pod, uint16_t port, uint32_t weight)
{
	*MESH_PUSH(*s, *n) = (struct mesh_server){ pod, port, weight };
}

static void add_pods(int **v, int *n, int a, int b)
{
	*MESH_PUSH(*v, *n) = a;
	if (b >= 0)
		*MESH_PUSH(*v, *n) = b;
}

/*
 * Three pods; app-svc split 75/25 with a conditional route for Android
 * users; a TCP service; three TrafficTargets: HTTP routes with methods,
 * path and a header, TCP on one port, and one whose sources match no pod.
 */
static void build(struct mesh_policy *p, bool access)
{
	static const char *const names[] = { "app-a", "app-b", "app-c" };
	struct mesh_listener *l;
	struct mesh_route *rt;
	struct mesh_allow *a;

	memset(p, 0, sizeof(*p));
	p->access_control = access;
	p->mesh_ip = 0xc61201fa;
	p->metrics_port = 8405;
	for (int i = 0; i < 3; i++) {
		struct mesh_pod *pod = MESH_PUSH(p->pods, p->n_pods);

		snprintf(pod->ns, sizeof(pod->ns), "default");
		snprintf(pod->name, sizeof(pod->name), "%s", names[i]);
		pod->ip = 0xc612000b + (uint32_t)i;
	}
	l = MESH_PUSH(p->listeners, p->n_listeners);
	snprintf(l->ns, sizeof(l->ns), "default");
	snprintf(l->service, sizeof(l->service), "app-svc");
	l->ip = 0xc6120101;
	l->port = 9091;
	add_server(&l->servers, &l->n_servers, 1, 9091, 75000);
	add_server(&l->servers, &l->n_servers, 2, 9091, 25000);
	rt = MESH_PUSH(l->routes, l->n_routes);
	snprintf(rt->origin, sizeof(rt->origin), "default/android-canary");
	*MESH_PUSH(rt->matches, rt->n_matches) = match(NULL, NULL, "user-agent", ".*Android.*");
	add_server(&rt->servers, &rt->n_servers, 2, 9091, 1);
	add_server(&rt->servers, &rt->n_servers, 1, 9091, 0);

	l = MESH_PUSH(p->listeners, p->n_listeners);
	snprintf(l->ns, sizeof(l->ns), "default");
	snprintf(l->service, sizeof(l->service), "db");
	l->ip = 0xc6120105;
	l->port = 5432;
	l->tcp = true;
	add_server(&l->servers, &l->n_servers, 2, 5432, 1);

	a = MESH_PUSH(p->allows, p->n_allows);
	snprintf(a->origin, sizeof(a->origin), "default/a-to-b");
	add_pods(&a->dst_pods, &a->n_dst, 1, -1);
	add_pods(&a->src_pods, &a->n_src, 0, -1);
	a->has_http = true;
	*MESH_PUSH(a->matches, a->n_matches) = match("GET", "/echo", NULL, NULL);
	*MESH_PUSH(a->matches, a->n_matches) = match("POST PUT", "/api/.*", "x-user", "^alice's$");

	a = MESH_PUSH(p->allows, p->n_allows);
	snprintf(a->origin, sizeof(a->origin), "default/db-clients");
	add_pods(&a->dst_pods, &a->n_dst, 2, -1);
	add_pods(&a->src_pods, &a->n_src, 0, 1);
	a->has_l4 = true;
	*MESH_PUSH(a->l4_ports, a->n_l4_ports) = 5432;

	a = MESH_PUSH(p->allows, p->n_allows);
	snprintf(a->origin, sizeof(a->origin), "default/nobody");
	add_pods(&a->dst_pods, &a->n_dst, 2, -1);
	a->has_l4 = true;
	a->l4_all_ports = true;
}

static char *render_opts(const struct mesh_policy *p, enum mesh_variant v, bool h2, int *rc)
{
	struct mesh_render_opts o = { .variant = v, .stats_socket = "/run/smi-witness/lab/haproxy.sock",
				      .generation = 7, .node = "smiw", .h2 = h2,
				      .mirror_lua = "/run/smi-witness/lab/mirror.lua" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	*rc = mesh_render_haproxy(p, &o, f);
	fclose(f);
	return text;
}

static char *render(const struct mesh_policy *p, enum mesh_variant v, int *rc)
{
	return render_opts(p, v, false, rc);
}

static void compare_with_fixture(const char *text, const char *name)
{
	char path[256], *want = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), FIXTURES "/%s.cfg", name);
	if (getenv("SMIW_UPDATE_FIXTURES")) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		return;
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("missing fixture %s", path);
	want = calloc(1, 1 << 16);
	len = fread(want, 1, (1 << 16) - 1, f);
	fclose(f);
	want[len] = '\0';
	if (strcmp(text, want))
		fail_msg("%s differs from the rendering:\n%s", path, text);
	free(want);
}

static void test_variants(void **state)
{
	struct mesh_policy p;

	(void)state;
	build(&p, true);
	for (int v = 0; v < MESH_VARIANT_COUNT; v++) {
		int rc;
		char *text = render(&p, (enum mesh_variant)v, &rc);

		assert_int_equal(rc, 0);
		compare_with_fixture(text, mesh_variant_name((enum mesh_variant)v));
		free(text);
	}
	mesh_policy_free(&p);
}

static void test_access_off(void **state)
{
	struct mesh_policy p;
	char *text;
	int rc;

	(void)state;
	build(&p, false);
	text = render(&p, MESH_REFERENCE, &rc);
	assert_int_equal(rc, 0);
	compare_with_fixture(text, "reference-access-off");
	free(text);
	mesh_policy_free(&p);
}

/*
 * HTTP/2 to pods: every HTTP server line (svc to pod side, pod side to pod)
 * says proto h2 and pools nothing; TCP ones (the database's) stay as they
 * are; the rest is the HTTP/1.1 rendering, line for line.
 */
static void test_h2(void **state)
{
	struct mesh_policy p;
	char *h1, *h2, *line, *save = NULL, *stripped;
	int rc, http = 0, tcp = 0, other = 0;

	(void)state;
	build(&p, true);
	h1 = render(&p, MESH_REFERENCE, &rc);
	assert_int_equal(rc, 0);
	h2 = render_opts(&p, MESH_REFERENCE, true, &rc);
	assert_int_equal(rc, 0);
	compare_with_fixture(h2, "reference-h2");
	for (line = strtok_r(h2, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "\tserver ") && strstr(line, " proto h2 pool-max-conn 0"))
			http++;
		else if (strstr(line, "\tserver ") && (strstr(line, ":5432") || strstr(line, ":20002 ")))
			tcp++;	/* the database's two hops: svc side to pod side 20002, pod side to the pod */
		else if (strstr(line, "\tserver "))
			other++;
	}
	assert_int_equal(http, 6);
	assert_int_equal(tcp, 2);
	assert_int_equal(other, 0);
	free(h2);
	h2 = render_opts(&p, MESH_REFERENCE, true, &rc);
	/* Removing the two options gives back the HTTP/1.1 rendering exactly. */
	stripped = calloc(1, strlen(h2) + 1);
	assert_non_null(stripped);
	for (const char *from = h2, *q; *from; from = q + 25) {
		q = strstr(from, " proto h2 pool-max-conn 0");
		if (!q) {
			strcat(stripped, from);
			break;
		}
		strncat(stripped, from, (size_t)(q - from));
	}
	assert_string_equal(stripped, h1);
	free(stripped);
	free(h1);
	free(h2);
	mesh_policy_free(&p);
}

static void test_unsafe_input(void **state)
{
	static const struct {
		const char *methods, *path, *hname, *hregex;
	} cases[] = {
		{ "GET", "/a\nb", NULL, NULL },	/* a newline would end the configuration line */
		{ "PATCH", "/a b", "x-ok", "it's" },	/* spaces and quotes are quoted, not refused */
		{ "G(T", "/", NULL, NULL },
		{ NULL, NULL, "x-a)b", "1" },
		{ NULL, NULL, "x-ok", "\x7f" },
	};
	static const int want[] = { -1, 0, -1, -1, -1 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mesh_policy p;
		char *text;
		int rc;

		build(&p, true);
		mesh_http_match_free(&p.allows[0].matches[0]);
		p.allows[0].matches[0] = match(cases[i].methods, cases[i].path, cases[i].hname, cases[i].hregex);
		text = render(&p, MESH_REFERENCE, &rc);
		assert_int_equal(rc, want[i]);
		free(text);
		mesh_policy_free(&p);
	}
}

static void test_weights(void **state)
{
	static const struct {
		uint32_t in[4];
		int n;
		bool faulty;
		unsigned want[4];
	} cases[] = {
		{ { 75, 25 }, 2, false, { 3, 1 } },
		{ { 75000, 25000 }, 2, false, { 3, 1 } },
		{ { 1, 0 }, 2, false, { 1, 0 } },
		{ { 0, 0 }, 2, false, { 0, 0 } },
		{ { 500, 300, 200 }, 3, false, { 5, 3, 2 } },
		{ { 1000, 1 }, 2, false, { 256, 1 } },	/* beyond 256: scaled, never to 0 */
		{ { 1000000, 3, 0 }, 3, false, { 256, 1, 0 } },
		{ { 7 }, 1, false, { 1 } },
		{ { 75, 25 }, 2, true, { 140, 60 } },	/* 70% / 30% */
		{ { 1, 0 }, 2, true, { 180, 20 } },	/* 90% / 10% */
		{ { 50, 50 }, 2, true, { 100, 100 } },	/* an even split cannot be pulled */
		{ { 0, 0 }, 2, true, { 0, 0 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned out[4] = { 99, 99, 99, 99 };

		mesh_haproxy_weights(cases[i].in, cases[i].n, cases[i].faulty, out);
		for (int k = 0; k < cases[i].n; k++)
			assert_int_equal(out[k], cases[i].want[k]);
		assert_int_equal(out[cases[i].n], 99);
	}
}

static void test_variant_names(void **state)
{
	enum mesh_variant v;

	(void)state;
	for (int i = 0; i < MESH_VARIANT_COUNT; i++) {
		assert_int_equal(mesh_variant_parse(mesh_variant_name((enum mesh_variant)i), &v), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(mesh_variant_parse("Reference", &v), -EINVAL);
	assert_int_equal(mesh_variant_parse("", &v), -EINVAL);
	assert_true(mesh_variant_rewrites_metrics(MESH_INFLATE_METRICS));
	assert_true(mesh_variant_rewrites_metrics(MESH_DROP_FAILURES_METRICS));
	assert_true(mesh_variant_rewrites_metrics(MESH_BOGUS_RESTART));
	assert_false(mesh_variant_rewrites_metrics(MESH_FAIL_OPEN));
	assert_false(mesh_variant_rewrites_metrics(MESH_STRIP_ID));
	for (int i = 0; i < MESH_VARIANT_COUNT; i++)
		assert_int_equal(mesh_variant_fail_every((enum mesh_variant)i), i == MESH_RETRY_FLAKY_BACKEND ? 2 : 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_access_off),
		cmocka_unit_test(test_h2),
		cmocka_unit_test(test_unsafe_input),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_variant_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
