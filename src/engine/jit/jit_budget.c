/* The counted variant's instruction budget, exact like the interpreter's.
 *
 * Fast path: a block's leader charges the whole block at once
 * ("sub left, n; jb copy"). When the budget cannot cover it, the run must
 * still do everything the instructions before the (left + 1)-th one do
 * (stores, atomics, checked faults) and fail at that one. So each block
 * also gets a cold copy that is charged one instruction at a time:
 *
 *	copy:	add left, n		; undo the block's charge
 *		sub left, 1; jb fail(j0); code(j0)
 *		sub left, 1; jb fail(j1); code(j1)
 *		...
 *		sub left, 1; jb fail(last)	; always taken: left < n
 *
 * Only the block's last instruction can jump, call or exit, and the copy
 * never runs it, so the copy is straight-line code. It is translated by
 * the ordinary translators into scratch space after the leader's charge,
 * with each instruction's main offset pointing at its scratch code, and
 * then moved, fixups and all, to the cold segment. */
#include <string.h>

#include "engine/jit/jit_priv.h"
#include "isa/isa.h"

/* Room for one instruction of the copy: its charge and its code. */
#define UNIT_MAX 256

static size_t next_insn(const struct jit_cc *cc, size_t j)
{
	return j + ((cc->info[j + 1] & JIT_I_LDDW_HI) ? 2 : 1);
}

/* Instructions in the block starting at cc->i, and its last one. */
static uint32_t block_len(const struct jit_cc *cc, size_t *last)
{
	uint32_t n = 0;
	size_t j = cc->i;

	do {
		*last = j;
		n++;
		j = next_insn(cc, j);
	} while (j < cc->cnt && !(cc->info[j] & JIT_I_LEADER));
	return n;
}

static uint8_t *charge(uint8_t *p, enum x86_alu op, uint32_t n)
{
	return x86_alu_mi(p, op, JIT_CTX, JIT_CTX_OFF(left), (int32_t)n);
}

/* A non-final instruction's code: never a jump, call or exit. */
static uint8_t *straight(struct jit_cc *cc, uint8_t *p,
			 const struct bpf_insn *in)
{
	switch (ISA_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return jit_tr_alu(cc, p, in);
	case BPF_LD:
		return jit_tr_lddw(cc, p, in);
	case BPF_JMP:
	case BPF_JMP32:
		return jit_tr_jmp(cc, p, in); /* may_goto: nothing */
	}
	return jit_tr_ldst(cc, p, in);
}

/* Make room for one more unit at main offset q; false on -ENOMEM. */
static bool room(struct jit_cc *cc, size_t q)
{
	return jit_reserve(cc, &cc->main, q - cc->main.len + UNIT_MAX) != NULL;
}

/* Translate the copy into main scratch space from offset q; returns its
 * end offset, or 0 on failure (cc->err). */
static size_t emit_copy(struct jit_cc *cc, size_t q, uint32_t n, size_t last)
{
	size_t j = cc->i;

	if (!room(cc, q))
		return 0;
	q = (size_t)(charge(cc->main.p + q, X86_ADD, n) - cc->main.p);
	cc->block_left = 0; /* checked faults in the copy: nothing to refund */
	for (;; j = next_insn(cc, j)) {
		uint8_t *p;

		if (!room(cc, q))
			return 0;
		cc->i = j;
		cc->off1[j] = (uint32_t)q;
		p = charge(cc->main.p + q, X86_SUB, 1);
		p = jit_fail_jcc(cc, p, X86_CC_B, JIT_H_BUDGET, 1);
		if (j == last) {
			*p++ = 0xcc; /* int3: the charge above always fails */
			return (size_t)(p - cc->main.p);
		}
		p = straight(cc, p, &cc->insns[j]);
		if (!p || cc->err)
			return 0;
		q = (size_t)(p - cc->main.p);
	}
}

/* Point the fixups made since fix0 at the copy's place in cold: fields in
 * the copy's code, and cold stubs' jumps back into it. */
static void move_fixups(struct jit_cc *cc, size_t fix0, size_t first,
			size_t last, uint32_t base)
{
	for (size_t k = fix0; k < cc->fix_cnt; k++) {
		struct jit_fixup *f = &cc->fix[k];

		if (f->at_loc >= first && f->at_loc <= last) {
			f->at_delta += base + cc->off1[f->at_loc];
			f->at_loc = JIT_LOC_COLD;
		} else if (f->at_loc == JIT_LOC_COLD && f->tgt_loc >= first &&
			   f->tgt_loc <= last) {
			f->tgt_delta += base + cc->off1[f->tgt_loc];
			f->tgt_loc = JIT_LOC_COLD;
		}
	}
}

uint8_t *jit_tr_budget(struct jit_cc *cc, uint8_t *p)
{
	size_t first = cc->i, last, fix0, end, q;
	uint32_t n = block_len(cc, &last), off1 = cc->off1[first], jb, at;
	uint8_t *dst;

	p = charge(p, X86_SUB, n);
	p = x86_jcc32(p, X86_CC_B, 0);
	jb = (uint32_t)(p - 4 - cc->main.p) - off1;
	q = (size_t)(p - cc->main.p);
	fix0 = cc->fix_cnt;
	end = emit_copy(cc, q, n, last);
	cc->i = first;
	cc->block_left = n - 1;
	if (!end || !(dst = jit_reserve(cc, &cc->cold, end - q)))
		goto out;
	at = (uint32_t)cc->cold.len;
	memcpy(dst, cc->main.p + q, end - q);
	cc->cold.len += end - q;
	/* Offsets in the copy were relative to main offset q. */
	move_fixups(cc, fix0, first, last, at - (uint32_t)q);
	jit_fix(cc, (uint32_t)first, jb, JIT_FIX_REL32, JIT_LOC_COLD, at);
out:
	cc->off1[first] = off1;
	jit_reserve(cc, &cc->main, q - cc->main.len + UNIT_MAX);
	return cc->main.p + q;
}
