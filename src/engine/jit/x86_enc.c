/* x86-64 instruction encodings (Intel SDM vol. 2): the ones not inline in
 * x86_enc.h, rare in BPF code. Register numbers 0-15; bit 3 goes into REX
 * (R for ModRM.reg, B for ModRM.rm / opcode reg). */
#include <string.h>

#include "engine/jit/x86_enc.h"

uint8_t *x86_test_ri(uint8_t *p, bool w, int dst, int32_t imm)
{
	/* Bits 8..63 of a 0..255 immediate are zero: test the low byte. */
	if (imm >= 0 && imm <= 0xff) {
		if (dst == X86_RAX) {
			*p++ = 0xa8;
		} else {
			p = x86_op_rr(p, false, 0xf6, 0, dst,
				  x86_byte_rex(dst));
		}
		*p++ = (uint8_t)imm;
		return p;
	}
	if (dst == X86_RAX) {
		p = x86_rex(p, w, 0, 0, false);
		*p++ = 0xa9;
	} else {
		p = x86_op_rr(p, w, 0xf7, 0, dst, false);
	}
	return x86_put32(p, (uint32_t)imm);
}

uint8_t *x86_div(uint8_t *p, bool w, bool is_signed, int src)
{
	return x86_op_rr(p, w, 0xf7, is_signed ? 7 : 6, src, false);
}

uint8_t *x86_cqo(uint8_t *p, bool w)
{
	if (w)
		*p++ = 0x48;
	*p++ = 0x99;
	return p;
}

uint8_t *x86_movzx_rr(uint8_t *p, int dst, int src, int src_bytes)
{
	return x86_op_rr(p, false, src_bytes == 1 ? 0x0fb6 : 0x0fb7, dst, src,
		     src_bytes == 1 && x86_byte_rex(src));
}

uint8_t *x86_movsx_rr(uint8_t *p, bool w, int dst, int src, int src_bytes)
{
	static const unsigned ops[5] = { [1] = 0x0fbe, [2] = 0x0fbf,
					 [4] = 0x63 };

	return x86_op_rr(p, w, ops[src_bytes], dst, src,
		     src_bytes == 1 && x86_byte_rex(src));
}

uint8_t *x86_bswap(uint8_t *p, bool w, int reg)
{
	p = x86_rex(p, w, 0, reg, false);
	*p++ = 0x0f;
	*p++ = 0xc8 + (reg & 7);
	return p;
}

uint8_t *x86_rol16_8(uint8_t *p, int reg)
{
	*p++ = 0x66;
	p = x86_op_rr(p, false, 0xc1, 0, reg, false);
	*p++ = 8;
	return p;
}

uint8_t *x86_lock_alu(uint8_t *p, enum x86_alu op, bool w, int base,
		      int32_t disp, int src)
{
	*p++ = 0xf0;
	return x86_op_rm(p, w, op << 3 | 1, src, base, disp, false);
}

uint8_t *x86_lock_xadd(uint8_t *p, bool w, int base, int32_t disp, int src)
{
	*p++ = 0xf0;
	return x86_op_rm(p, w, 0x0fc1, src, base, disp, false);
}

uint8_t *x86_xchg(uint8_t *p, bool w, int base, int32_t disp, int src)
{
	return x86_op_rm(p, w, 0x87, src, base, disp, false); /* locks itself */
}

uint8_t *x86_lock_cmpxchg(uint8_t *p, bool w, int base, int32_t disp,
			  int src)
{
	*p++ = 0xf0;
	return x86_op_rm(p, w, 0x0fb1, src, base, disp, false);
}

uint8_t *x86_cmp_m8i(uint8_t *p, int base, int32_t disp, int8_t imm)
{
	p = x86_op_rm(p, false, 0x80, X86_CMP, base, disp, false);
	*p++ = (uint8_t)imm;
	return p;
}

uint8_t *x86_call_r(uint8_t *p, int reg)
{
	return x86_op_rr(p, false, 0xff, 2, reg, false);
}

uint8_t *x86_push(uint8_t *p, int reg)
{
	p = x86_rex(p, false, 0, reg, false);
	*p++ = 0x50 + (reg & 7);
	return p;
}

uint8_t *x86_pop(uint8_t *p, int reg)
{
	p = x86_rex(p, false, 0, reg, false);
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
