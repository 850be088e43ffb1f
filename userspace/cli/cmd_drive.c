/* cmd_drive.c - `smi-witness drive`: its options; sending and recording is drive/ (engine.c, report.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "drive/drive.h"
#include "http/grpc.h"
#include "http/chars.h"
#include "util/log.h"
#include "util/parse.h"

#define MAX_RATE 1000000.0
#define MAX_REQUESTS 100000000ULL
#define DAY_NS (86400ULL * 1000000000ULL)

extern const struct command cmd_drive;

/* "Name: value" into o->headers (pointing into arg, which is modified). */
static int add_header(struct drive_opts *o, char *arg)
{
	char *colon = strchr(arg, ':');
	struct http_str v;

	if (o->nheaders == DRIVE_MAX_HEADERS)
		return error("at most %d extra headers", DRIVE_MAX_HEADERS);
	if (!colon || colon == arg)
		return error("header '%s': expected 'Name: value'", arg);
	*colon = '\0';
	for (const char *p = arg; *p; p++)
		if (!http_is_tchar(*p))
			return error("header name '%s': not a token", arg);
	if (!strcasecmp(arg, "X-Request-Id") || !strcasecmp(arg, "Content-Length") ||
	    !strcasecmp(arg, "Transfer-Encoding"))
		return error("header '%s' is set by the driver itself", arg);
	v = http_trim((struct http_str){ colon + 1, strlen(colon + 1) });
	((char *)v.p)[v.len] = '\0';
	o->headers[o->nheaders++] = (struct hc_header){ arg, v.p };
	return 0;
}

/* A run id unique enough across runs: "drive-" and 8 random hex digits. */
static void default_run_id(char *buf, size_t len)
{
	unsigned char r[4] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, r, sizeof(r)) != sizeof(r)) {
		uint32_t x = (uint32_t)getpid() ^ (uint32_t)mono_ns();

		memcpy(r, &x, sizeof(r));
	}
	if (fd >= 0)
		close(fd);
	snprintf(buf, len, "drive-%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
}

static int valid_run_id(const char *s)
{
	if (!*s || strlen(s) >= sizeof(((struct drive_opts *)0)->run_id))
		return 0;
	for (; *s; s++)
		if (!http_is_tchar(*s))
			return 0;
	return 1;
}

