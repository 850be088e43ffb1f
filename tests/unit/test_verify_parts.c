/* test_verify_parts - request ids, the convergence rule and capture health. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "scenario/reqid.h"
#include "verify/converge.h"
#include "verify/health.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void test_reqid_parse(void **state)
{
	static const struct {
		const char *in;
		int ret;
		const char *run;
		unsigned step, traffic;
		int probe;
		uint64_t round, seq;
	} cases[] = {
		{ "r7f3a9c2.3.1-17", 0, "r7f3a9c2", 3, 1, 0, 0, 17 },
		{ "r7f3a9c2.3.1.c4-1", 0, "r7f3a9c2", 3, 1, 1, 4, 1 },
		{ "run-with-dash.12.100-0", 0, "run-with-dash", 12, 100, 0, 0, 0 },
		{ "a.1.1-18446744073709551615", 0, "a", 1, 1, 0, 0, UINT64_MAX },
		{ "drive-1a2b3c4d-17", -EINVAL, NULL, 0, 0, 0, 0, 0 },	/* the driver's own default scheme */
		{ "r.0.1-1", -EINVAL, NULL, 0, 0, 0, 0, 0 },			/* steps count from 1 */
		{ "r.1.0-1", -EINVAL, NULL, 0, 0, 0, 0, 0 },
		{ "r.1.1", -EINVAL, NULL, 0, 0, 0, 0, 0 },			/* no sequence number */
		{ "r.1.1-", -EINVAL, NULL, 0, 0, 0, 0, 0 },
		{ "r.1.1-x", -EINVAL, NULL, 0, 0, 0, 0, 0 },
		{ "r.1.1.d4-1", -EINVAL, NULL, 0, 0, 0, 0, 0 },		/* probe rounds are cN */
		{ "r.1.1.c-1", -EINVAL, NULL, 0, 0, 0, 0, 0 },
		{ "r.1.1.c4.5-1", -EINVAL, NULL, 0, 0, 0, 0, 0 },
		{ "r!.1.1-1", -EINVAL, NULL, 0, 0, 0, 0, 0 },
		{ ".1.1-1", -EINVAL, NULL, 0, 0, 0, 0, 0 },
		{ "", -EINVAL, NULL, 0, 0, 0, 0, 0 },
		{ "r.1.1-1 ", -EINVAL, NULL, 0, 0, 0, 0, 0 },
		{ "abcdefghijabcdefghijabcdefghijabcdefghijX.1.1-1", -EINVAL, NULL, 0, 0, 0, 0, 0 },	/* 41 > 40 */
	};
	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		struct reqid id;

		memset(&id, 0, sizeof(id));
		assert_int_equal(reqid_parse(cases[i].in, &id), cases[i].ret);
		if (cases[i].ret)
			continue;
		assert_string_equal(id.run, cases[i].run);
		assert_int_equal(id.step, cases[i].step);
		assert_int_equal(id.traffic, cases[i].traffic);
		assert_int_equal(id.probe, cases[i].probe);
		assert_true(id.round == cases[i].round);
		assert_true(id.seq == cases[i].seq);
	}
}

static void test_reqid_prefix_round_trip(void **state)
{
	char buf[80], full[100];
	struct reqid id;

	(void)state;
	assert_int_equal(reqid_prefix(buf, sizeof(buf), "r1", 2, 3, false, 0), 0);
	assert_string_equal(buf, "r1.2.3");
	snprintf(full, sizeof(full), "%s-%d", buf, 9);
	assert_int_equal(reqid_parse(full, &id), 0);
	assert_int_equal(id.step, 2);
	assert_int_equal(id.probe, 0);
	assert_int_equal(reqid_prefix(buf, sizeof(buf), "r1", 2, 3, true, 7), 0);
	assert_string_equal(buf, "r1.2.3.c7");
	snprintf(full, sizeof(full), "%s-%d", buf, 1);
	assert_int_equal(reqid_parse(full, &id), 0);
	assert_int_equal(id.probe, 1);
	assert_true(id.round == 7);
	assert_int_equal(reqid_prefix(buf, sizeof(buf), "bad.run", 1, 1, false, 0), -EINVAL);
	assert_int_equal(reqid_prefix(buf, sizeof(buf), "r", 0, 1, false, 0), -EINVAL);
	assert_int_equal(reqid_prefix(buf, 5, "r1", 2, 3, false, 0), -ENOSPC);
}

