/* fuzz_records - the observation reader on arbitrary bytes: never crashes, and what it keeps is sane. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"
#include "verify/obs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct obs_set s = { 0 };
	FILE *f;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/fuzz_records.%d", (int)getpid());
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
	if (obs_read(&s, path) == 0) {
		/* A successful read has a meta record, and a torn file has no end record after it. */
		if (!s.have_meta)
			abort();
		for (size_t i = 0; i < s.n_ex; i++)
			if (!s.ex[i].request_id || !s.ex[i].pod)
				abort();
	}
	obs_read_intents(&s, path);
	obs_free(&s);
	unlink(path);
	return 0;
}
