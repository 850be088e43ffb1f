/* obs.c - see obs.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <zlib.h>

#include "records/format.h"
#include "records/jscan.h"
#include "records/obs.h"
#include "util/array.h"
#include "util/log.h"

#define PUSH(s, arr, n, cap) \
	(array_reserve(&(s)->arr, &(s)->cap, (s)->n, sizeof(*(s)->arr), 256) ? NULL : \
	 memset(&(s)->arr[(s)->n++], 0, sizeof(*(s)->arr)))

/* Every member the reader looks at, across record types. */
enum field {
	F_T, F_V, F_TOOL, F_NODE, F_INVENTORY, F_SNAPLEN, F_MONO_NS, F_REAL_NS,
	F_CONN, F_SEQ, F_ROLE, F_NAMESPACE, F_POD, F_SERVICE_ACCOUNT, F_PID, F_TGID, F_COMM, F_CGROUP_ID,
	F_LOCAL, F_PEER, F_PEER_POD, F_METHOD, F_PATH, F_HOST, F_REQUEST_ID, F_STATUS, F_START_NS, F_END_NS,
	F_REQ_BYTES, F_RESP_BYTES, F_COMPLETE, F_INCOMPLETE,
	F_OPEN_NS, F_CLOSE_NS, F_GAPS, F_EXCHANGES, F_RESET, F_CONNECT_ERROR, F_H2_LOST, F_H2_LOST_NS,
	F_TS_NS, F_KERNEL_DROPS, F_USER_DROPS, F_UNPARSED_BYTES, F_H2_LOST_BYTES, F_EVENTS, F_CONNS, F_REASON,
	F_LISTENERS_OUTSIDE,
	F_RUN, F_URL, F_VIA, F_SENT_NS, F_DONE_NS, F_ERROR,
	F_STEP, F_STATE, F_DETAIL,
	F_LOCATION, F_TRUNCATED, F_HEADERS, F_RESPONSE_HEADERS, F_CAPTURE_BACKEND,
	F__COUNT
};

static const char *const field_names[F__COUNT] = {
	"t", "v", "tool", "node", "inventory", "snaplen", "mono_ns", "real_ns",
	"conn", "seq", "role", "namespace", "pod", "service_account", "pid", "tgid", "comm", "cgroup_id",
	"local", "peer", "peer_pod", "method", "path", "host", "request_id", "status", "start_ns", "end_ns",
	"req_bytes", "resp_bytes", "complete", "incomplete",
	"open_ns", "close_ns", "gaps", "exchanges", "reset", "connect_error", "h2_lost", "h2_lost_ns",
	"ts_ns", "kernel_drops", "user_drops", "unparsed_bytes", "h2_lost_bytes", "events", "conns", "reason",
	"listeners_outside",
	"run", "url", "via", "sent_ns", "done_ns", "error",
	"step", "state", "detail",
	"location", "truncated", "headers", "response_headers", "capture_backend",
};

/* One record's members, from the fast reader or from jansson (rec_from_json). */
typedef struct jv rec_t[F__COUNT];

/* Fills r from a parsed object; strings point into o. */
static void rec_from_json(rec_t r, json_t *o)
{
	for (int i = 0; i < F__COUNT; i++) {
		json_t *v = json_object_get(o, field_names[i]);

		memset(&r[i], 0, sizeof(r[i]));
		if (!v)
			continue;
		switch (json_typeof(v)) {
		case JSON_STRING:
			r[i] = (struct jv){ .type = JV_STR, .s = json_string_value(v), .len = json_string_length(v) };
			break;
		case JSON_INTEGER:
			r[i] = (struct jv){ .type = JV_INT, .i = json_integer_value(v) };
			break;
		case JSON_TRUE:
			r[i].type = JV_TRUE;
			break;
		case JSON_FALSE:
			r[i].type = JV_FALSE;
			break;
		case JSON_NULL:
			r[i].type = JV_NULL;
			break;
		default:
			r[i].type = JV_OTHER;
		}
	}
}

static bool is_strn(const struct jv *v, const char *z, size_t n)
{
	return v->type == JV_STR && v->len == n && !memcmp(v->s, z, n);
}

