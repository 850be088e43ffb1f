/* fuzz_prom - the exposition parser never crashes, and what it accepts keeps its invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/prom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prom_scrape *sc = NULL;
	char err[512];

	if (prom_parse((const char *)data, size, "fuzz", &sc, err, sizeof(err))) {
		if (sc || !strstr(err, "'fuzz': "))	/* a refusal says where, and returns nothing */
			abort();
		return 0;
	}
	for (size_t i = 0; i < sc->nsamples; i++) {
		const struct prom_sample *s = &sc->samples[i];

		/* series are unique, so each key finds exactly its own sample */
		if (prom_find_series(sc, s) != s || s->line < 1)
			abort();
		for (int j = 1; j < s->nlabels; j++)
			if (strcmp(s->labels[j - 1].name, s->labels[j].name) >= 0)
				abort();
		if (s->family >= (int)sc->nfamilies)
			abort();
		if (prom_sample_type(sc, s) == PROM_HISTOGRAM && strstr(s->name, "_bucket") &&
		    s->family >= 0 && strcmp(s->name, sc->families[s->family].name) && !prom_label(s, "le"))
			abort();
	}
	prom_scrape_free(sc);
	return 0;
}