static void test_converge_decide(void **state)
{
	static const struct {
		const char *desc;
		const char *match;	/* one char per probe: 1 matched, 0 not */
		const char *seen;	/* backend bit per probe: '0' none, 'b' bit 0, 'c' bit 1 */
		unsigned consecutive;
		uint64_t need;
		bool want;
	} cases[] = {
		{ "five in a row at the end", "00011111", "00000000", 5, 0, true },
		{ "only four at the end", "1111101111", "0000000000", 5, 0, false },
		{ "no probes", "", "", 5, 0, false },
		{ "a miss at the very end", "111110", "000000", 5, 0, false },
		{ "split: both backends in the suffix", "011111", "0bbcbb", 5, 3, true },
		{ "split: second backend only before the miss", "1101111", "bcbbbbb", 5, 3, false },
		{ "split: one backend needed", "11111", "bbbbb", 5, 1, true },
		{ "consecutive 1", "01", "00", 1, 0, true },
	};
	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		bool match[16];
		uint64_t seen[16];
		size_t n = 0;

		for (const char *m = cases[i].match, *s = cases[i].seen; *m; m++) {
			match[n] = *m == '1';
			seen[n] = *s == 'b' ? 1 : *s == 'c' ? 2 : 0;
			if (*s)
				s++;
			n++;
		}
		if (converge_decide(match, seen, n, cases[i].consecutive, cases[i].need) != cases[i].want)
			fail_msg("case '%s'", cases[i].desc);
	}
}

static void test_health(void **state)
{
	struct obs_counters c[] = {
		{ .ts_ns = 100, .kernel_drops = 0 },
		{ .ts_ns = 200, .kernel_drops = 0, .gaps = 1 },	/* a gap before the window */
		{ .ts_ns = 300, .kernel_drops = 4, .gaps = 1 },
		{ .ts_ns = 400, .kernel_drops = 4, .gaps = 1, .user_drops = 2, .end = true },
	};
	struct obs_set obs = { .stats = c, .n_stats = 4, .have_end = true };
	struct step_health h;

	(void)state;
	/* [200, 250]: counters at 200 against those at 300: 4 kernel drops, the gap was earlier. */
	health_check(&obs, NULL, 200, 250, 0, &h);
	assert_true(h.covered);
	assert_int_equal(h.kernel_drops, 4);
	assert_int_equal(h.gaps, 0);
	assert_string_equal(h.causes, "4 kernel drops");
	/* [300, 320]: nothing lost but the user-space drops reported at 400. */
	health_check(&obs, NULL, 300, 320, 0, &h);
	assert_string_equal(h.causes, "2 user-space drops");
	/* [100, 150]: the gap counted at 200 may have happened inside it: it counts. */
	health_check(&obs, NULL, 100, 150, 0, &h);
	assert_string_equal(h.causes, "1 stream gap");
	/* [100, 100] is bracketed by the same record: clean; request problems are counted in. */
	health_check(&obs, NULL, 100, 100, 0, &h);
	assert_string_equal(h.causes, "");
	health_check(&obs, NULL, 100, 100, 3, &h);
	assert_string_equal(h.causes, "3 requests with incompletely captured exchanges");
	/* Before the first counters record: the baseline is zero. */
	health_check(&obs, NULL, 10, 50, 0, &h);
	assert_string_equal(h.causes, "");
	/* After the last record: not covered; the wording depends on how the file ended. */
	health_check(&obs, NULL, 410, 420, 0, &h);
	assert_false(h.covered);
	assert_string_equal(h.causes, "no counters recorded after the step ended");
	obs.have_end = false;
	health_check(&obs, NULL, 410, 420, 0, &h);
	assert_string_equal(h.causes, "capture cut short (no end record) before the step ended");
	obs.torn = true;
	obs.torn_line = 77;
	health_check(&obs, NULL, 410, 420, 0, &h);
	assert_string_equal(h.causes, "capture cut short (torn last line 77, no end record) before the step ended");
	obs.torn = false;
	obs.stream_cut = true;
	obs.last_line = 76;
	health_check(&obs, NULL, 410, 420, 0, &h);
	assert_string_equal(h.causes, "capture cut short (compressed stream breaks off after line 76, no end record) "
			    "before the step ended");
}

/*
 * HTTP/2 connections capture could not decode (joined late): a step in
 * which they moved bytes is not clean, and the cause names the ones open
 * then (not one closed before the step, nor one lost only after it).
 */
/* A listener of a watched pod outside the watched cgroups: every step from its finding on. */
static void test_health_listener_outside(void **state)
{
	struct obs_counters c[] = {
		{ .ts_ns = 100 },
		{ .ts_ns = 200, .listeners_outside = 1 },
		{ .ts_ns = 300, .listeners_outside = 2, .end = true },
	};
	struct obs_set obs = { .stats = c, .n_stats = 3, .have_end = true };
	struct step_health h;

	(void)state;
	health_check(&obs, NULL, 50, 100, 0, &h);
	assert_string_equal(h.causes, "");
	health_check(&obs, NULL, 150, 200, 0, &h);
	assert_string_equal(h.causes, "1 listening socket of watched pods belongs to unwatched cgroups: the "
			    "connections accepted from it are not captured");
	health_check(&obs, NULL, 210, 290, 0, &h);
	assert_string_equal(h.causes, "2 listening sockets of watched pods belong to unwatched cgroups: the "
			    "connections accepted from them are not captured");
}

