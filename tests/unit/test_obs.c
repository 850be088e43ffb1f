/* test_obs - reading observation and intent records: fields, torn lines, gzip, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "records/obs.h"
#include "utest.h"

static char dir[64];

static const char capture[] =
	"{\"t\":\"meta\",\"v\":1,\"tool\":\"smi-witness 0.1.0\",\"node\":\"lab\",\"snaplen\":256,"
	"\"mono_ns\":1000,\"real_ns\":1764239700000000000,\"inventory\":\"/run/inv.json\"}\n"
	"{\"t\":\"exchange\",\"conn\":\"c1\",\"seq\":2,\"role\":\"server\",\"namespace\":\"default\","
	"\"pod\":\"app-b\",\"comm\":\"sample-app\",\"method\":\"GET\",\"path\":\"/echo\","
	"\"request_id\":\"r.1.1-1\",\"status\":200,\"start_ns\":1500,\"end_ns\":1600,"
	"\"complete\":true,\"incomplete\":\"\",\"future_field\":[1,2]}\n"
	"\n"
	"{\"t\":\"conn\",\"conn\":\"c2\",\"role\":\"client\",\"pod\":\"app-a\",\"connect_error\":\"ECONNREFUSED\","
	"\"open_ns\":1700,\"reset\":false}\n"
	"{\"t\":\"conn\",\"conn\":\"c3\",\"role\":\"unknown\",\"protocol\":\"h2\",\"h2_start\":\"late\","
	"\"h2_lost\":\"late\",\"h2_lost_ns\":1650,\"open_ns\":1650,\"gaps\":1}\n"
	"{\"t\":\"future-record\",\"x\":1}\n"
	"{\"t\":\"stats\",\"ts_ns\":1800,\"kernel_drops\":3,\"user_drops\":1,\"gaps\":2,\"h2_lost_bytes\":77,\"listeners_outside\":1}\n"
	"{\"t\":\"end\",\"ts_ns\":1900,\"kernel_drops\":3,\"reason\":\"signal\"}\n";

static void write_file(const char *name, const char *text, size_t len)
{
	assert_int_equal(utest_write(dir, name, text, len), 0);
}

struct read_args {
	struct obs_set *s;
	const char *path;
	bool intents;
};

static int do_read(void *arg)
{
	struct read_args *a = arg;

	return a->intents ? obs_read_intents(a->s, a->path) : obs_read(a->s, a->path);
}

/* Reads dir/name; stderr (the reader's messages) goes to err. */
static int read_obs(struct obs_set *s, const char *name, bool intents, char *err, size_t len)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return utest_stderr(err, len, do_read, &(struct read_args){ s, path, intents });
}

static void check_capture(const struct obs_set *s)
{
	assert_true(s->have_meta && s->have_end && !s->torn);
	assert_int_equal(s->records, 7);	/* the unknown type counts as read, then is ignored; blank lines do not */
	assert_string_equal(s->meta.inventory, "/run/inv.json");
	assert_int_equal(s->n_ex, 1);
	assert_int_equal(s->ex[0].role, OBS_ROLE_SERVER);
	assert_string_equal(s->ex[0].pod, "app-b");
	assert_string_equal(s->ex[0].request_id, "r.1.1-1");
	assert_string_equal(s->ex[0].sa, "");	/* absent -> "" */
	assert_int_equal(s->ex[0].status, 200);
	assert_true(s->ex[0].seq == 2 && s->ex[0].start_ns == 1500 && s->ex[0].complete);
	assert_int_equal(s->ex[0].line, 2);
	assert_int_equal(s->n_conns, 2);
	assert_string_equal(s->conns[0].connect_error, "ECONNREFUSED");
	assert_string_equal(s->conns[0].h2_lost, "");
	assert_string_equal(s->conns[1].h2_lost, "late");
	assert_int_equal(s->conns[1].h2_lost_ns, 1650);
	assert_int_equal(s->n_stats, 2);
	assert_true(s->stats[0].kernel_drops == 3 && s->stats[0].gaps == 2 && !s->stats[0].end);
	assert_int_equal(s->stats[0].h2_lost_bytes, 77);
	assert_int_equal(s->stats[0].listeners_outside, 1);
	assert_true(s->stats[1].end);
	assert_string_equal(s->stats[1].reason, "signal");
	/* 1500 ns monotonic is 500 ns after the meta pair. */
	assert_true(obs_wall_ns(s, 1500) == 1764239700000000500ULL);
}

