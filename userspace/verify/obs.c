/* obs.c - see obs.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <zlib.h>

#include "util/log.h"
#include "verify/obs.h"

/* Grows *v (elements of `size` bytes) so that one more fits. Returns 0 or -ENOMEM. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	p = realloc(*v, ncap * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

#define PUSH(s, arr, n, cap) \
	(grow((void **)&(s)->arr, &(s)->cap, (s)->n, sizeof(*(s)->arr)) ? NULL : \
	 memset(&(s)->arr[(s)->n++], 0, sizeof(*(s)->arr)))

/* Field readers: absent or mistyped fields read as "" / 0 / false (records are written by tools). */
static const char *jstr(struct obs_set *s, json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return strpool_dup(&s->strings, json_is_string(v) ? json_string_value(v) : "");
}

static uint64_t ju64(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

static bool jbool(json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

static enum obs_role jrole(json_t *o)
{
	const char *r = json_string_value(json_object_get(o, "role"));

	if (r && !strcmp(r, "client"))
		return OBS_ROLE_CLIENT;
	if (r && !strcmp(r, "server"))
		return OBS_ROLE_SERVER;
	return OBS_ROLE_UNKNOWN;
}

static int add_exchange(struct obs_set *s, json_t *o, unsigned line)
{
	struct obs_exchange *e = PUSH(s, ex, n_ex, cap_ex);

	if (!e)
		return -ENOMEM;
	e->conn = jstr(s, o, "conn");
	e->seq = ju64(o, "seq");
	e->role = jrole(o);
	e->node = jstr(s, o, "node");
	e->ns = jstr(s, o, "namespace");
	e->pod = jstr(s, o, "pod");
	e->sa = jstr(s, o, "service_account");
	e->pid = (uint32_t)ju64(o, "pid");
	e->tgid = (uint32_t)ju64(o, "tgid");
	e->comm = jstr(s, o, "comm");
	e->cgroup_id = ju64(o, "cgroup_id");
	e->local = jstr(s, o, "local");
	e->peer = jstr(s, o, "peer");
	e->peer_pod = jstr(s, o, "peer_pod");
	e->method = jstr(s, o, "method");
	e->path = jstr(s, o, "path");
	e->host = jstr(s, o, "host");
	e->request_id = jstr(s, o, "request_id");
	e->status = (int)ju64(o, "status");
	e->start_ns = ju64(o, "start_ns");
	e->end_ns = ju64(o, "end_ns");
	e->req_bytes = ju64(o, "req_bytes");
	e->resp_bytes = ju64(o, "resp_bytes");
	e->complete = jbool(o, "complete");
	e->incomplete = jstr(s, o, "incomplete");
	e->line = line;
	return e->request_id ? 0 : -ENOMEM;
}

static int add_conn(struct obs_set *s, json_t *o, unsigned line)
{
	struct obs_conn *c = PUSH(s, conns, n_conns, cap_conns);

	if (!c)
		return -ENOMEM;
	c->conn = jstr(s, o, "conn");
	c->role = jrole(o);
	c->ns = jstr(s, o, "namespace");
	c->pod = jstr(s, o, "pod");
	c->sa = jstr(s, o, "service_account");
	c->comm = jstr(s, o, "comm");
	c->local = jstr(s, o, "local");
	c->peer = jstr(s, o, "peer");
	c->peer_pod = jstr(s, o, "peer_pod");
	c->open_ns = ju64(o, "open_ns");
	c->close_ns = ju64(o, "close_ns");
	c->gaps = ju64(o, "gaps");
	c->exchanges = ju64(o, "exchanges");
	c->reset = jbool(o, "reset");
	c->connect_error = jstr(s, o, "connect_error");
	c->line = line;
	return c->connect_error ? 0 : -ENOMEM;
}

static int add_counters(struct obs_set *s, json_t *o, unsigned line, bool end)
{
	struct obs_counters *c = PUSH(s, stats, n_stats, cap_stats);

	if (!c)
		return -ENOMEM;
	c->ts_ns = ju64(o, "ts_ns");
	c->kernel_drops = ju64(o, "kernel_drops");
	c->user_drops = ju64(o, "user_drops");
	c->gaps = ju64(o, "gaps");
	c->unparsed_bytes = ju64(o, "unparsed_bytes");
	c->events = ju64(o, "events");
	c->exchanges = ju64(o, "exchanges");
	c->conns = ju64(o, "conns");
	c->end = end;
	c->reason = jstr(s, o, "reason");
	c->line = line;
	if (end)
		s->have_end = true;
	return c->reason ? 0 : -ENOMEM;
}

static int add_intent(struct obs_set *s, json_t *o, unsigned line)
{
	struct obs_intent *in = PUSH(s, intents, n_intents, cap_intents);

	if (!in)
		return -ENOMEM;
	in->run = jstr(s, o, "run");
	in->request_id = jstr(s, o, "request_id");
	in->method = jstr(s, o, "method");
	in->url = jstr(s, o, "url");
	in->via = jstr(s, o, "via");
	in->sent_ns = ju64(o, "sent_ns");
	in->done_ns = ju64(o, "done_ns");
	in->status = (int)ju64(o, "status");
	in->error = jstr(s, o, "error");
	in->line = line;
	return in->error ? 0 : -ENOMEM;
}

static int add_mesh_event(struct obs_set *s, json_t *o, unsigned line)
{
	struct obs_mesh_event *m = PUSH(s, mesh_events, n_mesh_events, cap_mesh_events);

	if (!m)
		return -ENOMEM;
	m->run = jstr(s, o, "run");
	m->state = jstr(s, o, "state");
	m->detail = jstr(s, o, "detail");
	m->step = (unsigned)ju64(o, "step");
	m->line = line;
	return m->detail ? 0 : -ENOMEM;
}

static int set_meta(struct obs_set *s, json_t *o, const char *path, unsigned line)
{
	json_t *v = json_object_get(o, "v");

	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		if (json_is_integer(v))
			error("cannot read '%s': line %u: unsupported record format version %lld (this reader knows 1)",
			      path, line, (long long)json_integer_value(v));
		else
			error("cannot read '%s': line %u: meta record has no format version \"v\"", path, line);
		return -EINVAL;
	}
	s->meta.v = 1;
	s->meta.tool = jstr(s, o, "tool");
	s->meta.node = jstr(s, o, "node");
	s->meta.inventory = jstr(s, o, "inventory");
	s->meta.snaplen = ju64(o, "snaplen");
	s->meta.mono_ns = ju64(o, "mono_ns");
	s->meta.real_ns = ju64(o, "real_ns");
	s->have_meta = true;
	return s->meta.inventory ? 0 : -ENOMEM;
}

/* Dispatches one parsed record. `intents_only` files contribute only intent records. */
static int add_record(struct obs_set *s, json_t *o, const char *path, unsigned line, bool intents_only)
{
	const char *t = json_string_value(json_object_get(o, "t"));

	if (!t) {
		error("cannot read '%s': line %u: record has no \"t\" (type) field", path, line);
		return -EINVAL;
	}
	if (!strcmp(t, "intent"))
		return add_intent(s, o, line);
	if (!strcmp(t, "mesh"))
		return add_mesh_event(s, o, line);
	if (intents_only)
		return 0;
	if (!strcmp(t, "meta"))
		return set_meta(s, o, path, line);
	if (!strcmp(t, "exchange"))
		return add_exchange(s, o, line);
	if (!strcmp(t, "conn"))
		return add_conn(s, o, line);
	if (!strcmp(t, "stats"))
		return add_counters(s, o, line, false);
	if (!strcmp(t, "end"))
		return add_counters(s, o, line, true);
	return 0;	/* a type from a newer writer: ignored, as the format promises */
}

/*
 * Reads one line into *buf. Returns 1 with *nl telling whether it ended in a
 * newline, 0 at the end of the data, -ENOMEM. When the stream itself broke
 * off (a truncated gzip member) *cut is set and what was read of the line
 * so far is returned like a last line without newline.
 */
static int read_line(gzFile f, char **buf, size_t *cap, bool *nl, bool *cut)
{
	size_t len = 0;
	int zerr;

	for (;;) {
		if (*cap - len < 2) {
			char *p = realloc(*buf, *cap * 2);

			if (!p)
				return -ENOMEM;
			*buf = p;
			*cap *= 2;
		}
		if (!gzgets(f, *buf + len, (int)(*cap - len))) {
			gzerror(f, &zerr);
			if (zerr != Z_OK && zerr != Z_STREAM_END)
				*cut = true;
			(*buf)[len] = '\0';
			*nl = false;
			return len > 0;
		}
		len += strlen(*buf + len);
		if (len && (*buf)[len - 1] == '\n') {
			*nl = true;
			return 1;
		}
		if (gzeof(f)) {
			*nl = false;
			return len > 0;
		}
	}
}

static bool blank(const char *l)
{
	return l[strspn(l, " \t\r\n")] == '\0';
}

/* The writer died: what it wrote last is dropped, and the reader says so. */
static void note_cut_short(struct obs_set *s, const char *path, unsigned line, bool partial, bool cut,
			   bool intents_only)
{
	if (partial)
		pr_warn("'%s': line %u is cut short (its writer stopped mid-record): dropped", path, line);
	else if (cut)
		pr_warn("'%s': the compressed stream breaks off after line %u (its writer stopped): read up to there",
			path, line);
	if (intents_only)
		return;
	if (partial) {
		s->torn = true;
		s->torn_line = line;
	}
	s->stream_cut |= cut;
}

static int read_file(struct obs_set *s, const char *path, bool intents_only)
{
	size_t cap = 4096;
	char *buf = malloc(cap);
	unsigned line = 0;
	bool nl = false, cut = false;
	gzFile f;
	int r = 0, got;

	if (!buf)
		return -ENOMEM;
	f = gzopen(path, "rb");
	if (!f) {
		free(buf);
		error_errno(errno ? errno : ENOMEM, "cannot open '%s'", path);
		return -EIO;
	}
	while ((got = read_line(f, &buf, &cap, &nl, &cut)) > 0) {
		json_error_t jerr;
		json_t *o;

		line++;
		if (blank(buf))
			continue;
		o = nl ? json_loads(buf, JSON_REJECT_DUPLICATES, &jerr) : NULL;
		if (!o) {
			bool nl2, cut2 = false;
			size_t cap2 = 64;
			char *peek = cut ? NULL : malloc(cap2);
			int more = cut ? 0 : peek ? read_line(f, &peek, &cap2, &nl2, &cut2) : -ENOMEM;

			free(peek);
			if (more == 0) {	/* the last line: the writer died mid-record */
				note_cut_short(s, path, line, true, cut || cut2, intents_only);
				got = 0;
				break;
			}
			error("cannot read '%s': line %u: %s", path, line,
			      nl ? jerr.text : "line is not terminated");
			r = -EINVAL;
			break;
		}
		if (!json_is_object(o)) {
			error("cannot read '%s': line %u: record is not a JSON object", path, line);
			json_decref(o);
			r = -EINVAL;
			break;
		}
		if (!intents_only && !s->have_meta &&
		    strcmp(json_string_value(json_object_get(o, "t")) ?: "", "meta")) {
			error("cannot read '%s': line %u: not an observation file (the first record must be \"meta\")",
			      path, line);
			json_decref(o);
			r = -EINVAL;
			break;
		}
		r = add_record(s, o, path, line, intents_only);
		json_decref(o);
		if (r)
			break;
		if (!intents_only) {
			s->records++;
			s->last_line = line;
		}
	}
	if (!r && got == 0 && cut && !s->torn)
		note_cut_short(s, path, line, false, true, intents_only);
	else if (!r && got < 0) {
		error_errno(got, "cannot read '%s'", path);
		r = got;
	}
	if (!r && !intents_only && !s->have_meta) {
		error("cannot read '%s': empty observation file (no \"meta\" record)", path);
		r = -EINVAL;
	}
	if (r == -ENOMEM)
		error("cannot read '%s': out of memory", path);
	gzclose(f);
	free(buf);
	return r;
}

int obs_read(struct obs_set *s, const char *path)
{
	s->path = strpool_dup(&s->strings, path);
	if (!s->path)
		return -ENOMEM;
	return read_file(s, path, false);
}

int obs_read_intents(struct obs_set *s, const char *path)
{
	return read_file(s, path, true);
}

static const char *const blank_fields = "";

struct obs_exchange *obs_new_exchange(struct obs_set *s)
{
	struct obs_exchange *e = PUSH(s, ex, n_ex, cap_ex);

	if (e) {
		e->conn = e->node = e->ns = e->pod = e->sa = e->comm = blank_fields;
		e->local = e->peer = e->peer_pod = e->method = e->path = blank_fields;
		e->host = e->request_id = e->incomplete = blank_fields;
	}
	return e;
}

struct obs_conn *obs_new_conn(struct obs_set *s)
{
	struct obs_conn *c = PUSH(s, conns, n_conns, cap_conns);

	if (c) {
		c->conn = c->ns = c->pod = c->sa = c->comm = blank_fields;
		c->local = c->peer = c->peer_pod = c->connect_error = blank_fields;
	}
	return c;
}

const char *obs_keep(struct obs_set *s, const char *str)
{
	return strpool_dup(&s->strings, str);
}

uint64_t obs_wall_ns(const struct obs_set *s, uint64_t mono_ns)
{
	if (!s->have_meta || !s->meta.real_ns)
		return 0;
	return s->meta.real_ns + mono_ns - s->meta.mono_ns;
}

void obs_free(struct obs_set *s)
{
	free(s->ex);
	free(s->conns);
	free(s->stats);
	free(s->intents);
	free(s->mesh_events);
	strpool_free(&s->strings);
	memset(s, 0, sizeof(*s));
}
