/* The fusion plan (see jit_fuse.h): one forward pass that recognises the
 * runs and writes each insn's role into cc->fuse, allocated on the first
 * run found (most random code has none). */
#include <errno.h>
#include <stdlib.h>

#include "engine/jit/jit_fuse.h"
#include "isa/isa.h"

#define ALU64_MOV_X (BPF_ALU64 | BPF_MOV | BPF_X)

static bool is_target(const struct jit_cc *cc, size_t i)
{
	return cc->info[i] & JIT_I_TARGET;
}

bool jit_addr_start(const struct bpf_insn *in, struct jit_addr *s)
{
	if (in->code == ALU64_MOV_X && in->off == 0) {
		*s = (struct jit_addr){ in->dst_reg, in->src_reg, -1, 0 };
		return true;
	}
	*s = (struct jit_addr){ in->dst_reg, in->dst_reg, -1, 0 };
	return jit_addr_step(in, s);
}

bool jit_addr_step(const struct bpf_insn *in, struct jit_addr *s)
{
	int64_t d = s->disp;

	if (in->dst_reg != s->a)
		return false;
	switch (in->code) {
	case BPF_ALU64 | BPF_ADD | BPF_X:
		if (s->index >= 0 || in->src_reg == s->a)
			return false;
		s->index = in->src_reg;
		return true;
	case BPF_ALU64 | BPF_ADD | BPF_K:
		d += in->imm;
		break;
	case BPF_ALU64 | BPF_SUB | BPF_K:
		d -= in->imm;
		break;
	default:
		return false;
	}
	/* with room for any 16-bit access offset on top */
	if (d < INT32_MIN + 32768 || d > INT32_MAX - 32768)
		return false;
	s->disp = d;
	return true;
}

int jit_mem_base(const struct bpf_insn *in)
{
	switch (ISA_CLASS(in->code)) {
	case BPF_LDX:
		return ISA_MODE(in->code) == BPF_MEM ||
				       ISA_MODE(in->code) == BPF_MEMSX ?
			       in->src_reg :
			       -1;
	case BPF_ST:
	case BPF_STX:
		return ISA_MODE(in->code) == BPF_MEM ? in->dst_reg : -1;
	}
	return -1;
}

static bool set_role(struct jit_cc *cc, size_t i, unsigned role)
{
	if (!cc->fuse && !(cc->fuse = calloc(cc->cnt + 1, 1)))
		return false;
	cc->fuse[i] = (uint8_t)role;
	return true;
}

/* An access through rA that the run can fold: not a store of rA itself. */
static bool foldable_access(const struct bpf_insn *in, int a)
{
	return jit_mem_base(in) == a &&
	       !(ISA_CLASS(in->code) == BPF_STX && in->src_reg == a);
}

/* Does load `in` write a register the folded address is made of? */
static bool clobbers(const struct bpf_insn *in, const struct jit_addr *s)
{
	return ISA_CLASS(in->code) == BPF_LDX &&
	       (in->dst_reg == s->a || in->dst_reg == s->base ||
		in->dst_reg == s->index);
}

/* The longest address run from h: its last access (0: none), whether rA
 * must be set after it, and how many ALU insns it saves. */
struct run {
	size_t last;
	bool set;
	unsigned saved;
};

static struct run scan_run(const struct jit_cc *cc, size_t h)
{
	struct run best = { 0, false, 0 };
	struct jit_addr s;
	unsigned alu = 1;

	if (!jit_addr_start(&cc->insns[h], &s))
		return best;
	for (size_t k = h + 1; k < cc->cnt && k - h <= JIT_FUSE_MAX_RUN &&
			       !is_target(cc, k); k++) {
		const struct bpf_insn *in = &cc->insns[k];

		if (jit_addr_step(in, &s)) {
			alu++;
			continue;
		}
		if (!foldable_access(in, s.a))
			break;
		if (!clobbers(in, &s)) {
			best = (struct run){ k, false, alu };
			continue;
		}
		/* A load into rA ends the run with rA dead; into a register
		 * of the address, it ends it where rA is dead anyway. */
		if (in->dst_reg == s.a || !jit_live_after(cc, (unsigned)s.a, k))
			return (struct run){ k, false, alu };
		break;
	}
	if (best.last)
		best.set = jit_live_after(cc, (unsigned)s.a, best.last);
	return best;
}

