/* x86-64 encoder: each function appends the bytes of one machine
 * instruction at p and returns the position after it. It knows encodings
 * (REX, ModRM, SIB, displacement and immediate sizes), nothing about BPF. */
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

/* Register and immediate moves. w: 64-bit operand size. */
uint8_t *x86_mov_rr(uint8_t *p, bool w, int dst, int src);
uint8_t *x86_mov_ri32(uint8_t *p, int dst, uint32_t imm); /* zero-extends */
uint8_t *x86_mov_ri_sx(uint8_t *p, int dst, int32_t imm);  /* sign-extends */
uint8_t *x86_movabs(uint8_t *p, int dst, uint64_t imm);
uint8_t *x86_zero(uint8_t *p, int dst);			   /* xor r32, r32 */
/* The shortest of the four above for a 64-bit value. */
uint8_t *x86_mov_imm64(uint8_t *p, int dst, uint64_t v);

/* ALU: dst op= src / imm (imm8 form when it fits, the rax short form). */
uint8_t *x86_alu_rr(uint8_t *p, enum x86_alu op, bool w, int dst, int src);
uint8_t *x86_alu_ri(uint8_t *p, enum x86_alu op, bool w, int dst, int32_t imm);
uint8_t *x86_test_rr(uint8_t *p, bool w, int dst, int src);
uint8_t *x86_test_ri(uint8_t *p, bool w, int dst, int32_t imm);
uint8_t *x86_imul_rr(uint8_t *p, bool w, int dst, int src);
uint8_t *x86_imul_rri(uint8_t *p, bool w, int dst, int src, int32_t imm);
/* div/idiv src: rdx:rax / src. */
uint8_t *x86_div(uint8_t *p, bool w, bool is_signed, int src);
uint8_t *x86_cqo(uint8_t *p, bool w); /* cqo, or cdq when !w */
uint8_t *x86_neg(uint8_t *p, bool w, int dst);
uint8_t *x86_shift_ri(uint8_t *p, enum x86_shift op, bool w, int dst,
		      uint8_t imm);
uint8_t *x86_shift_cl(uint8_t *p, enum x86_shift op, bool w, int dst);

/* Extensions and byte swaps between registers. */
uint8_t *x86_movzx_rr(uint8_t *p, int dst, int src, int src_bytes); /* 1, 2 */
/* movsx from src_bytes 1, 2 (to 32 or 64 bits) or 4 (movsxd, w only). */
uint8_t *x86_movsx_rr(uint8_t *p, bool w, int dst, int src, int src_bytes);
uint8_t *x86_bswap(uint8_t *p, bool w, int reg);
uint8_t *x86_rol16_8(uint8_t *p, int reg); /* rol r16, 8: swap 2 bytes */

/* Memory operands are [base + disp]. */
uint8_t *x86_load(uint8_t *p, enum x86_load kind, int dst, int base,
		  int32_t disp);
uint8_t *x86_store(uint8_t *p, int bytes, int base, int32_t disp, int src);
uint8_t *x86_store_imm(uint8_t *p, int bytes, int base, int32_t disp,
		       int32_t imm);
uint8_t *x86_lea(uint8_t *p, int dst, int base, int32_t disp);
/* op [base + disp], src with a lock prefix (add, or, and, xor). */
uint8_t *x86_lock_alu(uint8_t *p, enum x86_alu op, bool w, int base,
		      int32_t disp, int src);
uint8_t *x86_lock_xadd(uint8_t *p, bool w, int base, int32_t disp, int src);
uint8_t *x86_xchg(uint8_t *p, bool w, int base, int32_t disp, int src);
uint8_t *x86_lock_cmpxchg(uint8_t *p, bool w, int base, int32_t disp,
			  int src);
/* reg op [base + disp] (64-bit): cmp, add, sub... */
uint8_t *x86_alu_rm(uint8_t *p, enum x86_alu op, int reg, int base,
		    int32_t disp);
/* op qword [base + disp], imm. */
uint8_t *x86_alu_mi(uint8_t *p, enum x86_alu op, int base, int32_t disp,
		    int32_t imm);
/* cmp byte [base + disp], imm8. */
uint8_t *x86_cmp_m8i(uint8_t *p, int base, int32_t disp, int8_t imm);

/* Control flow. rel is from the end of the instruction. */
uint8_t *x86_jcc8(uint8_t *p, enum x86_cc cc, int8_t rel);
uint8_t *x86_jcc32(uint8_t *p, enum x86_cc cc, int32_t rel);
uint8_t *x86_jmp8(uint8_t *p, int8_t rel);
uint8_t *x86_jmp32(uint8_t *p, int32_t rel);
uint8_t *x86_call32(uint8_t *p, int32_t rel);
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
