/*
 * agent_path - the agent's user-space work per exchange, without the kernel:
 * the records of N keep-alive exchanges seen at a server (OPEN, then per
 * exchange a receive of a GET /echo with four header fields and a send of
 * the sample app's 200 echoing it, PER_CONN exchanges per connection, END), as
 * the ring buffer hands them over, through the capture's record handler,
 * connection table, exchange assembly and JSON-lines sink into FILE.
 * Prints one JSON object: exchanges, cpu_ns. Deterministic, so
 * `valgrind --tool=callgrind` counts its instructions repeatably.
 *
 *   agent_path FILE N [PER_CONN [syscalls|cgroup]]
 *
 * PER_CONN (default 100) at 1 is a mesh that opens a connection per request.
 * The records are the syscall backend's (default) or the cgroup backend's:
 * one segment per message with its stream offset, put in order by the
 * reassembly first; an OPEN without a process, which a PROC record names
 * before the first send; an END with 32-bit offsets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/capture_int.h"
#include "capture/record_sink.h"

static bool cgroup;	/* the cgroup backend's records, else the syscall backend's */

static const char request[] =
	"GET /echo HTTP/1.1\r\nHost: 198.18.1.1:9091\r\nUser-Agent: smi-witness-drive/0.1.0\r\n"
	"Accept: */*\r\nX-Request-Id: r7f3a.2.1-00000001\r\n\r\n";
static const char response[] =
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 116\r\n\r\n"
	"GET /echo HTTP/1.1\r\nHost: 198.18.1.1:9091\r\nUser-Agent: smi-witness-drive/0.1.0\r\n"
	"Accept: */*\r\nX-Request-Id: r7f3a.2.1";

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * The last eight decimal digits of v at p, by hand: printf here would be a
 * tenth of what callgrind counts, and the count is meant to be the agent's.
 */
static void put_digits(char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
}

/* One record to the capture, as the ring hands it to the backend's callback. */
static void deliver(struct capture *c, void *rec, size_t len)
{
	if (cgroup)
		capture_on_skb_record(c, rec, len);
	else
		capture_on_record(c, rec, len);
}

static void conn_event(struct capture *c, int type, uint64_t id, uint64_t ns, const uint64_t off[2])
{
	struct smiw_conn_event e = { .type = type, .role = SMIW_ROLE_SERVER, .family = 2, .conn_id = id,
				     .ts_ns = ns, .cgroup_id = 37721, .netns = 4026532177, .tgid = 4084,
				     .pid = 4084, .sport = 9091, .dport = (uint16_t)(40000 + id % 20000),
				     .saddr = { 198, 18, 0, 12 }, .daddr = { 198, 18, 1, 250 }, .comm = "sample-app" };

	if (off) {
		e.bytes[0] = cgroup ? (uint32_t)off[0] : off[0];
		e.bytes[1] = cgroup ? (uint32_t)off[1] : off[1];
	}
	if (cgroup && type == SMIW_EV_OPEN) {
		/* Accepted in softirq: no process yet; it is named as it first sends. */
		struct smiw_conn_event open = e;

		open.tgid = open.pid = 0;
		memset(open.comm, 0, sizeof(open.comm));
		deliver(c, &open, sizeof(open));
		e = (struct smiw_conn_event){ .type = SMIW_EV_PROC, .conn_id = id, .ts_ns = ns, .tgid = 4084,
					      .pid = 4084, .comm = "sample-app" };
	} else if (cgroup) {
		e.flags |= SMIW_CONN_OFF32;
	}
	deliver(c, &e, sizeof(e));
}

static void skb_event(struct capture *c, uint64_t id, int dir, uint64_t *off, uint64_t ns, const char *p, size_t n)
{
	static char rec[sizeof(struct smiw_skb_event) + 4096];
	struct smiw_skb_event *e = (struct smiw_skb_event *)rec;

	*e = (struct smiw_skb_event){ .type = SMIW_EV_SKB, .dir = dir, .cap_len = n, .conn_id = id, .ts_ns = ns,
				      .off = (uint32_t)off[dir], .len = n,
				      .tgid = dir == SMIW_DIR_SEND ? 4084 : 0, .pid = dir == SMIW_DIR_SEND ? 4084 : 0 };
	memcpy(e + 1, p, n);
	off[dir] += n;
	c->now_ns = ns;
	deliver(c, rec, sizeof(*e) + n);
}

