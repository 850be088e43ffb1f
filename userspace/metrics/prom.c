/* prom.c - see prom.h. Text format 0.0.4, plus the OpenMetrics bits meshes emit. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/prom.h"
#include "util/array.h"

struct parser {
	const char *src;		/* source name, for messages */
	int line;
	char *err;
	size_t errlen;
	struct prom_scrape *sc;
	size_t cap_samples, cap_families;
	int last_family;		/* cache: consecutive samples share a family */
};

static const char *const type_names[] = {
	[PROM_UNTYPED] = "untyped", [PROM_COUNTER] = "counter", [PROM_GAUGE] = "gauge",
	[PROM_HISTOGRAM] = "histogram", [PROM_SUMMARY] = "summary", [PROM_INFO] = "info",
	[PROM_STATESET] = "stateset", [PROM_GAUGEHISTOGRAM] = "gaugehistogram",
};

const char *prom_type_name(enum prom_type t)
{
	return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "?";
}

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *ps, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(ps->err, ps->errlen, "'%s': line %d: ", ps->src, ps->line);
	if (n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

static bool name_start(char c, bool colon)
{
	return isalpha((unsigned char)c) || c == '_' || (colon && c == ':');
}

static bool name_char(char c, bool colon)
{
	return isalnum((unsigned char)c) || c == '_' || (colon && c == ':');
}

/* Metric names allow ':', label names do not. Returns the end of the name or p. */
static const char *scan_name(const char *p, const char *end, bool colon)
{
	if (p >= end || !name_start(*p, colon))
		return p;
	while (p < end && name_char(*p, colon))
		p++;
	return p;
}

static char *dup_range(const char *a, const char *b)
{
	return strndup(a, (size_t)(b - a));
}

/*
 * Numbers as Prometheus writes them: decimal floats, NaN, ±Inf. strtod alone
 * would also take hex, "infinity" and "nan(...)", which no exporter emits.
 */
int prom_parse_float(const char *s, size_t n, double *out)
{
	static const struct { const char *word; double v; } words[] = {
		{ "nan", NAN }, { "inf", INFINITY }, { "+inf", INFINITY }, { "-inf", -INFINITY },
	};
	char buf[64], *endp;
	bool digit = false;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (n == strlen(words[i].word) && !strncasecmp(s, words[i].word, n)) {
			*out = words[i].v;
			return 0;
		}
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digit = true;
		else if (!strchr(".eE+-", s[i]))
			return -EINVAL;
	}
	if (!digit)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, &endp);
	return *endp ? -EINVAL : 0;
}

static int parse_int64(const char *s, size_t n, int64_t *out)
{
	char buf[32], *endp;
	long long v;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(i == 0 && s[i] == '-' && n > 1))
			return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, &endp, 10);
	if (errno == ERANGE || *endp)
		return -ERANGE;
	*out = v;
	return 0;
}

static int find_family(const struct prom_scrape *sc, const char *name, size_t len)
{
	for (size_t i = 0; i < sc->nfamilies; i++)
		if (strlen(sc->families[i].name) == len && !memcmp(sc->families[i].name, name, len))
			return (int)i;
	return -1;
}

static int add_family(struct parser *ps, const char *name, size_t len)
{
	struct prom_scrape *sc = ps->sc;
	struct prom_family *f;

	if (array_reserve(&sc->families, &ps->cap_families, sc->nfamilies, sizeof(*sc->families), 32))
		return -ENOMEM;
	f = &sc->families[sc->nfamilies];
	memset(f, 0, sizeof(*f));
	f->name = strndup(name, len);
	if (!f->name)
		return -ENOMEM;
	f->line = ps->line;
	return (int)sc->nfamilies++;
}

/* The family a HELP/TYPE line names, created on first mention. */
static int family_for_meta(struct parser *ps, const char *name, size_t len)
{
	int i = find_family(ps->sc, name, len);

	return i >= 0 ? i : add_family(ps, name, len);
}

static const struct { const char *word; enum prom_type type; } type_words[] = {
	{ "counter", PROM_COUNTER }, { "gauge", PROM_GAUGE }, { "histogram", PROM_HISTOGRAM },
	{ "summary", PROM_SUMMARY }, { "untyped", PROM_UNTYPED }, { "unknown", PROM_UNTYPED },
	{ "info", PROM_INFO }, { "stateset", PROM_STATESET },
	{ "gaugehistogram", PROM_GAUGEHISTOGRAM },
};

