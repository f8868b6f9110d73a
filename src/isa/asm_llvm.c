/* The LLVM / kernel verifier-log syntax: everything bpfvm_insn_format
 * prints ("r0 = *(u32 *)(r1 + 4)", "if w1 s< w2 goto -2", "r1 = map[fd:3]")
 * plus what people write by hand (hex or decimal, labels as targets). */
#include "asm_priv.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define ALU_FIELD(f) offsetof(struct isa_alu_name, f)


static int same_width(struct asm_ctx *c, char a, char b)
{
	if (a == b)
		return 0;
	return asm_error(c, "mixed 32-bit (w) and 64-bit (r) registers");
}

/* "u32" (or "s16" when signed types are allowed): the BPF size bits. */
static int ctype(struct asm_ctx *c, bool allow_signed, uint8_t *size,
		 bool *sx)
{
	char name[8];

	if (asm_ident(c, name, sizeof(name)))
		for (unsigned i = 0; i < 4; i++) {
			const char *t = isa_size_names[i].ctype;

			*sx = name[0] == 's';
			if (strcmp(name + 1, t + 1) != 0 ||
			    (name[0] != 'u' && !(*sx && allow_signed && i != 3)))
				continue;
			*size = (uint8_t)(i << 3);
			return 0;
		}
	return asm_error(c, "expected a memory type (u8, u16, u32, u64%s)",
			 allow_signed ? ", s8, s16, s32" : "");
}

/* "(u32 *)(r1 + 4)": a typed memory operand, after its '*' if any. */
static int typed_ptr(struct asm_ctx *c, bool allow_signed, uint8_t *size,
		     bool *sx, unsigned *reg, int16_t *off)
{
	int err = asm_need(c, "(");

	err = err ?: ctype(c, allow_signed, size, sx);
	err = err ?: asm_need(c, "*");
	err = err ?: asm_need(c, ")");
	err = err ?: asm_need(c, "(");
	err = err ?: asm_memref(c, reg, off);
	return err ?: asm_need(c, ")");
}

/* "skb[12]" or "skb[r1 + 12]": the constant is a 32-bit imm. */
static int ld_legacy(struct asm_ctx *c, unsigned dst, uint8_t size)
{
	unsigned src = 0;
	int32_t imm = 0;
	char w;
	int err = asm_need(c, "[");

	if (err)
		return err;
	if (dst != 0)
		return asm_error(c, "LD_ABS/LD_IND load into r0 only");
	if (!asm_peek_reg(c)) {
		err = asm_imm32(c, &imm) ?: asm_need(c, "]");
		return err ?: ASM_EMIT(c, BPF_LD | BPF_ABS | size, 0, 0, 0,
				       imm);
	}
	err = asm_reg(c, &src, &w);
	if (!err && asm_punct(c, "-")) {
		struct asm_num n;

		err = asm_number(c, &n);
		if (!err && (n.neg || n.mag > 0x80000000u))
			err = asm_error(c, "offset -%.*s does not fit in 32 "
					"bits", n.len, n.text);
		imm = (int32_t)(uint32_t)-n.mag;
	} else if (!err && asm_punct(c, "+")) {
		err = asm_imm32(c, &imm);
	}
	err = err ?: asm_need(c, "]");
	return err ?: ASM_EMIT(c, BPF_LD | BPF_IND | size, 0, src, 0, imm);
}

/* "r0 = *(u32 *)(r1 + 4)", "r0 = *(s8 *)(...)", "r0 = *(u8 *)skb[12]" */
static int load(struct asm_ctx *c, unsigned dst)
{
	unsigned src;
	int16_t off;
	uint8_t size;
	bool sx;
	int err = asm_need(c, "(");

	err = err ?: ctype(c, true, &size, &sx);
	err = err ?: asm_need(c, "*");
	err = err ?: asm_need(c, ")");
	if (err)
		return err;
	if (asm_word(c, "skb")) {
		if (sx)
			return asm_error(c, "LD_ABS/LD_IND do not sign-extend");
		return ld_legacy(c, dst, size);
	}
	err = asm_need(c, "(");
	err = err ?: asm_memref(c, &src, &off);
	err = err ?: asm_need(c, ")");
	return err ?: ASM_EMIT(c, BPF_LDX | (sx ? BPF_MEMSX : BPF_MEM) | size,
			   dst, src, off, 0);
}

