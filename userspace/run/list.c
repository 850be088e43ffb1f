/* list.c - see list.h */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/list.h"
#include "run/suites.h"
#include "scenario/scenario.h"
#include "util/exitcode.h"
#include "util/file.h"
#include "util/log.h"
#include "util/term.h"

/* Traffic entries that make assertions (a metrics step makes one more). */
static size_t checks_of(const struct scenario *sc)
{
	size_t n = 0;

	for (size_t i = 0; i < sc->n_steps; i++) {
		for (size_t j = 0; j < sc->steps[i].n_traffic; j++)
			n += sc_traffic_asserts(&sc->steps[i].traffic[j]);
		n += sc->steps[i].metrics.enabled;
	}
	return n;
}

/* One table line, the description cut to what is left of the line. */
static void print_line(const char *file, const struct scenario *sc, int wf, int width)
{
	int used = printf("%-*s  %-15s  %5zu  %6zu  ", wf, file, sc->smispec, sc->n_steps, checks_of(sc));
	int room = width - used, len = (int)strlen(sc->description);

	if (len <= room)
		printf("%s\n", sc->description);
	else if (room > 3)
		printf("%.*s...\n", room - 3, sc->description);
	else
		putchar('\n');
}

static json_t *json_line(const char *file, const struct scenario *sc)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "file", file, "name", sc->name, "smispec", sc->smispec,
			 "steps", (json_int_t)sc->n_steps, "checks", (json_int_t)checks_of(sc),
			 "description", sc->description);
}

/*
 * How to name a listed file: as specs/... when it is a shipped one (run
 * finds those by that name wherever it runs), else relative to the working
 * directory when below it, else as it is.
 */
static const char *shown(const char *path, const char *cwd, const char *shipped, char *buf, size_t len)
{
	size_t n = strlen(cwd), k = strlen(shipped);

	if (*shipped && !strncmp(path, shipped, k) && path[k] == '/') {
		snprintf(buf, len, "specs%s", path + k);
		return buf;
	}
	if (*cwd && !strncmp(path, cwd, n) && path[n] == '/')
		return path + n + 1;
	return path;
}

int run_list_suites(char *const *suites, size_t n_suites)
{
	char *files[RUN_MAX_SCENARIOS], shipped[PATH_MAX], cwd[PATH_MAX], name[PATH_MAX];
	char *dflt[1] = { "specs" };
	json_t *doc = log_json ? json_array() : NULL;
	size_t n = 0;
	int r, wf = 4, bad = 0;

	if (file_data_path("specs", shipped, sizeof(shipped)))
		shipped[0] = '\0';
	if (!n_suites) {
		suites = dflt;
		n_suites = 1;
	}
	if ((r = run_expand_suites(suites, n_suites, files, &n)))
		return r;
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(shown(files[i], cwd, shipped, name, sizeof(name))) > wf)
			wf = (int)strlen(shown(files[i], cwd, shipped, name, sizeof(name)));
	if (!doc)
		printf("%-*s  %-15s  %5s  %6s  %s\n", wf, "FILE", "SMI SPEC", "STEPS", "CHECKS", "DESCRIPTION");
	for (size_t i = 0; i < n; i++) {
		const char *file = shown(files[i], cwd, shipped, name, sizeof(name));
		struct scenario sc;

		memset(&sc, 0, sizeof(sc));
		if (scenario_load(&sc, files[i]))
			bad = 1;
		else if (doc)
			json_array_append_new(doc, json_line(file, &sc));
		else
			print_line(file, &sc, wf, term_columns(stdout));
		scenario_free(&sc);
		free(files[i]);
	}
	if (doc) {
		json_t *top = json_pack("{s:o}", "scenarios", doc);

		json_dumpf(top, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(top);
	}
	return bad ? EXIT_USAGE : EXIT_OK;
}
