/* ALU and ALU64 instructions. 32-bit operations use 32-bit x86 forms,
 * which zero-extend into the full register for free. Semantics match
 * engine/alu.h exactly: division by 0 gives 0, modulo by 0 leaves dst,
 * INT_MIN / -1 wraps, % -1 is 0 (idiv never traps), shifts are masked. */
#include <errno.h>

#include "engine/jit/jit_priv.h"
#include "isa/isa.h"

/* BPF op >> 4 -> x86 group-1 op, for the ops that map one to one. */
static const int8_t alu_map[16] = {
	[BPF_ADD >> 4] = X86_ADD, [BPF_SUB >> 4] = X86_SUB,
	[BPF_OR >> 4] = X86_OR,	  [BPF_AND >> 4] = X86_AND,
	[BPF_XOR >> 4] = X86_XOR,
};

static const uint8_t shift_map[16] = {
	[BPF_LSH >> 4] = X86_SHL, [BPF_RSH >> 4] = X86_SHR,
	[BPF_ARSH >> 4] = X86_SAR,
};

/* The 64-bit value a K operand stands for at width w. */
static int64_t k_value(const struct bpf_insn *in, bool w)
{
	return w ? (int64_t)in->imm : (int64_t)(uint32_t)in->imm;
}

static bool blind(const struct jit_cc *cc)
{
	return cc->flags & JIT_F_BLIND;
}

static uint8_t *tr_binop(struct jit_cc *cc, uint8_t *p, enum x86_alu op,
			 bool w, bool k, int d, int s, int32_t imm)
{
	if (!k)
		return x86_alu_rr(p, op, w, d, s);
	if (w && imm == 0 && op != X86_AND)
		return p; /* x + 0, x | 0, x ^ 0, x - 0: nothing to do */
	if (blind(cc)) {
		p = jit_emit_imm(cc, p, JIT_TMP, imm);
		return x86_alu_rr(p, op, w, d, JIT_TMP);
	}
	return x86_alu_ri(p, op, w, d, imm);
}

static uint8_t *tr_mov(struct jit_cc *cc, uint8_t *p,
		       const struct bpf_insn *in, bool w, int d, int s)
{
	if (ISA_SRCBIT(in->code) == BPF_K)
		return jit_emit_imm(cc, p, d, k_value(in, w));
	if (in->off) /* movsx: 8, 16 or 32 source bits */
		return x86_movsx_rr(p, w, d, s, in->off / 8);
	if (w && d == s)
		return p;
	return x86_mov_rr(p, w, d, s); /* mov r32, r32 zero-extends */
}

static uint8_t *tr_mul(struct jit_cc *cc, uint8_t *p, bool w, bool k, int d,
		       int s, int32_t imm)
{
	if (!k)
		return x86_imul_rr(p, w, d, s);
	if (blind(cc)) {
		p = jit_emit_imm(cc, p, JIT_TMP, imm);
		return x86_imul_rr(p, w, d, JIT_TMP);
	}
	return x86_imul_rri(p, w, d, d, imm);
}

/* What division by 0 (or, signed, by -1) leaves in dst. */
static uint8_t *div_special(uint8_t *p, bool w, bool mod, bool by_m1, int d)
{
	if (by_m1)	/* sdiv: -dst (wrapping); smod: 0 */
		return mod ? x86_zero(p, d) : x86_neg(p, w, d);
	if (!mod)
		return x86_zero(p, d);
	return w ? p : x86_mov_rr(p, false, d, d); /* mod 0: dst, zext */
}

/* rdx:rax / r11 with rax (r0) and rdx (r3) saved in r10 and r9 unless
 * they are dst. */
static uint8_t *div_core(uint8_t *p, bool w, bool sgn, bool mod, int d)
{
	int res = mod ? X86_RDX : X86_RAX;

	if (d != X86_RAX) {
		p = x86_mov_rr(p, true, X86_R10, X86_RAX);
		p = x86_mov_rr(p, w, X86_RAX, d);
	}
	if (d != X86_RDX)
		p = x86_mov_rr(p, true, X86_R9, X86_RDX);
	p = sgn ? x86_cqo(p, w) : x86_zero(p, X86_RDX);
	p = x86_div(p, w, sgn, JIT_TMP);
	if (d != res)
		p = x86_mov_rr(p, w, d, res);
	if (d != X86_RAX)
		p = x86_mov_rr(p, true, X86_RAX, X86_R10);
	if (d != X86_RDX)
		p = x86_mov_rr(p, true, X86_RDX, X86_R9);
	return p;
}

/* Unsigned division or modulo by a constant power of two v: a shift or a
 * mask, no div (20-40 cycles). v - 1 fits an imm32: v <= 2^31. */
static uint8_t *div_pow2(uint8_t *p, bool w, bool mod, int d, uint64_t v)
{
	if (mod)
		return x86_alu_ri(p, X86_AND, w, d, (int32_t)(v - 1));
	if (v == 1) /* dst / 1: unchanged, zero-extended at 32 bits */
		return w ? p : x86_mov_rr(p, false, d, d);
	return x86_shift_ri(p, X86_SHR, w, d, (uint8_t)__builtin_ctzll(v));
}

