/* x86-64 instruction encodings (Intel SDM vol. 2). Register numbers 0-15;
 * bit 3 goes into REX (R for ModRM.reg, B for ModRM.rm / opcode reg). */
#include <string.h>

#include "engine/jit/x86_enc.h"

/* REX prefix when needed. byte_regs: a ModRM operand names an 8-bit
 * register 4-7, which means spl..dil only with a REX (ah..bh without). */
static uint8_t *rex(uint8_t *p, bool w, int r, int b, bool byte_regs)
{
	uint8_t v = 0x40 | (w << 3) | ((r >> 3) & 1) << 2 | ((b >> 3) & 1);

	if (v != 0x40 || byte_regs)
		*p++ = v;
	return p;
}

static bool needs_byte_rex(int reg)
{
	return reg >= 4 && reg <= 7;
}

static uint8_t *modrm_rr(uint8_t *p, int reg, int rm)
{
	*p++ = 0xc0 | (reg & 7) << 3 | (rm & 7);
	return p;
}

/* ModRM (+ SIB) + displacement for [base + disp]. rbp/r13 have no
 * disp-less form; rsp/r12 need a SIB byte. */
static uint8_t *modrm_mem(uint8_t *p, int reg, int base, int32_t disp)
{
	int mod = disp == 0 && (base & 7) != X86_RBP ? 0 :
		  x86_fits8(disp) ? 1 : 2;

	*p++ = mod << 6 | (reg & 7) << 3 | (base & 7);
	if ((base & 7) == X86_RSP)
		*p++ = 0x24;
	if (mod == 1)
		*p++ = (uint8_t)disp;
	else if (mod == 2)
		p = x86_put32(p, (uint32_t)disp);
	return p;
}

/* [REX] opcode(s) ModRM for reg, reg: op is 1 or 2 bytes (0x0f xx). */
static uint8_t *op_rr(uint8_t *p, bool w, unsigned op, int reg, int rm,
		      bool byte_regs)
{
	p = rex(p, w, reg, rm, byte_regs);
	if (op > 0xff)
		*p++ = op >> 8;
	*p++ = op & 0xff;
	return modrm_rr(p, reg, rm);
}

static uint8_t *op_rm(uint8_t *p, bool w, unsigned op, int reg, int base,
		      int32_t disp, bool byte_regs)
{
	p = rex(p, w, reg, base, byte_regs);
	if (op > 0xff)
		*p++ = op >> 8;
	*p++ = op & 0xff;
	return modrm_mem(p, reg, base, disp);
}

uint8_t *x86_mov_rr(uint8_t *p, bool w, int dst, int src)
{
	return op_rr(p, w, 0x89, src, dst, false);
}

uint8_t *x86_mov_ri32(uint8_t *p, int dst, uint32_t imm)
{
	p = rex(p, false, 0, dst, false);
	*p++ = 0xb8 + (dst & 7);
	return x86_put32(p, imm);
}

uint8_t *x86_mov_ri_sx(uint8_t *p, int dst, int32_t imm)
{
	p = op_rr(p, true, 0xc7, 0, dst, false);
	return x86_put32(p, (uint32_t)imm);
}

uint8_t *x86_movabs(uint8_t *p, int dst, uint64_t imm)
{
	p = rex(p, true, 0, dst, false);
	*p++ = 0xb8 + (dst & 7);
	memcpy(p, &imm, 8);
	return p + 8;
}

uint8_t *x86_zero(uint8_t *p, int dst)
{
	return x86_alu_rr(p, X86_XOR, false, dst, dst);
}

uint8_t *x86_mov_imm64(uint8_t *p, int dst, uint64_t v)
{
	if (v == 0)
		return x86_zero(p, dst);
	if (v <= UINT32_MAX)
		return x86_mov_ri32(p, dst, (uint32_t)v);
	if (x86_fits32((int64_t)v))
		return x86_mov_ri_sx(p, dst, (int32_t)v);
	return x86_movabs(p, dst, v);
}

uint8_t *x86_alu_rr(uint8_t *p, enum x86_alu op, bool w, int dst, int src)
{
	return op_rr(p, w, op << 3 | 1, src, dst, false);
}

uint8_t *x86_alu_ri(uint8_t *p, enum x86_alu op, bool w, int dst, int32_t imm)
{
	if (x86_fits8(imm)) {
		p = op_rr(p, w, 0x83, op, dst, false);
		*p++ = (uint8_t)imm;
		return p;
	}
	if (dst == X86_RAX) { /* op eax/rax, imm32: no ModRM */
		p = rex(p, w, 0, 0, false);
		*p++ = op << 3 | 5;
	} else {
		p = op_rr(p, w, 0x81, op, dst, false);
	}
	return x86_put32(p, (uint32_t)imm);
}