/* Roles for the address run [h, r.last]. */
static bool plan_run(struct jit_cc *cc, size_t h, const struct run *r)
{
	for (size_t k = h; k <= r->last; k++) {
		unsigned role = JIT_FUSE_SKIP;

		if (jit_mem_base(&cc->insns[k]) >= 0 && k > h)
			role = (k == r->last && r->set ? JIT_FUSE_MEM_SET :
							JIT_FUSE_MEM) |
			       (unsigned)(k - h) << 4;
		if (!set_role(cc, k, role))
			return false;
	}
	return true;
}

/* rA = rB (64 or 32 bits) and an add to rA after it, as one lea: both
 * widths of the add after a 64-bit move, 32 bits after a 32-bit one. */
static bool lea_pair(const struct bpf_insn *mv, const struct bpf_insn *add)
{
	unsigned op = ISA_OP(add->code), cls = ISA_CLASS(add->code);

	if (ISA_OP(mv->code) != BPF_MOV || ISA_SRCBIT(mv->code) != BPF_X ||
	    mv->off != 0 || (ISA_CLASS(mv->code) != BPF_ALU64 &&
			     ISA_CLASS(mv->code) != BPF_ALU))
		return false;
	if ((cls != BPF_ALU && cls != BPF_ALU64) || add->dst_reg != mv->dst_reg ||
	    (ISA_CLASS(mv->code) == BPF_ALU && cls == BPF_ALU64))
		return false;
	if (op == BPF_ADD)
		return true;
	return op == BPF_SUB && ISA_SRCBIT(add->code) == BPF_K &&
	       add->imm != INT32_MIN;
}

/* The jump target of a ja. */
static size_t ja_target(const struct bpf_insn *in, size_t k)
{
	return (size_t)((int64_t)k + 1 +
			(ISA_CLASS(in->code) == BPF_JMP32 ? in->imm : in->off));
}

static bool is_ja(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_JA) || in->code == (BPF_JMP32 | BPF_JA);
}

/* Conditional jump i's target is where the goto after the insn after it
 * goes: "if cond goto L; one insn; goto L". */
static bool joins(const struct jit_cc *cc, size_t i)
{
	const struct bpf_insn *in = &cc->insns[i];

	return is_ja(&in[2]) &&
	       ja_target(&in[2], i + 2) == (size_t)((int64_t)i + 1 + in->off);
}

/* A move of 0 or 1 into register x: the value, or -1. */
static int bool_mov(const struct bpf_insn *in, unsigned x)
{
	if ((in->code != (BPF_ALU64 | BPF_MOV | BPF_K) &&
	     in->code != (BPF_ALU | BPF_MOV | BPF_K)) || in->dst_reg != x)
		return -1;
	return in->imm == 0 || in->imm == 1 ? in->imm : -1;
}

/* rX = a; if cond goto L; rX = !a; (L or goto L), with conditional jump
 * i the second and no jump into the middle: rX = cond ? a : !a. */
static bool setcc_at(const struct jit_cc *cc, size_t i)
{
	const struct bpf_insn *in = &cc->insns[i];
	unsigned x;
	int a;

	if (i == 0 || (cc->fuse && cc->fuse[i - 1]) || is_target(cc, i))
		return false;
	x = in[-1].dst_reg;
	a = bool_mov(&in[-1], x);
	if (a < 0 || bool_mov(&in[1], x) != !a || in->dst_reg == x ||
	    (ISA_SRCBIT(in->code) == BPF_X && in->src_reg == x))
		return false;
	return in->off == 1 || joins(cc, i);
}

/* Conditional jump i: one before a goto back, a jump over an exit, a
 * boolean's setcc, or a select over i + 1 before a goto to the same
 * place. */
static unsigned jump_role(const struct jit_cc *cc, size_t i)
{
	const struct bpf_insn *in = &cc->insns[i];

	if (!jit_sel_cond(in) || in->off == 0 || i + 2 >= cc->cnt ||
	    is_target(cc, i + 1))
		return 0;
	if (is_ja(&in[1]) && (in->off == 1 || ja_target(&in[1], i + 1) <= i))
		return JIT_FUSE_SWAP;
	if (in->off == 1 && in[1].code == (BPF_JMP | BPF_EXIT))
		return JIT_FUSE_EXIT;
	if (setcc_at(cc, i))
		return JIT_FUSE_SETCC;
	if (in->off != 1 && jit_sel_alu(&in[1]) && joins(cc, i))
		return JIT_FUSE_SELECT;
	return 0;
}

/* Copying a block: at most this many insns before its if-goto. */
#define TAIL_MAX 4

/* Does goto j go back to a short block that ends in an if-goto, with no
 * other jump in it and nothing in it fused? (jit_fuse_emit.c copies
 * it.) */
