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
#define UNUSED __attribute__((unused))

typedef uint8_t *(*body_fn)(struct jit_cc *cc, uint8_t *p,
			    const struct bpf_insn *in);

/* The chain of one opcode's insns from j on, through body: one loop per
 * opcode with body inlined in it (no call per insn, the state in
 * registers: code bytes stored through p could alias any of it). */
static inline __attribute__((always_inline)) bool
group(struct jit_cc *cc, unsigned j, struct jit_slots *s, body_fn body)
{
	const struct bpf_insn *insns = cc->insns;
	const uint8_t *fuse = cc->fuse;
	const uint16_t *link = s->link;
	uint32_t *off1 = cc->off1;
	uint16_t *len = cc->len;
	uint8_t *base = cc->main.p;
	size_t pos = s->pos, c0 = s->c0;

	for (; j != JIT_SLOT_NONE; j = link[j]) {
		size_t i = c0 + j, n;
		uint8_t *q;

		if (fuse && fuse[i])
			goto general;
		cc->i = i;
		off1[i] = (uint32_t)pos;
		q = body(cc, base + pos, &insns[i]);
		if (!q)
			goto general;
		n = (size_t)(q - (base + pos));
		len[i] = (uint16_t)n;
		if (__builtin_expect(n <= JIT_SLOT - 8, 1)) {
			pos += JIT_SLOT;
			continue;
		}
		s->pos = pos;
		if (!jit_slot_long(cc, s, n))
			return false;
		pos = s->pos;
		base = cc->main.p;
		continue;
general:
		s->pos = pos;
		if (!jit_slot_general(cc, i, s))
			return false;
		pos = s->pos;
		base = cc->main.p;
	}
	s->pos = pos;
	return true;
}

/* A fast path: name is the group loop, name##_body the code of one insn
 * (p: where it goes; NULL: declined). */
#define FAST(name)                                                          \
	static inline uint8_t *name##_body(struct jit_cc *cc, uint8_t *p,   \
					   const struct bpf_insn *in);      \
	static bool name(struct jit_cc *cc, unsigned j, struct jit_slots *s) \
	{                                                                   \
		return group(cc, j, s, name##_body);                        \
	}                                                                   \
	static inline uint8_t *name##_body(struct jit_cc *cc UNUSED,        \
					   uint8_t *p,                      \
					   const struct bpf_insn *in UNUSED)

/* ALU: add, sub, or, and, xor by register and by constant; 64-bit x + 0
 * and friends are nothing. */