uint8_t *x86_test_rr(uint8_t *p, bool w, int dst, int src)
{
	return op_rr(p, w, 0x85, src, dst, false);
}

uint8_t *x86_test_ri(uint8_t *p, bool w, int dst, int32_t imm)
{
	/* Bits 8..63 of a 0..255 immediate are zero: test the low byte. */
	if (imm >= 0 && imm <= 0xff) {
		if (dst == X86_RAX) {
			*p++ = 0xa8;
		} else {
			p = op_rr(p, false, 0xf6, 0, dst,
				  needs_byte_rex(dst));
		}
		*p++ = (uint8_t)imm;
		return p;
	}
	if (dst == X86_RAX) {
		p = rex(p, w, 0, 0, false);
		*p++ = 0xa9;
	} else {
		p = op_rr(p, w, 0xf7, 0, dst, false);
	}
	return x86_put32(p, (uint32_t)imm);
}

uint8_t *x86_imul_rr(uint8_t *p, bool w, int dst, int src)
{
	return op_rr(p, w, 0x0faf, dst, src, false);
}

uint8_t *x86_imul_rri(uint8_t *p, bool w, int dst, int src, int32_t imm)
{
	if (x86_fits8(imm)) {
		p = op_rr(p, w, 0x6b, dst, src, false);
		*p++ = (uint8_t)imm;
		return p;
	}
	p = op_rr(p, w, 0x69, dst, src, false);
	return x86_put32(p, (uint32_t)imm);
}

uint8_t *x86_div(uint8_t *p, bool w, bool is_signed, int src)
{
	return op_rr(p, w, 0xf7, is_signed ? 7 : 6, src, false);
}

uint8_t *x86_cqo(uint8_t *p, bool w)
{
	if (w)
		*p++ = 0x48;
	*p++ = 0x99;
	return p;
}

uint8_t *x86_neg(uint8_t *p, bool w, int dst)
{
	return op_rr(p, w, 0xf7, 3, dst, false);
}

uint8_t *x86_shift_ri(uint8_t *p, enum x86_shift op, bool w, int dst,
		      uint8_t imm)
{
	if (imm == 1)
		return op_rr(p, w, 0xd1, op, dst, false);
	p = op_rr(p, w, 0xc1, op, dst, false);
	*p++ = imm;
	return p;
}

uint8_t *x86_shift_cl(uint8_t *p, enum x86_shift op, bool w, int dst)
{
	return op_rr(p, w, 0xd3, op, dst, false);
}

uint8_t *x86_movzx_rr(uint8_t *p, int dst, int src, int src_bytes)
{
	return op_rr(p, false, src_bytes == 1 ? 0x0fb6 : 0x0fb7, dst, src,
		     src_bytes == 1 && needs_byte_rex(src));
}

uint8_t *x86_movsx_rr(uint8_t *p, bool w, int dst, int src, int src_bytes)
{
	static const unsigned ops[5] = { [1] = 0x0fbe, [2] = 0x0fbf,
					 [4] = 0x63 };

	return op_rr(p, w, ops[src_bytes], dst, src,
		     src_bytes == 1 && needs_byte_rex(src));
}

uint8_t *x86_bswap(uint8_t *p, bool w, int reg)
{
	p = rex(p, w, 0, reg, false);
	*p++ = 0x0f;
	*p++ = 0xc8 + (reg & 7);
	return p;
}

uint8_t *x86_rol16_8(uint8_t *p, int reg)
{
	*p++ = 0x66;
	p = op_rr(p, false, 0xc1, 0, reg, false);
	*p++ = 8;
	return p;
}

uint8_t *x86_load(uint8_t *p, enum x86_load kind, int dst, int base,
		  int32_t disp)
{
	static const struct {
		unsigned op;
		bool w;
	} forms[] = {
		[X86_LD_U8] = { 0x0fb6, false }, [X86_LD_U16] = { 0x0fb7, false },
		[X86_LD_U32] = { 0x8b, false },	 [X86_LD_U64] = { 0x8b, true },
		[X86_LD_S8] = { 0x0fbe, true },	 [X86_LD_S16] = { 0x0fbf, true },
		[X86_LD_S32] = { 0x63, true },
	};

	return op_rm(p, forms[kind].w, forms[kind].op, dst, base, disp, false);
}

uint8_t *x86_store(uint8_t *p, int bytes, int base, int32_t disp, int src)
{
	if (bytes == 2)
		*p++ = 0x66;
	return op_rm(p, bytes == 8, bytes == 1 ? 0x88 : 0x89, src, base, disp,
		     bytes == 1 && needs_byte_rex(src));
}

