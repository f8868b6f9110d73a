/* bpfvm_asm_assemble: reads the text line by line (comments, labels, the
 * "N:" prefixes of a disassembly listing), hands each statement to its
 * dialect's parser, checks what came out, and patches label references. */
#include "asm_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct bpf_insn *asm_emit(struct asm_ctx *c, size_t n)
{
	if (c->cnt + n > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct bpf_insn *p = realloc(c->insns, cap * sizeof(*p));

		if (!p) {
			asm_error(c, "out of memory");
			return NULL;
		}
		c->insns = p;
		c->cap = cap;
	}
	memset(&c->insns[c->cnt], 0, n * sizeof(*c->insns));
	c->cnt += n;
	return &c->insns[c->cnt - n];
}

struct bpf_insn *asm_emit_insn(struct asm_ctx *c, uint8_t code, unsigned dst,
			       unsigned src, int16_t off, int32_t imm)
{
	struct bpf_insn *in = asm_emit(c, 1);

	if (in)
		*in = (struct bpf_insn){ .code = code, .dst_reg = dst & 0xf,
					 .src_reg = src & 0xf, .off = off,
					 .imm = imm };
	return in;
}

struct bpf_insn *asm_emit_lddw(struct asm_ctx *c, unsigned dst, uint8_t src,
			       uint32_t lo, uint32_t hi)
{
	struct bpf_insn *in = asm_emit(c, 2);

	if (in) {
		in[0].code = BPF_LD | BPF_DW | BPF_IMM;
		in[0].dst_reg = dst & 0xf;
		in[0].src_reg = src & 0xf;
		in[0].imm = (int32_t)lo;
		in[1].imm = (int32_t)hi;
	}
	return in;
}

static const char *short_name(const char *name)
{
	return strncmp(name, "bpf_", 4) ? name : name + 4;
}

static int helper_cmp(const void *a, const void *b)
{
	const struct asm_helper *x = a, *y = b;
	int cmp = strcmp(x->name, y->name);

	/* equal names: the lowest id wins, as a linear search would pick */
	return cmp ? cmp : (x->id > y->id) - (x->id < y->id);
}

/* The env maps ids to names only: list its names once per run, sorted,
 * so that many "call name" lines stay cheap. */
static int list_env_helpers(struct asm_ctx *c)
{
	size_t n = 0;

	c->helpers = malloc(sizeof(*c->helpers) * 1024);
	for (uint32_t id = 1; c->helpers && id <= BPFVM_HELPER_ID_MAX; id++) {
		const char *h = bpfvm_helper_name(c->env, id);

		if (!h)
			continue;
		if (n && n % 1024 == 0) {
			void *p = realloc(c->helpers,
					  sizeof(*c->helpers) * (n + 1024));
			if (!p) {
				free(c->helpers);
				c->helpers = NULL;
				break;
			}
			c->helpers = p;
		}
		c->helpers[n++] = (struct asm_helper){ short_name(h), id };
	}
	if (!c->helpers)
		return asm_error(c, "out of memory");
	qsort(c->helpers, n, sizeof(*c->helpers), helper_cmp);
	c->nhelpers = n;
	return 0;
}

static uint32_t helper_id(struct asm_ctx *c, const char *name)
{
	struct asm_helper key = { short_name(name), 0 };
	const struct asm_helper *h;
	size_t lo = 0, hi;

	if (!c->env)
		return isa_linux_helper_id(name);
	if (!c->helpers && list_env_helpers(c))
		return 0;
	/* the first entry with this name */
	for (hi = c->nhelpers; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(c->helpers[mid].name, key.name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	h = lo < c->nhelpers ? &c->helpers[lo] : NULL;
	return h && !strcmp(h->name, key.name) ? h->id : 0;
}

int asm_call_named(struct asm_ctx *c, const char *name)
{
	uint32_t id = helper_id(c, name);

	if (c->failed)
		return -ENOMEM;
	if (!id)
		return asm_fixup_add(c, name, ASM_FIX_CALL);
	c->insns[c->cnt - 1].imm = (int32_t)id;
	return 0;
}

/* Cut the comment: '#' (but not in "bpf_foo#1"), ';' or "//". */
static void strip_comment(char *line)
{
	for (char *p = line; *p; p++) {
		bool hash = *p == '#' &&
			    (p == line || !(isalnum((unsigned char)p[-1]) ||
					    p[-1] == '_'));

		if (hash || *p == ';' || (p[0] == '/' && p[1] == '/') ||
		    *p == '\r') {
			*p = '\0';
			return;
		}
	}
}

/* After a listing's "12:", llvm-objdump puts the 8 raw bytes. */
static void skip_raw_bytes(struct asm_ctx *c)
{
	const char *p = c->p;

	for (int i = 0; i < 8; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]) ||
		    (p[2] && !isspace((unsigned char)p[2])))
			return;
		p += 2;
	}
	c->p = p;
}