static void test_plain(void **state)
{
	struct obs_set s = { 0 };
	char err[512];

	(void)state;
	write_file("cap.jsonl", capture, strlen(capture));
	assert_int_equal(read_obs(&s, "cap.jsonl", false, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	check_capture(&s);
	obs_free(&s);
}

static void test_gzip(void **state)
{
	struct obs_set s = { 0 };
	char path[160], err[512];
	gzFile g;

	(void)state;
	snprintf(path, sizeof(path), "%s/cap.jsonl.gz", dir);
	g = gzopen(path, "wb");
	assert_non_null(g);
	assert_int_equal(gzwrite(g, capture, (unsigned)strlen(capture)), (int)strlen(capture));
	gzclose(g);
	assert_int_equal(read_obs(&s, "cap.jsonl.gz", false, err, sizeof(err)), 0);
	check_capture(&s);
	obs_free(&s);
}

static void test_torn(void **state)
{
	struct obs_set s = { 0 };
	char err[512], *buf = malloc(sizeof(capture) + 64);
	size_t keep = strstr(capture, "{\"t\":\"end\"") - capture;
	FILE *f;
	char path[160];
	long size;
	gzFile g;

	(void)state;
	/* A half-written last record: dropped, noted, no end record. */
	memcpy(buf, capture, keep);
	memcpy(buf + keep, "{\"t\":\"end\",\"ts", 14);
	write_file("torn.jsonl", buf, keep + 14);
	assert_int_equal(read_obs(&s, "torn.jsonl", false, err, sizeof(err)), 0);
	assert_true(s.torn && !s.have_end && !s.stream_cut);
	assert_int_equal(s.torn_line, 8);
	assert_int_equal(s.n_stats, 1);
	assert_non_null(strstr(err, "torn.jsonl': line 8 is cut short (its writer stopped mid-record): dropped"));
	obs_free(&s);

	/* A complete record without its newline is torn as well: the writer died mid-line. */
	write_file("nonl.jsonl", capture, strlen(capture) - 1);
	assert_int_equal(read_obs(&s, "nonl.jsonl", false, err, sizeof(err)), 0);
	assert_true(s.torn && !s.have_end);
	obs_free(&s);

	/* A gzip stream cut off in the middle. */
	snprintf(path, sizeof(path), "%s/cut.jsonl.gz", dir);
	g = gzopen(path, "wb");
	gzwrite(g, capture, (unsigned)keep);
	for (int i = 0; i < 2000; i++)
		gzprintf(g, "{\"t\":\"stats\",\"ts_ns\":%d,\"kernel_drops\":0}\n", 2000 + i);
	gzclose(g);
	f = fopen(path, "r+");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	assert_int_equal(ftruncate(fileno(f), size / 2), 0);
	fclose(f);
	assert_int_equal(read_obs(&s, "cut.jsonl.gz", false, err, sizeof(err)), 0);
	assert_true(s.torn && s.stream_cut && !s.have_end);
	assert_true(s.n_stats > 1 && s.n_stats < 2001);
	assert_int_equal(s.torn_line, s.last_line + 1);
	assert_non_null(strstr(err, "is cut short (its writer stopped mid-record): dropped"));
	obs_free(&s);

	/* Cut where the writer last flushed: every line whole, the trailer missing. */
	g = gzopen(path, "wb");
	gzwrite(g, capture, (unsigned)keep);
	gzflush(g, Z_SYNC_FLUSH);
	size = gzoffset(g);
	gzprintf(g, "{\"t\":\"stats\",\"ts_ns\":3000,\"kernel_drops\":0}\n");
	gzclose(g);
	assert_int_equal(truncate(path, size), 0);
	assert_int_equal(read_obs(&s, "cut.jsonl.gz", false, err, sizeof(err)), 0);
	assert_true(!s.torn && s.stream_cut && !s.have_end);
	assert_int_equal(s.last_line, 7);
	assert_non_null(strstr(err, "cut.jsonl.gz': the compressed stream breaks off after line 7 (its writer "
				    "stopped): read up to there"));
	obs_free(&s);
	free(buf);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{\"t\":\"exchange\"}\n{\"t\":\"meta\",\"v\":1}\n",
		  "line 1: not an observation file (the first record must be \"meta\")" },
		{ "{\"t\":\"meta\",\"v\":2}\n{\"t\":\"end\"}\n",
		  "line 1: unsupported record format version 2 (this reader knows 1)" },
		{ "{\"t\":\"meta\"}\n{\"t\":\"end\"}\n", "line 1: meta record has no format version \"v\"" },
		{ "{\"t\":\"meta\",\"v\":1}\n{not json\n{\"t\":\"end\"}\n",
		  "line 2: string or '}' expected near 'not'" },
		{ "{\"t\":\"meta\",\"v\":1}\n[1,2]\n{\"t\":\"end\"}\n", "line 2: record is not a JSON object" },
		{ "{\"t\":\"meta\",\"v\":1}\n{\"x\":1}\n", "line 2: record has no \"t\" (type) field" },
		{ "\n\n", "empty observation file (no \"meta\" record)" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct obs_set s = { 0 };
		char err[512], want[512], name[32];

		snprintf(name, sizeof(name), "bad%zu.jsonl", i);
		write_file(name, cases[i].text, strlen(cases[i].text));
		assert_int_equal(read_obs(&s, name, false, err, sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "error: cannot read '%s/%s': %s", dir, name, cases[i].want);
		if (strcmp(err, want))
			fail_msg("case %zu:\n got  %s\n want %s", i, err, want);
		obs_free(&s);
	}
}

static void test_intents(void **state)
{
	static const char text[] =
		"{\"t\":\"meta\",\"v\":1,\"tool\":\"smi-witness drive\"}\n"
		"{\"t\":\"intent\",\"run\":\"r.1.1\",\"request_id\":\"r.1.1-1\",\"method\":\"GET\","
		"\"url\":\"http://app-b:9091/echo\",\"sent_ns\":10,\"done_ns\":20,\"status\":0,\"error\":\"refused\"}\n"
		"{\"t\":\"end\",\"ts_ns\":30,\"intents\":1,\"reason\":\"duration\"}\n"
		"{\"t\":\"intent\",\"request_id\":\"r.1.1-2\"";	/* torn: ignored with a warning */
	struct obs_set s = { 0 };
	char err[512];

	(void)state;
	write_file("intent.jsonl", text, strlen(text));
	assert_int_equal(read_obs(&s, "intent.jsonl", true, err, sizeof(err)), 0);
	assert_int_equal(s.n_intents, 1);
	assert_string_equal(s.intents[0].error, "refused");
	assert_true(s.intents[0].sent_ns == 10 && s.intents[0].done_ns == 20);
	/* An intent file does not make a capture: no meta, no end, no torn flag in the set. */
	assert_false(s.have_meta || s.have_end || s.torn);
	assert_int_equal(s.n_stats, 0);
	assert_non_null(strstr(err, "line 4 is cut short (its writer stopped mid-record): dropped"));
	obs_free(&s);
}

static int setup(void **state)
{
	(void)state;
	return utest_tmpdir(dir, sizeof(dir), "obs");
}

static int teardown(void **state)
{
	(void)state;
	return utest_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_torn),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_intents),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
