/* Jumps, calls, exit and lddw.
 *
 * A conditional jump is cmp/test + jcc (fused by the CPU); the jcc itself
 * is only recorded here and sized by the layout. Every BPF frame is a
 * native frame: a bpf-to-bpf call saves r6-r9 and r10 with pushes, moves
 * r10 down one 512-byte stack frame and calls the target's code, so exit
 * is a plain ret (the entry calls the main program the same way).
 *
 * Tail calls, inline ARRAY lookups and the bookkeeping of helpers that
 * call back are in jit_map.c (see jit_map.h). */
#include <errno.h>
#include <stddef.h>

#include "engine/jit/jit_map.h"
#include "engine/run.h"
#include "helpers/helpers_flow.h"
#include "isa/isa.h"

/* BPF condition (op >> 4) -> x86 condition code. */
static const uint8_t jcc_map[16] = {
	[BPF_JEQ >> 4] = X86_CC_E,   [BPF_JNE >> 4] = X86_CC_NE,
	[BPF_JGT >> 4] = X86_CC_A,   [BPF_JGE >> 4] = X86_CC_AE,
	[BPF_JLT >> 4] = X86_CC_B,   [BPF_JLE >> 4] = X86_CC_BE,
	[BPF_JSET >> 4] = X86_CC_NE, [BPF_JSGT >> 4] = X86_CC_G,
	[BPF_JSGE >> 4] = X86_CC_GE, [BPF_JSLT >> 4] = X86_CC_L,
	[BPF_JSLE >> 4] = X86_CC_LE,
};

static const uint8_t bpf_callee_saved[5] = { X86_RBX, X86_R13, X86_R14,
					     X86_R15, X86_RBP };

static void branch(struct jit_cc *cc, enum jit_br kind, unsigned x86cc,
		   int64_t delta)
{
	if (delta == 0)
		return; /* to the next instruction: nothing to jump */
	cc->br[cc->i] = (uint8_t)(kind | x86cc << 4);
	cc->br_tgt[cc->i] = (uint32_t)((int64_t)cc->i + 1 + delta);
}

uint8_t *jit_emit_cond(struct jit_cc *cc, uint8_t *p,
		       const struct bpf_insn *in, int d, int s)
{
	bool w = ISA_CLASS(in->code) == BPF_JMP;
	bool jset = ISA_OP(in->code) == BPF_JSET;

	if (ISA_SRCBIT(in->code) == BPF_X)
		return jset ? x86_test_rr(p, w, d, s) : x86_alu_rr(p, X86_CMP, w, d, s);
	if (cc->flags & JIT_F_BLIND) {
		p = jit_emit_imm(cc, p, JIT_TMP, in->imm);
		return jset ? x86_test_rr(p, w, d, JIT_TMP) :
			      x86_alu_rr(p, X86_CMP, w, d, JIT_TMP);
	}
	if (jset)
		return x86_test_ri(p, w, d, in->imm);
	if (in->imm == 0)
		return x86_test_rr(p, w, d, d); /* same flags as cmp d, 0 */
	return x86_alu_ri(p, X86_CMP, w, d, in->imm);
}

enum x86_cc jit_cond_cc(const struct bpf_insn *in)
{
	return (enum x86_cc)jcc_map[ISA_OP(in->code) >> 4];
}

static uint8_t *tr_cond(struct jit_cc *cc, uint8_t *p,
			const struct bpf_insn *in)
{
	if (in->off == 0)
		return p; /* both ways lead to the next instruction */
	if (ISA_OP(in->code) == BPF_JSET && ISA_SRCBIT(in->code) == BPF_K &&
	    !(cc->flags & JIT_F_BLIND) && in->imm == 0)
		return p; /* x & 0 is never true */
	p = jit_emit_cond(cc, p, in, jit_reg[in->dst_reg],
			  jit_reg[in->src_reg]);
	branch(cc, JIT_BR_JCC, jit_cond_cc(in), in->off);
	return p;
}

uint8_t *jit_fail_jcc(struct jit_cc *cc, uint8_t *p, enum x86_cc c,
		      enum jit_head_label label, uint32_t edx)
{
	uint32_t at;
	uint8_t *q;

	p = x86_jcc32(p, c, 0);
	q = jit_cold_begin(cc, &at);
	if (!q)
		return p;
	jit_fix_main(cc, p, JIT_LOC_COLD, at);
	q = x86_mov_ri32(q, X86_RSI, (uint32_t)cc->i);
	if (label == JIT_H_BUDGET)
		q = x86_mov_ri32(q, X86_RDX, edx);
	q = x86_jmp32(q, 0);
	jit_fix(cc, JIT_LOC_COLD, (uint32_t)(q - 4 - cc->cold.p), JIT_FIX_REL32,
		JIT_LOC_HEAD, cc->head_label[label]);
	cc->cold.len = (size_t)(q - cc->cold.p);
	return p;
}

uint8_t *jit_emit_stop_check(struct jit_cc *cc, uint8_t *p)
{
	p = x86_load(p, X86_LD_U64, JIT_TMP, JIT_CTX, JIT_CTX_OFF(run));
	p = x86_cmp_m8i(p, JIT_TMP, (int32_t)offsetof(struct bpfvm_run, stopped),
			0);
	p = x86_jcc32(p, X86_CC_NE, 0);
	jit_fix_main(cc, p, JIT_LOC_HEAD, cc->head_label[JIT_H_PENDING]);
	return p;
}

/* A helper call: r1-r5 are already the C arguments; r9 = the run. A
 * helper that called bpfvm_run_stop (or whose callback failed) ends the
 * run. fn NULL: the address is in r11 and the helper may call back. */