/* v is the string literal z. */
#define is_str(v, z) is_strn(v, z, sizeof(z) - 1)

/* What read_file keeps while reading one file. */
struct rdr {
	struct obs_set *s;
	struct {
		const char *s;
		uint32_t len;
	} last[F__COUNT];		/* per field: the string it had last time */
};

/* Fields with few distinct values in a capture (pods, paths, ...) are interned. */
static bool few_values(enum field f)
{
	return f != F_CONN && f != F_LOCAL && f != F_PEER && f != F_REQUEST_ID;
}

/*
 * Field readers: absent or mistyped fields read as "" / 0 / false (records
 * are written by tools). A string equal to the same field's value in the
 * previous record is shared; otherwise fields with few distinct values are
 * interned, and the others (connection names, addresses, request ids) are
 * copied, which costs less than looking them up among a million others.
 */
static const char *jstr(struct rdr *rd, const rec_t r, enum field f)
{
	const char *v = r[f].type == JV_STR ? r[f].s : "";
	uint32_t n = r[f].type == JV_STR ? r[f].len : 0;

	if (rd->last[f].s && rd->last[f].len == n && !memcmp(rd->last[f].s, v, n))
		return rd->last[f].s;
	rd->last[f].s = few_values(f) || !n ? strpool_intern(&rd->s->strings, v, n) : strpool_dupn(&rd->s->strings, v, n);
	rd->last[f].len = n;
	return rd->last[f].s;
}

static uint64_t ju64(const rec_t r, enum field f)
{
	return r[f].type == JV_INT && r[f].i > 0 ? (uint64_t)r[f].i : 0;
}

static bool jbool(const rec_t r, enum field f)
{
	return r[f].type == JV_TRUE;
}

static enum obs_role jrole(const rec_t r)
{
	if (is_str(&r[F_ROLE], "client"))
		return OBS_ROLE_CLIENT;
	if (is_str(&r[F_ROLE], "server"))
		return OBS_ROLE_SERVER;
	return OBS_ROLE_UNKNOWN;
}

static int add_exchange(struct rdr *rd, const rec_t o, unsigned line)
{
	struct obs_set *s = rd->s;
	struct obs_exchange *e = PUSH(s, ex, n_ex, cap_ex);

	if (!e)
		return -ENOMEM;
	e->conn = jstr(rd, o, F_CONN);
	e->seq = ju64(o, F_SEQ);
	e->role = jrole(o);
	e->node = jstr(rd, o, F_NODE);
	e->ns = jstr(rd, o, F_NAMESPACE);
	e->pod = jstr(rd, o, F_POD);
	e->sa = jstr(rd, o, F_SERVICE_ACCOUNT);
	e->pid = (uint32_t)ju64(o, F_PID);
	e->tgid = (uint32_t)ju64(o, F_TGID);
	e->comm = jstr(rd, o, F_COMM);
	e->cgroup_id = ju64(o, F_CGROUP_ID);
	e->local = jstr(rd, o, F_LOCAL);
	e->peer = jstr(rd, o, F_PEER);
	e->peer_pod = jstr(rd, o, F_PEER_POD);
	e->method = jstr(rd, o, F_METHOD);
	e->path = jstr(rd, o, F_PATH);
	e->host = jstr(rd, o, F_HOST);
	e->request_id = jstr(rd, o, F_REQUEST_ID);
	e->status = (int)ju64(o, F_STATUS);
	e->start_ns = ju64(o, F_START_NS);
	e->end_ns = ju64(o, F_END_NS);
	e->req_bytes = ju64(o, F_REQ_BYTES);
	e->resp_bytes = ju64(o, F_RESP_BYTES);
	e->complete = jbool(o, F_COMPLETE);
	e->incomplete = jstr(rd, o, F_INCOMPLETE);
	e->location = jstr(rd, o, F_LOCATION);
	e->truncated = jbool(o, F_TRUNCATED);
	e->has_headers = o[F_HEADERS].type != JV_NONE;
	/* The raw object, only when asked: most verifications never look at headers. */
	if (s->keep_headers && o[F_HEADERS].type == JV_OTHER && o[F_HEADERS].s &&
	    !(e->headers = strpool_dupn(&s->strings, o[F_HEADERS].s, o[F_HEADERS].len)))
		return -ENOMEM;
	e->has_response_headers = o[F_RESPONSE_HEADERS].type != JV_NONE;
	if (s->keep_headers && o[F_RESPONSE_HEADERS].type == JV_OTHER && o[F_RESPONSE_HEADERS].s &&
	    !(e->response_headers = strpool_dupn(&s->strings, o[F_RESPONSE_HEADERS].s, o[F_RESPONSE_HEADERS].len)))
		return -ENOMEM;
	e->line = line;
	return e->conn && e->node && e->ns && e->pod && e->sa && e->comm && e->local && e->peer && e->peer_pod &&
	       e->method && e->path && e->host && e->request_id && e->incomplete && e->location ? 0 : -ENOMEM;
}

