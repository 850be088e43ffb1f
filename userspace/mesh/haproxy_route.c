/*
 * haproxy_route.c - Gateway API rules of a service port in HAProxy 2.6.
 *
 * The frontend tries the matches in the order the model ranks them and
 * records the first that holds in txn.rule ("set-var ... if !{ var(txn.rule)
 * -m found } CONDITIONS"): HAProxy runs http-request rules in order, so the
 * first match wins, which is the spec's precedence. No match: 404. Then
 * every action is conditioned on the rule: header edits, the path and host
 * rewrite, the redirect (before any backend is chosen, so the request
 * never reaches one), response header edits, and the rule's backend.
 *
 * Directives (HAProxy 2.6 configuration manual): path/method/req.fhdr/urlp
 * fetches (7.3.6), set-var, set-header, add-header, del-header, set-path,
 * replace-path, redirect, return (4.2). Values of set-header, set-path and
 * redirect are log-format strings, so a '%' is written '%%'.
 */
#include <stdlib.h>
#include <string.h>

#include "mesh/haproxy_int.h"
#include "util/log.h"

/* Writes s quoted as a log-format string: '%' doubled. */
static int quote_fmt(FILE *f, const char *s, const char *what)
{
	size_t n = 0;
	char *esc;
	int rc;

	for (const char *c = s; *c; c++)
		n += *c == '%' ? 2 : 1;
	esc = malloc(n + 1);
	if (!esc)
		return error("out of memory");
	n = 0;
	for (const char *c = s; *c; c++) {
		esc[n++] = *c;
		if (*c == '%')
			esc[n++] = '%';
	}
	esc[n] = '\0';
	rc = mesh_quote(f, esc, what);
	free(esc);
	return rc;
}

