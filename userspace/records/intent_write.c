/* intent_write.c - see intent_write.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records/format.h"
#include "records/intent_write.h"
#include "util/clock.h"

/* A string member whose key is not a literal (header names: tokens, nothing to escape). */
static void str_member(struct jsonw *w, const char *key, const char *v)
{
	jsonw_strkn_fast(w, key, strlen(key), v, strlen(v));
}

/* The run's headers, each name once: the first place, the last value. Returns 0 or -ENOMEM. */
static int keep_headers(struct intent_log *log, const struct intent_run *run)
{
	struct intent_header *h = calloc(run->nheaders + 1, sizeof(*h));
	size_t n = 0;

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < run->nheaders; i++) {
		size_t j = 0;

		while (j < n && strcmp(h[j].name, run->headers[i].name))
			j++;
		h[j] = run->headers[i];
		n += j == n;
	}
	log->run.headers = h;
	log->run.nheaders = n;
	return 0;
}

static void release(struct intent_log *log)
{
	free((void *)log->run.headers);
	memset(log, 0, sizeof(*log));
}

int intent_open(struct intent_log *log, const char *path, const char *node, const struct intent_run *run)
{
	struct jsonw *w = &log->w;
	int r;

	memset(log, 0, sizeof(*log));
	log->run = *run;
	if ((r = keep_headers(log, run)))
		return r;
	if ((r = jsonw_open_plain(w, path))) {
		release(log);
		return r;
	}
	log->open = true;
	jsonw_begin(w);
	jsonw_str(w, "t", "meta");
	jsonw_u64(w, "v", RECORDS_VERSION);
	jsonw_str(w, "tool", RECORDS_TOOL);
	jsonw_str(w, "node", node);
	jsonw_u64(w, "mono_ns", mono_ns());
	jsonw_u64(w, "real_ns", real_ns());
	jsonw_end(w);
	return w->err;
}

int intent_write(struct intent_log *log, const char *request_id, uint64_t sent_ns, uint64_t done_ns, int status,
		 const char *error)
{
	const struct intent_run *run = &log->run;
	struct jsonw *w = &log->w;

	jsonw_begin(w);
	jsonw_str(w, "t", "intent");
	jsonw_str(w, "run", run->run);
	jsonw_str(w, "request_id", request_id);
	jsonw_str(w, "method", run->method);
	jsonw_str(w, "url", run->url);
	jsonw_obj(w, "headers");
	for (size_t i = 0; i < run->nheaders; i++)
		str_member(w, run->headers[i].name, run->headers[i].value);
	jsonw_obj_end(w);
	jsonw_u64(w, "sent_ns", sent_ns);
	jsonw_u64(w, "done_ns", done_ns);
	jsonw_i64(w, "status", status);
	if (run->via)
		jsonw_str(w, "via", run->via);
	if (error)
		jsonw_str(w, "error", error);
	jsonw_end(w);
	log->written++;
	return w->err;
}

int intent_close(struct intent_log *log, bool interrupted)
{
	struct jsonw *w = &log->w;
	int r;

	if (!log->open)
		return 0;
	jsonw_begin(w);
	jsonw_str(w, "t", "end");
	jsonw_str(w, "reason", interrupted ? "signal" : "duration");
	jsonw_u64(w, "ts_ns", mono_ns());
	jsonw_u64(w, "intents", log->written);
	jsonw_end(w);
	r = jsonw_close(w);
	release(log);
	return r;
}

int intent_write_mesh_gone(const char *path, const char *run, unsigned int step, const char *detail)
{
	struct jsonw w;
	int r = jsonw_open_plain(&w, path);

	if (r)
		return r;
	jsonw_begin(&w);
	jsonw_str(&w, "t", "mesh");
	jsonw_str(&w, "run", run);
	jsonw_u64(&w, "step", step);
	jsonw_str(&w, "state", "gone");
	jsonw_str(&w, "detail", detail);
	jsonw_u64(&w, "ts_ns", mono_ns());
	jsonw_end(&w);
	return jsonw_close(&w);
}