static int add_conn(struct rdr *rd, const rec_t o, unsigned line)
{
	struct obs_set *s = rd->s;
	struct obs_conn *c = PUSH(s, conns, n_conns, cap_conns);

	if (!c)
		return -ENOMEM;
	c->conn = jstr(rd, o, F_CONN);
	c->role = jrole(o);
	c->ns = jstr(rd, o, F_NAMESPACE);
	c->pod = jstr(rd, o, F_POD);
	c->sa = jstr(rd, o, F_SERVICE_ACCOUNT);
	c->comm = jstr(rd, o, F_COMM);
	c->local = jstr(rd, o, F_LOCAL);
	c->peer = jstr(rd, o, F_PEER);
	c->peer_pod = jstr(rd, o, F_PEER_POD);
	c->open_ns = ju64(o, F_OPEN_NS);
	c->close_ns = ju64(o, F_CLOSE_NS);
	c->gaps = ju64(o, F_GAPS);
	c->exchanges = ju64(o, F_EXCHANGES);
	c->reset = jbool(o, F_RESET);
	c->connect_error = jstr(rd, o, F_CONNECT_ERROR);
	c->h2_lost = jstr(rd, o, F_H2_LOST);
	c->h2_lost_ns = ju64(o, F_H2_LOST_NS);
	c->line = line;
	return c->connect_error && c->h2_lost ? 0 : -ENOMEM;
}

static int add_counters(struct rdr *rd, const rec_t o, unsigned line, bool end)
{
	struct obs_set *s = rd->s;
	struct obs_counters *c = PUSH(s, stats, n_stats, cap_stats);

	if (!c)
		return -ENOMEM;
	c->ts_ns = ju64(o, F_TS_NS);
	c->kernel_drops = ju64(o, F_KERNEL_DROPS);
	c->user_drops = ju64(o, F_USER_DROPS);
	c->gaps = ju64(o, F_GAPS);
	c->unparsed_bytes = ju64(o, F_UNPARSED_BYTES);
	c->h2_lost_bytes = ju64(o, F_H2_LOST_BYTES);
	c->events = ju64(o, F_EVENTS);
	c->exchanges = ju64(o, F_EXCHANGES);
	c->conns = ju64(o, F_CONNS);
	c->listeners_outside = ju64(o, F_LISTENERS_OUTSIDE);
	c->end = end;
	c->reason = jstr(rd, o, F_REASON);
	c->line = line;
	if (end)
		s->have_end = true;
	return c->reason ? 0 : -ENOMEM;
}

static int add_intent(struct rdr *rd, const rec_t o, unsigned line)
{
	struct obs_set *s = rd->s;
	struct obs_intent *in = PUSH(s, intents, n_intents, cap_intents);

	if (!in)
		return -ENOMEM;
	in->run = jstr(rd, o, F_RUN);
	in->request_id = jstr(rd, o, F_REQUEST_ID);
	in->method = jstr(rd, o, F_METHOD);
	in->url = jstr(rd, o, F_URL);
	in->via = jstr(rd, o, F_VIA);
	in->sent_ns = ju64(o, F_SENT_NS);
	in->done_ns = ju64(o, F_DONE_NS);
	in->status = (int)ju64(o, F_STATUS);
	in->error = jstr(rd, o, F_ERROR);
	in->line = line;
	return in->error ? 0 : -ENOMEM;
}

