/* metrics.c - see metrics.h */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ll5/metrics.h"
#include "util/array.h"
#include "util/log.h"

static void note_drop(struct metrics *m, const char *what)
{
	if (!m->dropped++)
		pr_warn("metrics: %s bound reached; further entries are not kept", what);
}

/* Returns the index of the JSON-encoded name, adding it when new; -1 when the table is full. */
static int intern(struct metrics *m, const char *name, size_t len)
{
	char clean[METRICS_MAX_NAME_LEN];
	json_t *s;
	char *enc;

	s = json_stringn(name, len);
	if (!s) {	/* not UTF-8: keep printable ASCII, mark the rest */
		for (size_t i = 0; i < len; i++)
			clean[i] = (unsigned char)name[i] >= 0x20 && (unsigned char)name[i] < 0x7f ? name[i] : '?';
		s = json_stringn(clean, len);
	}
	enc = s ? json_dumps(s, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	json_decref(s);
	if (!enc)
		return -1;
	for (unsigned i = 0; i < m->nnames; i++)
		if (!strcmp(m->names[i], enc)) {
			free(enc);
			return (int)i;
		}
	if (m->nnames == METRICS_MAX_NAMES) {
		free(enc);
		return -1;
	}
	m->names[m->nnames] = enc;
	return (int)m->nnames++;
}

void metrics_received(struct metrics *m, const char *name, size_t len)
{
	int idx;

	if (!name || !len) {
		name = "Unidentified";
		len = strlen(name);
	}
	if (len > METRICS_MAX_NAME_LEN)
		len = METRICS_MAX_NAME_LEN;
	idx = intern(m, name, len);
	if (idx < 0 || m->nreceived == METRICS_MAX_RECEIVED) {
		note_drop(m, idx < 0 ? "service name" : "ReqReceived");
		return;
	}
	if (array_reserve(&m->received, &m->cap_received, m->nreceived, sizeof(*m->received), 1024)) {
		note_drop(m, "memory");
		return;
	}
	m->received[m->nreceived++] = (uint16_t)idx;
}

void metrics_response(struct metrics *m, int succeeded, const char *entry_json)
{
	struct buf *b = succeeded ? &m->succeeded : &m->failed;
	int r;

	r = buf_printf(b, METRICS_MAX_RESP_BYTES, "%s%s", b->len ? "," : "", entry_json);
	if (r) {
		note_drop(m, succeeded ? "RespSucceeded" : "RespFailed");
		return;
	}
	if (succeeded)
		m->nsucceeded++;
	else
		m->nfailed++;
}

int metrics_json(const struct metrics *m, struct buf *out, size_t limit)
{
	int r = buf_append(out, "{\"ReqReceived\":[", 16, limit);

	for (size_t i = 0; i < m->nreceived && !r; i++)
		r = buf_printf(out, limit, "%s%s", i ? "," : "", m->names[m->received[i]]);
	if (!r)
		r = buf_append(out, "],\"RespSucceeded\":[", 19, limit);
	if (!r)
		r = buf_append(out, m->succeeded.p, m->succeeded.len, limit);
	if (!r)
		r = buf_append(out, "],\"RespFailed\":[", 16, limit);
	if (!r)
		r = buf_append(out, m->failed.p, m->failed.len, limit);
	if (!r)
		r = buf_append(out, "]}\n", 3, limit);
	return r;
}

void metrics_reset(struct metrics *m)
{
	for (unsigned i = 0; i < m->nnames; i++)
		free(m->names[i]);
	m->nnames = 0;
	m->nreceived = 0;
	m->succeeded.len = m->failed.len = 0;
	m->nsucceeded = m->nfailed = 0;
	m->dropped = 0;
	buf_trim(&m->succeeded, 0);
	buf_trim(&m->failed, 0);
}

void metrics_free(struct metrics *m)
{
	for (unsigned i = 0; i < m->nnames; i++)
		free(m->names[i]);
	m->nnames = 0;
	free(m->received);
	m->received = NULL;
	m->nreceived = m->cap_received = 0;
	buf_free(&m->succeeded);
	buf_free(&m->failed);
}