static void data_event(struct capture *c, uint64_t id, int dir, uint64_t *off, uint64_t ns, const char *p, size_t n)
{
	static char rec[sizeof(struct smiw_data_event) + 4096];
	struct smiw_data_event *d = (struct smiw_data_event *)rec;

	if (cgroup) {
		skb_event(c, id, dir, off, ns, p, n);
		return;
	}

	*d = (struct smiw_data_event){ .type = SMIW_EV_DATA, .dir = dir, .cap_len = n, .conn_id = id,
				       .off = off[dir], .len = n, .enter_ns = dir == SMIW_DIR_SEND ? ns - 900 : 0,
				       .exit_ns = ns, .tgid = 4084, .pid = 4084,
				       .syscall = dir == SMIW_DIR_SEND ? SMIW_SYS_SENDTO : SMIW_SYS_READ };
	memcpy(d + 1, p, n);
	off[dir] += n;
	deliver(c, rec, sizeof(*d) + n);
}

int main(int argc, char **argv)
{
	struct capture *c = calloc(1, sizeof(*c));
	struct obs_writer s;
	uint64_t n, per_conn = 100, t0, t1, ns = 7000000000000ull, off[2] = { 0 };
	char req[sizeof(request)];

	if (argc >= 4)
		per_conn = strtoull(argv[3], NULL, 10);
	cgroup = argc == 5 && !strcmp(argv[4], "cgroup");
	if (argc < 3 || argc > 5 || (n = strtoull(argv[2], NULL, 10)) == 0 || per_conn == 0 || !c ||
	    (argc == 5 && !cgroup && strcmp(argv[4], "syscalls"))) {
		fprintf(stderr, "usage: agent_path FILE N [PER_CONN [syscalls|cgroup]]\n");
		return 2;
	}
	if (obs_writer_open(&s, argv[1], "lab") || ct_init(&c->conns, CAPTURE_CONNS_MAX)) {
		perror(argv[1]);
		return 1;
	}
	/* The capture as capture_open sets it up, minus the kernel side. */
	c->backend = cgroup ? CAPTURE_CGROUP : CAPTURE_SYSCALLS;
	c->o.sink = capture_record_sink(&s);
	strcpy(c->tag, "8b5e9f93");
	c->acfg = (struct asm_cfg){ .emit = capture_on_exchange, .ctx = c, .pool = &c->pool,
				    .counters = &c->counters };
	memcpy(req, request, sizeof(req));
	t0 = cpu_ns();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t id = i / per_conn + 1;

		if (i % per_conn == 0) {
			off[0] = off[1] = 0;
			conn_event(c, SMIW_EV_OPEN, id, ns, NULL);
		}
		/* A request id of the same length for every exchange: only its eight digits change. */
		put_digits(req + sizeof(request) - 13, i);
		data_event(c, id, SMIW_DIR_RECV, off, ns += 20000, req, sizeof(request) - 1);
		data_event(c, id, SMIW_DIR_SEND, off, ns += 15000, response, sizeof(response) - 1);
		if (i % per_conn == per_conn - 1 || i == n - 1)
			conn_event(c, SMIW_EV_END, id, ns += 1000, off);
	}
	capture_finish(c);
	if (obs_writer_close(&s)) {
		perror(argv[1]);
		return 1;
	}
	t1 = cpu_ns();
	printf("{\"exchanges\":%llu,\"captured\":%llu,\"cpu_ns\":%llu}\n", (unsigned long long)n,
	       (unsigned long long)c->counters.exchanges, (unsigned long long)(t1 - t0));
	capture_close(c);
	return 0;
}
