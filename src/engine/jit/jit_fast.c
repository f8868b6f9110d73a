/* Fast paths for the plain variant's common instructions: one function
 * per opcode, from a table. The general translators (jit_alu.c,
 * jit_ldst.c, jit_jmp.c) decide everything from the instruction at run
 * time, ~100 machine instructions each; these have the opcode's decisions
 * made already. They must emit exactly what the general translators do:
 * test_jit_pass compiles every form both ways and compares the images
 * byte for byte, so a change there must be made here too (or the opcode
 * dropped from the table). A fast path returns NULL to decline (the
 * general path then takes the instruction), never fails. */
#include "engine/jit/jit_priv.h"
#include "isa/isa.h"

#define D jit_reg[in->dst_reg]
#define S jit_reg[in->src_reg]
#define FAST(name)                                                          \
	static uint8_t *name(struct jit_cc *cc, uint8_t *p,                 \
			     const struct bpf_insn *in)

/* ALU: add, sub, or, and, xor by register and by constant; 64-bit x + 0
 * and friends are nothing. */
#define BINOP(name, op)                                                     \
	FAST(name##_x64) { (void)cc; return x86_alu_rr(p, op, true, D, S); } \
	FAST(name##_x32) { (void)cc; return x86_alu_rr(p, op, false, D, S); } \
	FAST(name##_k64)                                                    \
	{                                                                   \
		(void)cc;                                                   \
		if (in->imm == 0 && op != X86_AND)                          \
			return p;                                           \
		return x86_alu_ri(p, op, true, D, in->imm);                 \
	}                                                                   \
	FAST(name##_k32)                                                    \
	{                                                                   \
		(void)cc;                                                   \
		return x86_alu_ri(p, op, false, D, in->imm);                \
	}
BINOP(add, X86_ADD)
BINOP(sub, X86_SUB)
BINOP(or, X86_OR)
BINOP(and, X86_AND)
BINOP(xor, X86_XOR)

FAST(mov_k64)
{
	(void)cc;
	return x86_mov_imm64(p, D, (uint64_t)(int64_t)in->imm);
}

FAST(mov_k32)
{
	(void)cc;
	return x86_mov_imm64(p, D, (uint32_t)in->imm);
}

FAST(mov_x64)
{
	(void)cc;
	if (in->off) /* movsx */
		return NULL;
	return D == S ? p : x86_mov_rr(p, true, D, S);
}

FAST(mov_x32)
{
	(void)cc;
	return in->off ? NULL : x86_mov_rr(p, false, D, S);
}

FAST(mul_x64) { (void)cc; return x86_imul_rr(p, true, D, S); }
FAST(mul_x32) { (void)cc; return x86_imul_rr(p, false, D, S); }
FAST(mul_k64) { (void)cc; return x86_imul_rri(p, true, D, D, in->imm); }
FAST(mul_k32) { (void)cc; return x86_imul_rri(p, false, D, D, in->imm); }
FAST(neg64) { (void)cc; return x86_neg(p, true, D); }
FAST(neg32) { (void)cc; return x86_neg(p, false, D); }

/* Shifts by a constant (masked as BPF does); by 0: nothing, but 32-bit
 * still zero-extends. */
#define SHIFT(name, op)                                                     \
	FAST(name##_k64)                                                    \
	{                                                                   \
		unsigned n = (unsigned)in->imm & 63;                        \
		(void)cc;                                                   \
		return n ? x86_shift_ri(p, op, true, D, (uint8_t)n) : p;    \
	}                                                                   \
	FAST(name##_k32)                                                    \
	{                                                                   \
		unsigned n = (unsigned)in->imm & 31;                        \
		(void)cc;                                                   \
		if (!n)                                                     \
			return x86_mov_rr(p, false, D, D);                  \
		return x86_shift_ri(p, op, false, D, (uint8_t)n);           \
	}
SHIFT(lsh, X86_SHL)
SHIFT(rsh, X86_SHR)
SHIFT(arsh, X86_SAR)

/* Loads and stores without checks. */
#define LOAD(name, kind)                                                    \
	FAST(name) { (void)cc; return x86_load(p, kind, D, S, in->off); }
LOAD(ld_b, X86_LD_U8)
LOAD(ld_h, X86_LD_U16)
LOAD(ld_w, X86_LD_U32)
LOAD(ld_dw, X86_LD_U64)
LOAD(ldsx_b, X86_LD_S8)
LOAD(ldsx_h, X86_LD_S16)
LOAD(ldsx_w, X86_LD_S32)

#define STORE(name, bytes)                                                  \
	FAST(st##name)                                                      \
	{                                                                   \
		(void)cc;                                                   \
		return x86_store_imm(p, bytes, D, in->off, in->imm);        \
	}                                                                   \
	FAST(stx##name)                                                     \
	{                                                                   \
		(void)cc;                                                   \
		return x86_store(p, bytes, D, in->off, S);                  \
	}
STORE(_b, 1)
STORE(_h, 2)
STORE(_w, 4)
STORE(_dw, 8)

/* Conditional jumps: compare, and the branch for the layout. A jump over
 * one insn may be a select: the general path decides. */
FAST(cond)
{
	if (in->off == 1)
		return NULL;
	if (in->off == 0 || (ISA_OP(in->code) == BPF_JSET &&
			     ISA_SRCBIT(in->code) == BPF_K && in->imm == 0))
		return p;
	p = jit_emit_cond(cc, p, in, D, S);
	jit_branch(cc, JIT_BR_JCC, jit_cond_cc(in), in->off);
	return p;
}

FAST(ja)
{
	jit_branch(cc, JIT_BR_JMP, 0, in->off);
	return p;
}

FAST(ja32)
{
	jit_branch(cc, JIT_BR_JMP, 0, in->imm);
	return p;
}

FAST(exit_)
{
	(void)cc;
	(void)in;
	return x86_ret(p);
}

#define ALU_OP(op, name)                                                    \
	[BPF_ALU64 | BPF_##op | BPF_X] = name##_x64,                        \
	[BPF_ALU | BPF_##op | BPF_X] = name##_x32,                          \
	[BPF_ALU64 | BPF_##op | BPF_K] = name##_k64,                        \
	[BPF_ALU | BPF_##op | BPF_K] = name##_k32
#define MEM_OP(size, name)                                                  \
	[BPF_LDX | BPF_MEM | BPF_##size] = ld##name,                        \
	[BPF_ST | BPF_MEM | BPF_##size] = st##name,                         \
	[BPF_STX | BPF_MEM | BPF_##size] = stx##name
#define COND(op)                                                            \
	[BPF_JMP | BPF_##op | BPF_K] = cond, [BPF_JMP | BPF_##op | BPF_X] = cond, \
	[BPF_JMP32 | BPF_##op | BPF_K] = cond,                              \
	[BPF_JMP32 | BPF_##op | BPF_X] = cond

const jit_fast_fn jit_fast[256] = {
	ALU_OP(ADD, add), ALU_OP(SUB, sub), ALU_OP(OR, or), ALU_OP(AND, and),
	ALU_OP(XOR, xor), ALU_OP(MOV, mov), ALU_OP(MUL, mul),
	[BPF_ALU64 | BPF_LSH | BPF_K] = lsh_k64,
	[BPF_ALU | BPF_LSH | BPF_K] = lsh_k32,
	[BPF_ALU64 | BPF_RSH | BPF_K] = rsh_k64,
	[BPF_ALU | BPF_RSH | BPF_K] = rsh_k32,
	[BPF_ALU64 | BPF_ARSH | BPF_K] = arsh_k64,
	[BPF_ALU | BPF_ARSH | BPF_K] = arsh_k32,
	[BPF_ALU64 | BPF_NEG] = neg64, [BPF_ALU | BPF_NEG] = neg32,
	MEM_OP(B, _b), MEM_OP(H, _h), MEM_OP(W, _w), MEM_OP(DW, _dw),
	[BPF_LDX | BPF_MEMSX | BPF_B] = ldsx_b,
	[BPF_LDX | BPF_MEMSX | BPF_H] = ldsx_h,
	[BPF_LDX | BPF_MEMSX | BPF_W] = ldsx_w,
	COND(JEQ), COND(JNE), COND(JGT), COND(JGE), COND(JLT), COND(JLE),
	COND(JSET), COND(JSGT), COND(JSGE), COND(JSLT), COND(JSLE),
	[BPF_JMP | BPF_JA] = ja, [BPF_JMP32 | BPF_JA] = ja32,
	[BPF_JMP | BPF_EXIT] = exit_,
};
