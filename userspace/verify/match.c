/* match.c - see match.h */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "scenario/reqid.h"
#include "util/log.h"
#include "verify/match.h"
#include "verify/requests.h"

/* "r1, r2, r3" into buf. */
static void join(char **v, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", v[i]);
}

/* The run to compare: the one asked for (it must be there), or the only one; "" when several. */
static int pick(const struct verify_input *in, char *run, size_t len)
{
	char **runs = NULL, list[512];
	int n = vindex_runs(in->obs, &runs), found = 0;

	if (n < 0)
		return n;
	run[0] = '\0';
	for (int i = 0; in->run && i < n; i++)
		found |= !strcmp(runs[i], in->run);
	join(runs, n, list, sizeof(list));
	if (in->run && !found) {
		if (n)
			error("no such run '%s' in '%s' (runs present: %s)", in->run, in->obs->path, list);
		else
			error("no such run '%s' in '%s': it holds no request of the scenario runner "
			      "(ids RUN.STEP.TRAFFIC-SEQ)", in->run, in->obs->path);
	} else if (in->run || n == 1) {
		snprintf(run, len, "%s", in->run ? in->run : runs[0]);
	}
	vindex_runs_free(runs, (size_t)(n > 0 ? n : 0));
	return in->run && !found ? -EINVAL : 0;
}

/* The host and the path of "http://HOST[:PORT]/PATH". */
static void split_url(const char *url, char *host, size_t hlen, const char **path)
{
	const char *h = strstr(url, "://"), *end;

	h = h ? h + 3 : url;
	end = h + strcspn(h, ":/");
	snprintf(host, hlen, "%.*s", (int)(end - h), h);
	*path = strchr(h, '/');
	if (!*path)
		*path = "/";
}

/*
 * Whether `host` names the entry's service: its name (the runner sends
 * "name.namespace"), or the service's address in the inventory (a driver
 * given the address). Another address cannot be told: it is not held
 * against the records.
 */
static bool host_is_service(const char *host, const struct sc_traffic *t, const struct inventory *inv)
{
	const struct inv_service *svc;
	struct in_addr a;
	size_t n = strcspn(host, ".");

	if (inet_pton(AF_INET, host, &a) != 1)
		return n == strlen(t->to) && !strncmp(host, t->to, n);
	svc = inv ? inventory_service(inv, t->to_ns, t->to) : NULL;
	return !svc || !svc->ip || !*svc->ip || !strcmp(svc->ip, host);
}

int verify_check_match(const struct verify_input *in, char *run, size_t len)
{
	const struct scenario *sc = in->sc;
	char host[256];
	struct reqid ok = { .step = 0 };	/* the entry of the last intent found to fit, */
	const char *ok_method = NULL, *ok_url = NULL;	/* and its method and URL */
	int r;

	run[0] = '\0';
	r = pick(in, run, len);
	if (r || !*run)
		return r;
	for (size_t i = 0; i < in->obs->n_intents; i++) {
		const struct obs_intent *it = &in->obs->intents[i];
		const struct sc_traffic *t;
		const char *path;
		struct reqid id;

		if (reqid_parse(it->request_id, &id) || strcmp(id.run, run))
			continue;
		/*
		 * An entry's intents share their method and URL strings (the
		 * reader keeps one copy of each): the same strings for the same
		 * entry fit as the last one did.
		 */
		if (it->method == ok_method && it->url == ok_url && id.step == ok.step && id.traffic == ok.traffic)
			continue;
		if (id.step < 1 || id.step > sc->n_steps || id.traffic < 1 ||
		    id.traffic > sc->steps[id.step - 1].n_traffic) {
			error("the records were not made by scenario '%s' ('%s'): run %s sent traffic as step %u "
			      "entry %u (%s %s), which it does not have", sc->name, sc->path, run, id.step, id.traffic,
			      it->method, it->url);
			return -EINVAL;
		}
		t = &sc->steps[id.step - 1].traffic[id.traffic - 1];
		split_url(it->url, host, sizeof(host), &path);
		if (strcmp(it->method, t->method) || !host_is_service(host, t, in->inv) || strcmp(path, t->path)) {
			error("the records were not made by scenario '%s' ('%s'): its step %u entry '%s' sends %s %s %s, "
			      "run %s sent %s %s there", sc->name, sc->path, id.step, t->name, t->method, t->to, t->path,
			      run, it->method, it->url);
			return -EINVAL;
		}
		ok = id;
		ok_method = it->method;
		ok_url = it->url;
	}
	return 0;
}
