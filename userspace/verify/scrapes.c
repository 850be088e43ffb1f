/* scrapes.c - see scrapes.h */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "util/log.h"
#include "verify/scrapes.h"

/* DIR/step-N.json into buf. Returns 0 or -ENAMETOOLONG. */
static int record_file(char *buf, size_t len, const char *dir, unsigned step)
{
	int n = snprintf(buf, len, "%s/step-%u.json", dir, step);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int scrapes_file(char *buf, size_t len, const char *dir, unsigned step, const char *when)
{
	int n = snprintf(buf, len, "%s/step-%u-%s.prom", dir, step, when);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static const char *base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static json_t *scrape_json(const struct step_scrape *s)
{
	if (*s->error)
		return json_pack("{s:s}", "error", s->error);
	return json_pack("{s:s, s:I}", "file", base(s->file), "mono_ns", (json_int_t)s->mono_ns);
}

int scrapes_write(const char *dir, const struct step_scrapes *s)
{
	char path[PATH_MAX];
	json_t *doc;
	int r;

	if (record_file(path, sizeof(path), dir, s->step))
		return error("path too long: '%s'", dir);
	doc = json_pack("{s:I, s:s, s:s, s:o, s:o}", "step", (json_int_t)s->step, "url", s->url, "pod", s->pod,
			"before", scrape_json(&s->before), "after", scrape_json(&s->after));
	if (!doc)
		return -ENOMEM;
	r = json_dump_file(doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (r)
		return error_errno(errno, "cannot write '%s'", path);
	return 0;
}

/* One of "before" / "after" of the record at `path`; its file is resolved against dir. */
static int scrape_read(const char *dir, const char *path, json_t *o, const char *when, struct step_scrape *s,
		       char *err, size_t len)
{
	const char *file = NULL, *why = NULL;
	json_int_t mono = 0;

	if (!json_is_object(o) || json_unpack(o, "{s?:s, s?:I, s?:s}", "file", &file, "mono_ns", &mono,
					      "error", &why) || (!file && !why) || mono < 0 ||
	    (file && (strchr(file, '/') || !*file))) {
		snprintf(err, len, "'%s': \"%s\" is not {\"file\", \"mono_ns\"} or {\"error\"}", path, when);
		return -EINVAL;
	}
	if (why) {
		snprintf(s->error, sizeof(s->error), "%s", why);
		return 0;
	}
	if ((size_t)snprintf(s->file, sizeof(s->file), "%s/%s", dir, file) >= sizeof(s->file)) {
		snprintf(err, len, "'%s': path too long", dir);
		return -ENAMETOOLONG;
	}
	s->mono_ns = (uint64_t)mono;
	return 0;
}

int scrapes_read(const char *dir, unsigned step, struct step_scrapes *s, char *err, size_t len)
{
	const char *url = "", *pod = "";
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *doc, *before = NULL, *after = NULL;
	int r;

	memset(s, 0, sizeof(*s));
	s->step = step;
	if (record_file(path, sizeof(path), dir, step)) {
		snprintf(err, len, "'%s': path too long", dir);
		return -ENAMETOOLONG;
	}
	if (access(path, R_OK)) {
		r = -errno;
		snprintf(err, len, "cannot read '%s': %s", path, strerror(-r));
		return r;
	}
	doc = json_load_file(path, 0, &jerr);
	if (!doc) {
		snprintf(err, len, "cannot read '%s': line %d: %s", path, jerr.line, jerr.text);
		return -EINVAL;
	}
	if (json_unpack(doc, "{s?:s, s?:s, s:o, s:o}", "url", &url, "pod", &pod, "before", &before,
			"after", &after)) {
		snprintf(err, len, "'%s': needs \"before\" and \"after\"", path);
		r = -EINVAL;
	} else {
		snprintf(s->url, sizeof(s->url), "%s", url);
		snprintf(s->pod, sizeof(s->pod), "%s", pod);
		r = scrape_read(dir, path, before, "before", &s->before, err, len);
		if (!r)
			r = scrape_read(dir, path, after, "after", &s->after, err, len);
	}
	json_decref(doc);
	return r;
}
