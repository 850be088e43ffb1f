/*
 * test_records_write - the records writers: observation records (meta,
 * exchange, conn, stats, end), intent files and the runner's mesh note,
 * byte for byte, and read back by the records reader.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "records/intent_write.h"
#include "records/obs.h"
#include "records/obs_write.h"
#include "utest.h"

static char dir[64];

/* Reads dir/name whole; the caller frees it. */
static char *slurp(const char *name)
{
	char path[160], *buf = calloc(1, 1 << 16);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Replaces the digits of every member named `key` in s with "N" (clock readings). */
static void blank(char *s, const char *key)
{
	char pat[64];
	size_t plen;

	plen = (size_t)snprintf(pat, sizeof(pat), "\"%s\":", key);
	for (char *p = strstr(s, pat); p; p = strstr(p, pat)) {
		char *d = p + plen, *e = d;

		while (*e >= '0' && *e <= '9')
			e++;
		assert_true(e > d);
		*d = 'N';
		memmove(d + 1, e, strlen(e) + 1);
		p = d;
	}
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static const struct obs_write_header headers[] = {
	{ .name = 0, .name_len = 4, .value = 4, .value_len = 12 },
	{ .name = 16, .name_len = 12, .value = 28, .value_len = 6 },
};
static const char hdrbuf[] = "hostapp-svc:9091x-request-idr.1-1\"";
/* Response fields kept at the client: one name twice. */
static const struct obs_write_header resp_headers[] = {
	{ .name = 0, .name_len = 12, .value = 12, .value_len = 2 },
	{ .name = 14, .name_len = 12, .value = 26, .value_len = 2 },
};
static const char resp_hdrbuf[] = "x-header-setv1x-header-setv2";

static void write_capture(const char *path)
{
	struct obs_writer o;
	struct obs_write_who who = {
		.key = 7, .gen = 1, .ns = "default", .pod = "app-a", .sa = "service-a", .comm = "sample-app",
		.cgroup_id = 37702, .local = "198.18.0.11:41872", .peer = "198.18.1.1:9091", .peer_pod = "default/mesh",
		.peer_service = "default/app-svc",
	};
	struct obs_write_exchange x = {
		.conn = "8b5e-7", .seq = 0, .role = OBS_ROLE_CLIENT, .pid = 4083, .tgid = 4083, .who = &who,
		.method = "GET", .path = "/echo?q=\"x\"", .host = "app-svc:9091", .request_id = "r.1-1", .status = 200,
		.start_ns = 1000, .end_ns = 1500, .req_bytes = 118, .resp_bytes = 182, .complete = true,
		.hdrbuf = hdrbuf, .headers = headers, .nheaders = 2,
		.has_resp_headers = true, .resp_hdrbuf = resp_hdrbuf, .resp_headers = resp_headers, .nresp_headers = 2,
	};
	static const uint32_t progs[] = { 11, 12 };

	assert_int_equal(obs_writer_open(&o, path, "lab"), 0);
	obs_write_meta(&o, &(struct obs_write_meta){ .inventory = "inv.json", .snaplen = 4096, .capture_tag = "8b5e",
						     .backend = "cgroup", .watched_cgroups = 3, .prog_ids = progs,
						     .nprogs = 2 });
	obs_write_exchange(&o, &x);
	/* Same connection, same gen: the naming members come from the cache, the same bytes. */
	x.seq = 1, x.status = 0, x.complete = false, x.incomplete = "reset", x.truncated = true, x.nheaders = 0;
	x.has_resp_headers = false;	/* no final response: no table */
	/* An HTTP/2 stream adds its members after `truncated`. */
	x.h2 = &(struct obs_write_h2_stream){ .protocol = "grpc", .stream_id = 3, .has_grpc_status = true,
					      .grpc_status = 14, .grpc_message = "no \"backend\"",
					      .rst = "CANCEL", .rst_by = OBS_ROLE_SERVER };
	obs_write_exchange(&o, &x);
	/* Its names changed (gen): formatted again. */
	who.gen = 2, who.pod = "app-a2", who.peer_service = NULL;
	obs_write_conn(&o, &(struct obs_write_conn){
		.conn = "8b5e-7", .role = OBS_ROLE_SERVER, .pid = 1, .tgid = 2, .who = &who, .netns = 4026532177,
		.open_ns = 900, .close_ns = 1600, .bytes_sent = 300, .bytes_recv = 118, .reset = true,
		.connect_error = "ECONNREFUSED", .gaps = 1, .exchanges = 2, .late = true, .open_lost = true,
		.h2 = &(struct obs_write_h2_conn){ .start = "preface", .lost = "late", .lost_ns = 950,
						   .goaway = { NULL, "NO_ERROR" }, .goaway_last_stream = { 0, 5 } } });
	obs_write_stats(&o, &(struct obs_write_counters){ .ts_ns = 1700, .kernel_drops = 3, .drops_ring_data = 1,
							  .drops_conns_full = 2, .user_drops = 4, .gaps = 1,
							  .unparsed_bytes = 9, .unpaired = 1, .h2_lost_bytes = 5, .events = 20,
							  .exchanges = 2, .conns = 1, .conns_open = 0,
							  .listeners_outside = 1 }, NULL);
	obs_write_stats(&o, &(struct obs_write_counters){ .ts_ns = 1800, .kernel_drops = 3 }, "signal");
	assert_int_equal(obs_writer_close(&o), 0);
}

static void test_observations(void **state)
{
	static const char want[] =
		"{\"t\":\"meta\",\"v\":1,\"tool\":\"smi-witness " SMIW_VERSION "\",\"node\":\"lab\",\"snaplen\":4096,"
		"\"mono_ns\":N,\"real_ns\":N,\"inventory\":\"inv.json\",\"capture\":\"8b5e\",\"capture_backend\":\"cgroup\","
		"\"watched_cgroups\":3,"
		"\"bpf_prog_ids\":[11,12]}\n"
		"{\"t\":\"exchange\",\"conn\":\"8b5e-7\",\"seq\":0,\"role\":\"client\",\"pid\":4083,\"tgid\":4083,"
		"\"node\":\"lab\",\"namespace\":\"default\",\"pod\":\"app-a\",\"service_account\":\"service-a\","
		"\"comm\":\"sample-app\",\"cgroup_id\":37702,\"local\":\"198.18.0.11:41872\",\"peer\":\"198.18.1.1:9091\","
		"\"peer_pod\":\"default/mesh\",\"peer_service\":\"default/app-svc\",\"method\":\"GET\","
		"\"path\":\"/echo?q=\\\"x\\\"\",\"host\":\"app-svc:9091\",\"request_id\":\"r.1-1\",\"status\":200,"
		"\"start_ns\":1000,\"end_ns\":1500,\"req_bytes\":118,\"resp_bytes\":182,\"complete\":true,"
		"\"headers\":{\"host\":\"app-svc:9091\",\"x-request-id\":\"r.1-1\\\"\"},"
		"\"response_headers\":{\"x-header-set\":\"v1\",\"x-header-set\":\"v2\"}}\n"
		"{\"t\":\"exchange\",\"conn\":\"8b5e-7\",\"seq\":1,\"role\":\"client\",\"pid\":4083,\"tgid\":4083,"
		"\"node\":\"lab\",\"namespace\":\"default\",\"pod\":\"app-a\",\"service_account\":\"service-a\","
		"\"comm\":\"sample-app\",\"cgroup_id\":37702,\"local\":\"198.18.0.11:41872\",\"peer\":\"198.18.1.1:9091\","
		"\"peer_pod\":\"default/mesh\",\"peer_service\":\"default/app-svc\",\"method\":\"GET\","
		"\"path\":\"/echo?q=\\\"x\\\"\",\"host\":\"app-svc:9091\",\"request_id\":\"r.1-1\",\"status\":0,"
		"\"start_ns\":1000,\"end_ns\":1500,\"req_bytes\":118,\"resp_bytes\":182,\"complete\":false,"
		"\"incomplete\":\"reset\",\"truncated\":true,\"protocol\":\"grpc\",\"stream\":3,\"grpc_status\":14,"
		"\"grpc_message\":\"no \\\"backend\\\"\",\"rst\":\"CANCEL\",\"rst_by\":\"server\",\"headers\":{}}\n"
		"{\"t\":\"conn\",\"conn\":\"8b5e-7\",\"role\":\"server\",\"pid\":1,\"tgid\":2,\"node\":\"lab\","
		"\"namespace\":\"default\",\"pod\":\"app-a2\",\"service_account\":\"service-a\",\"comm\":\"sample-app\","
		"\"cgroup_id\":37702,\"local\":\"198.18.0.11:41872\",\"peer\":\"198.18.1.1:9091\","
		"\"peer_pod\":\"default/mesh\",\"netns\":4026532177,\"open_ns\":900,\"close_ns\":1600,"
		"\"bytes_sent\":300,\"bytes_recv\":118,\"reset\":true,\"connect_error\":\"ECONNREFUSED\",\"gaps\":1,"
		"\"exchanges\":2,\"late\":true,\"open_lost\":true,\"protocol\":\"h2\",\"h2_start\":\"preface\","
		"\"h2_lost\":\"late\",\"h2_lost_ns\":950,\"server_goaway\":\"NO_ERROR\",\"server_goaway_last_stream\":5}\n"
		"{\"t\":\"stats\",\"ts_ns\":1700,\"kernel_drops\":3,\"kernel_drops_by\":{\"ring_data\":1,\"ring_conn\":0,"
		"\"pending_full\":0,\"conns_full\":2},\"user_drops\":4,\"gaps\":1,\"unparsed_bytes\":9,\"unpaired\":1,\"h2_lost_bytes\":5,"
		"\"events\":20,\"exchanges\":2,\"conns\":1,\"conns_open\":0,\"listeners_outside\":1}\n"
		"{\"t\":\"end\",\"ts_ns\":1800,\"kernel_drops\":3,\"kernel_drops_by\":{\"ring_data\":0,\"ring_conn\":0,"
		"\"pending_full\":0,\"conns_full\":0},\"user_drops\":0,\"gaps\":0,\"unparsed_bytes\":0,\"unpaired\":0,\"h2_lost_bytes\":0,"
		"\"events\":0,\"exchanges\":0,\"conns\":0,\"conns_open\":0,\"reason\":\"signal\"}\n";
	struct obs_set s = { 0 };
	char path[160], *got;

	(void)state;
	path_of(path, sizeof(path), "obs.jsonl");
	write_capture(path);
	got = slurp("obs.jsonl");
	blank(got, "mono_ns");
	blank(got, "real_ns");
	assert_string_equal(got, want);
	free(got);

	/* What is written, the reader reads back. */
	assert_int_equal(obs_read(&s, path), 0);
	assert_true(s.have_meta && s.have_end);
	assert_int_equal(s.meta.snaplen, 4096);
	assert_string_equal(s.meta.inventory, "inv.json");
	assert_int_equal(s.n_ex, 2);
	assert_int_equal(s.ex[0].role, OBS_ROLE_CLIENT);
	assert_string_equal(s.ex[0].path, "/echo?q=\"x\"");
	assert_string_equal(s.ex[0].peer_pod, "default/mesh");
	assert_int_equal(s.ex[0].status, 200);
	assert_string_equal(s.ex[1].incomplete, "reset");
	assert_true(s.ex[0].has_response_headers);
	assert_false(s.ex[1].has_response_headers);
	assert_null(s.ex[0].response_headers);	/* raw text only with keep_headers */
	assert_int_equal(s.n_conns, 1);
	assert_int_equal(s.conns[0].role, OBS_ROLE_SERVER);
	assert_string_equal(s.conns[0].pod, "app-a2");
	assert_string_equal(s.conns[0].connect_error, "ECONNREFUSED");
	assert_int_equal(s.n_stats, 2);
	assert_int_equal(s.stats[0].unparsed_bytes, 9);
	assert_string_equal(s.stats[1].reason, "signal");
	obs_free(&s);

	/* With keep_headers, the raw object: the repeated name read back as both field lines. */
	memset(&s, 0, sizeof(s));
	s.keep_headers = true;
	assert_int_equal(obs_read(&s, path), 0);
	{
		char v[16];

		assert_int_equal(obs_header(s.ex[0].response_headers, "X-Header-Set", v, sizeof(v)), 2);
		assert_string_equal(v, "v1,v2");
	}
	assert_null(s.ex[1].response_headers);
	obs_free(&s);
}

/*
 * The cached naming members of a connection hold its role and process too:
 * an exchange of another thread on the same connection (the syscall
 * backend names the thread of each) and a record of another role are
 * formatted anew, not copied from the cache.
 */
static void test_who_cache_process(void **state)
{
	struct obs_write_who who = { .key = 9, .gen = 1, .ns = "", .pod = "", .sa = "", .comm = "app",
				     .local = "198.18.0.12:9091", .peer = "198.18.0.11:40000", .peer_pod = "" };
	struct obs_write_exchange x = { .conn = "c-9", .role = OBS_ROLE_SERVER, .pid = 4083, .tgid = 4083,
					.who = &who, .method = "GET", .path = "/", .host = "", .request_id = "",
					.complete = true, .hdrbuf = "", .nheaders = 0 };
	struct obs_writer o;
	char path[160], *got, *l2, *l3;

	(void)state;
	path_of(path, sizeof(path), "who.jsonl");
	assert_int_equal(obs_writer_open(&o, path, "lab"), 0);
	obs_write_exchange(&o, &x);
	x.seq = 1, x.pid = 4090;
	obs_write_exchange(&o, &x);
	obs_write_conn(&o, &(struct obs_write_conn){ .conn = "c-9", .role = OBS_ROLE_CLIENT, .pid = 4090,
						     .tgid = 4083, .who = &who, .exchanges = 2 });
	assert_int_equal(obs_writer_close(&o), 0);
	got = slurp("who.jsonl");
	l2 = strchr(got, '\n');
	assert_non_null(l2);
	l3 = strchr(l2 + 1, '\n');
	assert_non_null(l3);
	*l2++ = *l3++ = '\0';
	assert_non_null(strstr(got, "\"role\":\"server\",\"pid\":4083,\"tgid\":4083,\"node\":\"lab\""));
	assert_non_null(strstr(l2, "\"role\":\"server\",\"pid\":4090,\"tgid\":4083,\"node\":\"lab\""));
	assert_non_null(strstr(l3, "\"role\":\"client\",\"pid\":4090,\"tgid\":4083,\"node\":\"lab\""));
	free(got);
}

static void test_intents(void **state)
{
	static const char want[] =
		"{\"t\":\"meta\",\"v\":1,\"tool\":\"smi-witness " SMIW_VERSION "\",\"node\":\"vm1\",\"mono_ns\":N,"
		"\"real_ns\":N}\n"
		"{\"t\":\"intent\",\"run\":\"r9\",\"request_id\":\"r9-1\",\"method\":\"POST\",\"url\":\"http://app-b:9091/echo\","
		"\"headers\":{\"X-A\":\"2\",\"Authorization\":\"<redacted>\",\"X-B\":\"a\\\"b\"},\"sent_ns\":100,"
		"\"done_ns\":250,\"status\":200,\"via\":\"http://198.18.0.11:9091/call\"}\n"
		"{\"t\":\"intent\",\"run\":\"r9\",\"request_id\":\"r9-2\",\"method\":\"POST\",\"url\":\"http://app-b:9091/echo\","
		"\"headers\":{\"X-A\":\"2\",\"Authorization\":\"<redacted>\",\"X-B\":\"a\\\"b\"},\"sent_ns\":300,"
		"\"done_ns\":400,\"status\":0,\"via\":\"http://198.18.0.11:9091/call\",\"error\":\"timeout\"}\n"
		"{\"t\":\"end\",\"reason\":\"signal\",\"ts_ns\":N,\"intents\":2}\n";
	/* A name given twice: one member, in the first place, with the later value. */
	static const struct intent_header hdrs[] = {
		{ "X-A", "1" }, { "Authorization", "<redacted>" }, { "X-A", "2" }, { "X-B", "a\"b" },
	};
	struct intent_log log;
	struct obs_set s = { 0 };
	char path[160], *got;

	(void)state;
	path_of(path, sizeof(path), "intent.jsonl");
	assert_int_equal(intent_open(&log, path, "vm1", &(struct intent_run){
		.run = "r9", .method = "POST", .url = "http://app-b:9091/echo", .via = "http://198.18.0.11:9091/call",
		.headers = hdrs, .nheaders = 4 }), 0);
	assert_int_equal(intent_write(&log, "r9-1", 100, 250, 200, NULL), 0);
	assert_int_equal(intent_write(&log, "r9-2", 300, 400, 0, "timeout"), 0);
	assert_int_equal(intent_close(&log, true), 0);
	/* Closing what is not open is nothing. */
	assert_int_equal(intent_close(&log, false), 0);
	got = slurp("intent.jsonl");
	blank(got, "mono_ns");
	blank(got, "real_ns");
	blank(got, "ts_ns");
	assert_string_equal(got, want);
	free(got);

	assert_int_equal(obs_read_intents(&s, path), 0);
	assert_int_equal(s.n_intents, 2);
	assert_string_equal(s.intents[1].request_id, "r9-2");
	assert_string_equal(s.intents[1].via, "http://198.18.0.11:9091/call");
	assert_string_equal(s.intents[1].error, "timeout");
	assert_int_equal(s.intents[0].done_ns, 250);
	obs_free(&s);
}

/* The intent file's name is taken as it is: "-" is a file, not standard output. */
static void test_intent_path(void **state)
{
	char cwd[4096], *got;
	struct intent_log log;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(intent_open(&log, "-", "vm1", &(struct intent_run){ .run = "r", .method = "GET", .url = "u" }), 0);
	assert_int_equal(intent_close(&log, false), 0);
	assert_int_equal(chdir(cwd), 0);
	got = slurp("-");
	blank(got, "mono_ns");
	blank(got, "real_ns");
	blank(got, "ts_ns");
	assert_string_equal(got, "{\"t\":\"meta\",\"v\":1,\"tool\":\"smi-witness " SMIW_VERSION "\",\"node\":\"vm1\","
				 "\"mono_ns\":N,\"real_ns\":N}\n"
				 "{\"t\":\"end\",\"reason\":\"duration\",\"ts_ns\":N,\"intents\":0}\n");
	free(got);

	assert_int_equal(intent_open(&log, "/nonexistent-dir/x.jsonl", "vm1", &(struct intent_run){ .run = "r" }),
			 -ENOENT);
	assert_false(log.open);
}

static void test_mesh_note(void **state)
{
	struct obs_set s = { 0 };
	char path[160], *got;

	(void)state;
	path_of(path, sizeof(path), "mesh.jsonl");
	assert_int_equal(intent_write_mesh_gone(path, "r1a2b3c4d", 2, "HAProxy (pid 812) of the mesh pod is not running"),
			 0);
	got = slurp("mesh.jsonl");
	blank(got, "ts_ns");
	assert_string_equal(got, "{\"t\":\"mesh\",\"run\":\"r1a2b3c4d\",\"step\":2,\"state\":\"gone\","
				 "\"detail\":\"HAProxy (pid 812) of the mesh pod is not running\",\"ts_ns\":N}\n");
	free(got);

	assert_int_equal(obs_read_intents(&s, path), 0);
	assert_int_equal(s.n_mesh_events, 1);
	assert_string_equal(s.mesh_events[0].run, "r1a2b3c4d");
	assert_int_equal(s.mesh_events[0].step, 2);
	assert_string_equal(s.mesh_events[0].state, "gone");
	obs_free(&s);

	assert_int_equal(intent_write_mesh_gone("/nonexistent-dir/m.jsonl", "r", 1, "x"), -ENOENT);
}

static int setup(void **state)
{
	(void)state;
	return utest_tmpdir(dir, sizeof(dir), "records-write");
}

static int teardown(void **state)
{
	(void)state;
	return utest_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observations),
		cmocka_unit_test(test_who_cache_process),
		cmocka_unit_test(test_intents),
		cmocka_unit_test(test_intent_path),
		cmocka_unit_test(test_mesh_note),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
