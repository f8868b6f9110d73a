/* Code for the instructions the fusion plan gave a role (jit_fuse.h). */
#include "engine/jit/jit_fuse.h"
#include "engine/jit/jit_switch.h"
#include "engine/jit/x86_sib.h"
#include "isa/isa.h"

static const enum x86_load ld_kind[2][4] = {
	/* by ISA_SIZE >> 3: W, H, B, DW */
	{ X86_LD_U32, X86_LD_U16, X86_LD_U8, X86_LD_U64 },
	{ X86_LD_S32, X86_LD_S16, X86_LD_S8, X86_LD_U64 },
};

static int x86_index(int bpf_reg)
{
	return bpf_reg < 0 ? -1 : jit_reg[bpf_reg];
}

/* The address run's state just before insn i (the run starts at h). */
static struct jit_addr run_state(const struct jit_cc *cc, size_t h,
				 size_t i)
{
	struct jit_addr s;

	jit_addr_start(&cc->insns[h], &s);
	for (size_t k = h + 1; k < i; k++)
		jit_addr_step(&cc->insns[k], &s);
	return s;
}

/* A load or store of the run at [base + index + disp + off]. */
static uint8_t *folded_access(struct jit_cc *cc, uint8_t *p,
			      const struct bpf_insn *in, bool set)
{
	struct jit_addr s = run_state(cc, cc->i - JIT_FUSE_BACK(cc->fuse[cc->i]),
				      cc->i);
	int base = jit_reg[s.base], index = x86_index(s.index);
	int32_t disp = (int32_t)(s.disp + in->off);
	unsigned size = isa_size_bytes(in->code);

	switch (ISA_CLASS(in->code)) {
	case BPF_LDX:
		p = x86_load_bi(p,
				ld_kind[ISA_MODE(in->code) == BPF_MEMSX]
				       [ISA_SIZE(in->code) >> 3],
				jit_reg[in->dst_reg], base, index, disp);
		break;
	case BPF_STX:
		p = x86_store_bi(p, (int)size, base, index, disp,
				 jit_reg[in->src_reg]);
		break;
	default:
		p = x86_store_imm_bi(p, (int)size, base, index, disp, in->imm);
	}
	/* rA is live after the run: give it the value it would have */
	if (set)
		p = x86_lea_bi(p, true, jit_reg[s.a], base, index,
			       (int32_t)s.disp);
	return p;
}

/* rA = rB; rA += rC or k (or -= k) as lea, at the add's width. */
static uint8_t *lea_pair(uint8_t *p, const struct bpf_insn *mv)
{
	const struct bpf_insn *add = mv + 1;
	bool w = ISA_CLASS(add->code) == BPF_ALU64;
	int base = jit_reg[mv->src_reg], index = -1;
	int32_t disp = 0;

	if (ISA_SRCBIT(add->code) == BPF_X)
		/* rA += rA reads the value just moved in: rB */
		index = add->src_reg == mv->dst_reg ? base
						    : jit_reg[add->src_reg];
	else
		disp = ISA_OP(add->code) == BPF_SUB ? -add->imm : add->imm;
	return x86_lea_bi(p, w, jit_reg[mv->dst_reg], base, index, disp);
}

/* if cond goto +1; exit: the exit taken by a jump out of line, to a
 * ret in the cold segment. */
static uint8_t *jump_exit(struct jit_cc *cc, uint8_t *p,
			  const struct bpf_insn *in)
{
	uint32_t at;
	uint8_t *q;

	p = jit_emit_cond(cc, p, in, jit_reg[in->dst_reg],
			  jit_reg[in->src_reg]);
	p = x86_jcc32(p, (enum x86_cc)(jit_cond_cc(in) ^ 1), 0);
	q = jit_cold_begin(cc, &at);
	if (!q)
		return NULL;
	jit_fix_main(cc, p, JIT_LOC_COLD, at);
	cc->cold.len = (size_t)(jit_emit_leaf_ret(cc, q) - cc->cold.p);
	return p;
}

/* The branch that ends insn cc->i's code, to insn `to` (none when that
 * is the next insn): placed and sized by the layout. */