static uint8_t *helper_call(struct jit_cc *cc, uint8_t *p, const void *fn,
			    bool calls_back)
{
	p = x86_load(p, X86_LD_U64, X86_R9, JIT_CTX, JIT_CTX_OFF(run));
	if (calls_back) {
		if (!fn) /* the site bookkeeping needs r11 */
			p = x86_mov_rr(p, true, JIT_ADDR, JIT_TMP);
		p = jit_emit_cb_site(cc, p);
	}
	if (fn)
		p = jit_emit_ccall(cc, &cc->main, cc->i, p, fn);
	else
		p = x86_call_r(p, calls_back ? JIT_ADDR : JIT_TMP);
	return jit_emit_stop_check(cc, p);
}

/* A bpf-to-bpf call to insn `target`, or (target < 0) to the code
 * address in r11. */
static uint8_t *local_call(struct jit_cc *cc, uint8_t *p, int64_t target)
{
	p = x86_alu_rm(p, X86_CMP, X86_RBP, JIT_CTX, JIT_CTX_OFF(min_rbp));
	p = jit_fail_jcc(cc, p, X86_CC_B, JIT_H_DEPTH, 0);
	for (int k = 0; k < 5; k++)
		p = x86_push(p, bpf_callee_saved[k]);
	p = x86_alu_ri(p, X86_SUB, true, X86_RBP, (int32_t)BPFVM_STACK_SIZE);
	if (target >= 0) {
		p = x86_call32(p, 0);
		jit_fix(cc, (uint32_t)cc->i,
			(uint32_t)(p - 4 - cc->main.p) - cc->off1[cc->i],
			JIT_FIX_REL32, (uint32_t)target, 0);
	} else {
		p = x86_call_r(p, JIT_TMP);
	}
	for (int k = 4; k >= 0; k--)
		p = x86_pop(p, bpf_callee_saved[k]);
	return p;
}

/* callx: the thunk resolves the value (a function of this program or a
 * helper id) or ends the run with -EINVAL. */
static uint8_t *callx(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in)
{
	uint8_t *to_local, *to_done;

	p = x86_mov_rr(p, true, JIT_TMP, jit_reg[in->dst_reg]);
	p = x86_mov_ri32(p, JIT_ADDR, (uint32_t)cc->i);
	p = x86_call32(p, 0);
	jit_fix_main(cc, p, JIT_LOC_HEAD, cc->head_label[JIT_H_CALLX]);
	p = x86_test_rr(p, false, JIT_ADDR, JIT_ADDR);
	to_local = p = x86_jcc8(p, X86_CC_NE, 0);
	p = helper_call(cc, p, NULL, true);
	to_done = p = x86_jmp8(p, 0);
	to_local[-1] = (uint8_t)(p - to_local);
	p = local_call(cc, p, -1);
	to_done[-1] = (uint8_t)(p - to_done);
	return p;
}

static uint8_t *tr_call(struct jit_cc *cc, uint8_t *p,
			const struct bpf_insn *in)
{
	bpfvm_helper_fn fn;
	const void *lookup;
	uint8_t *q;

	if (ISA_SRCBIT(in->code) == BPF_X)
		return callx(cc, p, in);
	if (in->src_reg == BPF_PSEUDO_CALL)
		return local_call(cc, p, (int64_t)cc->i + 1 + in->imm);
	if (isa_is_core_poison(in))
		return jit_tr_core_poison(cc, p);
	fn = bpfvm_helper_find(cc->env, (uint32_t)in->imm);
	if (hlp_is_tail_call(fn))
		return jit_tr_tail_call(cc, p);
	q = jit_tr_array_lookup(cc, p, in);
	if (q)
		return q;
	lookup = jit_map_lookup_fn(cc, in);
	return helper_call(cc, p, lookup ? lookup : (const void *)fn,
			   hlp_takes_callback((uint32_t)in->imm));
}

uint8_t *jit_tr_jmp(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in)
{
	switch (ISA_OP(in->code)) {
	case BPF_JA:
		branch(cc, JIT_BR_JMP, 0,
		       ISA_CLASS(in->code) == BPF_JMP32 ? in->imm : in->off);
		return p;
	case BPF_JCOND:
		return p; /* may_goto: no loop budget to run out here */
	case BPF_EXIT:
		return x86_ret(p);
	case BPF_CALL:
		return tr_call(cc, p, in);
	}
	return tr_cond(cc, p, in);
}

uint8_t *jit_tr_lddw(struct jit_cc *cc, uint8_t *p, const struct bpf_insn *in)
{
	int d = jit_reg[in->dst_reg];
	uint64_t v = (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;

	if (in->src_reg == BPF_PSEUDO_FUNC) {
		/* A function's value is its code address: callx finds it
		 * in the image's function table. */
		p = x86_movabs(p, d, 0);
		jit_fix(cc, (uint32_t)cc->i,
			(uint32_t)(p - 8 - cc->main.p) - cc->off1[cc->i],
			JIT_FIX_ABS64, (uint32_t)(cc->i + 1 + in->imm), 0);
		return p;
	}
	/* xlated: src 1 / 2 hold a map's / a value's address (resolve.c) */
	if (in->src_reg != 0 && in->src_reg != BPF_PSEUDO_MAP_FD &&
	    in->src_reg != BPF_PSEUDO_MAP_VALUE) {
		jit_fail(cc, -EOPNOTSUPP, "lddw with src %u", in->src_reg);
		return NULL;
	}
	return jit_emit_imm(cc, p, d, (int64_t)v);
}