/* "name:" and "12:" prefixes; defines labels when define is set. */
static int line_prefixes(struct asm_ctx *c, bool define)
{
	char name[ASM_NAME_MAX];

	for (;;) {
		const char *save = c->p;

		asm_blank(c);
		if (isdigit((unsigned char)*c->p)) {
			while (isdigit((unsigned char)*c->p))
				c->p++;
			if (!asm_punct(c, ":")) {
				c->p = save;
				return 0;
			}
			skip_raw_bytes(c);
			continue;
		}
		if (!asm_peek_ident(c))
			return 0;
		if (!asm_ident(c, name, sizeof(name)) || !asm_punct(c, ":")) {
			c->p = save;
			return c->failed ? -EINVAL : 0;
		}
		if (define && asm_label_define(c, name))
			return -EINVAL;
	}
}

/* Split off the next line into buf; NULL at the end of the text. */
static const char *next_line(const char *text, char *buf)
{
	const char *nl;
	size_t n;

	if (!*text)
		return NULL;
	nl = strchr(text, '\n');
	n = nl ? (size_t)(nl - text) : strlen(text);
	memcpy(buf, text, n);
	buf[n] = '\0';
	strip_comment(buf);
	return nl ? nl + 1 : text + n;
}

/* AUTO: the first statement that tells the dialects apart decides. */
static enum bpfvm_asm_dialect detect(const char *text, char *buf)
{
	while ((text = next_line(text, buf))) {
		struct asm_ctx c = { .p = buf, .first_exit = -1 };
		int ubpf;

		if (line_prefixes(&c, false) || asm_at_end(&c))
			continue;
		ubpf = asm_ubpf_looks(&c);
		if (ubpf >= 0)
			return ubpf ? BPFVM_ASM_UBPF : BPFVM_ASM_LLVM;
	}
	return BPFVM_ASM_LLVM;
}

/* One line: prefixes, the statement, and a check of what it produced. */
static int assemble_line(struct asm_ctx *c, enum bpfvm_asm_dialect d)
{
	size_t start = c->cnt;
	const char *why;
	int err = line_prefixes(c, true);

	if (err || asm_at_end(c))
		return err;
	err = d == BPFVM_ASM_UBPF ? asm_ubpf_stmt(c) : asm_llvm_stmt(c);
	if (err)
		return err;
	for (size_t i = start; i < c->cnt; i++) {
		if (!isa_insn_check_flags(c->insns, c->cnt, i,
					  ISA_CHECK_LEGACY_LD, &why))
			return asm_error(c, "%s", why);
		if (c->first_exit < 0 &&
		    c->insns[i].code == (BPF_JMP | BPF_EXIT))
			c->first_exit = (long)i;
		if (isa_is_lddw(&c->insns[i]))
			i++;
	}
	return 0;
}

static int assemble(struct asm_ctx *c, const char *text,
		    enum bpfvm_asm_dialect d)
{
	char *buf = malloc(strlen(text) + 1);
	int err = 0;

	if (!buf)
		return -ENOMEM;
	if (d == BPFVM_ASM_AUTO)
		d = detect(text, buf);
	while (!err && (text = next_line(text, buf))) {
		c->line++;
		c->p = buf;
		err = assemble_line(c, d);
	}
	free(buf);
	if (!err)
		err = asm_labels_resolve(c);
	if (!err && !c->cnt)
		err = asm_error(c, "no instructions");
	return err;
}

int bpfvm_asm_assemble(const char *text, const struct bpfvm_asm_opts *opts,
		       struct bpf_insn **insns, size_t *cnt)
{
	struct asm_ctx c = { .first_exit = -1 };
	enum bpfvm_asm_dialect d = BPFVM_ASM_AUTO;
	int err;

	if (!text || !insns || !cnt)
		return -EINVAL;
	if (opts && opts->sz >= offsetof(struct bpfvm_asm_opts, log_size) +
				     sizeof(opts->log_size)) {
		d = opts->dialect;
		c.env = opts->env;
		c.log = opts->log_buf;
		c.log_size = opts->log_buf ? opts->log_size : 0;
	}
	if (d != BPFVM_ASM_AUTO && d != BPFVM_ASM_LLVM && d != BPFVM_ASM_UBPF)
		return -EINVAL;
	if (c.log_size)
		c.log[0] = '\0';
	err = assemble(&c, text, d);
	asm_labels_free(&c);
	free(c.helpers);
	if (err) {
		free(c.insns);
		return err;
	}
	*insns = c.insns;
	*cnt = c.cnt;
	return 0;
}
