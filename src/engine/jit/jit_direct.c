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
#include "engine/jit/jit_fuse.h"
#include "engine/jit/jit_map.h"
#include "engine/run.h"
#include "isa/isa.h"
#include "maps/map_rcu.h"

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)
#define D_STACK ((int32_t)(BPFVM_MAX_CALL_DEPTH * BPFVM_STACK_SIZE))
#define D_CTX ((int32_t)ALIGN16(sizeof(struct jit_ctx)))
#define D_RUN ((int32_t)ALIGN16(sizeof(struct bpfvm_run)))
/* A multiple of 16: rsp keeps the entry's alignment. */
#define D_FRAME (D_STACK + D_CTX + D_RUN)
#define D_RUN_OFF(field) (D_CTX + (int32_t)offsetof(struct bpfvm_run, field))

/* A leaf (no calls of any kind) has no use for the context, the run or
 * more than one stack frame, and nothing in it can fail at run time, so
 * its entry is a C function's, in the plain variant too (jit_run and the
 * run entry call it as one, JIT_F_LEAF). cc->leaf says what it saves
 * (the BPF r6-r9 the program names; rbp with a 512-byte frame below it
 * when the program uses r10) and which registers it zeroes: those named
 * and not written before being read on the way every run starts
 * (first_path). The entry falls through into insn 0 and every exit
 * restores and returns (jit_emit_leaf_ret): no call, no jump, nothing a
 * native function would not do. */
#define LEAF_STACK 0x4000u
#define LEAF_SAVED(l) ((l) & 15u)		 /* r6-r9 */
#define LEAF_ZERO(l) ((l) >> 4 & 0xffu)	 /* by leaf_zero_regs */

static const uint8_t leaf_zero_regs[8] = { 0, 3, 4, 5, 6, 7, 8, 9 };

/* The way every run starts: from insn 0 through gotos and past jumps to
 * an exit (a run that takes one reads only r0 from there on), up to the
 * first other jump. Sets the registers written on it, and those read on
 * it before being written. */
static void first_path(const struct jit_cc *cc, unsigned *written,
		       unsigned *early)
{
	size_t i = 0;

	for (unsigned steps = 0; i < cc->cnt && steps < 256; steps++) {
		const struct bpf_insn *in = &cc->insns[i];
		unsigned w, cls = ISA_CLASS(in->code), op = ISA_OP(in->code);
		int64_t to;

		*early |= jit_insn_rw(in, &w) & ~*written;
		*written |= w;
		if (cls != BPF_JMP && cls != BPF_JMP32) {
			i += 1 + isa_is_lddw(in);
			continue;
		}
		to = (int64_t)i + 1 + (cls == BPF_JMP32 && op == BPF_JA ?
					       in->imm : in->off);
		if (to < 0 || (size_t)to >= cc->cnt)
			return;
		if (op == BPF_JA) {
			i = (size_t)to;
		} else if (op != BPF_EXIT && op != BPF_CALL &&
			   op != BPF_JCOND &&
			   cc->insns[to].code == (BPF_JMP | BPF_EXIT)) {
			*early |= 1u & ~*written; /* the exit reads r0 */
			i++;
		} else {
			return;
		}
	}
}

void jit_leaf_plan(struct jit_cc *cc)
{
	unsigned named = 1, written = 0, early = 0, zero = 0; /* r0: exit */

	if (cc->has_calls ||
	    (cc->flags & (JIT_F_CHECKED | JIT_F_COUNTED | JIT_F_TAIL)))
		return;
	named |= cc->regs_named; /* from the analysis */
	first_path(cc, &written, &early);
	/* zero what is named and not surely written before it is read */
	for (int k = 0; k < 8; k++)
		if ((named & ~(written & ~early)) >> leaf_zero_regs[k] & 1)
			zero |= 1u << k;
	cc->leaf = (uint16_t)(JIT_LEAF_ON | zero << 4 |
			      (named >> BPF_REG_6 & 15) |
			      (named >> BPF_REG_10 & 1 ? LEAF_STACK : 0));
}

bool jit_leaf_frame(const struct jit_cc *cc)
{
	return cc->leaf & (LEAF_STACK | 15u);
}

uint8_t *jit_emit_leaf_ret(const struct jit_cc *cc, uint8_t *p)
{
	if (cc->leaf & LEAF_STACK) {
		p = x86_mov_rr(p, true, X86_RSP, X86_RBP);
		p = x86_pop(p, X86_RBP);
	}
	for (int k = 3; k >= 0; k--)
		if (LEAF_SAVED(cc->leaf) >> k & 1)
			p = x86_pop(p, jit_reg[BPF_REG_6 + k]);
	return x86_ret(p);
}

