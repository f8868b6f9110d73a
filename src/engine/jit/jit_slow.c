/* The slow paths JIT code calls: everything rare enough to be plain C. */
#include <errno.h>

#include "engine/jit/jit_priv.h"
#include "engine/run.h"

int jit_slow_check(struct jit_ctx *ctx, uint64_t addr, uint32_t what,
		   uint64_t frame_lo, uint64_t refund)
{
	int err = eng_check_access(ctx->run, what >> 8, addr, (what >> 2) & 15,
				   what & 2, what & 1, frame_lo, ctx->stack_hi);

	/* The block was charged in full; the run stops at this insn. */
	if (err && (ctx->img->flags & JIT_F_COUNTED))
		ctx->left += (uint32_t)refund;
	return err;
}

struct jit_callx_res jit_slow_callx(struct jit_ctx *ctx, uint64_t value,
				    uint32_t insn)
{
	const struct jit_image_priv *ip = (const void *)ctx->img;
	uint64_t rel = value - (uintptr_t)ip->pub.code;
	size_t lo = 0, hi = ip->func_cnt;
	bpfvm_helper_fn fn;

	while (lo < hi) { /* function entries, sorted by code offset */
		size_t mid = lo + (hi - lo) / 2;

		if (ip->funcs[mid] == rel)
			return (struct jit_callx_res){ value, 1 };
		if (ip->funcs[mid] < rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	fn = value && value <= BPFVM_HELPER_ID_MAX ?
		     bpfvm_helper_find(ip->env, (uint32_t)value) : NULL;
	if (fn)
		return (struct jit_callx_res){ (uintptr_t)fn, 0 };
	return (struct jit_callx_res){ 0, eng_fail_callx(ctx->run, insn, value) };
}

int jit_slow_depth(struct jit_ctx *ctx, uint32_t insn)
{
	return eng_fail_depth(ctx->run, insn);
}

/* The block at `start` needed `count` but fewer were left: the failing
 * instruction is the (left + 1)-th of the block. */
int jit_slow_budget(struct jit_ctx *ctx, uint32_t start, uint32_t count)
{
	const struct jit_image_priv *ip = (const void *)ctx->img;
	uint64_t left = ctx->left + count; /* undo the wrapped charge */
	size_t i = start;

	for (uint64_t k = 0; k < left; k++)
		i += (ip->lddw_bits[i / 8] >> (i % 8) & 1) ? 2 : 1;
	ctx->left = 0;
	return eng_fail_budget(ctx->run, i);
}
