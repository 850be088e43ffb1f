/* background.c - see background.h */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/background.h"
#include "scenario/scenario.h"

static const char *const rule_keys[] = { "pods", "method", "path", "role", NULL };

/* "ns/name", "name" (namespace ns) or "*", kept in the pool as "ns/name" or "*". */
static int pod_ref(struct ydoc *d, struct ynode *n, const char *field, struct strpool *pool, const char *ns,
		   const char **out)
{
	const char *s = ydoc_scalar(n), *slash;
	char buf[160];

	if (!s || !*s)
		return ydoc_error(d, n, field, "not a pod name, \"*\", a list of them, or a label mapping");
	if (!strcmp(s, "*")) {
		*out = "*";
		return 0;
	}
	slash = strchr(s, '/');
	if (slash ? !sc_plain_name_n(s, (size_t)(slash - s)) || !sc_plain_name(slash + 1) : !sc_plain_name(s))
		return ydoc_error(d, n, field, "'%s' is not a pod name or namespace/name", s);
	snprintf(buf, sizeof(buf), slash ? "%s" : "%s/%s", slash ? s : ns, s);
	*out = strpool_dup(pool, buf);
	return *out ? 0 : -ENOMEM;
}

static int parse_pods(struct ydoc *d, struct ynode *n, const char *field, struct strpool *pool, const char *ns,
		      struct sc_background *b)
{
	char f[YDOC_PATH_MAX];

	if (n->type == YNODE_SCALAR) {
		b->n_pods = 1;
		return pod_ref(d, n, field, pool, ns, &b->pods[0]);
	}
	if (n->type == YNODE_SEQ) {
		if (!ydoc_len(n) || ydoc_len(n) > SC_MAX_BG_PODS)
			return ydoc_error(d, n, field, "a list of 1 to %d pod names", SC_MAX_BG_PODS);
		for (size_t i = 0; i < ydoc_len(n); i++) {
			ydoc_path(f, field, "[%zu]", i);
			if (pod_ref(d, ydoc_item(d, n, i), f, pool, ns, &b->pods[b->n_pods++]))
				return -EINVAL;
		}
		return 0;
	}
	/* A mapping: a label selector, every label must match. */
	if (!n->n)
		return ydoc_error(d, n, field, "an empty label mapping selects nothing (write \"*\" for any pod)");
	if (n->n > SC_MAX_BG_PODS)
		return ydoc_error(d, n, field, "at most %d labels", SC_MAX_BG_PODS);
	for (size_t i = 0; i < n->n; i++) {
		struct ynode *kn = n->keys[i], *vn = n->items[i];
		const char *k = ydoc_scalar(kn), *v;

		ydoc_path(f, field, ".%s", k ? k : "?");
		if (!k || !*k)
			return ydoc_error(d, kn, field, "not a label name");
		if (ydoc_str(d, vn, f, &v))
			return -EINVAL;
		b->label_keys[b->n_labels] = strpool_dup(pool, k);
		b->label_values[b->n_labels] = strpool_dup(pool, v);
		if (!b->label_keys[b->n_labels++] || !b->label_values[b->n_labels - 1])
			return -ENOMEM;
	}
	return 0;
}

/* The path regex must match the whole request target: a rule says exactly what it excuses. */
static int compile_path(struct ydoc *d, struct ynode *n, const char *field, struct strpool *pool,
			struct sc_background *b)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C |
			PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	PCRE2_UCHAR msg[200];
	PCRE2_SIZE off;
	const char *s;
	int code;

	if (ydoc_str(d, n, field, &s))
		return -EINVAL;
	if (!*s)
		return ydoc_error(d, n, field, "an empty regular expression (leave 'path' out for any path)");
	b->re = pcre2_compile((PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
	if (!b->re) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return ydoc_error(d, n, field, "not a valid regular expression (%s at offset %zu)", (const char *)msg,
				  (size_t)off);
	}
	b->path = strpool_dup(pool, s);
	return b->path ? 0 : -ENOMEM;
}

static int parse_rule(struct ydoc *d, struct ynode *n, const char *field, struct strpool *pool, const char *ns,
		      struct sc_background *b)
{
	char f[YDOC_PATH_MAX];
	struct ynode *v;
	const char *s;

