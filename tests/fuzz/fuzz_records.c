/*
 * fuzz_records - the observation reader on arbitrary bytes (plain or gzip
 * JSON lines): never crashes, and what it keeps is sane. Records come from
 * agents over the network, so what reads them must hold against anything:
 * whatever the reader accepts also goes through the verifier, against the
 * access fixture's scenario and inventory (tests/fixtures/verify, when the
 * fuzzer runs from the source tree).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "records/inventory.h"
#include "util/log.h"
#include "verdict/report.h"
#include "verify/engine.h"

static char path[64];
static struct scenario sc;
static struct inventory *inv;
static bool have_scenario;

static void setup(void)
{
	snprintf(path, sizeof(path), "/tmp/fuzz_records.%d", (int)getpid());
	/*
	 * Errors and warnings are expected by the thousand: errors go out as
	 * JSON on stdout, both to /dev/null; sanitizer reports use fd 2 anyway.
	 */
	log_json = true;
	stderr = fopen("/dev/null", "w");
	if (!stderr || !freopen("/dev/null", "w", stdout))
		abort();
	have_scenario = !access("tests/fixtures/verify/access.yaml", R_OK) &&
			!scenario_load(&sc, "tests/fixtures/verify/access.yaml") &&
			!inventory_load("tests/fixtures/verify/inventory.json", &inv);
}

static void verify(const struct obs_set *s)
{
	struct report rep;

	if (!have_scenario || report_init(&rep, "fuzz"))
		return;
	verify_scenario(&(struct verify_input){ .sc = &sc, .obs = s, .inv = inv }, &rep);
	report_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct obs_set s = { 0 };
	FILE *f;

	if (!path[0])
		setup();
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (obs_read(&s, path) == 0) {
		/* A successful read has a meta record, and a torn file has no end record after it. */
		if (!s.have_meta)
			abort();
		for (size_t i = 0; i < s.n_ex; i++)
			if (!s.ex[i].request_id || !s.ex[i].pod)
				abort();
		if (obs_read_intents(&s, path) == 0)
			verify(&s);
	} else {
		obs_read_intents(&s, path);
	}
	obs_free(&s);
	unlink(path);
	return 0;
}
