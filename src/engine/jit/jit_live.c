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

/* What insn `in` does to register r (L_JUMP: goes only to its target,
 * L_BRANCH: to its target or the next insn). */
static int effect(const struct bpf_insn *in, unsigned r)
{
	unsigned cls = ISA_CLASS(in->code), op = ISA_OP(in->code);
	unsigned bit = 1u << r, reads, writes = 0;

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		reads = alu_reads(in);
		writes = 1u << in->dst_reg;
		break;
	case BPF_LDX:
		reads = 1u << in->src_reg;
		writes = 1u << in->dst_reg;
		break;
	case BPF_ST:
		reads = 1u << in->dst_reg;
		break;
	case BPF_STX: /* atomics may read or write r0 too */
		reads = 1u << in->dst_reg | 1u << in->src_reg |
			(ISA_MODE(in->code) == BPF_ATOMIC);
		break;
	case BPF_LD: /* lddw writes dst; LD_ABS/IND: assume it reads */
		if (!isa_is_lddw(in))
			return L_READ;
		return in->dst_reg == r ? L_DEAD : L_NEXT;
	default: /* JMP, JMP32 */
		if (op == BPF_EXIT)
			return r == BPF_REG_0 ? L_READ : L_DEAD;
		if (op == BPF_CALL) /* args r1-r5; r0 is the result */
			return r == BPF_REG_0 ? L_DEAD : L_READ;
		if (op == BPF_JA)
			return L_JUMP;
		reads = 1u << in->dst_reg;
		if (ISA_SRCBIT(in->code) == BPF_X)
			reads |= 1u << in->src_reg;
		return reads & bit ? L_READ : L_BRANCH;
	}
	if (reads & bit)
		return L_READ;
	return writes & bit ? L_DEAD : L_NEXT;
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
			switch (effect(in, r)) {
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
