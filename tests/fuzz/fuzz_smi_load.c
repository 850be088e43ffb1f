/*
 * fuzz_smi_load - the SMI loader on arbitrary bytes: never crashes, never
 * leaks, and keeps its contract: every error is counted, an invalid set has
 * errors, and whatever loads renders in its own version and loads back the
 * same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "smi/smi.h"

static char *json_of(const struct smi_set *set)
{
	json_t *a = smi_set_json(set, false);
	char *s;

	s = json_dumps(a, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(a);
	return s;
}

/* The peer an identity names: its service account, or a binding's labels and SPIFFE id. */
static struct smi_peer peer_of(const struct smi_identity *id)
{
	const struct smi_identity_binding *b = id->binding;
	struct smi_peer p = { id->name, id->namespace, NULL, 0, NULL };

	if (b) {
		p.service_account = b->service_account ? b->service_account : "none";
		p.spiffe_id = b->n_spiffe ? b->spiffe[0] : NULL;
		p.n_labels = b->n_match_labels;
		p.labels = b->match_labels;
	}
	return p;
}

/*
 * Every source of every target (and a stranger) against its destination,
 * with a few requests and the routes' own header filters, over HTTP and
 * TCP; then the split lookup of every apex. A decision must always say why.
 */
static void decide_all(const struct smi_set *set)
{
	static const char *const methods[] = { "GET", "POST", "DELETE" };
	static const char *const paths[] = { "/", "/metrics", "/echo?x=1" };
	struct smi_peer stranger = { "stranger", "elsewhere", NULL, 0, NULL };
	struct smi_header hdr[2] = { { "x-canary", "1" }, { "user-agent", "fuzz" } };
	struct smi_access_result r;
	struct smi_split_result s;

	for (size_t t = 0; t < set->n_targets && t < 8; t++) {
		const struct smi_traffic_target *tt = set->targets[t];
		struct smi_peer dst = peer_of(&tt->destination);
		uint16_t port = tt->port ? tt->port : 9091;

		for (size_t k = 0; k <= tt->n_sources && k < 4; k++) {
			struct smi_peer src = k < tt->n_sources ? peer_of(&tt->sources[k]) : stranger;

			for (size_t m = 0; m < 3; m++) {
				struct smi_http_request req = { methods[m], paths[m], m, hdr };

				if (smi_access_http(set, &src, &dst, port, &req, &r) ||
				    (r.verdict == SMI_ALLOW && (!r.target || !r.rule)))
					abort();
			}
			if (smi_access_l4(set, &src, &dst, port, SMI_PROTO_TCP, &r))
				abort();
		}
	}
	for (size_t i = 0; i < set->n_splits && i < 8; i++)
		for (size_t m = 0; m < 3; m++) {
			struct smi_http_request req = { methods[m], paths[m], m, hdr };

			smi_split_lookup(set, set->splits[i]->meta.namespace, set->splits[i]->service, &req, &s);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smi_load_opts opts = { .default_version = { 2, 3, 4, 1 } };
	struct smi_set *set = smi_set_new(&opts), *back;
	size_t errors = 0;
	char *yaml = NULL, err[512], *a, *b;
	size_t len = 0;
	FILE *f;

	if (!set)
		return 0;
	smi_set_load_buffer(set, "fuzz.yaml", (const char *)data, size);
	smi_set_finish(set);
	for (size_t i = 0; i < set->diags.n; i++) {
		char buf[1024];

		errors += set->diags.v[i].severity == SMI_ERROR;
		smi_diag_format(&set->diags.v[i], buf, sizeof(buf));
	}
	if (errors != set->diags.n_errors)
		abort();
	/* A valid set: its objects decide, render and reload to the same model. */
	if (!errors) {
		decide_all(set);
		f = open_memstream(&yaml, &len);
		if (!f)
			abort();
		if (smi_render_set(set, NULL, f, err, sizeof(err)))
			abort();
		fclose(f);
		back = smi_set_new(&opts);
		smi_set_load_buffer(back, "back.yaml", yaml, len);
		smi_set_finish(back);
		a = json_of(set);
		b = json_of(back);
		if (back->diags.n_errors || strcmp(a, b)) {
			fprintf(stderr, "round trip differs:\n%s\n%s\n%s\n", yaml, a, b);
			abort();
		}
		free(a);
		free(b);
		free(yaml);
		smi_set_free(back);
	}
	smi_set_free(set);
	return 0;
}
