/* Encoding validity of one instruction (RFC 9669 plus the kernel's rules
 * for reserved fields), and the op-name tables the disassembler and the
 * assembler share. Control flow and types are the validator's business. */
#include "isa.h"

const struct isa_alu_name isa_alu_names[16] = {
	[BPF_ADD >> 4] = { "add", "+=", NULL, NULL },
	[BPF_SUB >> 4] = { "sub", "-=", NULL, NULL },
	[BPF_MUL >> 4] = { "mul", "*=", NULL, NULL },
	[BPF_DIV >> 4] = { "div", "/=", "sdiv", "s/=" },
	[BPF_OR >> 4] = { "or", "|=", NULL, NULL },
	[BPF_AND >> 4] = { "and", "&=", NULL, NULL },
	[BPF_LSH >> 4] = { "lsh", "<<=", NULL, NULL },
	[BPF_RSH >> 4] = { "rsh", ">>=", NULL, NULL },
	[BPF_NEG >> 4] = { "neg", NULL, NULL, NULL },
	[BPF_MOD >> 4] = { "mod", "%=", "smod", "s%=" },
	[BPF_XOR >> 4] = { "xor", "^=", NULL, NULL },
	[BPF_MOV >> 4] = { "mov", "=", NULL, NULL },
	[BPF_ARSH >> 4] = { "arsh", "s>>=", NULL, NULL },
	[BPF_END >> 4] = { "end", NULL, NULL, NULL },
};

const struct isa_jmp_name isa_jmp_names[16] = {
	[BPF_JA >> 4] = { "ja", NULL },
	[BPF_JEQ >> 4] = { "jeq", "==" },
	[BPF_JGT >> 4] = { "jgt", ">" },
	[BPF_JGE >> 4] = { "jge", ">=" },
	[BPF_JSET >> 4] = { "jset", "&" },
	[BPF_JNE >> 4] = { "jne", "!=" },
	[BPF_JSGT >> 4] = { "jsgt", "s>" },
	[BPF_JSGE >> 4] = { "jsge", "s>=" },
	[BPF_CALL >> 4] = { "call", NULL },
	[BPF_EXIT >> 4] = { "exit", NULL },
	[BPF_JLT >> 4] = { "jlt", "<" },
	[BPF_JLE >> 4] = { "jle", "<=" },
	[BPF_JSLT >> 4] = { "jslt", "s<" },
	[BPF_JSLE >> 4] = { "jsle", "s<=" },
};

const struct isa_size_name isa_size_names[4] = {
	[BPF_W >> 3] = { "u32", "w", 32 },
	[BPF_H >> 3] = { "u16", "h", 16 },
	[BPF_B >> 3] = { "u8", "b", 8 },
	[BPF_DW >> 3] = { "u64", "dw", 64 },
};

const struct isa_atomic_name isa_atomic_names[6] = {
	{ BPF_ADD, "add", "+=", "atomic_fetch_add" },
	{ BPF_OR, "or", "|=", "atomic_fetch_or" },
	{ BPF_AND, "and", "&=", "atomic_fetch_and" },
	{ BPF_XOR, "xor", "^=", "atomic_fetch_xor" },
	{ BPF_XCHG, "xchg", NULL, "xchg" },
	{ BPF_CMPXCHG, "cmpxchg", NULL, "cmpxchg" },
};

const struct isa_atomic_name *isa_atomic_lookup(int32_t imm)
{
	for (size_t i = 0; i < sizeof(isa_atomic_names) /
				    sizeof(isa_atomic_names[0]); i++) {
		const struct isa_atomic_name *a = &isa_atomic_names[i];

		if (imm == a->imm || (a->sym && imm == (a->imm | BPF_FETCH)))
			return a;
	}
	return NULL;
}

/* Each check_* returns NULL when the instruction is fine, else why not. */

