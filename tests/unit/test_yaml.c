/*
 * test_yaml - the YAML reader's rule (docs/yaml.md), one table per part:
 * what each plain or tagged scalar resolves to, what string and number
 * fields read from it, mapping keys as JSON names, merge keys, aliases,
 * documents and JSON streams, positions, and the typed fields of our own
 * formats. Each row is a fact of go-yaml v2 / sigs.k8s.io/yaml.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/yaml.h"
#include "util/yaml_doc.h"
#include "util/yaml_json.h"
#include "utest.h"

/* "kind value" of a scalar: "bool true", "int 31", "big 9223372036854775808", "float 0.5", "string x". */
static const char *describe(const struct ynode *n, char *buf, size_t len)
{
	switch (n->kind) {
	case YSCALAR_NULL:
		snprintf(buf, len, "null");
		break;
	case YSCALAR_BOOL:
		snprintf(buf, len, "bool %s", n->b ? "true" : "false");
		break;
	case YSCALAR_INT:
		if (n->big)
			snprintf(buf, len, "big %llu", (unsigned long long)n->u);
		else
			snprintf(buf, len, "int %lld", (long long)n->i);
		break;
	case YSCALAR_FLOAT:
		snprintf(buf, len, "float %.17g", n->f);
		break;
	default:
		snprintf(buf, len, "string %.*s", (int)n->len, n->str);
	}
	return buf;
}

/*
 * Scalars as the value of `v: TEXT`: the resolved value, the text a string
 * field reads (sigs.k8s.io/yaml writes numbers and booleans out for it:
 * FormatFloat(f, 'g', -1, 32) for floats), and the JSON text of a number.
 */
