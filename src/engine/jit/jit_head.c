/* The head of every image: the entry (C calls it with the run context),
 * the ways out (normal return, error unwind, helper stop), and the shared
 * thunks that slow paths go through. Fixed size: the layout never moves it.
 *
 * Stack discipline: the entry pushes an even number of callee-saved
 * registers (r12, rbp, and those of BPF r6-r9 the program names: a short
 * run's cost is mostly this entry) and then calls the main program, so BPF
 * code runs with rsp 16-byte aligned;
 * a bpf-to-bpf call pushes five registers plus the return address, which
 * keeps it aligned; errors anywhere restore the rsp saved at entry. */
#include <stddef.h>

#include "engine/jit/jit_map.h"
#include "engine/run.h"

/* BPF r0-r5 live in caller-saved registers: thunks keep them. */
static const uint8_t live_caller_saved[6] = { X86_RAX, X86_RDI, X86_RSI,
					      X86_RDX, X86_RCX, X86_R8 };

#define HEAD_LABEL(cc, name) ((cc)->head_label[name] = (uint32_t)(p - (cc)->head.p))

uint8_t *jit_head_jmp(struct jit_cc *cc, uint8_t *p, enum jit_head_label l)
{
	int64_t rel = (int64_t)cc->head_label[l] - (p - cc->head.p) - 2;

	if (x86_fits8(rel))
		return x86_jmp8(p, (int8_t)rel);
	return x86_jmp32(p, (int32_t)(rel - 3));
}

/* Which of BPF r6-r9 the program names (as dst or src: a pseudo src of
 * lddw or call may add one needlessly, which is harmless). */
static unsigned callee_regs_named(const struct jit_cc *cc)
{
	return (unsigned)cc->regs_named >> BPF_REG_6 & 15;
}

/* r12 and rbp always (the context, BPF r10 and calls' frame pointer),
 * the registers of named BPF r6-r9, and one more to make the count even. */
static void pick_saved(const struct jit_cc *cc, struct jit_saved *sv)
{
	/* tail calls: every image of a chain saves all (jit_map.h) */
	unsigned named = jit_saves_all(cc) ? 15 : callee_regs_named(cc);
	bool pad;

	sv->n = 0;
	sv->reg[sv->n++] = X86_R12;
	sv->reg[sv->n++] = X86_RBP;
	pad = __builtin_popcount(named) & 1;
	for (int k = 0; k < 4; k++) {
		if (named >> k & 1 || pad) {
			pad = pad && (named >> k & 1);
			sv->reg[sv->n++] = jit_reg[BPF_REG_6 + k];
		}
	}
}

static uint8_t *emit_entry(struct jit_cc *cc, uint8_t *p,
			   const struct jit_saved *sv)
{
	static const uint8_t args[4] = { X86_RAX, X86_RDX, X86_RCX, X86_R8 };

	HEAD_LABEL(cc, JIT_H_ENTRY);
	for (int k = 0; k < sv->n; k++)
		p = x86_push(p, sv->reg[k]);
	p = x86_mov_rr(p, true, JIT_CTX, X86_RDI);
	p = x86_store(p, 8, JIT_CTX, JIT_CTX_OFF(saved_rsp), X86_RSP);
	p = x86_load(p, X86_LD_U64, X86_RDI, JIT_CTX, JIT_CTX_OFF(r1));
	p = x86_load(p, X86_LD_U64, X86_RSI, JIT_CTX, JIT_CTX_OFF(r2));
	p = x86_load(p, X86_LD_U64, X86_RBP, JIT_CTX, JIT_CTX_OFF(stack_hi));
	/* The interpreter starts other registers at 0: so does the JIT
	 * (r0, helper arguments r3-r5, and r6-r9 where saved, so named). */
	for (int k = 0; k < 4; k++)
		p = x86_zero(p, args[k]);
	for (int k = 2; k < sv->n; k++)
		p = x86_zero(p, sv->reg[k]);
	p = x86_call32(p, 0);
	jit_fix(cc, JIT_LOC_HEAD, (uint32_t)(p - 4 - cc->head.p),
		JIT_FIX_REL32, 0, 0);
	return p;
}

static uint8_t *emit_exits(struct jit_cc *cc, uint8_t *p,
			   const struct jit_saved *sv)
{
	HEAD_LABEL(cc, JIT_H_RET_MAIN);
	p = x86_store(p, 8, JIT_CTX, JIT_CTX_OFF(r0), X86_RAX);
	p = x86_zero(p, X86_RAX);
	uint8_t *epilogue = p;
	for (int k = sv->n - 1; k >= 0; k--)
		p = x86_pop(p, sv->reg[k]);
	p = x86_ret(p);

	HEAD_LABEL(cc, JIT_H_UNWIND);
	p = x86_load(p, X86_LD_U64, X86_RSP, JIT_CTX, JIT_CTX_OFF(saved_rsp));
	p = x86_jmp8(p, (int8_t)(epilogue - (p + 2)));

	HEAD_LABEL(cc, JIT_H_STOP);
	p = x86_load(p, X86_LD_U64, JIT_TMP, JIT_CTX, JIT_CTX_OFF(run));
	p = x86_load(p, X86_LD_U64, X86_RAX, JIT_TMP,
		     (int32_t)offsetof(struct bpfvm_run, stop_r0));
	p = x86_load(p, X86_LD_U64, X86_RSP, JIT_CTX, JIT_CTX_OFF(saved_rsp));
	return jit_head_jmp(cc, p, JIT_H_RET_MAIN);
}

