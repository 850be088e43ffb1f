/* intent.c - `intent` records: what the driver sent, for the verifier to compare. */
#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drive/drive.h"
#include "http/http.h"
#include "util/clock.h"
#include "util/evloop.h"

static int put(struct intent_log *log, json_t *rec)
{
	int r = 0;

	if (!rec || json_dumpf(rec, log->f, JSON_COMPACT) || fputc('\n', log->f) == EOF)
		r = -EIO;
	json_decref(rec);
	return r;
}

int intent_open(struct intent_log *log, const char *path)
{
	char node[256] = "";
	uint64_t mono;

	log->written = 0;
	log->f = fopen(path, "we");
	if (!log->f)
		return -errno;
	gethostname(node, sizeof(node) - 1);
	mono = mono_ns();
	return put(log, json_pack("{s:s, s:i, s:s+, s:s, s:I, s:I}", "t", "meta", "v", 1,
				  "tool", "smi-witness ", SMIW_VERSION, "node", node,
				  "mono_ns", (json_int_t)mono,
				  "real_ns", (json_int_t)real_ns()));
}

int intent_write(struct intent_log *log, const struct drive_opts *o, const char *request_id,
		 uint64_t sent_ns, uint64_t done_ns, int status, enum hc_error err)
{
	json_t *rec, *hdrs = json_object();

	for (size_t i = 0; i < o->nheaders; i++) {
		const char *name = o->headers[i].name;
		bool secret = !o->unredacted && http_header_secret((struct http_str){ name, strlen(name) });

		json_object_set_new(hdrs, name, json_string(secret ? HTTP_REDACTED : o->headers[i].value));
	}
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:i}", "t", "intent",
			"run", o->run_id, "request_id", request_id, "method", o->method, "url", o->url,
			"headers", hdrs, "sent_ns", (json_int_t)sent_ns, "done_ns", (json_int_t)done_ns,
			"status", status);
	if (rec && o->via)
		json_object_set_new(rec, "via", json_string(o->via));
	if (rec && err != HC_OK)
		json_object_set_new(rec, "error", json_string(hc_error_name(err)));
	log->written++;
	return put(log, rec);
}

int intent_close(struct intent_log *log, bool interrupted)
{
	int r;

	if (!log->f)
		return 0;
	r = put(log, json_pack("{s:s, s:s, s:I, s:I}", "t", "end", "reason", interrupted ? "signal" : "duration",
			       "ts_ns", (json_int_t)mono_ns(), "intents", (json_int_t)log->written));
	if (fclose(log->f) && !r)
		r = -errno;
	log->f = NULL;
	return r;
}
