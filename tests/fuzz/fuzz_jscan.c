/*
 * fuzz_jscan - the fast record reader against jansson: whatever line the
 * fast reader accepts, jansson (rejecting duplicate keys, as the
 * observation reader asks it to) accepts too, with the same value for
 * every member the caller named.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "records/jscan.h"

static const char *const names[] = { "t", "a", "b", "conn", "headers", "n", "v", "" };
#define NNAMES (sizeof(names) / sizeof(names[0]))

static void same(const struct jv *v, json_t *j)
{
	switch (v->type) {
	case JV_NONE:
		if (j)
			abort();
		break;
	case JV_STR:
		if (!json_is_string(j) || json_string_length(j) != v->len || memcmp(json_string_value(j), v->s, v->len))
			abort();
		break;
	case JV_INT:
		if (!json_is_integer(j) || json_integer_value(j) != v->i)
			abort();
		break;
	case JV_TRUE:
		if (!json_is_true(j))
			abort();
		break;
	case JV_FALSE:
		if (!json_is_false(j))
			abort();
		break;
	case JV_NULL:
		if (!json_is_null(j))
			abort();
		break;
	default:
		if (!json_is_object(j) && !json_is_array(j))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jscan_fields f;
	struct jv vals[NNAMES];
	char *line, *copy;
	json_error_t err;
	json_t *o;

	if (!f.names)
		jscan_fields_init(&f, names, NNAMES);
	/* The reader's contract: a NUL after the line, then padding. */
	line = calloc(1, size + JSCAN_PAD + 1);
	copy = calloc(1, size + 1);
	if (!line || !copy)
		abort();
	memcpy(line, data, size);
	memcpy(copy, data, size);
	if (jscan_record(&f, line, size, vals) == 0) {
		/* jansson reads a C string: a line with a NUL inside is not the same line. */
		if (memchr(copy, 0, size))
			abort();
		o = json_loads(copy, JSON_REJECT_DUPLICATES, &err);
		if (!json_is_object(o))
			abort();
		for (size_t i = 0; i < NNAMES; i++)
			same(&vals[i], json_object_get(o, names[i]));
		json_decref(o);
	}
	free(line);
	free(copy);
	return 0;
}