/* The runner found the mesh gone before a step (see run/runner.c). */
static int add_mesh_event(struct rdr *rd, const rec_t o, unsigned line)
{
	struct obs_set *s = rd->s;
	struct obs_mesh_event *m = PUSH(s, mesh_events, n_mesh_events, cap_mesh_events);

	if (!m)
		return -ENOMEM;
	m->run = jstr(rd, o, F_RUN);
	m->state = jstr(rd, o, F_STATE);
	m->detail = jstr(rd, o, F_DETAIL);
	m->step = (unsigned)ju64(o, F_STEP);
	m->line = line;
	return m->detail ? 0 : -ENOMEM;
}

static int set_meta(struct rdr *rd, const rec_t o, const char *path, unsigned line)
{
	struct obs_set *s = rd->s;
	const struct jv *v = &o[F_V];

	if (v->type != JV_INT || v->i != RECORDS_VERSION) {
		if (v->type == JV_INT)
			error("cannot read '%s': line %u: unsupported record format version %lld (this reader knows %d)",
			      path, line, (long long)v->i, RECORDS_VERSION);
		else
			error("cannot read '%s': line %u: meta record has no format version \"v\"", path, line);
		return -EINVAL;
	}
	s->meta.v = RECORDS_VERSION;
	s->meta.tool = jstr(rd, o, F_TOOL);
	s->meta.node = jstr(rd, o, F_NODE);
	s->meta.inventory = jstr(rd, o, F_INVENTORY);
	s->meta.snaplen = ju64(o, F_SNAPLEN);
	s->meta.mono_ns = ju64(o, F_MONO_NS);
	s->meta.real_ns = ju64(o, F_REAL_NS);
	/*
	 * Only the cgroup backend stamps a send when its bytes leave; the
	 * syscall backend (and a capture that does not name its backend, as
	 * before the backends had names) stamps it when the call returns.
	 */
	if (!is_str(&o[F_CAPTURE_BACKEND], "cgroup"))
		s->ends_may_lag = true;
	s->have_meta = true;
	return s->meta.inventory ? 0 : -ENOMEM;
}

/* Dispatches one record. `intents_only` files contribute only intent records. */
static int add_record(struct rdr *rd, const rec_t o, const char *path, unsigned line, bool intents_only)
{
	const struct jv *t = &o[F_T];

	if (t->type != JV_STR) {
		error("cannot read '%s': line %u: record has no \"t\" (type) field", path, line);
		return -EINVAL;
	}
	if (is_str(t, "intent"))
		return add_intent(rd, o, line);
	if (is_str(t, "mesh"))
		return add_mesh_event(rd, o, line);
	if (intents_only)
		return 0;
	if (is_str(t, "exchange"))
		return add_exchange(rd, o, line);
	if (is_str(t, "meta"))
		return set_meta(rd, o, path, line);
	if (is_str(t, "conn"))
		return add_conn(rd, o, line);
	if (is_str(t, "stats"))
		return add_counters(rd, o, line, false);
	if (is_str(t, "end"))
		return add_counters(rd, o, line, true);
	return 0;	/* a type from a newer writer: ignored, as the format promises */
}

/*
 * Lines of a (possibly compressed) file, read in large blocks. A line is
 * handed out in place, its newline replaced by a NUL.
 */
struct lines {
	gzFile f;
	char *buf;
	size_t cap, start, len;		/* unread bytes: buf[start .. start + len) */
	bool eof;
	int err;			/* -EIO: the stream broke off; -ENOMEM */
};

#define READ_BLOCK (4u << 20)

/*
 * Next line: *line (NUL-terminated), *n bytes, *nl whether a newline ended
 * it. Returns 1, 0 at a clean end of file, -EIO when the stream itself broke
 * off (e.g. a truncated gzip member; a partial line before it is dropped),
 * -ENOMEM.
 */
