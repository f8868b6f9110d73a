/* The JIT's side of maps, tail calls and callbacks: translators
 * (jit_map.c) and the head code and run-time paths (jit_cb.c).
 *
 * Tail calls: call 12 to the built-in bpf_tail_call asks
 * jit_tail_lookup for the target's image of the same variant (compiled on
 * demand) and jumps to its first instruction with rsp and rbp as they
 * are, so the frame is reused and nothing grows; from a subprogram it
 * replaces that frame only. Every image of a chain saves all callee-saved
 * registers (a program with a tail call does; targets are compiled with
 * JIT_F_TAIL), so whichever image's exit ends the run restores what the
 * entry saved. Head code sets ctx->img to its own image before slow
 * paths, since after a tail call ctx->img may name another image.
 *
 * Callbacks: a call of a helper that takes one records in the run where
 * the program is (ctx, rbp, insn, image); eng_run_callback then starts
 * the function through the image's JIT_H_CB_ENTRY with a copy of the
 * context, so errors and bpfvm_run_stop inside it end at that entry,
 * back in C. After every helper call, a nonzero run->stopped goes to
 * JIT_H_PENDING: stop (bpfvm_run_stop) or abort (a failed callback). */
#ifndef BPFVM_ENGINE_JIT_JIT_MAP_H
#define BPFVM_ENGINE_JIT_JIT_MAP_H

#include "engine/jit/jit_priv.h"

struct bpfvm_run;

/* Translators for insn cc->i (jit_map.c). */
/* Call 1 (the built-in map_lookup_elem) with r1 a known ARRAY map: the
 * lookup inline, as the kernel does. NULL (nothing emitted) otherwise. */
uint8_t *jit_tr_array_lookup(struct jit_cc *cc, uint8_t *p,
			     const struct bpf_insn *in);
/* Call 1 (the built-in map_lookup_elem) with r1 a known map, not
 * checked: the map's own lookup, which the helper only forwards to (one
 * call less). NULL: call the helper. */
const void *jit_map_lookup_fn(struct jit_cc *cc, const struct bpf_insn *in);
/* Call 12 to the built-in bpf_tail_call. */
uint8_t *jit_tr_tail_call(struct jit_cc *cc, uint8_t *p);
/* Before a helper call that may call back (r9 = the run): where the
 * program is. */
uint8_t *jit_emit_cb_site(struct jit_cc *cc, uint8_t *p);
/* Does this image save every callee-saved register (tail calls)? */
bool jit_saves_all(const struct jit_cc *cc);

/* Head code (jit_cb.c). */
uint8_t *jit_emit_pending(struct jit_cc *cc, uint8_t *p);
uint8_t *jit_emit_cb_entry(struct jit_cc *cc, uint8_t *p,
			   const struct jit_saved *sv);
/* ctx->img = this image (scratch: a free register). */
uint8_t *jit_emit_set_img(struct jit_cc *cc, uint8_t *p, int scratch);
/* Direct variant (run at r12 + run_off): the run fields tail calls and
 * callbacks read, and the release of tail-called programs on the way out,
 * from any depth (rsp goes to r12 + low_off, the bottom of the frame the
 * entry made, so the call cannot overwrite the run). */
uint8_t *jit_emit_direct_init(struct jit_cc *cc, uint8_t *p, int32_t run_off);
uint8_t *jit_emit_direct_release(struct jit_cc *cc, uint8_t *p,
				 int32_t run_off, int32_t low_off);

/* Run time (jit_cb.c). */
struct jit_tail_res {
	uint64_t addr;	/* the target's first instruction; 0: fall through */
	int64_t err;	/* nonzero: end the run with it */
};
struct jit_tail_res jit_tail_lookup(struct jit_ctx *ctx, uint64_t map,
				    uint64_t index,
				    const struct jit_image *img, uint32_t insn);
/* eng_run_callback's JIT side. */
int jit_run_callback(struct bpfvm_run *run, uint64_t fn,
		     const uint64_t args[5], uint64_t *r0);

#endif