static uint8_t *tr_div(struct jit_cc *cc, uint8_t *p,
		       const struct bpf_insn *in, bool w, int d, int s)
{
	bool sgn = in->off == ISA_OFF_SIGNED;
	bool mod = ISA_OP(in->code) == BPF_MOD;
	uint8_t *jz, *jm1 = NULL, *jdone;

	if (ISA_SRCBIT(in->code) == BPF_K) {
		if (in->imm == 0 || (sgn && in->imm == -1))
			return div_special(p, w, mod, in->imm == -1, d);
		uint64_t v = (uint64_t)k_value(in, w);

		if (!sgn && !blind(cc) && (v & (v - 1)) == 0)
			return div_pow2(p, w, mod, d, v);
		p = jit_emit_imm(cc, p, JIT_TMP, k_value(in, w));
		return div_core(p, w, sgn, mod, d);
	}
	p = x86_mov_rr(p, w, JIT_TMP, s);
	p = x86_test_rr(p, w, JIT_TMP, JIT_TMP);
	jz = p = x86_jcc8(p, X86_CC_E, 0);
	if (sgn) {
		p = x86_alu_ri(p, X86_CMP, w, JIT_TMP, -1);
		jm1 = p = x86_jcc8(p, X86_CC_E, 0);
	}
	p = div_core(p, w, sgn, mod, d);
	jdone = p = x86_jmp8(p, 0);
	jz[-1] = (uint8_t)(p - jz);
	p = div_special(p, w, mod, false, d);
	if (sgn) {
		uint8_t *j2 = p = x86_jmp8(p, 0);

		jm1[-1] = (uint8_t)(p - jm1);
		p = div_special(p, w, mod, true, d);
		j2[-1] = (uint8_t)(p - j2);
	}
	jdone[-1] = (uint8_t)(p - jdone);
	return p;
}

/* Shift by a register: the count must be in cl, and rcx is BPF r4. */
static uint8_t *shift_x(uint8_t *p, enum x86_shift op, bool w, int d, int s)
{
	if (s == X86_RCX)
		return x86_shift_cl(p, op, w, d);
	p = x86_mov_rr(p, true, JIT_TMP, X86_RCX);
	p = x86_mov_rr(p, false, X86_RCX, s);
	if (d == X86_RCX) {
		p = x86_shift_cl(p, op, w, JIT_TMP);
		return x86_mov_rr(p, true, X86_RCX, JIT_TMP);
	}
	p = x86_shift_cl(p, op, w, d); /* x86 masks the count like BPF */
	return x86_mov_rr(p, true, X86_RCX, JIT_TMP);
}

static uint8_t *tr_shift(uint8_t *p, const struct bpf_insn *in, bool w,
			 int d, int s)
{
	enum x86_shift op = shift_map[ISA_OP(in->code) >> 4];
	unsigned n;

	if (ISA_SRCBIT(in->code) == BPF_X)
		return shift_x(p, op, w, d, s);
	n = (unsigned)in->imm & (w ? 63 : 31);
	if (n == 0)
		return w ? p : x86_mov_rr(p, false, d, d);
	return x86_shift_ri(p, op, w, d, (uint8_t)n);
}

static uint8_t *tr_end(uint8_t *p, const struct bpf_insn *in, bool w, int d)
{
	if (w || ISA_SRCBIT(in->code) == BPF_TO_BE) {
		if (in->imm == 16) {
			p = x86_rol16_8(p, d);
			return x86_movzx_rr(p, d, d, 2);
		}
		return x86_bswap(p, in->imm == 64, d);
	}
	/* to little-endian on a little-endian host: truncate only */
	if (in->imm == 16)
		return x86_movzx_rr(p, d, d, 2);
	if (in->imm == 32)
		return x86_mov_rr(p, false, d, d);
	return p;
}

uint8_t *jit_tr_alu(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in)
{
	bool w = ISA_CLASS(in->code) == BPF_ALU64;
	bool k = ISA_SRCBIT(in->code) == BPF_K;
	unsigned op = ISA_OP(in->code);
	int d = jit_reg[in->dst_reg], s = jit_reg[in->src_reg & 15];

	switch (op) {
	case BPF_ADD: case BPF_SUB: case BPF_OR: case BPF_AND: case BPF_XOR:
		return tr_binop(cc, p, (enum x86_alu)alu_map[op >> 4], w, k, d,
				s, in->imm);
	case BPF_MOV:
		return tr_mov(cc, p, in, w, d, s);
	case BPF_MUL:
		return tr_mul(cc, p, w, k, d, s, in->imm);
	case BPF_DIV:
	case BPF_MOD:
		return tr_div(cc, p, in, w, d, s);
	case BPF_LSH: case BPF_RSH: case BPF_ARSH:
		return tr_shift(p, in, w, d, s);
	case BPF_NEG:
		return x86_neg(p, w, d);
	case BPF_END:
		return tr_end(p, in, w, d);
	}
	jit_fail(cc, -EOPNOTSUPP, "ALU operation 0x%02x", op);
	return NULL;
}
