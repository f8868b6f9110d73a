/* x86-64 memory operands [base + index + disp] (a SIB byte with scale 1),
 * for addresses the JIT folds out of BPF pointer arithmetic (jit_fuse.c).
 * index < 0 means [base + disp], x86_enc.h's forms. The index is never
 * rsp (no BPF register lives there). */
#ifndef BPFVM_ENGINE_JIT_X86_SIB_H
#define BPFVM_ENGINE_JIT_X86_SIB_H

#include "engine/jit/x86_enc.h"

/* [REX] opcode ModRM SIB [disp] for reg, [base + index + disp]. */
static inline uint8_t *x86_op_rmi(uint8_t *p, bool w, unsigned op, int reg,
				  int base, int index, int32_t disp,
				  bool byte_regs)
{
	unsigned rex, mod;

	if (index < 0)
		return x86_op_rm(p, w, op, reg, base, disp, byte_regs);
	rex = 0x40u | (unsigned)w << 3 | ((unsigned)reg >> 1 & 4) |
	      ((unsigned)index >> 2 & 2) | ((unsigned)base >> 3 & 1);
	*p = (uint8_t)rex;
	p += rex != 0x40 || byte_regs;
	p = x86_opcode(p, op);
	/* rbp/r13 as base have no disp-less form */
	mod = (disp != 0 || (base & 7) == X86_RBP) + !x86_fits8(disp);
	*p++ = (uint8_t)(mod << 6 | (unsigned)(reg & 7) << 3 | 4);
	*p++ = (uint8_t)((index & 7) << 3 | (base & 7));
	x86_put32(p, (uint32_t)disp);
	return p + (0x410u >> (mod * 4) & 15); /* 0, 1 or 4 bytes */
}

static inline uint8_t *x86_load_bi(uint8_t *p, enum x86_load kind, int dst,
				   int base, int index, int32_t disp)
{
	static const uint16_t op[] = {
		[X86_LD_U8] = 0x0fb6, [X86_LD_U16] = 0x0fb7,
		[X86_LD_U32] = 0x8b,  [X86_LD_U64] = 0x8b,
		[X86_LD_S8] = 0x0fbe, [X86_LD_S16] = 0x0fbf,
		[X86_LD_S32] = 0x63,
	};

	return x86_op_rmi(p, kind >= X86_LD_U64, op[kind], dst, base, index,
			  disp, false);
}

static inline uint8_t *x86_store_bi(uint8_t *p, int bytes, int base,
				    int index, int32_t disp, int src)
{
	*p = 0x66; /* operand-size prefix for 16 bits */
	p += bytes == 2;
	return x86_op_rmi(p, bytes == 8, bytes == 1 ? 0x88 : 0x89, src, base,
			  index, disp, bytes == 1 && x86_byte_rex(src));
}

static inline uint8_t *x86_store_imm_bi(uint8_t *p, int bytes, int base,
					int index, int32_t disp, int32_t imm)
{
	*p = 0x66;
	p += bytes == 2;
	p = x86_op_rmi(p, bytes == 8, bytes == 1 ? 0xc6 : 0xc7, 0, base,
		       index, disp, false);
	x86_put32(p, (uint32_t)imm); /* imm8, imm16 or imm32: its low bytes */
	return p + (bytes > 4 ? 4 : bytes);
}

/* lea dst, [base + index + disp]; !w: the 32-bit sum, zero-extended. */
static inline uint8_t *x86_lea_bi(uint8_t *p, bool w, int dst, int base,
				  int index, int32_t disp)
{
	return x86_op_rmi(p, w, 0x8d, dst, base, index, disp, false);
}

#endif