static int parse_type(struct parser *ps, int fam, const char *p, const char *end)
{
	struct prom_family *f = &ps->sc->families[fam];
	const char *w = p;

	while (p < end && !is_blank(*p))
		p++;
	if (w == p)
		return fail(ps, "TYPE line for '%s' has no type", f->name);
	if (skip_blanks(p, end) != end)
		return fail(ps, "unexpected text after the type of '%s'", f->name);
	if (f->typed)
		return fail(ps, "second TYPE line for '%s' (first on line %d)", f->name, f->line);
	if (f->nsamples)
		return fail(ps, "TYPE line for '%s' after its samples", f->name);
	for (size_t i = 0; i < sizeof(type_words) / sizeof(type_words[0]); i++)
		if ((size_t)(p - w) == strlen(type_words[i].word) &&
		    !memcmp(w, type_words[i].word, (size_t)(p - w))) {
			f->type = type_words[i].type;
			f->typed = true;
			return 0;
		}
	return fail(ps, "unknown metric type '%.*s' for '%s'", (int)(p - w), w, f->name);
}

/* HELP text escapes only \\ and \n; anything else after a backslash is kept as is. */
static int parse_help(struct parser *ps, int fam, const char *p, const char *end)
{
	struct prom_family *f = &ps->sc->families[fam];
	char *out, *o;

	if (f->help)
		return fail(ps, "second HELP line for '%s'", f->name);
	out = o = malloc((size_t)(end - p) + 1);
	if (!out)
		return -ENOMEM;
	while (p < end) {
		if (*p == '\\' && p + 1 < end && (p[1] == '\\' || p[1] == 'n')) {
			*o++ = p[1] == 'n' ? '\n' : '\\';
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	f->help = out;
	return 0;
}

static int parse_comment(struct parser *ps, const char *p, const char *end)
{
	const char *w, *name, *name_end;
	bool help;
	int fam;

	p = skip_blanks(p + 1, end);
	w = p;
	while (p < end && !is_blank(*p))
		p++;
	if (p - w == 3 && !memcmp(w, "EOF", 3) && skip_blanks(p, end) == end) {
		ps->sc->eof_marker = true;
		return 1;
	}
	if (p - w != 4 || (memcmp(w, "HELP", 4) && memcmp(w, "TYPE", 4)) || p == end)
		return 0;	/* any other comment */
	help = !memcmp(w, "HELP", 4);
	name = skip_blanks(p, end);
	name_end = scan_name(name, end, true);
	if (name_end == name)
		return fail(ps, "%s line without a valid metric name", help ? "HELP" : "TYPE");
	if (name_end < end && !is_blank(*name_end))
		return fail(ps, "invalid character '%c' in metric name", *name_end);
	fam = family_for_meta(ps, name, (size_t)(name_end - name));
	if (fam < 0)
		return fam;
	p = name_end < end ? name_end + 1 : end;
	return help ? parse_help(ps, fam, p, end)
		    : parse_type(ps, fam, skip_blanks(p, end), end);
}

/* Reads a quoted label value at p (just past the opening quote) into a new string. */
static int parse_label_value(struct parser *ps, const char **pp, const char *end, char **out)
{
	const char *p = *pp;
	char *buf = malloc((size_t)(end - p) + 1), *o = buf;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (p >= end) {
			free(buf);
			return fail(ps, "label value not closed (missing '\"')");
		}
		if (*p == '"')
			break;
		if (*p == '\\') {
			char c = p + 1 < end ? p[1] : '\0';

			if (c != '\\' && c != '"' && c != 'n') {
				free(buf);
				if (!c)
					return fail(ps, "label value ends in a lone backslash");
				return fail(ps, "invalid escape '\\%c' in label value (only \\\\, \\\" and \\n)", c);
			}
			*o++ = c == 'n' ? '\n' : c;
			p += 2;
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	*pp = p + 1;
	*out = buf;
	return 0;
}

static int label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct prom_label *)a)->name, ((const struct prom_label *)b)->name);
}

static int add_label(struct prom_sample *s, char *name, char *value)
{
	void *p = realloc(s->labels, (size_t)(s->nlabels + 1) * sizeof(*s->labels));

	if (!p) {
		free(name);
		free(value);
		return -ENOMEM;
	}
	s->labels = p;
	s->labels[s->nlabels].name = name;
	s->labels[s->nlabels].value = value;
	s->nlabels++;
	return 0;
}