/* HTTP/2 and gRPC: what they cannot be combined with; field names go in lower case. */
static int check_h2(struct drive_opts *o)
{
	bool host = false;

	for (size_t i = 0; i < o->nheaders; i++)
		host |= !strcasecmp(o->headers[i].name, "Host");
	/* A Host of one's own goes to the target's address: only a request sent straight, as HTTP/1.1, carries it. */
	if (host && (o->protocol != DRIVE_HTTP1 || o->via))
		return error("-H 'Host: ...' is sent straight over HTTP/1.1 only (no --via, --http2, --grpc)"),
		       EXIT_USAGE;
	if (o->protocol == DRIVE_HTTP1) {
		if (o->streams)
			return error("--streams needs --http2 or --grpc"), EXIT_USAGE;
		return CLI_CONTINUE;
	}
	if (o->via)
		return error("--via relays HTTP/1.1 only: HTTP/2 and gRPC go straight to the target"), EXIT_USAGE;
	if (o->protocol == DRIVE_GRPC && (strcmp(o->method, "GET") && strcmp(o->method, "POST")))
		return error("--grpc calls are POST requests (no --method)"), EXIT_USAGE;
	if (o->protocol == DRIVE_GRPC && *o->body)
		return error("--grpc sends its own message (the request id): no --body"), EXIT_USAGE;
	if (o->protocol == DRIVE_GRPC)
		o->method = "POST";
	if (!o->streams)
		o->streams = 10;
	for (size_t i = 0; i < o->nheaders; i++)
		for (char *p = (char *)o->headers[i].name; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	return CLI_CONTINUE;
}

/* The options that only store (cli_store_opt()). */
static const struct cli_store stores[] = {
	CLI_STR('u', struct drive_opts, url), CLI_STR('V', struct drive_opts, via),
	CLI_STR('X', struct drive_opts, method), CLI_STR('b', struct drive_opts, body),
	CLI_STR('i', struct drive_opts, intent_path), CLI_CLEAR('P', struct drive_opts, progress),
	CLI_SET('N', struct drive_opts, new_connections), CLI_SET('U', struct drive_opts, unredacted),
};

/* The options that check or convert their argument. Returns CLI_CONTINUE, or an exit code after printing. */
static int take_opt(int opt, struct drive_opts *o, bool *have_n)
{
	uint64_t v;

	switch (opt) {
	case 'n':
		if (parse_u64(optarg, 1, MAX_REQUESTS, &o->requests))
			return error("--requests: '%s' is not a count in 1..%llu", optarg, MAX_REQUESTS), EXIT_USAGE;
		*have_n = true;
		return CLI_CONTINUE;
	case 'c':
		if (parse_u64(optarg, 1, DRIVE_MAX_CONNS, &v))
			return error("--connections: '%s' is not in 1..%d", optarg, DRIVE_MAX_CONNS), EXIT_USAGE;
		o->connections = (unsigned)v;
		return CLI_CONTINUE;
	case 'r':
		if (parse_double(optarg, 0.001, MAX_RATE, &o->rate))
			return error("--rate: '%s' is not a rate in 0.001..%.0f requests/s", optarg, MAX_RATE), EXIT_USAGE;
		return CLI_CONTINUE;
	case 'd':
		if (parse_duration_ns(optarg, DAY_NS, &o->duration_ns) || !o->duration_ns)
			return error("--duration: '%s' is not a duration up to 24h (e.g. 10s)", optarg), EXIT_USAGE;
		return CLI_CONTINUE;
	case 't':
		if (parse_duration_ns(optarg, 3600ULL * 1000000000ULL, &o->timeout_ns) || !o->timeout_ns)
			return error("--timeout: '%s' is not a duration up to 1h", optarg), EXIT_USAGE;
		return CLI_CONTINUE;
	case 'm':
		if (parse_u64(optarg, 1, DRIVE_MAX_STREAMS, &v))
			return error("--streams: '%s' is not in 1..%d", optarg, DRIVE_MAX_STREAMS), EXIT_USAGE;
		o->streams = (unsigned)v;
		return CLI_CONTINUE;
	case '2':
		o->protocol = o->protocol == DRIVE_GRPC ? DRIVE_GRPC : DRIVE_H2;
		return CLI_CONTINUE;
	case 'G':
		o->protocol = DRIVE_GRPC;
		return CLI_CONTINUE;
	case 'H':
		return add_header(o, optarg) ? EXIT_USAGE : CLI_CONTINUE;
	case 'R':
		if (!valid_run_id(optarg))
			return error("--run-id: '%s' must be a token of at most 63 characters", optarg), EXIT_USAGE;
		snprintf(o->run_id, sizeof(o->run_id), "%s", optarg);
		return CLI_CONTINUE;
	default:
		return cli_common_opt(opt, &cmd_drive);
	}
}

/* Parses argv into o (whose fields hold the defaults). Returns CLI_CONTINUE, or an exit code after printing. */
static int parse_args(int argc, char **argv, struct drive_opts *o)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "requests", required_argument, NULL, 'n' },
		{ "connections", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "url", required_argument, NULL, 'u' },
		{ "via", required_argument, NULL, 'V' },
		{ "method", required_argument, NULL, 'X' },
		{ "header", required_argument, NULL, 'H' },
		{ "body", required_argument, NULL, 'b' },
		{ "run-id", required_argument, NULL, 'R' },
		{ "intent", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "new-connections", no_argument, NULL, 'N' },
		{ "unredacted", no_argument, NULL, 'U' },
		{ "http2", no_argument, NULL, '2' },
		{ "grpc", no_argument, NULL, 'G' },
		{ "streams", required_argument, NULL, 'm' },
		{ 0 }
	};
	bool have_n = false;
	int opt, r;

	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "n:c:r:d:u:X:H:b:i:", longopts, NULL)) != -1)
		if (!cli_store_opt(opt, stores, sizeof(stores) / sizeof(stores[0]), o) &&
		    (r = take_opt(opt, o, &have_n)) != CLI_CONTINUE)
			return r;
	if (optind < argc && !o->url)
		o->url = argv[optind++];
	if (optind < argc)
		return error("unexpected argument '%s'", argv[optind]), EXIT_USAGE;
	if (!o->url)
		return error("no URL given (see 'smi-witness drive --help')"), EXIT_USAGE;
	for (const char *p = o->method; *p; p++)
		if (!http_is_tchar(*p))
			return error("--method: '%s' is not an HTTP method", o->method), EXIT_USAGE;
	if (o->duration_ns && !have_n)
		o->requests = UINT64_MAX;
	return check_h2(o);
}

