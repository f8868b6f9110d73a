/* Reading inputs for the CLI: files, hex, programs in any of their forms. */
#include "cli.h"
#include "cli_json.h"

#include <bpfvm/bpfvm.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* With -j, bpftool prints errors as {"error":"..."} on stdout so that a
 * script reading the JSON sees them; the text form goes to stderr. */
static void vreport(bool json, const char *fmt, va_list ap)
{
	char msg[4096];
	struct cj j;

	if (!json) {
		fputs("bpfvm: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	cj_init(&j, stdout);
	cj_obj_begin(&j, NULL);
	cj_str(&j, "error", msg);
	cj_obj_end(&j);
	cj_end(&j);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cli_json_on(), fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(false, fmt, ap);
	va_end(ap);
}

char *cli_read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf;

	if (!f) {
		cli_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(cap + 1);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		char *grown = realloc(buf, cap + 1);
		if (!grown)
			free(buf);
		buf = grown;
	}
	if (!buf || ferror(f)) {
		cli_err("%s: %s", path, buf ? "read error" : "out of memory");
		free(buf);
		buf = NULL;
	} else {
		buf[n] = '\0';
		*len = n;
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int cli_parse_hex(const char *text, const char *what, uint8_t **out,
		  size_t *len)
{
	size_t n = 0, cap = strlen(text) / 2 + 1;
	uint8_t *buf = malloc(cap);
	const char *p = text;

	if (!buf) {
		cli_err("%s: out of memory", what);
		return -1;
	}
	while (*p) {
		if (isspace((unsigned char)*p) || *p == ',') {
			p++;
			continue;
		}
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		int hi = hex_digit((unsigned char)p[0]);
		int lo = hi < 0 ? -1 : hex_digit((unsigned char)p[1]);
		if (hi < 0 || lo < 0) {
			cli_err("%s: byte %zu: '%.2s' is not a hex byte", what,
				n, p);
			free(buf);
			return -1;
		}
		buf[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Hex text has only hex digits, whitespace and 0x prefixes. */
static int looks_like_hex(const char *text)
{
	for (const char *p = text; *p; p++) {
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p++;
		else if (!isxdigit((unsigned char)*p) &&
			 !isspace((unsigned char)*p))
			return 0;
	}
	return 1;
}

static int looks_like_text(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0' || ((unsigned char)buf[i] < 0x20 &&
				       !isspace((unsigned char)buf[i])))
			return 0;
	return 1;
}

static int insns_from_bytes(const char *path, const uint8_t *bytes,
			    size_t len, struct bpf_insn **insns, size_t *cnt)
{
	if (len == 0 || len % sizeof(struct bpf_insn)) {
		cli_err("%s: %zu bytes is not a whole number of 8-byte "
			"instructions", path, len);
		return -1;
	}
	*insns = malloc(len);
	if (!*insns) {
		cli_err("%s: out of memory", path);
		return -1;
	}
	memcpy(*insns, bytes, len);
	*cnt = len / sizeof(struct bpf_insn);
	return 0;
}

int cli_load_program(const char *path, struct bpf_insn **insns, size_t *cnt)
{
	size_t len;
	char *text = cli_read_file(path, &len);
	int ret = -1;

	if (!text)
		return -1;
	if (!looks_like_text(text, len)) {
		ret = insns_from_bytes(path, (uint8_t *)text, len, insns, cnt);
	} else if (looks_like_hex(text)) {
		uint8_t *bytes;
		size_t n;
		if (cli_parse_hex(text, path, &bytes, &n) == 0) {
			ret = insns_from_bytes(path, bytes, n, insns, cnt);
			free(bytes);
		}
	} else {
		char log[512] = "";
		struct bpfvm_asm_opts opts = {
			.sz = sizeof(opts),
			.log_buf = log,
			.log_size = sizeof(log),
		};
		ret = bpfvm_asm_assemble(text, &opts, insns, cnt);
		if (ret < 0)
			cli_err("%s: %s", path, log[0] ? log : strerror(-ret));
		ret = ret < 0 ? -1 : 0;
	}
	free(text);
	return ret;
}

int cli_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return *s && !*end && !errno && *s != '-' ? 0 : -1;
}