static void test_scalars(void **state)
{
	static const struct {
		const char *in, *value, *field, *json;
	} cases[] = {
		/* booleans: go-yaml v2's resolve table, exactly these spellings */
		{ "y", "bool true", "true", NULL }, { "Y", "bool true", "true", NULL },
		{ "yes", "bool true", "true", NULL }, { "Yes", "bool true", "true", NULL },
		{ "YES", "bool true", "true", NULL }, { "true", "bool true", "true", NULL },
		{ "True", "bool true", "true", NULL }, { "TRUE", "bool true", "true", NULL },
		{ "on", "bool true", "true", NULL }, { "On", "bool true", "true", NULL },
		{ "ON", "bool true", "true", NULL },
		{ "n", "bool false", "false", NULL }, { "N", "bool false", "false", NULL },
		{ "no", "bool false", "false", NULL }, { "No", "bool false", "false", NULL },
		{ "NO", "bool false", "false", NULL }, { "false", "bool false", "false", NULL },
		{ "False", "bool false", "false", NULL }, { "FALSE", "bool false", "false", NULL },
		{ "off", "bool false", "false", NULL }, { "Off", "bool false", "false", NULL },
		{ "OFF", "bool false", "false", NULL },
		{ "yES", "string yES", "yES", NULL }, { "oN", "string oN", "oN", NULL },
		{ "tRUE", "string tRUE", "tRUE", NULL },
		/* null */
		{ "", "null", NULL, NULL }, { "~", "null", NULL, NULL }, { "null", "null", NULL, NULL },
		{ "Null", "null", NULL, NULL }, { "NULL", "null", NULL, NULL },
		{ "nULL", "string nULL", "nULL", NULL }, { "nil", "string nil", "nil", NULL },
		/* integers: '_' dropped, then Go's ParseInt(s, 0, 64), then ParseUint */
		{ "0", "int 0", "0", "0" }, { "-0", "int 0", "0", "0" }, { "+5", "int 5", "5", "5" },
		{ "1_000", "int 1000", "1000", "1000" }, { "1__0", "int 10", "10", "10" },
		{ "1_", "int 1", "1", "1" }, { "_1", "string _1", "_1", NULL },
		{ "0x1F", "int 31", "31", "31" }, { "0X1f", "int 31", "31", "31" },
		{ "-0x10", "int -16", "-16", "-16" }, { "0x_1F", "int 31", "31", "31" },
		{ "0o17", "int 15", "15", "15" }, { "0O17", "int 15", "15", "15" },
		{ "017", "int 15", "15", "15" }, { "0755", "int 493", "493", "493" },
		{ "0b101", "int 5", "5", "5" }, { "0B11", "int 3", "3", "3" }, { "-0b11", "int -3", "-3", "-3" },
		{ "9223372036854775807", "int 9223372036854775807", "9223372036854775807", "9223372036854775807" },
		{ "-9223372036854775808", "int -9223372036854775808", "-9223372036854775808",
		  "-9223372036854775808" },
		{ "9223372036854775808", "big 9223372036854775808", "9223372036854775808", "9223372036854775808" },
		{ "18446744073709551615", "big 18446744073709551615", "18446744073709551615",
		  "18446744073709551615" },
		{ "0x", "string 0x", "0x", NULL },
		/* floats: yamlStyleFloat on the text without '_', or a leading '.' */
		{ "18446744073709551616", "float 1.8446744073709552e+19", "1.8446744e+19", "18446744073709552000" },
		{ "08", "float 8", "8", "8" }, { "09.5", "float 9.5", "9.5", "9.5" },
		{ "1.5", "float 1.5", "1.5", "1.5" }, { "1.", "float 1", "1", "1" },
		{ ".5", "float 0.5", "0.5", "0.5" }, { "-.5", "float -0.5", "-0.5", "-0.5" },
		{ "+.5", "float 0.5", "0.5", "0.5" }, { "1e3", "float 1000", "1000", "1000" },
		{ "1E3", "float 1000", "1000", "1000" }, { "1_000.5", "float 1000.5", "1000.5", "1000.5" },
		{ "1.10", "float 1.1000000000000001", "1.1", "1.1" },
		{ "123456789.0", "float 123456789", "1.2345679e+08", "123456789" },
		{ "1e20", "float 1e+20", "1e+20", "100000000000000000000" },
		{ "1e21", "float 1e+21", "1e+21", "1e+21" },
		{ "1e-7", "float 9.9999999999999995e-08", "1e-07", "1e-7" },
		{ "0.000001", "float 9.9999999999999995e-07", "1e-06", "0.000001" },
		{ "-0.0", "float -0", "-0", "-0" }, { "1e-400", "float 0", "0", "0" },
		{ "1e300", "float 1.0000000000000001e+300", "+Inf", "1e+300" },
		/* strings: what no rule takes */
		{ "1e400", "string 1e400", "1e400", NULL }, { "0x1p3", "string 0x1p3", "0x1p3", NULL },
		{ ".e3", "string .e3", ".e3", NULL }, { "1.2.3", "string 1.2.3", "1.2.3", NULL },
		{ "12:30", "string 12:30", "12:30", NULL }, { "2024-01-01", "string 2024-01-01", "2024-01-01", NULL },
		{ "1e", "string 1e", "1e", NULL }, { "+", "string +", "+", NULL }, { "<<", "string <<", "<<", NULL },
		/* quoted and block scalars are strings */
		{ "'12'", "string 12", "12", NULL }, { "\"yes\"", "string yes", "yes", NULL },
		{ "|-\n  yes", "string yes", "yes", NULL }, { "\"\"", "string ", "", NULL },
		/* tags: !!str keeps the text, the typed ones must fit, others are text */
		{ "!!str 12", "string 12", "12", NULL }, { "!!int \"12\"", "int 12", "12", "12" },
		{ "!!float 1", "float 1", "1", "1" }, { "!!bool yes", "bool true", "true", NULL },
		{ "!!null \"\"", "null", NULL, NULL }, { "!!binary aGVsbG8=", "string hello", "hello", NULL },
		{ "!foo 12", "string 12", "12", NULL }, { "!!merge x", "string x", "x", NULL },
		{ "!!timestamp 2001-12-14", "string 2001-12-14", "2001-12-14", NULL },
		{ "!!timestamp 2001-12-14t21:59:43.10-05:00", "string 2001-12-14t21:59:43.10-05:00",
		  "2001-12-14t21:59:43.10-05:00", NULL },
	};
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = { 0 };
		struct ydocs docs;
		struct yerr e;
		char doc[128], got[96], num[40];
		const struct ynode *n;
		const char *json;

		snprintf(doc, sizeof(doc), "v: %s\n", cases[i].in);
		if (yaml_read(&a, doc, strlen(doc), &docs, &e)) {
			print_error("%s: %s\n", cases[i].in, e.msg);
			failed++;
			continue;
		}
		n = docs.roots[0]->items[0];
		describe(n, got, sizeof(got));
		json = ynode_json_number(n, num, sizeof(num));
		if (strcmp(got, cases[i].value) || (n->text ? !cases[i].field || strcmp(n->text, cases[i].field)
							    : cases[i].field != NULL) ||
		    (json ? !cases[i].json || strcmp(json, cases[i].json) : cases[i].json != NULL)) {
			print_error("%s: got %s / %s / %s, want %s / %s / %s\n", cases[i].in, got,
				    n->text ?: "(none)", json ?: "(none)", cases[i].value,
				    cases[i].field ?: "(none)", cases[i].json ?: "(none)");
			failed++;
		}
		/* What the renderer asks: would this text, written plain, read back as a string? */
		if (!strchr("'\"!|", cases[i].in[0]) &&
		    yaml_plain_kind(cases[i].in, strlen(cases[i].in)) != n->kind) {
			print_error("%s: yaml_plain_kind differs\n", cases[i].in);
			failed++;
		}
		arena_free(&a);
	}
	assert_int_equal(failed, 0);
}

