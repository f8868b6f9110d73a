/* x86-64 encoder: each function appends the bytes of one machine
 * instruction at p and returns the position after it. It knows encodings
 * (REX, ModRM, SIB, displacement and immediate sizes), nothing about BPF.
 * The common ones are inline here: the JIT calls them for nearly every
 * instruction it compiles. The encoder may write up to 8 bytes past the
 * instruction it returns the end of (never past what the longest
 * encoding would use). */
#ifndef BPFVM_ENGINE_JIT_X86_ENC_H
#define BPFVM_ENGINE_JIT_X86_ENC_H

#include <stdbool.h>
#include <stdint.h>

enum x86_reg {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* The group-1 ALU operations, by their /digit (ModRM reg field). */
enum x86_alu {
	X86_ADD = 0, X86_OR = 1, X86_AND = 4, X86_SUB = 5, X86_XOR = 6,
	X86_CMP = 7,
};

/* Shift group (/digit). */
enum x86_shift { X86_SHL = 4, X86_SHR = 5, X86_SAR = 7 };

/* Condition codes (the low nibble of jcc). */
enum x86_cc {
	X86_CC_B = 0x2, X86_CC_AE = 0x3, X86_CC_E = 0x4, X86_CC_NE = 0x5,
	X86_CC_BE = 0x6, X86_CC_A = 0x7, X86_CC_L = 0xc, X86_CC_GE = 0xd,
	X86_CC_LE = 0xe, X86_CC_G = 0xf,
};

/* Load kinds: size in bytes, and whether the value is sign-extended to 64
 * bits (zero-extension is what 32-bit destinations do for free). */
enum x86_load {
	X86_LD_U8, X86_LD_U16, X86_LD_U32, X86_LD_U64,
	X86_LD_S8, X86_LD_S16, X86_LD_S32,
};

static inline bool x86_fits8(int64_t v)
{
	return v >= -128 && v <= 127;
}

static inline bool x86_fits32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

static inline uint8_t *x86_put32(uint8_t *p, uint32_t v)
{
	__builtin_memcpy(p, &v, 4);
	return p + 4;
}

/* --- Building blocks. Translation of random code is dominated by
 * mispredicted branches, so these are branch-free where the choice
 * depends on register numbers or displacements: a byte is always stored
 * and p advances only when it belongs to the instruction (every buffer
 * has room past the instruction being encoded). */

/* REX prefix when needed. byte_regs: a ModRM operand names an 8-bit
 * register 4-7, which means spl..dil only with a REX (ah..bh without). */
static inline uint8_t *x86_rex(uint8_t *p, bool w, int r, int b,
			       bool byte_regs)
{
	unsigned v = 0x40u | (unsigned)w << 3 | ((unsigned)r >> 1 & 4) |
		     ((unsigned)b >> 3 & 1);

	*p = (uint8_t)v;
	return p + (v != 0x40 || byte_regs);
}

static inline bool x86_byte_rex(int reg)
{
	return reg >= 4 && reg <= 7;
}

/* ModRM (+ SIB) + displacement for [base + disp]. rbp/r13 have no
 * disp-less form; rsp/r12 need a SIB byte. */
static inline uint8_t *x86_modrm_mem(uint8_t *p, int reg, int base,
				     int32_t disp)
{
	unsigned mod = (disp != 0 || (base & 7) == X86_RBP) + !x86_fits8(disp);

	*p++ = (uint8_t)(mod << 6 | (unsigned)(reg & 7) << 3 | (base & 7));
	*p = 0x24;
	p += (base & 7) == X86_RSP;
	x86_put32(p, (uint32_t)disp);
	return p + (0x410u >> (mod * 4) & 15); /* 0, 1 or 4 bytes */
}

/* The opcode: one byte, or two (0x0f xx) when op > 0xff. */
static inline uint8_t *x86_opcode(uint8_t *p, unsigned op)
{
	*p = (uint8_t)(op >> 8);
	p += op > 0xff;
	*p++ = (uint8_t)op;
	return p;
}

/* [REX] opcode ModRM for reg, reg. */
static inline uint8_t *x86_op_rr(uint8_t *p, bool w, unsigned op, int reg,
				 int rm, bool byte_regs)
{
	p = x86_rex(p, w, reg, rm, byte_regs);
	p = x86_opcode(p, op);
	*p++ = (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7));
	return p;
}

/* [REX] opcode ModRM [SIB] [disp] for reg, [base + disp]. */
static inline uint8_t *x86_op_rm(uint8_t *p, bool w, unsigned op, int reg,
				 int base, int32_t disp, bool byte_regs)
{
	p = x86_rex(p, w, reg, base, byte_regs);
	p = x86_opcode(p, op);
	return x86_modrm_mem(p, reg, base, disp);
}

/* An 8-bit immediate when imm8 (op8 form), else 32-bit (op32 form). */
static inline uint8_t *x86_op_r_imm(uint8_t *p, bool w, unsigned op8,
				    unsigned op32, int digit, int rm,
				    int32_t imm)
{
	bool short_imm = x86_fits8(imm);

	p = x86_op_rr(p, w, short_imm ? op8 : op32, digit, rm, false);
	x86_put32(p, (uint32_t)imm);
	return p + (short_imm ? 1 : 4);
}

