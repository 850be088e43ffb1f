/* edge.c - see edge.h */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "metrics/edge.h"

char *mx_endpoint_str(const struct mx_endpoint *e, char *buf, size_t len)
{
	if (e->ns[0])
		snprintf(buf, len, "%s/%s", e->ns, e->name);
	else
		snprintf(buf, len, "%s", e->name);
	return buf;
}

int mx_endpoint_parse(const char *s, struct mx_endpoint *e)
{
	const char *slash = strchr(s, '/');

	memset(e, 0, sizeof(*e));
	if (!*s || (slash && strchr(slash + 1, '/')))
		return -EINVAL;
	if (slash) {
		if (slash == s || !slash[1] || (size_t)(slash - s) >= sizeof(e->ns) ||
		    strlen(slash + 1) >= sizeof(e->name))
			return -EINVAL;
		memcpy(e->ns, s, (size_t)(slash - s));
		strcpy(e->name, slash + 1);
		return 0;
	}
	if (strlen(s) >= sizeof(e->name))
		return -EINVAL;
	strcpy(e->name, s);
	return 0;
}

int mx_edge_parse(const struct profile *p, const char *spec, struct mx_endpoint *s, struct mx_endpoint *d,
		  char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	char src[400];

	if (!eq || (size_t)(eq - spec) >= sizeof(src)) {
		snprintf(err, errlen, "edge '%s': expected SRC=DST", spec);
		return -EINVAL;
	}
	snprintf(src, sizeof(src), "%.*s", (int)(eq - spec), spec);
	if (mx_endpoint_parse(src, s) || mx_endpoint_parse(eq + 1, d)) {
		snprintf(err, errlen, "edge '%s': ends are NAME, NAMESPACE/NAME or *", spec);
		return -EINVAL;
	}
	if ((p->src.any && strcmp(s->name, "*")) || (p->dst.any && strcmp(d->name, "*"))) {
		snprintf(err, errlen, "edge '%s': profile '%s' does not tell %s apart; use '*' there",
			 spec, p->name, p->src.any ? "sources" : "destinations");
		return -EINVAL;
	}
	mx_project(&p->src, s);
	mx_project(&p->dst, d);
	return 0;
}

bool mx_endpoint_eq(const struct mx_endpoint *a, const struct mx_endpoint *b)
{
	return !strcmp(a->ns, b->ns) && !strcmp(a->name, b->name);
}

/* Kubernetes generates name suffixes from this alphabet: no vowels, no look-alikes. */
static bool safe_suffix(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("bcdfghjklmnpqrstvwxz2456789", s[i]))
			return false;
	return true;
}

void mx_workload_of_pod(const char *pod, char *buf, size_t len)
{
	size_t n = strlen(pod), keep = n;
	const char *last = strrchr(pod, '-');

	if (last && n - (size_t)(last - pod) - 1 == 5 && safe_suffix(last + 1, 5) && last > pod) {
		const char *prev = last - 1;

		keep = (size_t)(last - pod);
		while (prev > pod && *prev != '-')
			prev--;
		/* Deployment pods: "<name>-<6..10 char template hash>-<5 chars>" */
		if (*prev == '-' && last - prev - 1 >= 6 && last - prev - 1 <= 10 &&
		    safe_suffix(prev + 1, (size_t)(last - prev - 1)) && prev > pod)
			keep = (size_t)(prev - pod);
	}
	snprintf(buf, len, "%.*s", (int)keep, pod);
}

void mx_service_of_host(const char *host, struct mx_endpoint *e)
{
	size_t n = strcspn(host, ":");
	const char *dot;

	memset(e, 0, sizeof(*e));
	if (host[0] == '[' || n == 0) {	/* an IPv6 literal or nothing: no service */
		snprintf(e->name, sizeof(e->name), "?");
		return;
	}
	dot = memchr(host, '.', n);
	if (!dot) {
		snprintf(e->name, sizeof(e->name), "%.*s", (int)n, host);
		return;
	}
	if (strspn(host, "0123456789.") >= n) {	/* an IPv4 literal */
		snprintf(e->name, sizeof(e->name), "?");
		return;
	}
	snprintf(e->name, sizeof(e->name), "%.*s", (int)(dot - host), host);
	snprintf(e->ns, sizeof(e->ns), "%.*s", (int)strcspn(dot + 1, ".:"), dot + 1);
}

void mx_underscores(char *s)
{
	for (; *s; s++)
		if (*s == '-' || *s == '.')
			*s = '_';
}

bool mx_ep_gives_namespace(const struct ep_spec *ep)
{
	for (size_t i = 0; i < ep->nre; i++)
		if (pcre2_substring_number_from_name(ep->re[i], (PCRE2_SPTR)"namespace") >= 0)
			return true;
	return ep->ns_label || ep->fallback_scrape;
}

bool mx_endpoint_outside(const struct mx_endpoint *e)
{
	return !strcmp(e->name, MX_OUTSIDE);
}

void mx_project(const struct ep_spec *ep, struct mx_endpoint *e)
{
	if (ep->any) {
		strcpy(e->name, "*");
		e->ns[0] = '\0';
		return;
	}
	if (!mx_ep_gives_namespace(ep))
		e->ns[0] = '\0';
	if (ep->underscores) {
		mx_underscores(e->name);
		mx_underscores(e->ns);
	}
}
