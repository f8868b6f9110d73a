/* Is a BPF register live after an instruction? Asked only where the
 * fusion plan would drop a register's value (jit_fuse.c), so instead of
 * a dataflow pass over the whole program this follows the paths from
 * that instruction until each one reads the register (live), writes it
 * without reading (dead there) or ends, within a small budget: when the
 * budget runs out the answer is "live", which is always safe. */
#include "engine/jit/jit_fuse.h"
#include "isa/isa.h"

#define LIVE_MAX_INSNS 256	/* instructions looked at, all paths */
#define LIVE_MAX_PATHS 32	/* path starts (jump targets) */

enum { L_NEXT, L_READ, L_DEAD, L_JUMP, L_BRANCH };

/* Registers an ALU insn reads: dst unless a move; src for X forms. */
static unsigned alu_reads(const struct bpf_insn *in)
{
	unsigned op = ISA_OP(in->code), m = 0;

	if (op != BPF_MOV)
		m |= 1u << in->dst_reg;
	if (ISA_SRCBIT(in->code) == BPF_X && op != BPF_NEG && op != BPF_END)
		m |= 1u << in->src_reg;
	return m;
}

unsigned jit_insn_rw(const struct bpf_insn *in, unsigned *writes)
{
	unsigned op = ISA_OP(in->code);

	*writes = 0;
	switch (ISA_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		*writes = 1u << in->dst_reg;
		return alu_reads(in);
	case BPF_LDX:
		*writes = 1u << in->dst_reg;
		return 1u << in->src_reg;
	case BPF_ST:
		return 1u << in->dst_reg;
	case BPF_STX: /* atomics may read r0 too (and write src or r0) */
		return 1u << in->dst_reg | 1u << in->src_reg |
		       (ISA_MODE(in->code) == BPF_ATOMIC);
	case BPF_LD: /* lddw writes dst; LD_ABS/IND: as if it read all */
		if (!isa_is_lddw(in)) {
			*writes = 1; /* r0 */
			return 0x7ff;
		}
		*writes = 1u << in->dst_reg;
		return 0;
	}
	if (op == BPF_EXIT)
		return 1;
	if (op == BPF_CALL) { /* args r1-r5 (and more: be safe); r0 out */
		*writes = 1;
		return 0x7fe;
	}
	if (op == BPF_JA)
		return 0;
	return 1u << in->dst_reg |
	       (ISA_SRCBIT(in->code) == BPF_X ? 1u << in->src_reg : 0);
}

/* What insn `in` does to register r (L_JUMP: goes only to its target,
 * L_BRANCH: to its target or the next insn). An exit reads r0, and with
 * subprograms r1-r5 too: a caller reading them after the call is wrong
 * (their values are undefined), but it gets what the interpreter gives. */
static int effect(const struct jit_cc *cc, const struct bpf_insn *in,
		  unsigned r)
{
	unsigned writes, reads = jit_insn_rw(in, &writes);
	unsigned cls = ISA_CLASS(in->code), op = ISA_OP(in->code);

	if (op == BPF_EXIT && cls == BPF_JMP && cc->subprogs)
		reads = 0x3f;
	if (reads >> r & 1)
		return L_READ;
	if (writes >> r & 1)
		return L_DEAD;
	if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_CALL)
		return L_NEXT;
	if (op == BPF_EXIT) /* the path ends */
		return L_DEAD;
	return op == BPF_JA ? L_JUMP : L_BRANCH;
}

static size_t target(const struct bpf_insn *in, size_t k)
{
	bool gotol = ISA_CLASS(in->code) == BPF_JMP32 &&
		     ISA_OP(in->code) == BPF_JA;

	return (size_t)((int64_t)k + 1 + (gotol ? in->imm : in->off));
}

struct paths {
	size_t start[LIVE_MAX_PATHS];
	int n, done;
};

/* Queue a path from insn k unless one was queued there before. */
static bool queue(struct paths *ps, size_t k)
{
	for (int m = 0; m < ps->n; m++)
		if (ps->start[m] == k)
			return true;
	if (ps->n == LIVE_MAX_PATHS)
		return false;
	ps->start[ps->n++] = k;
	return true;
}

bool jit_live_after(const struct jit_cc *cc, unsigned r, size_t i)
{
	struct paths ps = { .n = 0 };
	unsigned budget = LIVE_MAX_INSNS;
	const struct bpf_insn *at = &cc->insns[i];

	/* The paths start where i leads: the fusion plan asks after
	 * loads, stores and ALU insns, which lead to the next insn. */
	if (ISA_CLASS(at->code) == BPF_JMP || ISA_CLASS(at->code) == BPF_JMP32)
		return true;
	queue(&ps, i + (isa_is_lddw(at) ? 2 : 1));
	for (; ps.done < ps.n; ps.done++) {
		for (size_t k = ps.start[ps.done];; k++) {
			const struct bpf_insn *in;

			if (k >= cc->cnt || !budget--)
				return true;
			in = &cc->insns[k];
			switch (effect(cc, in, r)) {
			case L_READ:
				return true;
			case L_BRANCH:
				if (!queue(&ps, target(in, k)))
					return true;
				continue;
			case L_NEXT:
				k += isa_is_lddw(in);
				continue;
			case L_JUMP:
				if (!queue(&ps, target(in, k)))
					return true;
				break;
			}
			break; /* L_DEAD, or a jump queued */
		}
	}
	return false;
}