/* The leaf's entry (see jit_leaf_plan). The labels of the ways out are
 * never reached: no leaf code leaves through them. */
static uint8_t *leaf_entry(struct jit_cc *cc, uint8_t *p)
{
	for (int k = 0; k < JIT_H_COUNT; k++)
		cc->head_label[k] = (uint32_t)(p - cc->head.p);
	for (int k = 0; k < 4; k++)
		if (LEAF_SAVED(cc->leaf) >> k & 1)
			p = x86_push(p, jit_reg[BPF_REG_6 + k]);
	if (cc->leaf & LEAF_STACK) {
		p = x86_push(p, X86_RBP);
		p = x86_mov_rr(p, true, X86_RBP, X86_RSP);
		p = x86_alu_ri(p, X86_SUB, true, X86_RSP,
			       (int32_t)BPFVM_STACK_SIZE);
	}
	for (int k = 0; k < 8; k++)
		if (LEAF_ZERO(cc->leaf) >> k & 1)
			p = x86_zero(p, jit_reg[leaf_zero_regs[k]]);
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
	p = x86_store_imm(p, 1, JIT_CTX, D_RUN_OFF(checked), 0);
	/* LD_ABS / LD_IND's packet: the memory (rdi, rsi: the arguments) */
	p = x86_store(p, 8, JIT_CTX, D_RUN_OFF(pkt), X86_RDI);
	p = x86_store(p, 8, JIT_CTX, D_RUN_OFF(pkt_len), X86_RSI);
	p = x86_lea(p, JIT_TMP, JIT_CTX,
		    -(int32_t)((BPFVM_MAX_CALL_DEPTH - 2) * BPFVM_STACK_SIZE));
	p = x86_store(p, 8, JIT_CTX, JIT_CTX_OFF(min_rbp), JIT_TMP);
	p = x86_movabs(p, JIT_TMP, cc->img_addr);
	p = x86_store(p, 8, JIT_CTX, JIT_CTX_OFF(img), JIT_TMP);
	return jit_emit_direct_init(cc, p, D_CTX); /* tail calls, callbacks */
}

/* Does the program name a map through which it may reach maps or
 * programs user space can replace (map-in-map, PROG_ARRAY: a program
 * entered by a tail call may use map-in-map)? Then its runs are RCU
 * readers (map_rcu.h), as bpfvm_prog_run makes them; other programs pay
 * nothing (a leaf has no calls, so reaches no inner map). */
static bool direct_rcu(const struct jit_cc *cc)
{
	for (size_t i = 0; i + 1 < cc->cnt; i++) {
		const struct bpf_insn *in = &cc->insns[i];
		const struct bpfvm_map *m;

		if (!isa_is_lddw(in) || in->src_reg != BPF_PSEUDO_MAP_FD)
			continue;
		m = (const void *)(uintptr_t)((uint32_t)in->imm |
					      (uint64_t)(uint32_t)in[1].imm
						      << 32);
		if (m && (m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
			  m->type == BPF_MAP_TYPE_HASH_OF_MAPS ||
			  m->type == BPF_MAP_TYPE_PROG_ARRAY))
			return true;
		i++;
	}
	return false;
}

/* A C call from the entry's frame (rsp = its bottom, 8 mod 16) keeping
 * rax, rdi and rsi: three pushes align it. */
static uint8_t *rcu_call(struct jit_cc *cc, uint8_t *p, const void *fn)
{
	p = x86_push(p, X86_RAX);
	p = x86_push(p, X86_RDI);
	p = x86_push(p, X86_RSI);
	p = jit_emit_ccall(cc, &cc->head, JIT_LOC_HEAD, p, fn);
	p = x86_pop(p, X86_RSI);
	p = x86_pop(p, X86_RDI);
	return x86_pop(p, X86_RAX);
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
	bool rcu = direct_rcu(cc);
	uint8_t *epilogue;

	if (cc->leaf)
		return leaf_entry(cc, p);
	cc->head_label[JIT_H_ENTRY] = (uint32_t)(p - cc->head.p);
	for (int k = 0; k < sv->n; k++)
		p = x86_push(p, sv->reg[k]);
	p = grow_stack(p, D_FRAME);
	/* r12 = the context = the top of the BPF stack = r10 */
	p = x86_lea(p, JIT_CTX, X86_RSP, D_STACK);
	p = x86_mov_rr(p, true, X86_RBP, JIT_CTX);
	if (rcu)
		p = rcu_call(cc, p, (const void *)map_rcu_read_lock);
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
	if (rcu) {
		p = x86_lea(p, X86_RSP, JIT_CTX, -D_STACK);
		p = rcu_call(cc, p, (const void *)map_rcu_read_unlock);
	}
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