static int next_line(struct lines *r, char **line, size_t *n, bool *nl)
{
	for (;;) {
		char *p = r->buf + r->start, *q = r->len ? memchr(p, '\n', r->len) : NULL;
		int got, zerr;

		if (q || (r->eof && r->len && !r->err)) {
			*n = q ? (size_t)(q - p) : r->len;
			*nl = q != NULL;
			p[*n] = '\0';	/* the newline, or the first of the spare bytes kept after the data */
			r->start += *n + (q != NULL);
			r->len -= *n + (q != NULL);
			*line = p;
			return 1;
		}
		if (r->eof)
			return r->err;
		memmove(r->buf, p, r->len);
		r->start = 0;
		if (r->cap - r->len < READ_BLOCK + JSCAN_PAD) {
			size_t cap = r->cap ? 2 * r->cap : 2 * READ_BLOCK;
			char *b = realloc(r->buf, cap);

			if (!b)
				return -ENOMEM;
			r->buf = b;
			r->cap = cap;
		}
		got = gzread(r->f, r->buf + r->len, READ_BLOCK);
		if (got > 0) {
			r->len += (size_t)got;
			memset(r->buf + r->len, 0, JSCAN_PAD);	/* defined bytes for the word-wise reader */
			continue;
		}
		r->eof = true;
		gzerror(r->f, &zerr);
		if (got < 0 || (zerr != Z_OK && zerr != Z_STREAM_END))
			r->err = -EIO;
	}
}

static bool blank(const char *l)
{
	return *l != '{' && l[strspn(l, " \t\r\n")] == '\0';
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

/* Opens path (plain or gzip) for next_line(). Returns 0, or -ENOMEM / -EIO after printing. */
static int lines_open(struct lines *in, const char *path)
{
	in->cap = 2 * READ_BLOCK;
	in->buf = malloc(in->cap);
	if (!in->buf)
		return error("cannot read '%s': out of memory", path), -ENOMEM;
	in->f = gzopen(path, "rb");
	if (!in->f) {
		free(in->buf);
		error_errno(errno ? errno : ENOMEM, "cannot open '%s'", path);
		return -EIO;
	}
	gzbuffer(in->f, 1u << 20);
	return 0;
}

/* Skips the JSON string at p (its opening quote); returns the byte after its closing quote, or NULL. */
static const char *skip_string(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && !*++p)
			return NULL;
	return *p ? p + 1 : NULL;
}

/*
 * The raw text of top-level member `key` of the object in text, when it is
 * an object, into *v (JV_OTHER); left alone otherwise. Text jansson accepted.
 */
static void raw_member(const char *text, const char *key, struct jv *v)
{
	size_t klen = strlen(key);
	int depth = 0;

	for (const char *p = text; p && *p; ) {
		if (*p == '"') {
			const char *end = skip_string(p);

			if (depth == 1 && end && (size_t)(end - p) == klen + 2 && !memcmp(p + 1, key, klen)) {
				const char *q = end;

				while (*q == ' ' || *q == '\t' || *q == ':')
					q++;
				if (*q != '{')
					return;
				for (const char *r = q; r && *r; ) {
					if (*r == '"') {
						r = skip_string(r);
						continue;
					}
					depth += *r == '{' ? 1 : *r == '}' ? -1 : 0;
					r++;
					if (depth == 1) {
						*v = (struct jv){ .type = JV_OTHER, .s = q, .len = (uint32_t)(r - q) };
						return;
					}
				}
				return;
			}
			p = end;
			continue;
		}
		depth += *p == '{' || *p == '[' ? 1 : *p == '}' || *p == ']' ? -1 : 0;
		p++;
	}
}

/*
 * A line the fast reader declined: jansson reads it into *o (rec then points
 * into it; the caller frees *o), or says what is wrong with it. Returns 0; 1
 * when it is the last line, cut short by a writer that died mid-record (noted,
 * reading ends there); or -EINVAL after printing.
 */
