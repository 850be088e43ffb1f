/* load_files.c - gw_load_files(): both models from files, for commands that need valid sets. */
#include <errno.h>
#include <string.h>

#include "gateway/gateway.h"
#include "util/log.h"

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
	smi_set_print_first_error(set);
	smi_set_free(set);
	gw_set_free(*gw);
	*gw = NULL;
	return NULL;
}