static int parse_labels(struct parser *ps, struct prom_sample *s, const char **pp, const char *end)
{
	const char *p = *pp + 1, *n, *ne;
	char *name, *value = NULL;
	int r;

	for (;;) {
		p = skip_blanks(p, end);
		if (p < end && *p == '}')
			break;
		n = p;
		ne = scan_name(n, end, false);
		if (ne == n) {
			if (p >= end)
				return fail(ps, "label set not closed (missing '}')");
			return fail(ps, "invalid label name starting at '%c'", *p);
		}
		p = skip_blanks(ne, end);
		if (p >= end || *p != '=')
			return fail(ps, "expected '=' after label name '%.*s'", (int)(ne - n), n);
		p = skip_blanks(p + 1, end);
		if (p >= end || *p != '"')
			return fail(ps, "label '%.*s': value must be in double quotes", (int)(ne - n), n);
		p++;
		r = parse_label_value(ps, &p, end, &value);
		if (r)
			return r;
		name = dup_range(n, ne);
		if (!name) {
			free(value);
			return -ENOMEM;
		}
		if (prom_label(s, name)) {
			r = fail(ps, "label '%s' given twice", name);
			free(name);
			free(value);
			return r;
		}
		r = add_label(s, name, value);
		if (r)
			return r;
		p = skip_blanks(p, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '}')
			break;
		if (p >= end)
			return fail(ps, "label set not closed (missing '}')");
		return fail(ps, "expected ',' or '}' after the value of label '%s'",
			    s->labels[s->nlabels - 1].name);
	}
	*pp = p + 1;
	if (s->nlabels > 1)
		qsort(s->labels, (size_t)s->nlabels, sizeof(*s->labels), label_cmp);
	return 0;
}

/* Suffixes a sample name may add to its family's name, and the family types that allow it. */
static const struct { const char *suffix; unsigned types; } suffixes[] = {
	{ "_bucket", 1u << PROM_HISTOGRAM | 1u << PROM_GAUGEHISTOGRAM },
	{ "_count", 1u << PROM_HISTOGRAM | 1u << PROM_SUMMARY },
	{ "_sum", 1u << PROM_HISTOGRAM | 1u << PROM_SUMMARY },
	{ "_created", 1u << PROM_COUNTER | 1u << PROM_HISTOGRAM | 1u << PROM_SUMMARY },
	{ "_total", 1u << PROM_COUNTER },
	{ "_info", 1u << PROM_INFO },
	{ "_gcount", 1u << PROM_GAUGEHISTOGRAM },
	{ "_gsum", 1u << PROM_GAUGEHISTOGRAM },
};

static bool family_matches(const struct prom_family *f, const char *name, size_t len)
{
	return strlen(f->name) == len && !memcmp(f->name, name, len);
}

static int resolve_family(struct parser *ps, const char *name)
{
	struct prom_scrape *sc = ps->sc;
	size_t len = strlen(name);
	int f;

	if (ps->last_family >= 0 && family_matches(&sc->families[ps->last_family], name, len))
		return ps->last_family;
	f = find_family(sc, name, len);
	if (f >= 0)
		return f;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t sl = strlen(suffixes[i].suffix);

		if (len <= sl || strcmp(name + len - sl, suffixes[i].suffix))
			continue;
		if (ps->last_family >= 0 &&
		    family_matches(&sc->families[ps->last_family], name, len - sl))
			f = ps->last_family;
		else
			f = find_family(sc, name, len - sl);
		if (f >= 0 && (suffixes[i].types & (1u << sc->families[f].type)))
			return f;
	}
	return -1;
}

static int check_sample(struct parser *ps, const struct prom_sample *s)
{
	const char *v, *need = NULL;
	enum prom_type t = prom_sample_type(ps->sc, s);
	size_t nl = strlen(s->name);
	double d;

	if ((t == PROM_HISTOGRAM || t == PROM_GAUGEHISTOGRAM) && nl > 7 &&
	    !strcmp(s->name + nl - 7, "_bucket"))
		need = "le";
	else if (t == PROM_SUMMARY && !strcmp(s->name, ps->sc->families[s->family].name))
		need = "quantile";
	if (!need)
		return 0;
	v = prom_label(s, need);
	if (!v)
		return fail(ps, "%s sample '%s' has no '%s' label", prom_type_name(t), s->name, need);
	if (prom_parse_float(v, strlen(v), &d) || isnan(d))
		return fail(ps, "label %s=\"%s\" of '%s' is not a number", need, v, s->name);
	return 0;
}