static const char *bad_reg(bool dst, uint8_t reg)
{
	static const char *const dsts[5] = {
		"invalid dst register r11", "invalid dst register r12",
		"invalid dst register r13", "invalid dst register r14",
		"invalid dst register r15",
	};
	static const char *const srcs[5] = {
		"invalid src register r11", "invalid src register r12",
		"invalid src register r13", "invalid src register r14",
		"invalid src register r15",
	};

	/* reg is a 4-bit field above 10: 11..15 */
	return (dst ? dsts : srcs)[(unsigned)(reg - 11) % 5];
}

static const char *check_regs(const struct bpf_insn *insn, bool dst_used,
			      bool src_used)
{
	if (dst_used && insn->dst_reg > 10)
		return bad_reg(true, insn->dst_reg);
	if (!dst_used && insn->dst_reg != 0)
		return "unused dst register field must be 0";
	if (src_used && insn->src_reg > 10)
		return bad_reg(false, insn->src_reg);
	if (!src_used && insn->src_reg != 0)
		return "unused src register field must be 0";
	return NULL;
}

static const char *unknown_alu_op(bool is64, uint8_t op)
{
	static const char *const r32[2] = { "unknown ALU operation 0xe0",
					    "unknown ALU operation 0xf0" };
	static const char *const r64[2] = { "unknown ALU64 operation 0xe0",
					    "unknown ALU64 operation 0xf0" };

	return (is64 ? r64 : r32)[op == 0xf0];
}

static const char *check_end(const struct bpf_insn *insn, bool is64)
{
	if (is64 && ISA_SRCBIT(insn->code) != BPF_K)
		return "bswap (ALU64 END) needs source bit BPF_K";
	if (insn->imm != 16 && insn->imm != 32 && insn->imm != 64)
		return "byte swap width (imm) must be 16, 32 or 64";
	if (insn->off != 0)
		return "byte swap needs off=0";
	return check_regs(insn, true, false);
}

static const char *check_mov(const struct bpf_insn *insn, bool is64)
{
	if (ISA_SRCBIT(insn->code) == BPF_K) {
		if (insn->off != 0)
			return "mov with an immediate needs off=0";
		return check_regs(insn, true, false);
	}
	if (insn->imm != 0)
		return "mov from a register needs imm=0";
	if (insn->off != 0 && insn->off != 8 && insn->off != 16 &&
	    !(is64 && insn->off == 32))
		return is64 ? "movsx off must be 0, 8, 16 or 32"
			    : "movsx (32-bit) off must be 0, 8 or 16";
	return check_regs(insn, true, true);
}

static const char *check_alu(const struct bpf_insn *insn)
{
	bool is64 = ISA_CLASS(insn->code) == BPF_ALU64;
	uint8_t op = ISA_OP(insn->code);

	if (!isa_alu_names[op >> 4].ubpf)
		return unknown_alu_op(is64, op);
	if (insn->dst_reg == BPF_REG_10)
		return "r10 is read-only";
	if (op == BPF_END)
		return check_end(insn, is64);
	if (op == BPF_MOV)
		return check_mov(insn, is64);
	if (op == BPF_NEG) {
		if (ISA_SRCBIT(insn->code) != BPF_K)
			return "neg needs source bit BPF_K";
		if (insn->imm != 0 || insn->off != 0)
			return "neg needs imm=0 and off=0";
		return check_regs(insn, true, false);
	}
	if (insn->off == ISA_OFF_SIGNED) {
		if (op != BPF_DIV && op != BPF_MOD)
			return "off=1 (signed) is only for div and mod";
	} else if (insn->off != 0) {
		return "ALU operation needs off=0 (or 1 for sdiv/smod)";
	}
	if (ISA_SRCBIT(insn->code) == BPF_X) {
		if (insn->imm != 0)
			return "ALU operation on a register needs imm=0";
		return check_regs(insn, true, true);
	}
	return check_regs(insn, true, false);
}