/* "*(u64 *)(r10 - 8) = r1" or "= 7" */
static int store(struct asm_ctx *c)
{
	unsigned dst, src;
	int16_t off;
	int32_t imm;
	uint8_t size;
	bool sx;
	char w;
	int err = typed_ptr(c, false, &size, &sx, &dst, &off);

	err = err ?: asm_need(c, "=");
	if (err)
		return err;
	if (asm_peek_reg(c))
		return asm_reg(c, &src, &w) ?:
			ASM_EMIT(c, BPF_STX | BPF_MEM | size, dst, src, off, 0);
	return asm_imm32(c, &imm) ?:
		ASM_EMIT(c, BPF_ST | BPF_MEM | size, dst, 0, off, imm);
}

static uint8_t atomic_size(char w)
{
	return w == 'w' ? BPF_W : BPF_DW;
}

/* "lock *(u64 *)(r10 - 8) += r1" */
static int lock(struct asm_ctx *c)
{
	unsigned dst, src;
	int16_t off;
	uint8_t size;
	bool sx;
	char w;
	int i, err = asm_need(c, "*");

	err = err ?: typed_ptr(c, false, &size, &sx, &dst, &off);
	if (err)
		return err;
	i = asm_longest(c, isa_atomic_names, 6, sizeof(isa_atomic_names[0]),
			offsetof(struct isa_atomic_name, sym));
	if (i < 0)
		return asm_expected(c, "an atomic operation (+=, |=, &=, ^=)");
	if (size != BPF_W && size != BPF_DW)
		return asm_error(c, "atomic operations need u32 or u64");
	return asm_reg(c, &src, &w) ?:
		ASM_EMIT(c, BPF_STX | BPF_ATOMIC | size, dst, src, off,
		     isa_atomic_names[i].imm);
}

/* "r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)" */
static int atomic_fetch(struct asm_ctx *c, const struct isa_atomic_name *a,
			unsigned dst, char dw)
{
	unsigned base, src;
	int16_t off;
	uint8_t size;
	bool sx;
	char w;
	int err = asm_need(c, "(");

	err = err ?: typed_ptr(c, false, &size, &sx, &base, &off);
	err = err ?: asm_need(c, ",");
	err = err ?: asm_reg(c, &src, &w);
	err = err ?: asm_need(c, ")");
	if (err)
		return err;
	if (src != dst)
		return asm_error(c, "%s returns into its source register",
				 a->fetch);
	if ((size != BPF_W && size != BPF_DW) || atomic_size(dw) != size)
		return asm_error(c, "%s needs u32 with w registers or u64 "
				 "with r registers", a->fetch);
	return ASM_EMIT(c, BPF_STX | BPF_ATOMIC | size, base, src, off,
		    a->imm | BPF_FETCH);
}

/* "r1 = xchg_64(r10 - 8, r1)", "r0 = cmpxchg_64(r10 - 8, r0, r1)" and
 * their 32-bit forms "xchg32_32", "cmpxchg32_32". */
static int xchg(struct asm_ctx *c, bool cmp, unsigned dst, char dw)
{
	unsigned base, src, r0;
	int16_t off;
	char w;
	int err = asm_need(c, "(");

	err = err ?: asm_memref(c, &base, &off);
	err = err ?: asm_need(c, ",");
	if (!err && cmp) {
		err = asm_reg(c, &r0, &w) ?: asm_need(c, ",");
		if (!err && (r0 != 0 || dst != 0))
			return asm_error(c, "cmpxchg compares with and returns "
					 "into r0");
	}
	err = err ?: asm_reg(c, &src, &w);
	err = err ?: asm_need(c, ")");
	if (err)
		return err;
	if (!cmp && src != dst)
		return asm_error(c, "xchg returns into its source register");
	return ASM_EMIT(c, BPF_STX | BPF_ATOMIC | atomic_size(dw), base, src, off,
		    cmp ? BPF_CMPXCHG : BPF_XCHG);
}