static int read_slow(struct obs_set *s, struct lines *in, const char *path, unsigned line,
		     const char *text, bool nl, bool intents_only, rec_t rec, json_t **o)
{
	json_error_t jerr;

	*o = nl ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	/*
	 * A header sent twice is a repeated key of `headers` (docs/records.md):
	 * that line is read as written, the raw headers taken from its text.
	 */
	if (!*o && nl && !strncmp(jerr.text, "duplicate object key", 20))
		*o = json_loads(text, 0, &jerr);
	if (!*o) {
		bool nl2;
		size_t n2;
		char *next;
		int more = next_line(in, &next, &n2, &nl2);

		if (more == 0 || more == -EIO) {
			note_cut_short(s, path, line, true, more == -EIO, intents_only);
			return 1;
		}
		error("cannot read '%s': line %u: %s", path, line, nl ? jerr.text : "line is not terminated");
		return -EINVAL;
	}
	if (!json_is_object(*o)) {
		error("cannot read '%s': line %u: record is not a JSON object", path, line);
		json_decref(*o);
		*o = NULL;
		return -EINVAL;
	}
	rec_from_json(rec, *o);
	raw_member(text, "headers", &rec[F_HEADERS]);
	raw_member(text, "response_headers", &rec[F_RESPONSE_HEADERS]);
	return 0;
}

/*
 * Ends a read of path after `line` lines: how the stream ended (got, the last
 * next_line() result) and what the loop left in r decide the result. Closes in.
 * Returns r, or the error the end of the stream shows (printed).
 */
static int read_end(struct obs_set *s, struct lines *in, const char *path, unsigned line, int r, int got,
		    bool intents_only)
{
	if (!r && got == -EIO)	/* the compressed stream broke off, perhaps inside a line (dropped) */
		note_cut_short(s, path, in->len ? line + 1 : line, in->len > 0, true, intents_only);
	else if (!r && got < 0 && got != -EIO) {
		error_errno(got, "cannot read '%s'", path);
		r = -EIO;
	}
	if (!r && !intents_only && !s->have_meta) {
		error("cannot read '%s': empty observation file (no \"meta\" record)", path);
		r = -EINVAL;
	}
	if (r == -ENOMEM)
		error("cannot read '%s': out of memory", path);
	gzclose(in->f);
	free(in->buf);
	return r;
}

static int read_file(struct obs_set *s, const char *path, bool intents_only)
{
	struct lines in = { 0 };
	struct rdr rd = { .s = s };
	struct jscan_fields fields;
	unsigned line = 0;
	bool nl = false;
	size_t n;
	char *text;
	int r = 0, got;

	jscan_fields_init(&fields, field_names, F__COUNT);
	r = lines_open(&in, path);
	if (r)
		return r;
	while ((got = next_line(&in, &text, &n, &nl)) > 0) {
		rec_t rec;
		json_t *o = NULL;

		line++;
		if (blank(text))
			continue;
		if (!nl || jscan_record(&fields, text, n, rec)) {
			int slow = read_slow(s, &in, path, line, text, nl, intents_only, rec, &o);

			if (slow > 0) {
				got = 0;
				break;
			}
			if (slow < 0) {
				r = slow;
				break;
			}
		}
		if (!intents_only && !s->have_meta && !is_str(&rec[F_T], "meta")) {
			error("cannot read '%s': line %u: not an observation file (the first record must be \"meta\")",
			      path, line);
			json_decref(o);
			r = -EINVAL;
			break;
		}
		r = add_record(&rd, rec, path, line, intents_only);
		json_decref(o);
		if (r)
			break;
		if (!intents_only) {
			s->records++;
			s->last_line = line;
		}
	}
	return read_end(s, &in, path, line, r, got, intents_only);
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
		e->host = e->request_id = e->incomplete = e->location = blank_fields;
	}
	return e;
}

struct obs_conn *obs_new_conn(struct obs_set *s)
{
	struct obs_conn *c = PUSH(s, conns, n_conns, cap_conns);

	if (c) {
		c->conn = c->ns = c->pod = c->sa = c->comm = blank_fields;
		c->local = c->peer = c->peer_pod = c->connect_error = c->h2_lost = blank_fields;
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
