/* The uBPF / bpf_conformance dialect: "mnemonic operand, operand" with
 * %r registers and [%rN+off] memory ("mov32 %r0, 1", "ldxw %r0, [%r1+2]",
 * "jeq %r1, 5, label", "lock fetch add [%r10-8], %r1"). */
#include "asm_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "add32" -> "add" and 32-bit; "add64" and "add" -> 64-bit. */
static bool split_width(const char *m, char *base, size_t size, bool *is32)
{
	size_t n = strlen(m);

	*is32 = n > 2 && strcmp(m + n - 2, "32") == 0;
	if (*is32 || (n > 2 && strcmp(m + n - 2, "64") == 0))
		n -= 2;
	if (n >= size)
		return false;
	memcpy(base, m, n);
	base[n] = '\0';
	return true;
}

static int reg(struct asm_ctx *c, unsigned *r)
{
	char w;

	return asm_reg(c, r, &w);
}

/* "[%r1+2]", "[%r10-8]", "[%r1]" */
static int mem(struct asm_ctx *c, unsigned *r, int16_t *off)
{
	return asm_need(c, "[") ?: asm_memref(c, r, off) ?: asm_need(c, "]");
}

/* The size suffix of "ldxdw": BPF size bits, or -1. */
static int size_suffix(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, isa_size_names[i].ubpf) == 0)
			return i << 3;
	return -1;
}

/* ldx, ldxs, st, stx, ldabs, ldind + b/h/w/dw. 1 when m is none. */
static int memory_op(struct asm_ctx *c, const char *m)
{
	static const char *const prefixes[] = { "ldxs", "ldx", "stx", "st",
						"ldabs", "ldind" };
	unsigned dst = 0, src = 0;
	int16_t off = 0;
	int32_t imm = 0;
	size_t i, n = 0;
	int size = -1, err;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (!strncmp(m, prefixes[i], n) &&
		    (size = size_suffix(m + n)) >= 0)
			break;
	}
	switch (i) {
	case 0:
	case 1:
		err = reg(c, &dst) ?: asm_need(c, ",") ?: mem(c, &src, &off);
		return err ?: ASM_EMIT(c, BPF_LDX | (i ? BPF_MEM : BPF_MEMSX) |
				       size, dst, src, off, 0);
	case 2:
		err = mem(c, &dst, &off) ?: asm_need(c, ",") ?: reg(c, &src);
		return err ?: ASM_EMIT(c, BPF_STX | BPF_MEM | size, dst, src,
				       off, 0);
	case 3:
		err = mem(c, &dst, &off) ?: asm_need(c, ",") ?:
		      asm_imm32(c, &imm);
		return err ?: ASM_EMIT(c, BPF_ST | BPF_MEM | size, dst, 0, off,
				       imm);
	case 4:
		return asm_imm32(c, &imm) ?:
			ASM_EMIT(c, BPF_LD | BPF_ABS | size, 0, 0, 0, imm);
	case 5:
		err = reg(c, &src) ?: asm_need(c, ",") ?: asm_imm32(c, &imm);
		return err ?: ASM_EMIT(c, BPF_LD | BPF_IND | size, 0, src, 0,
				       imm);
	}
	return 1;
}

/* be16/le32/bswap64/swap16 %rN. 1 when m is none. */
static int byteswap(struct asm_ctx *c, const char *m)
{
	static const struct { const char *name; uint8_t code; } kinds[] = {
		{ "be", BPF_ALU | BPF_END | BPF_TO_BE },
		{ "le", BPF_ALU | BPF_END | BPF_TO_LE },
		{ "bswap", BPF_ALU64 | BPF_END | BPF_K },
		{ "swap", BPF_ALU64 | BPF_END | BPF_K },
	};
	unsigned dst;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].name);
		const char *w = m + n;

		if (strncmp(m, kinds[i].name, n) != 0 ||
		    (strcmp(w, "16") && strcmp(w, "32") && strcmp(w, "64")))
			continue;
		return reg(c, &dst) ?: ASM_EMIT(c, kinds[i].code, dst, 0, 0,
						(int32_t)strtol(w, NULL, 10));
	}
	return 1;
}