static int new_sample(struct parser *ps, struct prom_sample **out)
{
	struct prom_scrape *sc = ps->sc;

	if (array_reserve(&sc->samples, &ps->cap_samples, sc->nsamples, sizeof(*sc->samples), 256))
		return -ENOMEM;
	*out = &sc->samples[sc->nsamples++];
	memset(*out, 0, sizeof(**out));
	(*out)->line = ps->line;
	(*out)->family = -1;
	return 0;
}

/* Value, optional timestamp, optional OpenMetrics exemplar (`# {...} v`), which is skipped. */
static int parse_value_ts(struct parser *ps, struct prom_sample *s, const char *p, const char *end)
{
	const char *w;

	if (p >= end)
		return fail(ps, "sample '%s' has no value", s->name);
	w = p;
	while (p < end && !is_blank(*p))
		p++;
	if (prom_parse_float(w, (size_t)(p - w), &s->value))
		return fail(ps, "sample '%s': value '%.*s' is not a number", s->name, (int)(p - w), w);
	p = skip_blanks(p, end);
	if (p == end || *p == '#')
		return 0;
	w = p;
	while (p < end && !is_blank(*p))
		p++;
	if (parse_int64(w, (size_t)(p - w), &s->ts_ms))
		return fail(ps, "sample '%s': timestamp '%.*s' is not an integer of milliseconds",
			    s->name, (int)(p - w), w);
	s->has_ts = true;
	p = skip_blanks(p, end);
	if (p != end && *p != '#')
		return fail(ps, "sample '%s': unexpected text after the timestamp", s->name);
	return 0;
}

static int parse_sample(struct parser *ps, const char *p, const char *end)
{
	struct prom_sample *s;
	const char *ne = scan_name(p, end, true);
	int r;

	if (ne == p)
		return fail(ps, "expected a metric name, got '%c'", *p);
	r = new_sample(ps, &s);
	if (r)
		return r;
	s->name = dup_range(p, ne);
	if (!s->name)
		return -ENOMEM;
	p = skip_blanks(ne, end);
	if (p < end && *p == '{') {
		r = parse_labels(ps, s, &p, end);
		if (r)
			return r;
		if (p < end && !is_blank(*p))
			return fail(ps, "expected a blank before the value of '%s'", s->name);
	} else if (p == ne && p < end) {
		return fail(ps, "invalid character '%c' in metric name", *p);
	}
	r = parse_value_ts(ps, s, skip_blanks(p, end), end);
	if (r)
		return r;
	s->family = resolve_family(ps, s->name);
	if (s->family >= 0) {
		ps->last_family = s->family;
		ps->sc->families[s->family].nsamples++;
	}
	return check_sample(ps, s);
}

void prom_escape_label(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_putc(b, '\\', BUF_NO_LIMIT);
		if (*v == '\n')
			buf_puts(b, "\\n", BUF_NO_LIMIT);
		else
			buf_putc(b, *v, BUF_NO_LIMIT);
	}
}

