/* Fusing: after decoding, give the fast variant one handler for common
 * runs of slots (the ids and their meaning are in ops.h, the handlers in
 * interp_fused.h). Only a run's first slot changes op; the others keep
 * theirs, so a jump into the middle of a run still finds a plain handler,
 * and the counted and checked variants, which run a fused slot as its
 * first instruction, see the program as decoded. The one exception is a
 * skipped run (a conditional jump over ALU instructions), whose slots all
 * become predicated and so must not be jump targets. Last, single slots
 * get their destination-specialised handler: the same instruction, one
 * slot, so a later slot of a run may change op that way too. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "engine/engine.h"
#include "isa/isa.h"

/* The longest run a predicated jump may skip: every slot in it runs
 * whichever way the jump goes. */
#define SKIP_RUN_MAX 4

/* Plain op -> its fused form, 0 for none. */
#define MAP4_(p, op)                                                        \
	[ENG_OP_##op##64K] = ENG_OP_##p##op##64K,                           \
	[ENG_OP_##op##64X] = ENG_OP_##p##op##64X,                           \
	[ENG_OP_##op##32K] = ENG_OP_##p##op##32K,                           \
	[ENG_OP_##op##32X] = ENG_OP_##p##op##32X,
#define PJ_(_, op) MAP4_(PJ_, op)
#define P_(_, op) MAP4_(P_, op)
#define ADDK_(_, op) [ENG_OP_##op##64K] = ENG_OP_ADDK_##op,
#define ADD3_(_, op, T) [ENG_OP_##op] = ENG_OP_ADD3_##op,
static const uint16_t pjmp_of[ENG_OP_COUNT] = { ENG_JMP_CONDS(PJ_, _) };
static const uint16_t palu_of[ENG_OP_COUNT] = { ENG_PRED_BINOPS(P_, _) };
static const uint16_t addk_of[ENG_OP_COUNT] = { ENG_JMP_CONDS(ADDK_, _) };
static const uint16_t add3_of[ENG_OP_COUNT] = { ENG_LDX_OPS(ADD3_, _) };
/* Plain op -> its r0 form; r1-r9 follow it (ops.h lists them in order). */
#define DSPEC_OP_(_, fam, op, form) [ENG_OP_##op##form] = ENG_OP_##op##form##_R0,
#define DSPEC_LDX_(_, op, T) [ENG_OP_##op] = ENG_OP_##op##_R0,
static const uint16_t dspec_of[ENG_OP_COUNT] = {
	ENG_DSPEC_OPS(DSPEC_OP_, _) ENG_LDX_OPS(DSPEC_LDX_, _)
};
#undef DSPEC_OP_
#undef DSPEC_LDX_
#undef MAP4_
#undef PJ_
#undef P_
#undef ADDK_
#undef ADD3_

/* Marks every slot some jump, call or function address can reach. */
static void mark_targets(const struct bpf_insn *insns,
			 const struct eng_insn *dec, size_t cnt, bool *target)
{
	for (size_t i = 0; i < cnt; i++) {
		uint16_t op = dec[i].op;
		int64_t t = -1;

		if (pjmp_of[op] || op == ENG_OP_JA || op == ENG_OP_CALL_LOCAL)
			t = (int64_t)i + 1 + dec[i].off;
		else if (op == ENG_OP_LDDW && insns[i].src_reg == BPF_PSEUDO_FUNC)
			t = (int64_t)i + 1 + insns[i].imm;
		if (t >= 0 && (size_t)t < cnt)
			target[t] = true;
	}
}

/* A conditional jump at i whose both ways meet again after a short run of
 * predicable ALU instructions: at its target, or at a JA at the run's end
 * that goes where the jump goes. Returns the run's length, 0 for none. */
static size_t skip_run(const struct eng_insn *dec, size_t cnt,
		       const bool *target, size_t i)
{
	int64_t t = (int64_t)i + 1 + dec[i].off;

	for (size_t j = i + 1; j < cnt && j <= i + SKIP_RUN_MAX + 1; j++) {
		bool meets = (int64_t)j == t ||
			     (dec[j].op == ENG_OP_JA &&
			      (int64_t)j + 1 + dec[j].off == t);

		if (meets)
			return j - i - 1;
		if (!palu_of[dec[j].op] || target[j])
			return 0;
	}
	return 0;
}

static void fuse_skip_runs(struct eng_insn *dec, size_t cnt,
			   const bool *target)
{
	for (size_t i = 0; i < cnt; i++) {
		size_t n = pjmp_of[dec[i].op] ? skip_run(dec, cnt, target, i) : 0;

		if (!n)
			continue;
		dec[i].op = pjmp_of[dec[i].op];
		for (size_t j = i + 1; j <= i + n; j++)
			dec[j].op = palu_of[dec[j].op];
		i += n;
	}
}

/* Runs whose later slots are only read for their fields: fused or not,
 * those slots keep their own meaning. */
static void fuse_sequences(struct eng_insn *dec, size_t cnt)
{
	for (size_t i = 0; i + 1 < cnt; i++) {
		struct eng_insn *a = &dec[i], *b = &dec[i + 1];

		if (a->op == ENG_OP_MOV64X && b->op == ENG_OP_ADD64X &&
		    b->dst == a->dst && b->src != a->dst) {
			const struct eng_insn *c = i + 2 < cnt ? &dec[i + 2] : NULL;

			a->op = c && add3_of[c->op] && c->src == a->dst ?
					add3_of[c->op] : ENG_OP_ADD3;
		} else if (a->op == ENG_OP_ADD64K && addk_of[b->op] &&
			   b->dst == a->dst) {
			/* addk_of knows only plain jumps: a predicated one
			 * must run its own handler, for the run after it */
			a->op = addk_of[b->op];
		}
	}
}

/* Last, on whatever single slots the passes above left plain: a fused
 * run's later slots too, so a jump into the run lands on a fast handler. */
static void specialise_dst(struct eng_insn *dec, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++)
		if (dspec_of[dec[i].op] && dec[i].dst < ENG_DREG_COUNT)
			dec[i].op = dspec_of[dec[i].op] + dec[i].dst;
}

int eng_fuse(const struct bpf_insn *insns, struct eng_insn *dec, size_t cnt)
{
	bool *target = calloc(cnt ? cnt : 1, sizeof(*target));

	if (!target)
		return -ENOMEM;
	mark_targets(insns, dec, cnt, target);
	fuse_skip_runs(dec, cnt, target);
	fuse_sequences(dec, cnt);
	specialise_dst(dec, cnt);
	free(target);
	return 0;
}