/*
 * Whole texts through yaml_json_load_buffer(): the JSON Kubernetes would
 * build (every document in an array), or the error with its line.
 */
static void test_documents(void **state)
{
	static const struct {
		const char *what, *in, *want;
	} cases[] = {
		{ "keys are JSON names", "m: {1: a, 1.0: b, 0x10: c, 1.5: d, 0.1: e, 1e21: f, 123456789.0: g}",
		  "[{\"m\": {\"1\": \"b\", \"16\": \"c\", \"1.5\": \"d\", \"0.1\": \"e\", \"1e+21\": \"f\", "
		  "\"1.2345679e+08\": \"g\"}}]" },
		{ "boolean keys", "m: {yes: a, n: b, y: c}", "[{\"m\": {\"true\": \"c\", \"false\": \"b\"}}]" },
		{ "infinite keys", "m: {.inf: a, -.Inf: b, .nan: c, -1e300: d}",
		  "[{\"m\": {\".inf\": \"a\", \"-.inf\": \"d\", \".nan\": \"c\"}}]" },
		{ "'{' first means JSON, as for kubectl", "{a: 1}", "line 1: invalid JSON: string or '}' expected near 'a'" },
		{ "a null key", "~: a", "line 1: a mapping key is null (JSON has no name for it)" },
		{ "a key beyond int64", "18446744073709551615: a",
		  "line 1: the mapping key 18446744073709551615 is beyond int64 (JSON conversion refuses it)" },
		{ "a key beyond uint64 is a float", "18446744073709551616: a", "[{\"1.8446744e+19\": \"a\"}]" },
		{ "a list as key", "[1]: a", "line 1: a mapping key must be a scalar, not a list" },
		{ "a mapping as key", "? {a: 1}\n: b", "line 1: a mapping key must be a scalar, not a mapping" },
		{ "duplicate keys: the last wins", "x: 1\nx: 2", "[{\"x\": 2}]" },
		{ "numbers as JSON carries them", "[1e3, 1.5, 0x10, 0400, 9223372036854775808, 1e20, yes, ~]",
		  "[[1000, 1.5, 16, 256, 9.2233720368547758e18, 1e20, true, null]]" },
		{ "infinity is no JSON number", "a: [1, .inf]",
		  "line 1: .inf is not a number JSON can carry (Kubernetes refuses the document)" },
		{ "merge: keys after << override it", "b: &b {x: 1, z: 2}\nm: {<<: *b, x: 3}",
		  "[{\"b\": {\"x\": 1, \"z\": 2}, \"m\": {\"x\": 3, \"z\": 2}}]" },
		{ "merge: keys before << are overridden (go-yaml v2)", "b: &b {x: 1, z: 2}\nm: {x: 3, <<: *b}",
		  "[{\"b\": {\"x\": 1, \"z\": 2}, \"m\": {\"x\": 1, \"z\": 2}}]" },
		{ "merge: the first of a list wins", "a: &a {x: 1}\nb: &b {x: 2, z: 2}\nm: {<<: [*a, *b]}",
		  "[{\"a\": {\"x\": 1}, \"b\": {\"x\": 2, \"z\": 2}, \"m\": {\"x\": 1, \"z\": 2}}]" },
		{ "merge: an inline mapping", "m: {<<: {a: 1}, b: 2}", "[{\"m\": {\"a\": 1, \"b\": 2}}]" },
		{ "merge: tagged", "m: {!!merge <<: {a: 1}}", "[{\"m\": {\"a\": 1}}]" },
		{ "merge: a quoted << is a key", "m: {\"<<\": {a: 1}}", "[{\"m\": {\"<<\": {\"a\": 1}}}]" },
		{ "merge: not a mapping", "m: {<<: 1}", "line 1: a merge key (<<) needs a mapping or a list of mappings" },
		{ "merge: a list with a scalar", "m: {<<: [{a: 1}, 2]}",
		  "line 1: a merge key (<<) needs a mapping or a list of mappings" },
		{ "aliases", "a: &a [1, 2]\nb: *a", "[{\"a\": [1, 2], \"b\": [1, 2]}]" },
		{ "an anchor redefined: the latest wins", "a: &x 1\nb: &x 2\nc: *x", "[{\"a\": 1, \"b\": 2, \"c\": 2}]" },
		{ "an unknown alias", "a: 1\nb: *x", "line 2: unknown alias '*x'" },
		{ "an alias inside its own anchor", "a: &x {b: [1, *x]}",
		  "line 1: alias '*x' refers to a collection that contains it" },
		{ "anchors are per document", "a: &x 1\n---\nb: *x", "line 3: unknown alias '*x'" },
		{ "billion laughs",
		  "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
		  "line 1: the document contains excessive aliasing" },
		{ "a stream of documents", "a: 1\n---\nb: 2\n--- # a comment\nc: 3\n...\n",
		  "[{\"a\": 1}, {\"b\": 2}, {\"c\": 3}]" },
		{ "empty documents are null", "---\n---\na: 1\n", "[null, {\"a\": 1}]" },
		{ "no document", "# nothing\n", "[]" },
		{ "content after ---", "--- {a: 1}\n",
		  "line 1: '---' followed by content: Kubernetes accepts only a comment after a document separator" },
		{ "a JSON stream", "{\"a\": 1}\n  {\"b\": 2} 3\n", "[{\"a\": 1}, {\"b\": 2}, 3]" },
		{ "JSON: a surrogate pair", "{\"a\": \"\\ud83d\\ude00\"}", "[{\"a\": \"\xf0\x9f\x98\x80\"}]" },
		{ "JSON: a NUL escape", "{\"a\": \"x\\u0000y\"}", "[{\"a\": \"x\\u0000y\"}]" },
		{ "JSON: jansson's error and line", "{\"a\": 1}\n{\"b\":\n 2,}", "line 3: invalid JSON: string or '}' expected near '}'" },
		{ "'[' starts YAML, as for kubectl", "[a, {b: yes}]", "[[\"a\", {\"b\": true}]]" },
		{ "YAML syntax, libyaml's words", "a: [1\n", "line 2: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence" },
		{ "!!int that is no integer", "a: !!int abc", "line 1: cannot read !!str 'abc' as a !!int" },
		{ "!!binary that is no base64", "a: !!binary \"!!\"", "line 1: !!binary value contains invalid base64 data" },
		{ "!!timestamp that is no time", "a: !!timestamp 2001-02-29", "line 1: '2001-02-29' is not a !!timestamp" },
	};
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[400], *got;
		json_t *j = yaml_json_load_buffer(cases[i].in, strlen(cases[i].in), err, sizeof(err));

		got = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) : strdup(err);
		if (strcmp(got, cases[i].want)) {
			print_error("%s:\n  got:  %s\n  want: %s\n", cases[i].what, got, cases[i].want);
			failed++;
		}
		free(got);
		json_decref(j);
	}
	assert_int_equal(failed, 0);
}