/* Writes s with every regex metacharacter escaped (a literal prefix inside a pattern). */
static void regex_literal(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr(".^$*+?()[]{}|\\", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* "acl NAME FETCH -m METHOD -- 'VALUE'" for one header or query condition. */
static int render_value(struct render *r, const char *acl, const char *fetch, const struct mesh_value_match *v)
{
	char *re = NULL;
	int rc;

	if (mesh_check_token(v->name, "header or query parameter name"))
		return -1;
	/* The first occurrence: req.fhdr(NAME,1); urlp takes the first by itself. */
	fprintf(r->f, "\tacl %s %s(%s%s) -m %s -- ", acl, fetch, v->name, strcmp(fetch, "urlp") ? ",1" : "",
		v->regex ? "reg" : "str");
	if (!v->regex)
		rc = mesh_quote(r->f, v->value, "match value");
	else if (asprintf(&re, "^(?:%s)$", v->value) < 0)
		return error("out of memory");
	else
		rc = mesh_quote(r->f, re, "match regex");
	free(re);
	fputc('\n', r->f);
	return rc;
}

static int render_path(struct render *r, const char *acl, const struct mesh_rule_match *m)
{
	char *re = NULL;
	int rc = 0;

	switch (m->path_kind) {
	case MESH_PATH_EXACT:
		fprintf(r->f, "\tacl %s path -m str -- ", acl);
		rc = mesh_quote(r->f, m->path, "path");
		break;
	case MESH_PATH_PREFIX:
		/* Whole segments: /v2 takes /v2 and /v2/..., not /v2x (two lines of one ACL are ORed). */
		fprintf(r->f, "\tacl %s path -m beg -- ", acl);
		if (r->o->variant == MESH_ROUTE_LOOSE_PREFIX) {
			rc = mesh_quote(r->f, m->path, "path");
			break;
		}
		if (asprintf(&re, "%s/", m->path) < 0)
			return error("out of memory");
		rc = mesh_quote(r->f, re, "path");
		fprintf(r->f, "\n\tacl %s path -m str -- ", acl);
		rc = rc ? rc : mesh_quote(r->f, m->path, "path");
		break;
	case MESH_PATH_REGEX:
		if (asprintf(&re, "^(?:%s)$", m->path) < 0)
			return error("out of memory");
		fprintf(r->f, "\tacl %s path -m reg -- ", acl);
		rc = mesh_quote(r->f, re, "path regex");
		break;
	default:
		return 0;
	}
	free(re);
	fputc('\n', r->f);
	return rc;
}

/* The ACLs of match i and the "set-var" that picks its rule when they all hold. */
static int render_rule_match(struct render *r, int i, const struct mesh_rule_match *m)
{
	char acl[64], cond[1024] = "";
	size_t o = 0;

#define ADD(...) (o += (size_t)snprintf(cond + o, o < sizeof(cond) ? sizeof(cond) - o : 0, __VA_ARGS__))
	snprintf(acl, sizeof(acl), "m%d.path", i);
	if (render_path(r, acl, m))
		return -1;
	if (m->path_kind != MESH_PATH_ANY)
		ADD(" %s", acl);
	if (m->method) {
		if (mesh_check_token(m->method, "HTTP method"))
			return -1;
		fprintf(r->f, "\tacl m%d.method method %s\n", i, m->method);
		ADD(" m%d.method", i);
	}
	for (int h = 0; h < m->n_headers; h++) {
		snprintf(acl, sizeof(acl), "m%d.header%d", i, h);
		/* The first field line of the name, whole (not split at commas), as the model matches. */
		if (render_value(r, acl, "req.fhdr", &m->headers[h]))
			return -1;
		ADD(" %s", acl);
	}
	for (int q = 0; q < m->n_query; q++) {
		snprintf(acl, sizeof(acl), "m%d.query%d", i, q);
		if (render_value(r, acl, "urlp", &m->query[q]))
			return -1;
		ADD(" %s", acl);
	}
	/* The client namespace of consumer routes; the faulty variant forgets it for consumer rules. */
	if (m->n_src && (m->src_not || r->o->variant != MESH_ROUTE_CONSUMER_EVERYWHERE)) {
		fprintf(r->f, "	acl m%d.src src", i);
		for (int k = 0; k < m->n_src; k++) {
			uint32_t ip = r->p->pods[m->src_pods[k]].ip;

			fprintf(r->f, " %u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
		}
		fputc('\n', r->f);
		ADD(" %sm%d.src", m->src_not ? "!" : "", i);
	}
#undef ADD
	if (o >= sizeof(cond))
		return error("cannot render: match %d has too many conditions", i);
	fprintf(r->f, "\thttp-request set-var(txn.rule) int(%d) if !{ var(txn.rule) -m found }%s\n", m->rule, cond);
	return 0;
}

/* Header edits of one direction ("http-request" / "http-response") for rule k. */
static int render_edit(struct render *r, const char *dir, const struct mesh_header_edit *e, int k)
{
	bool add_as_set = r->o->variant == MESH_ROUTE_ADD_AS_SET && !strcmp(dir, "http-request");

	for (int i = 0; i < e->n_set + e->n_add; i++) {
		const struct mesh_value_match *h = i < e->n_set ? &e->set[i] : &e->add[i - e->n_set];
		bool set = i < e->n_set || add_as_set;

		if (mesh_check_token(h->name, "header name"))
			return -1;
		/* add-header writes one more field line: a backend sees "old" and "new", joined "old,new". */
		fprintf(r->f, "\t%s %s %s ", dir, set ? "set-header" : "add-header", h->name);
		if (quote_fmt(r->f, h->value, "header value"))
			return -1;
		fprintf(r->f, " if rule%d\n", k);
	}
	for (int i = 0; i < e->n_remove; i++) {
		if (mesh_check_token(e->remove[i], "header name"))
			return -1;
		fprintf(r->f, "\t%s del-header %s if rule%d\n", dir, e->remove[i], k);
	}
	return 0;
}

/*
 * ReplacePrefixMatch as the spec's table has it: prefix P, replacement R
 * (trailing '/' of both ignored): P/rest -> R/rest, P -> R, or "/" when R
 * is "/" or empty. With an empty R two rules run, "^P$" first, so that a
 * path the first rewrote is not rewritten again.
 */
static int render_prefix_edit(struct render *r, const struct mesh_rule *rule, int k)
{
	size_t pl = strlen(rule->match_prefix), rl = strlen(rule->path_value);
	char *p = strndup(rule->match_prefix, pl > 1 && rule->match_prefix[pl - 1] == '/' ? pl - 1 : pl);
	char *re = NULL;
	size_t len = 0;
	FILE *m;
	int rc = 0;

	while (rl && rule->path_value[rl - 1] == '/')
		rl--;
	m = p ? open_memstream(&re, &len) : NULL;
	if (!m) {
		free(p);
		return error("out of memory");
	}
	fputc('^', m);
	regex_literal(m, strcmp(p, "/") ? p : "");
	fclose(m);
	if (rl) {
		char *with = NULL;

		fprintf(r->f, "\thttp-request replace-path '%s(/.*)?$' ", re);
		if (asprintf(&with, "%.*s\\1", (int)rl, rule->path_value) < 0)
			rc = error("out of memory");
		rc = rc ? rc : quote_fmt(r->f, with, "path");
		free(with);
		fprintf(r->f, " if rule%d\n", k);
	} else {
		fprintf(r->f, "\thttp-request replace-path '%s$' '/' if rule%d\n", re, k);
		fprintf(r->f, "\thttp-request replace-path '%s(/.*)$' '\\1' if rule%d\n", re, k);
	}
	free(p);
	free(re);
	return rc;
}

/* The path and host a rule rewrites (or a redirect's path). */
static int render_rewrite(struct render *r, const struct mesh_rule *rule, int k)
{
	bool skip = r->o->variant == MESH_ROUTE_NO_REWRITE && !rule->redirect;

	if (rule->path_edit == MESH_PATH_FULL && !skip) {
		fprintf(r->f, "\thttp-request set-path ");
		if (quote_fmt(r->f, rule->path_value, "path"))
			return -1;
		fprintf(r->f, " if rule%d\n", k);
	} else if (rule->path_edit == MESH_PATH_REPLACE_PREFIX && !skip && render_prefix_edit(r, rule, k)) {
		return -1;
	}
	if (rule->host) {
		fprintf(r->f, "\thttp-request set-header host ");
		if (quote_fmt(r->f, rule->host, "hostname"))
			return -1;
		fprintf(r->f, " if rule%d\n", k);
	}
	return 0;
}

/* "redirect location SCHEME://HOST[:PORT]PATH?QUERY code N": the path as edited above. */
static int render_redirect(struct render *r, const struct mesh_rule *rule, int k)
{
	const char *host = r->o->variant == MESH_ROUTE_REDIRECT_HOST ? NULL : rule->redirect_host;
	char *loc = NULL, port[8] = "";
	int rc;

	for (const char *c = host ? host : ""; *c; c++)
		if (*c == '%' || *c == '\'')
			return error("cannot render hostname '%s'", host);
	if (rule->redirect_port)
		snprintf(port, sizeof(port), ":%u", rule->redirect_port);
	if (asprintf(&loc, "%s://%s%s%%[pathq]", rule->redirect_scheme ? rule->redirect_scheme : "http",
		     host ? host : "%[req.hdr(host),field(1,:)]", port) < 0)
		return error("out of memory");
	fprintf(r->f, "\thttp-request redirect location ");
	rc = mesh_quote(r->f, loc, "redirect location");
	fprintf(r->f, " code %d if rule%d\n", rule->redirect_status, k);
	free(loc);
	return rc;
}

/* Everything rule k does to the requests it takes and their responses. */
static int render_rule_actions(struct render *r, const struct mesh_rule *rule, int k)
{
	fprintf(r->f, "\t# rule%d: %s\n\tacl rule%d var(txn.rule) -m int %d\n", k, rule->origin, k, k);
	if (render_edit(r, "http-request", &rule->request, k) || render_rewrite(r, rule, k))
		return -1;
	if (rule->redirect)
		return render_redirect(r, rule, k);
	if (r->o->variant != MESH_ROUTE_NO_RESPONSE_HEADERS && render_edit(r, "http-response", &rule->response, k))
		return -1;
	/* A rule without backends answers 500, as the spec says of a rule whose backends are all invalid. */
	if (!rule->n_servers)
		fprintf(r->f, "\thttp-request return status 500 if rule%d\n", k);
	return 0;
}

/*
 * RequestMirror: once the chosen server answered, a copy of the request
 * (method, path and query as forwarded, X-Request-Id; no body) goes to each
 * mirror Service through the mesh, with the Lua action the mirror variant
 * uses (MESH_MIRROR_LUA; HAProxy 2.6 has no mirroring of its own). The
 * client gets the chosen server's answer once the copies are answered.
 */
static void render_mirrors(struct render *r, const struct mesh_rule *rule)
{
	char ip[16];

	if (!rule->n_mirrors)
		return;
	if (r->o->variant == MESH_ROUTE_NO_MIRROR) {
		fprintf(r->f, "\t# route-no-mirror variant: the RequestMirror is left out\n");
		return;
	}
	fprintf(r->f, "\t# RequestMirror: a copy of every request\n"
		"\thttp-request set-var(txn.mirror_method) method\n"
		"\thttp-request set-var(txn.mirror_target) pathq\n"
		"\thttp-request set-var(txn.mirror_id) req.fhdr(x-request-id)\n");
	for (int i = 0; i < rule->n_mirrors; i++)
		fprintf(r->f, "\t# to %s\n\thttp-response lua.mirror %s:%u\n", rule->mirrors[i].origin,
			mesh_ip4(rule->mirrors[i].ip, ip), rule->mirrors[i].port);
}

/* Match indexes in the order they are tried: the model's, or rule list order for the faulty variant. */
static int *match_order(struct render *r, const struct mesh_listener *l)
{
	int *order = calloc((size_t)l->n_rule_matches + 1, sizeof(*order));
	int n = 0;

	if (!order)
		return NULL;
	if (r->o->variant != MESH_ROUTE_LIST_ORDER) {
		for (int i = 0; i < l->n_rule_matches; i++)
			order[i] = i;
		return order;
	}
	for (int k = 0; k < l->n_rules; k++)
		for (int i = 0; i < l->n_rule_matches; i++)
			if (l->rule_matches[i].rule == k)
				order[n++] = i;
	return order;
}

int mesh_render_rules(struct render *r, const struct mesh_listener *l, const char *name)
{
	int *order = match_order(r, l), rc = 0;

	if (!order)
		return error("out of memory");
	fprintf(r->f, "\t# Gateway API routes: the first match that holds picks its rule\n");
	for (int i = 0; i < l->n_rule_matches && !rc; i++)
		rc = render_rule_match(r, i, &l->rule_matches[order[i]]);
	free(order);
	if (rc)
		return -1;
	fprintf(r->f, "\thttp-request return status 404 unless { var(txn.rule) -m found }\n");
	for (int k = 0; k < l->n_rules; k++)
		if (render_rule_actions(r, &l->rules[k], k))
			return -1;
	/* After every http-request rule, where HAProxy evaluates them anyway. */
	for (int k = 0; k < l->n_rules; k++)
		if (l->rules[k].n_servers && !l->rules[k].redirect)
			fprintf(r->f, "\tuse_backend %s.rule%d if rule%d\n", name, k, k);
	fputc('\n', r->f);
	for (int k = 0; k < l->n_rules; k++) {
		if (!l->rules[k].n_servers || l->rules[k].redirect)
			continue;
		fprintf(r->f, "backend %s.rule%d\n", name, k);
		render_mirrors(r, &l->rules[k]);
		if (mesh_render_servers(r, l->rules[k].servers, l->rules[k].n_servers, false, l->rules[k].h2))
			return -1;
	}
	return 0;
}
