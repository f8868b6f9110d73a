/* Running JIT code, and the per-program cache of compiled variants. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/prog_priv.h"
#include "engine/jit/jit_priv.h"
#include "engine/run.h"

typedef int (*jit_entry_fn)(struct jit_ctx *ctx);

/* Checked images: the limits the inline bounds checks compare with. */
static void set_limits(struct jit_ctx *ctx, const struct bpfvm_run *run)
{
	uint64_t mem = (uintptr_t)run->mem;

	ctx->mem = run->mem ? mem : UINT64_MAX;
	for (int k = 0; k < 4; k++) {
		uint64_t size = 1u << k;

		ctx->stack_lim[k] = ctx->stack_hi - size;
		ctx->mem_lim[k] = run->mem && run->mem_len >= size ?
					  mem + run->mem_len - size : 0;
	}
}

int jit_run(const struct jit_image *img, struct bpfvm_run *run, uint64_t *r0)
{
	/* Uninitialised like the interpreter's: see interp_body.h. */
	uint64_t stack[BPFVM_MAX_CALL_DEPTH * BPFVM_STACK_SIZE / 8]
		__attribute__((aligned(16)));
	const uint64_t hi = (uintptr_t)(stack + sizeof(stack) / 8);
	/* Only the fields this variant's code reads are set: zeroing the
	 * whole context (a rep stos) was a large part of a short run. */
	struct jit_ctx ctx;
	int err;

	if (img->flags & JIT_F_LEAF) { /* a C function, needing none of it */
		*r0 = ((bpfvm_jit_fn)img->code)(run->mem, run->mem_len);
		return 0;
	}

	ctx.run = run;
	ctx.stack_hi = hi;
	ctx.min_rbp = hi - (BPFVM_MAX_CALL_DEPTH - 2) * BPFVM_STACK_SIZE;
	ctx.r1 = (uintptr_t)run->mem;
	ctx.r2 = run->mem_len;
	ctx.img = img;
	if (img->flags & JIT_F_CHECKED)
		set_limits(&ctx, run);
	if (img->flags & JIT_F_COUNTED)
		ctx.left = run->budget;
	err = ((jit_entry_fn)img->code)(&ctx);
	if (img->flags & JIT_F_COUNTED)
		run->executed = run->budget - ctx.left;
	if (!err)
		*r0 = ctx.r0;
	return err;
}

/* Compiled variants of one program, made on first use. */
struct jit_state {
	bpfvm_jit_fn leaf;	/* the plain variant's code, when a leaf */
	pthread_mutex_t lock;
	struct jit_image *img[JIT_VARIANTS];
};

struct jit_state *jit_state_new(void)
{
	struct jit_state *st = calloc(1, sizeof(*st));

	if (st)
		pthread_mutex_init(&st->lock, NULL);
	return st;
}

void jit_state_free(struct jit_state *st)
{
	if (!st)
		return;
	for (unsigned k = 0; k < JIT_VARIANTS; k++)
		jit_image_free(st->img[k]);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

int jit_prog_image(struct bpfvm_prog *prog, uint32_t flags,
		   const struct jit_image **out, char *log, size_t log_size)
{
	struct jit_state *st = prog->jit;
	struct jit_image *img;
	int err = 0;

	if (!st)
		return core_logf(log, log_size, -ENOMEM, "no JIT state");
	if (prog->flags & BPFVM_PROG_F_JIT_BLIND)
		flags |= JIT_F_BLIND;
	img = __atomic_load_n(&st->img[flags], __ATOMIC_ACQUIRE);
	if (!img) {
		pthread_mutex_lock(&st->lock);
		img = st->img[flags];
		if (!img) {
			err = jit_compile(prog->xlated, prog->cnt, prog->env,
					  flags, &img, log, log_size);
			if (!err) {
				((struct jit_image_priv *)img)->prog = prog;
				__atomic_store_n(&st->img[flags], img,
						 __ATOMIC_RELEASE);
				if (!flags && (img->flags & JIT_F_LEAF))
					__atomic_store_n(&st->leaf,
							 (bpfvm_jit_fn)img->code,
							 __ATOMIC_RELEASE);
			}
		}
		pthread_mutex_unlock(&st->lock);
	}
	*out = img;
	return err;
}

int jit_prog_run(struct bpfvm_prog *prog, struct bpfvm_run *run,
		 uint32_t flags, uint64_t *r0)
{
	const struct jit_image *img = NULL;
	int err;

	/* The common case, an image already compiled, takes one load. */
	if (prog->jit && !(prog->flags & BPFVM_PROG_F_JIT_BLIND))
		img = __atomic_load_n(&prog->jit->img[flags], __ATOMIC_ACQUIRE);
	if (__builtin_expect(!img, 0)) {
		err = jit_prog_image(prog, flags, &img, run->err_buf,
				     run->err_size);
		if (err)
			return err;
	}
	return jit_run(img, run, r0);
}

bpfvm_jit_fn jit_prog_leaf_fn(const struct bpfvm_prog *prog)
{
	return prog->jit ? __atomic_load_n(&prog->jit->leaf, __ATOMIC_ACQUIRE)
			 : NULL;
}

int bpfvm_prog_jit_info(struct bpfvm_prog *prog, uint32_t run_flags,
			struct bpfvm_jit_info *info)
{
	const struct jit_image *img = NULL;
	uint32_t flags = 0;
	int err;

	if (!prog || !info || info->sz < sizeof(*info))
		return -EINVAL;
	if (run_flags & BPFVM_RUN_F_CHECKED)
		flags |= JIT_F_CHECKED;
	if (run_flags & BPFVM_RUN_F_COUNT)
		flags |= JIT_F_COUNTED;
	err = jit_prog_image(prog, flags, &img, NULL, 0);
	if (err)
		return err;
	info->code = img->code;
	info->code_size = img->size;
	info->insn_off = img->insn_off;
	info->insn_cnt = img->insn_cnt;
	return 0;
}
