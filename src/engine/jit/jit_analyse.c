/* The analysis before translation, in one pass: basic-block leaders, jump
 * targets, loop heads (targets of backward jumps: aligned), function
 * entries, lddw second halves and the registers the program names.
 *
 * Opcodes of random code change at nearly every instruction, so a switch
 * on them mispredicts at nearly every instruction (~15 cycles, most of
 * what this pass may cost): the common instructions go through
 * branch-free arithmetic, and only calls and lddw take a branch. */
#include "engine/jit/jit_priv.h"
#include "isa/isa.h"

static void mark_func(struct jit_cc *cc, size_t i, int32_t delta)
{
	cc->info[(size_t)((int64_t)i + 1 + delta)] |= JIT_I_LEADER |
						      JIT_I_TARGET | JIT_I_FUNC;
	cc->subprogs = true;
}

/* Calls and lddw: rare, and more to do. */
static size_t analyse_rare(struct jit_cc *cc, size_t i)
{
	const struct bpf_insn *in = &cc->insns[i];

	if (ISA_CLASS(in->code) == BPF_JMP) { /* a call */
		cc->has_calls = true;
		if (ISA_SRCBIT(in->code) == BPF_K &&
		    in->src_reg == BPF_PSEUDO_CALL)
			mark_func(cc, i, in->imm);
		return i;
	}
	if (!isa_is_lddw(in) || i + 1 >= cc->cnt)
		return i; /* LD_ABS/IND: the translator refuses them */
	if (in->src_reg == BPF_PSEUDO_FUNC)
		mark_func(cc, i, in->imm);
	cc->info[i + 1] |= JIT_I_LDDW_HI;
	return i + 1;
}

/* Jumps' targets are marked after the pass: marking them in it, the
 * store to info[target] and the load of info[i] that follows would
 * alias at random, and each time the CPU guesses wrong it starts over.
 * tgt[]: target | backward << 31. */
static void mark_targets(uint8_t *info, const uint32_t *tgt, size_t n)
{
	for (size_t k = 0; k < n; k++)
		info[tgt[k] & 0x7fffffff] |= JIT_I_LEADER | JIT_I_TARGET |
					     (tgt[k] >> 31 ? JIT_I_LOOP : 0);
}

void jit_analyse(struct jit_cc *cc)
{
	/* locals: stores to info (bytes) could alias anything in cc */
	const struct bpf_insn *insns = cc->insns;
	uint8_t *info = cc->info;
	uint32_t *tgt = cc->scratch;
	size_t cnt = cc->cnt, n = 0;
	unsigned regs = 0, lead = 0;

	info[0] |= JIT_I_LEADER | JIT_I_FUNC;
	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];
		unsigned code = in->code, cls = ISA_CLASS(code), op = code >> 4;
		/* JMP or JMP32, not may_goto (never taken here) */
		unsigned ends = (0x60u >> cls & 1) & (op != BPF_JCOND >> 4);
		/* ... and not call or exit: a jump, with a target */
		unsigned jumps = ends & ~(0x0300u >> op) & 1;
		unsigned ja32 = (cls == BPF_JMP32) & (op == 0);
		int64_t delta = in->off + (((int64_t)in->imm - in->off) &
					   -(int64_t)ja32);
		size_t t = (size_t)((int64_t)i + 1 + delta);

		tgt[n] = (uint32_t)t | (uint32_t)(t <= i) << 31;
		n += jumps;
		info[i] |= (uint8_t)(lead | (JIT_I_ENDS & -ends));
		lead = JIT_I_LEADER & -ends;
		regs |= 1u << in->dst_reg | 1u << in->src_reg;
		if (__builtin_expect(cls == BPF_LD || (ends && op == BPF_CALL >> 4),
				     0))
			i = analyse_rare(cc, i);
	}
	mark_targets(info, tgt, n);
	cc->regs_named = (uint16_t)regs;
}
