/* obs.c - see obs.h */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "metrics/array.h"
#include "metrics/obs.h"

struct obs_set *obs_new(const char *source)
{
	struct obs_set *s = calloc(1, sizeof(*s));

	if (s && !(s->source = strdup(source ? source : "-"))) {
		free(s);
		return NULL;
	}
	return s;
}

/* The string fields of an exchange record and where they go. */
static const struct {
	const char *name;
	size_t off;
} str_fields[] = {
	{ "conn", offsetof(struct obs_exchange, conn) },
	{ "node", offsetof(struct obs_exchange, node) },
	{ "namespace", offsetof(struct obs_exchange, ns) },
	{ "pod", offsetof(struct obs_exchange, pod) },
	{ "service_account", offsetof(struct obs_exchange, sa) },
	{ "local", offsetof(struct obs_exchange, local) },
	{ "peer", offsetof(struct obs_exchange, peer) },
	{ "peer_pod", offsetof(struct obs_exchange, peer_pod) },
	{ "method", offsetof(struct obs_exchange, method) },
	{ "path", offsetof(struct obs_exchange, path) },
	{ "host", offsetof(struct obs_exchange, host) },
	{ "request_id", offsetof(struct obs_exchange, request_id) },
	{ "incomplete", offsetof(struct obs_exchange, incomplete) },
};

static char **str_slot(struct obs_exchange *e, size_t i)
{
	return (char **)((char *)e + str_fields[i].off);
}

static void exchange_free(struct obs_exchange *e)
{
	for (size_t i = 0; i < sizeof(str_fields) / sizeof(str_fields[0]); i++)
		free(*str_slot(e, i));
}

void obs_free(struct obs_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		exchange_free(&set->ex[i]);
	for (size_t i = 0; i < set->nwatched; i++)
		free(set->watched[i]);
	free(set->watched);
	free(set->ex);
	free(set->inventory);
	free(set->source);
	free(set);
}

static char *str_field(json_t *rec, const char *name)
{
	const char *v = json_string_value(json_object_get(rec, name));

	return strdup(v ? v : "");
}