/* The canonical `name{a="x",b="y"}` text of a sample, labels sorted and escaped. */
static char *series_key(const struct prom_sample *s)
{
	struct buf b = { 0 };

	buf_puts(&b, s->name, BUF_NO_LIMIT);
	if (s->nlabels) {
		buf_putc(&b, '{', BUF_NO_LIMIT);
		for (int i = 0; i < s->nlabels; i++) {
			buf_printf(&b, BUF_NO_LIMIT, "%s%s=\"", i ? "," : "", s->labels[i].name);
			prom_escape_label(&b, s->labels[i].value);
			buf_putc(&b, '"', BUF_NO_LIMIT);
		}
		buf_putc(&b, '}', BUF_NO_LIMIT);
	}
	return buf_detach(&b);
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int build_index(struct parser *ps)
{
	struct prom_scrape *sc = ps->sc;
	size_t size = 16;

	while (size < sc->nsamples * 2)
		size *= 2;
	sc->index = calloc(size, sizeof(*sc->index));
	if (!sc->index)
		return -ENOMEM;
	sc->index_size = size;
	for (size_t i = 0; i < sc->nsamples; i++) {
		struct prom_sample *s = &sc->samples[i];
		size_t h;

		s->key = series_key(s);
		if (!s->key)
			return -ENOMEM;
		for (h = hash_str(s->key) & (size - 1); sc->index[h]; h = (h + 1) & (size - 1)) {
			const struct prom_sample *o = &sc->samples[sc->index[h] - 1];

			if (!strcmp(o->key, s->key)) {
				ps->line = s->line;
				return fail(ps, "duplicate series %s (first on line %d)", s->key, o->line);
			}
		}
		sc->index[h] = (uint32_t)i + 1;
	}
	return 0;
}

static int parse_line(struct parser *ps, const char *p, const char *end)
{
	p = skip_blanks(p, end);
	if (p == end)
		return 0;
	if (*p == '#')
		return parse_comment(ps, p, end);
	if (ps->sc->eof_marker)
		return fail(ps, "sample after '# EOF'");
	return parse_sample(ps, p, end);
}

int prom_parse(const char *text, size_t len, const char *source, struct prom_scrape **out,
	       char *err, size_t errlen)
{
	struct parser ps = { .src = source ? source : "-", .err = err, .errlen = errlen,
			     .last_family = -1 };
	const char *p = text, *end = text + len;
	int r = 0;

	ps.sc = calloc(1, sizeof(*ps.sc));
	if (!ps.sc)
		return -ENOMEM;
	ps.sc->source = strdup(ps.src);
	if (memchr(text, '\0', len)) {
		ps.line = 1;
		for (const char *q = text; *q; q++)
			ps.line += *q == '\n';
		r = fail(&ps, "NUL byte in the exposition");
	}
	while (!r && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		ps.line++;
		if (le > p && le[-1] == '\r')
			le--;
		if (ps.line == INT32_MAX)
			r = fail(&ps, "too many lines");
		else
			r = parse_line(&ps, p, le);
		if (r > 0) {	/* # EOF: only blank lines may follow */
			r = 0;
			p = nl ? nl + 1 : end;
			while (!r && p < end) {
				nl = memchr(p, '\n', (size_t)(end - p));
				le = nl ? nl : end;
				ps.line++;
				if (skip_blanks(p, le) != le && !(le - p == 1 && *p == '\r'))
					r = fail(&ps, "content after '# EOF'");
				p = nl ? nl + 1 : end;
			}
			break;
		}
		p = nl ? nl + 1 : end;
	}
	if (!r)
		r = build_index(&ps);
	if (r) {
		if (r == -ENOMEM)
			snprintf(err, errlen, "'%s': out of memory", ps.src);
		prom_scrape_free(ps.sc);
		return r == -ENOMEM ? r : -EINVAL;
	}
	*out = ps.sc;
	return 0;
}

void prom_scrape_free(struct prom_scrape *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsamples; i++) {
		for (int j = 0; j < s->samples[i].nlabels; j++) {
			free(s->samples[i].labels[j].name);
			free(s->samples[i].labels[j].value);
		}
		free(s->samples[i].labels);
		free(s->samples[i].name);
		free(s->samples[i].key);
	}
	for (size_t i = 0; i < s->nfamilies; i++) {
		free(s->families[i].name);
		free(s->families[i].help);
	}
	free(s->samples);
	free(s->families);
	free(s->index);
	free(s->source);
	free(s);
}

const char *prom_label(const struct prom_sample *s, const char *name)
{
	for (int i = 0; i < s->nlabels; i++)
		if (!strcmp(s->labels[i].name, name))
			return s->labels[i].value;
	return NULL;
}

enum prom_type prom_sample_type(const struct prom_scrape *sc, const struct prom_sample *s)
{
	return s->family >= 0 ? sc->families[s->family].type : PROM_UNTYPED;
}

const struct prom_sample *prom_find_series(const struct prom_scrape *sc,
					   const struct prom_sample *like)
{
	size_t h;

	if (!sc->index_size || !like->key)
		return NULL;
	for (h = hash_str(like->key) & (sc->index_size - 1); sc->index[h];
	     h = (h + 1) & (sc->index_size - 1)) {
		const struct prom_sample *o = &sc->samples[sc->index[h] - 1];

		if (!strcmp(o->key, like->key))
			return o;
	}
	return NULL;
}

double prom_first_value(const struct prom_scrape *sc, const char *name)
{
	for (size_t i = 0; i < sc->nsamples; i++)
		if (!strcmp(sc->samples[i].name, name))
			return sc->samples[i].value;
	return NAN;
}
