/* The direct variant: an image whose entry is a plain C function,
 * uint64_t fn(void *mem, size_t mem_len), returning r0 (bpfvm_jit_fn).
 * A bpfvm_prog_run call spends ~10 ns on options, the run state and the
 * context before the code runs; a short program's whole run is less. So
 * this entry makes everything on the native stack itself:
 *
 *   rsp after the pushes -> [ struct bpfvm_run ]  what helpers see
 *                           [ struct jit_ctx   ]  <- r12 = BPF r10
 *                           [ 8 x 512 B stack  ]
 *
 * and only the fields that code of this program reads are set: a program
 * without calls needs none. The main code is the plain variant's; only the
 * ways out differ: r0 is returned in rax, an error as -errno. */
#include <errno.h>
#include <stddef.h>

#include "core/prog_priv.h"
#include "engine/jit/jit_map.h"
#include "engine/run.h"
#include "isa/isa.h"

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)
#define D_STACK ((int32_t)(BPFVM_MAX_CALL_DEPTH * BPFVM_STACK_SIZE))
#define D_CTX ((int32_t)ALIGN16(sizeof(struct jit_ctx)))
#define D_RUN ((int32_t)ALIGN16(sizeof(struct bpfvm_run)))
/* A multiple of 16: rsp keeps the entry's alignment. */
#define D_FRAME (D_STACK + D_CTX + D_RUN)
#define D_RUN_OFF(field) (D_CTX + (int32_t)offsetof(struct bpfvm_run, field))

/* Does the program name r10 (use its stack)? */
static bool uses_stack(const struct jit_cc *cc)
{
	for (size_t i = 0; i < cc->cnt; i++)
		if (cc->insns[i].dst_reg == BPF_REG_10 ||
		    cc->insns[i].src_reg == BPF_REG_10)
			return true;
	return false;
}

/* A leaf (no calls of any kind, plain code) has no use for the context,
 * the run or more than one stack frame, and nothing can fail at run time:
 * its entry only saves what it uses, like a C function. */
static bool is_leaf(const struct jit_cc *cc)
{
	return !cc->has_calls && !(cc->flags & (JIT_F_CHECKED |
					       JIT_F_COUNTED | JIT_F_TAIL));
}

/* The leaf's entry: push the BPF r6-r9 the program names; with a stack,
 * rbp = r10 = the top of a 512-byte frame below; then call insn 0. With
 * neither, jump to insn 0, whose ret returns to the caller. The labels
 * of the ways out that only calls reach trap (int3). */
static uint8_t *leaf_entry(struct jit_cc *cc, uint8_t *p)
{
	static const uint8_t zero[4] = { X86_RAX, X86_RDX, X86_RCX, X86_R8 };
	unsigned named = (unsigned)cc->regs_named >> BPF_REG_6 & 15;
	bool stack = uses_stack(cc);
	uint8_t saved[4];
	int n = 0;

	cc->head_label[JIT_H_ENTRY] = (uint32_t)(p - cc->head.p);
	for (int k = 0; k < 4; k++)
		if (named >> k & 1)
			p = x86_push(p, saved[n++] = jit_reg[BPF_REG_6 + k]);
	if (stack) {
		p = x86_push(p, X86_RBP);
		p = x86_mov_rr(p, true, X86_RBP, X86_RSP);
		p = x86_alu_ri(p, X86_SUB, true, X86_RSP,
			       (int32_t)BPFVM_STACK_SIZE);
	}
	for (int k = 0; k < 4; k++)
		p = x86_zero(p, zero[k]);
	for (int k = 0; k < n; k++)
		p = x86_zero(p, saved[k]);
	if (!stack && !n) {
		p = x86_jmp32(p, 0);
	} else {
		p = x86_call32(p, 0);
	}
	jit_fix(cc, JIT_LOC_HEAD, (uint32_t)(p - 4 - cc->head.p),
		JIT_FIX_REL32, 0, 0);
	if (stack || n) {
		if (stack) {
			p = x86_mov_rr(p, true, X86_RSP, X86_RBP);
			p = x86_pop(p, X86_RBP);
		}
		while (n--)
			p = x86_pop(p, saved[n]);
		p = x86_ret(p);
	}
	cc->head_label[JIT_H_RET_MAIN] = cc->head_label[JIT_H_UNWIND] =
		cc->head_label[JIT_H_STOP] = (uint32_t)(p - cc->head.p);
	*p++ = 0xcc; /* int3 */
	return p;
}

/* What helpers, callx and the depth check read: the run (as a plain
 * run: no user pointer, no message buffer, not stopped), min_rbp and
 * the image. */
