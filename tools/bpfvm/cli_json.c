/* The JSON writer behind -j (cli_json.h). */
#include "cli_json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static bool json_on, json_pretty;

bool cli_json_on(void)
{
	return json_on;
}

void cli_json_enable(bool pretty)
{
	json_on = true;
	json_pretty = pretty;
}

void cj_init(struct cj *j, FILE *out)
{
	j->out = out;
	j->pretty = json_pretty;
	j->depth = 0;
	j->first[0] = true;
}

static void indent(struct cj *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

static void put_string(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* The separator and key before a value at the current depth. */
static void member(struct cj *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->out);
		j->first[j->depth] = false;
		indent(j);
	}
	if (key) {
		put_string(j->out, key, strlen(key));
		fputs(j->pretty ? ": " : ":", j->out);
	}
}

static void open(struct cj *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < CJ_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close(struct cj *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->out);
}

void cj_obj_begin(struct cj *j, const char *key)
{
	open(j, key, '{');
}

void cj_obj_end(struct cj *j)
{
	close(j, '}');
}

void cj_arr_begin(struct cj *j, const char *key)
{
	open(j, key, '[');
}

void cj_arr_end(struct cj *j)
{
	close(j, ']');
}

void cj_strn(struct cj *j, const char *key, const char *s, size_t n)
{
	member(j, key);
	put_string(j->out, s, n);
}

void cj_str(struct cj *j, const char *key, const char *s)
{
	if (!s) {
		cj_null(j, key);
		return;
	}
	cj_strn(j, key, s, strlen(s));
}

void cj_u64(struct cj *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void cj_i64(struct cj *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->out, "%" PRId64, v);
}

void cj_double(struct cj *j, const char *key, double v)
{
	member(j, key);
	if (isfinite(v))
		fprintf(j->out, "%.6g", v);
	else
		fputs("null", j->out); /* JSON has no inf / nan */
}

void cj_bool(struct cj *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->out);
}

void cj_null(struct cj *j, const char *key)
{
	member(j, key);
	fputs("null", j->out);
}

void cj_hex(struct cj *j, const char *key, const void *p, size_t n)
{
	const uint8_t *b = p;

	member(j, key);
	fputc('"', j->out);
	for (size_t i = 0; i < n; i++)
		fprintf(j->out, i ? " %02x" : "%02x", b[i]);
	fputc('"', j->out);
}

void cj_end(struct cj *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}
