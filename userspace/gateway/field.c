/* field.c - typed access to a route's document tree, recording every problem in the SMI set. */
#include <stdio.h>
#include <string.h>

#include "gateway/internal.h"

static void vreport(struct gctx *c, enum smi_severity sev, const struct ynode *at, const char *path,
		    const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	smi_set_report(c->set, sev, c->file, at, path, "%s", msg);
	if (sev == SMI_ERROR)
		c->errors++;
}

void gerr(struct gctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, SMI_ERROR, at, path, fmt, ap);
	va_end(ap);
}

void gwarn(struct gctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, SMI_WARNING, at, path, fmt, ap);
	va_end(ap);
}

const char *gkey(struct gctx *c, const char *parent, const char *key)
{
	return parent && *parent ? arena_printf(c->a, "%s.%s", parent, key) : key;
}

const char *gidx(struct gctx *c, const char *parent, size_t i)
{
	return arena_printf(c->a, "%s[%zu]", parent, i);
}

struct ynode *gfield(struct ynode *map, const char *key)
{
	return ynode_get(map, key);
}

struct ynode *gfield_req(struct gctx *c, struct ynode *map, const char *path, const char *key)
{
	struct ynode *v = ynode_get(map, key);

	if (!v)
		gerr(c, map, gkey(c, path, key), "required field missing");
	return v;
}

bool gmap(struct gctx *c, const struct ynode *n, const char *path)
{
	if (n->type == YNODE_MAP)
		return true;
	gerr(c, n, path, "expected a mapping, got %s", ynode_kind_name(n));
	return false;
}

bool gseq(struct gctx *c, const struct ynode *n, const char *path)
{
	if (n->type == YNODE_SEQ)
		return true;
	gerr(c, n, path, "expected a list, got %s", ynode_kind_name(n));
	return false;
}

const char *gstr(struct gctx *c, struct ynode *map, const char *parent, const char *key, bool required)
{
	struct ynode *n = required ? gfield_req(c, map, parent, key) : gfield(map, key);
	const char *path = gkey(c, parent, key);

	if (!n)
		return NULL;
	/* The API server decodes JSON into typed fields: a string field takes only a string. */
	if (n->type != YNODE_SCALAR || n->kind != YSCALAR_STRING) {
		gerr(c, n, path, "expected a string, got %s", ynode_kind_name(n));
		return NULL;
	}
	if (strlen(n->str) != n->len) {
		gerr(c, n, path, "contains a NUL character");
		return NULL;
	}
	return arena_strdup(c->a, n->str);
}

bool gint(struct gctx *c, struct ynode *map, const char *parent, const char *key, int64_t min,
	  int64_t max, int64_t *out)
{
	struct ynode *n = gfield(map, key);
	const char *path = gkey(c, parent, key);
	int64_t v;

	if (!n)
		return false;
	if (n->type != YNODE_SCALAR || (n->kind != YSCALAR_INT && n->kind != YSCALAR_FLOAT)) {
		gerr(c, n, path, "expected an integer, got %s", ynode_kind_name(n));
		return false;
	}
	if (n->big || !ynode_int(n, &v)) {
		gerr(c, n, path, n->big ? "out of range (%lld-%lld)" : "not an integer", (long long)min,
		     (long long)max);
		return false;
	}
	if (v < min || v > max) {
		gerr(c, n, path, "out of range (%lld-%lld)", (long long)min, (long long)max);
		return false;
	}
	*out = v;
	return true;
}

int genum(struct gctx *c, struct ynode *map, const char *parent, const char *key,
	  const char *const *names, int dflt)
{
	const char *v = gstr(c, map, parent, key, false);
	char allowed[256] = "";
	size_t o = 0;

	if (!v)
		return gfield(map, key) ? -1 : dflt;
	for (int i = 0; names[i]; i++) {
		if (!strcmp(v, names[i]))
			return i;
		o += (size_t)snprintf(allowed + o, o < sizeof(allowed) ? sizeof(allowed) - o : 0, "%s%s",
				      i ? (names[i + 1] ? ", " : " or ") : "", names[i]);
	}
	gerr(c, gfield(map, key), gkey(c, parent, key), "'%s' is not one of %s", v, allowed);
	return -1;
}

struct ynode *glist(struct gctx *c, struct ynode *map, const char *parent, const char *key, size_t max)
{
	struct ynode *n = gfield(map, key);
	const char *path = gkey(c, parent, key);

	if (!n || !gseq(c, n, path))
		return NULL;
	if (n->n > max) {
		gerr(c, n, path, "%zu items, at most %zu allowed", n->n, max);
		return NULL;
	}
	return n;
}

void gunknown(struct gctx *c, struct ynode *map, const char *path)
{
	if (!map || map->type != YNODE_MAP)
		return;
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->keys[i];

		/* Route objects have a few keys per mapping; a pairwise look stays cheap up to 64. */
		for (size_t j = 0; j < i && map->n <= 64; j++)
			if (!map->merged[i] && map->keys[j]->len == k->len &&
			    !memcmp(map->keys[j]->str, k->str, k->len)) {
				gwarn(c, k, gkey(c, path, k->str),
				      "duplicate field (first at line %d); the last value is used",
				      map->keys[j]->line);
				break;
			}
		if (!map->used[i])
			gwarn(c, k, gkey(c, path, k->str), "field not defined in %s; Kubernetes drops it",
			      c->api);
	}
}

void gmark_all(struct ynode *map)
{
	if (map && map->type == YNODE_MAP)
		for (size_t i = 0; i < map->n; i++)
			map->used[i] = true;
}

bool gheader_name_ok(struct gctx *c, const struct ynode *at, const char *path, const char *name)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr(tchar, ch))
			continue;
		gerr(c, at, path, "'%s' is not a valid header name", name);
		return false;
	}
	if (!n || n > 256) {
		gerr(c, at, path, "a header name has 1 to 256 characters");
		return false;
	}
	return true;
}