#define BINOP(name, op)                                                     \
	FAST(name##_x64) { return x86_alu_rr(p, op, true, D, S); } \
	FAST(name##_x32) { return x86_alu_rr(p, op, false, D, S); } \
	FAST(name##_k64)                                                    \
	{                                                                   \
		if (in->imm == 0 && op != X86_AND)                          \
			return p;                                           \
		return x86_alu_ri(p, op, true, D, in->imm);                 \
	}                                                                   \
	FAST(name##_k32)                                                    \
	{                                                                   \
		return x86_alu_ri(p, op, false, D, in->imm);                \
	}
BINOP(add, X86_ADD)
BINOP(sub, X86_SUB)
BINOP(or, X86_OR)
BINOP(and, X86_AND)
BINOP(xor, X86_XOR)

FAST(mov_k64)
{
	return x86_mov_imm64(p, D, (uint64_t)(int64_t)in->imm);
}

FAST(mov_k32)
{
	return x86_mov_imm64(p, D, (uint32_t)in->imm);
}

FAST(mov_x64)
{
	if (in->off) /* movsx */
		return NULL;
	return D == S ? p : x86_mov_rr(p, true, D, S);
}

FAST(mov_x32)
{
	return in->off ? NULL : x86_mov_rr(p, false, D, S);
}

FAST(mul_x64) { return x86_imul_rr(p, true, D, S); }
FAST(mul_x32) { return x86_imul_rr(p, false, D, S); }
FAST(mul_k64) { return x86_imul_rri(p, true, D, D, in->imm); }
FAST(mul_k32) { return x86_imul_rri(p, false, D, D, in->imm); }
FAST(neg64) { return x86_neg(p, true, D); }
FAST(neg32) { return x86_neg(p, false, D); }

/* Shifts by a constant (masked as BPF does); by 0: nothing, but 32-bit
 * still zero-extends. */
#define SHIFT(name, op)                                                     \
	FAST(name##_k64)                                                    \
	{                                                                   \
		unsigned n = (unsigned)in->imm & 63;                        \
		return n ? x86_shift_ri(p, op, true, D, (uint8_t)n) : p;    \
	}                                                                   \
	FAST(name##_k32)                                                    \
	{                                                                   \
		unsigned n = (unsigned)in->imm & 31;                        \
		if (!n)                                                     \
			return x86_mov_rr(p, false, D, D);                  \
		return x86_shift_ri(p, op, false, D, (uint8_t)n);           \
	}
SHIFT(lsh, X86_SHL)
SHIFT(rsh, X86_SHR)
SHIFT(arsh, X86_SAR)

/* Shifts by a register: the count must be in cl, and rcx is BPF r4. */
#define SHIFT_X(name, op, w)                                                \
	FAST(name##_x##w)                                                   \
	{                                                                   \
		int d = D, s = S;                                           \
		if (s == X86_RCX)                                           \
			return x86_shift_cl(p, op, w == 64, d);             \
		p = x86_mov_rr(p, true, JIT_TMP, X86_RCX);                  \
		p = x86_mov_rr(p, false, X86_RCX, s);                       \
		p = x86_shift_cl(p, op, w == 64, d == X86_RCX ? JIT_TMP : d); \
		return x86_mov_rr(p, true, X86_RCX, JIT_TMP);               \
	}
SHIFT_X(lsh, X86_SHL, 64)
SHIFT_X(lsh, X86_SHL, 32)
SHIFT_X(rsh, X86_SHR, 64)
SHIFT_X(rsh, X86_SHR, 32)
SHIFT_X(arsh, X86_SAR, 64)
SHIFT_X(arsh, X86_SAR, 32)

/* Byte swaps: to big endian (and bswap, ALU64) swap; to little endian on
 * a little-endian host, truncate only. */
static uint8_t *swap(uint8_t *p, int d, int32_t bits)
{
	if (bits == 16) {
		p = x86_rol16_8(p, d);
		return x86_movzx_rr(p, d, d, 2);
	}
	return x86_bswap(p, bits == 64, d);
}

FAST(end_be) { return swap(p, D, in->imm); }

FAST(end_le)
{
	if (in->imm == 16)
		return x86_movzx_rr(p, D, D, 2);
	return in->imm == 32 ? x86_mov_rr(p, false, D, D) : p;
}

/* Atomics but the fetching and, or, xor (a compare-exchange loop). */
#define ATOMIC(name, w)                                                     \
	FAST(name)                                                          \
	{                                                                   \
		int b = D, s = S;                                           \
		switch (in->imm) {                                          \
		case BPF_ADD:                                               \
			return x86_lock_alu(p, X86_ADD, w, b, in->off, s);  \
		case BPF_OR:                                                \
			return x86_lock_alu(p, X86_OR, w, b, in->off, s);   \
		case BPF_AND:                                               \
			return x86_lock_alu(p, X86_AND, w, b, in->off, s);  \
		case BPF_XOR:                                               \
			return x86_lock_alu(p, X86_XOR, w, b, in->off, s);  \
		case BPF_ADD | BPF_FETCH:                                   \
			return x86_lock_xadd(p, w, b, in->off, s);          \
		case BPF_XCHG:                                              \
			return x86_xchg(p, w, b, in->off, s);               \
		case BPF_CMPXCHG: /* r0 zero-extended: not written when */ \
			p = x86_lock_cmpxchg(p, w, b, in->off, s);          \
			return w ? p : x86_mov_rr(p, false, X86_RAX, X86_RAX); \
		}                                                           \
		return NULL;                                                \
	}
ATOMIC(atomic_w, false)
ATOMIC(atomic_dw, true)

/* Loads and stores without checks. */
#define LOAD(name, kind)                                                    \
	FAST(name) { return x86_load(p, kind, D, S, in->off); }
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
		return x86_store_imm(p, bytes, D, in->off, in->imm);        \
	}                                                                   \
	FAST(stx##name)                                                     \
	{                                                                   \
		return x86_store(p, bytes, D, in->off, S);                  \
	}
STORE(_b, 1)
STORE(_h, 2)
STORE(_w, 4)
STORE(_dw, 8)

/* Conditional jumps: the compare, and the branch for the layout. To the
 * next insn: nothing. Over one insn: maybe a select, the general path
 * decides. */
#define JUMP_TRIVIAL(in, p)                                                 \
	do {                                                                \
		if ((in)->off == 0)                                         \
			return p;                                           \
		if ((in)->off == 1)                                         \
			return NULL;                                        \
	} while (0)

static uint8_t *jcc(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in,
		    enum x86_cc c)
{
	jit_branch(cc, JIT_BR_JCC, c, in->off);
	return p;
}

/* cmp with 0 is test d, d: the same flags, shorter. */
#define COND_W(name, c, w)                                                  \
	FAST(name##_x##w)                                                   \
	{                                                                   \
		JUMP_TRIVIAL(in, p);                                        \
		p = x86_alu_rr(p, X86_CMP, w == 64, D, S);                  \
		return jcc(cc, p, in, c);                                   \
	}                                                                   \
	FAST(name##_k##w)                                                   \
	{                                                                   \
		JUMP_TRIVIAL(in, p);                                        \
		p = in->imm ? x86_alu_ri(p, X86_CMP, w == 64, D, in->imm) :   \
			      x86_test_rr(p, w == 64, D, D);                  \
		return jcc(cc, p, in, c);                                   \
	}
#define COND(name, c) COND_W(name, c, 64) COND_W(name, c, 32)
COND(jeq, X86_CC_E)
COND(jne, X86_CC_NE)
COND(jgt, X86_CC_A)
COND(jge, X86_CC_AE)
COND(jlt, X86_CC_B)
COND(jle, X86_CC_BE)
COND(jsgt, X86_CC_G)
COND(jsge, X86_CC_GE)
COND(jslt, X86_CC_L)
COND(jsle, X86_CC_LE)

/* jset: test; by the constant 0, never taken. */
#define JSET(w)                                                             \
	FAST(jset_x##w)                                                     \
	{                                                                   \
		JUMP_TRIVIAL(in, p);                                        \
		p = x86_test_rr(p, w == 64, D, S);                          \
		return jcc(cc, p, in, X86_CC_NE);                           \
	}                                                                   \
	FAST(jset_k##w)                                                     \
	{                                                                   \
		JUMP_TRIVIAL(in, p);                                        \
		if (!in->imm)                                               \
			return p;                                           \
		p = x86_test_ri(p, w == 64, D, in->imm);                    \
		return jcc(cc, p, in, X86_CC_NE);                           \
	}
JSET(64)
JSET(32)

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
#define JMP_OP(op, name)                                                    \
	[BPF_JMP | BPF_##op | BPF_X] = name##_x64,                          \
	[BPF_JMP32 | BPF_##op | BPF_X] = name##_x32,                        \
	[BPF_JMP | BPF_##op | BPF_K] = name##_k64,                          \
	[BPF_JMP32 | BPF_##op | BPF_K] = name##_k32

const jit_fast_fn jit_fast[256] = {
	ALU_OP(ADD, add), ALU_OP(SUB, sub), ALU_OP(OR, or), ALU_OP(AND, and),
	ALU_OP(XOR, xor), ALU_OP(MOV, mov), ALU_OP(MUL, mul),
	ALU_OP(LSH, lsh), ALU_OP(RSH, rsh), ALU_OP(ARSH, arsh),
	[BPF_ALU64 | BPF_NEG] = neg64, [BPF_ALU | BPF_NEG] = neg32,
	[BPF_ALU | BPF_END | BPF_TO_BE] = end_be,
	[BPF_ALU | BPF_END | BPF_TO_LE] = end_le,
	[BPF_ALU64 | BPF_END] = end_be, /* bswap */
	[BPF_STX | BPF_ATOMIC | BPF_W] = atomic_w,
	[BPF_STX | BPF_ATOMIC | BPF_DW] = atomic_dw,
	MEM_OP(B, _b), MEM_OP(H, _h), MEM_OP(W, _w), MEM_OP(DW, _dw),
	[BPF_LDX | BPF_MEMSX | BPF_B] = ldsx_b,
	[BPF_LDX | BPF_MEMSX | BPF_H] = ldsx_h,
	[BPF_LDX | BPF_MEMSX | BPF_W] = ldsx_w,
	JMP_OP(JEQ, jeq), JMP_OP(JNE, jne), JMP_OP(JGT, jgt), JMP_OP(JGE, jge),
	JMP_OP(JLT, jlt), JMP_OP(JLE, jle), JMP_OP(JSET, jset),
	JMP_OP(JSGT, jsgt), JMP_OP(JSGE, jsge), JMP_OP(JSLT, jslt),
	JMP_OP(JSLE, jsle),
	[BPF_JMP | BPF_JA] = ja, [BPF_JMP32 | BPF_JA] = ja32,
	[BPF_JMP | BPF_EXIT] = exit_,
};