	b->line = ydoc_line(n);
	b->method = "";
	b->path = "";
	if (!n || n->type != YNODE_MAP)
		return ydoc_error(d, n, field, "not a mapping (pods, method, path, role)");
	if (ydoc_known_keys(d, n, field, rule_keys))
		return -EINVAL;
	if (!(v = ydoc_get(d, n, "pods")))
		return ydoc_error(d, n, field, "no 'pods' (a pod name, \"*\", a list, or a label mapping)");
	if (parse_pods(d, v, ydoc_path(f, field, ".pods"), pool, ns, b))
		return -EINVAL;
	if ((v = ydoc_get(d, n, "method"))) {
		ydoc_path(f, field, ".method");
		if (ydoc_str(d, v, f, &s))
			return -EINVAL;
		if (!*s || strlen(s) > 16 || s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")])
			return ydoc_error(d, v, f, "'%s' is not an HTTP method (upper case)", s);
		if (!(b->method = strpool_dup(pool, s)))
			return -ENOMEM;
	}
	if ((v = ydoc_get(d, n, "path")) && compile_path(d, v, ydoc_path(f, field, ".path"), pool, b))
		return -EINVAL;
	if ((v = ydoc_get(d, n, "role"))) {
		s = ydoc_scalar(v);
		if (s && !strcmp(s, "server"))
			b->role = SC_BG_SERVER;
		else if (s && !strcmp(s, "client"))
			b->role = SC_BG_CLIENT;
		else if (s && !strcmp(s, "any"))
			b->role = SC_BG_ANY;
		else
			return ydoc_error(d, v, ydoc_path(f, field, ".role"), "not one of server, client, any");
	}
	return 0;
}

int sc_background_parse(struct ydoc *d, struct ynode *n, const char *field, struct strpool *pool,
			const char *ns, struct sc_background **out, size_t *n_out)
{
	char f[YDOC_PATH_MAX];

	*out = NULL;
	*n_out = 0;
	if (!n || n->type != YNODE_SEQ || !ydoc_len(n))
		return ydoc_error(d, n, field, "not a list of rules (pods, method, path, role)");
	if (ydoc_len(n) > SC_MAX_BACKGROUND)
		return ydoc_error(d, n, field, "at most %d rules", SC_MAX_BACKGROUND);
	*out = calloc(ydoc_len(n), sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < ydoc_len(n); i++) {
		int r;

		*n_out = i + 1;
		if ((r = parse_rule(d, ydoc_item(d, n, i), ydoc_path(f, field, "[%zu]", i), pool, ns, &(*out)[i])))
			return r;
	}
	return 0;
}

static bool pod_selected(const struct sc_background *b, const struct inventory *inv, const char *ns,
			 const char *pod)
{
	size_t nl = strlen(ns);
	const struct inv_pod *p;

	for (size_t i = 0; i < b->n_pods; i++)
		if (!strcmp(b->pods[i], "*") ||
		    (!strncmp(b->pods[i], ns, nl) && b->pods[i][nl] == '/' && !strcmp(b->pods[i] + nl + 1, pod)))
			return true;
	if (!b->n_labels || !inv || !(p = inventory_pod(inv, ns, pod)) || !p->labels)
		return false;
	for (size_t i = 0; i < b->n_labels; i++) {
		const char *v = json_string_value(json_object_get(p->labels, b->label_keys[i]));

		if (!v || strcmp(v, b->label_values[i]))
			return false;
	}
	return true;
}

bool sc_background_matches(const struct sc_background *b, const struct inventory *inv, const char *ns,
			   const char *pod, bool server, const char *method, const char *path)
{
	pcre2_match_data *md;
	int rc;

	if ((b->role == SC_BG_SERVER && !server) || (b->role == SC_BG_CLIENT && server))
		return false;
	if (*b->method && strcmp(b->method, method))
		return false;
	if (!*pod || !pod_selected(b, inv, ns, pod))
		return false;
	if (!b->re)
		return true;
	md = pcre2_match_data_create_from_pattern(b->re, NULL);
	if (!md)
		return false;
	rc = pcre2_match(b->re, (PCRE2_SPTR)path, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

void sc_background_free(struct sc_background *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++)
		pcre2_code_free(b[i].re);
	free(b);
}
