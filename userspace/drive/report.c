/* report.c - the run summary: counts, status histogram, errors by kind, latency percentiles. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "drive/drive.h"
#include "stats/quantile.h"
#include "util/log.h"
#include "util/u64.h"

uint64_t drive_percentile(struct drive_stats *st, double p)
{
	if (!st->nlatency)
		return 0;
	u64_sort(st->latency_ns, st->nlatency);
	return q_nearest(st->latency_ns, st->nlatency, p / 100.0);
}

static uint64_t total_errors(const struct drive_stats *st)
{
	uint64_t n = 0;

	for (int i = 1; i < HC_NERRORS; i++)
		n += st->errors[i];
	return n;
}

/* gRPC responses by grpc-status: {"0": n, ...}, "none" for a missing or unknown status. */
static json_t *grpc_json(const struct drive_stats *st)
{
	json_t *g = json_object();
	char code[8];

	for (int i = 0; i < 17; i++)
		if (st->grpc_status[i]) {
			snprintf(code, sizeof(code), "%d", i);
			json_object_set_new(g, code, json_integer((json_int_t)st->grpc_status[i]));
		}
	if (st->grpc_none)
		json_object_set_new(g, "none", json_integer((json_int_t)st->grpc_none));
	return g;
}

static void report_json(const struct drive_opts *o, struct drive_stats *st, double secs)
{
	json_t *status = json_object(), *errors = json_object(), *doc;
	char code[8];

	for (int i = 0; i < 600; i++)
		if (st->status[i]) {
			snprintf(code, sizeof(code), "%d", i);
			json_object_set_new(status, code, json_integer((json_int_t)st->status[i]));
		}
	for (int i = 1; i < HC_NERRORS; i++)
		json_object_set_new(errors, hc_error_name(i), json_integer((json_int_t)st->errors[i]));
	doc = json_pack("{s:s, s:s, s:s, s:s?, s:I, s:I, s:I, s:o, s:o, s:f, s:f, s:{s:f, s:f, s:f, s:f}, s:I, s:b}",
			"run", o->run_id, "method", o->method, "url", o->url, "via", o->via,
			"sent", (json_int_t)st->sent, "responses", (json_int_t)st->responses,
			"errors_total", (json_int_t)total_errors(st), "status", status, "errors", errors,
			"elapsed_s", secs, "rate", secs > 0 ? (double)st->sent / secs : 0.0,
			"latency_ms", "p50", drive_percentile(st, 50) / 1e6, "p90", drive_percentile(st, 90) / 1e6,
			"p99", drive_percentile(st, 99) / 1e6, "max", drive_percentile(st, 100) / 1e6,
			"late", (json_int_t)st->late, "interrupted", st->interrupted);
	if (o->intent_path)
		json_object_set_new(doc, "intent", json_string(o->intent_path));
	if (o->protocol != DRIVE_HTTP1)
		json_object_set_new(doc, "protocol", json_string(o->protocol == DRIVE_GRPC ? "grpc" : "h2"));
	if (o->protocol == DRIVE_GRPC)
		json_object_set_new(doc, "grpc_status", grpc_json(st));
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(doc);
}

static void report_text(const struct drive_opts *o, struct drive_stats *st, double secs)
{
	const char *sep = "";

	printf("run        %s%s\n", o->run_id, st->interrupted ? " (interrupted)" : "");
	printf("target     %s %s", o->method, o->url);
	if (o->via)
		printf(" (via %s)", o->via);
	printf("\nsent       %llu in %.2f s (%.0f req/s), %u connection(s)", (unsigned long long)st->sent,
	       secs, secs > 0 ? (double)st->sent / secs : 0.0, o->connections);
	if (o->protocol != DRIVE_HTTP1)
		printf(", %s, up to %u streams each", o->protocol == DRIVE_GRPC ? "gRPC" : "HTTP/2", o->streams);
	printf("\n");
	printf("responses  %llu\nstatus     ", (unsigned long long)st->responses);
	for (int i = 0; i < 600; i++)
		if (st->status[i]) {
			printf("%s%d: %llu", sep, i, (unsigned long long)st->status[i]);
			sep = ", ";
		}
	printf("%s\nerrors     ", *sep ? "" : "-");
	sep = "";
	for (int i = 1; i < HC_NERRORS; i++)
		if (st->errors[i]) {
			printf("%s%s: %llu", sep, hc_error_name(i), (unsigned long long)st->errors[i]);
			sep = ", ";
		}
	printf("%s\n", *sep ? "" : "none");
	if (o->protocol == DRIVE_GRPC) {
		printf("grpc       ");
		sep = "";
		for (int i = 0; i < 17; i++)
			if (st->grpc_status[i]) {
				printf("%s%d: %llu", sep, i, (unsigned long long)st->grpc_status[i]);
				sep = ", ";
			}
		if (st->grpc_none)
			printf("%sno status: %llu", sep, (unsigned long long)st->grpc_none);
		printf("%s\n", *sep || st->grpc_none ? "" : "-");
	}
	if (st->nlatency)
		printf("latency    p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n",
		       drive_percentile(st, 50) / 1e6, drive_percentile(st, 90) / 1e6,
		       drive_percentile(st, 99) / 1e6, drive_percentile(st, 100) / 1e6);
	if (o->rate > 0)
		printf("late       %llu (sent over 10 ms after their slot: every connection was busy)\n",
		       (unsigned long long)st->late);
	if (o->intent_path)
		printf("intent     %s\n", o->intent_path);
}

void drive_report(const struct drive_opts *o, struct drive_stats *st)
{
	double secs = (double)(st->end_ns - st->start_ns) / 1e9;

	if (log_json)
		report_json(o, st, secs);
	else
		report_text(o, st, secs);
}
