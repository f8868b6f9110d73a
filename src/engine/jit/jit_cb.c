/* Tail calls and callbacks at run time, and the head code they need (see
 * jit_map.h). */
#include <stddef.h>
#include <string.h>

#include "core/prog_priv.h"
#include "engine/jit/jit_map.h"
#include "engine/run.h"
#include "isa/isa.h"

#define RUN_OFF(field) ((int32_t)offsetof(struct bpfvm_run, field))
#define CB_OFF(field) ((int32_t)offsetof(struct jit_ctx, cb.field))

struct jit_tail_res jit_tail_lookup(struct jit_ctx *ctx, uint64_t map,
				    uint64_t index,
				    const struct jit_image *img, uint32_t insn)
{
	struct bpfvm_run *run = ctx->run;
	const struct jit_image *target;
	struct bpfvm_prog *prog;
	int err;

	prog = eng_tail_call(run, insn, map, index, &err);
	if (!prog)
		return (struct jit_tail_res){ 0, err };
	/* the same variant: a direct image's target is direct too */
	err = jit_prog_image(prog,
			     (img->flags & (JIT_VARIANTS - 1) & ~JIT_F_BLIND) |
				     JIT_F_TAIL,
			     &target, run->err_buf, run->err_size);
	if (err)
		return (struct jit_tail_res){ 0, err };
	return (struct jit_tail_res){
		(uintptr_t)target->code + target->insn_off[0], 0
	};
}