/* Lines, columns, the key's place, byte offsets; a merged entry is marked as one. */
static void test_positions(void **state)
{
	const char *text = "# c\nbase: &b {x: 1}\nobj:\n  <<: *b\n  name: \"caf\xc3\xa9\"\n  list:\n  - 7\n";
	struct arena a = { 0 };
	struct ydocs docs;
	struct yerr e;
	struct ynode *root, *obj, *list;

	(void)state;
	assert_int_equal(yaml_read(&a, text, strlen(text), &docs, &e), 0);
	assert_int_equal(docs.n, 1);
	assert_int_equal(docs.lines[0], 2);
	root = docs.roots[0];
	assert_int_equal(root->line, 2);
	assert_int_equal(root->column, 1);
	obj = ynode_get(root, "obj");
	assert_int_equal(obj->line, 4);
	assert_int_equal(obj->column, 3);
	assert_int_equal(obj->key_line, 3);
	assert_int_equal(obj->n, 3);
	assert_string_equal(obj->keys[0]->str, "x");
	assert_true(obj->merged[0]);
	assert_false(obj->merged[1]);
	assert_int_equal(obj->keys[1]->line, 5);
	assert_int_equal(obj->items[1]->column, 9);
	/* Byte offsets count the two bytes of the é. */
	assert_int_equal(obj->items[1]->start, 42);
	assert_int_equal(obj->items[1]->end, 49);
	assert_memory_equal(text + obj->items[1]->start, "\"caf\xc3\xa9\"", 7);
	list = ynode_get(obj, "list");
	assert_int_equal(list->key_line, 6);
	assert_int_equal(list->items[0]->line, 7);
	assert_int_equal(list->items[0]->column, 5);
	assert_int_equal(list->items[0]->start, 62);
	assert_true(obj->used[2]);
	assert_false(obj->used[0]);
	assert_null(ynode_get(root, "nothing"));
	arena_free(&a);
}

