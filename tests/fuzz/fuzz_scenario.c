/* fuzz_scenario - the scenario loader on arbitrary YAML: never crashes; a loaded scenario is complete. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"
#include "verify/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct scenario sc;
	FILE *f;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/fuzz_scenario.%d.yaml", (int)getpid());
		/* Errors are expected: as JSON on stdout, away from libFuzzer's stderr. */
		log_json = true;
		if (!freopen("/dev/null", "w", stdout))
			return 0;
	}
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (scenario_load(&sc, path) == 0) {
		if (!sc.n_steps || !sc.name || !scenario_spec_group(sc.smispec))
			abort();
		for (size_t i = 0; i < sc.n_steps; i++) {
			if (!sc.steps[i].n_traffic)
				abort();
			if (sc.steps[i].metrics.enabled && (!sc.steps[i].metrics.profile || !sc.steps[i].metrics.name ||
							    !sc.steps[i].metrics.scrape))
				abort();
			for (size_t j = 0; j < sc.steps[i].n_traffic; j++) {
				const struct sc_traffic *t = &sc.steps[i].traffic[j];

				if (!t->from || !t->to || (!t->count && !t->duration_ns) || !t->port || !t->body ||
				    (!sc_traffic_asserts(t) && !sc.steps[i].metrics.enabled))
					abort();
			}
		}
	}
	scenario_free(&sc);
	unlink(path);
	return 0;
}