static const char *check_ja(const struct bpf_insn *insn, bool is32)
{
	if (ISA_SRCBIT(insn->code) != BPF_K)
		return "goto needs source bit BPF_K";
	if (is32 ? insn->off != 0 : insn->imm != 0)
		return is32 ? "gotol needs off=0 (target is in imm)"
			    : "goto needs imm=0";
	return check_regs(insn, false, false);
}

static const char *check_call(const struct bpf_insn *insn, bool is32)
{
	if (is32)
		return "call is not a JMP32 operation";
	if (ISA_SRCBIT(insn->code) == BPF_X) {
		/* callx: the target register is in dst */
		if (insn->imm != 0 || insn->off != 0)
			return "callx needs imm=0 and off=0";
		return check_regs(insn, true, false);
	}
	if (insn->src_reg > BPF_PSEUDO_KFUNC_CALL)
		return "call src must be 0 (helper), 1 (local) or 2 (kfunc)";
	/* a kfunc call's off selects the module BTF (fd_array index) */
	if (insn->off != 0 && insn->src_reg != BPF_PSEUDO_KFUNC_CALL)
		return "call needs off=0";
	if (insn->dst_reg != 0)
		return "call needs dst=0";
	return NULL;
}

static const char *check_exit(const struct bpf_insn *insn, bool is32)
{
	if (is32)
		return "exit is not a JMP32 operation";
	if (ISA_SRCBIT(insn->code) != BPF_K)
		return "exit needs source bit BPF_K";
	if (insn->imm != 0 || insn->off != 0)
		return "exit needs imm=0 and off=0";
	return check_regs(insn, false, false);
}

static const char *check_jmp(const struct bpf_insn *insn)
{
	bool is32 = ISA_CLASS(insn->code) == BPF_JMP32;
	uint8_t op = ISA_OP(insn->code);

	if (!isa_jmp_names[op >> 4].ubpf)
		return is32 ? (op == 0xe0 ? "unknown JMP32 operation 0xe0"
					  : "unknown JMP32 operation 0xf0")
			    : (op == 0xe0 ? "unknown JMP operation 0xe0"
					  : "unknown JMP operation 0xf0");
	switch (op) {
	case BPF_JA:
		return check_ja(insn, is32);
	case BPF_CALL:
		return check_call(insn, is32);
	case BPF_EXIT:
		return check_exit(insn, is32);
	}
	if (ISA_SRCBIT(insn->code) == BPF_X) {
		if (insn->imm != 0)
			return "jump needs imm=0 for BPF_X";
		return check_regs(insn, true, true);
	}
	if (insn->src_reg != 0)
		return "jump needs src=0 for BPF_K";
	return check_regs(insn, true, false);
}

static const char *check_lddw(const struct bpf_insn *insns, size_t cnt,
			      size_t i)
{
	const struct bpf_insn *lo = &insns[i], *hi = &insns[i + 1];

	if (i + 1 >= cnt)
		return "lddw needs a second instruction slot";
	if (lo->dst_reg > 10)
		return bad_reg(true, lo->dst_reg);
	if (lo->dst_reg == BPF_REG_10)
		return "r10 is read-only";
	if (lo->src_reg > BPF_PSEUDO_MAP_IDX_VALUE)
		return "lddw src (pseudo type) must be 0..6";
	if (lo->off != 0)
		return "lddw needs off=0";
	if (hi->code != 0 || hi->dst_reg != 0 || hi->src_reg != 0 ||
	    hi->off != 0)
		return "lddw second slot needs code, registers and off 0";
	/* the kernel reads insn[1].imm as the map value offset (src 2, 6)
	 * or the module BTF fd (src 3); a map reference has none */
	if ((lo->src_reg == BPF_PSEUDO_MAP_FD ||
	     lo->src_reg == BPF_PSEUDO_MAP_IDX ||
	     lo->src_reg == BPF_PSEUDO_FUNC) && hi->imm != 0)
		return "lddw of a map or function reference needs second imm=0";
	return NULL;
}