/* movsx832, movsx1632, movsx864, movsx1664, movsx3264. 1 when none. */
static int movsx(struct asm_ctx *c, const char *m)
{
	static const struct { const char *name; uint8_t cls; int16_t off; }
	forms[] = {
		{ "movsx832", BPF_ALU, 8 },    { "movsx1632", BPF_ALU, 16 },
		{ "movsx864", BPF_ALU64, 8 },  { "movsx1664", BPF_ALU64, 16 },
		{ "movsx3264", BPF_ALU64, 32 },
	};
	unsigned dst, src;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (!strcmp(m, forms[i].name))
			return reg(c, &dst) ?: asm_need(c, ",") ?:
				reg(c, &src) ?:
				ASM_EMIT(c, forms[i].cls | BPF_MOV | BPF_X,
					 dst, src, forms[i].off, 0);
	return 1;
}

/* add, sub, ..., sdiv, smod with optional 32/64. 1 when m is none. */
static int alu(struct asm_ctx *c, const char *m)
{
	char base[16];
	bool is32;
	unsigned dst, src;
	int32_t imm;
	int16_t sgn = 0;
	int op = -1;

	if (!split_width(m, base, sizeof(base), &is32))
		return 1;
	for (int i = 0; i < 16 && op < 0; i++) {
		const struct isa_alu_name *n = &isa_alu_names[i];

		if (n->ubpf && i != BPF_END >> 4 && !strcmp(base, n->ubpf))
			op = i;
		else if (n->ubpf_s && !strcmp(base, n->ubpf_s))
			op = i, sgn = ISA_OFF_SIGNED;
	}
	if (op < 0)
		return 1;
	uint8_t code = (is32 ? BPF_ALU : BPF_ALU64) | (uint8_t)(op << 4);

	if (reg(c, &dst))
		return -EINVAL;
	if (op == BPF_NEG >> 4)
		return ASM_EMIT(c, code, dst, 0, 0, 0);
	if (asm_need(c, ","))
		return -EINVAL;
	if (asm_peek_reg(c))
		return reg(c, &src) ?:
			ASM_EMIT(c, code | BPF_X, dst, src, sgn, 0);
	return asm_imm32(c, &imm) ?: ASM_EMIT(c, code, dst, 0, sgn, imm);
}

/* jeq %r1, 5, target (and the other comparisons, optional 32). */
static int jump(struct asm_ctx *c, const char *m)
{
	char base[16];
	bool is32;
	unsigned dst, src = 0;
	int32_t imm = 0;
	int op = -1;
	uint8_t code;

	if (!split_width(m, base, sizeof(base), &is32))
		return 1;
	for (int i = 0; i < 16 && op < 0; i++)
		if (isa_jmp_names[i].sym && !strcmp(base, isa_jmp_names[i].ubpf))
			op = i;
	if (op < 0)
		return 1;
	code = (is32 ? BPF_JMP32 : BPF_JMP) | (uint8_t)(op << 4);
	if (reg(c, &dst) || asm_need(c, ","))
		return -EINVAL;
	if (asm_peek_reg(c)) {
		if (reg(c, &src))
			return -EINVAL;
		code |= BPF_X;
	} else if (asm_imm32(c, &imm)) {
		return -EINVAL;
	}
	if (asm_need(c, ",") || !asm_emit_insn(c, code, dst, src, 0, imm))
		return -EINVAL;
	return asm_target(c, ASM_FIX_OFF) ?: asm_end(c);
}