/* Reads an integer field; fails when present but not a non-negative integer. */
static int uint_field(json_t *rec, const char *name, bool required, uint64_t *out,
		      char *err, size_t errlen)
{
	json_t *v = json_object_get(rec, name);

	if (!v) {
		if (required) {
			snprintf(err, errlen, "field '%s' missing", name);
			return -EINVAL;
		}
		*out = 0;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "field '%s' is not a non-negative integer", name);
		return -EINVAL;
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int add_watched(struct obs_set *set, const char *ns, const char *pod)
{
	char *key;
	void *p;

	if (!*pod)
		return 0;
	if (asprintf(&key, "%s/%s", ns, pod) < 0)
		return -ENOMEM;
	if (set->nwatched && !strcmp(set->watched[set->nwatched - 1], key)) {
		free(key);	/* cheap dedup of runs; sort_watched does the rest */
		return 0;
	}
	p = realloc(set->watched, (set->nwatched + 1) * sizeof(*set->watched));
	if (!p) {
		free(key);
		return -ENOMEM;
	}
	set->watched = p;
	set->watched[set->nwatched++] = key;
	return 0;
}

int obs_add_json(struct obs_set *set, json_t *rec, int line, char *err, size_t errlen)
{
	struct obs_exchange e = { .line = line };
	const char *role = json_string_value(json_object_get(rec, "role"));
	uint64_t status, seq;
	json_t *complete;
	int r;

	if (!role || (strcmp(role, "client") && strcmp(role, "server"))) {
		snprintf(err, errlen, "field 'role' must be \"client\" or \"server\"");
		return -EINVAL;
	}
	e.role = strcmp(role, "client") ? OBS_SERVER : OBS_CLIENT;
	if ((r = uint_field(rec, "start_ns", true, &e.start_ns, err, errlen)) ||
	    (r = uint_field(rec, "end_ns", true, &e.end_ns, err, errlen)) ||
	    (r = uint_field(rec, "status", false, &status, err, errlen)) ||
	    (r = uint_field(rec, "seq", false, &seq, err, errlen)))
		return r;
	if (status > 999) {
		snprintf(err, errlen, "field 'status' out of range (%llu)", (unsigned long long)status);
		return -EINVAL;
	}
	if (e.end_ns < e.start_ns) {
		snprintf(err, errlen, "end_ns before start_ns");
		return -EINVAL;
	}
	e.status = (int)status;
	e.seq = (int64_t)seq;
	complete = json_object_get(rec, "complete");
	e.complete = complete ? json_is_true(complete) : true;
	for (size_t i = 0; i < sizeof(str_fields) / sizeof(str_fields[0]); i++)
		if (!(*str_slot(&e, i) = str_field(rec, str_fields[i].name)))
			goto oom;
	if (array_reserve(&set->ex, &set->cap, set->n, sizeof(*set->ex), 1024))
		goto oom;
	if (add_watched(set, e.ns, e.pod))
		goto oom;
	set->ex[set->n++] = e;
	return 0;
oom:
	exchange_free(&e);
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

static int take_counters(struct obs_set *set, json_t *rec, char *err, size_t errlen)
{
	int r;

	if ((r = uint_field(rec, "kernel_drops", false, &set->kernel_drops, err, errlen)) ||
	    (r = uint_field(rec, "user_drops", false, &set->user_drops, err, errlen)) ||
	    (r = uint_field(rec, "gaps", false, &set->gaps, err, errlen)))
		return r;
	return 0;
}

static int take_meta(struct obs_set *set, json_t *rec, char *err, size_t errlen)
{
	const char *inv = json_string_value(json_object_get(rec, "inventory"));
	json_t *v = json_object_get(rec, "v");
	int r;

	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		snprintf(err, errlen, "unsupported record format version (this reader knows 1)");
		return -EINVAL;
	}
	if ((r = uint_field(rec, "mono_ns", false, &set->mono_ns, err, errlen)) ||
	    (r = uint_field(rec, "real_ns", false, &set->real_ns, err, errlen)))
		return r;
	if (inv && *inv && !(set->inventory = strdup(inv)))
		return -ENOMEM;
	set->have_meta = true;
	return 0;
}

static int take_record(struct obs_set *set, json_t *rec, int line, char *err, size_t errlen)
{
	const char *t = json_string_value(json_object_get(rec, "t"));

	if (!t) {
		snprintf(err, errlen, "record without a \"t\" field");
		return -EINVAL;
	}
	if (line == 1 || !set->have_meta) {
		if (strcmp(t, "meta")) {
			snprintf(err, errlen, "the first record must be \"meta\" (got \"%s\")", t);
			return -EINVAL;
		}
		return take_meta(set, rec, err, errlen);
	}
	if (!strcmp(t, "exchange"))
		return obs_add_json(set, rec, line, err, errlen);
	if (!strcmp(t, "conn")) {
		const char *ns = json_string_value(json_object_get(rec, "namespace"));
		const char *pod = json_string_value(json_object_get(rec, "pod"));

		return add_watched(set, ns ? ns : "", pod ? pod : "") ? -ENOMEM : 0;
	}
	if (!strcmp(t, "stats") || !strcmp(t, "end")) {
		set->have_end = set->have_end || !strcmp(t, "end");
		return take_counters(set, rec, err, errlen);
	}
	return 0;	/* intent and future record types */
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_watched(struct obs_set *set)
{
	size_t j = 0;

	if (!set->nwatched)
		return;
	qsort(set->watched, set->nwatched, sizeof(*set->watched), cmp_str);
	for (size_t i = 1; i < set->nwatched; i++) {
		if (!strcmp(set->watched[i], set->watched[j]))
			free(set->watched[i]);
		else
			set->watched[++j] = set->watched[i];
	}
	set->nwatched = j + 1;
}

bool obs_watched(const struct obs_set *set, const char *ns, const char *pod)
{
	char key[512];

	snprintf(key, sizeof(key), "%s/%s", ns, pod);
	for (size_t i = 0; i < set->nwatched; i++)	/* sets built in memory are not sorted */
		if (!strcmp(set->watched[i], key))
			return true;
	return false;
}

/* Reads one line of any length; returns its length, 0 at end, -1 on error. */
static ssize_t read_line(gzFile f, char **buf, size_t *cap)
{
	size_t len = 0;

	for (;;) {
		if (*cap - len < 2) {
			size_t nc = *cap ? *cap * 2 : 8192;
			char *p = realloc(*buf, nc);

			if (!p)
				return -1;
			*buf = p;
			*cap = nc;
		}
		if (!gzgets(f, *buf + len, (int)(*cap - len)))
			return len ? (ssize_t)len : (gzeof(f) ? 0 : -1);
		len += strlen(*buf + len);
		if (len && (*buf)[len - 1] == '\n')
			return (ssize_t)len;
	}
}

int obs_load(const char *path, struct obs_set **out, char *err, size_t errlen)
{
	char what[512] = "", *line = NULL;
	struct obs_set *set;
	size_t cap = 0;
	int lineno = 0, r = 0, bad_line = 0;
	json_error_t jerr;
	ssize_t n;
	gzFile f;

	f = strcmp(path, "-") ? gzopen(path, "rb") : gzdopen(0, "rb");
	if (!f) {
		r = errno ? -errno : -ENOMEM;
		snprintf(err, errlen, "'%s': %s", path, strerror(-r));
		return r;
	}
	set = obs_new(path);
	if (!set) {
		gzclose(f);
		return -ENOMEM;
	}
	while (!r && (n = read_line(f, &line, &cap)) > 0) {
		json_t *rec;

		lineno++;
		if (bad_line) {	/* a bad line followed by more lines is not a torn tail */
			lineno = bad_line;
			r = -EINVAL;
			break;
		}
		if (n == 1 && line[0] == '\n')
			continue;
		rec = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(rec)) {
			snprintf(what, sizeof(what), "not a JSON object: %s", rec ? "other JSON value" : jerr.text);
			bad_line = lineno;
			json_decref(rec);
			continue;
		}
		r = take_record(set, rec, lineno, what, sizeof(what));
		json_decref(rec);
	}
	if (!r && n < 0) {
		int e;
		const char *m = gzerror(f, &e);

		snprintf(err, errlen, "'%s': read error: %s", path, e == Z_ERRNO ? strerror(errno) : m);
		r = -EIO;
	} else if (r) {
		snprintf(err, errlen, "'%s': line %d: %s", path, lineno, what);
	} else if (bad_line && (set->have_end || !set->have_meta)) {
		snprintf(err, errlen, "'%s': line %d: %s", path, bad_line, what);
		r = -EINVAL;
	} else if (!set->have_meta) {
		snprintf(err, errlen, "'%s': empty: no meta record", path);
		r = -EINVAL;
	}
	set->torn_tail = bad_line != 0;
	free(line);
	gzclose(f);
	if (r) {
		obs_free(set);
		return r;
	}
	sort_watched(set);
	*out = set;
	return 0;
}
