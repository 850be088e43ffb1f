/* suites.c - see suites.h */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/matrix.h"
#include "report/outdir.h"
#include "report/writers.h"
#include "run/runner.h"
#include "run/suites.h"
#include "util/exitcode.h"
#include "util/file.h"
#include "util/log.h"
#include "util/term.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Length of a directory name without its trailing slashes ("/" stays "/"). */
static size_t dir_len(const char *d)
{
	size_t n = strlen(d);

	while (n > 1 && d[n - 1] == '/')
		n--;
	return n;
}

/*
 * A suite not found as given may be a shipped one: "specs/traffic-split.yaml"
 * or "specs/" outside the source tree (an installed smi-witness), or a bare
 * "traffic-split". Returns the path to use (suite itself, or buf).
 */
static const char *find_suite(const char *suite, char *buf, size_t len)
{
	char rel[PATH_MAX];
	int n = (int)dir_len(suite);

	if (!access(suite, F_OK))
		return suite;
	if (!strncmp(suite, "specs", 5) && (suite[5] == '/' || !suite[5]) &&
	    !path_fmt(rel, sizeof(rel), "%.*s", n, suite) && !file_data_path(rel, buf, len))
		return buf;
	if (!strchr(suite, '/') && !path_fmt(rel, sizeof(rel), "specs/%s.yaml", suite) &&
	    !file_data_path(rel, buf, len))
		return buf;
	return suite;
}

int run_expand_suites(char *const *suites, size_t n_suites, char **files, size_t *n)
{
	size_t first = *n;

	for (size_t i = 0; i < n_suites; i++) {
		char pat[PATH_MAX], found[PATH_MAX];
		const char *suite = find_suite(suites[i], found, sizeof(found));
		struct stat st;
		glob_t g;

		if (stat(suite, &st)) {
			error_errno(errno, "cannot read suite '%s' ('smi-witness run --list' shows the shipped ones)",
				    suites[i]);
			return EXIT_USAGE;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (*n == RUN_MAX_SCENARIOS)
				goto too_many;
			files[(*n)++] = strdup(suite);
			continue;
		}
		/* "specs/" and "specs" name the same suite: no "specs//x.yaml" in paths. */
		if (path_fmt(pat, sizeof(pat), "%.*s/*.yaml", (int)dir_len(suite), suite) ||
		    glob(pat, 0, NULL, &g) || !g.gl_pathc) {
			error("suite directory '%s' holds no *.yaml scenario", suites[i]);
			return EXIT_USAGE;
		}
		qsort(g.gl_pathv, g.gl_pathc, sizeof(*g.gl_pathv), by_name);
		for (size_t k = 0; k < g.gl_pathc; k++) {
			if (*n == RUN_MAX_SCENARIOS) {
				globfree(&g);
				goto too_many;
			}
			files[(*n)++] = strdup(g.gl_pathv[k]);
		}
		globfree(&g);
	}
	for (size_t i = first; i < *n; i++)
		if (!files[i])
			return EXIT_ERROR;
	return 0;
too_many:
	error("at most %d scenarios in one run", RUN_MAX_SCENARIOS);
	return EXIT_USAGE;
}

/* Every report.json under OUT/<mesh>/ so far, as one matrix. */
static void write_matrix(const char *out)
{
	struct report *reps;
	struct matrix m;
	char pat[PATH_MAX];
	size_t n = 0;
	glob_t g;

	if (path_fmt(pat, sizeof(pat), "%s/*/report.json", out) || glob(pat, 0, NULL, &g))
		return;
	reps = calloc(g.gl_pathc, sizeof(*reps));
	for (size_t i = 0; reps && i < g.gl_pathc; i++)
		if (!report_load(&reps[n], g.gl_pathv[i]))
			n++;
	if (reps && !matrix_build(&m, reps, n)) {
		if (!matrix_write_dir(&m, out))
			pr_info("compatibility matrix: %s/matrix.html (and matrix.md) over %zu mesh result(s)", out, n);
		matrix_free(&m);
	}
	for (size_t i = 0; i < n; i++)
		report_free(&reps[i]);
	free(reps);
	globfree(&g);
}

/*
 * Loads the scenario again by its absolute path, once it has been checked
 * under the name it was given (whose messages the user recognises): the
 * reports then name it, and every file it refers to, as replay.sh gives
 * them from any directory. Returns 0 or an exit code.
 */