static uint8_t *init_for_calls(struct jit_cc *cc, uint8_t *p)
{
	static const int32_t zeroed[] = {
		D_RUN_OFF(user), D_RUN_OFF(err_buf), D_RUN_OFF(err_size),
		D_RUN_OFF(code),
	};

	p = x86_lea(p, JIT_TMP, JIT_CTX, D_CTX);
	p = x86_store(p, 8, JIT_CTX, JIT_CTX_OFF(run), JIT_TMP);
	for (size_t k = 0; k < sizeof(zeroed) / sizeof(zeroed[0]); k++)
		p = x86_store_imm(p, 8, JIT_CTX, zeroed[k], 0);
	p = x86_store_imm(p, 1, JIT_CTX, D_RUN_OFF(stopped), 0);
	p = x86_lea(p, JIT_TMP, JIT_CTX,
		    -(int32_t)((BPFVM_MAX_CALL_DEPTH - 2) * BPFVM_STACK_SIZE));
	p = x86_store(p, 8, JIT_CTX, JIT_CTX_OFF(min_rbp), JIT_TMP);
	p = x86_movabs(p, JIT_TMP, cc->img_addr);
	p = x86_store(p, 8, JIT_CTX, JIT_CTX_OFF(img), JIT_TMP);
	return jit_emit_direct_init(cc, p, D_CTX); /* tail calls, callbacks */
}

/* Grow the native stack a page at a time and touch each page, so a
 * thread whose guard is a single page is never stepped over (stack clash):
 * the frame is bigger than a page. */
static uint8_t *grow_stack(uint8_t *p, int32_t bytes)
{
	while (bytes > 0) {
		int32_t step = bytes > 4096 ? 4096 : bytes;

		p = x86_alu_ri(p, X86_SUB, true, X86_RSP, step);
		p = x86_store_imm(p, 8, X86_RSP, 0, 0);
		bytes -= step;
	}
	return p;
}

uint8_t *jit_emit_direct_entry(struct jit_cc *cc, uint8_t *p,
			       const struct jit_saved *sv)
{
	static const uint8_t zero[4] = { X86_RAX, X86_RDX, X86_RCX, X86_R8 };
	uint8_t *epilogue;

	if (is_leaf(cc))
		return leaf_entry(cc, p);
	cc->head_label[JIT_H_ENTRY] = (uint32_t)(p - cc->head.p);
	for (int k = 0; k < sv->n; k++)
		p = x86_push(p, sv->reg[k]);
	p = grow_stack(p, D_FRAME);
	/* r12 = the context = the top of the BPF stack = r10 */
	p = x86_lea(p, JIT_CTX, X86_RSP, D_STACK);
	p = x86_mov_rr(p, true, X86_RBP, JIT_CTX);
	if (cc->has_calls)
		p = init_for_calls(cc, p);
	/* r1, r2 are the C arguments already; the rest start at 0 */
	for (int k = 0; k < 4; k++)
		p = x86_zero(p, zero[k]);
	for (int k = 2; k < sv->n; k++)
		p = x86_zero(p, sv->reg[k]);
	p = x86_call32(p, 0);
	jit_fix(cc, JIT_LOC_HEAD, (uint32_t)(p - 4 - cc->head.p),
		JIT_FIX_REL32, 0, 0);

	/* rsp is recomputed from r12: errors come from any depth */
	cc->head_label[JIT_H_RET_MAIN] = (uint32_t)(p - cc->head.p);
	epilogue = p;
	p = jit_emit_direct_release(cc, p, D_CTX, -D_STACK);
	p = x86_lea(p, X86_RSP, JIT_CTX, D_CTX + D_RUN);
	for (int k = sv->n - 1; k >= 0; k--)
		p = x86_pop(p, sv->reg[k]);
	p = x86_ret(p);

	cc->head_label[JIT_H_UNWIND] = (uint32_t)(p - cc->head.p);
	p = x86_movsx_rr(p, true, X86_RAX, X86_RAX, 4); /* -errno */
	p = x86_jmp8(p, (int8_t)(epilogue - (p + 2)));

	cc->head_label[JIT_H_STOP] = (uint32_t)(p - cc->head.p);
	p = x86_load(p, X86_LD_U64, X86_RAX, JIT_CTX, D_RUN_OFF(stop_r0));
	return x86_jmp8(p, (int8_t)(epilogue - (p + 2)));
}

int bpfvm_prog_jit_fn(struct bpfvm_prog *prog, bpfvm_jit_fn *fn)
{
	const struct jit_image *img;
	int err;

	if (!prog || !fn)
		return -EINVAL;
	err = jit_prog_image(prog, JIT_F_DIRECT, &img, NULL, 0);
	if (err)
		return err;
	*fn = (bpfvm_jit_fn)img->code;
	return 0;
}
