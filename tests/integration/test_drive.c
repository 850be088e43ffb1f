/*
 * test_drive - `smi-witness drive` against sample-app instances and fake
 * servers in a private network namespace: the 10,000-request acceptance run
 * through /call, direct, paced and timed runs, errors by kind, intent records.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ihttp.h"
#include "itest.h"
#include "util/netns.h"

#define PA 9091
#define PB 9092
#define P_CAPTURE 9093
#define P_RESET 9094
#define P_SILENT 9095
#define P_CLOSED 9096
#define P_KEEP 9097
#define P_RELAY 9098

static char intent_path[64];

/* Runs `smi-witness -j drive ARGS... --no-progress`; returns the exit status and the parsed summary. */
static int drive(json_t **summary, const char *const args[])
{
	char bin[4096];
	char *argv[64];
	struct buf out = { 0 };
	int n = 0, st;

	snprintf(bin, sizeof(bin), "%s/smi-witness", itest_build_dir());
	argv[n++] = bin;
	argv[n++] = "-j";
	argv[n++] = "drive";
	argv[n++] = "--no-progress";
	for (int i = 0; args[i] && n < 62; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	st = ihttp_run(argv, &out);
	*summary = out.len ? json_loadb(out.p, out.len, 0, NULL) : NULL;
	buf_free(&out);
	return st;
}

static json_int_t jint(json_t *o, const char *path)
{
	json_t *v = o;
	char key[64];

	/* "a.b" walks nested objects */
	for (const char *p = path; v && *p;) {
		size_t n = strcspn(p, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		v = json_object_get(v, key);
		p += n + (p[n] == '.');
	}
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static json_t *get_metrics(int port)
{
	struct ihttp_resp r;
	json_t *j = NULL;

	if (ihttp_exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &r) == 0 && r.status == 200)
		j = json_loadb(r.body.p, r.body.len, 0, NULL);
	ihttp_resp_free(&r);
	return j;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 64)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A fake server child: `reset` answers every connection with an RST after
 * reading the request; otherwise it copies each request it reads to report_fd
 * and answers 200 "ok".
 */
static pid_t fake_server(int port, bool reset, int report_fd)
{
	int lfd = listen_on(port);
	pid_t pid;

	if (lfd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		for (;;) {
			int fd = accept(lfd, NULL, NULL);
			char buf[8192];
			ssize_t n;

			if (fd < 0)
				_exit(0);
			n = recv(fd, buf, sizeof(buf), 0);
			if (reset) {
				struct linger lg = { 1, 0 };

				setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			} else if (n > 0) {
				(void)!write(report_fd, buf, (size_t)n);
				(void)!write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", 60);
			}
			close(fd);
		}
	}
	close(lfd);
	return pid;
}

/* Reads the intent file: checks its shape and that ids are exactly RUN-1..RUN-n, once each. */
static void check_intents(const char *run, size_t n, const char *via, const char *url)
{
	FILE *f = fopen(intent_path, "re");
	char line[4096], want[128];
	unsigned char *seen = calloc(n + 1, 1);
	size_t intents = 0, dup = 0, bad = 0, lines = 0;
	json_t *meta = NULL, *end = NULL;

	while (f && fgets(line, sizeof(line), f)) {
		json_t *j = json_loads(line, 0, NULL);
		const char *t = json_string_value(json_object_get(j, "t"));

		lines++;
		if (lines == 1 && t && !strcmp(t, "meta")) {
			meta = j;
			continue;
		}
		if (t && !strcmp(t, "end")) {
			json_decref(end);
			end = j;
			continue;
		}
		if (!t || strcmp(t, "intent")) {
			bad++;
			json_decref(j);
			continue;
		}
		intents++;
		const char *id = json_string_value(json_object_get(j, "request_id"));
		const char *jv = json_string_value(json_object_get(j, "via"));
		size_t rl = strlen(run);
		unsigned long seq = id && !strncmp(id, run, rl) && id[rl] == '-' ? strtoul(id + rl + 1, NULL, 10) : 0;

		if (seq == 0 || seq > n)
			bad++;
		else if (seen[seq]++)
			dup++;
		if (strcmp(json_string_value(json_object_get(j, "run")) ?: "", run) ||
		    strcmp(json_string_value(json_object_get(j, "url")) ?: "", url) ||
		    (via ? !jv || strcmp(jv, via) : jv != NULL) || jint(j, "status") != 200 ||
		    jint(j, "sent_ns") <= 0 || jint(j, "done_ns") < jint(j, "sent_ns") ||
		    json_object_get(j, "error"))
			bad++;
		json_decref(j);
	}
	if (f)
		fclose(f);
	snprintf(want, sizeof(want), "%s", run);
	itest_check(meta && jint(meta, "v") == 1 && jint(meta, "mono_ns") > 0, "intent file starts with a meta v1 line");
	itest_check(intents == n && dup == 0 && bad == 0,
		    "%zu intent records, ids %s-1..%s-%zu each once (%zu duplicates, %zu bad)", intents, want, want, n, dup, bad);
	itest_check(end && jint(end, "intents") == (json_int_t)n, "intent file ends with an end line counting %zu", n);
	json_decref(meta);
	json_decref(end);
	free(seen);
}

/* The acceptance run: 10,000 requests through app-a's /call to app-b. */
static void test_acceptance(void)
{
	static const char *const args[] = { "-n", "10000", "-c", "8", "--run-id", "acc", "--intent", intent_path,
		"--via", "http://127.0.0.1:9091/call", "--url", "http://127.0.0.1:9092/echo", NULL };
	json_t *s, *mb, *ma, *recv;
	size_t from_a = 0, i;
	json_t *v;
	int st;

	st = drive(&s, args);
	itest_check(st == 0 && jint(s, "sent") == 10000 && jint(s, "responses") == 10000 &&
		    jint(s, "status.200") == 10000 && jint(s, "errors_total") == 0,
		    "drive: exit %d, sent %lld, responses %lld, 200s %lld", st, (long long)jint(s, "sent"),
		    (long long)jint(s, "responses"), (long long)jint(s, "status.200"));
	mb = get_metrics(PB);
	ma = get_metrics(PA);
	recv = json_object_get(mb, "ReqReceived");
	json_array_foreach(recv, i, v)
		from_a += !strcmp(json_string_value(v) ?: "", "app-a");
	itest_check(jint(s, "sent") == (json_int_t)json_array_size(recv) && from_a == json_array_size(recv),
		    "callee's ReqReceived equals the driver's sent count exactly: %zu (all from app-a: %zu)",
		    json_array_size(recv), from_a);
	itest_check(json_array_size(json_object_get(ma, "RespSucceeded")) == 10000 &&
		    json_array_size(json_object_get(ma, "RespFailed")) == 0, "caller recorded 10000 successes, 0 failures");
	check_intents("acc", 10000, "http://127.0.0.1:9091/call", "http://127.0.0.1:9092/echo");
	json_decref(s);
	json_decref(ma);
	json_decref(mb);
}

static void test_direct_and_pacing(void)
{
	static const char *const direct[] = { "-n", "500", "-c", "4", "-H", "X-Extra: 1", "--run-id", "dir",
		"--intent", intent_path, "http://127.0.0.1:9092/echo", NULL };
	static const char *const paced[] = { "-n", "50", "-r", "100", "-c", "2", "http://127.0.0.1:9092/echo", NULL };
	static const char *const many[] = { "-n", "3000", "-c", "1500", "--via", "http://127.0.0.1:9091/call",
		"--url", "http://127.0.0.1:9092/echo", NULL };
	static const char *const timed[] = { "-d", "1s", "-r", "50", "-c", "2", "http://127.0.0.1:9092/echo", NULL };
	json_t *s;
	double secs;
	int st;

	st = drive(&s, direct);
	itest_check(st == 0 && jint(s, "sent") == 500 && jint(s, "status.200") == 500, "direct: 500 requests, 500 OK");
	json_decref(s);
	check_intents("dir", 500, NULL, "http://127.0.0.1:9092/echo");

	st = drive(&s, many);
	itest_check(st == 0 && jint(s, "sent") == 3000 && jint(s, "status.200") == 3000,
		    "1500 concurrent connections through /call, started with 1024 descriptors: 3000 OK");
	json_decref(s);

	st = drive(&s, paced);
	secs = json_real_value(json_object_get(s, "elapsed_s"));
	itest_check(st == 0 && jint(s, "sent") == 50 && secs >= 0.48 && secs < 1.0,
		    "-n 50 -r 100: 50 sent in %.3f s (paced: >= 0.49 s)", secs);
	json_decref(s);

	st = drive(&s, timed);
	secs = json_real_value(json_object_get(s, "elapsed_s"));
	itest_check(st == 0 && jint(s, "sent") >= 48 && jint(s, "sent") <= 51 && secs >= 0.98 && secs < 1.5,
		    "-d 1s -r 50: %lld sent in %.3f s", (long long)jint(s, "sent"), secs);
	json_decref(s);
}

/* What reached a capturing server: the driver's request id and extra header, directly and via /call. */
static void test_what_is_sent(void)
{
	static const char *const direct[] = { "-n", "1", "--run-id", "cap", "-H", "X-Extra: yes",
		"http://127.0.0.1:9093/x", NULL };
	static const char *const via[] = { "-n", "1", "--run-id", "viacap", "-X", "POST", "-b", "data",
		"--via", "http://127.0.0.1:9093/call", "--url", "http://app-b:9091/echo", NULL };
	char got[8192];
	int p[2];
	json_t *s;
	ssize_t n;
	pid_t srv;

	if (pipe(p))
		return;
	srv = fake_server(P_CAPTURE, false, p[1]);
	close(p[1]);
	drive(&s, direct);
	json_decref(s);
	n = read(p[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	itest_check(strstr(got, "GET /x HTTP/1.1\r\n") && strstr(got, "\r\nX-Request-Id: cap-1\r\n") &&
		    strstr(got, "\r\nX-Extra: yes\r\n") && strstr(got, "\r\nHost: 127.0.0.1:9093\r\n"),
		    "direct request carries X-Request-Id cap-1 and the extra header");
	drive(&s, via);
	json_decref(s);
	n = read(p[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	itest_check(strstr(got, "POST /call HTTP/1.1\r\n") && strstr(got, "\r\nX-Request-Id: viacap-1\r\n") &&
		    strstr(got, "{\"url\":\"http://app-b:9091/echo\",\"method\":\"POST\","
			   "\"headers\":{\"X-Request-Id\":\"viacap-1\"},\"body\":\"data\"}"),
		    "via /call: learn-layer5 JSON with the id in the passed-through headers");
	close(p[0]);
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
}

/*
 * --new-connections: a connection per request, direct and through /call,
 * even to a server that would keep them; through a relay of its own, whose
 * pool holds nothing yet, so that without the option its one connection is
 * reused.
 */
static void test_new_connections(void)
{
	static const char *const direct[] = { "-n", "4", "--new-connections", "http://127.0.0.1:9097/echo", NULL };
	static const char *const via[] = { "-n", "4", "-c", "2", "--new-connections", "--via", "http://127.0.0.1:9098/call",
		"--url", "http://127.0.0.1:9097/echo", NULL };
	static const char *const keep[] = { "-n", "4", "--via", "http://127.0.0.1:9098/call",
		"--url", "http://127.0.0.1:9097/echo", NULL };
	static const char *const *const runs[] = { keep, direct, via };
	static const char *const what[] = { "not asked for, through /call", "direct", "through /call" };
	static const int want[] = { 1, 4, 4 };
	pid_t relay = ihttp_start_app("relay", P_RELAY);

	itest_check(relay > 0, "a relay sample app started");
	for (int i = 0; i < 3 && relay > 0; i++) {
		int stop = -1, st = -1;
		pid_t k = ihttp_keepalive_server(P_KEEP, &stop);
		json_t *s = NULL;
		int rc = k > 0 ? drive(&s, runs[i]) : -1;

		close(stop);
		if (k > 0)
			waitpid(k, &st, 0);
		itest_check(rc == 0 && jint(s, "responses") == 4 && WIFEXITED(st) && WEXITSTATUS(st) == want[i],
			    "new connections %s: 4 requests on %d connection(s) (got %d)", what[i], want[i],
			    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		json_decref(s);
	}
	if (relay > 0)
		itest_check(ihttp_stop(relay, 3000) == 0, "the relay stops cleanly");
}

static void test_errors(void)
{
	static const char *const refused[] = { "-n", "5", "--run-id", "ref", "--intent", intent_path,
		"http://127.0.0.1:9096/", NULL };
	static const char *const reset[] = { "-n", "3", "http://127.0.0.1:9094/", NULL };
	static const char *const silent[] = { "-n", "2", "-c", "2", "--timeout", "300ms", "http://127.0.0.1:9095/", NULL };
	static const char *const usage[] = { "-c", "0", "http://127.0.0.1:9092/", NULL };
	static const char *const https[] = { "https://127.0.0.1:9092/", NULL };
	char line[1024];
	json_t *s, *j;
	FILE *f;
	pid_t rs;
	int st, lfd, errs = 0;

	st = drive(&s, refused);
	itest_check(st == 1 && jint(s, "sent") == 5 && jint(s, "responses") == 0 && jint(s, "errors.refused") == 5,
		    "closed port: exit 1, 5 refused");
	json_decref(s);
	f = fopen(intent_path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		j = json_loads(line, 0, NULL);
		if (!strcmp(json_string_value(json_object_get(j, "t")) ?: "", "intent") && jint(j, "status") == 0 &&
		    !strcmp(json_string_value(json_object_get(j, "error")) ?: "", "refused"))
			errs++;
		json_decref(j);
	}
	if (f)
		fclose(f);
	itest_check(errs == 5, "5 intent records with status 0 and error refused (%d)", errs);

	rs = fake_server(P_RESET, true, -1);
	st = drive(&s, reset);
	itest_check(st == 1 && jint(s, "errors.reset") == 3, "RST after the request: 3 reset (%lld)",
		    (long long)jint(s, "errors.reset"));
	json_decref(s);
	kill(rs, SIGKILL);
	waitpid(rs, NULL, 0);

	lfd = listen_on(P_SILENT);	/* accepts in the kernel, never answers */
	st = drive(&s, silent);
	itest_check(st == 1 && jint(s, "errors.timeout") == 2 &&
		    json_real_value(json_object_get(s, "elapsed_s")) < 1.0, "silent server: 2 timeouts after 300 ms");
	json_decref(s);
	close(lfd);

	st = drive(&s, usage);
	itest_check(st == 2 && s && json_object_get(s, "error"), "-c 0: exit 2 with a JSON error");
	json_decref(s);
	st = drive(&s, https);
	itest_check(st == 2, "https URL: exit 2 (plain HTTP only)");
	json_decref(s);
}

static int run(void *arg)
{
	pid_t a, b;

	(void)arg;
	/* Start everything with the common default soft limit: the programs must raise it themselves. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max >= 4096) {
		rl.rlim_cur = 1024;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	b = ihttp_start_app("app-b", PB);
	a = ihttp_start_app("app-a", PA);
	itest_check(a > 0 && b > 0, "two sample-app instances started");
	if (a > 0 && b > 0) {
		test_acceptance();
		test_direct_and_pacing();
		test_what_is_sent();
		test_new_connections();
		test_errors();
	}
	if (a > 0)
		itest_check(ihttp_stop(a, 3000) == 0, "app-a stops cleanly");
	if (b > 0)
		itest_check(ihttp_stop(b, 3000) == 0, "app-b stops cleanly");
	return itest_done();
}

int main(void)
{
	int r;

	if (geteuid() != 0)
		itest_skip("needs root for a private network namespace");
	snprintf(intent_path, sizeof(intent_path), "/tmp/smiw-intent-%d.jsonl", (int)getpid());
	setvbuf(stdout, NULL, _IOLBF, 0);
	r = netns_run_private(run, NULL);
	unlink(intent_path);
	if (r < 0)
		itest_skip("cannot create a network namespace: %s", strerror(-r));
	return r;
}