static int load_absolute(struct run_scenario *s, const char *file, const char *ns)
{
	s->abs_path = realpath(file, NULL);
	if (!s->abs_path) {
		error_errno(errno, "cannot resolve '%s'", file);
		return EXIT_ERROR;
	}
	policy_free(&s->pol);
	scenario_free(&s->sc);
	if (scenario_load_in(&s->sc, s->abs_path, ns) || policy_build(&s->pol, &s->sc))
		return EXIT_USAGE;
	return 0;
}

int run_load_scenarios(char *const *files, size_t n, const char *ns, struct target *t, struct run_scenario **out)
{
	struct run_scenario *s = calloc(n + 1, sizeof(*s));
	int r = 0;

	*out = s;
	if (!s)
		return EXIT_ERROR;
	for (size_t i = 0; i < n && !r; i++) {
		if (scenario_load_in(&s[i].sc, files[i], ns) || policy_build(&s[i].pol, &s[i].sc)) {
			r = EXIT_USAGE;
			break;
		}
		for (size_t k = 0; k < i; k++)
			if (!strcmp(s[k].sc.name, s[i].sc.name)) {
				error("'%s': name: scenario '%s' is also the name of '%s': each needs its own output "
				      "directory", files[i], s[i].sc.name, files[k]);
				r = EXIT_USAGE;
			}
		if (!r && t->ops->check)
			r = t->ops->check(t, &s[i].sc, &s[i].pol);
		if (!r)
			r = load_absolute(&s[i], files[i], ns);
	}
	return r;
}

void run_scenarios_free(struct run_scenario *s, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++) {
		policy_free(&s[i].pol);
		scenario_free(&s[i].sc);
		free(s[i].abs_path);
	}
	free(s);
}

int run_check_out(const char *out, const char *mesh)
{
	char path[PATH_MAX], where[PATH_MAX];
	int r;

	if (path_fmt(path, sizeof(path), "%s/%s", out, mesh)) {
		error("--out: '%s' is too long", out);
		return EXIT_USAGE;
	}
	r = file_dir_writable(path, where, sizeof(where));
	if (r == -ENOTDIR)
		error("--out: '%s' is not a directory (results go to '%s/')", where, path);
	else if (r)
		error("--out: cannot write in '%s': %s (results go to '%s/')", where, strerror(-r), path);
	return r ? EXIT_USAGE : 0;
}

static int run_all(const struct run_config *c, struct run_scenario *s, size_t n, struct report *all)
{
	struct target *t = c->target;
	struct runner rn = { .target = t, .mesh = c->mesh, .api = c->api, .gw_api = c->gw_api, .protocol = c->protocol, .ns = c->ns,
			     .all = all, .stop = c->stop };
	char dir[PATH_MAX];
	int r = 0;

	/* Absolute: the reports and replay.sh name the files so, wherever they are read from. */
	if (path_fmt(dir, sizeof(dir), "%s/%s", c->out, c->mesh) || mkdir_p(dir) || !realpath(dir, rn.out)) {
		error_errno(errno, "cannot create the output directory '%s/%s'", c->out, c->mesh);
		return EXIT_ERROR;
	}
	for (size_t i = 0; i < n && !r && !*c->stop; i++)
		r = runner_scenario(&rn, &s[i].sc, &s[i].pol, i + 1, n);
	if (*c->stop)
		pr_warn("interrupted: the scenarios not run have no verdicts");
	if (!c->keep) {
		char log[PATH_MAX];

		if (path_fmt(log, sizeof(log), "%s/%s", rn.out, t->log_name))
			error("output directory '%s' is too long", rn.out);
		else
			t->ops->teardown(t, log);
	}
	if (!r && report_write_dir(all, rn.out))
		r = EXIT_ERROR;
	return r;
}

int run_suites(const struct run_config *c, struct run_scenario *s, size_t n)
{
	struct report all;
	int r;

	if (report_init(&all, c->mesh))
		return EXIT_ERROR;
	r = run_all(c, s, n, &all);
	if (!r) {
		if (log_json)
			report_write_json(stdout, &all);
		else
			report_write_table(stdout, &all, &(struct table_opts){ .color = term_use_color(stdout),
				.failures_only = log_quiet, .width = term_columns(stdout) });
		fflush(stdout);
		write_matrix(c->out);
		pr_info("reports: %s/%s/report.json, junit.xml, meshery.json, charts/", c->out, c->mesh);
		r = report_exit_code(&all);
	}
	report_free(&all);
	return r;
}