struct field_case {
	const char *in;		/* the value of `v:` */
	char reader;		/* s: ydoc_str, u: ydoc_u64 [1, 65535], d: ydoc_double [0, 1], b: ydoc_bool, t: duration */
	const char *want;	/* the value read, or the message printed */
};

static const struct field_case *cur;

/* Loads `v: IN` and reads v with the case's reader; prints the value into a static buffer. */
static int read_field(void *arg)
{
	static char out[128];
	const char **result = arg;
	char text[128];
	struct ydoc d;
	struct ynode *v;
	const char *s;
	uint64_t u = 0;
	double f = 0;
	bool b = false;
	int r;

	snprintf(text, sizeof(text), "v: %s\n", cur->in);
	if (ydoc_load_string(&d, "f.yaml", text, strlen(text)))
		return -1;
	v = ydoc_get(&d, ydoc_root(&d), "v");
	switch (cur->reader) {
	case 's':
		r = ydoc_str(&d, v, "v", &s);
		snprintf(out, sizeof(out), "%s", r ? "" : s);
		break;
	case 'u':
		r = ydoc_u64(&d, v, "v", 1, 65535, &u);
		snprintf(out, sizeof(out), "%llu", (unsigned long long)u);
		break;
	case 'd':
		r = ydoc_double(&d, v, "v", 0, 1, &f);
		snprintf(out, sizeof(out), "%g", f);
		break;
	case 'b':
		r = ydoc_bool(&d, v, "v", &b);
		snprintf(out, sizeof(out), "%s", b ? "true" : "false");
		break;
	default:
		r = ydoc_duration(&d, v, "v", 60000000000ULL, &u);
		snprintf(out, sizeof(out), "%lluns", (unsigned long long)u);
		break;
	}
	ydoc_free(&d);
	*result = out;
	return r;
}

/*
 * Our own formats' typed fields, as sigs.k8s.io/yaml fills a Go struct: a
 * string field takes a number or boolean as its text, a number field no
 * quoted number, a boolean field the YAML 1.1 words.
 */