/* "map[fd:3]", "map[idx:0][0]+16", "btf[id:5]", "btf[id:5][fd:2]". */
static int pseudo_ref(struct asm_ctx *c, const char *kind, unsigned dst)
{
	int32_t lo = 0, hi = 0;
	uint8_t src;
	int err = asm_need(c, "[");
	bool is_map = strcmp(kind, "map") == 0;

	if (err)
		return err;
	if (is_map && asm_word(c, "fd"))
		src = BPF_PSEUDO_MAP_FD;
	else if (is_map && asm_word(c, "idx"))
		src = BPF_PSEUDO_MAP_IDX;
	else if (!is_map && asm_word(c, "id"))
		src = BPF_PSEUDO_BTF_ID;
	else
		return asm_expected(c, is_map ? "'fd' or 'idx'" : "'id'");
	err = asm_need(c, ":") ?: asm_imm32(c, &lo) ?: asm_need(c, "]");
	if (err)
		return err;
	if (is_map && asm_punct(c, "[")) {
		/* a map value: "[0]+off" */
		err = asm_need(c, "0") ?: asm_need(c, "]") ?:
		      asm_need(c, "+") ?: asm_imm32(c, &hi);
		src = src == BPF_PSEUDO_MAP_FD ? BPF_PSEUDO_MAP_VALUE
					       : BPF_PSEUDO_MAP_IDX_VALUE;
	} else if (!is_map && asm_punct(c, "[")) {
		err = (asm_word(c, "fd") ? 0 : asm_expected(c, "'fd'")) ?:
		      asm_need(c, ":") ?: asm_imm32(c, &hi) ?:
		      asm_need(c, "]");
	}
	if (err)
		return err;
	return asm_emit_lddw(c, dst, src, (uint32_t)lo, (uint32_t)hi)
		? asm_end(c) : -ENOMEM;
}

/* "func[pc+3]" or "func[label]": the address of a subprogram. */
static int pseudo_func(struct asm_ctx *c, unsigned dst)
{
	int err = asm_need(c, "[");

	if (err)
		return err;
	if (!asm_emit_lddw(c, dst, BPF_PSEUDO_FUNC, 0, 0))
		return -ENOMEM;
	/* asm_target patches the last slot: point it at the first one */
	c->cnt--;
	asm_word(c, "pc");
	err = asm_target(c, ASM_FIX_IMM);
	c->cnt++;
	return err ?: asm_need(c, "]") ?: asm_end(c);
}

/* "r0 = be16 r0", "r0 = le64 r0", "r0 = bswap32 r0" */
static int byteswap(struct asm_ctx *c, const char *name, unsigned dst)
{
	static const struct { const char *name; uint8_t code; } kinds[] = {
		{ "be", BPF_ALU | BPF_END | BPF_TO_BE },
		{ "le", BPF_ALU | BPF_END | BPF_TO_LE },
		{ "bswap", BPF_ALU64 | BPF_END | BPF_K },
	};
	unsigned src;
	char w;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].name);
		const char *width = name + n;

		if (strncmp(name, kinds[i].name, n) != 0 ||
		    (strcmp(width, "16") && strcmp(width, "32") &&
		     strcmp(width, "64")))
			continue;
		if (asm_reg(c, &src, &w))
			return -EINVAL;
		if (src != dst)
			return asm_error(c, "%s works in place: 'r%u = %s r%u'",
					 name, dst, name, dst);
		return ASM_EMIT(c, kinds[i].code, dst, 0, 0,
			    (int32_t)strtol(width, NULL, 10));
	}
	return 1; /* not a byte swap */
}

/* The right-hand sides that start with a name. */
static int rhs_named(struct asm_ctx *c, unsigned dst, char w)
{
	char name[ASM_NAME_MAX];
	const char *start = c->p;
	int err;

	if (!asm_ident(c, name, sizeof(name)))
		return -EINVAL;
	err = byteswap(c, name, dst);
	if (err <= 0)
		return err;
	if (!strcmp(name, "map") || !strcmp(name, "btf") ||
	    !strcmp(name, "func")) {
		if (w != 'r')
			return asm_error(c, "%s[...] loads a 64-bit register",
					 name);
		return name[0] == 'f' ? pseudo_func(c, dst)
				      : pseudo_ref(c, name, dst);
	}
	if (!strcmp(name, "xchg_64") || !strcmp(name, "cmpxchg_64") ||
	    !strcmp(name, "xchg32_32") || !strcmp(name, "cmpxchg32_32")) {
		if ((w == 'w') != (strstr(name, "32_32") != NULL))
			return asm_error(c, "%s needs %s registers", name,
					 w == 'w' ? "r" : "w");
		return xchg(c, name[0] == 'c', dst, w);
	}
	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(name, isa_atomic_names[i].fetch))
			return atomic_fetch(c, &isa_atomic_names[i], dst, w);
	c->p = start;
	return asm_expected(c, "a value");
}

