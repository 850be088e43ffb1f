/* load_files.c - gw_load_files(): both models from files, for commands that need valid sets. */
#include <errno.h>
#include <string.h>

#include "gateway/gateway.h"
#include "util/log.h"

/* Prints the first error of the set, as smi_load_files() does. */
static void print_first_error(const struct smi_set *set)
{
	char buf[1024];

	for (size_t i = 0; i < set->diags.n; i++) {
		const struct smi_diag *d = &set->diags.v[i];

		if (d->severity != SMI_ERROR)
			continue;
		if (set->diags.n_errors > 1)
			error("cannot load %s (and %zu more problem%s: run 'smi-witness lint' on the files)",
			      smi_diag_format(d, buf, sizeof(buf)), set->diags.n_errors - 1,
			      set->diags.n_errors > 2 ? "s" : "");
		else
			error("cannot load %s", smi_diag_format(d, buf, sizeof(buf)));
		return;
	}
}

struct smi_set *gw_load_files(const char *const *paths, size_t n, const struct smi_load_opts *opts,
			      struct gw_set **gw)
{
	struct smi_load_opts o = { 0 };
	struct smi_set *set = NULL;
	char buf[1024];

	if (opts)
		o = *opts;
	*gw = gw_set_new();
	if (*gw) {
		gw_attach(*gw, &o);
		set = smi_set_new(&o);
	}
	if (!set) {
		gw_set_free(*gw);
		*gw = NULL;
		error("cannot load SMI objects and routes: %s", strerror(ENOMEM));
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		smi_set_load_file(set, paths[i]);
	smi_set_finish(set);
	gw_set_finish(*gw, set);
	if (!set->diags.n_errors) {
		for (size_t i = 0; i < set->diags.n; i++)
			pr_warn("%s", smi_diag_format(&set->diags.v[i], buf, sizeof(buf)));
		return set;
	}
	print_first_error(set);
	smi_set_free(set);
	gw_set_free(*gw);
	*gw = NULL;
	return NULL;
}