static bool tail_at(const struct jit_cc *cc, size_t j)
{
	size_t l = ja_target(&cc->insns[j], j);

	if (l >= j)
		return false;
	for (size_t k = l; k < j && k <= l + TAIL_MAX; k++) {
		const struct bpf_insn *in = &cc->insns[k];
		unsigned cls = ISA_CLASS(in->code);

		if (cc->fuse && cc->fuse[k])
			return false;
		if (jit_sel_cond(in))
			return k + 1 != j && !(in->off == 0);
		if (cls == BPF_ALU || cls == BPF_ALU64)
			continue;
		if (jit_mem_base(in) < 0)
			return false; /* jumps, calls, lddw, atomics */
	}
	return false;
}

/* Goto j copies the block it goes to (tail_at), whose if-goto's target
 * is then the head of the loop (aligned, JIT_I_LOOP) when it is behind. */
static bool plan_tail(struct jit_cc *cc, size_t j)
{
	size_t e = ja_target(&cc->insns[j], j), to;

	while (!jit_sel_cond(&cc->insns[e]))
		e++;
	to = (size_t)((int64_t)e + 1 + cc->insns[e].off);
	if (to <= j)
		cc->info[to] |= JIT_I_LOOP;
	return set_role(cc, j, JIT_FUSE_TAILDUP);
}

/* Roles for the conditional jump i and the insns it takes with it; the
 * insns planned from i (0: out of memory). */
static size_t plan_jump(struct jit_cc *cc, size_t i, unsigned role)
{
	if (role == JIT_FUSE_SETCC && !set_role(cc, i - 1, JIT_FUSE_SKIP))
		return 0;
	if (!set_role(cc, i, role) ||
	    !set_role(cc, i + 1, role == JIT_FUSE_SWAP ? JIT_FUSE_SWAP_JA :
							 JIT_FUSE_SKIP))
		return 0;
	return 2;
}

/* What starts at insn i; returns the insns it takes (1: nothing; 0: out
 * of memory). */
static size_t plan_at(struct jit_cc *cc, size_t i)
{
	const struct bpf_insn *in = &cc->insns[i];
	unsigned role;

	if (in->code == (BPF_JMP | BPF_EXIT))
		return !jit_leaf_frame(cc) || set_role(cc, i, JIT_FUSE_RET);
	if (is_ja(in))
		return !tail_at(cc, i) || plan_tail(cc, i);
	if (i + 1 >= cc->cnt || is_target(cc, i + 1))
		return 1;
	if (ISA_CLASS(in->code) == BPF_ALU64) {
		struct run r = scan_run(cc, i);

		/* worth it when it saves more than the lea it may need */
		if (r.last && r.saved > r.set)
			return plan_run(cc, i, &r) ? r.last - i + 1 : 0;
	}
	if (lea_pair(in, &in[1]))
		return set_role(cc, i, JIT_FUSE_LEA) &&
				       set_role(cc, i + 1, JIT_FUSE_SKIP) ?
			       2 :
			       0;
	role = jump_role(cc, i);
	if (role)
		return plan_jump(cc, i, role);
	return isa_is_lddw(in) ? 2 : 1;
}

/* What may_plan needs of an opcode: as the first insn of a run (S_*), and
 * as one of the insns around it (N_*). */
#define S_ADDR 0x01	/* rA = rB, rA += rB or k, rA -= k */
#define S_JCC 0x02	/* a conditional jump */
#define S_JA 0x04	/* goto (16-bit offset) */
#define N_JA 0x08	/* goto or gotol */
#define N_EXIT 0x10
#define N_ALU 0x20	/* ALU or ALU64 */
#define N_MOVK 0x40	/* rX = k, 64 or 32 bits */
#define N_SRC 0x80	/* a load: its address is src's (others: dst's) */