/* Is code offset `off` a function entry of the image? */
static bool is_func(const struct jit_image_priv *ip, uint64_t off)
{
	size_t lo = 0, hi = ip->func_cnt;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ip->funcs[mid] == off)
			return true;
		if (ip->funcs[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A direct image has no callback entry (its exits rebuild rsp from the
 * context): run the callback on the plain image of the same program,
 * whose code is the same instruction for instruction. */
static const struct jit_image_priv *plain_of(const struct jit_image_priv *ip,
					     uint64_t *fn,
					     struct bpfvm_run *run)
{
	const struct jit_image *plain;
	uint64_t off = *fn - (uintptr_t)ip->pub.code;
	size_t lo = 0, hi = ip->pub.insn_cnt;

	if (!ip->prog || !is_func(ip, off) ||
	    jit_prog_image((struct bpfvm_prog *)ip->prog,
			   ip->pub.flags & (JIT_VARIANTS - 1) & ~JIT_F_DIRECT &
				   ~JIT_F_BLIND,
			   &plain, run->err_buf, run->err_size))
		return NULL;
	while (lo < hi) { /* the insn whose code starts at off */
		size_t mid = lo + (hi - lo) / 2;

		if (ip->pub.insn_off[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	*fn = (uintptr_t)plain->code + plain->insn_off[lo];
	return (const struct jit_image_priv *)plain;
}

typedef int (*jit_cb_entry_fn)(struct jit_ctx *ctx);

/* A copy of the caller's context, so the callback's exits (return,
 * errors, bpfvm_run_stop) come back here. */
static int call_entry(struct jit_ctx *outer, const struct jit_image_priv *ip,
		      uint64_t fn, uint64_t r10, const uint64_t args[5],
		      uint64_t *r0)
{
	struct jit_ctx c = *outer;
	int err;

	c.img = &ip->pub;
	c.cb.fn = fn;
	c.cb.r10 = r10 - BPFVM_STACK_SIZE;
	memcpy(c.cb.args, args, sizeof(c.cb.args));
	err = ((jit_cb_entry_fn)((uint8_t *)ip->pub.code + ip->cb_entry))(&c);
	if (ip->pub.flags & JIT_F_COUNTED)
		outer->left = c.left;
	if (!err)
		*r0 = c.r0;
	return err;
}

int jit_run_callback(struct bpfvm_run *run, uint64_t fn,
		     const uint64_t args[5], uint64_t *r0)
{
	const struct jit_image_priv *ip = run->cb_img, *caller = ip;
	struct jit_ctx *outer = run->cb_jit;
	uint64_t r10 = run->cb_r10;
	size_t insn = run->cb_insn;
	int err;

	if (ip->pub.flags & JIT_F_DIRECT)
		ip = plain_of(ip, &fn, run);
	if (!ip || !ip->cb_entry ||
	    !is_func(ip, fn - (uintptr_t)ip->pub.code))
		return eng_fail_callback(run, fn);
	if (r10 < outer->min_rbp) /* as a bpf-to-bpf call would check */
		return eng_fail_depth(run, insn);
	err = call_entry(outer, ip, fn, r10, args, r0);
	/* the callback's own helper calls moved these */
	run->cb_jit = outer;
	run->cb_img = caller;
	run->cb_r10 = r10;
	run->cb_insn = insn;
	return err;
}

uint8_t *jit_emit_set_img(struct jit_cc *cc, uint8_t *p, int scratch)
{
	p = x86_movabs(p, scratch, cc->img_addr);
	return x86_store(p, 8, JIT_CTX, JIT_CTX_OFF(img), scratch);
}

/* r11 = the run: stop (bpfvm_run_stop) or abort (eax = the error). */
uint8_t *jit_emit_pending(struct jit_cc *cc, uint8_t *p)
{
	uint8_t *to_abort;

	cc->head_label[JIT_H_PENDING] = (uint32_t)(p - cc->head.p);
	p = x86_load(p, X86_LD_U64, JIT_TMP, JIT_CTX, JIT_CTX_OFF(run));
	p = x86_cmp_m8i(p, JIT_TMP, RUN_OFF(stopped), ENG_STOP);
	to_abort = p = x86_jcc8(p, X86_CC_NE, 0);
	p = jit_head_jmp(cc, p, JIT_H_STOP);
	to_abort[-1] = (uint8_t)(p - to_abort);
	p = x86_load(p, X86_LD_U32, X86_RAX, JIT_TMP, RUN_OFF(abort_err));
	return jit_head_jmp(cc, p, JIT_H_UNWIND);
}

/* A callback needs a helper call and a function value. */
static bool has_funcs(const struct jit_cc *cc)
{
	if (!cc->has_calls)
		return false;
	for (size_t i = 0; i + 1 < cc->cnt; i++) {
		if (isa_is_lddw(&cc->insns[i]) &&
		    cc->insns[i].src_reg == BPF_PSEUDO_FUNC)
			return true;
	}
	return false;
}

/* int entry(struct jit_ctx *c): as the main entry, but the frame, the
 * arguments and the function come from c->cb. Only images that can name
 * a function (lddw BPF_PSEUDO_FUNC) get one. */
uint8_t *jit_emit_cb_entry(struct jit_cc *cc, uint8_t *p,
			   const struct jit_saved *sv)
{
	static const uint8_t args[5] = { X86_RDI, X86_RSI, X86_RDX, X86_RCX,
					 X86_R8 };
	struct jit_image_priv *ip = (struct jit_image_priv *)cc->img_addr;

	ip->cb_entry = 0;
	if ((cc->flags & JIT_F_DIRECT) || !has_funcs(cc))
		return p;
	ip->cb_entry = (uint32_t)(p - cc->head.p);
	cc->head_label[JIT_H_CB_ENTRY] = ip->cb_entry;
	for (int k = 0; k < sv->n; k++)
		p = x86_push(p, sv->reg[k]);
	p = x86_mov_rr(p, true, JIT_CTX, X86_RDI);
	p = x86_store(p, 8, JIT_CTX, JIT_CTX_OFF(saved_rsp), X86_RSP);
	p = x86_load(p, X86_LD_U64, X86_RBP, JIT_CTX, CB_OFF(r10));
	for (int k = 0; k < 5; k++)
		p = x86_load(p, X86_LD_U64, args[k], JIT_CTX,
			     CB_OFF(args) + 8 * k);
	p = x86_zero(p, X86_RAX);
	for (int k = 2; k < sv->n; k++)
		p = x86_zero(p, sv->reg[k]);
	p = x86_load(p, X86_LD_U64, JIT_TMP, JIT_CTX, CB_OFF(fn));
	p = x86_call_r(p, JIT_TMP);
	return jit_head_jmp(cc, p, JIT_H_RET_MAIN);
}

uint8_t *jit_emit_direct_init(struct jit_cc *cc, uint8_t *p, int32_t run_off)
{
	static const int32_t zeroed[] = {
		RUN_OFF(interp), RUN_OFF(extra), RUN_OFF(cb_req),
	};

	for (size_t k = 0; k < sizeof(zeroed) / sizeof(zeroed[0]); k++)
		p = x86_store_imm(p, 8, JIT_CTX, run_off + zeroed[k], 0);
	p = x86_store_imm(p, 4, JIT_CTX, run_off + RUN_OFF(tail_cnt), 0);
	p = x86_store_imm(p, 4, JIT_CTX, run_off + RUN_OFF(tail_refs), 0);
	/* run->prog: the image's program, known once compiled */
	p = x86_movabs(p, JIT_TMP, cc->img_addr);
	p = x86_load(p, X86_LD_U64, JIT_TMP, JIT_TMP,
		     (int32_t)offsetof(struct jit_image_priv, prog));
	return x86_store(p, 8, JIT_CTX, run_off + RUN_OFF(prog), JIT_TMP);
}

uint8_t *jit_emit_direct_release(struct jit_cc *cc, uint8_t *p,
				 int32_t run_off, int32_t low_off)
{
	uint8_t *skip;

	if (!jit_saves_all(cc))
		return p; /* no tail calls: nothing to release */
	/* tail_refs <= 33: its low byte tells */
	p = x86_cmp_m8i(p, JIT_CTX, run_off + RUN_OFF(tail_refs), 0);
	skip = p = x86_jcc8(p, X86_CC_E, 0);
	p = x86_lea(p, X86_RSP, JIT_CTX, low_off);
	p = x86_push(p, X86_RAX);
	p = x86_lea(p, X86_RDI, JIT_CTX, run_off);
	p = jit_emit_ccall(cc, &cc->head, JIT_LOC_HEAD, p,
			   (const void *)eng_run_release);
	p = x86_pop(p, X86_RAX);
	skip[-1] = (uint8_t)(p - skip);
	return p;
}