uint8_t *x86_store_imm(uint8_t *p, int bytes, int base, int32_t disp,
		       int32_t imm)
{
	if (bytes == 2)
		*p++ = 0x66;
	p = op_rm(p, bytes == 8, bytes == 1 ? 0xc6 : 0xc7, 0, base, disp,
		  false);
	if (bytes == 1) {
		*p++ = (uint8_t)imm;
	} else if (bytes == 2) {
		uint16_t v = (uint16_t)imm;
		memcpy(p, &v, 2);
		p += 2;
	} else {
		p = x86_put32(p, (uint32_t)imm);
	}
	return p;
}

uint8_t *x86_lea(uint8_t *p, int dst, int base, int32_t disp)
{
	return op_rm(p, true, 0x8d, dst, base, disp, false);
}

uint8_t *x86_lock_alu(uint8_t *p, enum x86_alu op, bool w, int base,
		      int32_t disp, int src)
{
	*p++ = 0xf0;
	return op_rm(p, w, op << 3 | 1, src, base, disp, false);
}

uint8_t *x86_lock_xadd(uint8_t *p, bool w, int base, int32_t disp, int src)
{
	*p++ = 0xf0;
	return op_rm(p, w, 0x0fc1, src, base, disp, false);
}

uint8_t *x86_xchg(uint8_t *p, bool w, int base, int32_t disp, int src)
{
	return op_rm(p, w, 0x87, src, base, disp, false); /* locks itself */
}

uint8_t *x86_lock_cmpxchg(uint8_t *p, bool w, int base, int32_t disp,
			  int src)
{
	*p++ = 0xf0;
	return op_rm(p, w, 0x0fb1, src, base, disp, false);
}

uint8_t *x86_alu_rm(uint8_t *p, enum x86_alu op, int reg, int base,
		    int32_t disp)
{
	return op_rm(p, true, op << 3 | 3, reg, base, disp, false);
}

uint8_t *x86_alu_mi(uint8_t *p, enum x86_alu op, int base, int32_t disp,
		    int32_t imm)
{
	bool short_imm = x86_fits8(imm);

	p = op_rm(p, true, short_imm ? 0x83 : 0x81, op, base, disp, false);
	if (short_imm) {
		*p++ = (uint8_t)imm;
		return p;
	}
	return x86_put32(p, (uint32_t)imm);
}

uint8_t *x86_cmp_m8i(uint8_t *p, int base, int32_t disp, int8_t imm)
{
	p = op_rm(p, false, 0x80, X86_CMP, base, disp, false);
	*p++ = (uint8_t)imm;
	return p;
}

uint8_t *x86_jcc8(uint8_t *p, enum x86_cc cc, int8_t rel)
{
	*p++ = 0x70 | cc;
	*p++ = (uint8_t)rel;
	return p;
}

uint8_t *x86_jcc32(uint8_t *p, enum x86_cc cc, int32_t rel)
{
	*p++ = 0x0f;
	*p++ = 0x80 | cc;
	return x86_put32(p, (uint32_t)rel);
}

uint8_t *x86_jmp8(uint8_t *p, int8_t rel)
{
	*p++ = 0xeb;
	*p++ = (uint8_t)rel;
	return p;
}

uint8_t *x86_jmp32(uint8_t *p, int32_t rel)
{
	*p++ = 0xe9;
	return x86_put32(p, (uint32_t)rel);
}

uint8_t *x86_call32(uint8_t *p, int32_t rel)
{
	*p++ = 0xe8;
	return x86_put32(p, (uint32_t)rel);
}

uint8_t *x86_call_r(uint8_t *p, int reg)
{
	return op_rr(p, false, 0xff, 2, reg, false);
}

uint8_t *x86_push(uint8_t *p, int reg)
{
	p = rex(p, false, 0, reg, false);
	*p++ = 0x50 + (reg & 7);
	return p;
}

uint8_t *x86_pop(uint8_t *p, int reg)
{
	p = rex(p, false, 0, reg, false);
	*p++ = 0x58 + (reg & 7);
	return p;
}

uint8_t *x86_ret(uint8_t *p)
{
	*p++ = 0xc3;
	return p;
}

uint8_t *x86_nops(uint8_t *p, unsigned n)
{
	/* Intel's recommended NOP forms, 1 to 9 bytes. */
	static const uint8_t nop[9][9] = {
		{ 0x90 },
		{ 0x66, 0x90 },
		{ 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};

	while (n) {
		unsigned k = n > 9 ? 9 : n;

		memcpy(p, nop[k - 1], k);
		p += k;
		n -= k;
	}
	return p;
}