/* lock [fetch] add|or|and|xor|xchg|cmpxchg[32] [%rD+off], %rS */
static int lock(struct asm_ctx *c)
{
	char m[16], base[16];
	bool fetch = asm_word(c, "fetch"), is32;
	unsigned dst, src;
	int16_t off;

	if (!asm_ident(c, m, sizeof(m)) ||
	    !split_width(m, base, sizeof(base), &is32))
		return asm_expected(c, "an atomic operation");
	for (size_t i = 0; i < 6; i++) {
		const struct isa_atomic_name *a = &isa_atomic_names[i];

		if (strcmp(base, a->ubpf) != 0)
			continue;
		return mem(c, &dst, &off) ?: asm_need(c, ",") ?:
			reg(c, &src) ?:
			ASM_EMIT(c, BPF_STX | BPF_ATOMIC |
				 (is32 ? BPF_W : BPF_DW), dst, src, off,
				 a->imm | (fetch ? BPF_FETCH : 0));
	}
	return asm_error(c, "unknown atomic operation '%s'", m);
}

/* call 5 | call local f | call %r2 | call helper_name */
static int call(struct asm_ctx *c)
{
	char name[ASM_NAME_MAX];
	struct bpf_insn *in;
	unsigned r;

	if (asm_peek_reg(c))
		return reg(c, &r) ?:
			ASM_EMIT(c, BPF_JMP | BPF_CALL | BPF_X, r, 0, 0, 0);
	in = asm_emit_insn(c, BPF_JMP | BPF_CALL, 0, 0, 0, 0);
	if (!in)
		return -ENOMEM;
	if (asm_word(c, "local")) {
		in->src_reg = BPF_PSEUDO_CALL;
		return asm_target(c, ASM_FIX_IMM) ?: asm_end(c);
	}
	if (!asm_peek_ident(c))
		return asm_imm32(c, &in->imm) ?: asm_end(c);
	if (!asm_ident(c, name, sizeof(name)))
		return -EINVAL;
	return asm_call_named(c, name) ?: asm_end(c);
}

static int simple(struct asm_ctx *c, const char *m)
{
	unsigned dst;
	uint64_t v;

	if (!strcmp(m, "exit"))
		return ASM_EMIT(c, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	if (!strcmp(m, "call"))
		return call(c);
	if (!strcmp(m, "lock"))
		return lock(c);
	if (!strcmp(m, "ja") || !strcmp(m, "ja32")) {
		bool l = m[2] != '\0';

		if (!asm_emit_insn(c, (l ? BPF_JMP32 : BPF_JMP) | BPF_JA, 0, 0,
				   0, 0))
			return -ENOMEM;
		return asm_target(c, l ? ASM_FIX_IMM : ASM_FIX_OFF) ?:
			asm_end(c);
	}
	if (!strcmp(m, "lddw"))
		return reg(c, &dst) ?: asm_need(c, ",") ?: asm_imm64(c, &v) ?:
			(asm_emit_lddw(c, dst, 0, (uint32_t)v,
				       (uint32_t)(v >> 32)) ? asm_end(c)
							    : -ENOMEM);
	return 1;
}

int asm_ubpf_stmt(struct asm_ctx *c)
{
	int (*const parsers[])(struct asm_ctx *, const char *) = {
		simple, memory_op, byteswap, movsx, alu, jump,
	};
	char m[ASM_NAME_MAX];

	if (!asm_ident(c, m, sizeof(m)))
		return asm_expected(c, "an instruction");
	for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
		int ret = parsers[i](c, m);

		if (ret <= 0)
			return ret;
	}
	return asm_error(c, "unknown instruction '%s'", m);
}

int asm_ubpf_looks(struct asm_ctx *c)
{
	char m[ASM_NAME_MAX];

	if (asm_punct(c, "*"))
		return 0;
	if (!asm_ident(c, m, sizeof(m)) || !strcmp(m, "exit"))
		return -1;
	if (!strcmp(m, "call"))
		return strchr(c->p, '%') || asm_word(c, "local") ? 1 : -1;
	if (!strcmp(m, "lock"))
		return !asm_punct(c, "*");
	if (!strcmp(m, "if") || !strcmp(m, "goto") || !strcmp(m, "gotol") ||
	    !strcmp(m, "callx"))
		return 0;
	/* "r0 = 1": a register starts an LLVM statement */
	return !((m[0] == 'r' || m[0] == 'w') && m[1] >= '0' && m[1] <= '9');
}