/* r10 = address, r11d = JIT_WHAT(...), r9 = refund (counted). */
static uint8_t *emit_check_thunk(struct jit_cc *cc, uint8_t *p)
{
	HEAD_LABEL(cc, JIT_H_CHECK);
	for (int k = 0; k < 6; k++)
		p = x86_push(p, live_caller_saved[k]);
	p = x86_push(p, JIT_ADDR); /* 7 pushes: aligned for the call */
	p = x86_mov_rr(p, true, X86_RDI, JIT_CTX);
	p = x86_mov_rr(p, true, X86_RSI, JIT_ADDR);
	p = x86_mov_rr(p, false, X86_RDX, JIT_TMP);
	p = x86_lea(p, X86_RCX, X86_RBP, -(int32_t)BPFVM_STACK_SIZE);
	p = x86_mov_rr(p, true, X86_R8, JIT_TMP2);
	p = jit_emit_ccall(cc, &cc->head, JIT_LOC_HEAD, p,
			   (const void *)jit_slow_check);
	p = x86_test_rr(p, false, X86_RAX, X86_RAX);
	p = x86_jcc32(p, X86_CC_NE,
		      (int32_t)cc->head_label[JIT_H_UNWIND] -
			      (int32_t)(p + 6 - cc->head.p));
	p = x86_pop(p, JIT_ADDR);
	for (int k = 5; k >= 0; k--)
		p = x86_pop(p, live_caller_saved[k]);
	return x86_ret(p);
}

/* r11 = the value called, r10d = insn. Returns r11 = code address,
 * r10 = 1 for a function of the program, 0 for a helper. */
static uint8_t *emit_callx_thunk(struct jit_cc *cc, uint8_t *p)
{
	uint8_t *jz;

	HEAD_LABEL(cc, JIT_H_CALLX);
	for (int k = 0; k < 6; k++)
		p = x86_push(p, live_caller_saved[k]);
	p = x86_alu_ri(p, X86_SUB, true, X86_RSP, 8);
	p = jit_emit_set_img(cc, p, X86_RAX);
	p = x86_mov_rr(p, true, X86_RDI, JIT_CTX);
	p = x86_mov_rr(p, true, X86_RSI, JIT_TMP);
	p = x86_mov_rr(p, false, X86_RDX, JIT_ADDR);
	p = jit_emit_ccall(cc, &cc->head, JIT_LOC_HEAD, p,
			   (const void *)jit_slow_callx);
	p = x86_test_rr(p, true, X86_RAX, X86_RAX);
	jz = p = x86_jcc8(p, X86_CC_E, 0);
	p = x86_mov_rr(p, true, JIT_TMP, X86_RAX);
	p = x86_mov_rr(p, true, JIT_ADDR, X86_RDX);
	p = x86_alu_ri(p, X86_ADD, true, X86_RSP, 8);
	for (int k = 5; k >= 0; k--)
		p = x86_pop(p, live_caller_saved[k]);
	p = x86_ret(p);
	jz[-1] = (uint8_t)(p - jz);
	p = x86_mov_rr(p, false, X86_RAX, X86_RDX);
	return jit_head_jmp(cc, p, JIT_H_UNWIND);
}

/* Reached by jumps from cold stubs (rsp aligned): esi, edx set. */
static uint8_t *emit_fail(struct jit_cc *cc, uint8_t *p,
			  enum jit_head_label l, const void *fn)
{
	cc->head_label[l] = (uint32_t)(p - cc->head.p);
	p = jit_emit_set_img(cc, p, JIT_TMP);
	p = x86_mov_rr(p, true, X86_RDI, JIT_CTX);
	p = jit_emit_ccall(cc, &cc->head, JIT_LOC_HEAD, p, fn);
	return jit_head_jmp(cc, p, JIT_H_UNWIND);
}

int jit_emit_head(struct jit_cc *cc)
{
	uint8_t *p = jit_reserve(cc, &cc->head, 512);
	struct jit_saved sv;

	if (!p)
		return cc->err;
	pick_saved(cc, &sv);
	if ((cc->flags & JIT_F_DIRECT) || cc->leaf) {
		p = jit_emit_direct_entry(cc, p, &sv);
	} else {
		p = emit_entry(cc, p, &sv);
		p = emit_exits(cc, p, &sv);
	}
	if (!cc->leaf) { /* a leaf's entry falls into insn 0 (jit_direct.c) */
		p = jit_emit_pending(cc, p);
		p = jit_emit_cb_entry(cc, p, &sv);
		p = emit_check_thunk(cc, p);
		p = emit_callx_thunk(cc, p);
		p = emit_fail(cc, p, JIT_H_DEPTH,
			      (const void *)jit_slow_depth);
		p = emit_fail(cc, p, JIT_H_BUDGET,
			      (const void *)jit_slow_budget);
	}
	/* Align insn 0 (a possible loop head, and the hottest code). */
	p = x86_nops(p, (unsigned)(-(p - cc->head.p) & 15));
	cc->head.len = (size_t)(p - cc->head.p);
	return cc->err;
}