/* Everything after "rD =". */
static int assign(struct asm_ctx *c, unsigned dst, char w)
{
	uint8_t cls = w == 'w' ? BPF_ALU : BPF_ALU64;
	const char *save = c->p;
	unsigned src;
	char sw;
	int32_t imm;
	uint64_t v;

	if (asm_punct(c, "-") && asm_peek_reg(c)) {
		if (asm_reg(c, &src, &sw) || same_width(c, w, sw))
			return -EINVAL;
		if (src != dst)
			return asm_error(c, "neg works in place: '%c%u = -%c%u'",
					 w, dst, w, dst);
		return ASM_EMIT(c, cls | BPF_NEG, dst, 0, 0, 0);
	}
	c->p = save;
	if (asm_punct(c, "(")) {
		/* movsx: "(s8)w1", "(s32)r1" */
		uint8_t size;
		bool sx;

		if (ctype(c, true, &size, &sx) || !sx || size == BPF_DW)
			return c->failed ? -EINVAL
				: asm_error(c, "expected (s8), (s16) or (s32)");
		if (asm_need(c, ")") || asm_reg(c, &src, &sw) ||
		    same_width(c, w, sw))
			return -EINVAL;
		return ASM_EMIT(c, cls | BPF_MOV | BPF_X, dst, src,
			    (int16_t)isa_size_names[size >> 3].bits, 0);
	}
	if (asm_punct(c, "*"))
		return load(c, dst);
	if (asm_peek_reg(c))
		return asm_reg(c, &src, &sw) ?: same_width(c, w, sw) ?:
			ASM_EMIT(c, cls | BPF_MOV | BPF_X, dst, src, 0, 0);
	if (asm_peek_ident(c))
		return rhs_named(c, dst, w);
	save = c->p;
	if (asm_imm64(c, &v))
		return -EINVAL;
	if (asm_word(c, "ll")) {
		if (w != 'r')
			return asm_error(c, "lddw loads a 64-bit register");
		return asm_emit_lddw(c, dst, 0, (uint32_t)v,
				     (uint32_t)(v >> 32)) ? asm_end(c) : -ENOMEM;
	}
	c->p = save;
	return asm_imm32(c, &imm) ?:
		ASM_EMIT(c, cls | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

/* "rD op= rS|imm" (op "=" goes to assign()). */
static int reg_stmt(struct asm_ctx *c)
{
	unsigned dst, src;
	char w, sw;
	const char *save;
	int op, sop;
	int32_t imm;
	uint8_t cls;

	if (asm_reg(c, &dst, &w))
		return -EINVAL;
	save = c->p;
	op = asm_longest(c, isa_alu_names, 16, sizeof(isa_alu_names[0]),
			 ALU_FIELD(sym));
	if (op >= 0) {
		/* "s/=" beats "/=" when both match: prefer the longer */
		const char *end = c->p;

		c->p = save;
		sop = asm_longest(c, isa_alu_names, 16,
				  sizeof(isa_alu_names[0]), ALU_FIELD(sym_s));
		if (sop < 0 || c->p <= end)
			c->p = end, sop = -1;
	} else {
		sop = asm_longest(c, isa_alu_names, 16,
				  sizeof(isa_alu_names[0]), ALU_FIELD(sym_s));
	}
	if (op < 0 && sop < 0)
		return asm_expected(c, "an assignment or ALU operator");
	if (sop < 0 && op == BPF_MOV >> 4)
		return assign(c, dst, w);
	cls = (w == 'w' ? BPF_ALU : BPF_ALU64) |
	      (uint8_t)((sop >= 0 ? sop : op) << 4);
	if (asm_peek_reg(c))
		return asm_reg(c, &src, &sw) ?: same_width(c, w, sw) ?:
			ASM_EMIT(c, cls | BPF_X, dst, src, sop >= 0, 0);
	return asm_imm32(c, &imm) ?: ASM_EMIT(c, cls | BPF_K, dst, 0, sop >= 0, imm);
}

/* "if r1 > 0x5 goto +3", "if w1 s< w2 goto label" */
static int cond_jump(struct asm_ctx *c)
{
	unsigned dst, src = 0;
	char w, sw;
	int32_t imm = 0;
	uint8_t code;
	int op;

	if (asm_reg(c, &dst, &w))
		return -EINVAL;
	op = asm_longest(c, isa_jmp_names, 16, sizeof(isa_jmp_names[0]),
			 offsetof(struct isa_jmp_name, sym));
	if (op < 0)
		return asm_expected(c, "a comparison");
	code = (w == 'w' ? BPF_JMP32 : BPF_JMP) | (uint8_t)(op << 4);
	if (asm_peek_reg(c)) {
		if (asm_reg(c, &src, &sw) || same_width(c, w, sw))
			return -EINVAL;
		code |= BPF_X;
	} else if (asm_imm32(c, &imm)) {
		return -EINVAL;
	}
	if (!asm_word(c, "goto"))
		return asm_expected(c, "'goto'");
	if (!asm_emit_insn(c, code, dst, src, 0, imm))
		return -ENOMEM;
	return asm_target(c, ASM_FIX_OFF) ?: asm_end(c);
}

/* "call bpf_map_lookup_elem#1", "call 1", "call name", "call pc+3",
 * "call label", "call kfunc[id:N][btf:M]" */
static int call(struct asm_ctx *c)
{
	char name[ASM_NAME_MAX];
	struct bpf_insn *in = asm_emit_insn(c, BPF_JMP | BPF_CALL, 0, 0, 0, 0);
	int32_t id;

	if (!in)
		return -ENOMEM;
	if (asm_word(c, "pc")) {
		in->src_reg = BPF_PSEUDO_CALL;
		return asm_target(c, ASM_FIX_IMM) ?: asm_end(c);
	}
	if (!asm_peek_ident(c))
		return asm_imm32(c, &in->imm) ?: asm_end(c);
	if (asm_word(c, "kfunc")) {
		in->src_reg = BPF_PSEUDO_KFUNC_CALL;
		if (asm_need(c, "[") || !asm_word(c, "id") ||
		    asm_need(c, ":") || asm_imm32(c, &in->imm) ||
		    asm_need(c, "]"))
			return c->failed ? -EINVAL : asm_expected(c, "'id'");
		if (asm_punct(c, "[") &&
		    (!asm_word(c, "btf") || asm_need(c, ":") ||
		     asm_off16(c, &in->off) || asm_need(c, "]")))
			return c->failed ? -EINVAL : asm_expected(c, "'btf'");
		return asm_end(c);
	}
	if (!asm_ident(c, name, sizeof(name)))
		return -EINVAL;
	if (*c->p == '#') {
		/* "name#id": the id decides, the name is a comment */
		c->p++;
		if (asm_imm32(c, &id))
			return -EINVAL;
		in->imm = id;
		return asm_end(c);
	}
	return asm_call_named(c, name) ?: asm_end(c);
}

int asm_llvm_stmt(struct asm_ctx *c)
{
	unsigned reg;
	char w;

	if (asm_word(c, "exit"))
		return ASM_EMIT(c, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	if (asm_word(c, "goto"))
		return asm_emit_insn(c, BPF_JMP | BPF_JA, 0, 0, 0, 0)
			? asm_target(c, ASM_FIX_OFF) ?: asm_end(c) : -ENOMEM;
	if (asm_word(c, "gotol"))
		return asm_emit_insn(c, BPF_JMP32 | BPF_JA, 0, 0, 0, 0)
			? asm_target(c, ASM_FIX_IMM) ?: asm_end(c) : -ENOMEM;
	if (asm_word(c, "callx"))
		return asm_reg(c, &reg, &w) ?:
			ASM_EMIT(c, BPF_JMP | BPF_CALL | BPF_X, reg, 0, 0, 0);
	if (asm_word(c, "call"))
		return call(c);
	if (asm_word(c, "if"))
		return cond_jump(c);
	if (asm_word(c, "lock"))
		return lock(c);
	if (asm_punct(c, "*"))
		return store(c);
	if (asm_peek_reg(c))
		return reg_stmt(c);
	return asm_expected(c, "an instruction");
}