static const char *check_ld_legacy(const struct bpf_insn *insn,
				   unsigned flags)
{
	if (ISA_SIZE(insn->code) == BPF_DW)
		return "LD_ABS/LD_IND have no DW size";
	if (insn->dst_reg != 0 || insn->off != 0)
		return "LD_ABS/LD_IND need dst=0 and off=0";
	if (ISA_MODE(insn->code) == BPF_ABS && insn->src_reg != 0)
		return "LD_ABS needs src=0";
	if (insn->src_reg > 10)
		return bad_reg(false, insn->src_reg);
	if (!(flags & ISA_CHECK_LEGACY_LD))
		return "LD_ABS/LD_IND need a packet program type";
	return NULL;
}

static const char *check_ld(const struct bpf_insn *insns, size_t cnt,
			    size_t i, unsigned flags)
{
	const struct bpf_insn *insn = &insns[i];

	switch (ISA_MODE(insn->code)) {
	case BPF_IMM:
		if (ISA_SIZE(insn->code) != BPF_DW)
			return "LD with mode IMM needs size DW (lddw)";
		return check_lddw(insns, cnt, i);
	case BPF_ABS:
	case BPF_IND:
		return check_ld_legacy(insn, flags);
	}
	return "unknown LD mode (only IMM, ABS, IND)";
}

static const char *check_ldx(const struct bpf_insn *insn)
{
	uint8_t mode = ISA_MODE(insn->code);

	if (mode != BPF_MEM && mode != BPF_MEMSX)
		return "LDX mode must be MEM or MEMSX";
	if (mode == BPF_MEMSX && ISA_SIZE(insn->code) == BPF_DW)
		return "sign-extending load (MEMSX) has no DW size";
	if (insn->imm != 0)
		return "load needs imm=0";
	if (insn->dst_reg == BPF_REG_10)
		return "r10 is read-only";
	return check_regs(insn, true, true);
}

static const char *check_st(const struct bpf_insn *insn)
{
	if (ISA_MODE(insn->code) != BPF_MEM)
		return "ST mode must be MEM";
	return check_regs(insn, true, false);
}

static const char *check_stx(const struct bpf_insn *insn)
{
	uint8_t mode = ISA_MODE(insn->code);

	if (mode == BPF_MEM) {
		if (insn->imm != 0)
			return "store from a register needs imm=0";
		return check_regs(insn, true, true);
	}
	if (mode != BPF_ATOMIC)
		return "STX mode must be MEM or ATOMIC";
	if (ISA_SIZE(insn->code) != BPF_W && ISA_SIZE(insn->code) != BPF_DW)
		return "atomic operations need size W or DW";
	if (!isa_atomic_lookup(insn->imm))
		return "unknown atomic operation (imm)";
	return check_regs(insn, true, true);
}

static const char *check_one(const struct bpf_insn *insns, size_t cnt,
			     size_t i, unsigned flags)
{
	const struct bpf_insn *insn = &insns[i];

	switch (ISA_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return check_alu(insn);
	case BPF_JMP:
	case BPF_JMP32:
		return check_jmp(insn);
	case BPF_LD:
		return check_ld(insns, cnt, i, flags);
	case BPF_LDX:
		return check_ldx(insn);
	case BPF_ST:
		return check_st(insn);
	default:
		return check_stx(insn);
	}
}

bool isa_insn_check_flags(const struct bpf_insn *insns, size_t cnt, size_t i,
			  unsigned flags, const char **why)
{
	const char *reason = i < cnt ? check_one(insns, cnt, i, flags)
				     : "instruction index out of range";

	if (why)
		*why = reason;
	return reason == NULL;
}

bool isa_insn_check(const struct bpf_insn *insns, size_t cnt, size_t i,
		    const char **why)
{
	return isa_insn_check_flags(insns, cnt, i, 0, why);
}
