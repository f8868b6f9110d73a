/* Token readers over one line, shared by both assembly dialects. */
#include "asm_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int asm_error(struct asm_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return -EINVAL;
	c->failed = true;
	if (!c->log || !c->log_size)
		return -EINVAL;
	n = snprintf(c->log, c->log_size, "line %u: ", c->line);
	if (n >= 0 && (size_t)n < c->log_size) {
		va_start(ap, fmt);
		vsnprintf(c->log + n, c->log_size - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The token at the cursor, for messages: up to the next blank. */
static int token_len(const char *p)
{
	int n = 0;

	while (p[n] && !isspace((unsigned char)p[n]) && n < 32)
		n++;
	return n;
}

int asm_expected(struct asm_ctx *c, const char *what)
{
	asm_blank(c);
	if (!*c->p)
		return asm_error(c, "expected %s at the end of the line", what);
	return asm_error(c, "expected %s, found '%.*s'", what,
			 token_len(c->p), c->p);
}

void asm_blank(struct asm_ctx *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

bool asm_at_end(struct asm_ctx *c)
{
	asm_blank(c);
	return *c->p == '\0';
}

int asm_end(struct asm_ctx *c)
{
	if (asm_at_end(c))
		return 0;
	return asm_error(c, "unexpected '%.*s' at the end of the instruction",
			 token_len(c->p), c->p);
}

static bool ident_char(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '.' || ch == '$';
}

bool asm_punct(struct asm_ctx *c, const char *s)
{
	size_t n = strlen(s);

	asm_blank(c);
	if (strncmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

bool asm_word(struct asm_ctx *c, const char *w)
{
	size_t n = strlen(w);

	asm_blank(c);
	if (strncmp(c->p, w, n) != 0 || ident_char((unsigned char)c->p[n]))
		return false;
	c->p += n;
	return true;
}

int asm_need(struct asm_ctx *c, const char *s)
{
	if (asm_punct(c, s))
		return 0;
	char what[16];

	snprintf(what, sizeof(what), "'%s'", s);
	return asm_expected(c, what);
}

int asm_longest(struct asm_ctx *c, const void *table, size_t n,
		size_t stride, size_t field)
{
	size_t best_len = 0;
	int best = -1;

	asm_blank(c);
	for (size_t i = 0; i < n; i++) {
		const char *s = *(const char *const *)((const char *)table +
						       i * stride + field);
		size_t len = s ? strlen(s) : 0;

		if (len > best_len && strncmp(c->p, s, len) == 0) {
			best_len = len;
			best = (int)i;
		}
	}
	c->p += best_len;
	return best;
}

bool asm_peek_ident(struct asm_ctx *c)
{
	asm_blank(c);
	return isalpha((unsigned char)*c->p) || *c->p == '_' || *c->p == '.';
}

size_t asm_ident(struct asm_ctx *c, char *buf, size_t size)
{
	size_t n = 0;

	if (!asm_peek_ident(c))
		return 0;
	while (ident_char((unsigned char)c->p[n]))
		n++;
	if (n >= size) {
		asm_error(c, "name '%.*s...' is too long", 16, c->p);
		return 0;
	}
	memcpy(buf, c->p, n);
	buf[n] = '\0';
	c->p += n;
	return n;
}

/* "r7", "w7", "%r7": the letter and where the digits start. */
static const char *reg_digits(const char *p)
{
	if (*p == '%')
		p++;
	if ((*p == 'r' || *p == 'w') && isdigit((unsigned char)p[1]))
		return p + 1;
	return NULL;
}

bool asm_peek_reg(struct asm_ctx *c)
{
	asm_blank(c);
	return reg_digits(c->p) != NULL;
}

int asm_reg(struct asm_ctx *c, unsigned *reg, char *wide)
{
	const char *start, *d, *end;
	unsigned v = 0;
	bool ok;

	asm_blank(c);
	start = c->p;
	d = reg_digits(start);
	if (!d)
		return asm_expected(c, "a register");
	for (end = d; ident_char((unsigned char)*end); end++)
		;
	ok = end - d <= 2;
	for (const char *q = d; q < end; q++) {
		ok = ok && isdigit((unsigned char)*q);
		v = v * 10 + (unsigned)(*q - '0');
	}
	if (!ok || v > 10)
		return asm_error(c, "unknown register '%.*s'",
				 (int)(end - start), start);
	*reg = v;
	*wide = d[-1];
	c->p = end;
	return 0;
}

int asm_number(struct asm_ctx *c, struct asm_num *n)
{
	const char *p;
	unsigned base = 10;
	bool any = false;

	asm_blank(c);
	p = c->p;
	n->text = p;
	n->neg = *p == '-';
	n->mag = 0;
	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++, any = true) {
		int ch = tolower((unsigned char)*p), dig;

		if (isdigit(ch))
			dig = ch - '0';
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			dig = ch - 'a' + 10;
		else
			break;
		if (n->mag > (UINT64_MAX - (unsigned)dig) / base) {
			while (ident_char((unsigned char)*p))
				p++;
			return asm_error(c, "number '%.*s' is too large",
					 (int)(p - n->text), n->text);
		}
		n->mag = n->mag * base + (unsigned)dig;
	}
	if (!any || ident_char((unsigned char)*p))
		return asm_expected(c, "a number");
	n->len = (int)(p - n->text);
	c->p = p;
	return 0;
}

/* Does a number lie in [-2^(bits-1), 2^bits)? Both signed and unsigned
 * spellings of a field are accepted ("-1" and "0xffffffff"). */
static bool fits(const struct asm_num *n, unsigned bits)
{
	if (n->neg)
		return n->mag <= (uint64_t)1 << (bits - 1);
	return bits == 64 || n->mag < (uint64_t)1 << bits;
}

static uint64_t num_value(const struct asm_num *n)
{
	return n->neg ? -n->mag : n->mag;
}

int asm_imm32(struct asm_ctx *c, int32_t *out)
{
	struct asm_num n;
	int err = asm_number(c, &n);

	if (err)
		return err;
	if (!fits(&n, 32))
		return asm_error(c, "immediate %.*s does not fit in 32 bits",
				 n.len, n.text);
	*out = (int32_t)(uint32_t)num_value(&n);
	return 0;
}

int asm_imm64(struct asm_ctx *c, uint64_t *out)
{
	struct asm_num n;
	int err = asm_number(c, &n);

	if (err)
		return err;
	if (!fits(&n, 64))
		return asm_error(c, "immediate %.*s does not fit in 64 bits",
				 n.len, n.text);
	*out = num_value(&n);
	return 0;
}

/* An offset is signed: "0xffff" is not -1 here. negate applies the
 * operator of "r1 - 8". */
static int to_off16(struct asm_ctx *c, const struct asm_num *n, bool negate,
		    int16_t *out)
{
	bool neg = n->neg != negate && n->mag != 0;

	if (neg ? n->mag > 0x8000 : n->mag > 0x7fff)
		return asm_error(c, "offset %s%.*s does not fit in 16 bits",
				 negate ? "-" : "", n->len, n->text);
	*out = (int16_t)(neg ? -(int64_t)n->mag : (int64_t)n->mag);
	return 0;
}

int asm_off16(struct asm_ctx *c, int16_t *out)
{
	struct asm_num n;
	int err = asm_number(c, &n);

	return err ? err : to_off16(c, &n, false, out);
}

int asm_memref(struct asm_ctx *c, unsigned *reg, int16_t *off)
{
	struct asm_num n;
	char wide;
	bool neg;
	int err = asm_reg(c, reg, &wide);

	*off = 0;
	if (err)
		return err;
	asm_blank(c);
	if (*c->p != '+' && *c->p != '-')
		return 0;
	neg = *c->p++ == '-';
	err = asm_number(c, &n);
	return err ? err : to_off16(c, &n, neg, off);
}

int asm_target(struct asm_ctx *c, enum asm_fix_kind kind)
{
	char name[ASM_NAME_MAX];
	struct bpf_insn *in = &c->insns[c->cnt - 1];

	if (asm_peek_ident(c)) {
		if (!asm_ident(c, name, sizeof(name)))
			return -EINVAL;
		return asm_fixup_add(c, name, kind);
	}
	if (kind == ASM_FIX_OFF)
		return asm_off16(c, &in->off);
	return asm_imm32(c, &in->imm);
}