/* --- Register and immediate moves. w: 64-bit operand size. */

static inline uint8_t *x86_mov_rr(uint8_t *p, bool w, int dst, int src)
{
	return x86_op_rr(p, w, 0x89, src, dst, false);
}

/* mov r32, imm32: zero-extends. */
static inline uint8_t *x86_mov_ri32(uint8_t *p, int dst, uint32_t imm)
{
	p = x86_rex(p, false, 0, dst, false);
	*p++ = (uint8_t)(0xb8 + (dst & 7));
	return x86_put32(p, imm);
}

/* mov r64, simm32: sign-extends. */
static inline uint8_t *x86_mov_ri_sx(uint8_t *p, int dst, int32_t imm)
{
	p = x86_op_rr(p, true, 0xc7, 0, dst, false);
	return x86_put32(p, (uint32_t)imm);
}

static inline uint8_t *x86_movabs(uint8_t *p, int dst, uint64_t imm)
{
	p = x86_rex(p, true, 0, dst, false);
	*p++ = (uint8_t)(0xb8 + (dst & 7));
	__builtin_memcpy(p, &imm, 8);
	return p + 8;
}

/* ALU: dst op= src / imm. */
static inline uint8_t *x86_alu_rr(uint8_t *p, enum x86_alu op, bool w,
				  int dst, int src)
{
	return x86_op_rr(p, w, (unsigned)op << 3 | 1, src, dst, false);
}

/* xor r32, r32 */
static inline uint8_t *x86_zero(uint8_t *p, int dst)
{
	return x86_alu_rr(p, X86_XOR, false, dst, dst);
}

/* The shortest of the four moves above for a 64-bit value. */
static inline uint8_t *x86_mov_imm64(uint8_t *p, int dst, uint64_t v)
{
	if (v == 0)
		return x86_zero(p, dst);
	if (v <= UINT32_MAX)
		return x86_mov_ri32(p, dst, (uint32_t)v);
	if (x86_fits32((int64_t)v))
		return x86_mov_ri_sx(p, dst, (int32_t)v);
	return x86_movabs(p, dst, v);
}

/* The imm8 form when it fits, the rax short form (no ModRM) otherwise. */
static inline uint8_t *x86_alu_ri(uint8_t *p, enum x86_alu op, bool w,
				  int dst, int32_t imm)
{
	if (dst == X86_RAX && !x86_fits8(imm)) {
		p = x86_rex(p, w, 0, 0, false);
		*p++ = (uint8_t)(op << 3 | 5);
		return x86_put32(p, (uint32_t)imm);
	}
	return x86_op_r_imm(p, w, 0x83, 0x81, op, dst, imm);
}

static inline uint8_t *x86_test_rr(uint8_t *p, bool w, int dst, int src)
{
	return x86_op_rr(p, w, 0x85, src, dst, false);
}

uint8_t *x86_test_ri(uint8_t *p, bool w, int dst, int32_t imm);

/* cmovCC dst, src (64-bit: a 32-bit cmov zero-extends dst either way). */
static inline uint8_t *x86_cmov(uint8_t *p, enum x86_cc cc, int dst, int src)
{
	return x86_op_rr(p, true, 0x0f40u | cc, dst, src, false);
}

static inline uint8_t *x86_imul_rr(uint8_t *p, bool w, int dst, int src)
{
	return x86_op_rr(p, w, 0x0faf, dst, src, false);
}

static inline uint8_t *x86_imul_rri(uint8_t *p, bool w, int dst, int src,
				    int32_t imm)
{
	return x86_op_r_imm(p, w, 0x6b, 0x69, dst, src, imm);
}

/* div/idiv src: rdx:rax / src. */
uint8_t *x86_div(uint8_t *p, bool w, bool is_signed, int src);
uint8_t *x86_cqo(uint8_t *p, bool w); /* cqo, or cdq when !w */

static inline uint8_t *x86_neg(uint8_t *p, bool w, int dst)
{
	return x86_op_rr(p, w, 0xf7, 3, dst, false);
}

static inline uint8_t *x86_shift_ri(uint8_t *p, enum x86_shift op, bool w,
				    int dst, uint8_t imm)
{
	bool one = imm == 1; /* the d1 form has no immediate */

	p = x86_op_rr(p, w, one ? 0xd1 : 0xc1, op, dst, false);
	*p = imm;
	return p + !one;
}

static inline uint8_t *x86_shift_cl(uint8_t *p, enum x86_shift op, bool w,
				    int dst)
{
	return x86_op_rr(p, w, 0xd3, op, dst, false);
}

/* Extensions and byte swaps between registers. */
uint8_t *x86_movzx_rr(uint8_t *p, int dst, int src, int src_bytes); /* 1, 2 */
/* movsx from src_bytes 1, 2 (to 32 or 64 bits) or 4 (movsxd, w only). */
uint8_t *x86_movsx_rr(uint8_t *p, bool w, int dst, int src, int src_bytes);
uint8_t *x86_bswap(uint8_t *p, bool w, int reg);
uint8_t *x86_rol16_8(uint8_t *p, int reg); /* rol r16, 8: swap 2 bytes */