static int run(int argc, char **argv)
{
	struct drive_opts o = {
		.method = "GET", .body = "", .requests = 1, .connections = 1,
		.timeout_ns = 10ULL * 1000000000ULL, .progress = true,
	};
	struct drive_stats st;
	int r;

	r = parse_args(argc, argv, &o);
	if (r != CLI_CONTINUE)
		return r;
	if (!o.run_id[0])
		default_run_id(o.run_id, sizeof(o.run_id));
	o.progress = o.progress && !log_json && isatty(STDERR_FILENO);
	r = drive_run(&o, &st);
	if (r)
		return r == -EINVAL ? EXIT_USAGE : EXIT_ERROR;
	drive_report(&o, &st);
	if (st.intent_error)
		error_errno(st.intent_error, "writing '%s' failed", o.intent_path);
	r = st.intent_error ? EXIT_ERROR : st.responses != st.sent ? EXIT_FAILED : EXIT_OK;
	free(st.latency_ns);
	return r;
}

const struct command cmd_drive = {
	.name = "drive",
	.summary = "send numbered HTTP requests (directly or through a /call) and record the intent",
	.usage = "smi-witness drive [OPTIONS] URL\n"
		 "       smi-witness drive [OPTIONS] --via http://POD:9091/call --url URL",
	.options =
		"  -n, --requests N       requests to send (default 1; with --duration: at most N)\n"
		"  -c, --connections C    concurrent keep-alive connections (default 1: sequential)\n"
		"      --new-connections  a new connection per request: Connection: close to the target\n"
		"                         (with --via: in the relayed request, so the relay opens one;\n"
		"                         HTTP/2 and gRPC: one stream per connection)\n"
		"  -r, --rate R           target requests/s in total, paced (default: as fast as replies come)\n"
		"  -d, --duration D       keep sending for D (e.g. 30s, 2m) instead of a count\n"
		"  -u, --url URL          the target (or give it as the argument)\n"
		"      --via URL          relay every request through this learn-layer5 /call endpoint\n"
		"  -X, --method M         request method (default GET)\n"
		"  -H, --header 'N: V'    extra header, repeatable; a Host replaces the URL's authority\n"
		"                         (HTTP/1.1 straight to the target only)\n"
		"  -b, --body TEXT        request body\n"
		"      --run-id ID        run id; request ids are ID-1, ID-2, ... (default drive-<random>)\n"
		"  -i, --intent FILE      write one JSONL intent record per request (docs/records.md)\n"
		"      --timeout D        per-request timeout (default 10s)\n"
		"      --http2            HTTP/2 over cleartext (prior knowledge) instead of HTTP/1.1\n"
		"      --grpc             unary gRPC calls of the echo service (" GRPC_ECHO_PATH "\n"
		"                         as the URL's path), the request id as the message\n"
		"      --streams M        HTTP/2: requests in flight per connection (default 10)\n"
		"      --no-progress      no progress line, even on a terminal\n"
		"      --unredacted       intent records keep Authorization, Proxy-Authorization,\n"
		"                         Cookie and Set-Cookie values (default: \"<redacted>\")\n"
		"\nEvery request carries X-Request-Id: <run-id>-<seq>. Exit status 0 when every\n"
		"request got a response (of any status), 1 when some did not.\n",
	.examples =
		"  smi-witness lab exec app-a -- smi-witness drive -n 100 http://app-b:9091/echo\n"
		"  smi-witness lab exec app-a -- smi-witness drive -n 10000 -c 8 --intent /tmp/run.jsonl \\\n"
		"      --via http://127.0.0.1:9091/call --url http://app-svc:9091/echo\n"
		"  smi-witness lab exec app-a -- smi-witness drive -d 5s -r 200 -c 4 -X POST -b '{}' \\\n"
		"      -H 'Content-Type: application/json' http://app-c:9091/echo\n"
		"  smi-witness lab exec app-a -- smi-witness -j drive -n 50 http://app-svc:9091/echo | jq .latency_ms\n"
		"  smi-witness lab exec app-a -- smi-witness drive --http2 -n 1000 -c 10 --streams 20 \\\n"
		"      http://app-c:9091/echo\n"
		"  smi-witness lab exec app-a -- smi-witness drive --grpc -n 1000 -c 10 \\\n"
		"      http://app-c:9091" GRPC_ECHO_PATH "\n"
		"(Lab addresses, 198.18.0.0/15, are reached from inside a pod only: from anywhere else the\n"
		"driver refuses them rather than send the requests out of the machine.)\n",
	.run = run,
};
