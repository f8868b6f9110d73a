/* Parser for bpf_conformance *.data files. Sections start at a line holding
 * "--"; '#' comments run to the end of a line. */
#include "conf_file.h"

#include <bpfvm/isa.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum section { SEC_NONE, SEC_ASM, SEC_RAW, SEC_MEM, SEC_RESULT, SEC_ERROR,
	       SEC_IGNORED, SEC_UNKNOWN };

static const struct {
	const char *name;
	enum section sec;
} sections[] = {
	{ "asm", SEC_ASM },	  { "raw", SEC_RAW },
	{ "mem", SEC_MEM },	  { "result", SEC_RESULT },
	{ "error", SEC_ERROR },	  { "c", SEC_IGNORED },
	{ "no register offset", SEC_IGNORED },
};

static int fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* A growable text buffer, one per section. */
struct text {
	char *s;
	size_t len;
};

static int text_append(struct text *t, const char *line, size_t n)
{
	char *s = realloc(t->s, t->len + n + 2);

	if (!s)
		return -1;
	memcpy(s + t->len, line, n);
	t->len += n;
	s[t->len++] = '\n';
	s[t->len] = '\0';
	t->s = s;
	return 0;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static enum section section_of(char *line)
{
	char *name = trim(strstr(line, "--") + 2);

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(name, sections[i].name) == 0)
			return sections[i].sec;
	return SEC_UNKNOWN;
}

static int parse_bytes(const char *text, uint8_t **out, size_t *len,
		       char *err, size_t size)
{
	size_t n = 0;
	uint8_t *buf = malloc(strlen(text) / 2 + 1);
	const char *p = text;

	if (!buf)
		return fail(err, size, "out of memory");
	while (*p) {
		char *end;
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		unsigned long v = strtoul(p, &end, 16);
		if (end == p || v > 0xff) {
			free(buf);
			return fail(err, size, "mem: byte %zu is not hex", n);
		}
		buf[n++] = (uint8_t)v;
		p = end;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int parse_raw(const char *text, struct conf_test *t, char *err,
		     size_t size)
{
	size_t n = 0, cap = 16;
	const char *p = text;

	t->raw = malloc(cap * sizeof(*t->raw));
	while (t->raw && *p) {
		char *end;
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		errno = 0;
		unsigned long long w = strtoull(p, &end, 16);
		if (end == p || errno)
			return fail(err, size, "raw: word %zu is not hex", n);
		if (n == cap) {
			struct bpf_insn *g = realloc(t->raw, 2 * cap * sizeof(*g));
			if (!g)
				break;
			t->raw = g;
			cap *= 2;
		}
		memcpy(&t->raw[n++], &w, sizeof(w));
		p = end;
	}
	if (!t->raw)
		return fail(err, size, "out of memory");
	t->raw_cnt = n;
	return 0;
}

static int parse_result(const char *text, struct conf_test *t, char *err,
			size_t size)
{
	char *copy = strdup(text), *line, *last = NULL, *save;

	if (!copy)
		return fail(err, size, "out of memory");
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (*trim(line))
			last = trim(line);
	if (!last) {
		free(copy);
		return fail(err, size, "result: section is empty");
	}
	char *end;
	errno = 0;
	t->result = strtoull(last, &end, strstr(last, "0x") ? 16 : 10);
	int bad = end == last || *end || errno;
	if (bad)
		fail(err, size, "result: '%s' is not a number", last);
	free(copy);
	t->has_result = !bad;
	return bad ? -1 : 0;
}

/* Sort each line of the file into its section's text. */
static int split_sections(const char *text, struct text *secs, char *err,
			  size_t size, char **skip)
{
	enum section cur = SEC_NONE;
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n), *hash;
		if (!line)
			return fail(err, size, "out of memory");
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		if (strstr(line, "--")) {
			cur = section_of(line);
			if (cur == SEC_UNKNOWN && !*skip)
				*skip = strdup(trim(strstr(line, "--") + 2));
		} else if (cur != SEC_NONE &&
			   text_append(&secs[cur], line, strlen(line))) {
			free(line);
			return fail(err, size, "out of memory");
		}
		free(line);
		p += n + (p[n] == '\n');
	}
	return 0;
}

int conf_test_parse(const char *text, struct conf_test *t, char *err,
		    size_t err_size)
{
	struct text secs[SEC_UNKNOWN + 1] = { 0 };
	int ret;

	memset(t, 0, sizeof(*t));
	ret = split_sections(text, secs, err, err_size, &t->skip_reason);
	if (!ret && secs[SEC_RAW].s)
		ret = parse_raw(secs[SEC_RAW].s, t, err, err_size);
	if (!ret && secs[SEC_MEM].s)
		ret = parse_bytes(secs[SEC_MEM].s, &t->mem, &t->mem_len, err,
				  err_size);
	if (!ret && secs[SEC_RESULT].s)
		ret = parse_result(secs[SEC_RESULT].s, t, err, err_size);
	if (!ret && secs[SEC_ERROR].s)
		t->error = strdup(trim(secs[SEC_ERROR].s));
	t->asm_text = secs[SEC_ASM].s;
	secs[SEC_ASM].s = NULL;
	for (int i = 0; i <= SEC_UNKNOWN; i++)
		free(secs[i].s);
	if (!ret && !t->asm_text && !t->raw)
		ret = fail(err, err_size, "no asm or raw section");
	if (ret)
		conf_test_free(t);
	return ret;
}

int conf_test_program(const struct conf_test *t, struct bpf_insn **insns,
		      size_t *cnt, char *err, size_t err_size)
{
	if (t->raw) {
		*insns = malloc(t->raw_cnt * sizeof(**insns));
		if (!*insns)
			return fail(err, err_size, "out of memory");
		memcpy(*insns, t->raw, t->raw_cnt * sizeof(**insns));
		*cnt = t->raw_cnt;
		return 0;
	}
	struct bpfvm_asm_opts opts = {
		.sz = sizeof(opts),
		.dialect = BPFVM_ASM_UBPF,
		.log_buf = err,
		.log_size = err_size,
	};
	return bpfvm_asm_assemble(t->asm_text, &opts, insns, cnt) ? -1 : 0;
}

void conf_test_free(struct conf_test *t)
{
	free(t->asm_text);
	free(t->raw);
	free(t->mem);
	free(t->error);
	free(t->skip_reason);
	memset(t, 0, sizeof(*t));
}

char *conf_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)))
		buf[fread(buf, 1, (size_t)n, f)] = '\0';
	if (f)
		fclose(f);
	return buf;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t conf_list_dir(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char **grown;

		if (len < 6 || strcmp(e->d_name + len - 5, ".data"))
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		if ((names[n] = strdup(e->d_name)))
			n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	*out = names;
	return n;
}
