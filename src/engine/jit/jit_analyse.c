/* The analysis before translation, in one pass: basic-block leaders, jump
 * targets, loop heads (targets of backward jumps: aligned), function
 * entries, lddw second halves, the registers the program names and the
 * insns a fused run may start at (for jit_fuse.c).
 *
 * Opcodes of random code change at nearly every instruction, so a switch
 * on them mispredicts at nearly every instruction (~15 cycles, most of
 * what this pass may cost): what the pass needs to know of an opcode
 * comes from a table, the common instructions go through branch-free
 * arithmetic, and only calls, lddw and gotol take a branch. */
#include "engine/jit/jit_priv.h"
#include "isa/isa.h"

#define K_LEAD 0x01 /* ends its block (jump, call, exit; not may_goto):
		     * the next insn leads one (JIT_I_LEADER) */
#define K_JUMP 0x02 /* a jump to insn i + 1 + off */
#define K_RARE 0x04 /* call, lddw, gotol: more to do */
#define K_FUSE 0x08 /* may start a fused run (jit_fuse.c's plan_at):
		     * a move, an add or sub to a pointer, a jump, an
		     * exit */

#define JMP_CLS(c) (((c) & 7) == BPF_JMP || ((c) & 7) == BPF_JMP32)
#define ENDS(c) (JMP_CLS(c) && (c) >> 4 != BPF_JCOND >> 4)
#define CALL(c) (ENDS(c) && (c) >> 4 == BPF_CALL >> 4)
#define GOTOL(c) ((c) == (BPF_JMP32 | BPF_JA))
#define JUMP(c)                                                             \
	(ENDS(c) && !CALL(c) && (c) >> 4 != BPF_EXIT >> 4 && !GOTOL(c))
#define FUSE(c)                                                             \
	(JUMP(c) || GOTOL(c) || (c) == (BPF_JMP | BPF_EXIT) ||              \
	 (c) == (BPF_ALU64 | BPF_MOV | BPF_X) ||                            \
	 (c) == (BPF_ALU | BPF_MOV | BPF_X) ||                              \
	 (c) == (BPF_ALU64 | BPF_ADD | BPF_X) ||                            \
	 (c) == (BPF_ALU64 | BPF_ADD | BPF_K) ||                            \
	 (c) == (BPF_ALU64 | BPF_SUB | BPF_K))
/* LD_ABS / LD_IND: may end the run, so each ends its block
 * (jit_ldpkt.c) */
#define LDPKT(c)                                                            \
	(((c) & 7) == BPF_LD && (((c) & 0xe0) == BPF_ABS ||                 \
				 ((c) & 0xe0) == BPF_IND))
#define KIND(c)                                                             \
	((ENDS(c) || LDPKT(c)) * K_LEAD | JUMP(c) * K_JUMP |                 \
	 (((c) & 7) == BPF_LD || CALL(c) || GOTOL(c)) * K_RARE |             \
	 FUSE(c) * K_FUSE)

static const uint8_t kind[256] = { JIT_TABLE256(KIND) };

/* The registers the register byte of an insn names (dst | src << 4). */
#define REGS(b) (1u << ((b) & 15) | 1u << ((b) >> 4))

static const uint16_t regs_of[256] = { JIT_TABLE256(REGS) };

/* Jumps' targets, as target | backward << 31 (| T_FUNC for a function
 * entry), are marked after the pass: marking them in it, the store to
 * info[target] and the load of info[i] that follows would alias at
 * random, and each time the CPU guesses wrong it starts over; and the
 * pass stores info[i] whole. Targets are below 2^20. */
#define T_BACK 0x80000000u
#define T_FUNC 0x40000000u
#define T_INSN 0x3fffffffu

static uint32_t target(size_t i, int32_t delta)
{
	return (uint32_t)(i + 1 + (size_t)(int64_t)delta) |
	       ((uint32_t)delta & T_BACK); /* t <= i: delta < 0 */
}

static void mark_targets(uint8_t *info, const uint32_t *tgt, size_t n)
{
	for (size_t k = 0; k < n; k++)
		info[tgt[k] & T_INSN] |=
			JIT_I_LEADER | JIT_I_TARGET |
			(tgt[k] & T_BACK ? JIT_I_LOOP : 0) |
			(tgt[k] & T_FUNC ? JIT_I_FUNC : 0);
}

static uint32_t func_target(struct jit_cc *cc, size_t i, int32_t delta)
{
	cc->subprogs = true;
	return (uint32_t)(i + 1 + (size_t)(int64_t)delta) | T_FUNC;
}

/* Calls, lddw and gotol (a target goes to tgt[*n]). Returns the last
 * insn it took. */
static size_t analyse_rare(struct jit_cc *cc, size_t i, size_t *n)
{
	const struct bpf_insn *in = &cc->insns[i];

	if (GOTOL(in->code)) {
		cc->scratch[(*n)++] = target(i, in->imm);
		return i;
	}
	if (ISA_CLASS(in->code) != BPF_LD) { /* a call */
		cc->has_calls = true;
		if (ISA_SRCBIT(in->code) == BPF_K &&
		    in->src_reg == BPF_PSEUDO_CALL)
			cc->scratch[(*n)++] = func_target(cc, i, in->imm);
		return i;
	}
	if (!isa_is_lddw(in)) { /* LD_ABS/IND: a C call (jit_ldpkt.c) */
		cc->has_calls = true;
		return i;
	}
	if (i + 1 >= cc->cnt)
		return i;
	if (in->src_reg == BPF_PSEUDO_FUNC)
		cc->scratch[(*n)++] = func_target(cc, i, in->imm);
	cc->info[i + 1] = JIT_I_LDDW_HI; /* the pass skips it */
	return i + 1;
}

void jit_analyse(struct jit_cc *cc)
{
	/* locals: stores to info (bytes) could alias anything in cc */
	const struct bpf_insn *insns = cc->insns;
	uint8_t *info = cc->info, seen[256] = { 0 };
	uint32_t *tgt = cc->scratch, *cand = cc->fuse_cand;
	size_t cnt = cc->cnt, n = 0, m = 0;
	unsigned regs = 0, lead = JIT_I_LEADER;

	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];
		unsigned k = kind[in->code];

		tgt[n] = target(i, in->off); /* kept when it is a jump */
		n += k >> 1 & 1;
		cand[m] = (uint32_t)i;
		m += k >> 3 & 1;
		info[i] = (uint8_t)lead;
		lead = k & K_LEAD; /* = JIT_I_LEADER */
		seen[((const uint8_t *)in)[1]] = 1; /* its registers */
		if (__builtin_expect(k & K_RARE, 0))
			i = analyse_rare(cc, i, &n);
	}
	info[cnt] = 0;
	info[0] |= JIT_I_FUNC;
	mark_targets(info, tgt, n);
	for (unsigned b = 0; b < 256; b++)
		regs |= seen[b] ? regs_of[b] : 0;
	cc->n_fuse_cand = m;
	cc->regs_named = (uint16_t)regs;
}