/* Memory operands are [base + disp]. */
static inline uint8_t *x86_load(uint8_t *p, enum x86_load kind, int dst,
				int base, int32_t disp)
{
	/* Opcode and REX.W by kind, as one table lookup. */
	static const uint16_t op[] = {
		[X86_LD_U8] = 0x0fb6, [X86_LD_U16] = 0x0fb7,
		[X86_LD_U32] = 0x8b,  [X86_LD_U64] = 0x8b,
		[X86_LD_S8] = 0x0fbe, [X86_LD_S16] = 0x0fbf,
		[X86_LD_S32] = 0x63,
	};
	bool w = kind >= X86_LD_U64;

	return x86_op_rm(p, w, op[kind], dst, base, disp, false);
}

static inline uint8_t *x86_store(uint8_t *p, int bytes, int base,
				 int32_t disp, int src)
{
	*p = 0x66; /* operand-size prefix for 16 bits */
	p += bytes == 2;
	return x86_op_rm(p, bytes == 8, bytes == 1 ? 0x88 : 0x89, src, base,
			 disp, bytes == 1 && x86_byte_rex(src));
}

static inline uint8_t *x86_store_imm(uint8_t *p, int bytes, int base,
				     int32_t disp, int32_t imm)
{
	*p = 0x66;
	p += bytes == 2;
	p = x86_op_rm(p, bytes == 8, bytes == 1 ? 0xc6 : 0xc7, 0, base, disp,
		      false);
	x86_put32(p, (uint32_t)imm); /* imm8, imm16 or imm32: its low bytes */
	return p + (bytes > 4 ? 4 : bytes);
}

static inline uint8_t *x86_lea(uint8_t *p, int dst, int base, int32_t disp)
{
	return x86_op_rm(p, true, 0x8d, dst, base, disp, false);
}

/* op [base + disp], src with a lock prefix (add, or, and, xor). */
uint8_t *x86_lock_alu(uint8_t *p, enum x86_alu op, bool w, int base,
		      int32_t disp, int src);
uint8_t *x86_lock_xadd(uint8_t *p, bool w, int base, int32_t disp, int src);
uint8_t *x86_xchg(uint8_t *p, bool w, int base, int32_t disp, int src);
uint8_t *x86_lock_cmpxchg(uint8_t *p, bool w, int base, int32_t disp,
			  int src);
/* reg op [base + disp] (64-bit): cmp, add, sub... */
static inline uint8_t *x86_alu_rm(uint8_t *p, enum x86_alu op, int reg,
				  int base, int32_t disp)
{
	return x86_op_rm(p, true, (unsigned)op << 3 | 3, reg, base, disp,
			 false);
}

/* op qword [base + disp], imm. */
static inline uint8_t *x86_alu_mi(uint8_t *p, enum x86_alu op, int base,
				  int32_t disp, int32_t imm)
{
	bool short_imm = x86_fits8(imm);

	p = x86_op_rm(p, true, short_imm ? 0x83 : 0x81, op, base, disp,
		      false);
	x86_put32(p, (uint32_t)imm);
	return p + (short_imm ? 1 : 4);
}

/* cmp byte [base + disp], imm8. */
uint8_t *x86_cmp_m8i(uint8_t *p, int base, int32_t disp, int8_t imm);

/* Control flow. rel is from the end of the instruction. */
static inline uint8_t *x86_jcc8(uint8_t *p, enum x86_cc cc, int8_t rel)
{
	p[0] = (uint8_t)(0x70 | cc);
	p[1] = (uint8_t)rel;
	return p + 2;
}

static inline uint8_t *x86_jcc32(uint8_t *p, enum x86_cc cc, int32_t rel)
{
	p[0] = 0x0f;
	p[1] = (uint8_t)(0x80 | cc);
	return x86_put32(p + 2, (uint32_t)rel);
}

static inline uint8_t *x86_jmp8(uint8_t *p, int8_t rel)
{
	p[0] = 0xeb;
	p[1] = (uint8_t)rel;
	return p + 2;
}

static inline uint8_t *x86_jmp32(uint8_t *p, int32_t rel)
{
	*p = 0xe9;
	return x86_put32(p + 1, (uint32_t)rel);
}

static inline uint8_t *x86_call32(uint8_t *p, int32_t rel)
{
	*p = 0xe8;
	return x86_put32(p + 1, (uint32_t)rel);
}

uint8_t *x86_call_r(uint8_t *p, int reg);
uint8_t *x86_push(uint8_t *p, int reg);
uint8_t *x86_pop(uint8_t *p, int reg);
uint8_t *x86_ret(uint8_t *p);
/* n bytes (any n) of the recommended multi-byte NOPs. */
uint8_t *x86_nops(uint8_t *p, unsigned n);

#define X86_JCC8_LEN 2
#define X86_JCC32_LEN 6
#define X86_JMP8_LEN 2
#define X86_JMP32_LEN 5

#endif