static void branch(struct jit_cc *cc, enum jit_br kind, unsigned x86cc,
		   size_t to)
{
	if (to == cc->i + 1)
		return;
	cc->br[cc->i] = (uint8_t)(kind | x86cc << 4);
	cc->br_tgt[cc->i] = (uint32_t)to;
}

static size_t jump_target(const struct bpf_insn *in, size_t i)
{
	bool gotol = in->code == (BPF_JMP32 | BPF_JA);

	return (size_t)((int64_t)i + 1 + (gotol ? in->imm : in->off));
}

/* if cond goto A; goto B: if !cond goto B, then (next insn) goto A. */
static uint8_t *swap(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in)
{
	p = jit_emit_cond(cc, p, in, jit_reg[in->dst_reg],
			  jit_reg[in->src_reg]);
	branch(cc, JIT_BR_JCC, jit_cond_cc(in) ^ 1u,
	       jump_target(in + 1, cc->i + 1));
	return p;
}

/* rX = a; if cond goto L; rX = !a: the compare, rX = 0 without touching
 * the flags, then setcc (of !cond when a is 0) into rX's low byte. */
static uint8_t *setcc(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in)
{
	int x = jit_reg[in[-1].dst_reg];
	unsigned c = jit_cond_cc(in) ^ (in[-1].imm == 0);

	p = jit_emit_cond(cc, p, in, jit_reg[in->dst_reg],
			  jit_reg[in->src_reg]);
	p = x86_mov_ri32(p, x, 0);
	return x86_op_rr(p, false, 0x0f90 | c, 0, x, x86_byte_rex(x));
}

/* goto L, L: insns; if cond goto A (tail_at): a copy of the insns and
 * of the condition, a jump to A, and a goto to the if-goto's next insn
 * (placed by the layout, after this code). */
static uint8_t *tail_copy(struct jit_cc *cc, uint8_t *p,
			  const struct bpf_insn *in)
{
	size_t k = jump_target(in, cc->i);
	const struct bpf_insn *e;

	for (; !jit_sel_cond(&cc->insns[k]); k++) {
		e = &cc->insns[k];
		p = ISA_CLASS(e->code) == BPF_ALU || ISA_CLASS(e->code) == BPF_ALU64 ?
			    jit_tr_alu(cc, p, e) :
			    jit_tr_ldst(cc, p, e);
		if (!p)
			return NULL;
	}
	e = &cc->insns[k];
	p = jit_emit_cond(cc, p, e, jit_reg[e->dst_reg], jit_reg[e->src_reg]);
	p = x86_jcc32(p, jit_cond_cc(e), 0);
	jit_fix_main(cc, p, (uint32_t)jump_target(e, k), 0);
	branch(cc, JIT_BR_JMP, 0, k + 1);
	return p;
}

uint8_t *jit_tr_fused(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in)
{
	switch (JIT_FUSE_ROLE(cc->fuse[cc->i])) {
	case JIT_FUSE_SKIP:
		return p;
	case JIT_FUSE_LEA:
		return lea_pair(p, in);
	case JIT_FUSE_MEM:
		return folded_access(cc, p, in, false);
	case JIT_FUSE_MEM_SET:
		return folded_access(cc, p, in, true);
	case JIT_FUSE_SELECT:
		return jit_emit_select(cc, p, in, in + 1);
	case JIT_FUSE_EXIT:
		return jump_exit(cc, p, in);
	case JIT_FUSE_RET:
		return jit_emit_leaf_ret(cc, p);
	case JIT_FUSE_SWAP:
		return swap(cc, p, in);
	case JIT_FUSE_SETCC:
		return setcc(cc, p, in);
	case JIT_FUSE_TAILDUP:
		return tail_copy(cc, p, in);
	case JIT_FUSE_SWITCH:
		return jit_tr_switch(cc, p);
	case JIT_FUSE_SWAP_JA:
		branch(cc, JIT_BR_JMP, 0, jump_target(in - 1, cc->i - 1));
		return p;
	}
	return NULL;
}
