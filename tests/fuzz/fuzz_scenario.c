/*
 * fuzz_scenario - the scenario loader on arbitrary YAML: never crashes; a
 * loaded scenario is complete.
 *
 * The input is written into a directory of its own where `manifests` leads
 * to the shipped specs/manifests (when the fuzzer runs from the source
 * tree), so the suites in the corpus load their manifests for real and the
 * fuzzer reaches the SMI loading and policy paths behind `apply`/`delete`.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/policy.h"
#include "scenario/scenario.h"
#include "util/log.h"

static char path[PATH_MAX], dir[64];

/* Links every entry of `from` (relative to the working directory) into `to`. */
static void link_entries(const char *from, const char *to)
{
	char cwd[PATH_MAX / 2], target[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(from);

	if (!d || !getcwd(cwd, sizeof(cwd))) {
		if (d)
			closedir(d);
		return;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(target, sizeof(target), "%s/%s/%.200s", cwd, from, e->d_name);
			snprintf(link, sizeof(link), "%s/%.200s", to, e->d_name);
			if (symlink(target, link) && errno != EEXIST)
				break;
		}
	closedir(d);
}

static int remove_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(p) && errno != ENOENT;
}

/* At exit: the directory and its links go (the linked files stay). */
static void remove_dir(void)
{
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void make_dir(void)
{
	char manifests[96];

	snprintf(dir, sizeof(dir), "/tmp/fuzz_scenario.%d", (int)getpid());
	snprintf(manifests, sizeof(manifests), "%s/manifests", dir);
	mkdir(dir, 0700);
	mkdir(manifests, 0700);
	/* The shipped suites' manifests and the verifier fixtures' ones, side by side. */
	link_entries("specs/manifests", manifests);
	link_entries("tests/fixtures/verify/manifests", manifests);
	snprintf(path, sizeof(path), "%s/scenario.yaml", dir);
	atexit(remove_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario sc;
	struct policy pol = { 0 };
	FILE *f;

	if (!path[0]) {
		make_dir();
		/*
		 * Errors and warnings are expected by the thousand: errors go out as
		 * JSON on stdout, both to /dev/null; sanitizer reports use fd 2 anyway.
		 */
		log_json = true;
		stderr = fopen("/dev/null", "w");
		if (!stderr || !freopen("/dev/null", "w", stdout))
			abort();
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
		/* The policy in force at each step, as the runner and verifier build it. */
		if (policy_build(&pol, &sc) == 0 && !pol.sets)
			abort();
		policy_free(&pol);
	}
	scenario_free(&sc);
	return 0;
}