static void test_health_h2_lost(void **state)
{
	struct obs_counters c[] = {
		{ .ts_ns = 100, .gaps = 2, .h2_lost_bytes = 500 },
		{ .ts_ns = 200, .gaps = 2, .h2_lost_bytes = 900 },
		{ .ts_ns = 300, .gaps = 2, .h2_lost_bytes = 900, .end = true },
	};
	struct obs_conn k[] = {
		{ .conn = "c-1", .comm = "h2load", .peer = "127.0.0.1:8080", .h2_lost = "late", .h2_lost_ns = 50 },
		{ .conn = "c-2", .comm = "nghttpd", .peer = "127.0.0.1:4711", .h2_lost = "late", .h2_lost_ns = 50,
		  .close_ns = 90 },
		{ .conn = "c-3", .comm = "h2load", .peer = "127.0.0.1:8080", .h2_lost = "snaplen", .h2_lost_ns = 250 },
		{ .conn = "c-4", .comm = "curl", .peer = "127.0.0.1:8080", .h2_lost = "" },
	};
	struct obs_set obs = { .stats = c, .n_stats = 3, .conns = k, .n_conns = 4, .have_end = true };
	struct step_health h;

	(void)state;
	health_check(&obs, NULL, 100, 150, 0, &h);
	assert_int_equal(h.h2_lost_bytes, 400);
	assert_int_equal(h.gaps, 0);
	assert_string_equal(h.causes, "400 bytes on HTTP/2 connections whose header state was lost, their streams "
			    "not reported, lost: c-1 (h2load, peer 127.0.0.1:8080, late)");
	/* nothing moved on them during [200, 300]: clean */
	health_check(&obs, NULL, 200, 300, 0, &h);
	assert_string_equal(h.causes, "");
}

/* Connects refused at a service's address and port: the mesh went away only if it answered first. */
static void test_health_mesh_gone(void **state)
{
	static const uint8_t svc_ip[16] = { 198, 18, 1, 1 };
	struct inv_service svc = { .namespace = "default", .name = "app-svc", .ref = "default/app-svc",
				   .ip = "198.18.1.1", .ports = { 9091 }, .nports = 1 };
	struct inventory inv = { .services = &svc, .nservices = 1 };
	struct obs_counters c[] = { { .ts_ns = 1000, .end = true } };
	struct obs_conn conns[] = {
		{ .role = OBS_ROLE_CLIENT, .connect_error = "", .peer = "198.18.1.1:9091", .open_ns = 150 },
		{ .role = OBS_ROLE_CLIENT, .connect_error = "ECONNREFUSED", .peer = "198.18.1.1:9091", .open_ns = 160 },
		{ .role = OBS_ROLE_CLIENT, .connect_error = "ECONNREFUSED", .peer = "198.18.1.1:9091", .open_ns = 170 },
		/* another port of the same address: not the service's, an ordinary refusal */
		{ .role = OBS_ROLE_CLIENT, .connect_error = "ECONNREFUSED", .peer = "198.18.1.1:8080", .open_ns = 165 },
	};
	struct obs_set obs = { .stats = c, .n_stats = 1, .have_end = true, .conns = conns, .n_conns = 4 };
	struct step_health h;

	(void)state;
	inv_addr_from_raw(&svc.addr, AF_INET, svc_ip);
	health_check(&obs, &inv, 100, 200, 0, &h);
	assert_int_equal(h.mesh_refused, 2);
	assert_string_equal(h.mesh_gone, "during the step: service address 198.18.1.1:9091 (default/app-svc) answered, then "
			    "refused 2 connects: nothing listened there any more");
	assert_string_equal(h.causes, "");
	/* Refused from the start of the window: refusing may be how the mesh denies. */
	health_check(&obs, &inv, 155, 200, 0, &h);
	assert_int_equal(h.mesh_refused, 0);
	assert_string_equal(h.mesh_gone, "");
	/* Without an inventory nothing is a service address. */
	health_check(&obs, NULL, 100, 200, 0, &h);
	assert_string_equal(h.mesh_gone, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reqid_parse),
		cmocka_unit_test(test_reqid_prefix_round_trip),
		cmocka_unit_test(test_converge_decide),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_health_h2_lost),
		cmocka_unit_test(test_health_listener_outside),
		cmocka_unit_test(test_health_mesh_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
