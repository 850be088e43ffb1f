/* traffic.c - see traffic.h */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "run/traffic.h"
#include "util/log.h"

void traffic_driver_argv(struct traffic_argv *a, const struct traffic_job *j)
{
	const struct sc_traffic *t = j->t;
	int argc = 0;

	a->nh = 0;
	if (j->pod_addr)
		snprintf(a->url, sizeof(a->url), "http://%s:%u%s", j->pod_addr, t->port, t->path);
	else
		snprintf(a->url, sizeof(a->url), "http://%s.%s:%u%s", t->to, t->to_ns, t->port, t->path);
	snprintf(a->via, sizeof(a->via), "http://127.0.0.1:%d/call", TRAFFIC_CALL_PORT);
	snprintf(a->c, sizeof(a->c), "%u", j->concurrency ? j->concurrency : 1);
	a->argv[argc++] = "smi-witness";
	a->argv[argc++] = "-j";
	a->argv[argc++] = "drive";
	a->argv[argc++] = "--no-progress";
	if (j->count) {
		snprintf(a->n, sizeof(a->n), "%" PRIu64, j->count);
		a->argv[argc++] = "-n";
		a->argv[argc++] = a->n;
	} else {
		snprintf(a->d, sizeof(a->d), "%" PRIu64 "ms", j->duration_ns / 1000000);
		a->argv[argc++] = "-d";
		a->argv[argc++] = a->d;
	}
	a->argv[argc++] = "-c";
	a->argv[argc++] = a->c;
	if (t->connections == SC_CONN_NEW)
		a->argv[argc++] = "--new-connections";
	a->argv[argc++] = "--run-id";
	a->argv[argc++] = (char *)j->run_id;
	a->argv[argc++] = "--intent";
	a->argv[argc++] = (char *)j->intent_path;
	if (j->protocol != TRAFFIC_GRPC) {	/* a gRPC call is a POST carrying its own message */
		a->argv[argc++] = "-X";
		a->argv[argc++] = (char *)t->method;
	}
	if (t->body && *t->body && j->protocol != TRAFFIC_GRPC) {
		a->argv[argc++] = "-b";
		a->argv[argc++] = (char *)t->body;
	}
	for (size_t i = 0; i < t->n_headers && a->nh < SC_MAX_HEADERS; i++) {
		if (asprintf(&a->hdr[a->nh], "%s: %s", t->headers[i].name, t->headers[i].value) < 0)
			break;
		a->argv[argc++] = "-H";
		a->argv[argc++] = a->hdr[a->nh++];
	}
	if (j->protocol != TRAFFIC_H1) {
		snprintf(a->streams, sizeof(a->streams), "%d", TRAFFIC_H2_STREAMS);
		a->argv[argc++] = j->protocol == TRAFFIC_GRPC ? "--grpc" : "--http2";
		a->argv[argc++] = "--streams";
		a->argv[argc++] = a->streams;
	} else if (t->via == SC_VIA_CALL) {
		a->argv[argc++] = "--via";
		a->argv[argc++] = a->via;
	}
	a->argv[argc++] = a->url;
	a->argv[argc] = NULL;
}

void traffic_argv_free(struct traffic_argv *a)
{
	for (size_t i = 0; i < a->nh; i++)
		free(a->hdr[i]);
	a->nh = 0;
}

/* The driver exits 1 when some requests got no response: that is data, not a failure to run. */
static int driver_ran(const struct traffic_job *j, int status)
{
	if (status == 0 || status == 1)
		return 0;
	if (status == TARGET_NOT_SENT)
		return -1;	/* the target said why */
	error("the traffic driver could not run in pod %s/%s (exit %d): see '%s'", j->t->from_ns, j->t->from, status,
	      j->log_path);
	return -1;
}

int traffic_send(struct target *tg, const struct traffic_job *j)
{
	return driver_ran(j, tg->ops->drive(tg, j));
}

int traffic_send_all(struct target *tg, const struct traffic_job *jobs, size_t n)
{
	int status[n ? n : 1], r = 0;

	if (!tg->ops->drive_all) {
		for (size_t i = 0; i < n && !r; i++)
			r = traffic_send(tg, &jobs[i]);
		return r;
	}
	tg->ops->drive_all(tg, jobs, n, status);
	for (size_t i = 0; i < n; i++)
		r |= driver_ran(&jobs[i], status[i]);
	return r;
}