#define CLS(c) ((c) & 7)
#define IS_ALU(c) (CLS(c) == BPF_ALU || CLS(c) == BPF_ALU64)
#define IS_JMP(c) (CLS(c) == BPF_JMP || CLS(c) == BPF_JMP32)
#define NK(c)                                                               \
	(((c) == ALU64_MOV_X || (c) == (BPF_ALU | BPF_MOV | BPF_X) ||       \
	  (c) == (BPF_ALU64 | BPF_ADD | BPF_X) ||                           \
	  (c) == (BPF_ALU64 | BPF_ADD | BPF_K) ||                           \
	  (c) == (BPF_ALU64 | BPF_SUB | BPF_K)) * S_ADDR |                  \
	 (IS_JMP(c) && ((c) & 0xf0) != BPF_JA && ((c) & 0xf0) != BPF_CALL && \
	  ((c) & 0xf0) != BPF_EXIT && ((c) & 0xf0) != BPF_JCOND) * S_JCC |  \
	 ((c) == (BPF_JMP | BPF_JA)) * S_JA |                               \
	 ((c) == (BPF_JMP | BPF_JA) || (c) == (BPF_JMP32 | BPF_JA)) * N_JA | \
	 ((c) == (BPF_JMP | BPF_EXIT)) * N_EXIT | IS_ALU(c) * N_ALU |       \
	 ((c) == (BPF_ALU64 | BPF_MOV | BPF_K) ||                           \
	  (c) == (BPF_ALU | BPF_MOV | BPF_K)) * N_MOVK |                    \
	 (CLS(c) == BPF_LDX) * N_SRC)

static const uint8_t nk[256] = { JIT_TABLE256(NK) };

/* Can plan_at(i) plan anything? A quick test, without a branch on what
 * it reads, that the common candidate fails (most random code and most
 * conditions plan nothing): true for every one that plan_at plans, and
 * for some others.
 *  - an address run or lea needs insn i + 1 to be an ALU insn on rA or
 *    an access through rA (rA: insn i's dst);
 *  - a conditional jump needs a goto or exit after it, or an ALU insn
 *    after it with a goto after that (select) or a move of a constant
 *    before it (setcc);
 *  - a goto needs to go back (tail);
 *  - anything else (exit, gotol) is planned by plan_at. */
static bool may_plan(const struct jit_cc *cc, size_t i)
{
	const struct bpf_insn *in = &cc->insns[i];
	const struct bpf_insn *n1 = &cc->insns[i + 1 < cc->cnt ? i + 1 : i];
	const struct bpf_insn *n2 = &cc->insns[i + 2 < cc->cnt ? i + 2 : i];
	const struct bpf_insn *pv = &cc->insns[i ? i - 1 : i];
	unsigned k0 = nk[in->code], k1 = nk[n1->code];
	unsigned k2 = nk[n2->code], kp = nk[pv->code];
	unsigned regs1 = ((const uint8_t *)n1)[1];
	unsigned base1 = regs1 >> ((k1 & N_SRC) >> 5) & 15; /* src: >> 4 */
	/* & and |, not && and ||: no branch (k & X) != 0 */
	unsigned addr = ((k0 & S_ADDR) != 0) & (base1 == in->dst_reg) &
			(0x9eu >> CLS(n1->code)); /* ALU, LDX, ST, STX */
	unsigned jcc = ((k0 & S_JCC) != 0) &
		       (((k1 & (N_JA | N_EXIT)) != 0) |
			(((k1 & N_ALU) != 0) &
			 (((kp & N_MOVK) != 0) | ((k2 & N_JA) != 0))));
	unsigned ja = ((k0 & S_JA) != 0) & (in->off < -1);

	return (addr | jcc | ja | !(k0 & (S_ADDR | S_JCC | S_JA))) & 1;
}

/* Candidates [k0, k1) that may_plan lets through, in place; returns
 * their end. */
static size_t filter_cands(struct jit_cc *cc, size_t k0, size_t k1)
{
	uint32_t *cand = cc->fuse_cand;
	size_t m = k0;

	for (size_t k = k0; k < k1; k++) {
		uint32_t i = cand[k];

		cand[m] = i;
		m += may_plan(cc, i);
	}
	return m;
}

/* Candidates filtered a window at a time, then planned while their
 * insns are still in the cache. */
#define WINDOW 256

int jit_fuse_plan(struct jit_cc *cc)
{
	size_t i = 0;

	if (cc->flags & (JIT_F_CHECKED | JIT_F_COUNTED | JIT_F_BLIND))
		return 0;
	jit_leaf_plan(cc);
	/* Only where a run may start (the analysis lists them, branch-free:
	 * plan_at of any other insn takes it alone and plans nothing). */
	for (size_t w = 0; w < cc->n_fuse_cand; w += WINDOW) {
		size_t end = w + WINDOW < cc->n_fuse_cand ? w + WINDOW :
							    cc->n_fuse_cand;

		end = filter_cands(cc, w, end);
		for (size_t k = w; k < end; k++) {
			size_t took;

			if (cc->fuse_cand[k] < i)
				continue; /* in a run planned already */
			i = cc->fuse_cand[k];
			took = plan_at(cc, i);
			if (!took)
				return -ENOMEM;
			i += took;
		}
	}
	return 0;
}
