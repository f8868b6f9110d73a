/* If-conversion: "if cond goto +1; one ALU insn" becomes
 *
 *	mov r10, dst		; the value a taken jump leaves
 *	<the ALU insn on dst>
 *	cmp/test		; the jump's condition (dst read from r10)
 *	cmovCC dst, r10		; jumped: the ALU insn never happened
 *
 * as gcc does for such code (log2 chains, clamps, flags): a branch on
 * data the predictor cannot learn costs ~15 cycles when it misses, the
 * cmov one. Only for ALU ops without side effects that leave rcx, rdx
 * and the flags' later users alone, and only where the ALU insn is no
 * jump target. The counted variant keeps the branch: it charges
 * instructions per block. */
#include "engine/jit/jit_fuse.h"
#include "isa/isa.h"

#define SEL_SAVE JIT_ADDR /* r10: free outside checked memory accesses */

bool jit_sel_alu(const struct bpf_insn *in)
{
	unsigned cls = ISA_CLASS(in->code), op = ISA_OP(in->code);

	if (cls != BPF_ALU && cls != BPF_ALU64)
		return false;
	switch (op) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_OR:
	case BPF_AND:
	case BPF_XOR:
	case BPF_MOV:
		return true;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH: /* by a register they use cl */
		return ISA_SRCBIT(in->code) == BPF_K;
	}
	return false;
}

/* A conditional jump (not ja, call, exit or may_goto). */
bool jit_sel_cond(const struct bpf_insn *in)
{
	unsigned cls = ISA_CLASS(in->code), op = ISA_OP(in->code);

	if (cls != BPF_JMP && cls != BPF_JMP32)
		return false;
	return op != BPF_JA && op != BPF_CALL && op != BPF_EXIT &&
	       op != BPF_JCOND;
}

static bool skips_one(const struct jit_cc *cc, size_t i)
{
	const struct bpf_insn *in = &cc->insns[i];

	return jit_sel_cond(in) && in->off == 1 && i + 1 < cc->cnt &&
	       !(cc->info[i + 1] & JIT_I_TARGET) &&
	       jit_sel_alu(&cc->insns[i + 1]);
}

uint8_t *jit_tr_select(struct jit_cc *cc, uint8_t *p)
{
	/* a role in the fusion plan (a setcc) decides instead */
	if ((cc->flags & JIT_F_COUNTED) || (cc->fuse && cc->fuse[cc->i]) ||
	    !skips_one(cc, cc->i))
		return NULL;
	return jit_emit_select(cc, p, &cc->insns[cc->i], &cc->insns[cc->i + 1]);
}

uint8_t *jit_emit_select(struct jit_cc *cc, uint8_t *p,
			 const struct bpf_insn *j, const struct bpf_insn *a)
{
	int d, cd, cs;

	d = jit_reg[a->dst_reg];
	cd = jit_reg[j->dst_reg];
	cs = jit_reg[j->src_reg];
	p = x86_mov_rr(p, true, SEL_SAVE, d);
	p = jit_tr_alu(cc, p, a);
	if (!p)
		return NULL;
	/* the condition reads registers as they were before the ALU insn */
	p = jit_emit_cond(cc, p, j, cd == d ? SEL_SAVE : cd,
			  cs == d ? SEL_SAVE : cs);
	return x86_cmov(p, jit_cond_cc(j), d, SEL_SAVE);
}