static void test_fields(void **state)
{
	static const struct field_case cases[] = {
		{ "name", 's', "name" }, { "12", 's', "12" }, { "1.10", 's', "1.1" }, { "0x10", 's', "16" },
		{ "yes", 's', "true" }, { "1e3", 's', "1000" }, { "\"007\"", 's', "007" },
		{ "[a]", 's', "error: cannot load 'f.yaml': line 1: v: not a string" },
		{ "80", 'u', "80" }, { "0x50", 'u', "80" }, { "8e1", 'u', "80" }, { "80.0", 'u', "80" },
		{ "\"80\"", 'u', "error: cannot load 'f.yaml': line 1: v: not an integer" },
		{ "80.5", 'u', "error: cannot load 'f.yaml': line 1: v: not an integer" },
		{ "70000", 'u', "error: cannot load 'f.yaml': line 1: v: 70000 is out of range [1, 65535]" },
		{ "-1", 'u', "error: cannot load 'f.yaml': line 1: v: -1 is out of range [1, 65535]" },
		{ "18446744073709551615", 'u',
		  "error: cannot load 'f.yaml': line 1: v: 18446744073709551615 is out of range [1, 65535]" },
		{ "0.25", 'd', "0.25" }, { "1", 'd', "1" }, { ".5", 'd', "0.5" },
		{ "\"0.5\"", 'd', "error: cannot load 'f.yaml': line 1: v: not a number" },
		{ "2", 'd', "error: cannot load 'f.yaml': line 1: v: 2 is out of range [0, 1]" },
		{ "true", 'b', "true" }, { "on", 'b', "true" }, { "N", 'b', "false" }, { "off", 'b', "false" },
		{ "\"true\"", 'b', "error: cannot load 'f.yaml': line 1: v: not a boolean (true or false)" },
		{ "1", 'b', "error: cannot load 'f.yaml': line 1: v: not a boolean (true or false)" },
		{ "250ms", 't', "250000000ns" }, { "10", 't', "10000000000ns" }, { "1.5", 't', "1500000000ns" },
		{ "\"2s\"", 't', "2000000000ns" },
		{ "2h", 't', "error: cannot load 'f.yaml': line 1: v: 2h is out of range (at most 60s)" },
		{ "true", 't', "error: cannot load 'f.yaml': line 1: v: not a duration" },
	};
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[256];
		const char *value = NULL;
		int r;

		cur = &cases[i];
		r = utest_stderr(msg, sizeof(msg), read_field, &value);
		if (strcmp(r ? msg : value, cases[i].want)) {
			print_error("%c %s: got %s, want %s\n", cases[i].reader, cases[i].in, r ? msg : value,
				    cases[i].want);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static int known_keys(void *arg)
{
	static const char *const known[] = { "a", "b", NULL };
	struct ydoc d;
	int r;

	if (ydoc_load_string(&d, "k.yaml", arg, strlen(arg)))
		return -1;
	r = ydoc_known_keys(&d, ydoc_get(&d, ydoc_root(&d), "m"), "m", known);
	ydoc_free(&d);
	return r;
}

/* Strict loaders refuse a key given twice, also when a merge key brought it (as UnmarshalStrict does). */
static void test_known_keys(void **state)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "m: {a: 1, b: 2}\n", "" },
		{ "x: &x {a: 1}\nm: {<<: *x, b: 2}\n", "" },
		{ "m: {a: 1, a: 2}\n", "error: cannot load 'k.yaml': line 1: m: field 'a' given twice" },
		{ "x: &x {a: 1}\nm: {<<: *x, a: 2}\n", "error: cannot load 'k.yaml': line 2: m: field 'a' given twice" },
		{ "m: {c: 1}\n", "error: cannot load 'k.yaml': line 1: m: unknown field 'c'" },
		{ "m: {yes: 1}\n", "error: cannot load 'k.yaml': line 1: m: unknown field 'true'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[256];
		int r = utest_stderr(msg, sizeof(msg), known_keys, (void *)cases[i].in);

		assert_int_equal(r, *cases[i].msg ? -EINVAL : 0);
		assert_string_equal(msg, cases[i].msg);
	}
}

/* A one-document format reads the first document and never parses what follows. */
static void test_first_document(void **state)
{
	const char *text = "v: 1\n---\nw: [\n";
	struct arena a = { 0 };
	struct ydocs docs;
	struct yerr e;
	struct ydoc d;

	(void)state;
	assert_int_equal(yaml_read(&a, text, strlen(text), &docs, &e), -EINVAL);
	assert_int_equal(e.line, 4);
	arena_free(&a);
	assert_int_equal(yaml_read_some(&a, text, strlen(text), 1, &docs, &e), 0);
	assert_int_equal(docs.n, 1);
	arena_free(&a);
	assert_int_equal(ydoc_read(&d, "one.yaml", text, strlen(text), &e), 0);
	assert_int_equal(ydoc_root(&d)->n, 1);
	ydoc_free(&d);
	assert_int_equal(ydoc_read(&d, "none.yaml", "# nothing\n", 10, &e), -ENODATA);
	assert_string_equal(e.msg, "no YAML document in it");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_known_keys),
		cmocka_unit_test(test_first_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
