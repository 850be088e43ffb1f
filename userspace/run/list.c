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

/* One table line after `indent`; the description wraps in its column, within width. */
static void print_line(FILE *f, int indent, const char *file, const struct scenario *sc, int wf, int width)
{
	int used = fprintf(f, "%*s%-*s  %-15s  %5zu  %6zu", indent, "", wf, file, sc->smispec, sc->n_steps,
			   checks_of(sc));

	/* Long file names leave the description no room: it goes below, indented. */
	if (width - used - 2 < 30)
		used = fprintf(f, "\n%*s", indent + 4, "") - 1;
	else
		used += fprintf(f, "  ");
	term_put_wrapped(f, sc->description, used, width - used);
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

/*
 * The scenarios of files[0..n-1] (each freed here) as a table after
 * `indent` spaces, or into doc when given. Returns 1 when one was invalid
 * (said on stderr), else 0.
 */
static int write_list(FILE *f, int indent, char **files, size_t n, json_t *doc)
{
	char shipped[PATH_MAX], cwd[PATH_MAX], name[PATH_MAX];
	int wf = 4, bad = 0;

	if (file_data_path("specs", shipped, sizeof(shipped)))
		shipped[0] = '\0';
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(shown(files[i], cwd, shipped, name, sizeof(name))) > wf)
			wf = (int)strlen(shown(files[i], cwd, shipped, name, sizeof(name)));
	if (!doc)
		fprintf(f, "%*s%-*s  %-15s  %5s  %6s  %s\n", indent, "", wf, "FILE", "SMI SPEC", "STEPS", "CHECKS",
			"DESCRIPTION");
	for (size_t i = 0; i < n; i++) {
		const char *file = shown(files[i], cwd, shipped, name, sizeof(name));
		struct scenario sc;

		memset(&sc, 0, sizeof(sc));
		if (scenario_load(&sc, files[i]))
			bad = 1;
		else if (doc)
			json_array_append_new(doc, json_line(file, &sc));
		else
			print_line(f, indent, file, &sc, wf, term_columns(f));
		scenario_free(&sc);
		free(files[i]);
	}
	return bad;
}

int run_list_suites(char *const *suites, size_t n_suites)
{
	char *files[RUN_MAX_SCENARIOS];
	char *dflt[1] = { "specs" };
	json_t *doc = log_json ? json_array() : NULL;
	size_t n = 0;
	int r, bad;

	if (!n_suites) {
		suites = dflt;
		n_suites = 1;
	}
	if ((r = run_expand_suites(suites, n_suites, files, &n))) {
		json_decref(doc);
		return r;
	}
	bad = write_list(stdout, 0, files, n, doc);
	if (doc) {
		json_t *top = json_pack("{s:o}", "scenarios", doc);

		json_dumpf(top, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(top);
	}
	return bad ? EXIT_USAGE : EXIT_OK;
}

void run_help_suites(FILE *f)
{
	char *files[RUN_MAX_SCENARIOS], *dflt[1] = { "specs" }, where[PATH_MAX];
	size_t n = 0;

	fputs("\nShipped suites (give a FILE as shown, from any directory; specs/ runs them all):\n", f);
	if (file_data_path("specs", where, sizeof(where)) || run_expand_suites(dflt, 1, files, &n)) {
		fprintf(f, "  none found (looked for '%s')\n", where);
		return;
	}
	write_list(f, 2, files, n, NULL);
}
