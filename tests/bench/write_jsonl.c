/*
 * write_jsonl - the cost of writing capture records: N exchanges (and one
 * conn record per 100 of them, as keep-alive connections give) through the
 * capture's JSON-lines sink into FILE (gzip when it ends in .gz). The
 * records are what a lab capture writes for a GET through the mesh: pod
 * attribution, peer pod and service, four request header fields. Prints one
 * JSON object: exchanges, bytes, cpu_ns (process CPU time of the writing,
 * closing included).
 *
 *   write_jsonl FILE N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "capture/record_sink.h"
#include "records/inventory.h"
#include "smiw_abi.h"

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void add_header(struct cap_exchange *x, const char *name, const char *value)
{
	unsigned i = x->nheaders++;
	uint16_t at = i ? x->headers[i - 1].value + x->headers[i - 1].value_len : 0;

	x->headers[i].name = at;
	x->headers[i].name_len = strlen(name);
	memcpy(x->hdrbuf + at, name, x->headers[i].name_len);
	x->headers[i].value = at + x->headers[i].name_len;
	x->headers[i].value_len = strlen(value);
	memcpy(x->hdrbuf + x->headers[i].value, value, x->headers[i].value_len);
}

int main(int argc, char **argv)
{
	static struct cap_exchange x;
	struct inv_pod pod = { .namespace = "default", .name = "app-a", .service_account = "service-a",
			       .ref = "default/app-a" };
	struct inv_pod peer = { .namespace = "default", .name = "mesh", .service_account = "mesh",
				.ref = "default/mesh" };
	struct inv_service svc = { .namespace = "default", .name = "app-svc", .ref = "default/app-svc" };
	struct cap_conn c = { .role = SMIW_ROLE_CLIENT, .pid = 4083, .tgid = 4083, .comm = "sample-app",
			      .cgroup_id = 37702, .netns = 4026532177, .family = 2, .local = "198.18.0.11:41872",
			      .peer = "198.18.1.1:9091", .pod = &pod, .peer_pod = &peer, .peer_service = &svc };
	struct obs_writer s;
	struct capture_sink sink;
	struct stat st;
	uint64_t n, t0, t1, ns = 7000000000000ull;
	char rid[64];

	if (argc != 3 || (n = strtoull(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: write_jsonl FILE N\n");
		return 2;
	}
	if (obs_writer_open(&s, argv[1], "lab")) {
		perror(argv[1]);
		return 1;
	}
	sink = capture_record_sink(&s);
	x.conn = &c;
	x.role = SMIW_ROLE_CLIENT;
	x.pid = x.tgid = 4083;
	strcpy(x.method, "GET");
	strcpy(x.path, "/echo");
	strcpy(x.host, "app-svc:9091");
	x.status = 200;
	x.req_bytes = 118;
	x.resp_bytes = 182;
	x.complete = true;
	t0 = cpu_ns();
	for (uint64_t i = 0; i < n; i++) {
		if (i % 100 == 0) {
			if (i)
				sink.conn(sink.ctx, &c);
			c.id = i / 100 + 1;
			snprintf(c.name, sizeof(c.name), "8b5e9f93-%llu", (unsigned long long)c.id);
			c.open_ns = ns;
		}
		snprintf(rid, sizeof(rid), "r7f3a.2.1-%llu", (unsigned long long)i);
		memcpy(x.request_id, rid, strlen(rid) + 1);
		x.nheaders = 0;
		add_header(&x, "host", x.host);
		add_header(&x, "user-agent", "smi-witness-drive/0.1.0");
		add_header(&x, "accept", "*/*");
		add_header(&x, "x-request-id", rid);
		x.seq = i % 100;
		x.start_ns = ns;
		x.end_ns = ns + 412345;
		ns += 16667;
		c.close_ns = ns;
		c.exchanges = x.seq + 1;
		sink.exchange(sink.ctx, &x);
	}
	sink.conn(sink.ctx, &c);
	if (obs_writer_close(&s)) {
		perror(argv[1]);
		return 1;
	}
	t1 = cpu_ns();
	if (stat(argv[1], &st))
		st.st_size = 0;
	printf("{\"exchanges\":%llu,\"bytes\":%lld,\"cpu_ns\":%llu}\n", (unsigned long long)n,
	       (long long)st.st_size, (unsigned long long)(t1 - t0));
	return 0;
}
