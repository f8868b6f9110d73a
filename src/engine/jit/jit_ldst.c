/* Loads, stores and atomics, and the checked variant's bounds checks.
 *
 * Checked mode: the address goes to r10; inline fast paths accept the
 * current and caller stack frames ([rbp - 512, stack_hi)) and the run's
 * memory; anything else goes through a cold stub to eng_check_access
 * (which also knows opts->regions and writes the error). An access
 * through r10 with a constant offset inside the frame needs no check. */
#include <errno.h>

#include "engine/jit/jit_priv.h"
#include "isa/isa.h"

static const enum x86_load ld_kind[2][4] = {
	/* by ISA_SIZE >> 3: W, H, B, DW */
	{ X86_LD_U32, X86_LD_U16, X86_LD_U8, X86_LD_U64 },
	{ X86_LD_S32, X86_LD_S16, X86_LD_S8, X86_LD_U64 },
};

struct mem_op {
	int base;
	int32_t disp;
};

static int log2_size(unsigned size)
{
	return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

/* The cold stub of a failed fast path: call the check thunk, come back
 * to `ok` (insn cc->i, offset ok_delta) when a region allows it. */
static void check_stub(struct jit_cc *cc, uint8_t *jcc_end, uint32_t what,
		       uint32_t ok_delta)
{
	uint32_t at;
	uint8_t *p = jit_cold_begin(cc, &at);

	if (!p)
		return;
	jit_fix_main(cc, jcc_end, JIT_LOC_COLD, at);
	p = x86_mov_ri32(p, JIT_TMP, what);
	if (cc->flags & JIT_F_COUNTED)
		p = x86_mov_ri32(p, JIT_TMP2, cc->block_left);
	p = x86_call32(p, 0);
	jit_fix(cc, JIT_LOC_COLD, (uint32_t)(p - 4 - cc->cold.p), JIT_FIX_REL32,
		JIT_LOC_HEAD, cc->head_label[JIT_H_CHECK]);
	p = x86_jmp32(p, 0);
	jit_fix(cc, JIT_LOC_COLD, (uint32_t)(p - 4 - cc->cold.p), JIT_FIX_REL32,
		(uint32_t)cc->i, ok_delta);
	cc->cold.len = (size_t)(p - cc->cold.p);
}

static uint8_t *emit_check(struct jit_cc *cc, uint8_t *p, unsigned reg,
			   int16_t off, unsigned size, bool write, bool atomic,
			   struct mem_op *m)
{
	int32_t lim = JIT_CTX_OFF(mem_lim) + 8 * log2_size(size);
	uint8_t *fail[3], *to_mem, *to_ok;
	int nfail = 0;

	m->base = jit_reg[reg];
	m->disp = off;
	if (reg == BPF_REG_10 && off >= -(int)BPFVM_STACK_SIZE &&
	    off + (int)size <= 0 && (!atomic || off % (int)size == 0))
		return p; /* inside the current frame whatever the depth */
	p = x86_lea(p, JIT_ADDR, jit_reg[reg], off);
	if (atomic) {
		p = x86_test_ri(p, false, JIT_ADDR, (int32_t)size - 1);
		fail[nfail++] = p = x86_jcc32(p, X86_CC_NE, 0);
	}
	p = x86_lea(p, JIT_TMP, X86_RBP, -(int32_t)BPFVM_STACK_SIZE);
	p = x86_alu_rr(p, X86_CMP, true, JIT_ADDR, JIT_TMP);
	to_mem = p = x86_jcc8(p, X86_CC_B, 0);
	p = x86_alu_rm(p, X86_CMP, JIT_ADDR, JIT_CTX,
		       JIT_CTX_OFF(stack_lim) + 8 * log2_size(size));
	to_ok = p = x86_jcc8(p, X86_CC_BE, 0);
	to_mem[-1] = (uint8_t)(p - to_mem);
	p = x86_alu_rm(p, X86_CMP, JIT_ADDR, JIT_CTX, JIT_CTX_OFF(mem));
	fail[nfail++] = p = x86_jcc32(p, X86_CC_B, 0);
	p = x86_alu_rm(p, X86_CMP, JIT_ADDR, JIT_CTX, lim);
	fail[nfail++] = p = x86_jcc32(p, X86_CC_A, 0);
	to_ok[-1] = (uint8_t)(p - to_ok);
	for (int k = 0; k < nfail; k++)
		check_stub(cc, fail[k], JIT_WHAT(cc->i, size, write, atomic),
			   (uint32_t)(p - cc->main.p) - cc->off1[cc->i]);
	m->base = JIT_ADDR;
	m->disp = 0;
	return p;
}

static uint8_t *mem_operand(struct jit_cc *cc, uint8_t *p, unsigned reg,
			    int16_t off, unsigned size, bool write,
			    bool atomic, struct mem_op *m)
{
	if (cc->flags & JIT_F_CHECKED)
		return emit_check(cc, p, reg, off, size, write, atomic, m);
	m->base = jit_reg[reg];
	m->disp = off;
	return p;
}

/* dst op= src with a compare-exchange loop (fetch and, or, xor): rax
 * carries the old value, so r0 is kept in r9 meanwhile. */
static uint8_t *atomic_loop(uint8_t *p, enum x86_alu op, bool w,
			    struct mem_op m, int s)
{
	int val = s == X86_RAX ? JIT_TMP2 : s;
	uint8_t *loop;

	if (m.base == X86_RAX) {
		p = x86_lea(p, JIT_ADDR, X86_RAX, m.disp);
		m.base = JIT_ADDR;
		m.disp = 0;
	}
	p = x86_mov_rr(p, true, JIT_TMP2, X86_RAX);
	p = x86_load(p, w ? X86_LD_U64 : X86_LD_U32, X86_RAX, m.base, m.disp);
	loop = p;
	p = x86_mov_rr(p, w, JIT_TMP, X86_RAX);
	p = x86_alu_rr(p, op, w, JIT_TMP, val);
	p = x86_lock_cmpxchg(p, w, m.base, m.disp, JIT_TMP);
	p = x86_jcc8(p, X86_CC_NE, (int8_t)(loop - (p + 2)));
	if (s == X86_RAX)
		return p; /* r0 is src: it gets the old value */
	p = x86_mov_rr(p, w, s, X86_RAX);
	return x86_mov_rr(p, true, X86_RAX, JIT_TMP2);
}

static uint8_t *tr_atomic(struct jit_cc *cc, uint8_t *p,
			  const struct bpf_insn *in)
{
	static const int8_t rmw[16] = {
		[BPF_ADD >> 4] = X86_ADD, [BPF_OR >> 4] = X86_OR,
		[BPF_AND >> 4] = X86_AND, [BPF_XOR >> 4] = X86_XOR,
	};
	bool w = ISA_SIZE(in->code) == BPF_DW;
	unsigned size = w ? 8 : 4;
	int s = jit_reg[in->src_reg];
	int op = in->imm & ~BPF_FETCH;
	struct mem_op m;

	p = mem_operand(cc, p, in->dst_reg, in->off, size, true, true, &m);
	switch (in->imm) {
	case BPF_ADD: case BPF_OR: case BPF_AND: case BPF_XOR:
		return x86_lock_alu(p, (enum x86_alu)rmw[op >> 4], w, m.base,
				    m.disp, s);
	case BPF_ADD | BPF_FETCH:
		return x86_lock_xadd(p, w, m.base, m.disp, s);
	case BPF_OR | BPF_FETCH: case BPF_AND | BPF_FETCH:
	case BPF_XOR | BPF_FETCH:
		return atomic_loop(p, (enum x86_alu)rmw[op >> 4], w, m, s);
	case BPF_XCHG:
		return x86_xchg(p, w, m.base, m.disp, s);
	case BPF_CMPXCHG:
		p = x86_lock_cmpxchg(p, w, m.base, m.disp, s);
		/* r0 = old value, zero-extended: eax is not written when
		 * the exchange succeeds. */
		return w ? p : x86_mov_rr(p, false, X86_RAX, X86_RAX);
	}
	jit_fail(cc, -EOPNOTSUPP, "atomic operation 0x%x", (unsigned)in->imm);
	return NULL;
}

uint8_t *jit_tr_ldst(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in)
{
	unsigned size = isa_size_bytes(in->code);
	unsigned cls = ISA_CLASS(in->code);
	struct mem_op m;

	if (cls == BPF_STX && ISA_MODE(in->code) == BPF_ATOMIC)
		return tr_atomic(cc, p, in);
	if (ISA_MODE(in->code) != BPF_MEM && ISA_MODE(in->code) != BPF_MEMSX) {
		jit_fail(cc, -EOPNOTSUPP, "memory mode 0x%02x",
			 ISA_MODE(in->code));
		return NULL;
	}
	if (cls == BPF_LDX) {
		p = mem_operand(cc, p, in->src_reg, in->off, size, false,
				false, &m);
		return x86_load(p,
				ld_kind[ISA_MODE(in->code) == BPF_MEMSX]
				       [ISA_SIZE(in->code) >> 3],
				jit_reg[in->dst_reg], m.base, m.disp);
	}
	p = mem_operand(cc, p, in->dst_reg, in->off, size, true, false, &m);
	if (cls == BPF_STX)
		return x86_store(p, (int)size, m.base, m.disp,
				 jit_reg[in->src_reg]);
	if (cc->flags & JIT_F_BLIND) {
		p = jit_emit_imm(cc, p, JIT_TMP, in->imm);
		return x86_store(p, (int)size, m.base, m.disp, JIT_TMP);
	}
	return x86_store_imm(p, (int)size, m.base, m.disp, in->imm);
}
